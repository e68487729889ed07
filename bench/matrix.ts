/**
 * The full-page matrix: `npm run matrix` (or `node dist/bench/matrix.js [--speed F] [--only 2400]
 * [--ecm off|64|256] [--rows N] [--logs DIR]`; --rows sends only the page's top N rows; a failed
 * case leaves its AT and T.30 trace in DIR, default $TMPDIR/lpfax-matrix-logs-<pid>).
 *
 * One dense full A4 fine page (bench/dense-page.ts) sent by lpfax's engine (sendFax over its Class 1
 * driver) to the simulated line's spandsp receiver at every rate the far end can be brought to —
 * V.17 14400/12000/9600/7200, V.29 9600/7200, V.27 ter 4800/2400 — without ECM, with ECM in
 * 64-octet frames and with ECM in 256-octet frames (T.30 Annex A). linesim restricts the far end
 * to a modem family only (`--modems`); the lower rates of a family are reached with lpfax's own
 * limit, sendFax `maxBitRate` (what the `MaxSpeed` key and `lpfax send --speed` set, lib/job/call.ts).
 * Each page the far end wrote is compared pixel for pixel with the page sent, and the DCS rate,
 * the far end's bit rate and its ECM flag must be the ones asked for.
 *
 * The table: rate, modulation, ECM, frame size, coded octets, seconds on the line (linesim's
 * durationSeconds: ATD to the end of the far end's T.30 session), wall seconds, result.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sendFax } from '../lib/fax/index.js';
import { Class1Modem } from '../lib/modem/index.js';
import {
  bitmapsEqual,
  createBitmap,
  encodePage,
  firstDifferentRow,
  readTiff,
  type Bitmap,
} from '../lib/t4/index.js';
import type { T4Coding as Coding } from '../lib/itu/page.js';
import { densePage } from './dense-page.js';
import { startSim, IDENT, NUMBER } from './harness.js';

type Family = 'v17' | 'v29' | 'v27ter';
type EcmMode = 'off' | 64 | 256;

interface Rate {
  bitRate: number;
  modulation: string;
  family: Family;
  /** lpfax's MaxSpeed, when the family's top rate is not the one wanted. */
  maxBitRate?: number;
}

export const RATES: Rate[] = [
  { bitRate: 14400, modulation: 'V.17', family: 'v17' },
  { bitRate: 12000, modulation: 'V.17', family: 'v17', maxBitRate: 12000 },
  { bitRate: 9600, modulation: 'V.17', family: 'v17', maxBitRate: 9600 },
  { bitRate: 7200, modulation: 'V.17', family: 'v17', maxBitRate: 7200 },
  { bitRate: 9600, modulation: 'V.29', family: 'v29' },
  { bitRate: 7200, modulation: 'V.29', family: 'v29', maxBitRate: 7200 },
  { bitRate: 4800, modulation: 'V.27ter', family: 'v27ter' },
  { bitRate: 2400, modulation: 'V.27ter', family: 'v27ter', maxBitRate: 2400 },
];

const ECM_MODES: EcmMode[] = ['off', 64, 256];

/**
 * The host must feed page data at the bit rate times the speed factor; without ECM a modem that
 * runs dry fills inside coded rows and spoils them (a fault of the speed-up, not of the sender), so
 * the factor is capped to keep that feed at or below 19200 bit/s of wall-clock time, as the TSB-85
 * runner does (test/conformance/README.md, Speed): on a loaded host 38400 already spoilt rows.
 */
const MAX_WALL_BIT_RATE = 19200;

