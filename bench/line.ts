/**
 * Line benchmark: `npm run bench:line` (or `node dist/bench/line.js [--noise-sweep]`).
 *
 * The same 3-page text document (pages 1-3 of `man -t bash`, A4, fine) sent by lpfax (`lpfax send`,
 * no cover page, no tagline) and by efax (Debian efax 0.9a, pages made by Ghostscript's tiffg3 device
 * at 204×196) to the same spandsp receiver over one simulated line at --speed 1 (efax dies faster).
 * For each: the far end's call time, bytes on the line per page, bit rate and coding; the T.30 limit
 * for that modulation and coding (see handshake() below); lpfax's modem operations from its trace.
 * Goals: lpfax ≤ 0.8 × efax's call time, and ≤ 1.15 × the limit.
 *
 * Both first run without ECM (lpfax `--no-ecm`; efax has none), so that the figures compare the
 * same procedure. A third call then sends the same document with lpfax's default, ECM (T.30
 * Annex A), which the far end offers, and so T.6 (MMR): its call time and coded bytes.
 *
 * --noise-sweep: the loudest white noise (dBm0) at which each still delivers one page (bench/noise.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  benchConfig,
  efaxPageBytes,
  efaxPages,
  IDENT,
  lpfaxCodedPageBytes,
  lpfaxEcmFrames,
  lpfaxPageBytes,
  sendEfax,
  sendLpfax,
  startSim,
  textDocument,
  type SimCall,
  type TimedLine,
} from './harness.js';
import { noiseSweep } from './noise.js';

/** T.30 §5.3.1: every V.21 HDLC transmission starts with 1 s ± 15 % of flags. */
const PREAMBLE_S = 1.0;
/** T.30 §5.3.2: 75 ± 20 ms of silence between the end of one signal and the start of the next. */
const GAP_S = 0.075;
/** T.30 §5.3.2: TCF is 1.5 s ± 10 % of zeros at the data rate. */
const TCF_S = 1.5;

/** Training before TCF (long) and before each page (short), in seconds (V.27 ter, V.29, V.17). */
const TRAINING: Record<number, { long: number; short: number }> = {
  2400: { long: 0.943, short: 0.943 }, // V.27 ter §2.4 at 1200 Bd
  4800: { long: 0.708, short: 0.708 }, // V.27 ter at 1600 Bd
  7200: { long: 0.2535, short: 0.2535 }, // V.29 (one training sequence)
  9600: { long: 0.2535, short: 0.2535 },
  12000: { long: 1.393, short: 0.142 }, // V.17: long 1393 ms, short 142 ms
  14400: { long: 1.393, short: 0.142 },
};

/** One V.21 transmission of these frames (octets without FCS): preamble, then frame + FCS + flag each, at 300 bit/s. */
const hdlcSeconds = (...frames: number[]): number =>
  PREAMBLE_S + frames.reduce((s, n) => s + ((n + 3) * 8) / 300, 0);

/**
 * The handshake of a non-ECM call of `pages` pages, everything but the page data, in seconds:
 * ringing (linesim's --ring-seconds, 2 s), 0.2 s then CED 2.6 s (T.30 §4.3.1, the shortest allowed),
 * CSI+DIS (23+13 octets, spandsp's), TSI+DCS (23+6), long training + TCF 1.5 s, CFR, then per page
 * short training, MPS or EOP and MCF, finally DCN; 75 ms before every signal.
 */
export function handshake(bitRate: number, pages: number): { seconds: number; parts: string } {
  const t = TRAINING[bitRate] ?? TRAINING[14400]!;
  const parts: [string, number][] = [
    ['ring', 2],
    ['CED', 0.2 + 2.6],
    ['CSI+DIS', GAP_S + hdlcSeconds(23, 13)],
    ['TSI+DCS', GAP_S + hdlcSeconds(23, 6)],
    ['TCF', GAP_S + t.long + TCF_S],
    ['CFR', GAP_S + hdlcSeconds(3)],
    [`${pages}×(train+MPS/EOP+MCF)`, pages * (GAP_S + t.short + 2 * (GAP_S + hdlcSeconds(3)))],
    ['DCN', GAP_S + hdlcSeconds(3)],
  ];
  return {
    seconds: parts.reduce((s, [, v]) => s + v, 0),
    parts: parts.map(([n, v]) => `${n} ${v.toFixed(2)}`).join(' + '),
  };
}

export interface Sent {
  name: string;
  call: SimCall;
  pageBytes: number[];
  exitCode: number | null;
}

/**
 * lpfax's modem operations from its trace: each `> AT+F…`/`ATD` until its final result, the host's
 * time between one operation's end and the next command, and the time in +FTM page data.
 */
function modemTimeline(lines: TimedLine[]): string[] {
  const out: string[] = [];
  let open: { cmd: string; ms: number } | undefined;
  let lastEnd: number | undefined;
  let hostMs = 0;
  let dialMs: number | undefined;
  for (const l of lines) {
    const cmd = /^> (AT(?:D|\+F).*)$/.exec(l.text)?.[1];
    if (cmd) {
      if (cmd.startsWith('ATD')) dialMs = l.ms;
      if (lastEnd !== undefined && dialMs !== undefined) hostMs += l.ms - lastEnd;
      open = { cmd, ms: l.ms };
      continue;
    }
    // Each operation ends at its final result: OK after CONNECT and the data (ATD: after the first
    // frame it receives, the far end's CSI).
    if (open && /^< (OK|ERROR|NO CARRIER|BUSY|NO ANSWER|\+FCERROR)$/.test(l.text)) {
      if (dialMs !== undefined) {
        const start = ((open.ms - dialMs) / 1000).toFixed(2).padStart(7);
        out.push(
          `  ${start} s  ${open.cmd.padEnd(14)} ${((l.ms - open.ms) / 1000).toFixed(3).padStart(7)} s`,
        );
      }
      lastEnd = l.ms;
      open = undefined;
    }
  }
  out.push(`  host time between a result and the next command, summed: ${(hostMs / 1000).toFixed(3)} s`);
  return out;
}

