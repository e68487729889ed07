/**
 * The T.30 receiver core driven with recorded sender frames (Class 1 octet order, no FCS), one
 * test per protocol branch. The frames are spandsp 0.0.6's, recorded over the simulated line
 * (test/fax/receive.test.ts): TSI "LINESIM", DCS for V.29 9600 fine MR, DCS for V.17 14400 fine
 * MMR with ECM, PPS-MPS/PPS-EOP. Each step feeds one event and checks the actions that come out,
 * summarised as short strings ("send CFR", "tcf V.29 9600", "image V.29 9600 short").
 */

import {
  DcsParameters,
  Fcf,
  ReceiveCapabilities,
  ReceiverOptions,
  ReceiverOutcome,
  T30Receiver,
  T30ReceiverAction,
  T30ReceiverEvent,
  buildFcd,
  buildFrame,
  buildPprFif,
  buildRcp,
  copyQualityVerdict,
  decodeDis,
  decodeIdent,
  encodeDcs,
  encodeDis,
  encodeIdent,
  fcfName,
  hexToFrame,
  parseFrame,
  pprFrameNumbers,
  tcfZeroRunMs,
} from '../../lib/t30/index.js';
import { MODULATIONS, modulationLabel } from '../../lib/itu/modulation.js';

// Recorded from spandsp 0.0.6 sending (linesim --send).
const TSI = 'FF 03 43 4D 49 53 45 4E 49 4C 20 20 20 20 20 20 20 20 20 20 20 20 20';
const DCS_V29_MR = 'FF 13 83 00 C6 74';
const DCS_V17_ECM_MMR = 'FF 13 83 00 62 F4 44';
const MPS = 'FF 13 4F';
const EOP = 'FF 13 2F';
const EOM = 'FF 13 8F';
const DCN = 'FF 13 FB';
const CRP = 'FF 13 1B';
const PPS_MPS_PAGE0 = 'FF 13 BF 4F 00 00 11'; // 18 frames
const PPS_EOP_PAGE1 = 'FF 13 BF 2F 01 00 0F'; // 16 frames
const hex = (f: Uint8Array) => Array.from(f, (b) => b.toString(16).padStart(2, '0')).join(' ');
const frame = (name: keyof typeof Fcf, fif: number[] = []) => hex(buildFrame(Fcf[name], fif, { x: true }));
const dcsFor = (p: Partial<DcsParameters>) =>
  hex(
    buildFrame(
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
        ...p,
      }),
      { x: true },
    ),
  );
const pps = (fcf2: number, page: number, block: number, frames: number) =>
  frame('PPS', [fcf2 === 0 ? 0 : fcf2 | 1, page, block, frames - 1]);

const CAPS: ReceiveCapabilities = {
  modulations: MODULATIONS,
  fine: true,
  superfine: true,
  mr: true,
  mmr: true,
  ecm: true,
  widths: [1728, 2048, 2432],
  lengths: ['a4', 'b4', 'unlimited'],
  minScanTimeMs: 0,
};

const FRAME_NAMES = (f: Uint8Array) => {
  const name = fcfName(f[2]) ?? f[2].toString(16);
  return name === 'PPR' ? `PPR[${pprFrameNumbers(f.subarray(3)).join(',')}]` : name;
};

function summarise(a: T30ReceiverAction): string | undefined {
  switch (a.type) {
    case 'sendFrames':
      return 'send ' + a.frames.map(FRAME_NAMES).join(' ');
    case 'receiveFrame':
      return `receive ${a.timeoutMs}`;
    case 'awaitSilence':
      return `quiet ${a.ms}`;
    case 'silence':
      return `silence ${a.ms}`;
    case 'receiveTraining':
      return `tcf ${modulationLabel(a.modulation)}`;
    case 'receiveImage':
      return `image ${modulationLabel(a.modulation)}${a.shortTraining ? ' short' : ''}`;
    case 'receiveImageFrames':
      return `ecm ${modulationLabel(a.modulation)}${a.shortTraining ? ' short' : ' long'}`;
    case 'storePage':
      return `store ${a.page} ${a.verdict}${a.data ? ` ${a.data.length}` : ''}${a.missingFrames ? ` missing ${a.missingFrames}` : ''}`;
    case 'awaitStored':
      return `await stored ${a.page}${a.timeoutMs === undefined ? '' : ` ${a.timeoutMs}`}`;
    case 'armTimer':
      return `arm ${a.timer}`;
    case 'cancelTimer':
      return `cancel ${a.timer}`;
    case 'progress':
      return undefined;
    case 'hangup':
      return `hangup ${a.outcome.ok ? 'ok' : a.outcome.failure!.kind}`;
  }
}

