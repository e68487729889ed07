/**
 * End to end: lib/fax sends through lib/modem to the simulated line (test/linesim: a pty Class 1
 * modem, spandsp's T.31), and spandsp's fax terminal receives. The page spandsp writes to its
 * TIFF must be the page we sent, bit for bit.
 */

import { readFile } from 'node:fs/promises';
import { sendFax, Class1Transport, type FaxProgress } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import {
  bitmapsEqual,
  createBitmap,
  readTiff,
  setPixel,
  type Bitmap,
  type FaxPage,
} from '../../lib/t4/index.js';
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

async function* pages(bitmaps: Bitmap[]): AsyncGenerator<FaxPage> {
  for (const bitmap of bitmaps) yield { bitmap, resolution: 'fine' };
}

describe('sendFax on the simulated line (spandsp receives)', () => {
  let sim: LineSim;
  beforeAll(async () => {
    sim = await startLineSim({ speed: 1 });
  }, 120_000);
  afterAll(async () => {
    await sim?.stop();
  });

  it('delivers one page at V.17 14400 that spandsp stores unchanged', async () => {
    const page = testPage(160);
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    const trace: string[] = [];
    const progress: FaxProgress[] = [];
    let result;
    try {
      await modem.init();
      const caps = await modem.capabilities();
      result = await sendFax({
        transport: new Class1Transport(modem, caps.transmit),
        dialString: '5550100',
        pages: pages([page]),
        localIdent: '+49 30 1234567',
        resolution: 'fine',
        trace: (line) => trace.push(line),
        onProgress: (p) => progress.push(p),
      });
    } finally {
      await modem.close();
    }
    const far = await sim.nextCall(60_000);
    if (!result.ok) console.log(trace.join('\n'));
    expect(result).toMatchObject({
      ok: true,
      pagesConfirmed: 1,
      remoteIdent: 'LINESIM',
      modulation: 'V.17 14400',
      resolution: 'fine',
      coding: 'mr',
      retrains: 0,
    });
    expect(progress.map((p) => p.kind)).toContain('page-confirmed');
    expect(far).toMatchObject({
      outcome: 'completed',
      pages: 1,
      completionCode: 0,
      bitRate: 14400,
      coding: 'mr',
      remoteIdent: '+49 30 1234567',
    });
    const [received] = readTiff(await readFile(far.tiff!));
    expect(received.resolution).toBe('fine');
    expect(bitmapsEqual(received.bitmap, page)).toBe(true);
  }, 120_000);
});