function report(s: Sent, limitOf: (s: Sent) => number): string[] {
  const c = s.call;
  const bytes = s.pageBytes.reduce((a, b) => a + b, 0);
  const limit = limitOf(s);
  return [
    `${s.name}: exit ${s.exitCode}, far end ${c.outcome} ${c.pages} pages, ${c.bitRate} bit/s ${c.coding?.toUpperCase()} ${c.resolution}${c.ecm ? ' ECM' : ''}`,
    `  call ${c.durationSeconds.toFixed(2)} s (line time, linesim durationSeconds); bytes per page ${s.pageBytes.join(', ')} (total ${bytes})`,
    `  page data ${((bytes * 8) / (c.bitRate ?? 1)).toFixed(2)} s at ${c.bitRate} bit/s; limit ${limit.toFixed(2)} s; call/limit ${(c.durationSeconds / limit).toFixed(3)}`,
  ];
}

async function compare(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-bench-line-'));
  try {
    const pdf = await textDocument(dir, 3);
    const tiffs = await efaxPages(pdf, dir);
    const config = await benchConfig(dir, { Tagline: 'off', CoverPage: 'off', LocalIdentifier: IDENT });
    const sim = await startSim(['--speed', '1', '--out-dir', dir]);
    try {
      console.log(
        `document: pages 1-3 of man -t bash, A4 fine; linesim --speed 1 (${sim.devicePath}); one line, three calls`,
      );
      const lp = await sendLpfax(sim.devicePath, pdf, config, ['--resolution', 'fine', '--no-ecm']);
      const lpCall = await sim.nextCall();
      const ef = await sendEfax(sim.devicePath, tiffs);
      const efCall = await sim.nextCall();
      const sent: Sent[] = [
        { name: 'lpfax', call: lpCall, pageBytes: lpfaxPageBytes(lp.lines), exitCode: lp.code },
        { name: 'efax', call: efCall, pageBytes: efaxPageBytes(ef.lines), exitCode: ef.code },
      ];
      const limitOf = (s: Sent): number =>
        handshake(s.call.bitRate ?? 14400, s.pageBytes.length).seconds +
        (s.pageBytes.reduce((a, b) => a + b, 0) * 8) / (s.call.bitRate ?? 14400);
      for (const s of sent) console.log(report(s, limitOf).join('\n'));
      const h = handshake(lpCall.bitRate ?? 14400, 3);
      console.log(`handshake used in the limit: ${h.seconds.toFixed(2)} s = ${h.parts}`);
      const ratio = lpCall.durationSeconds / efCall.durationSeconds;
      const ofLimit = lpCall.durationSeconds / limitOf(sent[0]!);
      console.log(
        `lpfax/efax call time: ${ratio.toFixed(3)} (goal ≤ 0.80: ${ratio <= 0.8 ? 'met' : 'NOT met'})`,
      );
      console.log(`lpfax/limit: ${ofLimit.toFixed(3)} (goal ≤ 1.15: ${ofLimit <= 1.15 ? 'met' : 'NOT met'})`);
      const bytesRatio =
        sent[0]!.pageBytes.reduce((a, b) => a + b, 0) / sent[1]!.pageBytes.reduce((a, b) => a + b, 0);
      console.log(`lpfax/efax bytes on the line: ${bytesRatio.toFixed(3)}`);
      console.log("lpfax's modem operations (seconds from ATD, duration):");
      console.log(modemTimeline(lp.lines).join('\n'));

      const ecm = await sendLpfax(sim.devicePath, pdf, config, ['--resolution', 'fine']);
      const ecmCall = await sim.nextCall();
      const coded = lpfaxCodedPageBytes(ecm.lines);
      const total = coded.reduce((a, b) => a + b, 0);
      console.log(
        `lpfax with ECM: exit ${ecm.code}, far end ${ecmCall.outcome} ${ecmCall.pages} pages, ${ecmCall.bitRate} bit/s ${ecmCall.coding?.toUpperCase()} ${ecmCall.resolution}${ecmCall.ecm ? ' ECM' : ''}`,
      );
      console.log(
        `  call ${ecmCall.durationSeconds.toFixed(2)} s; coded bytes per page ${coded.join(', ')} (total ${total}), ${lpfaxEcmFrames(ecm.lines)} ECM frames sent; page data ${((total * 8) / (ecmCall.bitRate ?? 1)).toFixed(2)} s at ${ecmCall.bitRate} bit/s`,
      );
      console.log(
        `  ECM call / non-ECM lpfax call: ${(ecmCall.durationSeconds / lpCall.durationSeconds).toFixed(3)}; / efax call: ${(ecmCall.durationSeconds / efCall.durationSeconds).toFixed(3)}`,
      );
      console.log("lpfax's modem operations with ECM (seconds from ATD, duration):");
      console.log(modemTimeline(ecm.lines).join('\n'));
    } finally {
      await sim.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--noise-sweep')) await noiseSweep(process.argv);
else await compare();
