/**
 * lib/users: the web page's users file. scrypt hashes (node:crypto), file mode 0600 whatever the
 * umask, whole-file rewrites, and `lpfax user add` reading the password from stdin.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsersFile, checkPassword, hashPassword } from '../../lib/users/index.js';

const FAST = { N: 1024, r: 8, p: 1 };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-users-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('hashes with scrypt and a fresh salt, and checks with the stored cost', async () => {
  const a = await hashPassword('correct horse', FAST);
  const b = await hashPassword('correct horse', FAST);
  expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
  expect(a).not.toBe(b);
  expect(await checkPassword('correct horse', a)).toBe(true);
  expect(await checkPassword('correct horsE', a)).toBe(false);
  expect(await checkPassword('correct horse', 'plain')).toBe(false);
});

it('adds, verifies, lists and removes users in a 0600 file', async () => {
  const path = join(dir, 'users');
  const users = new UsersFile(path, FAST);
  const umask = process.umask(0o022);
  try {
    await users.add('ann', 'front desk 1', { admin: true });
    await users.add('bob', 'bobs password');
  } finally {
    process.umask(umask);
  }
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const text = readFileSync(path, 'utf8');
  expect(text).not.toContain('front desk 1');
  expect(text.split('\n')[0]).toMatch(/^ann:admin:scrypt\$/);
  expect(users.list()).toEqual([
    { name: 'ann', admin: true },
    { name: 'bob', admin: false },
  ]);
  expect(await users.verify('ann', 'front desk 1')).toEqual({ name: 'ann', admin: true });
  expect(await users.verify('ann', 'bobs password')).toBeNull();
  expect(await users.verify('nobody', 'front desk 1')).toBeNull();
  await expect(users.add('ann', 'another one')).rejects.toMatchObject({ kind: 'exists' });
  await users.add('ann', 'another one', { replace: true });
  expect(await users.verify('ann', 'another one')).toEqual({ name: 'ann', admin: false });
  users.remove('bob');
  expect(users.list().map((u) => u.name)).toEqual(['ann']);
  expect(() => users.remove('bob')).toThrow(expect.objectContaining({ kind: 'no-such-user' }));
});

it('refuses bad names, short passwords and a damaged file', async () => {
  const users = new UsersFile(join(dir, 'bad'), FAST);
  await expect(users.add('a:b', 'long enough')).rejects.toMatchObject({ kind: 'bad-name' });
  await expect(users.add('../x', 'long enough')).rejects.toMatchObject({ kind: 'bad-name' });
  await expect(users.add('carl', 'short')).rejects.toMatchObject({ kind: 'bad-password' });
  expect(users.list()).toEqual([]);
  writeFileSync(join(dir, 'bad'), 'carl:admin\n');
  expect(() => users.list()).toThrow(expect.objectContaining({ kind: 'unreadable' }));
});

it('lpfax user add --password-stdin writes the file named by LPFAX_USERS', () => {
  const path = join(dir, 'cli-users');
  const lpfax = new URL('../../dist/bin/lpfax.js', import.meta.url).pathname;
  const env = { ...process.env, LPFAX_USERS: path, LPFAX_CONFIG: '' };
  const out = execFileSync('node', [lpfax, 'user', 'add', 'dora', '--admin', '--password-stdin'], {
    env,
    input: 'dora s secret\n',
    encoding: 'utf8',
  });
  expect(out).toBe(`Added admin user dora in ${path}\n`);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(execFileSync('node', [lpfax, 'user', 'list'], { env, encoding: 'utf8' })).toBe('dora\tadmin\n');
  return expect(new UsersFile(path).verify('dora', 'dora s secret')).resolves.toEqual({
    name: 'dora',
    admin: true,
  });
});
