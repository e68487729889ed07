/**
 * The T.30 sender core driven with recorded far-end frame sequences (Class 1 octet order,
 * no FCS), one test per protocol branch. Each step feeds one event and checks the actions that
 * come out, summarised as short strings ("send TSI DCS", "tcf V.17 14400", "receive 3000").
 */

import {
  Fcf,
  SenderOptions,
  T30Action,
  T30Event,
  T30Outcome,
  T30Sender,
  buildPprFif,
  decodeDcs,
  fcfName,
  frameToHex,
  hexToFrame,
  parseFrame,
} from '../../lib/t30/index.js';
import { modulationLabel } from '../../lib/itu/modulation.js';
import { reverseBits } from '../../lib/itu/bit-order.js';

// Far-end frames. spandsp 0.0.6 answering (CSI "+1 555 0100", DIS: V.17, fine, superfine, MR,
// MMR, ECM); TSB-85 DIS frames reversed from first-bit-leftmost to Class 1 order.
const SPANDSP_CSI = 'FF 03 40 30 30 31 30 20 35 35 35 20 31 2B 20 20 20 20 20 20 20 20 20';
const SPANDSP_DIS = 'FF 13 80 00 EE F8 C4 80 91 80 80 80 18';
// The same far end with subaddressing offered (linesim --subaddress on): DIS bit 49 set.
const SPANDSP_DIS_SUB = 'FF 13 80 00 EE F8 C4 80 91 81 80 80 18';
// Our SUB for "1234", as lpfax sent it to that far end (which reported subaddress "1234").
const SUB_1234 = 'FF 03 C3 34 33 32 31 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20 20';
const tsb85 = (hex: string) => Array.from(reverseBits(hexToFrame(hex)), (b) => b.toString(16)).join(' ');
const DIS_V27_ONLY = tsb85('FF C8 01 00 50 00'); // V.27ter 4800/2400, MH, A4
const DIS_V29_V27 = tsb85('FF C8 01 00 72 20'); // V.27ter + V.29, fine, unlimited length
const DIS_POLLING_ONLY = tsb85('FF C8 01 00 80 11 01 01 01 40'); // not a receiver
const DIS_V27_ECM = tsb85('FF C8 01 00 50 11 20'); // V.27ter, ECM

const response = (name: keyof typeof Fcf, fif = '') => `FF 13 ${Fcf[name].toString(16)} ${fif}`.trim();
const CFR = response('CFR');
const FTT = response('FTT');
const MCF = response('MCF');
const RTP = response('RTP');
const RTN = response('RTN');
const PIP = response('PIP');
const CRP = response('CRP');
const DCN = response('DCN');
const CTR = response('CTR');
const ERR = response('ERR');
const RNR = response('RNR');
const ppr = (frames: number[]) =>
  `FF 13 BC ${Array.from(buildPprFif(frames), (b) => b.toString(16)).join(' ')}`;