interface Row {
  rate: Rate;
  ecm: EcmMode;
  speed: number;
  octets: number;
  lineSeconds: number | null;
  wallSeconds: number;
  result: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The top `rows` rows of the dense page (all of it by default). */
function pageOf(rows: number | undefined): Bitmap {
  const full = densePage();
  if (rows === undefined || rows >= full.height) return full;
  const b = createBitmap(full.width, rows);
  b.data.set(full.data.subarray(0, b.data.length));
  return b;
}

async function runCase(
  rate: Rate,
  ecm: EcmMode,
  maxSpeed: number,
  outDir: string,
  logDir: string,
  rows?: number,
): Promise<Row> {
  const page = pageOf(rows);
  const speed = Math.min(maxSpeed, Math.round((MAX_WALL_BIT_RATE / rate.bitRate) * 100) / 100);
  const sim = await startSim(['--out-dir', outDir, '--speed', String(speed), '--modems', rate.family]);
  const started = performance.now();
  let dcsLabel: string | undefined;
  let result = '';
  let lineSeconds: number | null = null;
  let coding: Coding = ecm === 'off' ? 'mr' : 'mmr';
  const trace: string[] = [];
  const stamp = (): string => ((performance.now() - started) / 1000).toFixed(3);
  try {
    const modem = await Class1Modem.open(sim.devicePath, {
      lock: false,
      trace: (direction, text) => trace.push(`${stamp()} ${direction} ${text}`),
    });
    let sent;
    try {
      await modem.init();
      sent = await sendFax({
        modem,
        dialString: NUMBER,
        pages: (async function* () {
          yield { bitmap: page, resolution: 'fine' as const };
        })(),
        localIdent: IDENT,
        resolution: 'fine',
        maxBitRate: rate.maxBitRate,
        ecm: ecm !== 'off',
        ecmFrameSize: ecm === 'off' ? undefined : ecm,
        trace: (line) => trace.push(`${stamp()} ${line}`),
        onProgress: (p) => {
          if (p.kind === 'trained') dcsLabel = `${p.dcs.modulation.name} ${p.dcs.modulation.bitRate}`;
        },
      });
    } finally {
      await modem.close();
    }
    const far = await sim.nextCall(120_000);
    lineSeconds = far.durationSeconds;
    coding = (sent.coding ?? coding) as Coding;
    const want = `${rate.modulation} ${rate.bitRate}`;
    if (!sent.ok) result = `FAILED: ${sent.failure?.kind}: ${sent.failure?.message}`;
    else if (far.outcome !== 'completed' || far.pages !== 1)
      result = `FAILED: far end ${far.outcome}, ${far.pages} pages`;
    else if (dcsLabel !== want || far.bitRate !== rate.bitRate)
      result = `FAILED: sent at ${dcsLabel}, far end at ${far.bitRate}, wanted ${want}`;
    else if (far.ecm !== (ecm !== 'off')) result = `FAILED: far end ECM ${far.ecm}`;
    else {
      const got = far.tiff ? readTiff(await readFile(far.tiff)) : [];
      const bitmap = got[0]?.bitmap;
      if (got.length !== 1 || !bitmap) result = `FAILED: ${got.length} pages in the far end's TIFF`;
      else if (bitmap.height !== page.height) result = `FAILED: ${bitmap.height} rows, sent ${page.height}`;
      else if (!bitmapsEqual(bitmap, page)) result = `FAILED: row ${firstDifferentRow(bitmap, page)} differs`;
      else
        result = `ok, pixel-identical (${coding.toUpperCase()}${sent.frameRetransmissions ? `, ${sent.frameRetransmissions} frames resent` : ''})`;
    }
  } catch (e) {
    result = `FAILED: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await sim.stop();
  }
  if (!result.startsWith('ok')) {
    // The AT exchange and the T.30 actions and events, for the failure's cause.
    const log = path.join(logDir, `${rate.modulation}-${rate.bitRate}-ecm-${ecm}.log`);
    await writeFile(log, trace.join('\n') + '\n');
    result += ` [${log}]`;
  }
  return {
    rate,
    ecm,
    speed,
    octets: encodePage(page, { coding, bitOrder: 'lsb-first' }).length,
    lineSeconds,
    wallSeconds: (performance.now() - started) / 1000,
    result,
  };
}

function format(row: Row): string {
  const how = row.rate.maxBitRate ? `MaxSpeed ${row.rate.maxBitRate}` : 'far end';
  return [
    String(row.rate.bitRate).padStart(5),
    row.rate.modulation.padEnd(8),
    `${row.rate.family} + ${how}`.padEnd(24),
    (row.ecm === 'off' ? 'off' : 'on').padEnd(3),
    (row.ecm === 'off' ? '-' : String(row.ecm)).padStart(5),
    String(row.octets).padStart(7),
    String(row.speed).padStart(5),
    (row.lineSeconds === null ? '-' : row.lineSeconds.toFixed(1)).padStart(7),
    row.wallSeconds.toFixed(1).padStart(7),
    row.result,
  ].join(' | ');
}

async function main(): Promise<void> {
  const speed = Number(arg('--speed') ?? 4);
  const only = arg('--only');
  const ecmOnly = arg('--ecm');
  const pageRows = arg('--rows') === undefined ? undefined : Number(arg('--rows'));
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-matrix-'));
  const logDir = arg('--logs') ?? path.join(os.tmpdir(), `lpfax-matrix-logs-${process.pid}`);
  await mkdir(logDir, { recursive: true });
  const rows: Row[] = [];
  console.log(
    `lpfax full-page matrix: one dense A4 fine page (1728 × ${pageRows ?? 2200}), linesim --speed ${speed} ` +
      `(at most ${MAX_WALL_BIT_RATE} bit/s of wall-clock time)`,
  );
  console.log(
    ' rate | modem    | far end + lpfax limit    | ECM | frame |  octets | speed |  line s |  wall s | result',
  );
  try {
    for (const rate of RATES) {
      if (only && !only.split(',').includes(String(rate.bitRate))) continue;
      for (const ecm of ECM_MODES) {
        if (ecmOnly && !ecmOnly.split(',').includes(String(ecm))) continue;
        const row = await runCase(rate, ecm, speed, outDir, logDir, pageRows);
        rows.push(row);
        console.log(format(row));
      }
    }
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  const failed = rows.filter((r) => !r.result.startsWith('ok'));
  console.log(`${rows.length - failed.length} of ${rows.length} delivered pixel-identical`);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
