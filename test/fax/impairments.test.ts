/**
 * lib/fax on an impaired simulated line (test/linesim, spandsp receives): white noise at -50 dBm0,
 * a burst of noise in an ECM partial page (PPR and retransmitted frames), a far end that is not
 * ready (ECM RNR) and one that hangs up in the middle of a document. Steady white noise does not
 * provoke PPR: from about -48 dBm0 training fails before page data takes bit errors. The loudest noise lpfax survives is a
 * benchmark, not a test: `node dist/bench/line.js --noise-sweep`.
 */

import { readFile } from 'node:fs/promises';
import { sendFax, Class1Transport, type FaxProgress } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import { bitmapsEqual, createBitmap, readTiff, setPixel, type Bitmap } from '../../lib/t4/index.js';
import { faxPages } from './pages.js';
import { startLineSim, type LineSim, type LineSimOptions } from '../linesim/linesim.js';

/** Text-like stripes: short black runs on every other band of 8 rows, shifted by the page number. */
function testPage(n: number, height: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++) {
    if (Math.floor(y / 8) % 2 === 1) continue;
    for (let x = 0; x < 1728; x++) if ((x + 7 * y + 31 * n) % 23 < 5) setPixel(b, x, y, true);
  }
  return b;
}

/** Opens the simulated modem, sends the pages, closes the modem; the far end's report too. */
async function send(line: LineSimOptions, bitmaps: Bitmap[]) {
  const sim: LineSim = await startLineSim(line);
  try {
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    const progress: FaxProgress[] = [];
    const trace: string[] = [];
    try {
      await modem.init();
      const result = await sendFax({
        transport: await Class1Transport.probe(modem),
        dialString: '5550100',
        pages: faxPages(bitmaps),
        localIdent: '+49 30 1234567',
        resolution: 'fine',
        trace: (l) => trace.push(l),
        onProgress: (p) => progress.push(p),
      });
      const far = await sim.nextCall(60_000);
      // Read the received fax now: stop() removes the simulator's temporary folder.
      const received = far.tiff ? readTiff(await readFile(far.tiff)) : [];
      return { result, far, received, progress, trace };
    } finally {
      await modem.close();
    }
  } finally {
    await sim.stop();
  }
}

describe('sendFax on an impaired simulated line', () => {
  it('delivers a page through white noise at -50 dBm0, unchanged', async () => {
    const sent = [testPage(1, 240)];
    const { result, far, received, trace } = await send({ speed: 4, noiseDbm0: -50 }, sent);
    if (!result.ok) console.log(trace.join('\n'));
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 1 });
    expect(far).toMatchObject({ outcome: 'completed', pages: 1, completionCode: 0 });
    expect(received).toHaveLength(1);
    expect(bitmapsEqual(received[0]!.bitmap, sent[0]!)).toBe(true);
  }, 60_000);

  it('a far end not ready (RNR ×3, ECM): RR until it is, then the page arrives unchanged', async () => {
    const sent = [testPage(1, 120)];
    const { result, far, received, trace } = await send({ speed: 4, rnr: 3 }, sent);
    if (!result.ok) console.log(trace.join('\n'));
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 1, ecm: true, coding: 'mmr' });
    // T.30 §A.4.5: each RNR (FF 13 EC) is answered with RR (FF 13 6F) after the PPS.
    const rnr = trace.filter((l) => l.startsWith('event') && l.includes('"ff 13 ec"')).length;
    const rr = trace.filter((l) => l.startsWith('action') && l.includes('"frames":["ff 13 6f"]')).length;
    expect(rnr).toBe(3);
    expect(rr).toBe(3);
    expect(far).toMatchObject({ outcome: 'completed', pages: 1, completionCode: 0, ecm: true });
    expect(received).toHaveLength(1);
    expect(bitmapsEqual(received[0]!.bitmap, sent[0]!)).toBe(true);
  }, 60_000);

  it('a burst of noise in the middle of an ECM partial page: PPR, the frames again, page unchanged', async () => {
    // 600 rows: about 46 kB of MMR, 26 s at 14400 bit/s from about 11 s after the far end
    // answered; linesim's burst (-10 dBm0 for 100 ms, 4 s into the page data) spoils a frame or two.
    const sent = [testPage(1, 600)];
    const { result, far, received, trace, progress } = await send(
      { speed: 3, burstAtSeconds: 15, burstMs: 100 },
      sent,
    );
    if (!result.ok || result.frameRetransmissions === 0) console.log(trace.join('\n'));
    expect(result).toMatchObject({ ok: true, pagesConfirmed: 1, ecm: true, modulation: 'V.17 14400' });
    // The far end asked for frames again (PPR: FCF, then 32 octets of frame bits) and lpfax sent
    // them, at the same speed.
    const ppr = trace.filter((l) => l.startsWith('event') && l.includes('"frame":"<35 octets>"'));
    expect(ppr.length).toBeGreaterThanOrEqual(1);
    expect(progress.filter((p) => p.kind === 'frames-retransmitted').length).toBe(ppr.length);
    expect(result.frameRetransmissions).toBeGreaterThan(0);
    expect(far).toMatchObject({ outcome: 'completed', pages: 1, completionCode: 0, ecm: true });
    expect(received).toHaveLength(1);
    expect(bitmapsEqual(received[0]!.bitmap, sent[0]!)).toBe(true);
  }, 90_000);

  it('a far end that hangs up after confirming page 1 of 3: typed failure, 1 page confirmed', async () => {
    // linesim's --hangup-after-page 2: page 1 gets its MCF, the line drops once page 2 is in.
    const sent = [testPage(1, 120), testPage(2, 120), testPage(3, 120)];
    const { result, far, progress } = await send({ speed: 4, hangupAfterPage: 2 }, sent);
    expect(result.ok).toBe(false);
    expect(result.pagesConfirmed).toBe(1);
    // No answer to the post-page command after page 2 (with ECM, the far end's default, that is
    // PPS-MPS, T.30 §A.4.3): T.30's repeats (T4) run out in silence — the far end hung up,
    // during page 2 (0-based 1).
    expect(result.failure?.kind).toBe('remote-disconnected');
    expect(result.failure?.message).toMatch(/post-?page|pps/i);
    expect(result.pageInProgress).toBe(1);
    expect(result.ecm).toBe(true);
    expect(progress.filter((p) => p.kind === 'page-confirmed')).toHaveLength(1);
    expect(far.outcome).toBe('far-end-hangup');
    expect(far.pages).toBeLessThan(3);
  }, 60_000);
});