/**
 * A receiver and the actions of its latest step. Unless `manualStore`, a page handed over for
 * storage is stored at once: the awaitStored that follows is answered pageStored in the same step
 * and neither shows in the summary (the tests of slow storage answer it themselves).
 */
class Call {
  readonly receiver: T30Receiver;
  actions: T30ReceiverAction[] = [];

  constructor(
    options: Partial<ReceiverOptions> = {},
    private readonly manualStore = false,
  ) {
    this.receiver = new T30Receiver({ localIdent: '+49 30 7654321', capabilities: CAPS, ...options });
  }

  step(event: T30ReceiverEvent): string[] {
    this.actions = this.receiver.handle(event);
    const wait = this.actions.at(-1);
    if (!this.manualStore && wait?.type === 'awaitStored') {
      const before = this.actions.slice(0, -1);
      this.actions = [...before, ...this.receiver.handle({ type: 'pageStored', page: wait.page })];
    }
    return this.actions.map(summarise).filter((s): s is string => s !== undefined);
  }

  frame(h: string, fcsOk = true): string[] {
    return this.step({ type: 'frameReceived', frame: hexToFrame(h), fcsOk });
  }

  timeout(): string[] {
    return this.step({ type: 'receiveTimeout' });
  }

  /** TCF: `zeroMs` of zeros at 9600 bit/s between some noise. */
  tcf(zeroMs: number, bitRate = 9600): string[] {
    const zeros = Math.floor((zeroMs * bitRate) / 8000);
    const data = new Uint8Array(zeros + 40).fill(0x55);
    data.fill(0, 20, 20 + zeros);
    return this.step({ type: 'trainingReceived', data });
  }

  page(rows = 200, badRows = 0): string[] {
    return this.step({ type: 'pageDataReceived', rows, badRows });
  }

  /** ECM frames 0…count-1 of `octets` each, but those in `lose`, then RCP ×3. */
  block(count: number, lose: number[] = [], octets = 256, from = 0): string[] {
    const frames = [];
    for (let n = from; n < count; n++) {
      const data = new Uint8Array(octets).fill(n & 0xff);
      frames.push({ frame: buildFcd(n, data), fcsOk: !lose.includes(n) });
    }
    for (let i = 0; i < 3; i++) frames.push({ frame: buildRcp(), fcsOk: true });
    return this.step({ type: 'imageFramesReceived', frames });
  }

  /** Answered, TSI + DCS received, TCF accepted. */
  trained(dcs = DCS_V29_MR): string[] {
    this.step({ type: 'connected' });
    this.frame(TSI);
    this.frame(dcs);
    return this.tcf(1500, 14400);
  }

  get outcome(): ReceiverOutcome {
    const hangup = this.actions.find((a) => a.type === 'hangup');
    if (!hangup || hangup.type !== 'hangup') throw new Error('no hangup');
    return hangup.outcome;
  }

  get sent(): Uint8Array[] {
    const send = this.actions.find((a) => a.type === 'sendFrames');
    if (!send || send.type !== 'sendFrames') throw new Error('nothing sent');
    return send.frames;
  }

  get stored() {
    const s = this.actions.find((a) => a.type === 'storePage');
    if (!s || s.type !== 'storePage') throw new Error('nothing stored');
    return s;
  }
}

