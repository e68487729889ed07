/**
 * Calls the service refuses, on the simulated line (`lpfax serve` as a child process):
 * - a caller ID on RejectCallers: the call is left to ring, unanswered, logged, not filed;
 * - a TSI on RejectCallers: the call is ended right after the TSI (DCN), filed as 'rejected'
 *   with no pages, not delivered;
 * - a spool with less free space than MinFreeSpace: no call is answered (logged once).
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBitmap, setPixel, writeTiffF } from '../../lib/t4/index.js';
import { startLineSim, type LineSimOptions } from '../linesim/linesim.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

let dir: string;
const running: Array<{ kill(signal: string): boolean; exitCode: number | null }> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-screen-'));
});
afterEach(async () => {
  // A test that failed before stopping its service: do not leave it running.
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function lineSim(options: LineSimOptions) {
  const b = createBitmap(1728, 60);
  for (let x = 0; x < 1728; x += 9) setPixel(b, x, 30, true);
  const doc = join(dir, 'in.tif');
  await writeFile(doc, writeTiffF([{ bitmap: b, resolution: 'fine' }], { coding: 'mh' }));
  return startLineSim({
    speed: 4,
    ringAfterSeconds: 0.5,
    send: doc,
    modems: ['v29'],
    ecm: false,
    ...options,
  });
}

async function config(device: string, extra: string[]): Promise<string> {
  const conf = join(dir, 'lpfax.conf');
  await writeFile(
    conf,
    [
      `ReceiveDevices: ${device}`,
      'LocalIdentifier: +1 555 0199',
      `LockDir: ${dir}`,
      `SpoolDir: ${join(dir, 'spool')}`,
      ...extra,
    ].join('\n') + '\n',
  );
  return conf;
}

function startService(conf: string) {
  const child = execa(process.execPath, [LPFAX, 'serve', '--config', conf], {
    reject: false,
    timeout: 120_000,
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const until = async (re: RegExp, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!re.test(err)) {
      if (child.exitCode !== null) throw new Error(`service exited: ${err}`);
      if (Date.now() > end) throw new Error(`no ${re} in: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    child.kill('SIGTERM');
    const run = await child;
    expect([run.exitCode, err]).toEqual([0, expect.stringMatching(/service stopped\n$/)]);
  };
  return { stderr: () => err, until, stop };
}

async function received(conf: string): Promise<Array<Record<string, unknown>>> {
  return JSON.parse((await execa(process.execPath, [LPFAX, 'received', '--json', '--config', conf])).stdout);
}

test('a caller ID on RejectCallers: the call rings unanswered, logged, not filed', async () => {
  const sim = await lineSim({ callerId: '5550666,JUNK FAX', rings: 3 });
  try {
    const conf = await config(sim.devicePath, ['AnswerRings: 2', 'RejectCallers: +1 555 0100, *0666']);
    const svc = startService(conf);
    await svc.until(/refused/);
    expect(await sim.nextCall(60_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'no-answer',
      pages: 0,
    });
    await svc.stop();
    expect(svc.stderr().match(/refused.*/g)).toEqual(['refused (RejectCallers "*0666"): not answered']);
    expect(svc.stderr()).toMatch(/call from 5550666 "JUNK FAX" refused/);
    expect(svc.stderr()).not.toMatch(/call answered/);
    expect(await received(conf)).toEqual([]);
  } finally {
    await sim.stop();
  }
}, 120_000);

test('a TSI on RejectCallers: hung up after the TSI, filed as rejected with no pages, not delivered', async () => {
  const sim = await lineSim({ ident: 'JUNK 42' });
  try {
    const inbox = join(dir, 'inbox');
    await mkdir(inbox, { mode: 0o700 });
    const conf = await config(sim.devicePath, ['RejectCallers: junk*', `DeliverFolder: ${inbox}`]);
    const svc = startService(conf);
    await svc.until(/fax 1 filed/);
    const far = await sim.nextCall(60_000);
    expect([far.outcome, far.pages]).toEqual([expect.not.stringMatching(/^completed$/), 0]);
    await svc.stop();
    expect(svc.stderr()).toMatch(/fax 1: sender "JUNK 42" refused \(RejectCallers "junk\*"\): hanging up/);
    expect(svc.stderr()).toMatch(/fax 1 filed: rejected, 0 pages from "JUNK 42"\n/);
    expect(await received(conf)).toEqual([
      expect.objectContaining({
        id: 1,
        remoteId: 'JUNK 42',
        result: 'rejected',
        pages: 0,
        failure: 'The sender is on the reject list (junk*).',
        delivery: 'none',
      }),
    ]);
    expect(await readdir(inbox)).toEqual([]);
  } finally {
    await sim.stop();
  }
}, 120_000);

test('less free space in the spool than MinFreeSpace: the service does not answer (logged once)', async () => {
  const sim = await lineSim({ rings: 3 });
  try {
    const conf = await config(sim.devicePath, ['MinFreeSpace: 1000000G']);
    const svc = startService(conf);
    expect(await sim.nextCall(60_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'no-answer',
      pages: 0,
    });
    await svc.stop();
    expect(
      svc.stderr().match(/not answering: .* free in .*spool, below MinFreeSpace 1000000000\.0 MB/g),
    ).toHaveLength(1);
    expect(svc.stderr()).not.toMatch(/call answered/);
    expect(await received(conf)).toEqual([]);
  } finally {
    await sim.stop();
  }
}, 120_000);
