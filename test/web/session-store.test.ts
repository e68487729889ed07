/** web/session-store: sessions expire, and past the bound the least recently saved go first. */
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from 'fastify';
import { BoundedSessionStore, sessionSecret } from '../../web/session-store.js';

const get = (store: BoundedSessionStore, id: string) =>
  new Promise<unknown>((resolve) => store.get(id, (_e, s) => resolve(s)));
const session = (n: number) => ({ n }) as unknown as Session;

it('keeps at most maxSessions, dropping the least recently saved', async () => {
  const store = new BoundedSessionStore(60_000, 3);
  for (const id of ['a', 'b', 'c']) store.set(id, session(1), () => undefined);
  store.set('a', session(2), () => undefined); // saved again: now the newest
  store.set('d', session(3), () => undefined);
  expect(store.size).toBe(3);
  expect(await get(store, 'b')).toBeNull();
  expect(await get(store, 'a')).toEqual({ n: 2 });
  store.destroy('a', () => undefined);
  expect(await get(store, 'a')).toBeNull();
});

it('forgets a session once its time is up', async () => {
  const store = new BoundedSessionStore(20);
  store.set('x', session(1), () => undefined);
  expect(await get(store, 'x')).toEqual({ n: 1 });
  await new Promise((r) => setTimeout(r, 40));
  expect(await get(store, 'x')).toBeNull();
  expect(store.size).toBe(0);
});

it('keeps sessions in a private file across a restart, the expired ones pruned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-sessions-'));
  try {
    const file = join(dir, 'web', 'sessions.json');
    const short = new BoundedSessionStore(20, 10, file);
    short.set('old', session(1), () => undefined);
    short.flush();
    const store = new BoundedSessionStore(60_000, 10, file);
    expect(store.size).toBe(1);
    store.set('live', session(2), () => undefined);
    await new Promise((r) => setTimeout(r, 40));
    store.flush(); // 'old' has expired by now
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'web')).mode & 0o777).toBe(0o700);
    const again = new BoundedSessionStore(60_000, 10, file);
    expect(again.size).toBe(1);
    expect(await get(again, 'live')).toEqual({ n: 2 });
    expect(await get(again, 'old')).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('writes the sessions file and the cookie secret 0600, never through a link or a left-over file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-session-links-'));
  try {
    const web = join(dir, 'web');
    const file = join(web, 'sessions.json');
    const outside = join(dir, 'outside');
    writeFileSync(outside, 'untouched', { mode: 0o644 });
    new BoundedSessionStore(60_000, 10, file).flush(); // makes the folder
    rmSync(file);
    symlinkSync(outside, file); // links where the file and (as it was named) its temp file go
    symlinkSync(outside, `${file}.new`);
    const store = new BoundedSessionStore(60_000, 10, file);
    store.set('s', { user: { name: 'ann', admin: false } } as unknown as Session, () => undefined);
    store.flush();
    expect(readFileSync(outside, 'utf8')).toBe('untouched');
    const saved = lstatSync(file);
    expect([saved.isFile(), saved.mode & 0o777]).toEqual([true, 0o600]);
    // A damaged secret left readable by others is replaced by a private one.
    const secretFile = join(web, 'session-secret');
    writeFileSync(secretFile, 'junk', { mode: 0o644 });
    chmodSync(secretFile, 0o644);
    const secret = sessionSecret(web);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(sessionSecret(web)).toBe(secret);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
