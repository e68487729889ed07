/**
 * CPU time measurement shared by the codec benchmarks: this process's user + system time, and a
 * libtiff tool's through /usr/bin/time, best of several rounds so other load disturbs them less.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TAG, TiffStructure } from '../lib/t4/tiff-ifd.js';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** CPU seconds (user + system) that `fn` took in this process. */
export function timeOf(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

/** Best of ROUNDS (least disturbed by other load on the machine). */
export function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < ROUNDS; i++) t = Math.min(t, timeOf(fn));
  return t;
}

/** Best CPU time of ROUNDS runs of a libtiff tool. */
export function bestTool(tool: string, args: string[]): number {
  let t = Infinity;
  for (let i = 0; i < ROUNDS; i++) t = Math.min(t, toolCpu(tool, args));
  return t;
}

function toolCpu(tool: string, args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', tool, ...args], {
    encoding: 'latin1',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`${tool} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(m[1]) + Number(m[2]);
}

/** Strip bytes of each page of a TIFF, concatenated per page. */
export function stripBytes(file: string): Uint8Array[] {
  const t = new TiffStructure(new Uint8Array(readFileSync(file)));
  return t.directories().map((ifd) => {
    const offsets = ifd.get(TAG.StripOffsets) ?? [];
    const counts = ifd.get(TAG.StripByteCounts) ?? [];
    return Buffer.concat(offsets.map((o, i) => t.buf.subarray(o, o + counts[i])));
  });
}
