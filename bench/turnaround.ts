/**
 * Receive turnaround: `npm run bench:turnaround` (or `node dist/bench/turnaround.js [--pages N]`).
 *
 * How fast a receiver answers a page: spandsp 0.0.6 (the simulated line's far end, `linesim
 * --send`) sends the same text pages (`man -t bash`, A4 fine, V.17 14400) to lpfax (`lpfax
 * receive`), without ECM and with it, and to efax (`efax -r`, which has no ECM) as the reference.
 * All at `--speed 1` (efax's needs). The far end's own T.30 log (linesim `--verbose`, line time in
 * ms) is the common clock, read the same way for every receiver; per page:
 *
 *   data end   the far end's page data is out (its carrier drops: the receiver's NO CARRIER)
 *   cmd end    its post-page command (MPS/EOP, or PPS-MPS/EOP with ECM) is out, T4 starts
 *   response   the receiver's response (MCF) has been received whole
 *
 * "cmd → response" is the receiver's turnaround plus the response's own V.21 preamble and frame
 * (about 1.1 s, the same modem for every receiver); "data → response" is the issue's figure, from
 * the end of the page's data to MCF, and adds the sender's command (about 1.1 s).
 *
 * For lpfax, its own verbose log also gives the host's part: from the modem's OK after the
 * command's frame (+FRH=3) to `AT+FRS` (decide, store the page and sync it), and to `AT+FTH=3`
 * (that, plus the 80 ms of silence T.30 §5.3.2 and T.31 +FRS ask for before a response).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchConfig, lpfaxBin, runTimed, startSim, textDocument, type TimedLine } from './harness.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const PAGES = Number(opt('--pages', '2'));
const RECEIVER_IDENT = '+0123456789';

/** One page's exchange as the far end logged it (seconds of line time). */
interface PageTimes {
  command: string;
  response: string;
  dataEnd: number;
  commandEnd: number;
  responseAt: number;
}

/** "00:01:02.345 FAR text" lines of linesim --verbose: the far end's T.30 log. */
function farEndLog(stderr: string): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?) FAR (.*)$/.exec(line);
    if (m) out.push({ t: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), text: m[4]! });
  }
  return out;
}

/**
 * Per page: the phase C → D change (its data is out), the first T4 started after (the command
 * is out), the next frame received with the final bit (the response).
 */
function pageTimes(stderr: string): PageTimes[] {
  const log = farEndLog(stderr);
  const pages: PageTimes[] = [];
  for (let i = 0; i < log.length; i++) {
    if (!/^Changing from phase T30_PHASE_C_(NON_)?ECM_TX to T30_PHASE_D_TX/.test(log[i]!.text)) continue;
    const dataEnd = log[i]!.t;
    let command = '?';
    let commandEnd: number | undefined;
    let j = i + 1;
    for (; j < log.length; j++) {
      const tx = /^Tx:\s+(\w+) with final frame tag/.exec(log[j]!.text);
      if (tx && commandEnd === undefined) command = tx[1]!;
      if (commandEnd === undefined && /^Start T4$/.test(log[j]!.text)) commandEnd = log[j]!.t;
      const rx = /^Rx:\s+(\w+) with final frame tag/.exec(log[j]!.text);
      if (rx && commandEnd !== undefined) {
        pages.push({ command, response: rx[1]!, dataEnd, commandEnd, responseAt: log[j]!.t });
        break;
      }
    }
    i = j;
  }
  return pages;
}

/** lpfax's --verbose lines "[ 14.799] < OK": seconds since it started, and the text. */
function lpfaxLog(lines: TimedLine[]): { t: number; text: string }[] {
  return lines.flatMap((l) => {
    const m = /^\[\s*(\d+\.\d+)\] (.*)$/.exec(l.text);
    return m ? [{ t: Number(m[1]), text: m[2]! }] : [];
  });
}

/**
 * lpfax's host time per confirmed page: the OK that ends the post-page command's frame, then
 * AT+FRS (the page decided and stored) and AT+FTH=3 (the response's transmission asked for).
 */
