/**
 * The simulated line proves itself against a fax program we did not write:
 * efax (Debian `efax`) talks Class 1 to the pty, spandsp is the far end, and
 * the pages that arrive must be the pages that were sent, bit for bit.
 *
 * efax computes "bytes / whole seconds" after each page and dies with SIGFPE
 * when a page's data takes under one wall-clock second, so the pages here are
 * small but the speed factor keeps each page's data phase above a second.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import sharp from 'sharp';
import { startLineSim, type LineSim } from './linesim.js';
import { deframe, hdlc, openClass1 } from './class1.js';

const WIDTH = 1728; // T.4 A4 scan line
const HEIGHT = 123; // 16 mm at 196 lines/inch, what efix makes of -p 215x16mm

interface Bitmap {
  width: number;
  height: number;
  black: boolean[];
}

function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}

/** A raw PBM (P4) page with a blocky, page-specific pattern. */
function pbmPage(seed: number): Buffer {
  const stride = WIDTH / 8;
  const data = Buffer.alloc(stride * HEIGHT);
  let x = seed * 7919;
  for (let row = 0; row < HEIGHT; row++) {
    for (let col = 0; col < stride; col++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      if ((Math.floor(row / 8) + Math.floor(col / 3) + seed) % 5 === 0 && row % 8 < 6) {
        data[row * stride + col] = [0xff, 0xf0, 0x0f, 0x3c][x % 4];
      }
    }
  }
  return Buffer.concat([Buffer.from(`P4\n${WIDTH} ${HEIGHT}\n`), data]);
}

/** Decode every page of a TIFF (any fax coding) with libvips, independent of spandsp and efax. */
async function tiffPages(file: string): Promise<Bitmap[]> {
  const { pages = 1 } = await sharp(file).metadata();
  const out: Bitmap[] = [];
  for (let page = 0; page < pages; page++) {
    const { data, info } = await sharp(file, { page })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    out.push({ width: info.width, height: info.height, black: Array.from(data, (v) => v < 128) });
  }
  return out;
}

/** The received page is the sent page, below at most `maxMargin` white rows (efax's header space). */
function expectSamePage(received: Bitmap, sent: Bitmap, maxMargin: number): void {
  expect(received.width).toBe(sent.width);
  const margin = received.height - sent.height;
  expect(margin).toBeGreaterThanOrEqual(0);
  expect(margin).toBeLessThanOrEqual(maxMargin);
  expect(received.black.slice(0, margin * received.width).some(Boolean)).toBe(false);
  const body = received.black.slice(margin * received.width);
  const differing = body.filter((b, i) => b !== sent.black[i]).length;
  expect(differing).toBe(0);
  expect(sent.black.some(Boolean)).toBe(true);
}

