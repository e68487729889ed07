/**
 * The web page in a real headless browser (Debian's chromium through playwright-core), against
 * a private cupsd whose Fax queue runs our backend on the simulated line (spandsp answers):
 * a fax received on the simulated line from a far end whose TSI is markup; log in, see it in the
 * inbox as text with its thumbnail, open its PDF, add a contact, send a PDF to it
 * and watch it reach "delivered", give a held job its number, log out. Screenshots of the pages
 * go to test-output/web/ (and, with LPFAX_UPDATE_DOCS=1, the inbox to docs/web-inbox.png for the
 * README).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FaxArchive } from '../../lib/archive/index.js';
import { CupsClient, type JobStateName } from '../../lib/ipp/index.js';
import { UsersFile } from '../../lib/users/index.js';
import { startWeb, type WebServer } from '../../web/server.js';
import { backendPath, removeSandboxes, sandbox, shareDevice, writeConfig } from '../backend/run-backend.js';
import { startCupsd, type PrivateCupsd } from '../cupsd/harness.js';
import { startLineSim, type LineSim } from '../linesim/linesim.js';
import { testPage } from './fixtures.js';
import { loadFaxSettings } from '../../lib/config/index.js';
import { runFaxService } from '../../lib/service/index.js';
import { writeTiffF } from '../../lib/t4/index.js';

const TSI = '<script>x</script>';
const OUT = new URL('../../test-output/web/', import.meta.url).pathname;
const DOCS = new URL('../../docs/', import.meta.url).pathname;
const ppd = new URL('../../ppd/lpfax.ppd', import.meta.url).pathname;

let dir: string;
let archive: FaxArchive;
let cupsd: PrivateCupsd;
let cups: CupsClient;
let sim: LineSim;
let web: WebServer;
let browser: Browser;
let page: Page;
let pdf: string;

/** Polls `value` (from the test's side: the page's CSP forbids Playwright's string predicates). */
async function until<T>(value: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await value().catch(() => undefined as T);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`still ${String(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function shot(name: string): Promise<string> {
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function jobReaches(id: number, states: JobStateName[], timeoutMs = 90_000): Promise<JobStateName> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await cups.job(id);
    if (job && states.includes(job.state)) return job.state;
    if (Date.now() > deadline)
      throw new Error(`job ${id} is ${job?.state} (${job?.message}), not ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The far end calls in with markup as its TSI; the fax service (in process) files the call. */
async function receiveOnTheLine(): Promise<void> {
  const doc = join(dir, 'incoming.tif');
  writeFileSync(doc, writeTiffF([{ bitmap: testPage(1100), resolution: 'fine' }], { coding: 'mh' }));
  const rx = await startLineSim({
    speed: 4,
    ringAfterSeconds: 0.5,
    send: doc,
    ident: TSI,
    outDir: sandbox('lpfax-web-in-'),
  });
  const conf = writeConfig(sandbox('lpfax-web-rxconf-'), `LockDir: ${dir}\n`);
  const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf } });
  if (!loaded.ok) throw loaded.error;
  const stop = new AbortController();
  const service = runFaxService({
    settings: loaded.value.settings,
    archive,
    devices: [rx.devicePath],
    rings: 1,
    log: () => undefined,
    signal: stop.signal,
  });
  try {
    expect(await rx.nextCall(60_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'completed',
      pages: 1,
    });
    await until(
      async () => archive.listReceived().length,
      (n) => n === 1,
      20_000,
    );
  } finally {
    stop.abort();
    await service;
    await rx.stop();
  }
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  dir = sandbox('lpfax-web-browser-');
  // The backend files its sends in its own spool here, never the machine's.
  const spool = sandbox('lpfax-web-spool-');
  archive = new FaxArchive({ spool: join(dir, 'spool') });
  await receiveOnTheLine();
  const users = new UsersFile(join(dir, 'users'), { N: 1024, r: 8, p: 1 });
  await users.add('ann', 'front desk 1');
  writeFileSync(
    join(dir, 'letter.ps'),
    '%!PS\n/Helvetica findfont 24 scalefont setfont 72 700 moveto (Lab order 4471) show showpage\n',
  );
  pdf = join(dir, 'letter.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=letter', join(dir, 'letter.ps'), pdf]);

  const config = writeConfig(dir, `LockDir: ${dir}\nSpoolDir: ${spool}\nSenderName: Riverside Clinic\n`);
  cupsd = await startCupsd({
    backends: { fax: backendPath },
    setEnv: { LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
  });
  sim = await startLineSim({ speed: 4, link: join(dir, 'modem'), outDir: sandbox('lpfax-web-rx-') });
  shareDevice(sim.devicePath);
  await cupsd.cups('lpadmin', ['-p', 'Fax', '-E', '-v', `fax:${join(dir, 'modem')}`, '-P', ppd]);
  cups = new CupsClient({ server: `127.0.0.1:${cupsd.port}`, queue: 'Fax' });
  web = await startWeb({ archive, users, cups, port: 0 });

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await sim?.stop();
  await cupsd?.stop();
  archive?.close();
  removeSandboxes();
});

