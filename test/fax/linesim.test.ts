/**
 * End to end: lib/fax sends through lib/modem to the simulated line (test/linesim: a pty Class 1
 * modem, spandsp's T.31), and spandsp's fax terminal receives. The page spandsp writes to its
 * TIFF must be the page we sent, bit for bit.
 */

import { readFile } from 'node:fs/promises';
import { sendFax, Class1Transport, type FaxProgress } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import { fcfName, hexToFrame, parseFrame } from '../../lib/t30/index.js';
import { bitmapsEqual, createBitmap, readTiff, setPixel, type Bitmap } from '../../lib/t4/index.js';
import { faxPages } from './pages.js';
import { startLineSim, type LineSim } from '../linesim/linesim.js';

/** A checkerboard of 48×16 blocks with a diagonal: every row differs from its neighbours somewhere. */
function testPage(height: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 1728; x++) {
      if ((Math.floor(x / 48) + Math.floor(y / 16)) % 3 === 0 || x === y) setPixel(b, x, y, true);
    }
  }
  return b;
}

/** Opens the simulated modem, sends the pages, closes the modem. */
async function send(sim: LineSim, bitmaps: Bitmap[]) {
  const modem = await Class1Modem.open(sim.devicePath, { lock: false });
  const trace: string[] = [];
  const progress: FaxProgress[] = [];
  try {
    await modem.init();
    const transport = await Class1Transport.probe(modem);
    const result = await sendFax({
      transport,
      dialString: '5550100',
      pages: faxPages(bitmaps),
      localIdent: '+49 30 1234567',
      resolution: 'fine',
      trace: (line) => trace.push(line),
      onProgress: (p) => progress.push(p),
    });
    return { result, trace, progress, transport };
  } finally {
    await modem.close();
  }
}

describe('sendFax on the simulated line (spandsp receives)', () => {
  let sim: LineSim;
  beforeAll(async () => {
    sim = await startLineSim({ speed: 1 });
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('delivers two pages at V.17 14400 that spandsp stores unchanged', async () => {
    const sent = [testPage(160), testPage(96)];
    const { result, progress, trace, transport } = await send(sim, sent);
    // spandsp 0.0.6's T.31 answers +FTH=? with 3 only; ECM frames go out framed in software
    // with +FTM, so the far end's ECM is used, and with it T.6 (MMR).
    expect(transport.ecm).toBe(true);
    expect(transport.modulations.map((m) => m.code)).toEqual([145, 121, 97, 96, 73, 72, 48, 24]);
    const far = await sim.nextCall(60_000);
    if (!result.ok) console.log(trace.join('\n'));
    expect(result).toMatchObject({
      ok: true,
      pagesConfirmed: 2,
      remoteIdent: 'LINESIM',
      modulation: 'V.17 14400',
      resolution: 'fine',
      ecm: true,
      coding: 'mmr',
      retrains: 0,
      frameRetransmissions: 0,
    });
    expect(progress.filter((p) => p.kind === 'page-confirmed').length).toBe(2);
    expect(far).toMatchObject({
      outcome: 'completed',
      pages: 2,
      completionCode: 0,
      bitRate: 14400,
      coding: 'mmr',
      ecm: true,
      remoteIdent: '+49 30 1234567',
    });
    const received = readTiff(await readFile(far.tiff!));
    expect(received.length).toBe(2);
    received.forEach((r, i) => {
      expect(r.resolution).toBe('fine');
      expect(bitmapsEqual(r.bitmap, sent[i])).toBe(true);
    });
  }, 120_000);
});

/** The post-page commands a call sent, in order: MPS/EOM/EOP, or the one a PPS carries (ECM). */
function postPageCommands(trace: string[]): string[] {
  const out: string[] = [];
  for (const line of trace) {
    const m = /action (\{"type":"sendFrames".*\})$/.exec(line);
    if (!m) continue;
    for (const hex of (JSON.parse(m[1]) as { frames: string[] }).frames) {
      const frame = parseFrame(hexToFrame(hex));
      if (!frame?.name) continue;
      if (['MPS', 'EOM', 'EOP'].includes(frame.name)) out.push(frame.name);
      // PPS carries the post-page FCF of a page's last partial page; NULL (0) within a page.
      if (frame.name === 'PPS' && frame.fif[0] !== 0) out.push(`PPS-${fcfName(frame.fif[0]!)}`);
    }
  }
  return out;
}

describe.each([
  { ecm: false, commands: ['EOM', 'MPS', 'EOP'] },
  { ecm: true, commands: ['PPS-EOM', 'PPS-MPS', 'PPS-EOP'] },
])('sendFax of two documents in one call (EOM), ECM $ecm', ({ ecm, commands }) => {
  let sim: LineSim;
  beforeAll(async () => {
    sim = await startLineSim({ speed: 3 });
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('ends the first with EOM, negotiates again on the new DIS, and spandsp stores both', async () => {
    const sent = [testPage(64), testPage(48), testPage(32)];
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    const trace: string[] = [];
    let result;
    try {
      await modem.init();
      result = await sendFax({
        transport: await Class1Transport.probe(modem),
        dialString: '5550100',
        pages: (async function* () {
          yield { bitmap: sent[0], resolution: 'fine' as const, document: 0 };
          yield { bitmap: sent[1], resolution: 'fine' as const, document: 1 };
          yield { bitmap: sent[2], resolution: 'fine' as const, document: 1 };
        })(),
        localIdent: '+49 30 1234567',
        resolution: 'fine',
        ecm,
        trace: (line) => trace.push(line),
      });
    } finally {
      await modem.close();
    }
    const far = await sim.nextCall(60_000);
    if (!result.ok) console.log(trace.join('\n'));
    // EOM after page 1, MPS after page 2, and the second document trained afresh.
    expect(postPageCommands(trace)).toEqual(commands);
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 3, retrains: 1, ecm });
    expect(far).toMatchObject({ outcome: 'completed', pages: 3, completionCode: 0 });
    const received = readTiff(await readFile(far.tiff!));
    expect(received.length).toBe(3);
    received.forEach((r, i) => expect(bitmapsEqual(r.bitmap, sent[i])).toBe(true));
  }, 180_000);
});

describe.each([
  { line: { busy: true }, kind: 'busy', outcome: 'busy' },
  { line: { noDialtone: true }, kind: 'no-dial-tone', outcome: 'no-dialtone' },
] as const)('sendFax on the simulated line: $kind', ({ line, kind, outcome }) => {
  let sim: LineSim;
  beforeAll(async () => {
    sim = await startLineSim({ speed: 4, ...line });
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('ends with a typed failure and no page', async () => {
    const { result } = await send(sim, [testPage(16)]);
    expect(result).toMatchObject({ ok: false, failure: { kind }, pagesConfirmed: 0 });
    expect(await sim.nextCall(30_000)).toMatchObject({ outcome, pages: 0 });
  }, 60_000);
});
