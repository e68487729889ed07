/**
 * Runs TSB-85 sender cases: for each case a tsb85tester (the scripted far end of a
 * simulated line, test/conformance/src) and the sender under test on the tester's pty.
 *
 * ```ts
 * const cases = senderCases(await loadTsb85(process.env.LPFAX_TSB85_XML!));
 * const results = await runCases(cases, { sender: EFAX, speed: 4, parallel: 2 });
 * console.log(formatTable(results));
 * ```
 *
 * A case passes when the tester's script ran to its end (every frame matched, every
 * timeout kept) and the sender's own outcome (exit status) is the one the case implies
 * (tsb85.ts expectedOutcome).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  caseFile,
  dependsOnSenderTimers,
  receiverExpected,
  withTxPages,
  documentsOf,
  expectedOutcome,
  flatSteps,
  pagesOf,
  statusOf,
  withBranch,
  type ExpectedOutcome,
  type TestCase,
} from './tsb85.js';
import { makePages, type TestPages } from './pages.js';
import { applyDeviations } from './deviations.js';

/** test/conformance; table.sh runs a compiled copy elsewhere and names the folder. */
const here = process.env.LPFAX_CONFORMANCE_DIR ?? dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

/**
 * The sender under test as a command template. In args, `{device}` is the pty,
 * `{number}` the number to dial, `{files}` expands to one argument per page file and
 * `{file}` is one multi-page TIFF of everything to send, and `{documents}` expands to one
 * multi-page TIFF per document (cases with SET TXFILE send two documents in one call,
 * separated by EOM).
 */
export interface SenderTemplate {
  name: string;
  command: string;
  args: string[];
  /** Added to the sender's environment (e.g. LPFAX_CONFIG). */
  env?: Record<string, string>;
}

/** Debian's efax: Class 1, TSI "+0123456789" (the ident MTGN01/MTGN02 expect), verbose log. */
export const EFAX: SenderTemplate = {
  name: 'efax',
  command: 'efax',
  args: ['-d', '{device}', '-o1', '-l', '+0123456789', '-v', 'ewinchrmf', '-t', 'T{number}', '{files}'],
};

/**
 * lpfax's own sender, once dist/bin/lpfax.js has `send`. With 64-octet ECM frames: T.30 A.1.3
 * leaves 256 or 64 to the sender, and the ECM cases (OTEN) are scripted for 64 (their partial
 * pages end where 256 frames of 64 octets do: OTEN01's first page takes two). The frame size
 * matters only with ECM, which only the OTEN cases' DIS offer.
 */
export const LPFAX: SenderTemplate = {
  name: 'lpfax',
  command: process.execPath,
  args: [
    join(here, '../../dist/bin/lpfax.js'),
    'send',
    '--device',
    '{device}',
    '--to',
    '{number}',
    '--ident',
    '+0123456789',
    '--ecm-frame-size',
    '64',
    '--verbose',
    '{documents}',
  ],
};

export interface RunOptions {
  sender: SenderTemplate;
  /** The sender of one case, when cases of several senders share one run (default: sender). */
  senderFor?: (c: TestCase) => SenderTemplate;
  /** Simulated seconds per wall second. */
  speed?: number;
  parallel?: number;
  /** Folder for case files and logs; default a new temporary folder. */
  workDir?: string;
  /** Called after each case. */
  onResult?: (r: CaseResult) => void;
}

export interface CaseResult {
  name: string;
  /** The sender's name (SenderTemplate.name). */
  sender: string;
  group: string;
  pass: boolean;
  /** Why it failed, or a note on a pass. */
  reason: string;
  /** The line's speed factor this case ran at. */
  speed: number;
  /** Steps opened to the choices T.30 allows (deviations.ts). */
  deviations: string[];
  /** The step (1-based, as in the XML) where the tester stopped, if it failed there. */
  step: number | null;
  /** The main-script step at which the sender took an alternative branch (deviations.ts), if it did. */
  branch: number | null;
  expected: ExpectedOutcome;
  status: string | undefined;
  senderExit: number | string | null;
  simSeconds: number | null;
  wallSeconds: number;
  testerLog: string;
  senderLog: string;
}

