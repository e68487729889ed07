/**
 * Sharing one modem between the fax service (`lpfax serve`, answering) and the CUPS backend
 * (sending), so that the two never drive it at once. The UUCP lock (uucp-lock.ts) stays the one
 * rule: whoever holds `LCK..ttyX` owns the port. Beside it, two files in the lock directory:
 *
 * - `LCK..ttyX.send` — a send request: the backend found the lock held, writes its PID here and
 *   keeps trying the lock. The service, while it waits for a RING, looks for this file twice a
 *   second; it then stops waiting, closes the port (freeing the lock) and opens it again only
 *   once the request is gone and the lock is free. The backend takes the lock, removes its
 *   request and sends; the service waits for the lock to be released. (mgetty yields its line to
 *   a dial-out the same way, by watching the lock.)
 * - `LCK..ttyX.rx` — the service is in a call: from the RING it answers until the call is filed.
 *   It does not yield then. A sender that finds the lock held and this file live waits for the
 *   call to end (its status says "Line busy: receiving a fax"), keeping its send request, so the
 *   service yields as soon as it is back to waiting; only after RECEIVE_WAIT_MS of receptions
 *   does it give up with a LineBusyError, which CUPS retries (modem-locked is a retry,
 *   never a failure). The sender's decision follows the files, not how long a call lasts.
 *
 * A request whose PID is gone (a backend that was killed) is removed by the service.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { Class1Modem, type Class1OpenOptions } from './class1.js';
import { isModemError, ModemError } from './errors.js';
import {
  formatLockPid,
  lockFilePath,
  parseLockPid,
  pidAlive,
  lockOwner,
  type UucpLockOptions,
} from './uucp-lock.js';

/**
 * How long a sender keeps trying a lock held by a process that is not receiving (the service
 * yields within about a second; anything else holding the line for this long: 'locked').
 */
export const SHARE_WAIT_MS = 10_000;
/** How long a sender waits for receptions to end before it leaves the job to CUPS's retry. */
export const RECEIVE_WAIT_MS = 30 * 60_000;
const POLL_MS = 250;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function sendRequestFile(device: string, options: UucpLockOptions = {}): Promise<string> {
  return `${await lockFilePath(device, options)}.send`;
}

export async function receivingFile(device: string, options: UucpLockOptions = {}): Promise<string> {
  return `${await lockFilePath(device, options)}.rx`;
}

/** The lock is held by the fax service in a call: a sender must wait for the call to end. */
export class LineBusyError extends ModemError {
  readonly receiving = true;
}

async function livePid(file: string): Promise<number | undefined> {
  try {
    const pid = parseLockPid(await readFile(file));
    return pid !== undefined && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the modem for sending. When another process holds its lock, asks it to yield (a send
 * request) and keeps trying: for `waitMs` while the holder is not receiving, for as long as it
 * is receiving (up to `receiveWaitMs`, `onWait` told once per reception). Then fails with kind
 * 'locked' (a LineBusyError when the service was receiving a call).
 */
export async function openForSending(
  device: string,
  options: Class1OpenOptions & {
    waitMs?: number;
    receiveWaitMs?: number;
    /** The line is busy with a reception: the sender waits (a status for the user). */
    onWait?: (text: string) => void;
  } = {},
): Promise<Class1Modem> {
  const lockOptions = { lockDir: options.lockDir };
  const request = await sendRequestFile(device, lockOptions);
  const rx = await receivingFile(device, lockOptions);
  const waitMs = options.waitMs ?? SHARE_WAIT_MS;
  const giveUp = Date.now() + (options.receiveWaitMs ?? RECEIVE_WAIT_MS);
  let end = Date.now() + waitMs;
  let asked = false;
  let receiving = false;
  try {
    for (;;) {
      try {
        return await Class1Modem.open(device, options);
      } catch (e) {
        if (!isModemError(e) || e.kind !== 'locked') throw e;
        if (!asked) {
          // Asked before anything else, so that a service that is only waiting yields at once
          // and one that is receiving yields as soon as its call is filed.
          await writeFile(request, formatLockPid(process.pid), { mode: 0o644 }).catch(() => undefined);
          asked = true;
        }
        const inCall = (await livePid(rx)) !== undefined;
        if (inCall) {
          if (!receiving) options.onWait?.(`Line busy: receiving a fax on ${device}; waiting for it to end.`);
          // The wait for a yield starts again once the call is over.
          end = Date.now() + waitMs;
          if (Date.now() >= giveUp)
            throw new LineBusyError('locked', `${device} is receiving a fax`, { pid: e.pid });
        } else if (Date.now() >= end) {
          if (receiving) throw new LineBusyError('locked', `${device} is receiving a fax`, { pid: e.pid });
          throw e;
        }
        receiving = inCall;
        await sleep(POLL_MS);
      }
    }
  } finally {
    if (asked) await unlink(request).catch(() => undefined);
  }
}

/** For the service: is a sender waiting for this line? (A request of a dead process is removed.) */
export async function sendRequested(device: string, options: UucpLockOptions = {}): Promise<boolean> {
  const request = await sendRequestFile(device, options);
  try {
    const pid = parseLockPid(await readFile(request));
    if (pid !== undefined && pidAlive(pid)) return true;
    await unlink(request).catch(() => undefined);
    return false;
  } catch {
    return false;
  }
}

/** For the service: waits until no sender asks for the line and nobody holds its lock. */
export async function waitForLineFree(
  device: string,
  options: UucpLockOptions & { signal?: AbortSignal } = {},
): Promise<void> {
  while (!options.signal?.aborted) {
    if (!(await sendRequested(device, options)) && (await lockOwner(device, options)) === undefined) return;
    await sleep(POLL_MS);
  }
}

/** For the service: marks the line as in a call (or not), so senders say why they wait. */
export async function markReceiving(
  device: string,
  on: boolean,
  options: UucpLockOptions = {},
): Promise<void> {
  const file = await receivingFile(device, options);
  if (on) await writeFile(file, formatLockPid(process.pid), { mode: 0o644 }).catch(() => undefined);
  else await unlink(file).catch(() => undefined);
}
