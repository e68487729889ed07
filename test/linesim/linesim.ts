/**
 * A simulated phone line for tests: a pty that behaves as a Class 1 fax modem
 * (spandsp's T.31 modem), whose far end is a spandsp fax terminal.
 *
 * ```ts
 * const sim = await startLineSim({ speed: 2, modems: ['v29'] });
 * // open sim.devicePath as the modem, ATD123 …
 * const call = await sim.nextCall(60_000); // { outcome: 'completed', pages: 2, bitRate: 9600, tiff, … }
 * await sim.stop();
 * ```
 *
 * Each open of `devicePath` is a fresh modem; several calls may follow in one run.
 * See test/linesim/README.md for the options and the fields of a call.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type LineSimModem = 'v27ter' | 'v29' | 'v17';
export type LineSimResolution = 'standard' | 'fine' | 'superfine';
export type LineSimCoding = 'mh' | 'mr' | 'mmr';

export interface LineSimOptions {
  /** Folder for received TIFF files; default: a new temporary folder, removed by stop(). */
  outDir?: string;
  /** Keep the temporary folder after stop() (only matters without outDir). */
  keepOutDir?: boolean;
  /** Simulated seconds per wall second (default 1). efax copes with 4. */
  speed?: number;
  /** Also create this symlink to the pty. */
  link?: string;
  /** Pair mode: two pty modems on one line (A = devicePath, B = devicePathB) that dial each other. */
  pair?: boolean;
  /** Pair mode: symlink to the second pty. */
  linkB?: string;
  /** One-way audio delay on the line, in ms, rounded to 20 ms blocks (default 20). */
  lineDelayMs?: number;
  /** The far end calls in (RING) and sends this TIFF-F file when the host answers (ATA);
   *  several files are several documents, EOM between them. */
  send?: string | string[];
  /** Send mode: seconds from opening the pty to the first RING (default 1). */
  ringAfterSeconds?: number;
  /** Send mode: RINGs before the far end gives up (default 5). */
  rings?: number;
  /** Seconds of ringing before the far end answers a dialled call (default 2). */
  ringSeconds?: number;
  busy?: boolean;
  noAnswer?: boolean;
  noDialtone?: boolean;
  /** White noise on the line, in dBm0 (e.g. -40). */
  noiseDbm0?: number;
  /** A burst of loud noise (-10 dBm0) towards the far end, this many seconds after it answered. */
  burstAtSeconds?: number;
  /** How long the burst lasts, in ms (default 100). */
  burstMs?: number;
  hangupAfterSeconds?: number;
  /** The far end hangs up once page N is in, before confirming it. */
  hangupAfterPage?: number;
  modems?: LineSimModem[];
  resolutions?: LineSimResolution[];
  codings?: LineSimCoding[];
  /** Far-end ECM capability (default true). */
  ecm?: boolean;
  /** Far end offers subaddressing, DIS bit 49 (default false). */
  subaddress?: boolean;
  /** Receiver-not-ready answers from the far end (ECM). */
  rnr?: number;
  /** Extra delay each way between the host and the modem, in ms. */
  latencyMs?: number;
  /** Far-end local ident (CSI when it receives, TSI when it sends); default "LINESIM". */
  ident?: string;
  /** DC3/DC1 flow control towards the host (default 'xonxoff'). */
  flow?: 'xonxoff' | 'none';
  /** spandsp logs on the simulator's stderr (see LineSim.stderr()). */
  verbose?: boolean;
  /** Send mode: the ECM frame size the far end's DCS announces and its FCD frames carry (256). */
  ecmFrameSize?: 64 | 256;
  /** Send mode: the caller falls silent after the host's DIS (it never sends DCS). */
  noDcs?: boolean;
  /** Send mode: caller ID (`NUMBER` or `NUMBER,NAME`) shown before the second RING once AT+VCID=1. */
  callerId?: string;
}

export type LineSimOutcome =
  'completed' | 'failed' | 'busy' | 'no-answer' | 'no-dialtone' | 'far-end-hangup' | 'host-hangup';