describe('DIS and the tables it rests on', () => {
  it('offers exactly what the receive capabilities say, and decodeDis reads it back', () => {
    const dis = decodeDis(encodeDis(CAPS));
    expect(dis.modulations.map(modulationLabel)).toEqual(MODULATIONS.map(modulationLabel));
    expect(dis).toMatchObject({
      receiver: true,
      fine: true,
      superfine: true,
      mr: true,
      mmr: true,
      ecm: true,
    });
    expect(dis.widths).toEqual([1728, 2048, 2432]);
    expect(dis.lengths).toEqual(['a4', 'b4', 'unlimited']);
    expect(dis.minScanTimeMs).toEqual({ standard: 0, fine: 0, superfine: 0 });
    const small = decodeDis(
      encodeDis({
        ...CAPS,
        modulations: MODULATIONS.filter((m) => m.name !== 'V.17'),
        superfine: false,
        ecm: false,
        widths: [1728],
        lengths: ['a4'],
        minScanTimeMs: 20,
      }),
    );
    expect(small.modulations.map(modulationLabel)).toEqual([
      'V.29 9600',
      'V.29 7200',
      'V.27ter 4800',
      'V.27ter 2400',
    ]);
    // T.6 needs ECM (T.30 Table 2): not offered without it.
    expect(small).toMatchObject({
      superfine: false,
      ecm: false,
      mmr: false,
      widths: [1728],
      lengths: ['a4'],
    });
    expect(small.minScanTimeMs.fine).toBe(20);
  });

  it('measures the longest run of zeros in a TCF', () => {
    const data = new Uint8Array(1800).fill(0);
    data[100] = 1;
    expect(tcfZeroRunMs(data, 9600)).toBe(Math.floor((1699 * 8000) / 9600));
    expect(tcfZeroRunMs(new Uint8Array(10).fill(0xff), 9600)).toBe(0);
  });

  it('judges copy quality with given thresholds: MCF up to 5 % bad rows (≤ 5 in a row), RTN above 20 %', () => {
    const q = { goodMaxBadShare: 0.05, goodMaxConsecutiveBadRows: 5, rejectBadShare: 0.2 };
    expect(copyQualityVerdict(1000, 50, undefined, q)).toBe('MCF');
    expect(copyQualityVerdict(1000, 50, 6, q)).toBe('RTP');
    expect(copyQualityVerdict(1000, 51, undefined, q)).toBe('RTP');
    expect(copyQualityVerdict(1000, 200, undefined, q)).toBe('RTP');
    expect(copyQualityVerdict(1000, 201, undefined, q)).toBe('RTN');
    expect(copyQualityVerdict(0, 0, undefined, q)).toBe('RTN');
  });

  it('judges copy quality by default as TSB-85 MRGN04 asks: 4.9 % bad → MCF, 15.1 % → RTN', () => {
    const call = new Call();
    call.trained();
    call.page(388, 19);
    expect(call.frame(MPS)).toEqual(['store 0 MCF', 'quiet 75', 'send MCF', 'image V.29 9600 short']);
    call.page(388, 30); // 7.7 %: kept, but the sender should retrain
    expect(call.frame(MPS)).toEqual(['store 1 RTP', 'quiet 75', 'send RTP', 'receive 7000']);
    call.frame(DCS_V29_MR);
    call.tcf(1500);
    call.page(388, 59);
    expect(call.frame(EOP)).toEqual(['quiet 75', 'send RTN', 'receive 7000']);
    const fresh = new Call();
    fresh.trained();
    fresh.page(1000, 101);
    expect(fresh.frame(EOP)[1]).toBe('send RTN');
  });
});

