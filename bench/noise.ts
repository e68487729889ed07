/**
 * Noise sweep (`node dist/bench/line.js --noise-sweep [--from -50] [--to -36] [--lpfax-speed 2]`):
 * the loudest white noise (spandsp awgn, dBm0, both ways) at which lpfax and efax each still deliver
 * a one-page fax (page 1 of the line benchmark's document, fine) to the spandsp receiver. Levels
 * rise 1 dB at a time from --from until a sender fails twice in a row or --to is passed; lpfax and
 * efax run side by side, each on its own simulated line (efax at --speed 1, lpfax at --lpfax-speed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchConfig, efaxPages, IDENT, sendEfax, sendLpfax, startSim, textDocument } from './harness.js';

function option(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  return at >= 0 ? Number(argv[at + 1]) : fallback;
}

interface Attempt {
  level: number;
  delivered: boolean;
  detail: string;
}

async function sweep(
  name: string,
  levels: number[],
  speed: number,
  send: (device: string) => Promise<{ code: number | null }>,
  dir: string,
): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  let failures = 0;
  for (const level of levels) {
    const sim = await startSim(['--speed', String(speed), '--noise', String(level), '--out-dir', dir]);
    try {
      const run = await send(sim.devicePath);
      const call = await sim.nextCall(30_000).catch(() => undefined);
      const delivered = run.code === 0 && call?.outcome === 'completed' && call.pages === 1;
      const detail = call
        ? `${call.outcome}, ${call.pages} page, ${call.bitRate ?? '-'} bit/s, ${call.durationSeconds.toFixed(1)} s`
        : 'no call report';
      attempts.push({ level, delivered, detail: `exit ${run.code}, ${detail}` });
      console.log(
        `${name.padEnd(5)} ${level} dBm0: ${delivered ? 'delivered' : 'FAILED   '} (exit ${run.code}, ${detail})`,
      );
      failures = delivered ? 0 : failures + 1;
      if (failures === 2) break;
    } finally {
      await sim.stop();
    }
  }
  return attempts;
}

const loudest = (attempts: Attempt[]): string => {
  let best: number | undefined;
  for (const a of attempts) {
    if (!a.delivered) break;
    best = a.level;
  }
  return best === undefined ? 'none' : `${best} dBm0`;
};

export async function noiseSweep(argv: string[]): Promise<void> {
  const from = option(argv, '--from', -50);
  const to = option(argv, '--to', -36);
  const lpSpeed = option(argv, '--lpfax-speed', 2);
  const levels: number[] = [];
  for (let l = from; l <= to; l++) levels.push(l);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-bench-noise-'));
  try {
    const pdf = await textDocument(dir, 1);
    const [tiff] = await efaxPages(pdf, dir);
    const config = await benchConfig(dir, { Tagline: 'off', CoverPage: 'off', LocalIdentifier: IDENT });
    console.log(
      `noise sweep ${from}..${to} dBm0, one page (page 1 of man -t bash, fine); efax --speed 1, lpfax --speed ${lpSpeed}`,
    );
    const [lp, ef] = await Promise.all([
      sweep('lpfax', levels, lpSpeed, (dev) => sendLpfax(dev, pdf, config, ['--resolution', 'fine']), dir),
      sweep('efax', levels, 1, (dev) => sendEfax(dev, [tiff!]), dir),
    ]);
    console.log(`loudest noise with delivery: lpfax ${loudest(lp)}, efax ${loudest(ef)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
