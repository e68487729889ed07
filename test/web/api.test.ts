/**
 * The web page's security rules through its JSON API (issue 16), on a real fastify on 127.0.0.1
 * and a private cupsd (test/cupsd/harness.ts) with a Fax queue that prints to /dev/null: login
 * and sessions, CSRF refusal, two users who cannot see or touch each other's jobs, ids that are
 * not ids, oversize and non-PDF uploads, and a TSI with markup shown as text.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FaxArchive } from '../../lib/archive/index.js';
import { cupsGetOption, parseCupsOptions } from '../../lib/cups/options.js';
import { CupsClient, GroupTag, Operation, ValueTag } from '../../lib/ipp/index.js';
import { UsersFile } from '../../lib/users/index.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { startCupsd, type PrivateCupsd } from '../cupsd/harness.js';
import { fileReceivedFax } from './fixtures.js';

const FAST = { N: 1024, r: 8, p: 1 };
let dir: string;
let archive: FaxArchive;
let web: WebServer;
let cupsd: PrivateCupsd;
let cups: CupsClient;
let pdf: string;
let scriptFax: number;
let optionsFile: string;

/** A browser-like client: one session cookie, the CSRF token from /api/session. */
class Client {
  constructor(public base?: string) {}
  cookie = '';
  csrf = '';
  async request(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch((this.base ?? web.url) + path, { ...init, body, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }
  async login(username: string, password: string): Promise<Response> {
    const res = await this.request('/api/login', { method: 'POST', json: { username, password } });
    if (res.ok) this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }
  post(path: string, json: unknown = {}): Promise<Response> {
    return this.request(path, { method: 'POST', json, headers: { 'x-csrf-token': this.csrf } });
  }
  upload(path: string, to: string, file: Blob, name = 'doc.pdf'): Promise<Response> {
    const form = new FormData();
    form.set('to', to);
    form.set('file', file, name);
    return this.request(path, { method: 'POST', body: form, headers: { 'x-csrf-token': this.csrf } });
  }
}

async function loggedIn(name: string): Promise<Client> {
  const c = new Client();
  expect((await c.login(name, `${name} password`)).status).toBe(200);
  return c;
}

/** A job held in CUPS as `user` would print it from another client, without a number. */
async function heldJob(user: string): Promise<number> {
  const out = await cupsd.cups('lp', ['-d', 'Fax', '-U', user, '-H', 'hold', '-t', 'scan0042.pdf', pdf]);
  return Number(/Fax-(\d+)/.exec(out)![1]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-web-api-'));
  archive = new FaxArchive({ spool: join(dir, 'spool') });
  const users = new UsersFile(join(dir, 'users'), FAST);
  await users.add('alice', 'alice password');
  await users.add('bob', 'bob password');
  await users.add('root', 'root password', { admin: true });
  fileReceivedFax(archive, { remoteId: 'Clinic', at: new Date(2026, 11, 7, 9, 0) });
  scriptFax = fileReceivedFax(archive, {
    remoteId: '<script>alert(1)</script>',
    callerId: '"><img src=x onerror=alert(2)>',
    at: new Date(2026, 11, 7, 10, 0),
  });
  pdf = join(dir, 'doc.pdf');
  writeFileSync(
    join(dir, 'doc.ps'),
    '%!PS\n72 700 moveto /Helvetica findfont 20 scalefont setfont (Rx) show showpage\n',
  );
  execFileSync('ps2pdf', [join(dir, 'doc.ps'), pdf]);
  // CUPS backend(7): argv[5] is the job's options as the fax backend gets them; this one notes
  // them, one line per job, in the file its device URI names (it runs as lp: a world-writable folder).
  const noted = mkdtempSync(join(tmpdir(), 'lpfax-web-options-'));
  chmodSync(noted, 0o777);
  optionsFile = join(noted, 'options');
  const note = join(noted, 'note');
  writeFileSync(note, '#!/bin/sh\nprintf "%s %s\\n" "$1" "$5" >> "${DEVICE_URI#note:}"\n', { mode: 0o755 });
  cupsd = await startCupsd({ backends: { note } });
  await cupsd.cups('lpadmin', ['-p', 'Fax', '-E', '-v', `note:${optionsFile}`]);
  cups = new CupsClient({ server: `127.0.0.1:${cupsd.port}`, queue: 'Fax' });
  web = await startWeb({ archive, users, cups, port: 0, uploadLimit: 64 * 1024, loginsPerMinute: 1000 });
});

afterAll(async () => {
  await web?.close();
  await cupsd?.stop();
  archive?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dirname(optionsFile), { recursive: true, force: true });
});

it('needs a session for every page and API call but the login', async () => {
  const c = new Client();
  for (const path of [
    '/api/received',
    '/api/session',
    '/api/sent',
    '/api/held',
    '/api/contacts',
    '/api/received/1/pdf',
  ])
    expect([path, (await c.request(path)).status]).toEqual([path, 401]);
  const page = await c.request('/');
  expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
  expect((await c.request('/login')).status).toBe(200);
  expect((await c.login('alice', 'wrong password')).status).toBe(401);
  expect((await c.login('nobody', 'alice password')).status).toBe(401);
});

it('logs in: an httpOnly SameSite=Strict cookie, a fresh session id, the user and a CSRF token', async () => {
  const c = new Client();
  await c.request('/login'); // a session before login (the page's CSRF secret)
  const before = c.cookie;
  const res = await c.login('alice', 'alice password');
  expect(res.status).toBe(200);
  const set = res.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/^lpfax_session=/);
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Strict/i);
  expect(c.cookie).not.toBe(before);
  const session = (await (await c.request('/api/session')).json()) as { user: unknown; csrfToken: string };
  expect(session.user).toEqual({ name: 'alice', admin: false });
  expect(session.csrfToken.length).toBeGreaterThan(20);
  expect((await c.post('/api/logout')).status).toBe(200);
  expect((await c.request('/api/session')).status).toBe(401);
});

