/**
 * Running the Ghostscript command line safely.
 *
 * - Always -dSAFER (no file access beyond what is named on the command line or permitted),
 *   -dBATCH -dNOPAUSE (never waits for a key), -q (no banner).
 * - Ghostscript's stdout and stderr are pipes to us: nothing it prints reaches the backend's stdout.
 * - A watchdog kills the process with SIGKILL when a step makes no progress for `timeoutMs`
 *   (a PostScript `{} loop` never ends by itself). Ghostscript is spawned directly, without a
 *   shell, so killing it leaves no other process behind; those still running when Node exits are
 *   killed too.
 * - Optional uid/gid: Ghostscript runs as that user (libuv also drops the supplementary groups).
 * - GS_OPTIONS from the environment is cleared, so no one adds options behind our back.
 */
import { execa, type ResultPromise } from 'execa';
import { rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { RasterError } from './errors.js';

export interface GhostscriptOptions {
  /** The Ghostscript executable; default `gs` from PATH. */
  readonly executable?: string;
  /** Kill Ghostscript when it makes no progress for this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly uid?: number;
  readonly gid?: number;
  /** Working directory, also Ghostscript's TMPDIR (its own temporary files land there). */
  readonly cwd?: string;
  /** What the step does, for messages: "rendering the pages". */
  readonly step: string;
  /** Ghostscript's stderr as it arrives (latin1). */
  readonly onStderr?: (text: string) => void;
  /** Read stdout as a stream (`stdout`) instead of collecting it. */
  readonly streamStdout?: boolean;
  /** Give Ghostscript a pipe as stdin (written with `answer`), instead of none. */
  readonly stdinPipe?: boolean;
}

/** Options every Ghostscript run gets. */
export const SAFE_ARGS: readonly string[] = ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE'];

/** Keep at most this much of Ghostscript's stderr (the tail is what explains a failure). */
const STDERR_LIMIT = 64 * 1024;

/**
 * Text as a PostScript hex string `<…>` of its ISO Latin-1 bytes (the tagline and the cover page
 * re-encode their fonts so): job text never becomes PostScript code (PLRM §3.2.2). Characters
 * outside Latin-1 become '?', control characters a blank.
 */
export function postScriptHexString(text: string): string {
  const latin1 = Uint8Array.from(Array.from(text), (ch) => {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0x20;
    return code <= 0xff ? code : 0x3f;
  });
  return `<${Buffer.from(latin1).toString('hex')}>`;
}

/**
 * Running Ghostscript processes: killed if this Node process exits first, so none is orphaned
 * (execa's `cleanup` does so too; this does not depend on it). A backend must still turn SIGTERM
 * (how cupsd cancels a job) into an abort, or exit on it: Node runs no exit handler for a signal.
 */
const running = new Set<GhostscriptProcess>();
/** Work folders in use: removed if this Node process exits first (process.exit, an uncaught error). */
const workFolders = new Set<string>();
process.once('exit', () => {
  for (const gs of running) gs.kill();
  for (const folder of workFolders) rmSync(folder, { recursive: true, force: true });
});

/** Create a private work folder (mode 0700) under `parent`, owned by the Ghostscript user if given. */
export async function makeWorkFolder(
  parent: string,
  prefix: string,
  owner: { uid?: number; gid?: number },
): Promise<string> {
  let folder: string | undefined;
  try {
    folder = await mkdtemp(path.join(parent, prefix));
    workFolders.add(folder);
    if (owner.uid !== undefined || owner.gid !== undefined) {
      await chown(folder, owner.uid ?? -1, owner.gid ?? -1);
    }
    return folder;
  } catch (error) {
    if (folder) await removeWorkFolder(folder);
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RasterError('unreadable', `No private work folder could be made in ${parent} (${code}).`);
  }
}

export async function removeWorkFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  workFolders.delete(folder);
}

/** One Ghostscript process, with a progress watchdog (which can be held), and a typed outcome. */
export class GhostscriptProcess {
  /** Resolves with stdout when Ghostscript exits with status 0; rejects with a RasterError. */
  readonly finished: Promise<string>;
  private readonly child: ResultPromise;
  private watchdog: NodeJS.Timeout | undefined;
  private held = false;
  private exited = false;
  private timedOut = false;
  private stderrTail = '';

