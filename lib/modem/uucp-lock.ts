/**
 * UUCP lock files, so lpfax, minicom, a getty or a second job never share one modem.
 * Convention (FHS §5.9, HDB UUCP): `<lockdir>/LCK..<device basename>` holding the owner's PID as
 * ten right-aligned ASCII digits and a newline. A lock whose PID no longer lives is stale.
 */
import { existsSync, unlinkSync } from 'node:fs';
import { link, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ModemError } from './errors.js';

export interface UucpLockOptions {
  /** Lock directory; default `$LPFAX_LOCK_DIR`, else /var/lock (lib/config passes LockDir: the file wins). */
  lockDir?: string;
}

export function lockDirectory(options: UucpLockOptions = {}): string {
  return options.lockDir ?? process.env.LPFAX_LOCK_DIR ?? '/var/lock';
}

/** The lock file of a device, named after the real device (a /dev/serial/by-id link resolves). */
export async function lockFilePath(devicePath: string, options: UucpLockOptions = {}): Promise<string> {
  let real = devicePath;
  try {
    real = await realpath(devicePath);
  } catch {
    // A device that does not exist yet still has a lock name.
  }
  return join(lockDirectory(options), `LCK..${basename(real)}`);
}

/** HDB format: "%10d\n". */
export function formatLockPid(pid: number): string {
  return `${String(pid).padStart(10, ' ')}\n`;
}

/** Reads the PID of a lock file: HDB ASCII, or the old binary 4-octet form. */
export function parseLockPid(content: Buffer): number | undefined {
  const text = content.toString('latin1').trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (content.length === 4) return content.readInt32LE(0);
  return undefined;
}

/** True when a process with this PID exists (EPERM means it exists under another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live PID holding the device's lock, or undefined (no lock, or a stale one). */
export async function lockOwner(
  devicePath: string,
  options: UucpLockOptions = {},
): Promise<number | undefined> {
  try {
    const pid = parseLockPid(await readFile(await lockFilePath(devicePath, options)));
    return pid !== undefined && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Locks left behind by a process exit would block the modem until someone notices: remove them. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const file of held) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    }
  });
}

export class UucpLock {
  private released = false;
  constructor(readonly file: string) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    try {
      await unlink(this.file);
    } catch {
      // Already removed (by an operator, or a stale-lock sweep): nothing to release.
    }
  }

  get isHeld(): boolean {
    return !this.released && existsSync(this.file);
  }
}

/**
 * Creates the device's lock, atomically: the PID is written to a private file which is then
 * hard-linked to the lock name (link fails if the name exists, even over NFS). A stale lock is
 * removed and the attempt repeated; a live one fails with kind 'locked' and its PID.
 */
export async function acquireUucpLock(devicePath: string, options: UucpLockOptions = {}): Promise<UucpLock> {
  const file = await lockFilePath(devicePath, options);
  const tmp = join(lockDirectory(options), `LTMP.${process.pid}.${Math.random().toString(36).slice(2, 10)}`);
  try {
    await writeFile(tmp, formatLockPid(process.pid), { mode: 0o644 });
  } catch (e) {
    throw new ModemError('lock-failed', `cannot write in the lock directory ${lockDirectory(options)}`, {
      cause: e,
    });
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(tmp, file);
        held.add(file);
        installExitHook();
        return new UucpLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ModemError('lock-failed', `cannot create the lock ${file}`, { cause: e });
        }
      }
      let pid: number | undefined;
      try {
        pid = parseLockPid(await readFile(file));
      } catch {
        continue; // Removed between link and read: try again.
      }
      if (pid !== undefined && pidAlive(pid)) {
        throw new ModemError('locked', `${devicePath} is in use by process ${pid} (lock ${file})`, { pid });
      }
      try {
        await unlink(file); // Stale: its owner is dead, or it holds no PID.
      } catch {
        // Someone else removed it first.
      }
    }
    throw new ModemError('locked', `${devicePath}: could not take the lock ${file}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