describe('Phase B', () => {
  it('answers with CSI and DIS, reads TSI and DCS, checks TCF and says CFR', () => {
    const call = new Call();
    expect(call.step({ type: 'connected' })).toEqual(['send CSI DIS', 'arm T1', 'receive 3000']);
    const [csi, dis] = call.sent;
    expect(decodeIdent(parseFrame(csi)!.fif)).toBe('+49 30 7654321');
    expect(csi[1]).toBe(0x03);
    expect(dis[1]).toBe(0x13);
    expect(call.frame(TSI)).toEqual(['receive 3000']);
    expect(call.frame(DCS_V29_MR)).toEqual(['cancel T1', 'tcf V.29 9600']);
    expect(call.tcf(1400)).toEqual(['quiet 75', 'send CFR', 'image V.29 9600 short']);
    const image = call.actions.find((a) => a.type === 'receiveImage');
    expect(image).toMatchObject({ format: { coding: 'mr', resolution: 'fine', width: 1728, ecm: false } });
  });

  it('sends DIS alone when it has no identity for CSI', () => {
    const call = new Call({ localIdent: ' ' });
    call.step({ type: 'connected' });
    expect(call.sent.map(FRAME_NAMES)).toEqual(['DIS']);
  });

  it('answers a short run of zeros with FTT; the sender steps down and trains again', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    call.frame(TSI);
    call.frame(DCS_V29_MR);
    expect(call.tcf(900)).toEqual(['quiet 75', 'send FTT', 'receive 7000']);
    expect(call.frame(TSI)).toEqual(['receive 7000']);
    expect(call.frame(dcsFor({ modulation: MODULATIONS[5] }))).toEqual(['tcf V.29 7200']);
    expect(call.tcf(1500, 7200)).toEqual(['quiet 75', 'send CFR', 'image V.29 7200 short']);
  });

  it('answers a TCF that never came with FTT, and follows frames that came instead', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    call.frame(DCS_V29_MR);
    expect(call.step({ type: 'signalMissed', reason: 'no-carrier' })).toEqual([
      'quiet 75',
      'send FTT',
      'receive 7000',
    ]);
    call.frame(DCS_V29_MR);
    // +FCERROR: the sender is sending V.21 (it repeats DCS): listen for it.
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(DCS_V29_MR)).toEqual(['tcf V.29 9600']);
  });

  it('sends DIS three times while nothing comes, then DCN: a caller that never sends a frame is no fax (TSB-85 MRGX01)', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    for (let i = 0; i < 2; i++) expect(call.timeout()).toEqual(['quiet 75', 'send CSI DIS', 'receive 3000']);
    expect(call.timeout()).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'cancel T1', 'hangup not-a-fax']);
    expect(call.outcome).toMatchObject({ ok: false, pagesConfirmed: 0, completed: false });
  });

  it('hangs up at T1 when only frames that are no command keep coming', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    call.frame(TSI);
    expect(call.step({ type: 'timerExpired', timer: 'T1' })).toEqual([
      'quiet 75',
      'send DCN',
      'silence 1000',
      'hangup protocol-error',
    ]);
  });

  it.each([
    ['a modulation not offered', { modulations: MODULATIONS.filter((m) => m.name !== 'V.29') }, DCS_V29_MR],
    ['MR coding not offered', { mr: false }, DCS_V29_MR],
    ['T.6 coding without ECM', {}, dcsFor({ coding: 'mmr' })],
    ['ECM not offered', { ecm: false }, DCS_V17_ECM_MMR],
    ['superfine not offered', { superfine: false }, dcsFor({ resolution: 'superfine' })],
    ['a width not offered', { widths: [1728] }, dcsFor({ width: 2048 })],
  ] as [string, Partial<ReceiveCapabilities>, string][])(
    'disconnects on a DCS that asks for %s',
    (_, caps, dcs) => {
      const call = new Call({ capabilities: { ...CAPS, ...caps } });
      call.step({ type: 'connected' });
      expect(call.frame(dcs)).toEqual([
        'quiet 75',
        'send DCN',
        'silence 1000',
        'cancel T1',
        'hangup incompatible',
      ]);
    },
  );

  it('keeps the subaddress (SUB) and the sender identity (TSI)', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    call.frame(hex(buildFrame(Fcf.SUB, encodeIdent('2001'), { final: false, x: true })));
    call.frame(TSI);
    call.frame(DCS_V29_MR);
    call.tcf(1500);
    call.page();
    call.frame(EOP);
    call.frame(DCN);
    expect(call.outcome).toMatchObject({
      ok: true,
      completed: true,
      subaddress: '2001',
      remoteIdent: 'LINESIM',
    });
  });

  it('waits longer for a command repeated after a spoiled one (TSB-85 MRGN14, MRGN17)', () => {
    const call = new Call();
    call.trained();
    call.page();
    expect(call.frame(MPS, false)).toEqual(['receive 10000']);
    expect(call.frame(MPS, false)).toEqual(['receive 10000']);
    expect(call.frame(MPS)).toEqual(['store 0 MCF', 'quiet 75', 'send MCF', 'image V.29 9600 short']);
  });

  it('ignores frames with a bad FCS; four in a row count as silence', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    expect(call.frame(DCS_V29_MR, false)).toEqual(['receive 3000']);
    expect(call.frame('FF 13 00 12 34')).toEqual(['receive 3000']); // unknown FCF: no command
    call.frame('01 02 03', false);
    expect(call.frame('00 00 00', false)).toEqual(['quiet 75', 'send CSI DIS', 'receive 3000']);
    expect(call.frame(TSI)).toEqual(['receive 3000']);
    expect(call.frame(DCS_V29_MR)).toEqual(['cancel T1', 'tcf V.29 9600']);
  });

  it('disconnects on a valid final frame that is no command here', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    expect(call.frame(frame('CFR'))).toEqual([
      'quiet 75',
      'send DCN',
      'silence 1000',
      'cancel T1',
      'hangup protocol-error',
    ]);
  });
});