interface TesterVerdict {
  case: string;
  verdict: 'pass' | 'fail';
  step: number | null;
  stepText: string | null;
  reason: string;
  simSeconds: number;
  hangupMs: number | null;
  branch?: number | null;
}

/** Page data the host must deliver, at most, in bit/s of wall-clock time (see runOne). */
const MAX_HOST_BPS = 19200;

function highestRate(c: TestCase): number {
  const rates = flatSteps(c.nodes).map((s) => Number(/\/(\d+)$/.exec(s.attrs.modem ?? '')?.[1] ?? 0));
  return Math.max(2400, ...rates);
}

export async function buildTester(): Promise<string> {
  await run('sh', [join(here, 'build.sh')]);
  return join(here, 'build', 'tsb85tester');
}

export function senderArgs(
  t: SenderTemplate,
  device: string,
  number: string,
  pages: string[],
  doc: string,
  documents: string[] = [doc],
): string[] {
  return t.args.flatMap((a) =>
    a === '{files}'
      ? pages
      : a === '{documents}'
        ? documents
        : [a.replace('{device}', device).replace('{number}', number).replace('{file}', doc)],
  );
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    if (child.signalCode !== null) return resolve(child.signalCode);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function runOne(
  binary: string,
  c: TestCase,
  pages: TestPages,
  o: Required<RunOptions>,
  senderT: SenderTemplate,
): Promise<CaseResult> {
  const started = Date.now();
  const stem = join(o.workDir, `${c.name}.${senderT.name}`);
  const casePath = `${stem}.case`;
  const testerLog = `${stem}.tester.log`;
  const senderLog = `${stem}.log`;
  const { testCase: deviated, notes } = applyDeviations(c);
  await writeFile(casePath, caseFile(deviated));
  let expected = expectedOutcome(c);
  // The sender's T.30 timers run in wall-clock time: cases that wait on them run at real speed.
  // Elsewhere the host must feed page data at the line's rate times the speed factor; above
  // MAX_HOST_BPS a sender's underrun would corrupt rows, a fault of the speed-up, not the sender's.
  const speed = dependsOnSenderTimers(c) ? 1 : Math.min(o.speed, MAX_HOST_BPS / highestRate(c));
  const tester = spawn(binary, ['--case', casePath, '--speed', String(speed), '--max-seconds', '120'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tester.stderr!.pipe(createWriteStream(testerLog));
  const lines = createInterface({ input: tester.stdout! });
  const iter = lines[Symbol.asyncIterator]();
  const first = await iter.next();
  const device = String(first.value ?? '');
  const verdictP: Promise<TesterVerdict | undefined> = (async () => {
    for (let r = await iter.next(); !r.done; r = await iter.next()) {
      try {
        return JSON.parse(r.value) as TesterVerdict;
      } catch {
        /* not a verdict line */
      }
    }
    return undefined;
  })();
  // ECM cases count partial pages, which needs the pages' full length (pages.ts).
  const full = c.group === 'OTEN';
  const docPages = await Promise.all(pagesOf(c).map((p) => pages.document([p], full)));
  const doc = await pages.document(pagesOf(c), full);
  const documents = await Promise.all(documentsOf(c).map((d) => pages.document(d, full)));
  const sender = spawn(senderT.command, senderArgs(senderT, device, '5551234', docPages, doc, documents), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...senderT.env },
  });
  const out = createWriteStream(senderLog);
  sender.stdout!.pipe(out, { end: false });
  sender.stderr!.pipe(out, { end: false });
  const senderExit = exitOf(sender);

  // The verdict comes when the script ends, fails, or the call ends; a sender that
  // exits without ever calling leaves only its exit.
  const caseLimitMs = (600 * 1000) / speed;
  let verdict = await within(
    Promise.race([verdictP, senderExit.then(() => within(verdictP, 3000))]),
    caseLimitMs,
  );
  const branch = verdict && verdict !== 'timeout' ? (verdict.branch ?? null) : null;
  // Down an alternative branch the call ends differently (MTGN28: the page sent again gets MCF).
  if (branch !== null) expected = expectedOutcome(withBranch(deviated, branch));
  let exit: number | string | null = null;
  if (verdict && verdict !== 'timeout' && verdict.verdict === 'pass' && expected !== 'unchecked') {
    // The sender's outcome matters: let it finish its side of the call (its own timers run in wall time).
    const e = await within(senderExit, 90_000);
    exit = e === 'timeout' ? 'hung' : e;
  } else {
    const e = await within(senderExit, 1000);
    exit = e === 'timeout' ? null : e;
  }
  if (sender.exitCode === null && sender.signalCode === null) sender.kill('SIGTERM');
  // A cancelled sender sends DCN, hangs up and removes its temporary files: give it time
  // (cupsd gives a backend 30 s, JobKillDelay) before SIGKILL leaves them behind.
  await within(senderExit, 10_000);
  if (sender.exitCode === null && sender.signalCode === null) sender.kill('SIGKILL');
  tester.kill('SIGTERM');
  if ((await within(exitOf(tester), 3000)) === 'timeout') tester.kill('SIGKILL');
  if (verdict === 'timeout') verdict = undefined;

  const base = {
    name: c.name,
    sender: senderT.name,
    group: c.group,
    expected,
    status: statusOf(c),
    senderExit: exit,
    deviations: notes,
    branch,
    speed,
    simSeconds: verdict?.simSeconds ?? null,
    wallSeconds: (Date.now() - started) / 1000,
    testerLog,
    senderLog,
  };
  if (!verdict)
    return { ...base, pass: false, step: null, reason: 'no verdict from the tester (case timed out)' };
  if (verdict.verdict === 'fail') return { ...base, pass: false, step: verdict.step, reason: verdict.reason };
  if (expected === 'delivered' && exit !== 0) {
    return {
      ...base,
      pass: false,
      step: null,
      reason: `script passed, but the sender exited ${exit} although every page was confirmed`,
    };
  }
  if (expected === 'not-delivered' && (exit === 0 || exit === 'hung')) {
    return {
      ...base,
      pass: false,
      step: null,
      reason:
        exit === 0
          ? 'script passed, but the sender reported success for an unconfirmed document'
          : 'the sender never exited',
    };
  }
  return { ...base, pass: true, step: null, reason: verdict.reason };
}

/**
 * Run the cases, `parallel` at a time, in the given order (results in that order). Most of a
 * case's time is waiting on the line at real speed, not CPU: see README.md, Speed.
 */
export async function runCases(cases: TestCase[], options: RunOptions): Promise<CaseResult[]> {
  const o: Required<RunOptions> = {
    speed: 4,
    parallel: 2,
    workDir: options.workDir ?? (await mkdtemp(join(tmpdir(), 'tsb85-'))),
    onResult: () => {},
    ...options,
  } as Required<RunOptions>;
  await mkdir(o.workDir, { recursive: true });
  const binary = await buildTester();
  const pages = await makePages(o.workDir);
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runOne(binary, cases[i], pages, o, o.senderFor?.(cases[i]) ?? o.sender);
      o.onResult(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  return results;
}

export function formatTable(results: CaseResult[]): string {
  // Cases of several senders in one table are named sender:case.
  const mixed = new Set(results.map((r) => r.sender)).size > 1;
  const label = (r: CaseResult): string => (mixed ? `${r.sender}:${r.name}` : r.name);
  const width = Math.max(10, ...results.map((r) => label(r).length));
  const rows = results.map(
    (r) =>
      `${label(r).padEnd(width)} ${(r.pass ? 'pass' : 'FAIL').padEnd(5)} ${String(r.senderExit ?? '-').padEnd(5)} ` +
      `${(Math.round(r.speed * 100) / 100).toString().padStart(5)} ${(r.simSeconds?.toFixed(1) ?? '-').padStart(6)}  ` +
      `${r.step !== null ? `step ${r.step}: ` : ''}${r.reason}` +
      `${r.branch !== null ? ` (alternative taken at step ${r.branch})` : ''}`,
  );
  const notes = results
    .filter((r) => r.deviations.some((d) => !d.includes('on hook')))
    .map((r) => `  ${label(r)}: ${r.deviations.filter((d) => !d.includes('on hook')).join('; ')}`);
  const passed = results.filter((r) => r.pass).length;
  return [
    `${'case'.padEnd(width)} ${'verdict'.padEnd(5)} exit  speed  sim s  reason`,
    ...rows,
    ...(notes.length ? ['choices T.30 allows, accepted (deviations.ts):', ...notes] : []),
    `${passed} passed, ${results.length - passed} failed`,
  ].join('\n');
}

// ---- receiver cases (MRGN, ORGC, OREN, MRGX): the tester calls, the DUT answers and receives ----

/**
 * The receiver under test as a command template. In args, `{device}` is the pty and `{output}`
 * a folder of the case's own for what the receiver stores. The receiver must answer the
 * tester's RING (ATA) and end with exit status 0 when it received a document whose every page
 * was confirmed (tsb85.ts receiverExpected).
 */
export interface ReceiverTemplate {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Debian's efax receiving (`-r`): CSI "+0123456789" (the ident MRGN01 expects), verbose log. */
export const EFAX_RECEIVER: ReceiverTemplate = {
  name: 'efax',
  command: 'efax',
  args: ['-d', '{device}', '-o1', '-l', '+0123456789', '-v', 'ewinchrmf', '-r', '{output}/rx'],
};

/**
 * lpfax's receiver (`lpfax receive`): one call on the pty, answered at the first RING. Its
 * station id (the CSI MRGN01 checks: "+0123456789") is LocalIdentifier in lpfax-receiver.conf.
 */
export const LPFAX_RECEIVER: ReceiverTemplate = {
  name: 'lpfax',
  command: process.execPath,
  args: [
    join(here, '../../dist/bin/lpfax.js'),
    'receive',
    '--device',
    '{device}',
    '--once',
    '--rings',
    '1',
    '--output',
    '{output}',
    '--json',
    // The modem dialogue and the T.30 actions into the case's log, for reading a failure.
    '--verbose',
  ],
  // The station id the cases expect in CSI (MRGN01: "+0123456789").
  env: { LPFAX_CONFIG: join(here, 'lpfax-receiver.conf') },
};

export interface ReceiverRunOptions {
  receiver: ReceiverTemplate;
  speed?: number;
  parallel?: number;
  workDir?: string;
  onResult?: (r: CaseResult) => void;
}

export function receiverArgs(t: ReceiverTemplate, device: string, output: string): string[] {
  return t.args.map((a) => a.replace('{device}', device).replace('{output}', output));
}

async function runReceiverOne(
  binary: string,
  c: TestCase,
  pages: TestPages,
  o: Required<ReceiverRunOptions>,
): Promise<CaseResult> {
  const started = Date.now();
  const r = o.receiver;
  const stem = join(o.workDir, `${c.name}.${r.name}`);
  const casePath = `${stem}.case`;
  const testerLog = `${stem}.tester.log`;
  const dutLog = `${stem}.log`;
  const output = `${stem}.rx`;
  await mkdir(output, { recursive: true, mode: 0o700 });
  // ECM partial pages are counted (OREN): they get A4-long pages, like the sender's OTEN cases.
  const full = c.group === 'OREN';
  const paths = {
    white: await pages.document(['white'], full),
    impress: await pages.document(['impress'], full),
    stairstep: await pages.document(['stairstep'], full),
    error: await pages.document(['error'], full),
  };
  await writeFile(casePath, caseFile(withTxPages(c, (p) => paths[p])));
  const expected: ExpectedOutcome = receiverExpected(c) === 'received' ? 'delivered' : 'unchecked';
  // The receiver's T.30 timers run in wall-clock time: cases that wait on them run at real speed.
  const speed = dependsOnSenderTimers(c) ? 1 : Math.min(o.speed, MAX_HOST_BPS / highestRate(c));
  const tester = spawn(
    binary,
    ['--case', casePath, '--call', '--ring-after', '0.2', '--speed', String(speed), '--max-seconds', '150'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  tester.stderr!.pipe(createWriteStream(testerLog));
  const lines = createInterface({ input: tester.stdout! });
  const iter = lines[Symbol.asyncIterator]();
  const first = await iter.next();
  const device = String(first.value ?? '');
  const verdictP: Promise<TesterVerdict | undefined> = (async () => {
    for (let l = await iter.next(); !l.done; l = await iter.next()) {
      try {
        return JSON.parse(l.value) as TesterVerdict;
      } catch {
        /* not a verdict line */
      }
    }
    return undefined;
  })();
  const dut = spawn(r.command, receiverArgs(r, device, output), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...r.env },
  });
  const out = createWriteStream(dutLog);
  dut.stdout!.pipe(out, { end: false });
  dut.stderr!.pipe(out, { end: false });
  const dutExit = exitOf(dut);

  const caseLimitMs = (600 * 1000) / speed;
  let verdict = await within(
    Promise.race([verdictP, dutExit.then(() => within(verdictP, 3000))]),
    caseLimitMs,
  );
  let exit: number | string | null = null;
  if (verdict && verdict !== 'timeout' && verdict.verdict === 'pass' && expected !== 'unchecked') {
    const e = await within(dutExit, 90_000);
    exit = e === 'timeout' ? 'hung' : e;
  } else {
    const e = await within(dutExit, 3000);
    exit = e === 'timeout' ? null : e;
  }
  if (dut.exitCode === null && dut.signalCode === null) dut.kill('SIGTERM');
  await within(dutExit, 10_000);
  if (dut.exitCode === null && dut.signalCode === null) dut.kill('SIGKILL');
  tester.kill('SIGTERM');
  if ((await within(exitOf(tester), 3000)) === 'timeout') tester.kill('SIGKILL');
  if (verdict === 'timeout') verdict = undefined;

  const base = {
    name: c.name,
    sender: r.name,
    group: c.group,
    expected,
    status: statusOf(c),
    senderExit: exit,
    deviations: [],
    branch: null,
    speed,
    simSeconds: verdict?.simSeconds ?? null,
    wallSeconds: (Date.now() - started) / 1000,
    testerLog,
    senderLog: dutLog,
  };
  if (!verdict)
    return { ...base, pass: false, step: null, reason: 'no verdict from the tester (case timed out)' };
  if (verdict.verdict === 'fail') return { ...base, pass: false, step: verdict.step, reason: verdict.reason };
  if (expected === 'delivered' && exit !== 0) {
    return {
      ...base,
      pass: false,
      step: null,
      reason: `script passed, but the receiver exited ${exit} although it confirmed every page and EOP`,
    };
  }
  return { ...base, pass: true, step: null, reason: verdict.reason };
}

/** Run receiver cases (the tester calls the receiver), `parallel` at a time, results in order. */
export async function runReceiverCases(
  cases: TestCase[],
  options: ReceiverRunOptions,
): Promise<CaseResult[]> {
  const o: Required<ReceiverRunOptions> = {
    speed: 4,
    parallel: 2,
    workDir: options.workDir ?? (await mkdtemp(join(tmpdir(), 'tsb85-rx-'))),
    onResult: () => {},
    ...options,
  } as Required<ReceiverRunOptions>;
  await mkdir(o.workDir, { recursive: true });
  const binary = await buildTester();
  const pages = await makePages(o.workDir);
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runReceiverOne(binary, cases[i], pages, o);
      o.onResult(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  return results;
}
