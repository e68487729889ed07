/**
 * Page codec benchmark: lpfax's T.4/T.6 coder against libtiff's (through tiffcp) on the same
 * pages, in one run. Prints pages/s for encode and decode of each coding, the ratio lpfax/libtiff
 * and the coded bytes per page of both. Not a test: figures depend on the machine.
 *
 * Times are CPU time (user + system), best of several rounds, so other load on the machine
 * disturbs them less than wall time would. libtiff's time is tiffcp's CPU time (measured by
 * /usr/bin/time) minus that of an uncompressed copy of the same file (process start, file
 * reading and writing), so both sides are measured on the coding work.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodePage, encodePage, firstDifferentRow, writeTiffF } from '../lib/t4/index.js';
import type { Bitmap, Coding, FaxPage } from '../lib/t4/index.js';
import { TAG, TiffStructure } from '../lib/t4/tiff-ifd.js';
import {
  blackBar,
  blankPage,
  checkerboard,
  ditheredPhoto,
  FORM_PS,
  gsRender,
  readPbm,
  Scratch,
  TEXT_PS,
} from '../test/t4/pages.js';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const TIFFCP_CODING: Record<Coding, string[]> = { mh: ['-c', 'g3'], mr: ['-c', 'g3:2d'], mmr: ['-c', 'g4'] };

/** CPU seconds (user + system) that `fn` took in this process. */
function timeOf(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

/** Best of ROUNDS (least disturbed by other load on the machine). */
function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < ROUNDS; i++) t = Math.min(t, timeOf(fn));
  return t;
}

/** Best CPU time of ROUNDS runs of tiffcp. */
function bestTiffcp(args: string[]): number {
  let t = Infinity;
  for (let i = 0; i < ROUNDS; i++) t = Math.min(t, tiffcpCpu(args));
  return t;
}

function tiffcpCpu(args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'tiffcp', ...args], { encoding: 'latin1' });
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`tiffcp ${args.join(' ')} failed: ${r.stderr}`);
  return Number(m[1]) + Number(m[2]);
}

/** Strip bytes of each page of a TIFF, concatenated per page. */
function stripBytes(file: string): Uint8Array[] {
  const t = new TiffStructure(new Uint8Array(readFileSync(file)));
  return t.directories().map((ifd) => {
    const offsets = ifd.get(TAG.StripOffsets) ?? [];
    const counts = ifd.get(TAG.StripByteCounts) ?? [];
    return Buffer.concat(offsets.map((o, i) => t.buf.subarray(o, o + counts[i])));
  });
}

function main(): void {
  const s = new Scratch();
  try {
    const named: [string, Bitmap][] = [
      ['text', readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))))],
      ['form', readPbm(new Uint8Array(readFileSync(gsRender(s, FORM_PS, 'pbmraw', 'form.pbm'))))],
      ['photo', ditheredPhoto(1728, 2156)],
      ['blank', blankPage(1728, 2156)],
      ['bar', blackBar(1728, 2156)],
      ['checker', checkerboard(1728, 2156, true)],
    ];
    const pages: FaxPage[] = [];
    for (let r = 0; r < REPEAT; r++)
      for (const [, bitmap] of named) pages.push({ bitmap, resolution: 'fine' });
    const n = pages.length;
    const plain = s.write('plain.tif', writeTiffF(pages, { coding: 'none' }));
    console.log(
      `${n} pages (${named.map(([k]) => k).join(', ')}) ×${REPEAT}, 1728×2156 at fine; best of ${ROUNDS}\n`,
    );
    const baseline = bestTiffcp(['-c', 'none', plain, s.path('copy.tif')]);
    const rows: string[][] = [];
    for (const coding of ['mh', 'mr', 'mmr'] as Coding[]) {
      const coded = s.path(`${coding}.tif`);
      const tEnc = bestTiffcp([...TIFFCP_CODING[coding], '-r', '2156', plain, coded]);
      const tDec = bestTiffcp(['-c', 'none', coded, s.path('decoded.tif')]);
      const theirs = stripBytes(coded);
      // Same stream shape as tiffcp writes: EOL per row, no RTC, K from the 196-dpi resolution.
      const opts = {
        coding,
        resolution: 'fine' as const,
        bitOrder: 'msb-first' as const,
        endOfPage: coding === 'mmr',
      };
      let ours: Uint8Array[] = [];
      const oEnc = best(() => {
        ours = pages.map((p) => encodePage(p.bitmap, opts));
      });
      const oDec = best(() => {
        for (const c of ours) decodePage(c, { coding, width: 1728, bitOrder: 'msb-first' });
      });
      for (let i = 0; i < named.length; i++) {
        const back = decodePage(ours[i], { coding, width: 1728, bitOrder: 'msb-first' }).bitmap;
        if (firstDifferentRow(back, pages[i].bitmap) !== -1)
          throw new Error(`${coding}: round trip differs on ${named[i][0]}`);
      }
      const sum = (a: Uint8Array[]) => a.reduce((t, b) => t + b.length, 0);
      const same = ours.every((b, i) => Buffer.compare(Buffer.from(b), Buffer.from(theirs[i])) === 0);
      const encL = n / Math.max(tEnc - baseline, 1e-6);
      const decL = n / Math.max(tDec - baseline, 1e-6);
      rows.push([
        coding.toUpperCase(),
        (n / oEnc).toFixed(0),
        encL.toFixed(0),
        (n / oEnc / encL).toFixed(2),
        (n / oDec).toFixed(0),
        decL.toFixed(0),
        (n / oDec / decL).toFixed(2),
        (sum(ours) / n).toFixed(0),
        (sum(theirs) / n).toFixed(0),
        same ? 'yes' : 'no',
      ]);
      const perPage = named.map(([k], i) => `${k} ${ours[i].length}/${theirs[i].length}`).join(', ');
      console.log(`${coding.toUpperCase()} bytes per page, lpfax/libtiff: ${perPage}`);
    }
    const head = [
      'coding',
      'enc lpfax p/s',
      'enc libtiff p/s',
      'ratio',
      'dec lpfax p/s',
      'dec libtiff p/s',
      'ratio',
      'bytes/page lpfax',
      'bytes/page libtiff',
      'identical',
    ];
    console.log(
      `\nCPU time; tiffcp uncompressed-copy baseline subtracted: ${(baseline * 1000).toFixed(0)} ms`,
    );
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
  } finally {
    s.remove();
  }
}

main();