it('refuses a mutation without the CSRF token, or with another session’s', async () => {
  const alice = await loggedIn('alice');
  const bob = await loggedIn('bob');
  const noToken = await alice.request('/api/contacts', {
    method: 'POST',
    json: { name: 'X', number: '5550100' },
  });
  expect(noToken.status).toBe(403);
  const wrong = await alice.request('/api/contacts', {
    method: 'POST',
    json: { name: 'X', number: '5550100' },
    headers: { 'x-csrf-token': bob.csrf },
  });
  expect(wrong.status).toBe(403);
  const form = await alice.request('/contacts', {
    method: 'POST',
    body: new URLSearchParams({ name: 'X', number: '5550100' }),
  });
  expect(form.status).toBe(303); // back to the page, with the sentence
  expect((await (await alice.request('/api/contacts')).json()) as object).toEqual({ items: [], total: 0 });
  const ok = await alice.post('/api/contacts', { name: 'Pharmacy', number: '555-0100', note: 'night line' });
  expect(ok.status).toBe(201);
  expect(((await (await bob.request('/api/contacts')).json()) as { total: number }).total).toBe(1);
});

it('lists the inbox with the field names of lpfax received --json, newest first, paged', async () => {
  const alice = await loggedIn('alice');
  const res = (await (await alice.request('/api/received?limit=1')).json()) as {
    items: Record<string, unknown>[];
    total: number;
  };
  expect(res.total).toBe(2);
  expect(res.items).toHaveLength(1);
  expect(res.items[0]).toMatchObject({
    id: scriptFax,
    remoteId: '<script>alert(1)</script>',
    pages: 1,
    result: 'received',
    pdf: `/api/received/${scriptFax}/pdf`,
    thumbnail: `/api/received/${scriptFax}/thumbnail`,
  });
  expect(Object.keys(res.items[0])).toEqual(
    expect.arrayContaining(['receivedAt', 'callerId', 'read', 'delivery']),
  );
  const older = (await (await alice.request('/api/received?offset=1&limit=1')).json()) as {
    items: { remoteId: string }[];
  };
  expect(older.items.map((i) => i.remoteId)).toEqual(['Clinic']);
  expect((await alice.request('/api/received?limit=100000')).status).toBe(400);
});