describe('Phase C/D without ECM', () => {
  it('receives pages: MPS → MCF and the next page, EOP → MCF, DCN → done', () => {
    const call = new Call();
    call.trained();
    expect(call.page()).toEqual(['receive 7000']);
    expect(call.frame(MPS)).toEqual(['store 0 MCF', 'quiet 75', 'send MCF', 'image V.29 9600 short']);
    expect(call.page()).toEqual(['receive 7000']);
    expect(call.frame(EOP)).toEqual(['store 1 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
    expect(call.frame(DCN)).toEqual(['hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, completed: true, pagesConfirmed: 2, pagesRejected: 0 });
    expect(call.outcome.dcs).toMatchObject({ coding: 'mr', resolution: 'fine', ecm: false });
  });

  it('counts a sender that falls silent after the last MCF as done', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(EOP);
    expect(call.timeout()).toEqual(['hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, completed: true, pagesConfirmed: 1 });
  });

  it('answers RTP for a page with some bad rows: kept, and the sender retrains', () => {
    const call = new Call();
    call.trained();
    call.page(200, 15);
    expect(call.frame(MPS)).toEqual(['store 0 RTP', 'quiet 75', 'send RTP', 'receive 7000']);
    expect(call.frame(DCS_V29_MR)).toEqual(['tcf V.29 9600']);
    expect(call.tcf(1500)).toEqual(['quiet 75', 'send CFR', 'image V.29 9600 short']);
    call.page();
    expect(call.frame(EOP)).toEqual(['store 1 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
  });

  it('answers RTN for a poor page: not kept; the page sent again is', () => {
    const call = new Call();
    call.trained();
    call.page(200, 60);
    expect(call.frame(EOP)).toEqual(['quiet 75', 'send RTN', 'receive 7000']);
    call.frame(DCS_V29_MR);
    call.tcf(1500);
    call.page();
    expect(call.frame(EOP)).toEqual(['store 0 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
    call.frame(DCN);
    expect(call.outcome).toMatchObject({ ok: true, completed: true, pagesConfirmed: 1, pagesRejected: 1 });
  });

  it('ends as page-rejected when the sender gives up after RTN', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS);
    call.page(100, 90);
    call.frame(EOP);
    expect(call.frame(DCN)).toEqual(['hangup page-rejected']);
    expect(call.outcome).toMatchObject({ ok: false, pagesConfirmed: 1, pagesRejected: 1 });
  });

  it('answers a repeated MPS (our MCF was lost) again, without keeping the page twice', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS);
    // The sender did not hear MCF: +FRM meets its V.21 MPS (+FCERROR).
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(MPS)).toEqual(['quiet 75', 'send MCF', 'image V.29 9600 short']);
    call.page();
    expect(call.frame(EOP)).toEqual(['store 1 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
  });

  it('repeats its response on CRP', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(EOP);
    expect(call.frame(CRP)).toEqual(['quiet 75', 'send MCF', 'receive 7000']);
  });

  it('answers CFR again when the sender missed it and repeats DCS', () => {
    const call = new Call();
    call.trained();
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    call.frame(TSI);
    expect(call.frame(DCS_V29_MR)).toEqual(['tcf V.29 9600']);
    expect(call.tcf(1500)).toEqual(['quiet 75', 'send CFR', 'image V.29 9600 short']);
  });

  it('answers RTN when a post-page command comes without a page', () => {
    const call = new Call();
    call.trained();
    expect(call.step({ type: 'signalMissed', reason: 'no-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(MPS)).toEqual(['quiet 75', 'send RTN', 'receive 7000']);
  });

  it('returns to phase B after EOM: MCF, a repeated EOM answered again, then CSI and DIS', () => {
    const call = new Call();
    call.trained();
    call.page();
    expect(call.frame(EOM)).toEqual(['store 0 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
    // TSB-85 MRGN16: the sender missed MCF and repeats EOM.
    expect(call.frame(EOM)).toEqual(['quiet 75', 'send MCF', 'receive 7000']);
    expect(call.timeout()).toEqual(['quiet 75', 'send CSI DIS', 'arm T1', 'receive 3000']);
    expect(call.frame(dcsFor({ resolution: 'standard', coding: 'mh' }))).toEqual([
      'cancel T1',
      'tcf V.29 9600',
    ]);
    call.tcf(1500);
    call.page();
    expect(call.frame(EOP)).toEqual(['store 1 MCF', 'quiet 75', 'send MCF', 'receive 7000']);
    expect(call.stored.format).toMatchObject({ resolution: 'standard', coding: 'mh' });
  });

  it('takes a DCS that comes after EOM without waiting for our DIS', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(EOM);
    expect(call.frame(DCS_V29_MR)).toEqual(['tcf V.29 9600']);
    expect(call.tcf(1500)).toEqual(['quiet 75', 'send CFR', 'image V.29 9600 short']);
  });

  it('keeps the pages so far when the sender hangs up (DCN) mid-document', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS);
    call.page();
    call.frame(MPS);
    // The DCN comes where page data was expected (+FCERROR), then as a frame.
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(DCN)).toEqual(['hangup remote-disconnected']);
    expect(call.outcome).toMatchObject({ ok: false, pagesConfirmed: 2, completed: false });
  });

  it('hangs up at T2 when no command follows a page: silence is a sender that has gone (T.30 §5.4.3.2)', () => {
    const call = new Call();
    call.trained();
    call.page();
    expect(call.timeout()).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup remote-disconnected']);
  });

  it('after MCF, no page and T2 of silence: remote-disconnected, the pages confirmed kept', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS);
    call.page();
    call.frame(MPS);
    expect(call.step({ type: 'signalMissed', reason: 'no-carrier' })).toEqual(['receive 7000']);
    expect(call.timeout()).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup remote-disconnected']);
    expect(call.outcome).toMatchObject({ ok: false, pagesConfirmed: 2 });
  });

  it('T2 with only spoiled frames after a page is no hang-up: protocol-error', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS, false);
    expect(call.timeout()).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup protocol-error']);
  });

  it('hangs up on a modem error, keeping the pages confirmed', () => {
    const call = new Call();
    call.trained();
    call.page();
    call.frame(MPS);
    expect(call.step({ type: 'transportError', kind: 'modem-error', message: 'ERROR' })).toEqual([
      'quiet 75',
      'send DCN',
      'silence 1000',
      'hangup modem-error',
    ]);
    expect(call.outcome.pagesConfirmed).toBe(1);
  });

  it('hangs up when cancelled', () => {
    const call = new Call();
    call.trained();
    expect(call.step({ type: 'cancel' })).toEqual([
      'quiet 75',
      'send DCN',
      'silence 1000',
      'hangup cancelled',
    ]);
    expect(call.step({ type: 'receiveTimeout' })).toEqual([]);
  });
});

describe('Phase C/D with ECM', () => {
  it('receives partial pages: PPS-MPS → page kept, MCF; PPS-EOP → MCF; DCN', () => {
    const call = new Call();
    call.step({ type: 'connected' });
    call.frame(TSI);
    expect(call.frame(DCS_V17_ECM_MMR)).toEqual(['cancel T1', 'tcf V.17 14400']);
    expect(call.tcf(1500, 14400)).toEqual(['quiet 75', 'send CFR', 'ecm V.17 14400 short']);
    expect(call.block(18)).toEqual(['receive 7000']);
    expect(call.frame(PPS_MPS_PAGE0)).toEqual([
      'store 0 MCF 4608',
      'quiet 75',
      'send MCF',
      'ecm V.17 14400 short',
    ]);
    expect(call.stored.data![256 * 17]).toBe(17);
    expect(call.stored.format).toMatchObject({ coding: 'mmr', ecm: true });
    call.block(16);
    expect(call.frame(PPS_EOP_PAGE1)).toEqual(['store 1 MCF 4096', 'quiet 75', 'send MCF', 'receive 7000']);
    expect(call.frame(DCN)).toEqual(['hangup ok']);
    expect(call.outcome).toMatchObject({
      ok: true,
      completed: true,
      pagesConfirmed: 2,
      frameRetransmissions: 0,
    });
  });

  it('asks for missing frames with PPR and joins the page when they come', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(10, [2, 7]);
    expect(call.frame(pps(Fcf.EOP, 0, 0, 10))).toEqual(['quiet 75', 'send PPR[2,7]', 'ecm V.17 14400 short']);
    // The retransmission: only frames 2 and 7, one of them damaged again.
    call.step({
      type: 'imageFramesReceived',
      frames: [
        { frame: buildFcd(2, new Uint8Array(256).fill(2)), fcsOk: true },
        { frame: buildFcd(7, new Uint8Array(256).fill(7)), fcsOk: false },
        { frame: buildRcp(), fcsOk: true },
      ],
    });
    expect(call.frame(pps(Fcf.EOP, 0, 0, 10))).toEqual(['quiet 75', 'send PPR[7]', 'ecm V.17 14400 short']);
    call.block(8, [], 256, 7);
    expect(call.frame(pps(Fcf.EOP, 0, 0, 10))).toEqual([
      'store 0 MCF 2560',
      'quiet 75',
      'send MCF',
      'receive 7000',
    ]);
    expect(Array.from({ length: 10 }, (_, n) => call.stored.data![n * 256])).toEqual([...Array(10).keys()]);
    call.frame(DCN);
    expect(call.outcome.frameRetransmissions).toBe(3);
  });

  it('asks for every frame when the partial page never arrived', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    expect(call.step({ type: 'signalMissed', reason: 'no-carrier' })).toEqual(['receive 7000']);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    expect(pprFrameNumbers(call.sent[0].subarray(3))).toEqual([0, 1, 2]);
    expect(call.sent[0].subarray(3)).toEqual(buildPprFif([0, 1, 2]));
  });

  it('confirms a partial page of a longer page (PPS-NULL) without keeping it yet', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(256, [], 64);
    expect(call.frame(pps(0, 0, 0, 256))).toEqual(['quiet 75', 'send MCF', 'ecm V.17 14400 short']);
    call.block(4, [], 64);
    expect(call.frame(pps(Fcf.EOP, 0, 1, 4))).toEqual([
      'store 0 MCF 16640',
      'quiet 75',
      'send MCF',
      'receive 7000',
    ]);
  });

  it('answers a repeated PPS (our MCF was lost) with MCF again, keeping the page once', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(5);
    call.frame(pps(Fcf.MPS, 0, 0, 5));
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(pps(Fcf.MPS, 0, 0, 5))).toEqual(['quiet 75', 'send MCF', 'ecm V.17 14400 short']);
  });

  it('answers CTC with CTR and takes the next partial page at the new speed, long training', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(5, [1]);
    for (let i = 0; i < 4; i++) {
      call.frame(pps(Fcf.EOP, 0, 0, 5));
      call.block(2, [1], 256, 1);
    }
    const ctc = hex(
      buildFrame(
        Fcf.CTC,
        [
          0,
          encodeDcs({
            ...({} as DcsParameters),
            modulation: MODULATIONS[3],
            resolution: 'fine',
            coding: 'mr',
            ecm: true,
            ecmFrameSize: 256,
            width: 1728,
            length: 'a4',
            minScanTimeMs: 0,
          })[1] & 0x3c,
        ],
        { x: true },
      ),
    );
    expect(call.frame(ctc)).toEqual(['quiet 75', 'send CTR', 'ecm V.29 9600 long']);
    call.block(2, [], 256, 1);
    expect(call.frame(pps(Fcf.EOP, 0, 0, 5))).toEqual([
      'store 0 MCF 1280',
      'quiet 75',
      'send MCF',
      'receive 7000',
    ]);
  });

  it('answers EOR with ERR and keeps the page with its frames missing', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(6, [3]);
    call.frame(pps(Fcf.MPS, 0, 0, 6));
    call.block(4, [3], 256, 3);
    expect(call.frame(frame('EOR', [Fcf.MPS | 1]))).toEqual([
      'store 0 MCF 1280 missing 1',
      'quiet 75',
      'send ERR',
      'ecm V.17 14400 short',
    ]);
  });

  it('answers RR with its last response when no page is being stored', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(3, [0]);
    call.frame(pps(Fcf.EOP, 0, 0, 3));
    expect(call.step({ type: 'signalMissed', reason: 'wrong-carrier' })).toEqual(['receive 7000']);
    expect(call.frame(frame('RR'))).toEqual(['quiet 75', 'send PPR[0]', 'ecm V.17 14400 short']);
  });

  it('keeps confirmed ECM pages when the sender hangs up in the next one', () => {
    const call = new Call();
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    call.block(3);
    expect(call.frame(DCN)).toEqual(['hangup remote-disconnected']);
    expect(call.outcome).toMatchObject({ pagesConfirmed: 1, completed: false });
  });
});

