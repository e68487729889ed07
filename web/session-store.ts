/**
 * Sessions, bounded: each lasts `maxAgeMs` from its last save, and past `maxSessions` the oldest
 * go first, so visitors who never log in (each login page view holds a CSRF secret) cannot grow
 * the process without end. With a file (`<spool>/web/sessions.json`, 0600 in a 0700 folder) they
 * survive a restart of the service: written at most once a second after a change and when the
 * server closes, read back at start with the expired ones pruned. The cookie signing secret lives
 * beside it (`session-secret`, 0600), so the browser's cookie still verifies after the restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Session } from 'fastify';
import { privateDir, writePrivateFile } from '../lib/archive/index.js';

type Callback = (err?: Error | null) => void;
type GetCallback = (err: Error | null, session?: Session | null) => void;
interface Entry {
  session: Session;
  expires: number;
}

export class BoundedSessionStore {
  private readonly sessions = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxSessions = 10_000,
    /** Where sessions are kept across restarts; none: in memory only. */
    private readonly file: string | null = null,
  ) {
    if (file && existsSync(file)) {
      try {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as [string, Entry][];
        const now = Date.now();
        for (const [id, entry] of saved)
          if (typeof id === 'string' && typeof entry?.expires === 'number' && entry.expires > now)
            this.sessions.set(id, entry);
      } catch {
        // A damaged file logs everyone out; it is rewritten at the next change.
      }
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  set(id: string, session: Session, callback: Callback): void {
    this.sessions.delete(id); // re-inserted last: the Map's order is the eviction order
    this.sessions.set(id, { session, expires: Date.now() + this.maxAgeMs });
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.changed();
    callback();
  }

  get(id: string, callback: GetCallback): void {
    const entry = this.sessions.get(id);
    if (entry && entry.expires <= Date.now()) {
      this.sessions.delete(id);
      this.changed();
      return callback(null, null);
    }
    callback(null, entry ? entry.session : null);
  }

  destroy(id: string, callback: Callback): void {
    this.sessions.delete(id);
    this.changed();
    callback();
  }

  private changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), 1000);
    this.timer.unref();
  }

  /** Writes the live sessions to the file now (atomically: a new private temp file, then rename). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file) return;
    const now = Date.now();
    for (const [id, entry] of this.sessions) if (entry.expires <= now) this.sessions.delete(id);
    privateDir(dirname(this.file));
    writePrivateFile(this.file, JSON.stringify([...this.sessions]));
  }
}

/** The cookie signing secret kept in `folder` (0600), made once. */
export function sessionSecret(folder: string): string {
  const file = join(privateDir(folder), 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(secret)) return secret;
  }
  const secret = randomBytes(32).toString('hex');
  writePrivateFile(file, secret);
  return secret;
}
