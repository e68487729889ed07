/**
 * `lpfax serve` (dist/bin/lpfax.js) over the simulated line: the far end calls in and sends a
 * fax; the service answers after AnswerRings rings, files the call in a private archive
 * (SpoolDir: TIFF-F + PDF, 0600 files in 0700 folders owned by the service's user), delivers it
 * to a folder and a hook, and `lpfax received --json` lists it. SIGTERM during a call files the
 * pages confirmed so far as a partial fax, hangs up and frees the UUCP lock; after SIGKILL during
 * a call, the next start files the cut-off call as partial. The caller ID the modem reports
 * (NMBR/NAME after the first RING) is kept in the record and listed.
 */
import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bitmapsEqual,
  createBitmap,
  readTiff,
  setPixel,
  writeTiffF,
  type Bitmap,
} from '../../lib/t4/index.js';
import { startLineSim, type LineSim } from '../linesim/linesim.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

function page(height: number, seed: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < 1728; x++)
      if ((x + y * seed) % 37 < 2 || y % (13 + seed) === 0) setPixel(b, x, y, true);
  return b;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-serve-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function document(pages: Bitmap[]): Promise<string> {
  const file = join(dir, 'send.tif');
  await writeFile(
    file,
    writeTiffF(
      pages.map((bitmap) => ({ bitmap, resolution: 'fine' })),
      { coding: 'mh' },
    ),
  );
  return file;
}

async function config(device: string, extra: string[] = []): Promise<string> {
  const conf = join(dir, 'lpfax.conf');
  await writeFile(
    conf,
    [
      `ModemDevice: /dev/null`,
      `ReceiveDevices: ${device}`,
      `LocalIdentifier: +1 555 0199`,
      `LockDir: ${dir}`,
      `SpoolDir: ${join(dir, 'spool')}`,
      ...extra,
    ].join('\n') + '\n',
  );
  return conf;
}

