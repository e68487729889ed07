/**
 * receiveFax (lib/fax) over a transport whose far end is a small scripted T.30 sender: it sends
 * DCS, TCF, coded pages (lib/t4) and post-page commands in order and records what lpfax answers.
 * What the simulated line cannot stage is checked here: a page the store refuses is not
 * confirmed, a page is handed out before the call ends, a cancel sends DCN.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  receiveFax,
  ReceivedFaxWriter,
  type FaxReceiveTransport,
  type ReceivedFaxPage,
  type ReceivedFrame,
} from '../../lib/fax/index.js';
import {
  bitmapsEqual,
  createBitmap,
  encodePage,
  readTiff,
  setPixel,
  type Bitmap,
} from '../../lib/t4/index.js';
import {
  Fcf,
  buildFcd,
  buildFrame,
  buildRcp,
  encodeDcs,
  fcfName,
  type ImageFrame,
  type SignalMiss,
} from '../../lib/t30/index.js';
import { MODULATIONS, type Modulation } from '../../lib/itu/modulation.js';

function page(seed: number): Bitmap {
  const b = createBitmap(1728, 40);
  for (let y = 0; y < 40; y++)
    for (let x = 0; x < 1728; x++) if ((x + y * seed) % 23 < 3) setPixel(b, x, y, true);
  return b;
}

const DCS = buildFrame(
  Fcf.DCS,
  encodeDcs({
    modulation: MODULATIONS[3],
    resolution: 'fine',
    coding: 'mr',
    ecm: false,
    ecmFrameSize: 256,
    width: 1728,
    length: 'a4',
    minScanTimeMs: 0,
  }),
  { x: true },
);

/** A far end that sends DCS + TCF, then each page and its command; it logs lpfax's answers. */
class ScriptedSender implements FaxReceiveTransport {
  readonly modulations = MODULATIONS;
  readonly answers: string[] = [];
  protected queue: ReceivedFrame[] = [];
  hungUp = false;
  /** Called when lpfax answers; may queue the next frames. */
  onAnswer?: (name: string) => void;

  constructor(private readonly pages: Bitmap[]) {}

  async answer(): Promise<void> {
    this.queue.push({ frame: DCS, fcsOk: true });
  }
  async sendFrames(frames: Uint8Array[]): Promise<void> {
    for (const f of frames) {
      const name = fcfName(f[2]) ?? '?';
      this.answers.push(name);
      this.onAnswer?.(name);
    }
  }
  async receiveFrame(): Promise<ReceivedFrame | null> {
    return this.queue.shift() ?? null;
  }
  async silence(): Promise<void> {}
  async awaitSilence(): Promise<void> {}
  async receiveTraining(m: Modulation): Promise<Uint8Array | SignalMiss> {
    return new Uint8Array((m.bitRate * 1.5) / 8);
  }
  async receiveImage(
    _m: Modulation,
    _s: boolean,
    onData: (c: Uint8Array) => void,
  ): Promise<'ended' | SignalMiss> {
    const b = this.pages.shift();
    if (!b) return 'no-carrier';
    const data = encodePage(b, { coding: 'mr', resolution: 'fine' });
    // In pieces, as a modem hands them over.
    for (let o = 0; o < data.length; o += 100) onData(data.subarray(o, o + 100));
    const last = this.pages.length === 0;
    this.queue.push({ frame: buildFrame(last ? Fcf.EOP : Fcf.MPS, [], { x: true }), fcsOk: true });
    if (last)
      this.onAnswer = (n) =>
        n === 'MCF' && this.queue.push({ frame: buildFrame(Fcf.DCN, [], { x: true }), fcsOk: true });
    return 'ended';
  }
  async receiveImageFrames(): Promise<ImageFrame[] | SignalMiss> {
    return 'no-carrier';
  }
  async hangup(): Promise<void> {
    this.hungUp = true;
  }
}

describe('receiveFax with a scripted sender', () => {
  let dir: string;
  let store: ReceivedFaxWriter;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lpfax-rx-driver-'));
    store = await ReceivedFaxWriter.open(dir, 'call');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('stores each page before MCF and hands it out as it is confirmed, before the call ends', async () => {
    const sent = [page(1), page(2), page(3)];
    const far = new ScriptedSender([...sent]);
    // What the TIFF holds when each MCF goes out: the page it confirms is already there.
    const storedAtMcf: number[] = [];
    const send = far.sendFrames.bind(far);
    far.sendFrames = (frames) => {
      if (fcfName(frames[0][2]) === 'MCF') storedAtMcf.push(store.pages.length);
      return send(frames);
    };
    const reception = receiveFax({ transport: far, store, answerNow: true, localIdent: '' });
    let resolved = false;
    void reception.result.then(() => (resolved = true));
    const got: ReceivedFaxPage[] = [];
    for await (const p of reception.pages) {
      if (got.length === 0) expect(resolved).toBe(false);
      got.push(p);
    }
    const result = await reception.result;
    expect(result).toMatchObject({ ok: true, pages: 3, coding: 'mr', resolution: 'fine', ecm: false });
    expect(far.answers).toEqual(['DIS', 'CFR', 'MCF', 'MCF', 'MCF']);
    expect(got.map((p) => [p.index, p.rows, p.badRows])).toEqual([
      [0, 40, 0],
      [1, 40, 0],
      [2, 40, 0],
    ]);
    expect(storedAtMcf).toEqual([1, 2, 3]);
    expect(far.hungUp).toBe(true);
    const files = await store.close();
    const back = readTiff(new Uint8Array(await readFile(files.tiff!)));
    expect(back.map((p, i) => bitmapsEqual(p.bitmap, sent[i]))).toEqual([true, true, true]);
    expect(files.pdf).toBe(join(dir, 'call.pdf'));
  });

  test('a page the store refuses is not confirmed: DCN, failure storage-failed, the pages before kept', async () => {
    const far = new ScriptedSender([page(1), page(2), page(3)]);
    const stored: number[] = [];
    const reception = receiveFax({
      transport: far,
      store,
      answerNow: true,
      localIdent: '',
      onPage: (p) => {
        if (p.index === 1) throw new Error('disk full');
        stored.push(p.index);
      },
    });
    const got: number[] = [];
    for await (const p of reception.pages) got.push(p.index);
    const result = await reception.result;
    expect(result.failure).toMatchObject({ kind: 'storage-failed' });
    expect(result.failure!.message).toContain('disk full');
    expect(far.answers).toEqual(['DIS', 'CFR', 'MCF', 'DCN']);
    expect(stored).toEqual([0]);
    expect(got).toEqual([0]);
    // The refused page is not in the files either.
    const files = await store.close();
    expect(readTiff(new Uint8Array(await readFile(files.tiff!)))).toHaveLength(1);
  });

  test('a cancelled reception sends DCN and hangs up', async () => {
    const far = new ScriptedSender([page(1), page(2)]);
    const controller = new AbortController();
    far.onAnswer = (n) => n === 'CFR' && controller.abort();
    const result = await receiveFax({
      transport: far,
      store,
      answerNow: true,
      localIdent: '',
      signal: controller.signal,
    }).result;
    expect(result.failure?.kind).toBe('cancelled');
    expect(far.answers.at(-1)).toBe('DCN');
    expect(far.hungUp).toBe(true);
  });
});

