/**
 * One modem, two users: the fax service (`lpfax serve`) waiting for calls and a sender
 * (`lpfax send`, which opens the modem exactly as the CUPS backend does: lib/job/call.ts
 * openForSending) race for the simulated line. The UUCP lock decides who drives the modem; a
 * sender asks a waiting service to yield with a send request (lib/modem/line-share.ts).
 * - The service is waiting: the sender gets the modem, sends, and the service answers again
 *   afterwards (the far end's call into the next session is received and filed).
 * - The service is in a call: the sender waits a few seconds, then ends with modem-locked and
 *   "Line busy: receiving a fax" (a retry for CUPS, never a failure); the fax is filed whole;
 *   the retried send then gets the line.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAILURE_TABLE, LpfaxExit } from '../../lib/failure/index.js';
import { createBitmap, setPixel, writeTiffF, type Bitmap } from '../../lib/t4/index.js';
import { startLineSim } from '../linesim/linesim.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

let dir: string;
let pdf: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-share-'));
  const ps = join(dir, 'doc.ps');
  await writeFile(ps, '%!PS\n/Helvetica findfont 28 scalefont setfont\n72 700 moveto (One) show showpage\n');
  pdf = join(dir, 'doc.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function page(height: number, seed: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < 1728; x++)
      if ((x + y * seed) % 37 < 2 || y % (13 + seed) === 0) setPixel(b, x, y, true);
  return b;
}

async function setup(device: string): Promise<string> {
  const conf = join(dir, 'lpfax.conf');
  await writeFile(
    conf,
    [
      `ReceiveDevices: ${device}`,
      `LocalIdentifier: +1 555 0199`,
      `LockDir: ${dir}`,
      `SpoolDir: ${join(dir, 'spool')}`,
      'Tagline: off',
      'CoverPage: off',
    ].join('\n') + '\n',
  );
  return conf;
}

function startService(conf: string) {
  const child = execa(process.execPath, [LPFAX, 'serve', '--config', conf], {
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

function send(conf: string, device: string) {
  return execa(process.execPath, [LPFAX, 'send', '--device', device, '--to', '555-0100', '--no-cover', pdf], {
    env: { LPFAX_CONFIG: conf },
    reject: false,
    timeout: 120_000,
  });
}

async function received(conf: string): Promise<Array<Record<string, unknown>>> {
  return JSON.parse((await execa(process.execPath, [LPFAX, 'received', '--json', '--config', conf])).stdout);
}

test('the service is waiting for a ring: a send gets the modem, then the service answers again', async () => {
  const doc = join(dir, 'in.tif');
  await writeFile(doc, writeTiffF([{ bitmap: page(100, 1), resolution: 'fine' }], { coding: 'mh' }));
  // Each open of the pty is a session; the far end calls 40 simulated seconds (10 s) after it.
  const sim = await startLineSim({ speed: 4, ringAfterSeconds: 40, send: doc, modems: ['v29'], ecm: false });
  try {
    const conf = await setup(sim.devicePath);
    const svc = startService(conf);
    await svc.until(/waiting for a call/);
    const out = await send(conf, sim.devicePath);
    expect([out.exitCode, out.stderr.split('\n').slice(-1)[0]]).toEqual([
      LpfaxExit.OK,
      expect.stringMatching(/^Delivered 1 page to 5550100/),
    ]);
    const dialled = await sim.nextCall(30_000);
    expect(dialled).toMatchObject({ direction: 'dial', outcome: 'completed', pages: 1 });
    expect(svc.stderr()).toMatch(/line handed to a sender/);
    // The service takes the line back and answers the far end's call into its new session.
    await svc.until(/fax 1 filed: received, 1 page from "LINESIM"/);
    const incoming = await sim.nextCall(30_000);
    expect(incoming).toMatchObject({ direction: 'incoming', outcome: 'completed', pages: 1 });
    await stopsCleanly(svc);
    expect(await received(conf)).toEqual([expect.objectContaining({ id: 1, result: 'received', pages: 1 })]);
    expect(existsSync(join(dir, `LCK..${basename(sim.devicePath)}.send`))).toBe(false);
  } finally {
    await sim.stop();
  }
}, 240_000);

test('the service is receiving: a send waits, then says "Line busy: receiving a fax" (a retry); the retry sends', async () => {
  const doc = join(dir, 'in.tif');
  const pages = [1, 2, 3, 4, 5, 6].map((i) => ({ bitmap: page(400, i), resolution: 'fine' as const }));
  await writeFile(doc, writeTiffF(pages, { coding: 'mh' }));
  const sim = await startLineSim({ speed: 2, ringAfterSeconds: 0.5, send: doc, modems: ['v29'], ecm: false });
  try {
    const conf = await setup(sim.devicePath);
    const svc = startService(conf);
    await svc.until(/call answered, fax 1/);
    const busy = await send(conf, sim.devicePath);
    expect(FAILURE_TABLE['modem-locked'].retry).toBe(true);
    expect([busy.exitCode, busy.stderr.split('\n').slice(-1)[0]]).toEqual([
      FAILURE_TABLE['modem-locked'].lpfax,
      `lpfax: modem-locked: Line busy: receiving a fax on ${sim.devicePath}; try again later.`,
    ]);
    await svc.until(/fax 1 filed: received, 6 pages/);
    expect(await sim.nextCall(30_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'completed',
      pages: 6,
    });
    // The retry: the service is waiting again, so it yields.
    const retried = await send(conf, sim.devicePath);
    expect(retried.exitCode).toBe(LpfaxExit.OK);
    expect(await sim.nextCall(30_000)).toMatchObject({ direction: 'dial', outcome: 'completed', pages: 1 });
    await stopsCleanly(svc);
  } finally {
    await sim.stop();
  }
}, 240_000);
