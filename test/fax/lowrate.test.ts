/**
 * lib/fax at the lowest rates, where a page takes minutes on the line (issue 13, defects 1 and 5):
 * every wait for the port while sending follows the line's speed (lib/modem/line-backlog.ts), so
 * an ECM partial page of 256 frames at 2400 bit/s (218 s) and non-ECM page data that outlasts any
 * fixed 30 s both get through. The far end is spandsp on the simulated line; each page it wrote
 * must equal the page sent, pixel for pixel. The full matrix of rates is `npm run matrix`.
 */
import { readFile } from 'node:fs/promises';
import { sendFax, type FaxProgress, type FaxResult } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import { bitmapsEqual, createBitmap, encodePage, readTiff, type Bitmap } from '../../lib/t4/index.js';
import { densePage } from '../../bench/dense-page.js';
import { faxPages } from './pages.js';
import { startLineSim, type LineSimCall, type LineSimOptions } from '../linesim/linesim.js';

async function send(
  line: LineSimOptions,
  page: Bitmap,
  options: { maxBitRate?: number; ecm?: boolean },
): Promise<{ result: FaxResult; far: LineSimCall; received: Bitmap[]; progress: FaxProgress[] }> {
  const sim = await startLineSim(line);
  try {
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    const progress: FaxProgress[] = [];
    let result: FaxResult;
    try {
      await modem.init();
      result = await sendFax({
        modem,
        dialString: '5550100',
        pages: faxPages([page]),
        localIdent: '+1 415 555 0100',
        resolution: 'fine',
        ...options,
        onProgress: (p) => progress.push(p),
      });
    } finally {
      await modem.close();
    }
    const far = await sim.nextCall(60_000);
    const received = far.tiff ? readTiff(await readFile(far.tiff)).map((p) => p.bitmap) : [];
    return { result, far, received, progress };
  } finally {
    await sim.stop();
  }
}

/** The top rows of a page. */
function crop(page: Bitmap, rows: number): Bitmap {
  const b = createBitmap(page.width, rows);
  b.data.set(page.data.subarray(0, b.data.length));
  return b;
}

describe('sendFax at the lowest rates: deadlines follow the line', () => {
  test('V.27 ter 2400 bit/s, ECM in 256-octet frames: a dense full A4 fine page (two partial pages of up to 218 s), pixel-identical', async () => {
    const page = densePage();
    // More than one partial page of 256 frames of 256 octets (T.4 Annex A).
    expect(encodePage(page, { coding: 'mmr', bitOrder: 'lsb-first' }).length).toBeGreaterThan(256 * 256);
    // lpfax's MaxSpeed takes the far end's V.27 ter down to 2400 (linesim restricts families only).
    const { result, far, received, progress } = await send({ speed: 4, modems: ['v27ter'] }, page, {
      maxBitRate: 2400,
    });
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 1, bitRate: 2400, ecm: true, coding: 'mmr' });
    const trained = progress.filter((p) => p.kind === 'trained');
    expect(trained.at(-1)).toMatchObject({ dcs: { ecm: true, ecmFrameSize: 256 } });
    expect(far).toMatchObject({ outcome: 'completed', pages: 1, bitRate: 2400, ecm: true });
    expect(received).toHaveLength(1);
    expect(received[0]!.height).toBe(page.height);
    expect(bitmapsEqual(received[0]!, page)).toBe(true);
  }, 240_000);

  test('real speed, V.27 ter 2400 bit/s without ECM: page data of 90 s on the line, pixel-identical', async () => {
    // The dense page's first block of text: 27 KB coded in MR. The port's kernel buffer alone
    // holds about 20 KB, 67 s at 2400 bit/s: before the deadlines followed the line, a write
    // waited longer than the fixed 30 s here and the page failed (issue 13, defect 5).
    const page = crop(densePage(), 820);
    const coded = encodePage(page, { coding: 'mr', resolution: 'fine', bitOrder: 'lsb-first' }).length;
    expect((coded * 8) / 2400).toBeGreaterThan(60);
    const { result, far, received, progress } = await send({ speed: 1, modems: ['v27ter'] }, page, {
      maxBitRate: 2400,
      ecm: false,
    });
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 1, bitRate: 2400, ecm: false });
    const trained = progress.filter((p) => p.kind === 'trained');
    expect(trained.at(-1)).toMatchObject({ dcs: { ecm: false, coding: 'mr' } });
    expect(far).toMatchObject({ outcome: 'completed', pages: 1, bitRate: 2400, ecm: false });
    expect(received).toHaveLength(1);
    expect(bitmapsEqual(received[0]!, page)).toBe(true);
  }, 180_000);
});
