/**
 * Class1Modem against the simulated line (test/linesim): spandsp's T.31 modem on a pty, whose far
 * end is a spandsp fax terminal. Frames are checked against T.30 (§5.3.6 FCF, Table 2 DIS bits).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLineSim, type LineSim, type LineSimOptions } from '../linesim/linesim.js';
import { Class1Modem } from '../../lib/modem/class1.js';
import { ModemError } from '../../lib/modem/errors.js';

const trace = process.env.LPFAX_TRACE
  ? (d: string, t: string) => console.log(d, JSON.stringify(t))
  : undefined;
let lockDir: string;
let sim: LineSim | undefined;

beforeEach(async () => {
  lockDir = await mkdtemp(join(tmpdir(), 'lpfax-lock-'));
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  await rm(lockDir, { recursive: true, force: true });
});

async function open(options: LineSimOptions = {}): Promise<Class1Modem> {
  sim = await startLineSim({ ringSeconds: 1, ...options });
  const modem = await Class1Modem.open(sim.devicePath, { lockDir, trace });
  await modem.init();
  return modem;
}

/** Frames of one V.21 transmission, up to and including the final frame (T.30 §5.3.5). */
async function receiveFrames(modem: Class1Modem): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (;;) {
    const f = await modem.receiveFrame({ timeoutMs: 10000 });
    frames.push(f);
    if (f[1] === 0x13) return frames;
  }
}

/** T.30 bit n (1-based, Table 2) of a DIS/DCS frame FF 13 FCF b1…b8 b9…b16 … */
const bit = (frame: Uint8Array, n: number): boolean =>
  ((frame[3 + Math.floor((n - 1) / 8)]! >> ((n - 1) % 8)) & 1) === 1;

/** An ident as T.30 §5.3.6.2.4 sends it: 20 characters, last character first. */
const identFrame = (fcf: number, ident: string): Uint8Array =>
  Uint8Array.from([0xff, 0x03, fcf, ...Buffer.from(ident.padEnd(20, ' '), 'latin1').reverse()]);
const identOf = (frame: Uint8Array): string =>
  Buffer.from(frame.slice(3)).reverse().toString('latin1').trim();

test('capabilities of the simulated modem', async () => {
  const modem = await open();
  const caps = await modem.capabilities();
  expect(caps.classes).toContain('1');
  expect(caps.transmit).toEqual(expect.arrayContaining([24, 48, 72, 96, 145, 146]));
  expect(caps.receive).toEqual(expect.arrayContaining([24, 48, 72, 96, 145, 146]));
  expect(caps.hdlcReceive).toContain(3);
  expect((await modem.identify()).ati.length).toBeGreaterThan(0);
  await modem.close();
  expect(await readdir(lockDir)).toEqual([]);
}, 30000);

test('a dialled call: CSI and DIS after CONNECT, then DCN ends the call at the far end', async () => {
  const modem = await open({ modems: ['v27ter', 'v29'] });
  await modem.dial('555-1234');
  const frames = await receiveFrames(modem);
  const csi = frames.find((f) => f[2] === 0x40);
  const dis = frames.at(-1)!;
  expect(csi && identOf(csi)).toBe('LINESIM');
  expect(dis[2]).toBe(0x80); // DIS (T.30 §5.3.6.1.1)
  expect(bit(dis, 10)).toBe(true); // receiver fax operation
  // Bits 11-14 = 1,1,0,0: V.27 ter and V.29 (T.30 Table 2), as the far end was configured.
  expect([11, 12, 13, 14].map((n) => bit(dis, n))).toEqual([true, true, false, false]);
  await modem.sendFrames([Uint8Array.of(0xff, 0x13, 0xfb)]); // DCN
  await modem.hangup();
  const call = await sim!.nextCall(20000);
  expect(call.number).toBe('5551234');
  expect(call.completionText).toMatch(/DCN/);
  expect(call.pages).toBe(0);
  await modem.close();
}, 60000);

test('TSI and DCS as two frames, TCF at 4800 bit/s, CFR back (T.30 §5.3.6, §6.2)', async () => {
  const modem = await open();
  await modem.dial('5551234');
  const dis = (await receiveFrames(modem)).at(-1)!;
  expect(dis[2]).toBe(0x80);
  // DCS: receiver fax operation (bit 10), V.27 ter 4800 (bits 11-14 = 0,1,0,0), scan line time 0 ms.
  const dcs = Uint8Array.of(0xff, 0x13, 0x83, 0x00, 0x0a, 0x70);
  await modem.sendFrames([identFrame(0x43, '+1 555 0100'), dcs]);
  await modem.sendSilence(8); // 75 ms ± 20 before TCF (T.30 §5.3.2.1)
  await modem.sendData(48, new Uint8Array((4800 * 1.5) / 8)); // TCF: 1.5 s of zeros
  const answer = await receiveFrames(modem);
  expect(answer.at(-1)![2]).toBe(0x84); // CFR
  await modem.sendFrames([Uint8Array.of(0xff, 0x13, 0xfb)]);
  await modem.hangup();
  const call = await sim!.nextCall(20000);
  expect(call.remoteIdent).toBe('+1 555 0100');
  await modem.close();
}, 60000);