function lpfaxHostTimes(lines: TimedLine[]): { toFrs: number; toFth: number }[] {
  const log = lpfaxLog(lines);
  const out: { toFrs: number; toFth: number }[] = [];
  for (let i = 0; i < log.length; i++) {
    // The post-page command: MPS/EOP/EOM (4f/2f/8f with the X bit: 4e…) or PPS (be/bf).
    const ev = /^event \{"type":"frameReceived","frame":"ff 13 (4[ef]|2[ef]|8[ef]|b[ef])\b/.exec(
      log[i]!.text,
    );
    if (!ev) continue;
    // Back to the modem's OK that delivered it.
    let ok = i - 1;
    while (ok > 0 && log[ok]!.text !== '< OK') ok--;
    const frs = log.findIndex((l, k) => k > i && l.text === '> AT+FRS=8');
    const fth = log.findIndex((l, k) => k > i && l.text === '> AT+FTH=3');
    const mcf = log.findIndex(
      (l, k) => k > i && /^action \{"type":"sendFrames","frames":\["ff 13 8c"\]/.test(l.text),
    );
    if (frs < 0 || fth < 0 || mcf < 0 || fth < mcf) continue;
    out.push({ toFrs: log[frs]!.t - log[ok]!.t, toFth: log[fth]!.t - log[ok]!.t });
  }
  return out;
}

const ms = (s: number) => `${Math.round(s * 1000)}`.padStart(5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : NaN;
};

interface Row {
  receiver: string;
  pages: PageTimes[];
  host?: { toFrs: number; toFth: number }[];
  outcome: string;
}

async function receiveOnce(
  name: string,
  tiff: string,
  ecm: boolean,
  work: string,
  receiver: 'lpfax' | 'efax',
): Promise<Row> {
  const out = await mkdtemp(path.join(work, `${name.replace(/\W+/g, '-')}-`));
  const sim = await startSim(
    ['--speed', '1', '--send', tiff, '--ring-after', '0.5', '--modems', 'v17', '--ecm', ecm ? 'on' : 'off',
      '--verbose', '--out-dir', out], // prettier-ignore
    { captureStderr: true },
  );
  try {
    const run =
      receiver === 'lpfax'
        ? await runTimed(
            process.execPath,
            [lpfaxBin, 'receive', '--device', sim.devicePath, '--once', '--rings', '1', '--output', out,
              '--json', '--verbose'], // prettier-ignore
            { LPFAX_CONFIG: await benchConfig(out, { LocalIdentifier: RECEIVER_IDENT }) },
          )
        : await runTimed('efax', ['-d', sim.devicePath, '-o1', '-l', RECEIVER_IDENT, '-v', 'ewinchrmf', '-r',
            path.join(out, 'rx')]); // prettier-ignore
    const call = await sim.nextCall(60_000);
    return {
      receiver: name,
      pages: pageTimes(sim.stderr()),
      host: receiver === 'lpfax' ? lpfaxHostTimes(run.lines) : undefined,
      outcome: `${call.outcome}, ${call.pages} of ${PAGES} pages confirmed, ${call.bitRate} bit/s, ${call.coding}, ECM ${call.ecm}; receiver exit ${run.code}`,
    };
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'lpfax-bench-turnaround-'));
  try {
    const pdf = await textDocument(work, PAGES);
    // One multi-page TIFF-F (MH, 204×196, A4) for the far end to send.
    const tiff = path.join(work, 'doc.tif');
    execFileSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg3', '-r204x196', '-g1728x2292',
      '-dFIXEDMEDIA', '-dPDFFitPage', `-sOutputFile=${tiff}`, pdf]); // prettier-ignore
    await writeFile(path.join(work, 'README'), 'bench/turnaround.ts scratch\n');
    const rows: Row[] = [];
    for (const [name, ecm, receiver] of [
      ['lpfax, no ECM', false, 'lpfax'],
      ['efax, no ECM', false, 'efax'],
      ['lpfax, ECM', true, 'lpfax'],
    ] as const) {
      process.stderr.write(`${name} …\n`);
      rows.push(await receiveOnce(name, tiff, ecm, work, receiver));
    }
    console.log(
      `Receive turnaround, ${PAGES} pages of text (A4 fine, V.17 14400) from spandsp 0.0.6 over linesim --speed 1;`,
    );
    console.log(
      "ms of line time from the far end's log (data end, its command's end, the response received):\n",
    );
    console.log('receiver        page  command  response  data→cmd  cmd→response  data→response');
    for (const r of rows) {
      r.pages.forEach((p, i) =>
        console.log(
          `${r.receiver.padEnd(15)} ${String(i + 1).padStart(4)}  ${p.command.padEnd(7)}  ${p.response.padEnd(8)}  ` +
            `${ms(p.commandEnd - p.dataEnd).padStart(8)}  ${ms(p.responseAt - p.commandEnd).padStart(12)}  ` +
            `${ms(p.responseAt - p.dataEnd).padStart(14)}`,
        ),
      );
    }
    console.log('\nmedian cmd→response (ms):');
    for (const r of rows)
      console.log(
        `  ${r.receiver.padEnd(15)} ${ms(median(r.pages.map((p) => p.responseAt - p.commandEnd)))}   (${r.outcome})`,
      );
    console.log('\nlpfax host time per page (ms, its own log): command frame received → AT+FRS → AT+FTH=3');
    for (const r of rows.filter((x) => x.host))
      console.log(
        `  ${r.receiver.padEnd(15)} ${r.host!.map((h) => `${ms(h.toFrs).trim()} → ${ms(h.toFth).trim()}`).join(', ')}`,
      );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
