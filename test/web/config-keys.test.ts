/**
 * The web page's lpfax.conf keys (WEB_SETTINGS) reach what they control, and `lpfax serve`'s
 * hook (service/web.ts) starts the page on WebAddress:WebPort only once the users file exists.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaxArchive } from '../../lib/archive/index.js';
import { loadFaxSettings, SETTINGS, WEB_SETTINGS, type FaxSettings } from '../../lib/config/index.js';
import { UsersFile } from '../../lib/users/index.js';
import { startServiceWeb } from '../../service/web.js';

type Web = FaxSettings['web'];
const ROWS: Record<string, { line: string; check(w: Web): void }> = {
  UsersFile: { line: 'UsersFile: /srv/fax/users', check: (w) => expect(w.usersFile).toBe('/srv/fax/users') },
  WebAddress: { line: 'WebAddress: 192.168.1.20', check: (w) => expect(w.address).toBe('192.168.1.20') },
  WebPort: { line: 'WebPort: 8080', check: (w) => expect(w.port).toBe(8080) },
  WebInbox: { line: 'WebInbox: admins', check: (w) => expect(w.inbox).toBe('admins') },
  WebUploadLimit: { line: 'WebUploadLimit: 5', check: (w) => expect(w.uploadLimitMb).toBe(5) },
  WebTlsCertificate: {
    line: 'WebTlsCertificate: /etc/ssl/fax.pem',
    check: (w) => expect(w.tlsCertificate).toBe('/etc/ssl/fax.pem'),
  },
  WebTlsKey: { line: 'WebTlsKey: /etc/ssl/fax.key', check: (w) => expect(w.tlsKey).toBe('/etc/ssl/fax.key') },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-web-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settingsFrom(name: string, lines: string[], env: Record<string, string> = {}): FaxSettings {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, lines.join('\n') + '\n');
  const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf, ...env } });
  if (!loaded.ok) throw loaded.error;
  return loaded.value.settings;
}

it('every web key has a row here', () => {
  expect(WEB_SETTINGS.map((n) => SETTINGS[n].key).sort()).toEqual(Object.keys(ROWS).sort());
});

it('by default: 127.0.0.1:8631, /etc/lpfax/users, inbox for all, 20 MB, no TLS', () => {
  expect(settingsFrom('defaults', []).web).toEqual({
    usersFile: '/etc/lpfax/users',
    address: '127.0.0.1',
    port: 8631,
    inbox: 'all',
    uploadLimitMb: 20,
    tlsCertificate: '',
    tlsKey: '',
  });
});

describe.each(Object.entries(ROWS))('%s', (key, row) => {
  it('changes the web settings, as its row says', () => {
    const withKey = settingsFrom(key, [row.line]).web;
    row.check(withKey);
    expect(withKey).not.toEqual(settingsFrom(`${key}-base`, []).web);
  });
});

it('LPFAX_USERS stands in for the default users file; the file wins', () => {
  expect(settingsFrom('env', [], { LPFAX_USERS: '/tmp/u' }).web.usersFile).toBe('/tmp/u');
  expect(settingsFrom('env2', ['UsersFile: /srv/u'], { LPFAX_USERS: '/tmp/u' }).web.usersFile).toBe('/srv/u');
});

it('refuses bad values', () => {
  for (const line of ['WebPort: 70000', 'WebAddress: a b', 'WebInbox: some', 'UsersFile: users']) {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, `${line}\n`);
    expect([line, loadFaxSettings({ env: { LPFAX_CONFIG: conf } }).ok]).toEqual([line, false]);
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

it('lpfax serve starts the page once the users file exists, on WebAddress:WebPort', async () => {
  const archive = new FaxArchive({ spool: join(dir, 'spool') });
  const users = join(dir, 'users');
  const port = await freePort();
  const settings = settingsFrom('serve', [
    `UsersFile: ${users}`,
    'WebAddress: 127.0.0.1',
    `WebPort: ${port}`,
  ]);
  const lines: string[] = [];
  try {
    expect(await startServiceWeb(settings, archive, (l) => lines.push(l))).toBeNull();
    expect(lines).toEqual([
      `web page off: no users file ${users} (create the first user with: lpfax user add NAME --admin)`,
    ]);
    await new UsersFile(users, { N: 1024, r: 8, p: 1 }).add('ann', 'front desk 1');
    const web = await startServiceWeb(settings, archive, (l) => lines.push(l));
    try {
      expect(web?.url).toBe(`http://127.0.0.1:${port}`);
      expect(lines.at(-1)).toBe(`web page on http://127.0.0.1:${port}`);
      const res = await fetch(`http://127.0.0.1:${port}/login`);
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    } finally {
      await web?.close();
    }
    // Hashes readable by every local user could be cracked offline: no page until it is private.
    chmodSync(users, 0o644);
    expect(await startServiceWeb(settings, archive, (l) => lines.push(l))).toBeNull();
    expect(lines.at(-1)).toBe(
      `web page off: the users file ${users} is readable by every user (make it private: chmod 600 ${users})`,
    );
  } finally {
    archive.close();
  }
});