/** One JSON line of the simulator: the far end's view of one call. */
export interface LineSimCall {
  call: number;
  /** 'dial': the host dialled (ATD); 'incoming': the far end called the host; 'pair': pair mode. */
  direction: 'dial' | 'incoming' | 'pair';
  /** Pair mode only: which pty dialled. */
  caller?: 'a' | 'b';
  number: string | null;
  outcome: LineSimOutcome;
  pages: number;
  /** spandsp T.30 completion code (t30.h T30_ERR_*), 0 = OK; null if no fax session started. */
  completionCode: number | null;
  completionText: string | null;
  bitRate: number | null;
  resolution: LineSimResolution | null;
  xResolution: number | null;
  yResolution: number | null;
  width: number | null;
  coding: LineSimCoding | null;
  ecm: boolean | null;
  /** The host's TSI (when it sends) or CSI (when it receives). */
  remoteIdent: string | null;
  /** The subaddress (SUB) the host sent, trimmed; null when none came. */
  subaddress: string | null;
  localIdent: string | null;
  /** Simulated line time from dialling (or the first RING) to the end of the fax session. */
  durationSeconds: number;
  wallSeconds: number;
  /** The received TIFF file (far end receiving), else null. */
  tiff: string | null;
  /** Incoming calls (far end sending): pages whose data and post-page command went out,
   *  confirmed or not (`pages` counts the confirmed ones); null otherwise. */
  pagesSent: number | null;
  /** Incoming calls: documents begun (EOM between them); null otherwise. */
  documents: number | null;
  /** Incoming calls: ECM frame size of the last DCS with ECM (64 or 256); null without ECM. */
  ecmFrameSize: 64 | 256 | null;
}

export type LineSimErrorKind = 'build-failed' | 'start-failed' | 'timeout' | 'exited';

export class LineSimError extends Error {
  constructor(
    readonly kind: LineSimErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LineSimError';
  }
}

export interface LineSim {
  /** The pty path, e.g. /dev/pts/3 (or use options.link). */
  readonly devicePath: string;
  /** Pair mode: the second pty. */
  readonly devicePathB?: string;
  readonly outDir: string;
  /** The next call report; rejects with kind 'timeout' or 'exited'. */
  nextCall(timeoutMs?: number): Promise<LineSimCall>;
  /** All call reports, until the simulator stops. */
  readonly calls: AsyncIterable<LineSimCall>;
  /** What the simulator wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, wait for the exit, remove the temporary outDir (see keepOutDir). */
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
export const lineSimBinary = join(here, 'build', 'linesim');

/** Build test/linesim/build/linesim if it is missing or older than its sources. */
export function buildLineSim(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(join(here, 'build.sh'), (err, _stdout, stderr) => {
      if (err) reject(new LineSimError('build-failed', `linesim build failed: ${stderr || err.message}`));
      else resolve(lineSimBinary);
    });
  });
}

function optionArgs(o: LineSimOptions, outDir: string): string[] {
  const a = ['--out-dir', outDir];
  const num = (flag: string, v: number | undefined) => v !== undefined && a.push(flag, String(v));
  const str = (flag: string, v: string | undefined) => v !== undefined && a.push(flag, v);
  num('--speed', o.speed);
  str('--link', o.link);
  if (o.pair) a.push('--pair');
  str('--link-b', o.linkB);
  num('--line-delay', o.lineDelayMs);
  for (const file of typeof o.send === 'string' ? [o.send] : (o.send ?? [])) a.push('--send', file);
  num('--ring-after', o.ringAfterSeconds);
  num('--rings', o.rings);
  num('--ring-seconds', o.ringSeconds);
  if (o.busy) a.push('--busy');
  if (o.noAnswer) a.push('--no-answer');
  if (o.noDialtone) a.push('--no-dialtone');
  num('--noise', o.noiseDbm0);
  num('--burst-at', o.burstAtSeconds);
  num('--burst-ms', o.burstMs);
  num('--hangup-after-seconds', o.hangupAfterSeconds);
  num('--hangup-after-page', o.hangupAfterPage);
  str('--modems', o.modems?.join(','));
  str('--resolutions', o.resolutions?.join(','));
  str('--codings', o.codings?.join(','));
  if (o.ecm !== undefined) a.push('--ecm', o.ecm ? 'on' : 'off');
  if (o.subaddress !== undefined) a.push('--subaddress', o.subaddress ? 'on' : 'off');
  num('--rnr', o.rnr);
  num('--latency', o.latencyMs);
  str('--ident', o.ident);
  str('--flow', o.flow);
  if (o.verbose) a.push('--verbose');
  num('--ecm-frame-size', o.ecmFrameSize);
  if (o.noDcs) a.push('--no-dcs');
  if (o.callerId !== undefined) a.push('--caller-id', o.callerId);
  return a;
}

