/**
 * lib/modem/line-share.ts with real lock files: a sender that finds the lock held leaves a send
 * request while it waits and removes it when it gives up; with the service's in-call mark it
 * waits for the call (telling why: "Line busy: receiving a fax") and fails as LineBusyError only
 * after receiveWaitMs; a request or mark of a dead process counts for nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireUucpLock,
  LineBusyError,
  markReceiving,
  openForSending,
  receivingFile,
  sendRequested,
  sendRequestFile,
  waitForLineFree,
} from '../../lib/modem/index.js';

let dir: string;
let device: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-share-'));
  device = join(dir, 'ttyFAKE');
  await writeFile(device, '');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a sender asks for a held line while it waits, and takes the request back when it gives up', async () => {
  const lock = await acquireUucpLock(device, { lockDir: dir });
  try {
    const request = await sendRequestFile(device, { lockDir: dir });
    const opening = openForSending(device, { lockDir: dir, waitMs: 1500 });
    const seen = new Promise<boolean>((resolve) =>
      setTimeout(async () => resolve(await sendRequested(device, { lockDir: dir })), 700),
    );
    await expect(opening).rejects.toMatchObject({ kind: 'locked', pid: process.pid });
    await expect(opening).rejects.not.toBeInstanceOf(LineBusyError);
    expect(await seen).toBe(true);
    expect(existsSync(request)).toBe(false);
  } finally {
    await lock.release();
  }
});

test('a line marked as in a call: the sender waits past waitMs, says why once, and takes the line once the call is over', async () => {
  const lock = await acquireUucpLock(device, { lockDir: dir });
  await markReceiving(device, true, { lockDir: dir });
  const told: string[] = [];
  let settled = false;
  const opening = openForSending(device, { lockDir: dir, waitMs: 300, onWait: (t) => told.push(t) });
  opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  try {
    await new Promise((r) => setTimeout(r, 1200));
    expect([settled, told]).toEqual([
      false,
      [`Line busy: receiving a fax on ${device}; waiting for it to end.`],
    ]);
    expect(await sendRequested(device, { lockDir: dir })).toBe(true);
  } finally {
    await markReceiving(device, false, { lockDir: dir });
    await lock.release();
  }
  // Past the lock: the port itself is opened (a plain file here, which is no serial port).
  await expect(opening).rejects.not.toMatchObject({ kind: 'locked' });
  expect(existsSync(await sendRequestFile(device, { lockDir: dir }))).toBe(false);
});

test('a reception longer than receiveWaitMs: the sender leaves the job to a retry with LineBusyError', async () => {
  const lock = await acquireUucpLock(device, { lockDir: dir });
  await markReceiving(device, true, { lockDir: dir });
  try {
    await expect(
      openForSending(device, { lockDir: dir, waitMs: 5000, receiveWaitMs: 300 }),
    ).rejects.toBeInstanceOf(LineBusyError);
  } finally {
    await markReceiving(device, false, { lockDir: dir });
    await lock.release();
  }
  expect(existsSync(await receivingFile(device, { lockDir: dir }))).toBe(false);
});

test('a request of a dead process is removed; the line is free once no one asks and no one holds it', async () => {
  const request = await sendRequestFile(device, { lockDir: dir });
  await writeFile(request, '    999999\n'); // no such process
  expect(await sendRequested(device, { lockDir: dir })).toBe(false);
  expect(existsSync(request)).toBe(false);
  await writeFile(request, `${String(process.pid).padStart(10)}\n`);
  expect(await sendRequested(device, { lockDir: dir })).toBe(true);
  const free = waitForLineFree(device, { lockDir: dir });
  let done = false;
  void free.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 600));
  expect(done).toBe(false);
  await rm(request);
  await free;
});
