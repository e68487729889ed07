import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModemError } from '../../lib/modem/errors.js';
import {
  acquireUucpLock,
  formatLockPid,
  lockFilePath,
  lockOwner,
  parseLockPid,
} from '../../lib/modem/uucp-lock.js';

let dir: string;
let lockDir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-uucp-'));
  lockDir = join(dir, 'lock');
  await import('node:fs/promises').then((fs) => fs.mkdir(lockDir));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The PID of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

async function failure(p: Promise<unknown>): Promise<ModemError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModemError);
  return e as ModemError;
}

test('HDB format: ten right-aligned digits and a newline; the old binary form is read too', () => {
  expect(formatLockPid(4242)).toBe('      4242\n');
  expect(parseLockPid(Buffer.from('      4242\n'))).toBe(4242);
  const bin = Buffer.alloc(4);
  bin.writeInt32LE(777);
  expect(parseLockPid(bin)).toBe(777);
  expect(parseLockPid(Buffer.from('garbage'))).toBeUndefined();
});

test('created with our PID, named after the real device, removed on release', async () => {
  await writeFile(join(dir, 'ttyUSB3'), '');
  await symlink(join(dir, 'ttyUSB3'), join(dir, 'usb-Acme-if00'));
  const lock = await acquireUucpLock(join(dir, 'usb-Acme-if00'), { lockDir });
  expect(lock.file).toBe(join(lockDir, 'LCK..ttyUSB3'));
  expect(await readFile(lock.file, 'latin1')).toBe(formatLockPid(process.pid));
  expect(await lockOwner(join(dir, 'ttyUSB3'), { lockDir })).toBe(process.pid);
  await lock.release();
  await lock.release();
  expect(await readdir(lockDir)).toEqual([]);
});

test('a live owner (another process) makes it a typed locked error with its PID', async () => {
  const owner = spawn('sleep', ['30']);
  try {
    const file = await lockFilePath('/dev/ttyS7', { lockDir });
    await writeFile(file, formatLockPid(owner.pid!));
    const e = await failure(acquireUucpLock('/dev/ttyS7', { lockDir }));
    expect(e.kind).toBe('locked');
    expect(e.pid).toBe(owner.pid);
    expect(await readFile(file, 'latin1')).toBe(formatLockPid(owner.pid!));
  } finally {
    owner.kill();
  }
});

test.each([
  ['a dead PID', async () => formatLockPid(await deadPid())],
  ['garbage', async () => 'not a pid'],
])('a stale lock holding %s is replaced', async (_name, content) => {
  const file = await lockFilePath('/dev/ttyS8', { lockDir });
  await writeFile(file, await content());
  expect(await lockOwner('/dev/ttyS8', { lockDir })).toBeUndefined();
  const lock = await acquireUucpLock('/dev/ttyS8', { lockDir });
  expect(await readFile(file, 'latin1')).toBe(formatLockPid(process.pid));
  await lock.release();
});

test('LPFAX_LOCK_DIR overrides /var/lock; a missing lock directory is lock-failed', async () => {
  process.env.LPFAX_LOCK_DIR = lockDir;
  try {
    const lock = await acquireUucpLock('/dev/ttyS9');
    expect(lock.file).toBe(join(lockDir, 'LCK..ttyS9'));
    await lock.release();
  } finally {
    delete process.env.LPFAX_LOCK_DIR;
  }
  expect((await failure(acquireUucpLock('/dev/ttyS9', { lockDir: join(dir, 'missing') }))).kind).toBe(
    'lock-failed',
  );
});
