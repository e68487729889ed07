/**
 * Runs the built backend (dist/backend/fax.js) exactly as cupsd does (CUPS backend(7)): argv
 * `fax JOB-ID USER TITLE COPIES OPTIONS [FILE]`, a nearly empty environment with DEVICE_URI, and
 * — when the tests run as root, as in CI — as user lp, with the files it needs made reachable.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const backendPath = new URL('../../dist/backend/fax.js', import.meta.url).pathname;
const asRoot = process.getuid?.() === 0;

function lpUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('lp:'));
  const [, , uid, gid] = line!.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The user cupsd runs the backend as: lp when we are root, else ourselves. */
export const backendUser = asRoot ? lpUser() : undefined;

const sandboxes: string[] = [];

/** A folder the backend's user may write: state, locks, temp files, config. */
export function sandbox(prefix = 'lpfax-backend-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  sandboxes.push(dir);
  chmodSync(dir, 0o755);
  if (backendUser) chownSync(dir, backendUser.uid, backendUser.gid);
  return dir;
}

/** Removes every folder sandbox() made (call from afterAll). */
export function removeSandboxes(): void {
  for (const dir of sandboxes.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Lets the backend's user open the simulated modem's pty (cupsd's lp is in group dialout). */
export function shareDevice(path: string): void {
  if (asRoot) chmodSync(path, 0o666);
}

export function writeConfig(dir: string, text: string): string {
  const file = join(dir, 'lpfax.conf');
  // A test's sent records go to its own archive, never the system's /var/spool/lpfax.
  const spool = /^SpoolDir:/m.test(text)
    ? ''
    : `${text === '' || text.endsWith('\n') ? '' : '\n'}SpoolDir: ${dir}/spool\n`;
  writeFileSync(file, text + spool, { mode: 0o644 });
  return file;
}

export interface BackendRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  lines: string[];
  stdout: string;
  /** Lines with this prefix, without it: `of('INFO')`. */
  of(prefix: string): string[];
}

export interface BackendOptions {
  args: string[];
  deviceUri?: string;
  env?: Record<string, string>;
  stdin?: Buffer;
  /** Sends SIGTERM once a stderr line matches. */
  killWhen?: RegExp;
  timeoutMs?: number;
}

export function runBackend(options: BackendOptions): Promise<BackendRun & { killedAfterMs?: number }> {
  if (!existsSync(backendPath)) throw new Error(`${backendPath} is missing: run npm run build`);
  const env: Record<string, string> = {
    PATH: '/usr/lib/cups/filter:/usr/bin:/usr/sbin:/bin',
    ...(options.deviceUri ? { DEVICE_URI: options.deviceUri } : {}),
    CONTENT_TYPE: 'application/pdf',
    PRINTER: 'Fax',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [backendPath, ...options.args], {
      env,
      argv0: 'Fax',
      uid: backendUser?.uid,
      gid: backendUser?.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let killedAt: number | undefined;
    let exitedAt: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.killWhen && killedAt === undefined && options.killWhen.test(stderr)) {
        killedAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    child.on('error', reject);
    child.on('exit', () => (exitedAt = Date.now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.split('\n').filter((l) => l !== '');
      resolve({
        code,
        signal,
        lines,
        stdout,
        of: (prefix) =>
          lines.filter((l) => l.startsWith(`${prefix}: `)).map((l) => l.slice(prefix.length + 2)),
        killedAfterMs: killedAt !== undefined && exitedAt !== undefined ? exitedAt - killedAt : undefined,
      });
    });
  });
}