function summarise(a: T30Action): string | undefined {
  switch (a.type) {
    case 'sendFrames':
      return 'send ' + a.frames.map(frameLabel).join(' ');
    case 'receiveFrame':
      return `receive ${a.timeoutMs}`;
    case 'silence':
      return `silence ${a.ms}`;
    case 'sendTraining':
      return `tcf ${modulationLabel(a.modulation)} ${a.durationMs}`;
    case 'preparePage':
      return `prepare ${a.page}`;
    case 'sendImage':
      return `image ${modulationLabel(a.modulation)} ${a.data.length}`;
    case 'sendImageFrames': {
      const fcds = a.frames.filter((f) => f[2] === Fcf.FCD).map((f) => f[3]);
      const rcps = a.frames.filter((f) => f[2] === Fcf.RCP).length;
      return `ecm ${modulationLabel(a.modulation)} FCD[${compress(fcds)}] RCP×${rcps}`;
    }
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

/** "DCS", or "PPS-NULL", "EOR-EOP" for the frames that carry a post-page FCF. */
function frameLabel(f: Uint8Array): string {
  const name = fcfName(f[2]) ?? f[2].toString(16);
  if (name !== 'PPS' && name !== 'EOR') return name;
  return `${name}-${f[3] === 0 ? 'NULL' : fcfName(f[3])}`;
}

/** "0-255" for a run of frame numbers. */
function compress(ns: number[]): string {
  if (ns.length > 2 && ns.every((n, i) => i === 0 || n === ns[i - 1] + 1))
    return `${ns[0]}-${ns[ns.length - 1]}`;
  return ns.join(',');
}

/** A sender and the actions of its latest step. */
class Call {
  readonly sender: T30Sender;
  actions: T30Action[] = [];

  constructor(options: Partial<SenderOptions> = {}) {
    this.sender = new T30Sender({ localIdent: '+49 30 1234567', resolution: 'fine', ecm: false, ...options });
  }

  step(event: T30Event): string[] {
    this.actions = this.sender.handle(event);
    return this.actions.map(summarise).filter((s): s is string => s !== undefined);
  }

  /** Far end sends one frame. */
  frame(hex: string, fcsOk = true): string[] {
    return this.step({ type: 'frameReceived', frame: hexToFrame(hex), fcsOk });
  }

  connected(): string[] {
    return this.step({ type: 'connected' });
  }

  timeout(): string[] {
    return this.step({ type: 'receiveTimeout' });
  }

  page(data = new Uint8Array(1000), morePages = false, documentEnds = false): string[] {
    const asked = this.actions.find((a) => a.type === 'preparePage');
    if (!asked || asked.type !== 'preparePage') throw new Error('no page was asked for');
    return this.step({ type: 'pageReady', page: asked.page, data, morePages, documentEnds });
  }

  /** Connects and answers the far end's identification with `dis`. */
  identified(dis = SPANDSP_DIS): string[] {
    this.connected();
    this.frame(SPANDSP_CSI);
    return this.frame(dis);
  }

  get outcome(): T30Outcome {
    const hangup = this.actions.find((a) => a.type === 'hangup');
    if (!hangup || hangup.type !== 'hangup') throw new Error('no hangup');
    return hangup.outcome;
  }

  /** The frames of the latest step's first sendFrames action. */
  get sent(): Uint8Array[] {
    const send = this.actions.find((a) => a.type === 'sendFrames');
    if (!send || send.type !== 'sendFrames') throw new Error('nothing sent');
    return send.frames;
  }

  /** How the latest step asked for a page to be coded. */
  get coding() {
    const asked = this.actions.find((a) => a.type === 'preparePage');
    if (!asked || asked.type !== 'preparePage') throw new Error('no page was asked for');
    return asked.coding;
  }

  /** The DCS in the latest step's frames. */
  get dcs() {
    for (const a of this.actions) {
      if (a.type !== 'sendFrames') continue;
      const dcs = a.frames.map((f) => parseFrame(f)!).find((f) => f.name === 'DCS');
      if (dcs) return decodeDcs(dcs.fif);
    }
    throw new Error('no DCS sent');
  }
}

const TRAIN = (mod: string) => [
  'silence 75',
  'send TSI DCS',
  'silence 75',
  `tcf ${mod} 1500`,
  'receive 3000',
];

describe('Phase B', () => {
  it('answers NSF/CSI/DIS with TSI, DCS and TCF, then asks for the first page on CFR', () => {
    const call = new Call();
    expect(call.connected()).toEqual(['arm T1', 'receive 35000']);
    expect(call.frame('FF 03 20 00 00 11 22')).toEqual(['receive 35000']); // NSF
    expect(call.frame(SPANDSP_CSI)).toEqual(['receive 35000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
    expect(call.dcs).toMatchObject({ resolution: 'fine', coding: 'mr', ecm: false, minScanTimeMs: 0 });
    const [tsi] = call.sent;
    expect(tsi[1]).toBe(0x03); // TSI is not the final frame; DCS is
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.coding).toMatchObject({ coding: 'mr', kFactor: 4, minBitsPerRow: 0, ecm: false });
  });

  it('sends DCS alone, as the final frame, when it has no identity for TSI', () => {
    const call = new Call({ localIdent: '  ' });
    call.connected();
    expect(call.frame(SPANDSP_DIS)).toEqual([
      'cancel T1',
      'silence 75',
      'send DCS',
      'silence 75',
      'tcf V.17 14400 1500',
      'receive 3000',
    ]);
    expect(call.sent).toHaveLength(1);
    expect(call.sent[0]![1]).toBe(0x13); // final frame
  });

  it('hangs up as incompatible on a DIS with no usable capability', () => {
    const call = new Call();
    call.connected();
    expect(call.frame(DIS_POLLING_ONLY)).toEqual([
      'cancel T1',
      'silence 75',
      'send DCN',
      'hangup incompatible',
    ]);
    expect(call.outcome.failure!.message).toMatch(/bit 10/);
  });

  it('ignores a DIS with a bad FCS and uses the good one that follows', () => {
    const call = new Call();
    call.connected();
    expect(call.frame(SPANDSP_DIS, false)).toEqual(['receive 35000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
  });

  it('steps down the modulations on FTT ×2', () => {
    const call = new Call();
    call.identified();
    expect(call.frame(FTT)).toEqual(TRAIN('V.17 12000'));
    expect(call.dcs.modulation?.code).toBe(121);
    expect(call.frame(FTT)).toEqual(TRAIN('V.17 9600'));
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    call.page();
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, retrains: 2, dcs: { modulation: { code: 97 } } });
  });

  it('steps from V.29 to V.27ter and fails training at the lowest speed', () => {
    const call = new Call();
    call.identified(DIS_V29_V27);
    expect(call.frame(FTT)).toEqual(TRAIN('V.29 7200'));
    expect(call.frame(FTT)).toEqual(TRAIN('V.27ter 4800'));
    expect(call.frame(FTT)).toEqual(TRAIN('V.27ter 2400'));
    expect(call.frame(FTT)).toEqual(['silence 75', 'send DCN', 'hangup training-failed']);
  });

  it('trains a V.27ter-only far end at 4800 with MH and 20 ms lines', () => {
    const call = new Call({ resolution: 'fine' });
    expect(call.identified(DIS_V27_ONLY)).toEqual(['cancel T1', ...TRAIN('V.27ter 4800')]);
    expect(call.dcs).toMatchObject({ resolution: 'standard', coding: 'mh', minScanTimeMs: 20, length: 'a4' });
    expect(call.frame(FTT)).toEqual(TRAIN('V.27ter 2400'));
  });

  it('sends DCS and TCF again when the far end repeats DIS, CRP, or says nothing, three times in all', () => {
    const call = new Call();
    call.identified();
    expect(call.frame(SPANDSP_CSI)).toEqual(['receive 3000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(TRAIN('V.17 14400'));
    expect(call.frame(CRP)).toEqual(TRAIN('V.17 14400'));
    expect(call.frame(CRP)).toEqual(['silence 75', 'send DCN', 'hangup protocol-error']);
    const quiet = new Call();
    quiet.identified();
    expect(quiet.timeout()).toEqual(TRAIN('V.17 14400'));
    expect(quiet.timeout()).toEqual(TRAIN('V.17 14400'));
    // Silence to the third DCS: the far end has hung up.
    expect(quiet.timeout()).toEqual(['silence 75', 'send DCN', 'hangup remote-disconnected']);
  });

  it('hangs up without sending DCN when the far end sends DCN after TCF', () => {
    const call = new Call();
    call.identified();
    expect(call.frame(DCN)).toEqual(['hangup remote-disconnected']);
    expect(call.outcome).toMatchObject({ ok: false, remoteIdent: '+1 555 0100', pagesConfirmed: 0 });
  });

  it('gives up as not-a-fax when T1 expires', () => {
    const call = new Call();
    call.connected();
    call.frame(SPANDSP_CSI);
    expect(call.step({ type: 'timerExpired', timer: 'T1' })).toEqual([
      'silence 75',
      'send DCN',
      'hangup not-a-fax',
    ]);
    expect(call.step({ type: 'frameReceived', frame: hexToFrame(SPANDSP_DIS), fcsOk: true })).toEqual([]);
  });
});

describe('Phase B: subaddress (SUB, DIS/DCS bit 49)', () => {
  const TRAIN_SUB = (mod: string) => [
    'silence 75',
    'send TSI SUB DCS',
    'silence 75',
    `tcf ${mod} 1500`,
    'receive 3000',
  ];

  it('sends SUB between TSI and DCS, with DCS bit 49, when the DIS offers subaddressing', () => {
    const call = new Call({ subaddress: '1234' });
    expect(call.identified(SPANDSP_DIS_SUB)).toEqual(['cancel T1', ...TRAIN_SUB('V.17 14400')]);
    const [tsi, sub, dcs] = call.sent;
    expect(frameToHex(sub!)).toBe(SUB_1234);
    expect([tsi![1], sub![1], dcs![1]]).toEqual([0x03, 0x03, 0x13]);
    expect(call.dcs.subaddress).toBe(true);
    // Every DCS carries it: again after FTT.
    expect(call.frame(FTT)).toEqual(TRAIN_SUB('V.17 12000'));
    expect(frameToHex(call.sent[1]!)).toBe(SUB_1234);
    expect(call.dcs.subaddress).toBe(true);
  });

  it('sends neither SUB nor bit 49 without a subaddress, whatever the DIS offers', () => {
    const call = new Call();
    expect(call.identified(SPANDSP_DIS_SUB)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
    expect(call.dcs.subaddress).toBe(false);
  });

  it('ends the call before training when the far end does not offer subaddressing', () => {
    const call = new Call({ subaddress: '1234' });
    expect(call.identified(SPANDSP_DIS)).toEqual([
      'cancel T1',
      'silence 75',
      'send DCN',
      'hangup subaddress-unsupported',
    ]);
    expect(call.outcome.failure?.message).toMatch(/^the far end does not accept a subaddress/);
    expect(call.outcome).toMatchObject({ ok: false, pagesConfirmed: 0, remoteIdent: '+1 555 0100' });
  });

  it('with subaddressFallback send-without, sends the fax without SUB to such a far end', () => {
    const call = new Call({ subaddress: '1234', subaddressFallback: 'send-without' });
    expect(call.identified(SPANDSP_DIS)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
    expect(call.dcs.subaddress).toBe(false);
    expect(call.frame(CFR)).toEqual(['prepare 0']);
  });

  it('checks a DIS repeated in reply to DCS too', () => {
    const call = new Call({ subaddress: '1234' });
    call.identified(SPANDSP_DIS_SUB);
    expect(call.frame(SPANDSP_DIS)).toEqual(['silence 75', 'send DCN', 'hangup subaddress-unsupported']);
  });
});

describe('Phase B: MaxRetrains', () => {
  it('gives up after maxRetrains retrains on FTT, above the lowest speed', () => {
    const one = new Call({ maxRetrains: 1 });
    one.identified();
    expect(one.frame(FTT)).toEqual(TRAIN('V.17 12000'));
    expect(one.frame(FTT)).toEqual(['silence 75', 'send DCN', 'hangup training-failed']);
    expect(one.outcome.failure?.message).toBe(
      'training failed at 12000 bit/s after 1 retrain(s), the most allowed',
    );
    const none = new Call({ maxRetrains: 0 });
    none.identified();
    expect(none.frame(FTT)).toEqual(['silence 75', 'send DCN', 'hangup training-failed']);
  });

  it('allows 3 by default (TSB-85 OTGC08 trains four times), and up to 10', () => {
    const three = new Call();
    three.identified();
    for (let i = 0; i < 3; i++) expect(three.frame(FTT)).toContain('send TSI DCS');
    expect(three.frame(FTT)).toEqual(['silence 75', 'send DCN', 'hangup training-failed']);
    const ten = new Call({ maxRetrains: 10 });
    ten.identified();
    for (let i = 0; i < 4; i++) expect(ten.frame(FTT)).toContain('send TSI DCS');
    expect(ten.sender.state).toBe('awaitTrainingResponse');
  });

  it('counts retrains after FTT and after RTN against one budget per call', () => {
    const call = new Call({ maxRetrains: 1 });
    call.identified();
    call.frame(FTT);
    call.frame(CFR);
    call.page();
    expect(call.frame(RTN)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
    expect(call.outcome.failure?.message).toBe('the far end rejected page 1 (RTN) after 1 retrain(s)');
  });
});

describe('Phase B: what TSB-85 checks beyond the plain path', () => {
  it('waits on for DIS after a receive that brought nothing, and garbage, until T1 (MTGX18, MTGX19)', () => {
    const call = new Call();
    call.connected();
    expect(call.timeout()).toEqual(['receive 35000']);
    expect(call.frame('A2 02 B5 C9 7E 67')).toEqual(['receive 35000']); // address not 0xFF
    expect(call.frame('FF 03 00')).toEqual(['receive 35000']); // an FCF T.30 does not define
    expect(call.timeout()).toEqual(['receive 35000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
  });

  it('answers a DIS repeated in reply to DCS with a DCS chosen from it, three DCS in all (MTGX12)', () => {
    const call = new Call({ resolution: 'standard' });
    expect(call.identified(DIS_V29_V27)).toEqual(['cancel T1', ...TRAIN('V.29 9600')]);
    expect(call.frame(DIS_V27_ONLY)).toEqual(TRAIN('V.27ter 4800'));
    expect(call.dcs).toMatchObject({ modulation: expect.objectContaining({ bitRate: 4800 }) });
    expect(call.frame(DIS_V27_ONLY)).toEqual(TRAIN('V.27ter 4800'));
    expect(call.frame(DIS_V27_ONLY)).toEqual(['silence 75', 'send DCN', 'hangup protocol-error']);
    expect(call.outcome.retrains).toBe(0);
  });

  it('keeps a speed already stepped down to when the far end repeats the same DIS', () => {
    const call = new Call();
    call.identified();
    expect(call.frame(FTT)).toEqual(TRAIN('V.17 12000'));
    expect(call.frame(SPANDSP_DIS)).toEqual(TRAIN('V.17 12000'));
  });
});

describe('Phase C/D without ECM', () => {
  /** Trained on spandsp's DIS at V.17 14400. */
  function trained(options: Partial<SenderOptions> = {}): Call {
    const call = new Call(options);
    call.identified();
    call.frame(CFR);
    return call;
  }
  const PAGE = (n: number, fcf: string, mod = 'V.17 14400') => [
    'silence 75',
    `image ${mod} ${n}`,
    'silence 75',
    `send ${fcf}`,
    'receive 3000',
  ];

  it('sends two pages with MPS then EOP, continuing on MCF without retraining', () => {
    const call = trained();
    expect(call.page(new Uint8Array(500), true)).toEqual(PAGE(500, 'MPS'));
    // V.17 after an accepted TCF: short training for the page (T.30 §5.3.2).
    expect(call.actions.find((a) => a.type === 'sendImage')).toMatchObject({ shortTraining: true });
    expect(call.frame(MCF)).toEqual(['prepare 1']);
    expect(call.page(new Uint8Array(600), false)).toEqual(PAGE(600, 'EOP'));
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({
      ok: true,
      pagesConfirmed: 2,
      retrains: 0,
      remoteIdent: '+1 555 0100',
    });
  });

  it('fills lines for the minimum scan time the far end asks for', () => {
    const call = new Call({ resolution: 'standard' });
    call.identified(DIS_V29_V27);
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.coding).toMatchObject({ coding: 'mh', minBitsPerRow: 192, resolution: 'standard' });
  });

  it('on RTN after MPS retrains one speed lower and sends the same page again', () => {
    const call = trained();
    call.page(new Uint8Array(500), true);
    expect(call.frame(RTN)).toEqual(TRAIN('V.17 12000'));
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.page(new Uint8Array(500), true)).toEqual(PAGE(500, 'MPS', 'V.17 12000'));
    expect(call.frame(MCF)).toEqual(['prepare 1']);
    call.page(new Uint8Array(10), false);
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ pagesConfirmed: 2, pageRetransmissions: 1, retrains: 1 });
  });

  it('gives up after the configured number of RTN retransmissions', () => {
    const call = trained({ maxRetrains: 1 });
    call.page();
    call.frame(RTN);
    call.frame(CFR);
    call.page();
    expect(call.frame(RTN)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
    const giveup = trained({ rtnHandling: 'giveup' });
    giveup.page();
    expect(giveup.frame(RTN)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
  });

  it('a DIS in answer to EOP (the far end missed the page, T2 ran out): phase B again, the page again', () => {
    // Recorded from spandsp 0.0.6 as the far end: a page it did not receive, then T2 expires
    // and it sends CSI + DIS where MCF was due.
    const call = trained();
    call.page(new Uint8Array(500), false);
    expect(call.frame(SPANDSP_CSI)).toEqual(['receive 3000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(TRAIN('V.17 14400'));
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.page(new Uint8Array(500), false)).toEqual(PAGE(500, 'EOP'));
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, pagesConfirmed: 1, pageRetransmissions: 1, retrains: 1 });
  });

  it('a page the far end keeps missing counts against the retransmission limit', () => {
    const call = trained({ maxRetrains: 1 });
    call.page();
    call.frame(SPANDSP_DIS);
    call.frame(CFR);
    call.page();
    expect(call.frame(SPANDSP_DIS)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
    expect(call.outcome.failure?.message).toMatch(/did not receive page 1/);
  });

  it('with rtnHandling ignore, retrains and goes on to the next page', () => {
    const call = trained({ rtnHandling: 'ignore' });
    call.page(new Uint8Array(5), true);
    expect(call.frame(RTN)).toEqual(TRAIN('V.17 14400'));
    expect(call.frame(CFR)).toEqual(['prepare 1']);
  });

  it('on RTP after MPS retrains and continues; after EOP it is done', () => {
    const call = trained();
    call.page(new Uint8Array(5), true);
    expect(call.frame(RTP)).toEqual(TRAIN('V.17 14400'));
    expect(call.frame(CFR)).toEqual(['prepare 1']);
    call.page(new Uint8Array(5), false);
    expect(call.frame(RTP)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, pagesConfirmed: 2, retrains: 1 });
  });

  it('treats PIN like RTN: retrain and send the page again', () => {
    const call = trained();
    call.page();
    expect(call.frame(response('PIN'))).toEqual(TRAIN('V.17 12000'));
    expect(call.frame(CFR)).toEqual(['prepare 0']);
  });

  it('treats PIP as a confirmation', () => {
    const call = trained();
    call.page();
    expect(call.frame(PIP)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
  });

  it('repeats EOP on CRP or silence and gives up after three unanswered EOPs', () => {
    // The third EOP met by silence: the far end has hung up (T.30 §5.4.3).
    const call = trained();
    call.page();
    expect(call.frame(CRP)).toEqual(['silence 75', 'send EOP', 'receive 3000']);
    expect(call.timeout()).toEqual(['silence 75', 'send EOP', 'receive 3000']);
    expect(call.timeout()).toEqual(['silence 75', 'send DCN', 'hangup remote-disconnected']);
    const quiet = trained();
    quiet.page();
    quiet.timeout();
    quiet.timeout();
    expect(quiet.timeout()).toEqual(['silence 75', 'send DCN', 'hangup remote-disconnected']);
    // The page was sent and not confirmed: it is the page the call ended on.
    expect(quiet.outcome).toMatchObject({ pagesConfirmed: 0, pageInProgress: 0 });
    // A response heard but not understood, to the last EOP: a protocol error, not a hang-up.
    const garbled = trained();
    garbled.page();
    garbled.timeout();
    garbled.timeout();
    expect(garbled.frame(CRP)).toEqual(['silence 75', 'send DCN', 'hangup protocol-error']);
  });

  it('ignores a response it cannot understand and sends the command again (MTGX21)', () => {
    const call = trained();
    call.page(new Uint8Array(10), true);
    expect(call.frame('A2 02 B5 C9 7E 67')).toEqual(['receive 3000']);
    expect(call.timeout()).toEqual(['silence 75', 'send MPS', 'receive 3000']);
    expect(call.frame(MCF)).toEqual(['prepare 1']);
  });

  it('does not wait forever on a line of garbage: after 4 such frames the command goes again', () => {
    const call = trained();
    call.page();
    for (let i = 0; i < 3; i++) expect(call.frame('FF 33 00')).toEqual(['receive 3000']);
    expect(call.frame('FF 33 00')).toEqual(['silence 75', 'send EOP', 'receive 3000']);
  });

  it('disconnects on a well-formed final frame whose FCF T.30 does not define (MTGX20)', () => {
    const call = trained();
    call.page();
    expect(call.frame('FF 13 00')).toEqual(['silence 75', 'send DCN', 'hangup protocol-error']);
  });

  it('ends a document with EOM and negotiates the next one afresh after a new DIS', () => {
    const call = trained();
    expect(call.page(new Uint8Array(10), true, true)).toEqual(PAGE(10, 'EOM'));
    expect(call.frame(MCF)).toEqual(['arm T1', 'receive 35000']);
    expect(call.frame(SPANDSP_CSI)).toEqual(['receive 35000']);
    expect(call.frame(DIS_V27_ONLY)).toEqual(['cancel T1', ...TRAIN('V.27ter 4800')]);
    expect(call.frame(CFR)).toEqual(['prepare 1']);
    expect(call.coding).toMatchObject({ coding: 'mh', resolution: 'standard' });
    expect(call.page(new Uint8Array(20), false)).toEqual(PAGE(20, 'EOP', 'V.27ter 4800'));
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, pagesConfirmed: 2, retrains: 1 });
  });

  it('after EOM, no DIS within T1 is the far end hanging up, not a number without a fax', () => {
    const call = trained();
    call.page(new Uint8Array(10), true, true);
    expect(call.frame(MCF)).toEqual(['arm T1', 'receive 35000']);
    expect(call.step({ type: 'timerExpired', timer: 'T1' })).toEqual([
      'silence 75',
      'send DCN',
      'hangup remote-disconnected',
    ]);
    expect(call.outcome).toMatchObject({ pagesConfirmed: 1, pageInProgress: undefined });
  });

  it('after RTN to EOM waits for the DIS of phase B and sends the page again under it', () => {
    const call = trained();
    call.page(new Uint8Array(10), true, true);
    expect(call.frame(RTN)).toEqual(['arm T1', 'receive 35000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(['cancel T1', ...TRAIN('V.17 14400')]);
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.page(new Uint8Array(10), true, true)).toEqual(PAGE(10, 'EOM'));
    expect(call.frame(MCF)).toEqual(['arm T1', 'receive 35000']);
    expect(call.sender.state).toBe('awaitDis');
  });

  it('hangs up as remote-disconnected on DCN after a page', () => {
    const call = trained();
    call.page(new Uint8Array(5), true);
    expect(call.frame(DCN)).toEqual(['hangup remote-disconnected']);
  });

  it('takes MCF that arrives after a bad frame', () => {
    const call = trained();
    call.page();
    expect(call.frame(MCF, false)).toEqual(['receive 3000']);
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
  });

  it('disconnects on an unexpected response, a page failure, a transport error and cancellation', () => {
    const unexpected = trained();
    unexpected.page();
    expect(unexpected.frame(CTR)).toEqual(['silence 75', 'send DCN', 'hangup protocol-error']);
    const badPage = trained();
    expect(badPage.step({ type: 'pageFailed', page: 0, message: 'gs failed' })).toEqual([
      'silence 75',
      'send DCN',
      'hangup bad-document',
    ]);
    const modem = trained();
    expect(modem.step({ type: 'transportError', kind: 'modem-error', message: 'ERROR' })).toEqual([
      'silence 75',
      'send DCN',
      'hangup modem-error',
    ]);
    const cancelled = trained();
    cancelled.page();
    expect(cancelled.step({ type: 'cancel' })).toEqual(['silence 75', 'send DCN', 'hangup cancelled']);
    expect(new Call().step({ type: 'cancel' })).toEqual(['hangup cancelled']);
  });
});

describe('Phase C/D with ECM (T.30 Annex A)', () => {
  function trained(dis = SPANDSP_DIS): Call {
    const call = new Call({ ecm: true });
    call.identified(dis);
    expect(call.dcs).toMatchObject({ ecm: true, ecmFrameSize: 256 });
    call.frame(CFR);
    return call;
  }
  const BLOCK = (frames: string, pps: string, mod = 'V.17 14400') => [
    'silence 75',
    `ecm ${mod} FCD[${frames}] RCP×3`,
    'silence 75',
    `send PPS-${pps}`,
    'receive 3000',
  ];
  const ppsOf = (call: Call) => {
    const a = call.actions.find((x) => x.type === 'sendFrames') as { frames: Uint8Array[] };
    return Array.from(a.frames[0].subarray(3));
  };

  it('sends a page of two partial pages: PPS-NULL then PPS-EOP', () => {
    const call = trained();
    expect(call.coding).toMatchObject({ coding: 'mmr', ecm: true, minBitsPerRow: 0 });
    expect(call.page(new Uint8Array(256 * 256 + 10))).toEqual(BLOCK('0-255', 'NULL'));
    expect(ppsOf(call)).toEqual([0x00, 0, 0, 255]);
    expect(call.frame(MCF)).toEqual(BLOCK('0', 'EOP'));
    expect(ppsOf(call)).toEqual([Fcf.EOP | 1, 0, 1, 0]);
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, pagesConfirmed: 1, dcs: { ecm: true, coding: 'mmr' } });
  });

  it('sends the frames a PPR marks, and after the fourth PPR sends CTC, continuing one speed lower', () => {
    const call = trained();
    call.page(new Uint8Array(256 * 10), true);
    expect(ppsOf(call)).toEqual([Fcf.MPS | 1, 0, 0, 9]);
    expect(call.frame(ppr([1, 2, 3]))).toEqual(BLOCK('1-3', 'MPS'));
    expect(ppsOf(call)).toEqual([Fcf.MPS | 1, 0, 0, 9]);
    expect(call.frame(ppr([2]))).toEqual(BLOCK('2', 'MPS'));
    expect(call.actions.find((a) => a.type === 'sendImageFrames')).toMatchObject({ shortTraining: true });
    expect(call.frame(ppr([2]))).toEqual(BLOCK('2', 'MPS'));
    expect(call.frame(ppr([2, 9]))).toEqual(['silence 75', 'send CTC', 'receive 3000']);
    const ctc = call.sent[0];
    expect(decodeDcs(Uint8Array.from([...ctc.subarray(3), 0])).modulation?.code).toBe(121);
    expect(call.frame(CTR)).toEqual(BLOCK('2,9', 'MPS', 'V.17 12000'));
    // No TCF at the new speed: long training for the first block after CTC/CTR.
    expect(call.actions.find((a) => a.type === 'sendImageFrames')).toMatchObject({ shortTraining: false });
    expect(call.frame(MCF)).toEqual(['prepare 1']);
    expect(call.coding).toMatchObject({ ecm: true });
    call.page(new Uint8Array(100), false);
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({
      ok: true,
      pagesConfirmed: 2,
      frameRetransmissions: 3 + 1 + 1 + 2,
      dcs: { modulation: { code: 121 } },
    });
  });

  it('a DIS in answer to PPS (partial page missed): TCF again, then that partial page alone', () => {
    const call = trained();
    call.page(new Uint8Array(256 * 256 + 10));
    expect(call.frame(MCF)).toEqual(BLOCK('0', 'EOP'));
    call.frame(SPANDSP_CSI);
    expect(call.frame(SPANDSP_DIS)).toEqual(TRAIN('V.17 14400'));
    expect(call.dcs).toMatchObject({ ecm: true, ecmFrameSize: 256 });
    // The confirmed first block is not sent again; the missed one goes whole, with short
    // training after the accepted TCF (T.30 §5.3.2), with the same PPS.
    expect(call.frame(CFR)).toEqual(BLOCK('0', 'EOP'));
    expect(ppsOf(call)).toEqual([Fcf.EOP | 1, 0, 1, 0]);
    expect(call.actions.find((a) => a.type === 'sendImageFrames')).toMatchObject({ shortTraining: true });
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
    expect(call.outcome).toMatchObject({ ok: true, pagesConfirmed: 1, pageRetransmissions: 1, retrains: 1 });
  });

  it('a missed partial page under a DIS that no longer offers ECM: the page again, coded anew', () => {
    const call = trained();
    call.page(new Uint8Array(256 * 3));
    expect(call.frame(DIS_V29_V27)).toEqual(TRAIN('V.29 9600'));
    expect(call.frame(CFR)).toEqual(['prepare 0']);
    expect(call.coding).toMatchObject({ ecm: false });
  });

  it('a DIS in answer to RR (the far end said RNR, then lost the call state): T5 stops, phase B', () => {
    const call = trained();
    call.page(new Uint8Array(256));
    expect(call.frame(RNR)).toEqual(['arm T5', 'silence 75', 'send RR', 'receive 3000']);
    expect(call.frame(SPANDSP_DIS)).toEqual(['cancel T5', ...TRAIN('V.17 14400')]);
  });

  it('at the lowest speed, the fourth PPR leads to EOR; ERR ends the page with errors', () => {
    const call = trained(DIS_V27_ECM);
    call.page(new Uint8Array(256 * 4), false);
    call.frame(ppr([0]));
    call.frame(ppr([0]));
    call.frame(ppr([0]));
    expect(call.frame(ppr([0]))).toEqual(['silence 75', 'send CTC', 'receive 3000']); // 4800 → 2400 first
    expect(call.frame(CTR)).toEqual(BLOCK('0', 'EOP', 'V.27ter 2400'));
    call.frame(ppr([0]));
    call.frame(ppr([0]));
    call.frame(ppr([0]));
    expect(call.frame(ppr([0]))).toEqual(['silence 75', 'send EOR-EOP', 'receive 3000']);
    const eor = call.sent[0];
    expect(Array.from(eor.subarray(2))).toEqual([Fcf.EOR | 1, Fcf.EOP | 1]);
    expect(call.frame(ERR)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
    expect(call.outcome).toMatchObject({ pagesConfirmed: 0 });
  });

  it('after EOR-NULL and ERR goes on with the next partial page, and reports the page as rejected', () => {
    const call = trained(DIS_V27_ECM);
    call.page(new Uint8Array(256 * 256 + 1), false); // two partial pages
    for (let i = 0; i < 3; i++) call.frame(ppr([5]));
    expect(call.frame(ppr([5]))).toEqual(['silence 75', 'send CTC', 'receive 3000']);
    call.frame(CTR);
    for (let i = 0; i < 3; i++) call.frame(ppr([5]));
    expect(call.frame(ppr([5]))).toEqual(['silence 75', 'send EOR-NULL', 'receive 3000']);
    expect(call.frame(ERR)).toEqual(BLOCK('0', 'EOP', 'V.27ter 2400'));
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup page-rejected']);
    expect(call.outcome).toMatchObject({ pagesConfirmed: 0, frameRetransmissions: 7 });
  });

  it('answers RNR ×3 with RR under T5, then goes on at MCF', () => {
    const call = trained();
    call.page(new Uint8Array(300), false);
    expect(call.frame(RNR)).toEqual(['arm T5', 'silence 75', 'send RR', 'receive 3000']);
    expect(call.frame(RNR)).toEqual(['silence 75', 'send RR', 'receive 3000']);
    expect(call.frame(RNR)).toEqual(['silence 75', 'send RR', 'receive 3000']);
    expect(call.timeout()).toEqual(['silence 75', 'send RR', 'receive 3000']);
    expect(call.frame(MCF)).toEqual(['cancel T5', 'silence 75', 'send DCN', 'hangup ok']);
  });

  it('gives up when the far end stays not ready until T5 expires: DCN answers the next RNR', () => {
    const call = trained();
    call.page(new Uint8Array(300), false);
    call.frame(RNR);
    call.frame(RNR);
    // T5 runs out while RR awaits its answer: nothing goes out over the far end's response.
    expect(call.step({ type: 'timerExpired', timer: 'T5' })).toEqual(['receive 3000']);
    expect(call.frame(RNR)).toEqual(['silence 75', 'send DCN', 'hangup protocol-timeout']);
  });

  it('after T5 ran out, a ready far end still gets the page through', () => {
    const call = trained();
    call.page(new Uint8Array(300), false);
    call.frame(RNR);
    expect(call.step({ type: 'timerExpired', timer: 'T5' })).toEqual(['receive 3000']);
    expect(call.frame(MCF)).toEqual(['silence 75', 'send DCN', 'hangup ok']);
  });

  it('repeats PPS (not the image) on CRP', () => {
    const call = trained();
    call.page(new Uint8Array(300), false);
    expect(call.frame(CRP)).toEqual(['silence 75', 'send PPS-EOP', 'receive 3000']);
  });
});
