/**
 * lib/fax driving the T.30 core over a transport whose far end is a small scripted T.30
 * receiver: it answers DCS/TCF and post-page commands as told, and decodes every page it gets
 * with lib/t4 so the test can compare it with what was sent.
 */

import {
  FaxProgress,
  FaxTransport,
  FaxTransportError,
  PageSource,
  ReceivedFrame,
  fitWidth,
  sendFax,
} from '../../lib/fax/index.js';

import {
  bitmapsEqual,
  createBitmap,
  decodePage,
  setPixel,
  type Bitmap,
  type FaxPage,
} from '../../lib/t4/index.js';

import { Fcf, buildFrame, decodeDcs, encodeIdent, fcfName, hexToFrame } from '../../lib/t30/index.js';
import { MODULATIONS, Modulation, modulationLabel } from '../../lib/itu/modulation.js';
import type { T4Coding } from '../../lib/itu/page.js';

const SPANDSP_DIS = hexToFrame('FF 13 80 00 EE F8 C4 80 91 80 80 80 18');

type Answer = keyof typeof Fcf | 'nothing';

/** A far end that follows a script of answers, keyed by the command it answers. */
class ScriptedFarEnd implements FaxTransport {
  readonly modulations = MODULATIONS;
  readonly ecm = false;
  readonly log: string[] = [];
  readonly received: Bitmap[] = [];
  private queue: ReceivedFrame[] = [];
  private dcs?: ReturnType<typeof decodeDcs>;
  hungUp = false;

  constructor(
    private readonly answers: { training?: Answer[]; page?: Answer[]; dial?: FaxTransportError } = {},
    private readonly dis = SPANDSP_DIS,
  ) {}

  private answer(list: Answer[] | undefined, fallback: Answer): void {
    const a = list?.shift() ?? fallback;
    if (a !== 'nothing') this.queue.push({ frame: buildFrame(Fcf[a]), fcsOk: true });
  }

  async dial(dialString: string): Promise<void> {
    this.log.push(`dial ${dialString}`);
    if (this.answers.dial) throw this.answers.dial;
    this.queue.push({
      frame: buildFrame(Fcf.CSI, encodeIdent('+1 555 0100'), { final: false }),
      fcsOk: true,
    });
    this.queue.push({ frame: this.dis, fcsOk: true });
  }

  async sendFrames(frames: Uint8Array[]): Promise<void> {
    this.log.push('send ' + frames.map((f) => fcfName(f[2])).join(' '));
    for (const f of frames) {
      const name = fcfName(f[2]);
      if (name === 'DCS') this.dcs = decodeDcs(f.subarray(3));
      if (name === 'MPS' || name === 'EOP') this.answer(this.answers.page, 'MCF');
    }
  }

  async receiveFrame(_timeoutMs: number): Promise<ReceivedFrame | null> {
    return this.queue.shift() ?? null;
  }

  async silence(): Promise<void> {}

  async sendTraining(modulation: Modulation): Promise<void> {
    this.log.push(`tcf ${modulationLabel(modulation)}`);
    this.answer(this.answers.training, 'CFR');
  }

  async sendImage(modulation: Modulation, data: Uint8Array): Promise<void> {
    this.log.push(`image ${modulationLabel(modulation)}`);
    const { bitmap } = decodePage(data, { coding: this.dcs!.coding! as T4Coding, width: this.dcs!.width! });
    this.received.push(bitmap);
  }

  async sendImageFrames(): Promise<void> {
    throw new FaxTransportError('modem-error', 'no ECM here');
  }

  async hangup(): Promise<void> {
    this.hungUp = true;
  }
}

/** A test page: a frame and a diagonal, so any row mix-up shows. */
function testPage(width = 1728, height = 200): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    setPixel(b, y % width, y, true);
    setPixel(b, 0, y, true);
    setPixel(b, width - 1, y, true);
  }
  return b;
}

async function* pagesOf(bitmaps: Bitmap[], log?: string[]): AsyncGenerator<FaxPage> {
  for (const [i, bitmap] of bitmaps.entries()) {
    log?.push(`rasterised ${i}`);
    yield { bitmap, resolution: 'fine' };
  }
}

const base = { localIdent: '+49 30 1234567', resolution: 'fine' as const, dialString: '5550100' };

