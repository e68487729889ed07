/**
 * Shared parts of the line and backend benchmarks: the simulated line (test/linesim's binary, run
 * directly because dist/ has no copy of test/), timed child processes and the test document.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The repository (this file runs as dist/bench/harness.js). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const lpfaxBin = join(repoRoot, 'dist/bin/lpfax.js');
export const backendBin = join(repoRoot, 'dist/backend/fax.js');

/** Our station identity (TSI) for both senders, and the number dialled. */
export const IDENT = '+1 555 0100';
export const NUMBER = '5551234';

/** One JSON line of linesim (test/linesim/README.md), the fields the benchmarks read. */
export interface SimCall {
  outcome: string;
  pages: number;
  completionCode: number | null;
  completionText: string | null;
  bitRate: number | null;
  resolution: string | null;
  coding: string | null;
  ecm: boolean | null;
  durationSeconds: number;
  wallSeconds: number;
  /** The received TIFF (far end receiving), else null. */
  tiff: string | null;
}

export interface Sim {
  devicePath: string;
  nextCall(timeoutMs?: number): Promise<SimCall>;
  stop(): Promise<void>;
  /** What linesim wrote on stderr so far (with `captureStderr`; else it goes to ours). */
  stderr(): string;
}

/** Builds (if needed) and starts test/linesim/build/linesim with these options. */
export async function startSim(args: string[], options: { captureStderr?: boolean } = {}): Promise<Sim> {
  execFileSync(join(repoRoot, 'test/linesim/build.sh'), { stdio: 'ignore' });
  const child = spawn(join(repoRoot, 'test/linesim/build/linesim'), args, {
    stdio: ['ignore', 'pipe', options.captureStderr ? 'pipe' : 'inherit'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => (stderr += s));
  const calls: SimCall[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  let devicePath: string | undefined;
  const ready = new Promise<string>((resolve, reject) => {
    child.on('exit', () => {
      exited = true;
      wake?.();
      reject(new Error('linesim exited before its pty line'));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (devicePath === undefined) resolve((devicePath = line.trim()));
      else {
        calls.push(JSON.parse(line) as SimCall);
        wake?.();
      }
    });
  });
  const path = await ready;
  return {
    devicePath: path,
    async nextCall(timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      while (calls.length === 0) {
        if (exited) throw new Error('linesim exited');
        if (Date.now() > deadline) throw new Error('no call report from linesim');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000);
        });
      }
      return calls.shift()!;
    },
    stderr: () => stderr,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** A line a child wrote (stdout or stderr), with milliseconds since the child started. */
export interface TimedLine {
  ms: number;
  text: string;
}

export interface TimedRun {
  code: number | null;
  lines: TimedLine[];
  seconds: number;
}

/** Runs a command, timestamping each output line as it arrives. */
export function runTimed(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  onLine?: (line: TimedLine, pid: number) => void,
  user?: { uid: number; gid: number },
): Promise<TimedRun> {
  const start = performance.now();
  const child = spawn(command, args, {
    env: user ? env : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: user?.uid,
    gid: user?.gid,
  });
  const lines: TimedLine[] = [];
  const collect = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (text) => {
      const line = { ms: performance.now() - start, text };
      lines.push(line);
      onLine?.(line, child.pid!);
    });
  collect(child.stdout!);
  collect(child.stderr!);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines, seconds: (performance.now() - start) / 1000 }));
  });
}

/**
 * A PDF of `pages` pages of dense text: the bash manual page (`man -t bash`) from page 1, or, when
 * man or groff is missing, generated PostScript text pages.
 */
export async function textDocument(dir: string, pages: number, name = 'doc'): Promise<string> {
  const pdf = join(dir, `${name}.pdf`);
  const ps = join(dir, `${name}.ps`);
  const man = await execa('man', ['-t', 'bash'], {
    reject: false,
    stripFinalNewline: false,
    encoding: 'buffer',
  });
  if (man.exitCode === 0 && man.stdout.length > 100_000) {
    await execa('sh', ['-c', 'cat > "$1"', 'sh', ps], { input: man.stdout });
  } else {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(ps, generatedText(pages));
  }
  await execa('gs', [
    '-q',
    '-dSAFER',
    '-dBATCH',
    '-dNOPAUSE',
    '-sDEVICE=pdfwrite',
    '-sPAPERSIZE=a4',
    '-dFirstPage=1',
    `-dLastPage=${pages}`,
    `-sOutputFile=${pdf}`,
    ps,
  ]);
  if (!existsSync(pdf)) throw new Error('no document');
  return pdf;
}