test('XOFF while the modem buffer is full; V.21 when high speed was asked is wrong-carrier', async () => {
  const modem = await open({ speed: 2 });
  await modem.dial('5551234');
  await receiveFrames(modem);
  await modem.sendFrames([Uint8Array.of(0xff, 0x13, 0x83, 0x00, 0x0a, 0x70)]); // DCS, V.27 ter 4800
  await modem.sendSilence(8);
  // 10 s of TCF: far more than the simulator's 3 kB buffer, so it must hold us back with XOFF.
  await modem.sendData(48, new Uint8Array(6000));
  expect(modem.channel.xoffCount).toBeGreaterThan(0);
  // The far end answers on V.21 (CFR); asking for V.27 ter data gets +FCERROR (T.31 §8.3.2) …
  const e = await modem.receiveData(48, { timeoutMs: 5000 }).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ModemError);
  expect((e as ModemError).kind).toBe('wrong-carrier');
  // … and the frame is still there for +FRH=3.
  expect((await receiveFrames(modem)).at(-1)![2]).toBe(0x84);
  await modem.hangup();
  await modem.close();
}, 60000);

test.each([
  [{ busy: true }, 'busy', 'busy'],
  [{ noAnswer: true }, 'no-answer', 'no-answer'],
  [{ noDialtone: true }, 'no-dial-tone', 'no-dialtone'],
] as const)(
  'fault %j is a typed %s error and the lock goes',
  async (fault, kind, outcome) => {
    const modem = await open(fault);
    const e = await modem.dial('5551234').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ModemError);
    expect((e as ModemError).kind).toBe(kind);
    const call = await sim!.nextCall(20000);
    expect(call.outcome).toBe(outcome);
    await modem.hangup();
    await modem.close();
    expect(await readdir(lockDir)).toEqual([]);
  },
  30000,
);

/** A one-page TIFF-F (efax's efix), white with a black band, for the far end to send. */
async function tiffPage(dir: string): Promise<string> {
  const width = 1728;
  const height = 64;
  const rows = Buffer.alloc((width / 8) * height);
  rows.fill(0xff, (width / 8) * 20, (width / 8) * 30);
  const pbm = join(dir, 'page.pbm');
  const tif = join(dir, 'page.tif');
  await writeFile(pbm, Buffer.concat([Buffer.from(`P4\n${width} ${height}\n`), rows]));
  await new Promise<void>((resolve, reject) =>
    execFile('efix', ['-i', 'pbm', '-o', 'tiffg3', '-n', tif, pbm], (err) => (err ? reject(err) : resolve())),
  );
  return tif;
}

test('an incoming call: RING, ATA, CSI+DIS sent, DCS and TCF and a page received (+FRM), MCF', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lpfax-in-'));
  try {
    const modem = await open({ send: await tiffPage(dir), ident: 'FAR SENDER', ringAfterSeconds: 0.5 });
    await modem.waitForRing(10000);
    await modem.answer();
    // DIS: receiver fax operation, V.27 ter only (bits 11-14 = 0,1,0,0), fine resolution (bit 15),
    // scan line time 0 ms (bits 21-23).
    await modem.sendFrames([identFrame(0x40, 'LPFAX'), Uint8Array.of(0xff, 0x13, 0x80, 0x00, 0x4a, 0x70)]);
    const command = await receiveFrames(modem);
    expect(identOf(command.find((f) => (f[2]! & 0xfe) === 0x42)!)).toBe('FAR SENDER'); // TSI
    const dcs = command.at(-1)!;
    expect(dcs[2]! & 0xfe).toBe(0x82); // DCS
    const modulation = bit(dcs, 12) ? 48 : 24; // V.27 ter 4800 or 2400
    const tcf = await modem.receiveData(modulation, { timeoutMs: 6000 });
    expect(tcf.endedBy).toBe('carrier-lost');
    // 1.5 s of zeros (T.30 §5.3.6.2.5), give or take the modem's start and end.
    const expected = (1.5 * (modulation === 48 ? 4800 : 2400)) / 8;
    expect(tcf.data.length).toBeGreaterThan(expected * 0.7);
    expect(tcf.data.filter((b) => b === 0).length / tcf.data.length).toBeGreaterThan(0.95);
    await modem.sendFrames([Uint8Array.of(0xff, 0x13, 0x84)]); // CFR
    const page = await modem.receiveData(modulation, { timeoutMs: 10000 });
    expect(page.data.length).toBeGreaterThan(100);
    const post = (await receiveFrames(modem)).at(-1)!;
    expect(post[2]! & 0xfe).toBe(0x2e); // EOP
    await modem.sendFrames([Uint8Array.of(0xff, 0x13, 0x8c)]); // MCF
    expect((await modem.receiveFrame({ timeoutMs: 10000 }))[2]! & 0xfe).toBe(0xfa); // DCN
    await modem.hangup();
    const call = await sim!.nextCall(20000);
    expect(call).toMatchObject({ direction: 'incoming', pages: 1, remoteIdent: 'LPFAX' });
    await modem.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 90000);