describe('sendFax over a transport', () => {
  it('sends two pages that the far end decodes to what was sent', async () => {
    const far = new ScriptedFarEnd();
    const progress: FaxProgress[] = [];
    const pages = [testPage(), testPage(1728, 120)];
    const result = await sendFax({
      ...base,
      transport: far,
      pages: pagesOf(pages),
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({
      ok: true,
      pagesConfirmed: 2,
      remoteIdent: '+1 555 0100',
      modulation: 'V.17 14400',
      bitRate: 14400,
      ecm: false,
      coding: 'mr',
      resolution: 'fine',
    });
    expect(far.log).toEqual([
      'dial 5550100',
      'send TSI DCS',
      'tcf V.17 14400',
      'image V.17 14400',
      'send MPS',
      'image V.17 14400',
      'send EOP',
      'send DCN',
    ]);
    expect(far.received.length).toBe(2);
    far.received.forEach((got, i) => expect(bitmapsEqual(got, pages[i])).toBe(true));
    expect(far.hungUp).toBe(true);
    expect(progress.filter((p) => p.kind === 'page-confirmed').map((p) => 'page' in p && p.page)).toEqual([
      0, 1,
    ]);
  });

  it('retrains lower after FTT and resends a page after RTN', async () => {
    const far = new ScriptedFarEnd({ training: ['FTT'], page: ['RTN'] });
    const result = await sendFax({ ...base, transport: far, pages: pagesOf([testPage()]) });
    expect(result).toMatchObject({
      ok: true,
      pagesConfirmed: 1,
      retrains: 2,
      pageRetransmissions: 1,
      bitRate: 9600,
    });
    expect(far.log.filter((l) => l.startsWith('tcf'))).toEqual([
      'tcf V.17 14400',
      'tcf V.17 12000',
      'tcf V.17 9600',
    ]);
    expect(far.received.length).toBe(2);
  });

  it('reports dial failures as typed results and still hangs up', async () => {
    const far = new ScriptedFarEnd({ dial: new FaxTransportError('busy', 'BUSY') });
    const result = await sendFax({ ...base, transport: far, pages: pagesOf([testPage()]) });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'busy' }, pagesConfirmed: 0 });
    expect(far.hungUp).toBe(true);
  });

  it('ends with not-a-fax when no DIS comes before T1 (receive timeouts)', async () => {
    const far = new ScriptedFarEnd({}, buildFrame(Fcf.CSI, encodeIdent('1')));
    const result = await sendFax({ ...base, transport: far, pages: pagesOf([testPage()]) });
    expect(result.failure?.kind).toBe('not-a-fax');
    expect(far.log).toEqual(['dial 5550100', 'send DCN']);
  });

  it('sends DCN and reports cancelled when the signal aborts mid-call', async () => {
    const far = new ScriptedFarEnd();
    const abort = new AbortController();
    const result = await sendFax({
      ...base,
      transport: far,
      pages: pagesOf([testPage(), testPage()]),
      signal: abort.signal,
      onProgress: (p) => p.kind === 'page-confirmed' && abort.abort(),
    });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'cancelled' }, pagesConfirmed: 1 });
    expect(far.log.slice(-1)).toEqual(['send DCN']);
  });

  it('fails with bad-document when the pages cannot be produced, or there are none', async () => {
    const broken: AsyncIterable<FaxPage> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('gs: bad PDF')) }),
    };
    const far = new ScriptedFarEnd();
    const result = await sendFax({ ...base, transport: far, pages: broken });
    expect(result.failure).toEqual({ kind: 'bad-document', message: 'page 1: gs: bad PDF' });
    expect(far.log.slice(-1)).toEqual(['send DCN']);
    const none = await sendFax({ ...base, transport: new ScriptedFarEnd(), pages: pagesOf([]) });
    expect(none.failure?.kind).toBe('bad-document');
  });

  it('reports a transport error as a modem error after trying DCN', async () => {
    const far = new ScriptedFarEnd();
    far.sendTraining = async () => {
      throw new FaxTransportError('modem-error', '+FTM=145: ERROR');
    };
    const result = await sendFax({ ...base, transport: far, pages: pagesOf([testPage()]) });
    expect(result.failure).toEqual({ kind: 'modem-error', message: '+FTM=145: ERROR' });
    expect(far.log.slice(-1)).toEqual(['send DCN']);
  });
});

describe('timers', () => {
  it('bounds each receive by the time left on T1 and reports T1 expiry', async () => {
    let now = 0;
    const far = new ScriptedFarEnd();
    const timeouts: number[] = [];
    // A far end that keeps sending its CSI every 10 s, never DIS.
    far.receiveFrame = async (timeoutMs: number) => {
      timeouts.push(timeoutMs);
      const elapsed = Math.min(timeoutMs, 10_000);
      now += elapsed;
      return elapsed < timeoutMs ? { frame: buildFrame(Fcf.CSI, encodeIdent('1')), fcsOk: true } : null;
    };
    const result = await sendFax({
      ...base,
      dialString: undefined,
      transport: far,
      pages: pagesOf([testPage()]),
      clock: () => now,
    });
    expect(timeouts).toEqual([35_000, 25_000, 15_000, 5_000]);
    expect(result.failure).toEqual({ kind: 'not-a-fax', message: 'no DIS from the far end within T1' });
    expect(far.log).toEqual(['send DCN']);
  });
});

describe('pages', () => {
  it('pulls pages lazily, at most two ahead, and keeps the current page for a resend', async () => {
    const log: string[] = [];
    const source = new PageSource(pagesOf([testPage(), testPage(), testPage(), testPage()], log));
    const first = await source.get(0);
    expect(first?.morePages).toBe(true);
    expect(log.length).toBeLessThanOrEqual(3);
    expect((await source.get(0))?.page).toBe(first?.page);
    expect((await source.get(3))?.morePages).toBe(false);
    expect(await source.get(4)).toBeUndefined();
  });

  it('scales a B4 row to A4 width', () => {
    const b4 = testPage(2048, 4);
    const a4 = fitWidth(b4, 1728);
    expect(a4.width).toBe(1728);
    expect(a4.data[0] & 0x80).toBe(0x80);
    expect(a4.data[a4.stride - 1] & 1).toBe(1);
  });
});
