/**
 * One modem, two users: the fax service (`lpfax serve`) waiting for calls and a sender
 * (`lpfax send`, which opens the modem exactly as the CUPS backend does: lib/job/call.ts
 * openForSending) race for the simulated line. The UUCP lock decides who drives the modem; a
 * sender asks a waiting service to yield with a send request (lib/modem/line-share.ts).
 * Round after round on one service, both directions race (LPFAX_SHARE_ROUNDS rounds, 3 by
 * default to keep CI short; 20 as a benchmark):
 * - A: the service is waiting for a ring: the sender gets the modem at once, sends, and the
 *   service answers again afterwards (the far end's call into its next session).
 * - B: the service is in a call: the sender waits ("Line busy: receiving a fax"; after 30 minutes
 *   of that it would end with modem-locked, a retry for CUPS, never a failure); the fax is filed
 *   whole, then the service yields and the send goes out.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LpfaxExit } from '../../lib/failure/index.js';
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

/**
 * Both directions racing, round after round on one service: a send arriving while the service
 * waits for a ring (it yields at once), and a send arriving while a call is being received (it
 * waits for the call to be filed). Nothing lost, no send failed. LPFAX_SHARE_ROUNDS sets the
 * rounds (3 here, to keep CI short; 20 as a benchmark).
 */
test(
  'both directions racing, round after round: every call filed, every send delivered',
  async () => {
    const rounds = Number(process.env.LPFAX_SHARE_ROUNDS ?? 3);
    const doc = join(dir, 'in.tif');
    await writeFile(doc, writeTiffF([{ bitmap: page(100, 3), resolution: 'fine' }], { coding: 'mh' }));
    // Each session of the service's (each open of the pty) the far end calls in after 20
    // simulated seconds (5 s): the sender of A has the line before that, and a sender's own
    // session dials long before its ring would come.
    const sim = await startLineSim({
      speed: 4,
      ringAfterSeconds: 20,
      send: doc,
      modems: ['v29'],
      ecm: false,
    });
    const calls: Array<{ direction: string; outcome: string; pages: number }> = [];
    let started: ReturnType<typeof startService> | undefined;
    try {
      const conf = await setup(sim.devicePath);
      const svc = startService(conf);
      started = svc;
      let waits = 0;
      const count = (re: RegExp) => svc.stderr().match(new RegExp(re.source, 'g'))?.length ?? 0;
      for (let round = 1; round <= rounds; round++) {
        // A: the service is waiting for a ring (its n-th wait): the send gets the line at once.
        waits++;
        await svc.until(new RegExp(`(waiting for a call[^]*){${waits}}`));
        const a = await send(conf, sim.devicePath);
        expect([round, 'waiting', a.exitCode, a.stderr.split('\n').slice(-1)[0]]).toEqual([
          round,
          'waiting',
          LpfaxExit.OK,
          expect.stringMatching(/^Delivered 1 page to 5550100/),
        ]);
        expect(a.stderr).not.toMatch(/Line busy/);
        // B: the far end calls into the service's next session; a send arrives during the call.
        waits++;
        await svc.until(new RegExp(`(call answered, fax ${round}\\b)`));
        const b = await send(conf, sim.devicePath);
        expect([round, 'receiving', b.exitCode, b.stderr.split('\n').slice(-1)[0]]).toEqual([
          round,
          'receiving',
          LpfaxExit.OK,
          expect.stringMatching(/^Delivered 1 page to 5550100/),
        ]);
        expect(b.stderr).toContain('Line busy: receiving a fax');
        // The call was filed whole before the line went to the sender.
        const log = svc.stderr();
        const filed = log.indexOf(`fax ${round} filed: received, 1 page`);
        const handed = log.indexOf('line handed to a sender', filed);
        expect([round, filed > -1 && handed > filed ? 'in order' : log.split('\n').slice(-15)]).toEqual([
          round,
          'in order',
        ]);
      }
      await svc.until(new RegExp(`(line handed to a sender[^]*){${2 * rounds}}`));
      await stopsCleanly(svc);
      // Every call the line saw (a sender's session may also have heard the far end ring, unanswered).
      for (;;) {
        const call = await sim.nextCall(3_000).catch(() => undefined);
        if (!call) break;
        calls.push(call);
      }
      expect(calls.filter((c) => c.outcome !== 'completed' && c.outcome !== 'no-answer')).toEqual([]);
      expect(count(/filed: received, 1 page/)).toBe(rounds);
      expect(
        calls.filter((c) => c.direction === 'dial' && c.outcome === 'completed' && c.pages === 1),
      ).toHaveLength(2 * rounds);
      expect(
        calls.filter((c) => c.direction === 'incoming' && c.outcome === 'completed' && c.pages === 1),
      ).toHaveLength(rounds);
      const filed = await received(conf);
      expect(filed.map((f) => [f.result, f.pages])).toEqual(
        Array.from({ length: rounds }, () => ['received', 1]),
      );
      expect(existsSync(join(dir, `LCK..${basename(sim.devicePath)}.send`))).toBe(false);
      expect(existsSync(join(dir, `LCK..${basename(sim.devicePath)}.rx`))).toBe(false);
    } finally {
      if (started?.child.exitCode === null) started.child.kill('SIGKILL');
      await sim.stop();
    }
  },
  Math.max(600_000, Number(process.env.LPFAX_SHARE_ROUNDS ?? 3) * 60_000),
);