/** The service as a child process, with its stderr lines collected. */
function startService(conf: string, verbose = false) {
  const child = execa(process.execPath, [LPFAX, 'serve', '--config', conf, ...(verbose ? ['-v'] : [])], {
    reject: false,
    timeout: 240_000,
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const until = async (re: RegExp, ms = 120_000) => {
    const end = Date.now() + ms;
    while (!re.test(err)) {
      if (child.exitCode !== null) throw new Error(`service exited: ${err}`);
      if (Date.now() > end) throw new Error(`no ${re} in: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, stderr: () => err, until };
}

/** SIGTERM: the service exits 0 by itself (execa would SIGKILL it after 5 s). */
async function stopsCleanly(svc: ReturnType<typeof startService>): Promise<void> {
  svc.child.kill('SIGTERM');
  const run = await svc.child;
  expect([run.exitCode, run.signal, svc.stderr().split('\n').slice(-6)]).toEqual([
    0,
    undefined,
    expect.arrayContaining([expect.stringMatching(/service stopped$/)]),
  ]);
}

async function receivedJson(conf: string): Promise<Array<Record<string, unknown>>> {
  const run = await execa(process.execPath, [LPFAX, 'received', '--json', '--config', conf]);
  return JSON.parse(run.stdout);
}

function lockFile(device: string): string {
  return join(dir, `LCK..${basename(device)}`);
}

test('answers after AnswerRings rings, files the fax in the archive, delivers it to a folder and a hook', async () => {
  const sent = [page(100, 1), page(80, 2)];
  const sim: LineSim = await startLineSim({
    speed: 3,
    ringAfterSeconds: 0.5,
    send: await document(sent),
    modems: ['v29'],
    ecm: false,
    callerId: '5551234,ACME Corp',
  });
  try {
    const inbox = join(dir, 'inbox');
    const hook = join(dir, 'hook.sh');
    const hookOut = join(dir, 'hook.out');
    await writeFile(hook, `#!/bin/sh\nenv | grep '^LPFAX_' | sort > '${hookOut}'\n`);
    await chmod(hook, 0o755);
    await mkdir(inbox, { mode: 0o700 });
    const conf = await config(sim.devicePath, [
      'AnswerRings: 2',
      `DeliverFolder: ${inbox}`,
      `DeliverHook: ${hook}`,
    ]);
    const svc = startService(conf, true);
    await svc.until(/fax 1 filed/);
    await svc.until(/fax 1: ran .*hook\.sh/);
    await svc.until(/fax 1: copied to .*inbox/);
    const far = await sim.nextCall(30_000);
    expect(far).toMatchObject({ outcome: 'completed', pages: 2, remoteIdent: '+1 555 0199' });
    await stopsCleanly(svc);
    const log = svc.stderr();
    expect(log).toMatch(/fax 1 filed: received, 2 pages from "LINESIM"/);
    expect(log).toMatch(/modem closed/);
    // AnswerRings 2: the second RING is answered, not the first.
    const beforeAnswer = log.slice(0, log.indexOf('ATA'));
    expect(beforeAnswer.match(/< RING$/gm)).toHaveLength(2);
    expect(existsSync(lockFile(sim.devicePath))).toBe(false);

    const [fax, ...more] = await receivedJson(conf);
    expect(more).toEqual([]);
    expect(fax).toMatchObject({ id: 1, remoteId: 'LINESIM', pages: 2, result: 'received', ecm: false });
    // Caller ID: reported by the modem after the first RING (AT+VCID=1), kept in the record.
    expect([fax.callerId, fax.callerName]).toEqual(['5551234', 'ACME Corp']);
    expect(log).toMatch(/call answered, fax 1 \(caller 5551234 "ACME Corp"\)/);
    const listed = await execa(process.execPath, [LPFAX, 'received', '--config', conf]);
    expect(listed.stdout.split('\n')[0].split('\t').slice(2, 5)).toEqual([
      'LINESIM',
      '5551234 "ACME Corp"',
      '2 pages',
    ]);
    const tiff = fax.tiff as string;
    const pdf = fax.pdf as string;
    expect(tiff).toBe(join(dir, 'spool', 'received', '1', 'fax.tif'));
    expect(pdf).toBe(join(dir, 'spool', 'received', '1', 'fax.pdf'));
    const got = readTiff(new Uint8Array(await readFile(tiff)));
    expect(got).toHaveLength(2);
    got.forEach((p, i) => expect(bitmapsEqual(p.bitmap, sent[i])).toBe(true));
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    const info = await execa('pdfinfo', [pdf], { reject: false });
    if (info.exitCode === 0) expect(info.stdout).toMatch(/Pages:\s+2/);

    // Private spool: every folder 0700, every file 0600, owned by the service's user.
    const uid = process.getuid!();
    for (const p of [
      join(dir, 'spool'),
      join(dir, 'spool', 'received'),
      join(dir, 'spool', 'received', '1'),
    ]) {
      const s = await stat(p);
      expect([p, s.mode & 0o777, s.uid]).toEqual([p, 0o700, uid]);
    }
    for (const p of [tiff, pdf, join(dir, 'spool', 'archive.db')]) {
      const s = await stat(p);
      expect([p, s.mode & 0o777, s.uid]).toEqual([p, 0o600, uid]);
    }

    // Delivered: the PDF copied into DeliverFolder, the hook run with the facts.
    const copies = await readdir(inbox);
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/_LINESIM\.pdf$/);
    expect(await readFile(join(inbox, copies[0]))).toEqual(await readFile(pdf));
    const env = await readFile(hookOut, 'utf8');
    expect(env).toContain(`LPFAX_PDF=${pdf}\n`);
    expect(env).toContain('LPFAX_PAGES=2\n');
    expect(env).toContain('LPFAX_REMOTE_ID=LINESIM\n');
  } finally {
    await sim.stop();
  }
}, 240_000);

test('SIGTERM during a call: the pages so far filed as partial, the modem hung up, the lock freed', async () => {
  const sent = [page(400, 1), page(400, 2), page(400, 3), page(400, 4)];
  const sim = await startLineSim({
    speed: 2,
    ringAfterSeconds: 0.5,
    send: await document(sent),
    modems: ['v29'],
    ecm: false,
  });
  try {
    const conf = await config(sim.devicePath);
    const svc = startService(conf);
    await svc.until(/fax 1 page 1 /);
    await stopsCleanly(svc);
    expect(svc.stderr()).toMatch(/SIGTERM: stopping/);
    expect(svc.stderr()).toMatch(/fax 1 filed: partial, [123] pages? from "LINESIM"/);
    expect(existsSync(lockFile(sim.devicePath))).toBe(false);
    expect(existsSync(`${lockFile(sim.devicePath)}.rx`)).toBe(false);
    const far = await sim.nextCall(30_000);
    expect(far.outcome).not.toBe('completed');
    const [fax] = await receivedJson(conf);
    expect(fax).toMatchObject({ id: 1, result: 'partial' });
    const pages = fax.pages as number;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThan(4);
    const got = readTiff(new Uint8Array(await readFile(fax.tiff as string)));
    expect(got).toHaveLength(pages);
    got.forEach((p, i) => expect(bitmapsEqual(p.bitmap, sent[i])).toBe(true));
  } finally {
    await sim.stop();
  }
}, 240_000);

test('SIGKILL during a call: the next start files the cut-off call as partial', async () => {
  const sent = [page(400, 1), page(400, 2), page(400, 3), page(400, 4)];
  const sim = await startLineSim({
    speed: 2,
    ringAfterSeconds: 0.5,
    send: await document(sent),
    modems: ['v29'],
    ecm: false,
  });
  try {
    const conf = await config(sim.devicePath);
    const first = startService(conf);
    await first.until(/fax 1 page 1 /);
    first.child.kill('SIGKILL');
    await first.child;
    await sim.nextCall(30_000);
    const second = startService(conf);
    await second.until(/fax 1 cut off by a stop of the service, filed as partial/);
    await second.until(/waiting for a call/);
    await stopsCleanly(second);
    const faxes = await receivedJson(conf);
    const fax = faxes.find((f) => f.id === 1)!;
    expect(fax).toMatchObject({ result: 'partial' });
    const pages = fax.pages as number;
    expect(pages).toBeGreaterThanOrEqual(1);
    const got = readTiff(new Uint8Array(await readFile(fax.tiff as string)));
    expect(got).toHaveLength(pages);
    got.forEach((p, i) => expect(bitmapsEqual(p.bitmap, sent[i])).toBe(true));
    expect(fax.pdf).toBe(join(dir, 'spool', 'received', '1', 'fax.pdf'));
    expect((await readFile(fax.pdf as string)).subarray(0, 5).toString()).toBe('%PDF-');
  } finally {
    await sim.stop();
  }
}, 240_000);

test('two lines answering at once: both calls filed, each from its own line', async () => {
  const doc = await document([page(60, 5)]);
  const a = await startLineSim({
    speed: 4,
    ringAfterSeconds: 0.5,
    send: doc,
    modems: ['v29'],
    ecm: false,
    ident: 'LINE A',
  });
  const b = await startLineSim({
    speed: 4,
    ringAfterSeconds: 0.5,
    send: doc,
    modems: ['v29'],
    ecm: false,
    ident: 'LINE B',
  });
  try {
    const conf = await config(a.devicePath, [`ReceiveDevices: ${b.devicePath}`]);
    const svc = startService(conf);
    await svc.until(/fax \d filed[^]*fax \d filed/);
    expect(await a.nextCall(30_000)).toMatchObject({ direction: 'incoming', outcome: 'completed', pages: 1 });
    expect(await b.nextCall(30_000)).toMatchObject({ direction: 'incoming', outcome: 'completed', pages: 1 });
    await stopsCleanly(svc);
    const log = svc.stderr();
    expect(log).toMatch(new RegExp(`${a.devicePath}: fax \\d filed: received, 1 page from "LINE A"`));
    expect(log).toMatch(new RegExp(`${b.devicePath}: fax \\d filed: received, 1 page from "LINE B"`));
    // At once: both calls were answered before either was filed.
    const answered = [...log.matchAll(/call answered/g)].map((m) => m.index);
    expect(answered).toHaveLength(2);
    expect(Math.max(...answered)).toBeLessThan(log.indexOf(' filed: '));
    const faxes = await receivedJson(conf);
    expect(faxes.map((f) => [f.remoteId, f.result, f.pages]).sort()).toEqual([
      ['LINE A', 'received', 1],
      ['LINE B', 'received', 1],
    ]);
    for (const sim of [a, b]) {
      expect(existsSync(lockFile(sim.devicePath))).toBe(false);
      expect(log).toMatch(new RegExp(`${sim.devicePath}: modem closed`));
    }
  } finally {
    await a.stop();
    await b.stop();
  }
}, 120_000);