/** Build if needed, start the simulator and wait for its pty. */
export async function startLineSim(options: LineSimOptions = {}): Promise<LineSim> {
  const binary = await buildLineSim();
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'linesim-')));
  const child = spawn(binary, optionArgs(options, outDir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrText = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderrText = (stderrText + s).slice(-200_000);
  });

  const queued: LineSimCall[] = [];
  const waiters: { resolve: (c: LineSimCall) => void; reject: (e: LineSimError) => void }[] = [];
  let exited = false;
  let devicePathResolve: (p: string[]) => void;
  let devicePathReject: (e: LineSimError) => void;
  const devicePaths = new Promise<string[]>((resolve, reject) => {
    devicePathResolve = resolve;
    devicePathReject = reject;
  });

  const lines = createInterface({ input: child.stdout! });
  const paths: string[] = [];
  const pathLines = options.pair ? 2 : 1;
  lines.on('line', (line) => {
    if (paths.length < pathLines) {
      paths.push(line.trim());
      if (paths.length === pathLines) devicePathResolve(paths);
      return;
    }
    let call: LineSimCall;
    try {
      call = JSON.parse(line) as LineSimCall;
    } catch {
      stderrText += `linesim: not a JSON line on stdout: ${line}\n`;
      return;
    }
    const w = waiters.shift();
    if (w) w.resolve(call);
    else queued.push(call);
  });
  const exitedPromise = new Promise<void>((resolve) => {
    // 'close', not 'exit': the last JSON lines are read by then.
    child.on('close', (code, signal) => {
      exited = true;
      const e = new LineSimError('exited', `linesim exited (${signal ?? code}): ${stderrText.slice(-2000)}`);
      devicePathReject(new LineSimError('start-failed', e.message));
      for (const w of waiters.splice(0)) w.reject(e);
      resolve();
    });
  });
  child.on('error', (err) => devicePathReject(new LineSimError('start-failed', err.message)));

  let path: string, pathB: string | undefined;
  try {
    [path, pathB] = await devicePaths;
  } catch (e) {
    if (options.outDir === undefined) await rm(outDir, { recursive: true, force: true });
    throw e;
  }

  function nextCall(timeoutMs = 120_000): Promise<LineSimCall> {
    const ready = queued.shift();
    if (ready) return Promise.resolve(ready);
    if (exited) return Promise.reject(new LineSimError('exited', 'linesim is not running'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (c: LineSimCall) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e: LineSimError) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new LineSimError('timeout', `no call report within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  }

  const calls: AsyncIterable<LineSimCall> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        try {
          yield await nextCall(2 ** 31 - 1);
        } catch (e) {
          if (e instanceof LineSimError && e.kind === 'exited') return;
          throw e;
        }
      }
    },
  };

  return {
    devicePath: path,
    devicePathB: pathB,
    outDir,
    nextCall,
    calls,
    stderr: () => stderrText,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exitedPromise;
        clearTimeout(killer);
      }
      if (options.outDir === undefined && !options.keepOutDir)
        await rm(outDir, { recursive: true, force: true });
    },
  };
}