it('logs in, shows the inbox with a thumbnail and opens the PDF', async () => {
  await page.goto(`${web.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await shot('login');
  await page.fill('input[name=username]', 'ann');
  await page.fill('input[name=password]', 'front desk 1');
  await page.click('button:has-text("Log in")');
  await page.waitForURL(`${web.url}/`);
  const row = page.locator('table.inbox tbody tr').first();
  // The far end's TSI, markup and all, is text on the page: no element came of it.
  await expect(row.locator('td.from').innerText()).resolves.toBe(TSI);
  expect(await page.locator('td.from *').count()).toBe(0);
  expect(await page.content()).toContain('&lt;script&gt;x&lt;/script&gt;');
  const thumb = row.locator('td.thumb img');
  // The image as the browser decoded it (0 until it has loaded).
  const width = () => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
  expect(await until(width, (w) => w > 0, 10_000)).toBe(160);
  const inbox = await shot('inbox');
  // The README's picture is refreshed on request only, so a test run leaves the tree clean.
  if (process.env.LPFAX_UPDATE_DOCS === '1') copyFileSync(inbox, join(DOCS, 'web-inbox.png'));

  const href = await row.locator('a:has-text("Open PDF")').getAttribute('href');
  const res = await page.request.get(`${web.url}${href}`);
  expect([res.status(), res.headers()['content-type']]).toEqual([200, 'application/pdf']);
  expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');
});

it('adds a contact, sends a PDF to it and shows it delivered', async () => {
  await page.click('nav a:has-text("Contacts")');
  await page.fill('input[name=name]', 'Pharmacy');
  await page.fill('input[name=number]', '555-0100');
  await page.fill('input[name=note]', 'night line');
  await page.click('button:has-text("Add")');
  await expect(page.locator('.notice').innerText()).resolves.toBe('Added Pharmacy.');
  await expect(page.locator('table.contacts tbody tr').first().innerText()).resolves.toMatch(
    /Pharmacy\s+555-0100\s+night line/,
  );
  await shot('contacts');

  await page.click('nav a:has-text("Send")');
  // The address book is offered in the recipient field.
  expect(await page.locator('datalist#contacts option').first().getAttribute('value')).toBe(
    'Pharmacy@555-0100',
  );
  await page.fill('input[name=to]', 'Pharmacy@555-0100');
  await page.setInputFiles('input[name=file]', pdf);
  await page.selectOption('select[name=cover]', 'off');
  await shot('send');
  await page.click('main button:has-text("Send")');
  await page.waitForURL(`${web.url}/sent`);
  const jobId = Number(/Job (\d+) is queued/.exec(await page.locator('.notice').innerText())?.[1]);
  expect(jobId).toBeGreaterThan(0);
  // The page reloads itself while the job is active; wait for the row to say delivered.
  const state = page.locator(`tr[data-job="${jobId}"] td.state`);
  // While the job is active the page asks to be reloaded (a meta refresh, no script needed).
  expect(await page.locator('meta[http-equiv=refresh]').count()).toBe(1);
  const reloaded = async () => {
    await page.reload();
    return state.textContent({ timeout: 1000 });
  };
  await until(reloaded, (t) => t === 'delivered' || t === 'aborted', 90_000);
  await expect(state.innerText()).resolves.toBe('delivered');
  await shot('sent');
  // One page: the form's "no cover page" reached the backend as CoverPage=off.
  expect(await sim.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550100', pages: 1 });
}, 120_000);

it('gives a held job its number, which then goes out, and logs out', async () => {
  const out = await cupsd.cups('lp', ['-d', 'Fax', '-U', 'ann', '-t', 'scan0042.pdf', pdf]);
  const jobId = Number(/Fax-(\d+)/.exec(out)![1]);
  expect(await jobReaches(jobId, ['held', 'completed', 'aborted'])).toBe('held');
  await page.click('nav a:has-text("Held")');
  const row = page.locator(`tr[data-job="${jobId}"]`);
  await expect(row.locator('td').nth(1).innerText()).resolves.toBe('scan0042.pdf');
  await row.locator('input[name=to]').fill('Lab@555-0101');
  await shot('held');
  await row.locator('button:has-text("Send")').click();
  await page.waitForURL(`${web.url}/sent`);
  await expect(page.locator('.notice').innerText()).resolves.toBe(`Job ${jobId} released.`);
  expect(await jobReaches(jobId, ['completed', 'aborted', 'held'])).toBe('completed');
  expect(await sim.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550101' });

  await page.click('button:has-text("Log out")');
  await page.waitForURL(`${web.url}/login`);
  await page.goto(`${web.url}/sent`);
  expect(new URL(page.url()).pathname).toBe('/login');
}, 120_000);