it('serves a fax PDF and a PNG thumbnail by id, and refuses anything that is not an id', async () => {
  const alice = await loggedIn('alice');
  const pdfRes = await alice.request(`/api/received/${scriptFax}/pdf`);
  expect(pdfRes.status).toBe(200);
  expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
  expect(
    Buffer.from(await pdfRes.arrayBuffer())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');
  const thumb = await alice.request(`/api/received/${scriptFax}/thumbnail`);
  expect(thumb.status).toBe(200);
  const png = Buffer.from(await thumb.arrayBuffer());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(160); // IHDR width
  for (const path of [
    '/api/received/..%2F..%2Fetc/pdf',
    '/api/received/..%2F..%2F..%2Fetc%2Fpasswd/pdf',
    '/api/received/1abc/pdf',
    '/api/received/-1/thumbnail',
    '/api/received/0/pdf',
    '/api/received/1e3/pdf',
    '/api/jobs/..%2F1/cancel',
  ]) {
    const res = path.endsWith('cancel') ? await alice.post(path) : await alice.request(path);
    expect([path, res.status]).toEqual([path, 400]);
  }
  expect((await alice.request('/api/received/99999/pdf')).status).toBe(404);
  // The file path in a record is used only inside the fax's own folder.
  const outside = archive.beginReceive();
  archive.finishReceive(outside.id, {
    result: 'received',
    pages: 1,
    pdf: '/etc/passwd',
    tiff: '/etc/passwd',
  });
  expect((await alice.request(`/api/received/${outside.id}/pdf`)).status).toBe(404);
  expect((await alice.request(`/api/received/${outside.id}/thumbnail`)).status).toBe(404);
});

it('serves each page of a fax as a PNG by number, and shows them on the fax page', async () => {
  const id = fileReceivedFax(archive, { remoteId: 'Two pages', pages: 2, at: new Date(2026, 11, 6) });
  const alice = await loggedIn('alice');
  const heights: number[] = [];
  for (const n of [1, 2]) {
    const res = await alice.request(`/api/received/${id}/pages/${n}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(850);
    heights.push(png.readUInt32BE(20));
  }
  expect(heights[1]).toBeGreaterThan(heights[0]); // page 2 is the taller one
  expect((await alice.request(`/api/received/${id}/pages/3.png`)).status).toBe(404);
  for (const n of ['0', '-1', '..%2F1', '1a'])
    expect([n, (await alice.request(`/api/received/${id}/pages/${n}.png`)).status]).toEqual([n, 400]);
  expect((await new Client().request(`/api/received/${id}/pages/1.png`)).status).toBe(401);
  const view = await (await alice.request(`/received/${id}`)).text();
  expect(view).toContain(`src="/api/received/${id}/pages/1.png"`);
  expect(view).toContain(`src="/api/received/${id}/pages/2.png"`);
});

it('shows a TSI and caller id with markup as text in the inbox page', async () => {
  const alice = await loggedIn('alice');
  const res = await alice.request('/');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  const text = await res.text();
  expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(text).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  expect(text).not.toContain('<script>alert(1)');
  expect(text).not.toContain('<img src=x');
});

it('sends a PDF through cupsd as the logged-in user, with the recipient as job name', async () => {
  const alice = await loggedIn('alice');
  const res = await alice.upload(
    '/api/send',
    'Pharmacy@555-0100',
    new Blob([new Uint8Array(await readPdf())]),
  );
  expect(res.status).toBe(201);
  const { jobId } = (await res.json()) as { jobId: number };
  const job = await cups.job(jobId);
  expect([job?.user, job?.name]).toEqual(['alice', 'Pharmacy@555-0100']);
  const sent = (await (await alice.request('/api/sent')).json()) as {
    items: { jobId: number; user: string }[];
  };
  expect(sent.items.map((i) => i.jobId)).toContain(jobId);
  const bob = await loggedIn('bob');
  const bobs = (await (await bob.request('/api/sent')).json()) as {
    items: { jobId: number }[];
    total: number;
  };
  expect(bobs.items.map((i) => i.jobId)).not.toContain(jobId);
  const admin = await loggedIn('root');
  const all = (await (await admin.request('/api/sent')).json()) as { items: { jobId: number }[] };
  expect(all.items.map((i) => i.jobId)).toContain(jobId);
});

/** A job attribute as cupsd keeps it (the job options it hands the backend), by Get-Job-Attributes. */
async function jobAttribute(id: number, name: string): Promise<unknown> {
  const m = await cups.send(Operation.getJobAttributes, [
    {
      tag: GroupTag.operation,
      attributes: [
        { tag: ValueTag.charset, name: 'attributes-charset', values: ['utf-8'] },
        { tag: ValueTag.naturalLanguage, name: 'attributes-natural-language', values: ['en'] },
        { tag: ValueTag.uri, name: 'printer-uri', values: [cups.printerUri] },
        { tag: ValueTag.integer, name: 'job-id', values: [id] },
        { tag: ValueTag.nameWithoutLanguage, name: 'requesting-user-name', values: ['root'] },
        { tag: ValueTag.keyword, name: 'requested-attributes', values: ['all'] },
      ],
    },
  ]);
  return m.groups.flatMap((g) => g.attributes).find((a) => a.name === name)?.values[0];
}

function sendForm(to: string, files: Blob[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.set('to', to);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  files.forEach((f, i) => form.append('file', f, `doc${i}.pdf`));
  return form;
}

it('sends several documents (one CUPS job each) with the cover note as the fax-comments option', async () => {
  const alice = await loggedIn('alice');
  const doc = new Uint8Array(await readPdf());
  const ps = new Blob(['%!PS\nshowpage\n']);
  const res = await alice.request('/api/send', {
    method: 'POST',
    body: sendForm('Lab@555-0111', [new Blob([doc]), ps], { note: 'Results for Mrs. Smith', cover: 'on' }),
    headers: { 'x-csrf-token': alice.csrf },
  });
  expect(res.status).toBe(201);
  const { jobId, jobIds } = (await res.json()) as { jobId: number; jobIds: number[] };
  expect(jobIds).toHaveLength(2);
  expect(jobId).toBe(jobIds[0]);
  for (const id of jobIds) {
    const job = await cups.job(id);
    expect([job?.user, job?.name]).toEqual(['alice', 'Lab@555-0111']);
    expect(await jobAttribute(id, 'fax-comments')).toBe('Results for Mrs. Smith');
    expect(await jobAttribute(id, 'CoverPage')).toBe('on');
  }
  // What the backend is given: argv[5] of each job holds the note (cupsParseOptions reads it back).
  const lines = await waitFor(() => {
    const text = existsSync(optionsFile) ? readFileSync(optionsFile, 'utf8') : '';
    const mine = text.split('\n').filter((l) => jobIds.some((id) => l.startsWith(`${id} `)));
    return mine.length === 2 ? mine : null;
  });
  for (const line of lines) {
    const options = parseCupsOptions(line.slice(line.indexOf(' ') + 1));
    expect(cupsGetOption(options, 'fax-comments')).toBe('Results for Mrs. Smith');
    expect(cupsGetOption(options, 'CoverPage')).toBe('on');
  }
  // All documents are checked before any is submitted.
  const before = (await cups.jobs('all')).length;
  const mixed = await alice.request('/api/send', {
    method: 'POST',
    body: sendForm('5550111', [new Blob([doc]), new Blob(['<html></html>'])]),
    headers: { 'x-csrf-token': alice.csrf },
  });
  expect(mixed.status).toBe(415);
  const long = await alice.request('/api/send', {
    method: 'POST',
    body: sendForm('5550111', [new Blob([doc])], { note: 'x'.repeat(256) }),
    headers: { 'x-csrf-token': alice.csrf },
  });
  expect(long.status).toBe(400);
  const twoLines = await alice.request('/api/send', {
    method: 'POST',
    body: sendForm('5550111', [new Blob([doc])], { note: 'one\ntwo' }),
    headers: { 'x-csrf-token': alice.csrf },
  });
  expect(twoLines.status).toBe(400);
  expect((await cups.jobs('all')).length).toBe(before);
});

it('sends a job again for its owner or an admin, with the same recipient, document and note', async () => {
  const alice = await loggedIn('alice');
  const res = await alice.request('/api/send', {
    method: 'POST',
    body: sendForm('Ward@555-0122', [new Blob([new Uint8Array(await readPdf())])], { note: 'Again' }),
    headers: { 'x-csrf-token': alice.csrf },
  });
  const { jobId } = (await res.json()) as { jobId: number };
  // The kept document is private to the service user.
  const { statSync } = await import('node:fs');
  const kept = join(dir, 'spool', 'web', String(jobId));
  expect(statSync(kept).mode & 0o777).toBe(0o700);
  expect(statSync(join(kept, 'document')).mode & 0o777).toBe(0o600);
  const bob = await loggedIn('bob');
  expect((await bob.post(`/api/jobs/${jobId}/resend`)).status).toBe(404);
  const noCsrf = await alice.request(`/api/jobs/${jobId}/resend`, { method: 'POST', json: {} });
  expect(noCsrf.status).toBe(403);
  expect((await alice.post('/api/jobs/..%2F1/resend')).status).toBe(400);
  const again = await alice.post(`/api/jobs/${jobId}/resend`);
  expect(again.status).toBe(201);
  const second = ((await again.json()) as { jobId: number }).jobId;
  expect(second).not.toBe(jobId);
  const job = await cups.job(second);
  expect([job?.user, job?.name]).toEqual(['alice', 'Ward@555-0122']);
  expect(await jobAttribute(second, 'fax-comments')).toBe('Again');
  // An admin resends it as alice's job; a job printed from elsewhere has no kept document.
  const admin = await loggedIn('root');
  const third = ((await (await admin.post(`/api/jobs/${second}/resend`)).json()) as { jobId: number }).jobId;
  expect((await cups.job(third))?.user).toBe('alice');
  const held = await heldJob('alice');
  expect((await alice.post(`/api/jobs/${held}/resend`)).status).toBe(404);
  await alice.post(`/api/jobs/${held}/cancel`);
  // Kept 30 days: an older document is forgotten at the next send, and cannot be sent again.
  const { utimesSync } = await import('node:fs');
  const old = new Date(Date.now() - 31 * 86_400_000);
  utimesSync(kept, old, old);
  expect((await alice.post(`/api/jobs/${second}/resend`)).status).toBe(201);
  expect(existsSync(kept)).toBe(false);
  expect((await alice.post(`/api/jobs/${jobId}/resend`)).status).toBe(404);
});

/** Polls until `probe` gives a value (the job has reached the backend); the test's timeout bounds it. */
async function waitFor<T>(probe: () => T | null): Promise<T> {
  for (;;) {
    const v = probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readPdf(): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(pdf);
}

it('refuses a document that is not PDF or PostScript by its content, whatever its name, and one too large', async () => {
  const alice = await loggedIn('alice');
  const html = await alice.upload(
    '/api/send',
    '5550100',
    new Blob(['<html><script>x</script></html>']),
    'x.pdf',
  );
  expect(html.status).toBe(415);
  const exe = await alice.upload('/api/send', '5550100', new Blob([Buffer.from('MZ\x90\x00')]), 'x.pdf');
  expect(exe.status).toBe(415);
  const big = Buffer.alloc(200 * 1024, 0x20);
  big.write('%PDF-1.4\n');
  const large = await alice.upload('/api/send', '5550100', new Blob([big]));
  expect(large.status).toBe(413);
  const noNumber = await alice.upload('/api/send', 'Pharmacy', new Blob([new Uint8Array(await readPdf())]));
  expect(noNumber.status).toBe(400);
  const jobs = await cups.jobs('all');
  expect(jobs.filter((j) => j.name === '5550100')).toEqual([]);
});

it("lists, releases and cancels held jobs of the user only; another user's job is not found", async () => {
  const mine = await heldJob('alice');
  const theirs = await heldJob('WINPC\\bob');
  const alice = await loggedIn('alice');
  const bob = await loggedIn('bob');
  const aliceHeld = (await (await alice.request('/api/held')).json()) as {
    items: { jobId: number; title: string }[];
  };
  expect(aliceHeld.items.map((j) => j.jobId)).toEqual([mine]);
  expect(aliceHeld.items[0].title).toBe('scan0042.pdf');
  const bobHeld = (await (await bob.request('/api/held')).json()) as { items: { jobId: number }[] };
  expect(bobHeld.items.map((j) => j.jobId)).toEqual([theirs]);

  expect((await bob.post(`/api/held/${mine}/release`, { to: '5550100' })).status).toBe(404);
  expect((await bob.post(`/api/jobs/${mine}/cancel`)).status).toBe(404);
  expect((await cups.job(mine))?.state).toBe('held');

  expect((await alice.post(`/api/held/${mine}/release`, { to: 'Lab@555-0123' })).status).toBe(200);
  const released = await cups.job(mine);
  expect(released?.name).toBe('Lab@555-0123');
  expect(released?.state).not.toBe('held');

  expect((await bob.post(`/api/jobs/${theirs}/cancel`)).status).toBe(200);
  expect((await cups.job(theirs))?.state).toBe('canceled');
});

it('keeps sessions across a restart of the server (private file), and the logout still ends them', async () => {
  const spool = join(dir, 'restart-spool');
  const archiveB = new FaxArchive({ spool });
  const users = new UsersFile(join(dir, 'users'), FAST);
  let server = await startWeb({ archive: archiveB, users, cups, port: 0, loginsPerMinute: 1000 });
  const alice = new Client(server.url);
  expect((await alice.login('alice', 'alice password')).status).toBe(200);
  const bob = new Client(server.url);
  expect((await bob.login('bob', 'bob password')).status).toBe(200);
  expect((await bob.post('/api/logout')).status).toBe(200);
  await server.close();
  const { statSync } = await import('node:fs');
  expect(statSync(join(spool, 'web', 'sessions.json')).mode & 0o777).toBe(0o600);
  expect(statSync(join(spool, 'web', 'session-secret')).mode & 0o777).toBe(0o600);
  server = await startWeb({ archive: archiveB, users, cups, port: 0, loginsPerMinute: 1000 });
  try {
    alice.base = server.url;
    bob.base = server.url;
    const s = (await (await alice.request('/api/session')).json()) as { user: { name: string } };
    expect(s.user.name).toBe('alice');
    // The CSRF secret is in the session: the token from before the restart still works.
    expect((await alice.post('/api/contacts', { name: 'Restart', number: '5550199' })).status).toBe(201);
    expect((await bob.request('/api/session')).status).toBe(401);
  } finally {
    await server.close();
    archiveB.close();
  }
});

it('rate-limits logins from one address', async () => {
  const strict = await startWeb({
    archive,
    users: new UsersFile(join(dir, 'users')),
    port: 0,
    loginsPerMinute: 3,
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${strict.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: i === 4 ? 'alice password' : `guess ${i}` }),
      });
      statuses.push(res.status);
    }
    // Even the right password waits once the limit is reached.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  } finally {
    await strict.close();
  }
});

it('keeps a deleted fax in a bin only admins see, and only admins restore', async () => {
  const alice = await loggedIn('alice');
  const admin = await loggedIn('root');
  const id = fileReceivedFax(archive, { remoteId: 'To delete' });
  expect((await alice.post(`/api/received/${id}/delete`)).status).toBe(200);
  const inbox = (await (await alice.request('/api/received?limit=500')).json()) as {
    items: { id: number }[];
  };
  expect(inbox.items.map((i) => i.id)).not.toContain(id);
  expect((await alice.request('/api/received?folder=deleted')).status).toBe(403);
  expect((await alice.request(`/api/received/${id}/pdf`)).status).toBe(404);
  expect((await alice.post(`/api/received/${id}/restore`)).status).toBe(404);
  const bin = (await (await admin.request('/api/received?folder=deleted')).json()) as {
    items: { id: number }[];
  };
  expect(bin.items.map((i) => i.id)).toEqual([id]);
  expect(await (await admin.request('/?folder=deleted')).text()).toContain(
    `action="/received/${id}/restore"`,
  );
  expect((await admin.post(`/api/received/${id}/restore`)).status).toBe(200);
  expect(archive.received(id)?.deletedAt).toBeNull();
});

it("serves a filed job's transmission report to its owner only", async () => {
  const record = archive.recordSent({
    jobId: 4242,
    user: 'alice',
    number: '5550100',
    pages: 1,
    pagesConfirmed: 1,
    result: 'sent',
    finishedAt: new Date(),
  });
  const report = join(archive.sentDir(record.id), 'report.pdf');
  writeFileSync(report, await readPdf());
  archive.setSentReport(record.id, report);
  const alice = await loggedIn('alice');
  const res = await alice.request('/api/jobs/4242/report');
  expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/pdf']);
  expect((await loggedIn('bob').then((b) => b.request('/api/jobs/4242/report'))).status).toBe(404);
  expect((await loggedIn('root').then((r) => r.request('/api/jobs/4242/report'))).status).toBe(200);
});

it('imports and exports the address book as CSV, all rows or none, formulas quoted as text', async () => {
  const alice = await loggedIn('alice');
  const before = ((await (await alice.request('/api/contacts')).json()) as { total: number }).total;
  const bad = await alice.upload(
    '/api/contacts/import',
    '',
    new Blob(['name,number,note\nLab,555-0123,\nNo number,,x\n']),
    'book.csv',
  );
  expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([
    400,
    'Line 2: Give the recipient as a fax number or Name@number.',
  ]);
  expect(((await (await alice.request('/api/contacts')).json()) as { total: number }).total).toBe(before);
  const ok = await alice.upload(
    '/api/contacts/import',
    '',
    new Blob(['name,number,note\r\n"Smith, Dr",555-0124,"says ""hi"""\r\n=cmd,555-0125,\r\n']),
    'book.csv',
  );
  expect([ok.status, await ok.json()]).toEqual([201, { added: 2 }]);
  const csv = await (await alice.request('/api/contacts.csv')).text();
  expect(csv).toContain('"Smith, Dr",555-0124,"says ""hi"""\r\n');
  expect(csv).toContain("'=cmd,555-0125,\r\n");
  expect(csv.startsWith('name,number,note\r\n')).toBe(true);
});

it('serves HTTPS with the configured certificate, and its session cookie is Secure', async () => {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const users = new UsersFile(join(dir, 'users'), FAST);
  const server = await startWeb({ archive, users, port: 0, loginsPerMinute: 1000, tls: { cert, key } });
  const { request } = await import('node:https');
  // Trusts only this certificate: the answer proves the server spoke TLS with it.
  const call = (path: string, body?: string) =>
    new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
      const req = request(
        `${server.url}${path}`,
        {
          method: body ? 'POST' : 'GET',
          ca: readFileSync(cert),
          headers: body ? { 'content-type': 'application/json' } : {},
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [] }),
          );
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  try {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('/api/session')).status).toBe(401);
    const login = await call('/api/login', JSON.stringify({ username: 'alice', password: 'alice password' }));
    expect(login.status).toBe(200);
    expect(login.cookies.join('\n')).toMatch(/;\s*Secure/i);
  } finally {
    await server.close();
  }
});

/** Every route fastify has, as `[method, url]` with sample ids in place of the parameters. */
function registeredRoutes(): [string, string][] {
  return web.app.routeList
    .filter(([method]) => method !== 'HEAD' && method !== 'OPTIONS')
    .map(([method, url]) => [method, url.replace(/:id/g, '1').replace(/:n/g, '1')]);
}
const PUBLIC_ROUTES = ['GET /login', 'POST /login', 'POST /api/login'];
const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

it('needs a session on every registered route but the login (enumerated from fastify)', async () => {
  const routes = registeredRoutes();
  expect(routes.length).toBeGreaterThan(30);
  expect(routes).toEqual(
    expect.arrayContaining([
      ['POST', '/api/contacts/import'],
      ['POST', '/logout'],
    ]),
  );
  const c = new Client();
  for (const [method, url] of routes) {
    if (PUBLIC_ROUTES.includes(`${method} ${url}`) || url.startsWith('/static/')) continue;
    const res = await c.request(url, MUTATING.has(method) ? { method, json: {} } : { method });
    const expected = url.startsWith('/api/') ? [401, null] : [303, '/login'];
    expect([method, url, res.status, res.headers.get('location')]).toEqual([method, url, ...expected]);
  }
});

it('refuses every mutating route without the CSRF token, logout and the CSV import included', async () => {
  const alice = await loggedIn('alice');
  const mutating = registeredRoutes().filter(
    ([method, url]) => MUTATING.has(method) && !PUBLIC_ROUTES.includes(`${method} ${url}`),
  );
  expect(mutating.map(([m, u]) => `${m} ${u}`)).toEqual(
    expect.arrayContaining([
      'POST /api/logout',
      'POST /logout',
      'POST /api/contacts/import',
      'POST /api/send',
    ]),
  );
  for (const [method, url] of mutating) {
    if (url.startsWith('/api/')) {
      const res = await alice.request(url, { method, json: {} });
      expect([method, url, res.status]).toEqual([method, url, 403]);
    } else {
      const res = await alice.request(url, { method, body: new URLSearchParams({ x: '1' }) });
      expect([method, url, res.status]).toEqual([method, url, 303]);
      const next = await alice.request('/');
      expect([url, await next.text()]).toEqual([url, expect.stringContaining('The form has expired')]);
    }
  }
  // The session outlived the logouts without a token.
  expect((await alice.request('/api/session')).status).toBe(200);
});

it('acts only on jobs of the Fax queue: a job on another CUPS queue is not found, even for its owner or an admin', async () => {
  await cupsd.cups('lpadmin', ['-p', 'Other', '-E', '-v', `note:${optionsFile}.other`]);
  const out = await cupsd.cups('lp', ['-d', 'Other', '-U', 'alice', '-H', 'hold', '-t', 'payroll.pdf', pdf]);
  const other = Number(/Other-(\d+)/.exec(out)![1]);
  const otherQueue = new CupsClient({ server: `127.0.0.1:${cupsd.port}`, queue: 'Other' });
  for (const name of ['alice', 'root']) {
    const c = await loggedIn(name);
    expect([name, (await c.post(`/api/jobs/${other}/cancel`)).status]).toEqual([name, 404]);
    expect([name, (await c.post(`/api/held/${other}/release`, { to: '5550100' })).status]).toEqual([
      name,
      404,
    ]);
    expect([name, (await c.post(`/api/jobs/${other}/resend`)).status]).toEqual([name, 404]);
    const held = (await (await c.request('/api/held')).json()) as { items: { jobId: number }[] };
    expect(held.items.map((j) => j.jobId)).not.toContain(other);
    const sent = (await (await c.request('/api/sent')).json()) as { items: { jobId: number }[] };
    expect(sent.items.map((j) => j.jobId)).not.toContain(other);
  }
  const job = await otherQueue.job(other);
  expect([job?.state, job?.name]).toEqual(['held', 'payroll.pdf']);
  await otherQueue.cancel(other, 'root');
});

it('limits the total size of a multi-document upload to the upload limit, not 10 times it', async () => {
  const alice = await loggedIn('alice');
  const before = (await cups.jobs('all')).length;
  const form = new FormData();
  form.set('to', '5550177');
  // Each under the 64 KiB limit, together three times it.
  for (let i = 0; i < 3; i++)
    form.append(
      'file',
      new Blob([Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(60 * 1024, 32)])]),
      `d${i}.pdf`,
    );
  const res = await alice.request('/api/send', {
    method: 'POST',
    body: form,
    headers: { 'x-csrf-token': alice.csrf },
  });
  expect(res.status).toBe(413);
  expect(((await res.json()) as { error: string }).error).toMatch(/upload limit/);
  expect((await cups.jobs('all')).length).toBe(before);
});

it('never follows a symlink planted where a thumbnail or page image is cached in a fax folder', async () => {
  const id = fileReceivedFax(archive, { remoteId: 'Links', at: new Date(2026, 11, 5) });
  const folder = archive.layout.receivedDir(id);
  const secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'NOT FOR THE WEB', { mode: 0o600 });
  const dangling = join(dir, 'created-through-link.png');
  symlinkSync(secret, join(folder, 'thumbnail.png'));
  symlinkSync(dangling, join(folder, 'page-1.png'));
  const alice = await loggedIn('alice');
  for (const path of [`/api/received/${id}/thumbnail`, `/api/received/${id}/pages/1.png`]) {
    const res = await alice.request(path);
    const body = Buffer.from(await res.arrayBuffer());
    expect([path, res.status, body.subarray(1, 4).toString()]).toEqual([path, 200, 'PNG']);
  }
  expect(existsSync(dangling)).toBe(false);
  expect(readFileSync(secret, 'utf8')).toBe('NOT FOR THE WEB');
  for (const name of ['thumbnail.png', 'page-1.png']) {
    const st = lstatSync(join(folder, name));
    expect([name, st.isFile(), st.mode & 0o777]).toEqual([name, true, 0o600]);
  }
});

it('applies WebInbox: admins to every received-fax route (files, pages, marks), not only the list', async () => {
  const id = fileReceivedFax(archive, { remoteId: 'Court', at: new Date(2026, 11, 4) });
  const before = archive.received(id)!;
  const users = new UsersFile(join(dir, 'users'), FAST);
  const admins = await startWeb({ archive, users, cups, port: 0, inbox: 'admins', keepSessions: false });
  try {
    const routes = admins.app.routeList.filter(
      ([method, url]) => /received/.test(url) && method !== 'HEAD' && method !== 'OPTIONS',
    );
    expect(routes.length).toBeGreaterThan(12);
    const alice = new Client(admins.url);
    expect((await alice.login('alice', 'alice password')).status).toBe(200);
    for (const [method, template] of routes) {
      const url = template.replace(/:id/g, String(id)).replace(/:n/g, '1');
      const res = await (method === 'GET' ? alice.request(url) : alice.post(url));
      await res.arrayBuffer();
      const refused = url.startsWith('/api/') || method === 'GET' ? 403 : 303;
      expect([method, url, res.status]).toEqual([method, url, refused]);
    }
    const after = archive.received(id)!;
    expect([after.read, after.archived, after.deletedAt]).toEqual([
      before.read,
      before.archived,
      before.deletedAt,
    ]);
    const root = new Client(admins.url);
    expect((await root.login('root', 'root password')).status).toBe(200);
    // Each body read to its end: the server's close waits for a response still being sent.
    for (const path of [`/api/received/${id}/pdf`, `/api/received/${id}/thumbnail`]) {
      const res = await root.request(path);
      expect([path, res.status, (await res.arrayBuffer()).byteLength > 0]).toEqual([path, 200, true]);
    }
  } finally {
    await admins.close();
  }
});

it('lets no path past the session check by dressing an API path as a public one', async () => {
  const { request } = await import('node:http');
  const raw = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${web.url}/`, { path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  for (const path of [
    '/static/../api/received',
    '/static/%2e%2e/api/received',
    '/login/../api/received',
    '/api/login/../received',
    '/api/received?/api/login',
    '/static/..%2fapi%2freceived',
  ]) {
    const res = await raw(path);
    expect([path, res.status === 200 && res.body.includes('"items"')]).toEqual([path, false]);
    expect([path, res.body]).not.toEqual([path, expect.stringContaining('Clinic')]);
  }
});