describe('Storage: the confirmation waits for the store; RNR while it runs (ECM, T.30 §A.4.5)', () => {
  const RR = 'FF 13 6F'; // spandsp 0.0.6's RR after our RNR (test/fax/receive.test.ts)
  const stored = (page: number): T30ReceiverEvent => ({ type: 'pageStored', page });
  const pending = (page: number): T30ReceiverEvent => ({ type: 'storePending', page });

  it('answers PPS-MPS with RNR while the page is stored, RR with RNR again, then MCF', () => {
    const call = new Call({}, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    expect(call.frame(pps(Fcf.MPS, 0, 0, 3))).toEqual(['store 0 MCF 768', 'await stored 0 1000']);
    expect(call.step(pending(0))).toEqual(['quiet 75', 'send RNR', 'receive 7000']);
    expect(call.actions).toContainEqual({
      type: 'progress',
      progress: { kind: 'receiver-not-ready', page: 0 },
    });
    expect(call.receiver.state).toBe('awaitRr');
    expect(call.frame(RR)).toEqual(['await stored 0 1000']);
    expect(call.step(pending(0))).toEqual(['quiet 75', 'send RNR', 'receive 7000']);
    expect(call.frame(RR)).toEqual(['await stored 0 1000']);
    expect(call.step(stored(0))).toEqual(['quiet 75', 'send MCF', 'ecm V.17 14400 short']);
    // The next page is stored at once: MCF without RNR.
    call.block(2);
    expect(call.frame(pps(Fcf.EOP, 1, 0, 2))).toEqual(['store 1 MCF 512', 'await stored 1 1000']);
    expect(call.step(stored(1))).toEqual(['quiet 75', 'send MCF', 'receive 7000']);
    expect(call.frame(DCN)).toEqual(['hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, completed: true, pagesConfirmed: 2 });
  });

  it('answers a repeated RR (our MCF to RR was lost) with MCF again after PPS-EOP', () => {
    const call = new Call({ storeWaitMs: 400 }, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(2);
    expect(call.frame(pps(Fcf.EOP, 0, 0, 2))).toEqual(['store 0 MCF 512', 'await stored 0 400']);
    call.step(pending(0));
    call.frame(RR);
    expect(call.step(stored(0))).toEqual(['quiet 75', 'send MCF', 'receive 7000']);
    expect(call.frame(RR)).toEqual(['quiet 75', 'send MCF', 'receive 7000']);
    expect(call.frame(DCN)).toEqual(['hangup ok']);
  });

  it('checks the store again when the sender repeats PPS (our RNR was lost); keeps the page once', () => {
    const call = new Call({}, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    call.step(pending(0));
    expect(call.frame(pps(Fcf.MPS, 0, 0, 3))).toEqual(['await stored 0 1000']);
    expect(call.step(stored(0))).toEqual(['quiet 75', 'send MCF', 'ecm V.17 14400 short']);
  });

  it('repeats RNR on CRP', () => {
    const call = new Call({}, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    call.step(pending(0));
    expect(call.frame(CRP)).toEqual(['quiet 75', 'send RNR', 'receive 7000']);
  });

  it('ends remote-disconnected when the sender gives up (DCN) during RNR', () => {
    const call = new Call({}, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.EOP, 0, 0, 3));
    call.step(pending(0));
    expect(call.frame(DCN)).toEqual(['hangup remote-disconnected']);
  });

  it('gives up (storage-failed, DCN) when the store outlasts T5', () => {
    const call = new Call({ storeWaitMs: 20_000 }, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    for (let i = 0; i < 3; i++) {
      expect(call.step(pending(0))).toEqual(['quiet 75', 'send RNR', 'receive 7000']);
      call.frame(RR);
    }
    expect(call.step(pending(0))).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup storage-failed']);
  });

  it('without ECM waits for the store with no limit (there is no RNR), then MCF', () => {
    const call = new Call({}, true);
    call.trained();
    call.page();
    expect(call.frame(MPS)).toEqual(['store 0 MCF', 'await stored 0']);
    expect(call.step(stored(0))).toEqual(['quiet 75', 'send MCF', 'image V.29 9600 short']);
    call.page();
    call.frame(EOP);
    expect(call.step(pending(1))).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup protocol-error']);
  });

  it('takes no store event it did not ask for', () => {
    const call = new Call({}, true);
    call.trained(DCS_V17_ECM_MMR);
    call.block(3);
    call.frame(pps(Fcf.MPS, 0, 0, 3));
    expect(call.step(stored(1))).toEqual(['quiet 75', 'send DCN', 'silence 1000', 'hangup protocol-error']);
  });
});