/**
 * An ECM sender (T.4 Annex A, MMR): DCS with ECM, then one page as one partial page of
 * 256-octet FCD frames and RCP, PPS-EOP; after RNR it asks RR (T.30 §A.4.5) or, with
 * `giveUpAtRnr`, sends DCN at the first RNR.
 */
class ScriptedEcmSender extends ScriptedSender {
  constructor(
    private readonly page: Bitmap,
    private readonly giveUpAtRnr = false,
  ) {
    super([]);
    this.onAnswer = (name) => {
      if (name === 'RNR') this.push(buildFrame(this.giveUpAtRnr ? Fcf.DCN : Fcf.RR, [], { x: true }));
      if (name === 'MCF') this.push(buildFrame(Fcf.DCN, [], { x: true }));
    };
  }

  private push(frame: Uint8Array): void {
    this.queue.push({ frame, fcsOk: true });
  }

  override async answer(): Promise<void> {
    this.push(
      buildFrame(
        Fcf.DCS,
        encodeDcs({
          modulation: MODULATIONS[3],
          resolution: 'fine',
          coding: 'mmr',
          ecm: true,
          ecmFrameSize: 256,
          width: 1728,
          length: 'a4',
          minScanTimeMs: 0,
        }),
        { x: true },
      ),
    );
  }

  override async receiveImageFrames(): Promise<ImageFrame[] | SignalMiss> {
    const data = encodePage(this.page, { coding: 'mmr', resolution: 'fine' });
    const frames: ImageFrame[] = [];
    for (let o = 0, n = 0; o < data.length; o += 256, n++)
      frames.push({ frame: buildFcd(n, data.subarray(o, o + 256)), fcsOk: true });
    const count = frames.length;
    for (let i = 0; i < 3; i++) frames.push({ frame: buildRcp(), fcsOk: true });
    this.push(buildFrame(Fcf.PPS, [Fcf.EOP | 1, 0, 0, count - 1], { x: true }));
    return frames;
  }
}

describe('receiveFax with ECM when storing a page is slow (RNR, T.30 §A.4.5)', () => {
  let dir: string;
  let store: ReceivedFaxWriter;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lpfax-rx-driver-'));
    store = await ReceivedFaxWriter.open(dir, 'call');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // The store takes 300 ms; RNR after 40 ms of it.
  const slowly = { storeWaitMs: 40, onPage: () => new Promise<void>((r) => setTimeout(r, 300)) };

  test('RNR while the page is stored, RNR again to each RR, then MCF; the page in the files', async () => {
    const sent = page(4);
    const far = new ScriptedEcmSender(sent);
    const result = await receiveFax({ transport: far, store, answerNow: true, localIdent: '', ...slowly })
      .result;
    expect(result).toMatchObject({ ok: true, pages: 1, ecm: true, coding: 'mmr' });
    const rnr = far.answers.filter((a) => a === 'RNR').length;
    expect(rnr).toBeGreaterThanOrEqual(1);
    expect(far.answers).toEqual(['DIS', 'CFR', ...Array<string>(rnr).fill('RNR'), 'MCF']);
    const files = await store.close();
    const back = readTiff(new Uint8Array(await readFile(files.tiff!)));
    expect(back.map((p) => bitmapsEqual(p.bitmap, sent))).toEqual([true]);
  });

  test('a sender that gives up at RNR (DCN): remote-disconnected, and the page still finishes storing', async () => {
    const sent = page(5);
    const far = new ScriptedEcmSender(sent, true);
    const reception = receiveFax({ transport: far, store, answerNow: true, localIdent: '', ...slowly });
    const got: number[] = [];
    for await (const p of reception.pages) got.push(p.index);
    const result = await reception.result;
    expect(result.failure?.kind).toBe('remote-disconnected');
    expect(far.answers).toEqual(['DIS', 'CFR', 'RNR']);
    // The store under way was waited for before the call's result: the page is in the files.
    expect(got).toEqual([0]);
    const files = await store.close();
    const back = readTiff(new Uint8Array(await readFile(files.tiff!)));
    expect(back.map((p) => bitmapsEqual(p.bitmap, sent))).toEqual([true]);
  });
});
