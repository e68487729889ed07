/**
 * lpfax's own users file (issue 16): who may log in to the web page. One line per user, like
 * /etc/shadow:
 *
 *   NAME:FLAGS:scrypt$N$r$p$SALT$HASH
 *
 * FLAGS is `admin` or empty; SALT and HASH are base64. The file is 0600 and rewritten whole
 * (a private temporary file renamed over it), so a reader never sees half a change.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { chmodSync, chownSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface User {
  readonly name: string;
  readonly admin: boolean;
}

export type UsersErrorKind = 'bad-name' | 'bad-password' | 'exists' | 'no-such-user' | 'unreadable';

export class UsersError extends Error {
  constructor(
    readonly kind: UsersErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'UsersError';
  }
}

/** OWASP's scrypt floor (N=2^17, r=8, p=1): ~0.2 s and 128 MiB per check. */
const COST = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;

function scrypt(password: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost = COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await scrypt(password, Buffer.from(parts[4], 'base64'), { N, r, p });
  return timingSafeEqual(key, expected);
}

interface Entry extends User {
  readonly hash: string;
}

function parse(text: string, path: string): Entry[] {
  const entries: Entry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name, flags, hash, ...rest] = line.split(':');
    if (rest.length > 0 || hash === undefined || !NAME.test(name))
      throw new UsersError('unreadable', `${path} line ${i + 1} is not NAME:FLAGS:HASH`);
    entries.push({ name, admin: flags.split(',').includes('admin'), hash });
  }
  return entries;
}

/** The users file; each call reads it afresh, so `lpfax user add` needs no restart of the page. */
export class UsersFile {
  constructor(
    readonly path: string,
    /** scrypt cost (tests use a lower one); checks always use the cost stored with the hash. */
    private readonly cost = COST,
  ) {}

  private read(): Entry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new UsersError('unreadable', `cannot read ${this.path} (${(e as NodeJS.ErrnoException).code})`);
    }
    return parse(text, this.path);
  }

  /**
   * Rewrites the file. It keeps its owner; a new file gets `owner` (root making the file for the
   * service user, who reads it), else the writer's.
   */
  private write(entries: Entry[], owner?: { uid: number; gid: number }): void {
    let keep = owner;
    try {
      const old = statSync(this.path);
      keep = { uid: old.uid, gid: old.gid };
    } catch {
      // A new file.
    }
    const tmp = join(dirname(this.path), `.${process.pid}.users.tmp`);
    rmSync(tmp, { force: true });
    writeFileSync(tmp, entries.map((e) => `${e.name}:${e.admin ? 'admin' : ''}:${e.hash}\n`).join(''), {
      mode: 0o600,
      flag: 'wx',
    });
    chmodSync(tmp, 0o600);
    if (keep && process.getuid?.() === 0) chownSync(tmp, keep.uid, keep.gid);
    renameSync(tmp, this.path);
  }

  list(): User[] {
    return this.read().map(({ name, admin }) => ({ name, admin }));
  }

  find(name: string): User | undefined {
    return this.list().find((u) => u.name === name);
  }

  /** Adds a user, or with `replace` sets an existing user's password and flag. */
  async add(
    name: string,
    password: string,
    options: { admin?: boolean; replace?: boolean; owner?: { uid: number; gid: number } } = {},
  ): Promise<User> {
    if (!NAME.test(name))
      throw new UsersError('bad-name', `"${name}" is not a user name (letters, digits, . _ @ -, up to 64)`);
    if ([...password].length < MIN_PASSWORD_LENGTH)
      throw new UsersError(
        'bad-password',
        `the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
      );
    const hash = await hashPassword(password, this.cost);
    const entries = this.read();
    const at = entries.findIndex((e) => e.name === name);
    if (at >= 0 && !options.replace) throw new UsersError('exists', `user ${name} exists already`);
    const entry = { name, admin: options.admin ?? false, hash };
    if (at >= 0) entries[at] = entry;
    else entries.push(entry);
    this.write(entries, options.owner);
    return { name, admin: entry.admin };
  }

  remove(name: string): void {
    const entries = this.read();
    if (!entries.some((e) => e.name === name)) throw new UsersError('no-such-user', `no user ${name}`);
    this.write(entries.filter((e) => e.name !== name));
  }

  /** The user when the password is theirs, else null (an unknown name costs the same time). */
  async verify(name: string, password: string): Promise<User | null> {
    const entry = this.read().find((e) => e.name === name);
    if (!entry) {
      await hashPassword(password, this.cost);
      return null;
    }
    return (await checkPassword(password, entry.hash)) ? { name: entry.name, admin: entry.admin } : null;
  }
}