  constructor(
    args: readonly string[],
    private readonly options: GhostscriptOptions,
  ) {
    this.child = execa(options.executable ?? 'gs', [...args], {
      reject: false,
      stdin: options.stdinPipe ? 'pipe' : 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: { stdout: !options.streamStdout, stderr: false },
      maxBuffer: { stdout: 16 * 1024 * 1024 },
      cancelSignal: options.signal,
      killSignal: 'SIGKILL',
      uid: options.uid,
      gid: options.gid,
      cwd: options.cwd,
      env: { GS_OPTIONS: '', ...(options.cwd ? { TMPDIR: options.cwd } : {}) },
    });
    this.child.stderr?.setEncoding('latin1');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_LIMIT);
      options.onStderr?.(chunk);
    });
    running.add(this);
    this.touch();
    this.finished = this.child.then((result) => {
      this.exited = true;
      running.delete(this);
      this.stopWatchdog();
      const stdout = typeof result.stdout === 'string' ? result.stdout : '';
      if (!result.failed) return stdout;
      throw this.failure(result);
    });
    // The caller may never await `finished` (it abandons the job): that must not crash Node.
    this.finished.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ghostscript's stdout, when `streamStdout` is set. */
  get stdout(): NodeJS.ReadableStream {
    return this.child.stdout!;
  }

  /** Writes the one line Ghostscript waits for on its stdin (`stdinPipe`), and closes it. */
  answer(line: string): void {
    const stdin = this.child.stdin;
    if (!stdin || this.exited) return;
    stdin.on('error', () => undefined); // Ghostscript may already have stopped: its exit says why
    stdin.end(`${line}\n`);
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Progress was made: restart the watchdog. */
  touch(): void {
    this.stopWatchdog();
    if (this.exited || this.held) return;
    this.watchdog = setTimeout(() => {
      this.timedOut = true;
      this.kill();
    }, this.options.timeoutMs);
  }

  /**
   * We stop reading Ghostscript's output while the caller catches up: Ghostscript then blocks
   * writing to the full pipe, which is no fault of its own, so the watchdog waits too.
   */
  hold(): void {
    this.held = true;
    this.stopWatchdog();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.touch();
  }

  kill(): void {
    if (!this.exited) this.signalChild('SIGKILL');
  }

  private signalChild(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // The process has just exited.
    }
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private failure(result: {
    isCanceled: boolean;
    isMaxBuffer: boolean;
    exitCode?: number;
    signal?: string;
    cause?: unknown;
  }): RasterError {
    const detail = this.stderrTail.trim() || undefined;
    const { step } = this.options;
    if (result.isCanceled) return new RasterError('cancelled', `The fax job was cancelled while ${step}.`);
    if (this.timedOut) {
      const seconds = Math.round(this.options.timeoutMs / 1000);
      return new RasterError(
        'timeout',
        `Ghostscript made no progress ${step} for ${seconds} s and was stopped; the document may never end.`,
        detail,
      );
    }
    const code = (result.cause as { code?: unknown } | undefined)?.code;
    if (result.exitCode === undefined && result.signal === undefined && typeof code === 'string') {
      return new RasterError(
        'ghostscript-missing',
        `Ghostscript (${this.options.executable ?? 'gs'}) could not be started (${code}); is it installed?`,
      );
    }
    if (result.isMaxBuffer) {
      return new RasterError('unreadable', `Ghostscript produced too much output ${step}.`, detail);
    }
    const reason = firstErrorLine(this.stderrTail);
    return new RasterError(
      'unreadable',
      `The document could not be read: Ghostscript failed ${step}${reason ? ` (${reason})` : ''}.`,
      detail,
    );
  }
}

/** The most telling line of Ghostscript's messages, e.g. "Error: /syntaxerror in --token--". */
function firstErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /error/i.test(l)) ?? lines[0];
  // eslint-disable-next-line no-control-regex
  return line?.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 160);
}

/** Run a Ghostscript step to its end and return its stdout. */
export async function runGhostscript(args: readonly string[], options: GhostscriptOptions): Promise<string> {
  return new GhostscriptProcess(args, options).finished;
}