describe('linesim, proved with efax', () => {
  let dir: string;
  let pages: string[];
  let sentBitmaps: Bitmap[];
  let sim: LineSim | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linesim-test-'));
    pages = [];
    for (const n of [1, 2]) {
      await writeFile(join(dir, `p${n}.pbm`), pbmPage(n));
      const tif = join(dir, `p${n}.tif`);
      const r = await run('efix', ['-v', 'e', '-i', 'pbm', '-o', 'tiffg3', '-R', '204x196', '-r', '204x196',
        '-p', '215x16mm', '-n', tif, join(dir, `p${n}.pbm`)]); // prettier-ignore
      expect(r.code).toBe(0);
      pages.push(tif);
    }
    sentBitmaps = [...(await tiffPages(pages[0])), ...(await tiffPages(pages[1]))];
    expect(sentBitmaps.map((b) => [b.width, b.height])).toEqual([
      [WIDTH, HEIGHT],
      [WIDTH, HEIGHT],
    ]);
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('efax sends two pages; the far end receives the same bitmaps; a second call follows in the same run', async () => {
    sim = await startLineSim({ outDir: dir, speed: 3, modems: ['v29'], ident: 'LINESIM 1' });
    const efax = await run('efax', ['-d', sim.devicePath, '-o1', '-h', '', '-l', '+1 555 0100', '-v', 'ewin',
      '-t', '5551234', ...pages]); // prettier-ignore
    expect(efax.log).toContain('done, returning 0');
    expect(efax.code).toBe(0);
    expect(efax.log).toMatch(/remote ID -> +LINESIM 1/);

    const call = await sim.nextCall(30_000);
    expect(call).toMatchObject({
      call: 1,
      direction: 'dial',
      number: '5551234',
      outcome: 'completed',
      pages: 2,
      completionCode: 0,
      bitRate: 9600,
      resolution: 'fine',
      coding: 'mh',
      ecm: false,
      remoteIdent: '+1 555 0100',
      localIdent: 'LINESIM 1',
    });
    expect(call.durationSeconds).toBeGreaterThan(0);
    const received = await tiffPages(call.tiff!);
    expect(received).toHaveLength(2);
    expectSamePage(received[0], sentBitmaps[0], 32);
    expectSamePage(received[1], sentBitmaps[1], 32);

    // The pty was closed by efax; a new open is a fresh modem and a new call.
    const again = await run('efax', [
      '-d',
      sim.devicePath,
      '-o1',
      '-h',
      '',
      '-v',
      'ewin',
      '-t',
      '777',
      pages[1],
    ]);
    expect(again.code).toBe(0);
    const second = await sim.nextCall(30_000);
    expect(second).toMatchObject({ call: 2, number: '777', outcome: 'completed', pages: 1 });
    expect(second.tiff).not.toBe(call.tiff);
    expectSamePage((await tiffPages(second.tiff!))[0], sentBitmaps[1], 32);
  }, 120_000);

  it('busy: efax reports a busy number, the JSON line says busy, SIGTERM removes the symlink', async () => {
    const link = join(dir, 'ttyFAX');
    sim = await startLineSim({ outDir: dir, speed: 4, busy: true, link });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const efax = await run('efax', ['-d', link, '-o1', '-v', 'ewin', '-t', '5550000', pages[0]]);
    expect(efax.log).toContain('number is busy');
    expect(efax.code).toBe(1);
    expect(await sim.nextCall(10_000)).toMatchObject({
      outcome: 'busy',
      number: '5550000',
      pages: 0,
      tiff: null,
    });
    await sim.stop();
    sim = undefined;
    expect(existsSync(link)).toBe(false);
  }, 60_000);

  it.each([
    { fault: { noAnswer: true }, response: 'NO ANSWER', outcome: 'no-answer' },
    { fault: { noDialtone: true }, response: 'NO DIALTONE', outcome: 'no-dialtone' },
  ])(
    '$outcome: efax sees $response and gives up',
    async ({ fault, response, outcome }) => {
      sim = await startLineSim({ outDir: dir, speed: 4, ...fault });
      const efax = await run('efax', ['-d', sim.devicePath, '-o1', '-v', 'ewinc', '-t', '5550000', pages[0]]);
      expect(efax.log).toContain(`response "${response}"`);
      expect(efax.code).toBe(2);
      expect(await sim.nextCall(10_000)).toMatchObject({ outcome, number: '5550000', pages: 0 });
    },
    60_000,
  );

  it('rejects a bad start with a typed error', async () => {
    await expect(startLineSim({ outDir: join(dir, 'missing') })).rejects.toMatchObject({
      kind: 'start-failed',
      message: expect.stringContaining('cannot write'),
    });
  });

  it('a far end limited to V.27ter shows 4800 bit/s in the JSON line and in efax', async () => {
    sim = await startLineSim({ outDir: dir, speed: 4, modems: ['v27ter'], ecm: false, ident: 'SLOW 4800' });
    const efax = await run('efax', [
      '-d',
      sim.devicePath,
      '-o1',
      '-h',
      '',
      '-v',
      'ewin',
      '-t',
      '42',
      pages[0],
    ]);
    expect(efax.code).toBe(0);
    expect(efax.log).toMatch(/remote ID -> +SLOW 4800/);
    expect(efax.log).toMatch(/session .*4800bps/);
    const call = await sim.nextCall(30_000);
    expect(call).toMatchObject({
      outcome: 'completed',
      pages: 1,
      bitRate: 4800,
      ecm: false,
      localIdent: 'SLOW 4800',
    });
    expectSamePage((await tiffPages(call.tiff!))[0], sentBitmaps[0], 32);
  }, 60_000);

  it('a far end that hangs up after page 1 leaves efax without a confirmation', async () => {
    sim = await startLineSim({ outDir: dir, speed: 3, modems: ['v29'], hangupAfterPage: 1 });
    await expect(sim.nextCall(100)).rejects.toMatchObject({ kind: 'timeout' });
    const efax = await run('efax', [
      '-d',
      sim.devicePath,
      '-o1',
      '-h',
      '',
      '-v',
      'ewin',
      '-t',
      '99',
      ...pages,
    ]);
    expect(efax.code).not.toBe(0);
    expect(efax.log).not.toContain('sent -> ' + pages[0]);
    const call = await sim.nextCall(30_000);
    expect(call).toMatchObject({
      outcome: 'far-end-hangup',
      pages: 1,
      completionText: 'The call dropped prematurely',
    });
  }, 60_000);

  it('the far end calls in and sends; efax answers the RING and receives the same bitmaps', async () => {
    const both = join(dir, 'both.tif');
    expect((await run('tiffcp', [pages[0], pages[1], both])).code).toBe(0);
    sim = await startLineSim({ outDir: dir, speed: 4, send: both, ident: 'FAR SENDER' });
    const prefix = join(dir, 'rx');
    const efax = await run('efax', [
      '-d',
      sim.devicePath,
      '-o1',
      '-l',
      '+1 555 0199',
      '-r',
      prefix,
      '-v',
      'ewin',
    ]);
    expect(efax.code).toBe(0);
    expect(efax.log).toMatch(/remote ID -> +FAR SENDER/);
    const call = await sim.nextCall(30_000);
    expect(call).toMatchObject({
      direction: 'incoming',
      number: null,
      outcome: 'completed',
      pages: 2,
      remoteIdent: '+1 555 0199',
      tiff: null,
    });
    expectSamePage((await tiffPages(`${prefix}.001`))[0], sentBitmaps[0], 0);
    expectSamePage((await tiffPages(`${prefix}.002`))[0], sentBitmaps[1], 0);
  }, 60_000);

  it('serialport (what lib/modem uses) can drive the pty: ATD gets CONNECT and the far end CSI and DIS', async () => {
    sim = await startLineSim({ speed: 4, ident: '12345' }); // its own temporary outDir
    const port = new SerialPort({ path: sim.devicePath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    let input = Buffer.alloc(0);
    port.on('data', (b: Buffer) => (input = Buffer.concat([input, b])));
    const DLE = '\x10';
    const ETX = '\x03';
    const until = async (ending: string, timeoutMs = 20_000): Promise<string> => {
      const end = Date.now() + timeoutMs;
      while (!input.toString('latin1').endsWith(ending)) {
        if (Date.now() > end)
          throw new Error(`no ${JSON.stringify(ending)} in ${JSON.stringify(input.toString('latin1'))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      const text = input.toString('latin1');
      input = Buffer.alloc(0);
      return text;
    };
    /** T.31 §8.3.2: HDLC data, DLE-shielded, up to DLE ETX; then OK if the FCS was good. */
    const frame = (text: string): number[] => {
      const body = text.slice(text.indexOf('CONNECT\r\n') + 9, text.indexOf(DLE + ETX));
      return [...Buffer.from(body.split(DLE + DLE).join(DLE), 'latin1')];
    };
    port.write('ATE0\r');
    await until('OK\r\n');
    port.write('AT+FCLASS=1\r');
    await until('OK\r\n');
    port.write('ATD5550123\r');
    const csi = frame(await until(DLE + ETX + '\r\nOK\r\n'));
    // Address, control (not final), FCF CSI (T.30 §5.3.6.1.1), then the ident, last digit first.
    expect(csi.slice(0, 3)).toEqual([0xff, 0x03, 0x40]);
    expect(Buffer.from(csi.slice(3, 23)).toString('latin1').trim()).toBe('54321');
    port.write('AT+FRH=3\r');
    const dis = frame(await until(DLE + ETX + '\r\nOK\r\n'));
    expect(dis.slice(0, 3)).toEqual([0xff, 0x13, 0x80]); // final frame, FCF DIS
    port.write('ATH\r');
    await until('OK\r\n');
    await new Promise<void>((resolve) => port.close(() => resolve()));
    expect(await sim.nextCall(10_000)).toMatchObject({ number: '5550123', outcome: 'host-hangup', pages: 0 });
    expect(existsSync(sim.outDir)).toBe(true);
    await sim.stop();
    expect(existsSync(sim.outDir)).toBe(false);
  }, 60_000);

  it('pair mode: efax on pty A faxes efax on pty B', async () => {
    sim = await startLineSim({ outDir: dir, speed: 2, pair: true });
    expect(sim.devicePathB).toMatch(/^\/dev\/pts\/\d+$/);
    expect(sim.devicePathB).not.toBe(sim.devicePath);
    const sending = run('efax', ['-d', sim.devicePath, '-o1', '-h', '', '-l', '+1 555 0001', '-v', 'ewin',
      '-t', '0002', pages[1]]); // prettier-ignore
    // efax answers as soon as it starts, so start the receiver once A is dialling.
    await new Promise((r) => setTimeout(r, 1000));
    const prefix = join(dir, 'pair');
    const receiving = await run('efax', [
      '-d',
      sim.devicePathB!,
      '-o1',
      '-l',
      '+1 555 0002',
      '-r',
      prefix,
      '-v',
      'ewin',
    ]);
    const sent = await sending;
    expect(sent.code).toBe(0);
    expect(receiving.code).toBe(0);
    expect(sent.log).toMatch(/remote ID -> +\+1 555 0002/);
    expect(receiving.log).toMatch(/remote ID -> +\+1 555 0001/);
    const call = await sim.nextCall(10_000);
    expect(call).toMatchObject({ direction: 'pair', caller: 'a', number: '0002', outcome: 'ended' });
    expectSamePage((await tiffPages(`${prefix}.001`))[0], sentBitmaps[1], 32);
  }, 60_000);
});

/**
 * The far end as a SENDER (`--send`), what a receiver's tests need: efax (`efax -r`) answers
 * the RING and receives; a scripted Class 1 receiver reads the far end's DCS and ECM frames
 * off the line itself where efax cannot (it has no ECM and no MR).
 */
describe('linesim as the calling sender, proved with efax -r and a scripted Class 1 receiver', () => {
  let dir: string;
  let pages: string[];
  let sentBitmaps: Bitmap[];
  let sim: LineSim | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'linesim-send-'));
    pages = [];
    for (const n of [1, 2, 3, 4]) {
      await writeFile(join(dir, `p${n}.pbm`), pbmPage(n));
      const tif = join(dir, `p${n}.tif`);
      const r = await run('efix', ['-v', 'e', '-i', 'pbm', '-o', 'tiffg3', '-R', '204x196', '-r', '204x196',
        '-p', '215x16mm', '-n', tif, join(dir, `p${n}.pbm`)]); // prettier-ignore
      expect(r.code).toBe(0);
      pages.push(tif);
    }
    sentBitmaps = [];
    for (const p of pages) sentBitmaps.push(...(await tiffPages(p)));
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const efaxReceive = (prefix: string) =>
    run('efax', ['-d', sim!.devicePath, '-o1', '-l', '+1 555 0199', '-r', prefix, '-v', 'ewin']);

  it('two documents with EOM between them: efax receives both, the JSON line counts 2 documents', async () => {
    sim = await startLineSim({ outDir: dir, speed: 4, modems: ['v29'], send: [pages[0], pages[1]] });
    const prefix = join(dir, 'docs');
    const efax = await efaxReceive(prefix);
    expect(efax.code).toBe(0);
    expect(efax.log).toMatch(/received EOM/);
    expect(efax.log.match(/received DCS/g)).toHaveLength(2); // phase B again after EOM
    expect(await sim.nextCall(30_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'completed',
      pages: 2,
      pagesSent: 2,
      documents: 2,
      bitRate: 9600,
      ecm: false,
      remoteIdent: '+1 555 0199',
    });
    expectSamePage((await tiffPages(`${prefix}.001`))[0], sentBitmaps[0], 0);
    expectSamePage((await tiffPages(`${prefix}.002`))[0], sentBitmaps[1], 0);
  }, 60_000);

  it('--hangup-after-page 2 of 4: the far end drops the line after page 2 and its MPS; efax has 2 pages', async () => {
    const four = join(dir, 'four.tif');
    expect((await run('tiffcp', [...pages, four])).code).toBe(0);
    sim = await startLineSim({ outDir: dir, speed: 4, modems: ['v29'], send: four, hangupAfterPage: 2 });
    const prefix = join(dir, 'hang');
    const efax = await efaxReceive(prefix);
    expect(efax.code).not.toBe(0);
    expect(efax.log.match(/received MPS/g)).toHaveLength(2);
    expect(existsSync(`${prefix}.002`)).toBe(true);
    expect(existsSync(`${prefix}.003`)).toBe(false);
    expectSamePage((await tiffPages(`${prefix}.002`))[0], sentBitmaps[1], 0);
    expect(await sim.nextCall(30_000)).toMatchObject({
      outcome: 'far-end-hangup',
      pages: 1, // confirmed: page 2's MCF came after the far end had gone
      pagesSent: 2,
      documents: 1,
    });
  }, 60_000);

  it('--modems v27ter restricts the sender: efax is offered V.17 but receives at 4800 bit/s', async () => {
    sim = await startLineSim({
      outDir: dir,
      speed: 6,
      modems: ['v27ter'],
      send: pages[2],
      ident: 'SLOW SENDER',
    });
    const prefix = join(dir, 'slow');
    const efax = await efaxReceive(prefix);
    expect(efax.code).toBe(0);
    expect(efax.log).toMatch(/remote ID -> +SLOW SENDER/);
    expect(efax.log).toMatch(/session .*4800bps/);
    expect(await sim.nextCall(30_000)).toMatchObject({ outcome: 'completed', pages: 1, bitRate: 4800 });
    expectSamePage((await tiffPages(`${prefix}.001`))[0], sentBitmaps[2], 0);
  }, 60_000);

  it('--no-dcs: the caller falls silent after the DIS; efax repeats its DIS, gives up, no page', async () => {
    sim = await startLineSim({ outDir: dir, speed: 4, send: pages[0], noDcs: true });
    const prefix = join(dir, 'nodcs');
    const efax = await efaxReceive(prefix);
    expect(efax.code).not.toBe(0);
    expect(efax.log.match(/sent DIS/g)!.length).toBeGreaterThanOrEqual(2);
    expect(efax.log).not.toMatch(/received DCS/);
    expect(efax.log).not.toMatch(/received -> /);
    expect(await sim.nextCall(30_000)).toMatchObject({ direction: 'incoming', pages: 0, pagesSent: 0 });
  }, 60_000);

  it('noise applies in send mode: at -45 dBm0 (-46 still passes at 14400) efax gets no page', async () => {
    sim = await startLineSim({ outDir: dir, speed: 4, send: pages[0], noiseDbm0: -45 });
    const efax = await efaxReceive(join(dir, 'noisy'));
    expect(efax.code).not.toBe(0);
    expect(efax.log).not.toMatch(/received -> /);
    expect(await sim.nextCall(60_000)).toMatchObject({ direction: 'incoming', pages: 0, pagesSent: 0 });
  }, 90_000);

  it('--hangup-after-page 2 with ECM: after page 2 and its PPS-EOP the far end drops the line', async () => {
    const two = join(dir, 'two.tif');
    expect((await run('tiffcp', [pages[0], pages[1], two])).code).toBe(0);
    sim = await startLineSim({ speed: 3, send: two, hangupAfterPage: 2 });
    const host = await openClass1(sim.devicePath);
    const pps: number[][] = [];
    try {
      await host.until('RING\r\n');
      host.write('ATA\r');
      await host.until('CONNECT\r\n');
      host.write(hdlc([0xff, 0x13, 0x80, 0x00, 0x02 | 0x08 | 0x40, 0x80, 0x04])); // V.27ter, fine, ECM
      await host.until('OK\r\n');
      let dcs: number[] = [];
      while (dcs[1] !== 0x13) {
        host.write('AT+FRH=3\r');
        dcs = host.frame(await host.until('\x10\x03\r\nOK\r\n'));
      }
      expect(dcs[6] & 0x04).toBe(0x04); // ECM
      host.write('AT+FRM=48\r'); // TCF
      await host.until('NO CARRIER\r\n', 20_000);
      host.write('AT+FTH=3\r');
      await host.until('CONNECT\r\n');
      host.write(hdlc([0xff, 0x13, 0x84])); // CFR
      await host.until('OK\r\n');
      for (const page of [1, 2]) {
        host.write('AT+FRM=48\r');
        const frames = deframe(host.dataOf(await host.until('NO CARRIER\r\n', 30_000)));
        expect(frames.filter((f) => f[2] === 0x06).length).toBeGreaterThan(0); // FCD
        host.write('AT+FRH=3\r');
        pps.push(host.frame(await host.until('\x10\x03\r\nOK\r\n')));
        if (page === 1) {
          host.write('AT+FTH=3\r');
          await host.until('CONNECT\r\n');
          host.write(hdlc([0xff, 0x13, 0x8c])); // MCF
          await host.until('OK\r\n');
        }
      }
      host.write('ATH\r');
      await host.until('OK\r\n');
    } finally {
      await host.close();
    }
    // PPS (T.30 5.3.6.1.7) with the post-page command in its first FIF octet: MPS, then EOP
    expect(pps.map((f) => [f[2] & 0xfe, f[3] & 0xfe])).toEqual([
      [0xbe, 0x4e],
      [0xbe, 0x2e],
    ]);
    expect(await sim.nextCall(10_000)).toMatchObject({
      outcome: 'far-end-hangup',
      pages: 1,
      pagesSent: 2,
      ecm: true,
      ecmFrameSize: 256,
    });
  }, 90_000);

  it('--ecm-frame-size 64 and --codings mh,mr: the DCS says ECM, 64 octets, MR; the FCD frames carry 64 octets', async () => {
    sim = await startLineSim({ speed: 3, send: pages[3], ecmFrameSize: 64, codings: ['mh', 'mr'] });
    const host = await openClass1(sim.devicePath);
    try {
      await host.until('RING\r\n');
      host.write('ATA\r'); // T.31: answering in +FCLASS=1 sends CED, then V.21 for the DIS
      await host.until('CONNECT\r\n');
      // DIS (spandsp's octet order, T.30 Table 2): receiver; V.27ter only; fine; MR (bit 16);
      // A4; extension; ECM (bit 27) and MMR (bit 31) offered, so only --codings keeps MMR out.
      host.write(hdlc([0xff, 0x13, 0x80, 0x00, 0x02 | 0x08 | 0x40 | 0x80, 0x80, 0x04 | 0x40]));
      await host.until('OK\r\n');
      const frames: number[][] = [];
      while (frames.length === 0 || frames[frames.length - 1][1] !== 0x13) {
        host.write('AT+FRH=3\r');
        frames.push(host.frame(await host.until('\x10\x03\r\nOK\r\n')));
      }
      const dcs = frames[frames.length - 1];
      expect(dcs[2] & 0xfe).toBe(0x82); // DCS
      expect(dcs[4] & 0x3c).toBe(0x08); // bits 11-14: V.27ter 4800
      expect(dcs[4] & 0x80).toBe(0x80); // bit 16: two-dimensional coding (MR)
      expect(dcs[6] & 0x04).toBe(0x04); // bit 27: ECM
      expect(dcs[6] & 0x08).toBe(0x08); // bit 28: 64-octet frames
      expect(dcs[6] & 0x40).toBe(0); // bit 31: no MMR
      host.write('AT+FRM=48\r'); // TCF
      await host.until('NO CARRIER\r\n', 20_000);
      host.write('AT+FTH=3\r');
      await host.until('CONNECT\r\n');
      host.write(hdlc([0xff, 0x13, 0x84])); // CFR
      await host.until('OK\r\n');
      host.write('AT+FRM=48\r'); // the partial page: HDLC frames in the data, deframed here
      const data = await host.until('NO CARRIER\r\n', 30_000);
      const ecm = deframe(host.dataOf(data));
      const fcd = ecm.filter((f) => f[2] === 0x06);
      const rcp = ecm.filter((f) => f[2] === 0x86);
      expect(fcd.length).toBeGreaterThan(4);
      // A, C, FCD, frame number, 64 octets of page data
      expect(fcd.map((f) => f.length)).toEqual(fcd.map(() => 4 + 64));
      expect(fcd.map((f) => f[3])).toEqual(fcd.map((_f, i) => i));
      expect(rcp.length).toBeGreaterThanOrEqual(1);
      host.write('ATH\r');
      await host.until('OK\r\n');
    } finally {
      await host.close();
    }
    expect(await sim.nextCall(10_000)).toMatchObject({
      direction: 'incoming',
      outcome: 'host-hangup',
      ecmFrameSize: 64,
      documents: 1,
    });
  }, 60_000);
});
