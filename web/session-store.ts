/**
 * Sessions in memory, bounded: each lasts `maxAgeMs` from its last save, and past `maxSessions`
 * the oldest go first, so visitors who never log in (each login page view holds a CSRF secret)
 * cannot grow the process without end. A restart of the service logs everyone out.
 */
import type { Session } from 'fastify';

type Callback = (err?: Error | null) => void;
type GetCallback = (err: Error | null, session?: Session | null) => void;

export class BoundedSessionStore {
  private readonly sessions = new Map<string, { session: Session; expires: number }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxSessions = 10_000,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  set(id: string, session: Session, callback: Callback): void {
    this.sessions.delete(id); // re-inserted last: the Map's order is the eviction order
    this.sessions.set(id, { session, expires: Date.now() + this.maxAgeMs });
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    callback();
  }

  get(id: string, callback: GetCallback): void {
    const entry = this.sessions.get(id);
    if (entry && entry.expires <= Date.now()) {
      this.sessions.delete(id);
      return callback(null, null);
    }
    callback(null, entry ? entry.session : null);
  }

  destroy(id: string, callback: Callback): void {
    this.sessions.delete(id);
    callback();
  }
}