/** Many pages fast: `pages` pages of generated text (for the long backend runs). */
export function generatedText(pages: number): string {
  return `%!PS
1 1 ${pages} { /n exch def
  /Helvetica-Bold findfont 14 scalefont setfont 72 770 moveto (Benchmark document, page ) show n 4 string cvs show
  /Times-Roman findfont 10 scalefont setfont
  0 1 55 { /l exch def 72 745 l 12 mul sub moveto
    (Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut ) show
    l 3 string cvs show } for
  showpage } for
`;
}

/** An lpfax.conf for benchmark runs: locks in `dir`, the given keys. */
export async function benchConfig(dir: string, keys: Record<string, string>): Promise<string> {
  const { writeFile } = await import('node:fs/promises');
  const file = join(dir, 'lpfax.conf');
  await writeFile(
    file,
    Object.entries({ LockDir: dir, ...keys })
      .map(([k, v]) => `${k}: "${v}"\n`)
      .join(''),
  );
  return file;
}

/** Page data sizes from lpfax's --verbose trace: `action {"type":"sendImage",…,"data":"<N octets>"}`. */
export function lpfaxPageBytes(lines: TimedLine[]): number[] {
  return lines
    .filter((l) => l.text.includes('"type":"sendImage"'))
    .map((l) => Number(/<(\d+) octets>/.exec(l.text)?.[1] ?? NaN));
}

/** Coded page sizes from lpfax's --verbose trace: `event {"type":"pageReady",…,"data":"<N octets>"}` (ECM too). */
export function lpfaxCodedPageBytes(lines: TimedLine[]): number[] {
  return lines
    .filter((l) => l.text.includes('"type":"pageReady"'))
    .map((l) => Number(/<(\d+) octets>/.exec(l.text)?.[1] ?? NaN));
}

/** ECM frames lpfax sent (FCD and RCP, first sends and retransmissions) from its --verbose trace. */
export function lpfaxEcmFrames(lines: TimedLine[]): number {
  return lines
    .filter((l) => l.text.includes('"type":"sendImageFrames"'))
    .reduce((n, l) => n + (l.text.match(/<\d+ octets>/g)?.length ?? 0), 0);
}

/** Page data sizes from efax's log: `sent 20+2291 lines, 63201+0 bytes, …`. */
export function efaxPageBytes(lines: TimedLine[]): number[] {
  return lines
    .map((l) => /sent \d+\+\d+ lines, (\d+)\+(\d+) bytes/.exec(l.text))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]) + Number(m[2]));
}

export async function sendLpfax(
  device: string,
  file: string,
  config: string,
  extra: string[] = [],
): Promise<{ code: number | null; lines: TimedLine[] }> {
  return runTimed(
    process.execPath,
    [
      lpfaxBin,
      'send',
      '--device',
      device,
      '--to',
      `Bench@${NUMBER}`,
      '--no-tagline',
      '--no-cover',
      '--verbose',
      ...extra,
      file,
    ],
    { LPFAX_CONFIG: config },
  );
}

export async function sendEfax(
  device: string,
  pages: string[],
): Promise<{ code: number | null; lines: TimedLine[] }> {
  return runTimed('efax', ['-d', device, '-o1', '-h', '', '-l', IDENT, '-v', 'ewin', '-t', NUMBER, ...pages]);
}

/** One TIFF-F (MH) file per page, as efax wants them, at 204×196 on the same A4 page as lpfax. */
export async function efaxPages(
  pdf: string,
  dir: string,
  resolution: 'fine' | 'standard' = 'fine',
): Promise<string[]> {
  const [dpi, rows] = resolution === 'fine' ? ['204x196', 2292] : ['204x98', 1146];
  await execa('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=tiffg3', `-r${dpi}`, `-g1728x${rows}`,
    '-dFIXEDMEDIA', '-dPDFFitPage', `-sOutputFile=${join(dir, 'efax-p%d.tif')}`, pdf]); // prettier-ignore
  const files = (await readdir(dir)).filter((f) => /^efax-p\d+\.tif$/.test(f));
  return files.sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6))).map((f) => join(dir, f));
}

/** test/linesim in pair mode: stdout lines 1 and 2 are ptys A and B, then one JSON line per call. */
export async function startPair(speed: number) {
  execFileSync(join(repoRoot, 'test/linesim/build.sh'), { stdio: 'ignore' });
  const child = spawn(join(repoRoot, 'test/linesim/build/linesim'), ['--pair', '--speed', String(speed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l.trim());
    wake?.();
  });
  const next = async (): Promise<string> => {
    for (let waited = 0; lines.length === 0; waited++) {
      if (waited > 600) throw new Error('no line from linesim');
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
    return lines.shift()!;
  };
  const devicePath = await next();
  const devicePathB = await next();
  return {
    devicePath,
    devicePathB,
    nextCall: async () => JSON.parse(await next()) as { durationSeconds?: number },
    stop: async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
