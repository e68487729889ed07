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
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-share-'));
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
    timeout: Math.max(240_000, Number(process.env.LPFAX_SHARE_ROUNDS ?? 3) * 60_000),
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  /** Until the log has `times` lines matching `re` (counted line by line: no backtracking). */
  const until = async (re: RegExp, ms = 120_000, times = 1) => {
    const end = Date.now() + ms;
    while (err.split('\n').filter((l) => re.test(l)).length < times) {
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

function send(conf: string, device: string, doc: string) {
  return execa(process.execPath, [LPFAX, 'send', '--device', device, '--to', '555-0100', '--no-cover', doc], {
    env: { LPFAX_CONFIG: conf },
    reject: false,
    timeout: 120_000,
  });
}

async function received(conf: string): Promise<Array<Record<string, unknown>>> {
  return JSON.parse((await execa(process.execPath, [LPFAX, 'received', '--json', '--config', conf])).stdout);
}

/**
 * Both directions racing, round after round on one service: A, a send started as soon as the
 * service waits for a ring (it yields at once); B, a send started as soon as a call is answered
 * (it waits for the call to be filed). Each send is delivered and each call filed whatever the
 * timing; the direction each send met is read from its status ("Line busy: receiving a fax" or
 * not), and both must have happened. LPFAX_SHARE_ROUNDS sets the rounds (3 here, to keep CI
 * short; 20 as a benchmark, which prints how the sends met the line).
 */
test(
  'both directions racing, round after round: every call filed, every send delivered',
  async () => {
    const rounds = Number(process.env.LPFAX_SHARE_ROUNDS ?? 3);
    const incoming = join(dir, 'in.tif');
    // Two pages coming in (about 5 s at --speed 4): a B sender, started at "call answered",
    // finds the call still on.
    await writeFile(
      incoming,
      writeTiffF(
        [1, 2].map((i) => ({ bitmap: page(200, i), resolution: 'fine' as const })),
        { coding: 'mh' },
      ),
    );
    // The senders send a TIFF-F: no Ghostscript between their start and the modem.
    const outgoing = join(dir, 'out.tif');
    await writeFile(outgoing, writeTiffF([{ bitmap: page(100, 3), resolution: 'fine' }], { coding: 'mh' }));
    // Each session of the service's (each open of the pty) the far end calls in after 32
    // simulated seconds (8 s): an A sender has the line before that, and a sender's own session
    // dials long before its ring would come.
    const sim = await startLineSim({
      speed: 4,
      ringAfterSeconds: 32,
      send: incoming,
      modems: ['v29'],
      ecm: false,
    });
    const calls: Array<{ direction: string; outcome: string; pages: number }> = [];
    const met: string[] = [];
    let started: ReturnType<typeof startService> | undefined;
    try {
      const conf = await setup(sim.devicePath);
      const svc = startService(conf);
      started = svc;
      const count = (re: RegExp) => svc.stderr().match(new RegExp(re.source, 'g'))?.length ?? 0;
      const sendOnce = async (round: number, direction: 'A' | 'B') => {
        const out = await send(conf, sim.devicePath, outgoing);
        expect([round, direction, out.exitCode, out.stderr.split('\n').slice(-1)[0]]).toEqual([
          round,
          direction,
          LpfaxExit.OK,
          expect.stringMatching(/^Delivered 1 page to 5550100/),
        ]);
        met.push(
          `${direction}:${/Line busy: receiving a fax/.test(out.stderr) ? 'waited for a call' : 'line yielded'}`,
        );
      };
      for (let round = 1; round <= rounds; round++) {
        // A: the service's (2r-1)-th wait for a ring (each send makes it yield and reopen once).
        await svc.until(/waiting for a call/, 120_000, 2 * round - 1);
        await sendOnce(round, 'A');
        // B: the far end's call into the service's next session, answered.
        await svc.until(new RegExp(`call answered, fax ${round}\\b`));
        await sendOnce(round, 'B');
      }
      await svc.until(/line handed to a sender/, 120_000, 2 * rounds);
      await stopsCleanly(svc);
      if (process.env.LPFAX_SHARE_ROUNDS)
        console.log(
          `${rounds} rounds: ${JSON.stringify(met.reduce<Record<string, number>>((n, m) => ({ ...n, [m]: (n[m] ?? 0) + 1 }), {}))}`,
        );
      // Both directions happened: sends that made a waiting service yield, sends that waited.
      expect(met).toEqual(expect.arrayContaining(['A:line yielded', 'B:waited for a call']));
      // A send that waited went out only after the call was filed whole.
      const log = svc.stderr();
      for (let round = 1; round <= rounds; round++) {
        const filed = log.indexOf(`fax ${round} filed: received, 2 pages`);
        const handed = log.indexOf('line handed to a sender', filed);
        expect([round, filed > -1 && handed > filed ? 'in order' : log.split('\n')]).toEqual([
          round,
          'in order',
        ]);
      }
      // Every call the line saw (a sender's session may also have heard the far end ring, unanswered).
      for (;;) {
        const call = await sim.nextCall(3_000).catch(() => undefined);
        if (!call) break;
        calls.push(call);
      }
      expect(calls.filter((c) => c.outcome !== 'completed' && c.outcome !== 'no-answer')).toEqual([]);
      expect(count(/filed: received, 2 pages/)).toBe(rounds);
      expect(
        calls.filter((c) => c.direction === 'dial' && c.outcome === 'completed' && c.pages === 1),
      ).toHaveLength(2 * rounds);
      expect(
        calls.filter((c) => c.direction === 'incoming' && c.outcome === 'completed' && c.pages === 2),
      ).toHaveLength(rounds);
      const filed = await received(conf);
      expect(filed.map((f) => [f.result, f.pages])).toEqual(
        Array.from({ length: rounds }, () => ['received', 2]),
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
