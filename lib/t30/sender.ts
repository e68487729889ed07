/**
 * The T.30 sender (the calling terminal that transmits documents), sans I/O. See state.ts for
 * the theory of operation and the response tables this class carries out.
 */

import type { Modulation } from '../itu/modulation.js';
import { DcsParameters, DisCapabilities, decodeDis, encodeDcs } from './dis.js';
import { EcmPage, EcmSession } from './ecm-sender.js';
import type {
  FailureKind,
  PageCoding,
  T30Action,
  T30Event,
  T30Failure,
  T30Outcome,
  TimerName,
} from './events.js';
import { Fcf } from './fcf.js';
import { T30Frame, buildFrame, decodeIdent, encodeIdent, parseFrame } from './frames.js';
import { LocalCapabilities, chooseDcs, minBitsPerRow, mrKFactor } from './negotiate.js';
import {
  COMMAND_TRANSMISSIONS,
  IGNORED_FRAMES_PER_WAIT,
  INTER_SIGNAL_SILENCE_MS,
  RESPONSES,
  Reaction,
  SenderState,
  T1_MS,
  T4_MS,
  TCF_MS,
} from './state.js';

/** What to do when the far end answers a page with RTN (or PIN); HylaFAX's RTNHandlingMethod. */
export type RtnHandling = 'retransmit' | 'ignore' | 'giveup';

/** A subaddress for a far end whose DIS does not offer subaddressing (bit 49): end the call, or send without it. */
export type SubaddressFallback = 'fail' | 'send-without';

/** Default of SenderOptions.maxRetrains (lpfax.conf MaxRetrains). */
export const DEFAULT_MAX_RETRAINS = 3;

export interface SenderOptions extends LocalCapabilities {
  /** Our number for TSI (T.30 §5.3.6.2.5), at most 20 characters of digits, "+" and space. */
  localIdent: string;
  /** Default 'retransmit': retrain (one speed lower when possible) and send the page again. */
  rtnHandling?: RtnHandling;
  /**
   * How many times one call may train again because the far end rejected a training (FTT) or,
   * with rtnHandling 'retransmit', a page (RTN, PIN) before it gives up (default 3).
   */
  maxRetrains?: number;
  /**
   * Digits for the far end to route the fax by (SUB, T.30 §5.3.6.1.3; FIF coded as TSI's),
   * sent before every DCS with DCS bit 49 set when the far end's DIS offers subaddressing.
   */
  subaddress?: string;
  /** When the far end does not offer subaddressing (default 'fail': a fax at the wrong desk is worse than none). */
  subaddressFallback?: SubaddressFallback;
}

/** The command being waited on: what to send again when no valid response comes. */
interface PendingCommand {
  actions: T30Action[];
  transmissions: number;
  /** Anything at all (a frame, good or bad) came back since the command last went out. */
  heard: boolean;
}

const x = { x: true };
/** T.30 §5.3.2: 75 ms of silence between one signal and the next. */
const GAP: T30Action = { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS };

export class T30Sender {
  private current: SenderState = 'idle';
  private command: PendingCommand = { actions: [], transmissions: 0, heard: false };
  /** Non-final frames of the response being received (NSF, CSI before DIS). */
  private sequence: T30Frame[] = [];
  private remote?: DisCapabilities;
  private remoteIdent?: string;
  private dcs?: DcsParameters;
  private candidates: Modulation[] = [];
  private page = 0;
  private morePages = false;
  /** The page being sent ends its document; with morePages, EOM goes after it. */
  private documentEnds = false;
  /** Frames ignored since the last command (see IGNORED_FRAMES_PER_WAIT). */
  private ignored = 0;
  private pageTransmissions = 0;
  private pagesConfirmed = 0;
  private retrains = 0;
  /** Retrains after FTT, RTN or PIN: the ones maxRetrains limits. */
  private retrainsAfterRejection = 0;
  private pageRetransmissions = 0;
  private frameRetransmissions = 0;
  private trainings = 0;
  private pagesWithErrors = 0;
  /** The page being sent with ECM (T.30 Annex A). */
  private ecm?: EcmPage;
  /** After a missed partial page: the training under way leads back into this.ecm's block. */
  private resumeEcmBlock = false;

  constructor(private readonly options: SenderOptions) {}

  get state(): SenderState {
    return this.current;
  }

  /** Feeds one event; returns the actions to perform, in order. */
  handle(event: T30Event): T30Action[] {
    if (this.current === 'done') return [];
    switch (event.type) {
      case 'connected':
        if (this.current !== 'idle') return this.fail('protocol-error', 'connected twice');
        this.current = 'awaitDis';
        return [{ type: 'armTimer', timer: 'T1', ms: T1_MS }, this.receive()];
      case 'frameReceived':
        this.command.heard = true;
        return this.onFrame(event.frame, event.fcsOk);
      case 'receiveTimeout':
        // Waiting for DIS, T1 alone decides (its expiry comes as timerExpired): a carrier that
        // brought no frame, or a receive cut short, is no reason to give up (TSB-85 MTGX19).
        if (this.current === 'awaitDis') return [this.receive()];
        return this.repeatCommand('timeout');
      case 'timerExpired':
        return this.onTimer(event.timer);
      case 'pageReady':
        if (this.current !== 'awaitPage' || event.page !== this.page) {
          return this.fail('protocol-error', `page ${event.page + 1} was not asked for`);
        }
        this.morePages = event.morePages;
        this.documentEnds = event.morePages && event.documentEnds === true;
        return this.sendPage(event.data);
      case 'pageFailed':
        return this.fail('bad-document', event.message);
      case 'transportError':
        return this.fail(event.kind, event.message);
      case 'cancel':
        return this.fail('cancelled', 'the job was cancelled');
    }
  }

  // --- receiving -------------------------------------------------------------------------

  private receive(): T30Action {
    return { type: 'receiveFrame', timeoutMs: this.current === 'awaitDis' ? T1_MS : T4_MS };
  }

  private onFrame(octets: Uint8Array, fcsOk: boolean): T30Action[] {
    const frame = fcsOk ? parseFrame(octets) : undefined;
    // A frame with a bad FCS or a wrong address or control field is no frame at all (see
    // RESPONSES): keep listening; if nothing valid follows, the receive times out and the
    // command goes again (TSB-85 MTGX18, MTGX21). So is a non-final frame, or anything before
    // DIS, with an FCF T.30 does not define; a final one in answer to a command is an invalid
    // response, and the call ends (MTGX20).
    if (!frame || (!frame.name && (!frame.final || this.current === 'awaitDis'))) return this.ignore();
    this.ignored = 0;
    if (!frame.final) {
      this.sequence.push(frame);
      return [this.receive()];
    }
    const sequence = [...this.sequence, frame];
    this.sequence = [];
    const reaction = frame.name && RESPONSES[this.current][frame.name];
    if (!reaction) {
      // Before DIS, any other signal (a stray CSI, our own echo) is not an answer: wait on.
      if (this.current === 'awaitDis') return [this.receive()];
      return this.fail('protocol-error', `unexpected ${frame.name ?? 'frame'} in state ${this.current}`);
    }
    return this.react(reaction, frame, sequence);
  }

  private ignore(): T30Action[] {
    this.ignored++;
    if (this.current !== 'awaitDis' && this.ignored >= IGNORED_FRAMES_PER_WAIT) {
      return this.repeatCommand('unrecognised frames');
    }
    return [this.receive()];
  }

  private onTimer(timer: TimerName): T30Action[] {
    if (timer === 'T1' && this.current === 'awaitDis') {
      // After EOM the far end had answered as a fax machine: its silence now is a hang-up.
      if (this.remote) return this.fail('remote-disconnected', 'no DIS for the next document within T1');
      return this.fail('not-a-fax', 'no DIS from the far end within T1');
    }
    // T5 runs out while RR awaits its answer (timers end receives): keep listening; the next
    // RNR gets DCN (ecm-sender.ts onRnr), so DCN does not go out over the far end's response.
    if (timer === 'T5') {
      this.ecm?.onT5Expired();
      return [this.receive()];
    }
    return [];
  }

  private react(reaction: Reaction, frame: T30Frame, sequence: T30Frame[]): T30Action[] {
    switch (reaction) {
      case 'remoteCapabilities':
        return this.onDis(frame, sequence);
      case 'capabilitiesAgain':
        return this.onDisAgain(frame, sequence);
      case 'trained':
        return this.onCfr();
      case 'trainingFailed':
        return this.onFtt();
      case 'repeatCommand':
        return this.repeatCommand(frame.name ?? 'frame');
      case 'pageConfirmed':
        return this.onPageConfirmed(false);
      case 'pageConfirmedRetrain':
        return this.onPageConfirmed(true);
      case 'pageRejected':
        return this.onPageRejected(frame.name ?? 'RTN');
      case 'pageMissed':
        return this.onPageMissed(frame, sequence);
      case 'blockConfirmed':
        return this.ecm!.nextBlock(false);
      case 'blockAbandoned':
        return this.ecm!.nextBlock(true);
      case 'framesRejected':
        return this.ecm!.onPpr(frame);
      case 'receiverNotReady':
        return this.ecm!.onRnr();
      case 'speedChanged':
        return this.ecm!.onCtr();
      case 'remoteDisconnected':
        this.current = 'done';
        return [
          {
            type: 'hangup',
            outcome: this.outcome({ kind: 'remote-disconnected', message: 'the far end sent DCN' }),
          },
        ];
    }
  }

  // --- commands --------------------------------------------------------------------------

  /**
   * Sends a command and waits for its response; `before` goes out only the first time. Every
   * command starts after 75 ms of silence (T.30 §5.3.2), whatever the line carried last.
   */
  private sendCommand(next: SenderState, actions: T30Action[], before: T30Action[] = []): T30Action[] {
    this.current = next;
    this.ignored = 0;
    this.command = { actions: [GAP, ...actions], transmissions: 1, heard: false };
    return [...before, ...this.command.actions, this.receive()];
  }

  private repeatCommand(why: string): T30Action[] {
    if (this.command.transmissions >= COMMAND_TRANSMISSIONS) {
      const tries = `no valid response in state ${this.current} after ${COMMAND_TRANSMISSIONS} tries`;
      // T.30 §5.4.3: the last of three commands met by silence, in a call the far end took part
      // in: it has hung up (a Class 1 modem rarely notices the line drop by itself).
      if (!this.command.heard) return this.fail('remote-disconnected', `${tries} (the line is silent)`);
      return this.fail('protocol-error', `${tries} (last: ${why})`);
    }
    this.command.transmissions++;
    this.command.heard = false;
    this.ignored = 0;
    return [...this.command.actions, this.receive()];
  }

  private fail(kind: FailureKind, message: string): T30Action[] {
    return this.disconnect({ kind, message });
  }

  /** Phase E: DCN (T.30 §5.3.6.1.7), then hang up. Before the call there is nobody to tell. */
  private disconnect(failure?: T30Failure): T30Action[] {
    const wasIdle = this.current === 'idle';
    this.current = 'done';
    const hangup: T30Action = { type: 'hangup', outcome: this.outcome(failure) };
    return wasIdle ? [hangup] : [GAP, { type: 'sendFrames', frames: [buildFrame(Fcf.DCN, [], x)] }, hangup];
  }

  private outcome(failure?: T30Failure): T30Outcome {
    return {
      ok: failure === undefined,
      failure,
      pagesConfirmed: this.pagesConfirmed,
      pageInProgress: this.pageTransmissions > 0 ? this.page : undefined,
      remoteIdent: this.remoteIdent,
      remoteCapabilities: this.remote,
      dcs: this.dcs && { ...this.dcs },
      retrains: this.retrains,
      pageRetransmissions: this.pageRetransmissions,
      frameRetransmissions: this.frameRetransmissions,
    };
  }

  // --- Phase B ---------------------------------------------------------------------------

  /** Takes the far end's DIS (and the CSI before it) and chooses our DCS for it. */
  private takeDis(dis: T30Frame, sequence: T30Frame[]): ReturnType<typeof chooseDcs> {
    const csi = sequence.find((f) => f.name === 'CSI');
    if (csi) this.remoteIdent = decodeIdent(csi.fif);
    this.remote = decodeDis(dis.fif);
    return chooseDcs(this.remote, this.options);
  }

  private onDis(dis: T30Frame, sequence: T30Frame[]): T30Action[] {
    const negotiation = this.takeDis(dis, sequence);
    const actions: T30Action[] = [
      { type: 'cancelTimer', timer: 'T1' },
      {
        type: 'progress',
        progress: {
          kind: 'remote-identified',
          remoteIdent: this.remoteIdent ?? '',
          capabilities: this.remote!,
        },
      },
    ];
    if (!negotiation.ok) return [...actions, ...this.fail('incompatible', negotiation.reason)];
    if (this.subaddressRefused()) return [...actions, ...this.failSubaddress()];
    this.dcs = { ...negotiation.dcs, subaddress: this.sendsSubaddress() };
    this.candidates = negotiation.candidates;
    return [...actions, ...this.train()];
  }

  /**
   * DIS again where CFR/FTT was due: the far end did not get our DCS. The DCS is chosen anew
   * from this DIS, which may offer less than the first (TSB-85 MTGX12), keeping any speed
   * already stepped down to when this DIS still offers it. It counts as a transmission of the
   * same command, so the third unanswered DCS ends the call.
   */
  private onDisAgain(dis: T30Frame, sequence: T30Frame[]): T30Action[] {
    const transmissions = this.command.transmissions;
    if (transmissions >= COMMAND_TRANSMISSIONS) return this.repeatCommand('DIS');
    const negotiation = this.takeDis(dis, sequence);
    if (!negotiation.ok) return this.fail('incompatible', negotiation.reason);
    if (this.subaddressRefused()) return this.failSubaddress();
    const current = this.dcs!.modulation;
    this.candidates = negotiation.candidates;
    this.dcs = { ...negotiation.dcs, subaddress: this.sendsSubaddress() };
    if (this.candidates.some((m) => m.code === current.code)) this.dcs.modulation = current;
    this.trainings--; // the same training, sent again
    const actions = this.train();
    this.command.transmissions = transmissions + 1;
    return actions;
  }

  /** The subaddress the job asked for, '' when none. */
  private get subaddress(): string {
    return this.options.subaddress?.trim() ?? '';
  }

  /** SUB goes with the DCS: asked for, and the far end's DIS offers subaddressing (bit 49). */
  private sendsSubaddress(): boolean {
    return this.subaddress !== '' && this.remote!.subaddressing;
  }

  /** A subaddress the far end cannot take, and the job may not go without it. */
  private subaddressRefused(): boolean {
    return (
      this.subaddress !== '' &&
      !this.remote!.subaddressing &&
      (this.options.subaddressFallback ?? 'fail') === 'fail'
    );
  }

  private failSubaddress(): T30Action[] {
    return this.fail(
      'subaddress-unsupported',
      `the far end does not accept a subaddress (DIS bit 49), so ${this.subaddress} cannot be routed`,
    );
  }

  /** TSI, SUB + DCS, silence, TCF (T.30 §5.3.2, Figure 5-2a). */
  private train(): T30Action[] {
    const dcs = this.dcs!;
    this.trainings++;
    if (this.trainings > 1) this.retrains++;
    // TSI is optional (T.30 §5.3.6.2.5): without an identity, 25 octets of spaces would only cost
    // 0.7 s of V.21 per training. SUB follows TSI and precedes DCS, and goes with every DCS.
    const frames = [
      ...(this.options.localIdent.trim()
        ? [buildFrame(Fcf.TSI, encodeIdent(this.options.localIdent), { final: false, x: true })]
        : []),
      ...(dcs.subaddress
        ? [buildFrame(Fcf.SUB, encodeIdent(this.subaddress), { final: false, x: true })]
        : []),
      buildFrame(Fcf.DCS, encodeDcs(dcs), x),
    ];
    return [
      {
        type: 'progress',
        progress: { kind: 'training', modulation: dcs.modulation, attempt: this.trainings },
      },
      ...this.sendCommand('awaitTrainingResponse', [
        { type: 'sendFrames', frames },
        GAP,
        { type: 'sendTraining', modulation: dcs.modulation, durationMs: TCF_MS },
      ]),
    ];
  }

  /** The next modulation down both ends support, if any. */
  private slower(): Modulation | undefined {
    const at = this.candidates.findIndex((m) => m.code === this.dcs!.modulation.code);
    return this.candidates[at + 1];
  }

  /** One more retrain after FTT, RTN or PIN, if maxRetrains allows it. */
  private mayRetrain(): boolean {
    if (this.retrainsAfterRejection >= (this.options.maxRetrains ?? DEFAULT_MAX_RETRAINS)) return false;
    this.retrainsAfterRejection++;
    return true;
  }

  private onFtt(): T30Action[] {
    const next = this.slower();
    const rate = this.dcs!.modulation.bitRate;
    if (!next) return this.fail('training-failed', `training failed at ${rate} bit/s, the lowest speed`);
    if (!this.mayRetrain()) {
      return this.fail(
        'training-failed',
        `training failed at ${rate} bit/s after ${this.retrainsAfterRejection} retrain(s), the most allowed`,
      );
    }
    this.dcs!.modulation = next;
    return this.train();
  }

  private onCfr(): T30Action[] {
    const trained: T30Action = { type: 'progress', progress: { kind: 'trained', dcs: { ...this.dcs! } } };
    if (this.resumeEcmBlock && this.ecm) {
      this.resumeEcmBlock = false;
      this.pageTransmissions++;
      return [trained, this.pageSending(), ...this.ecm.sendBlockAgain()];
    }
    return [trained, ...this.preparePage()];
  }

  // --- Phase C ---------------------------------------------------------------------------

  private pageCoding(): PageCoding {
    const dcs = this.dcs!;
    return {
      coding: dcs.coding,
      resolution: dcs.resolution,
      width: dcs.width,
      length: dcs.length,
      kFactor: mrKFactor(dcs.resolution),
      minBitsPerRow: minBitsPerRow(dcs),
      ecm: dcs.ecm,
    };
  }

  private preparePage(): T30Action[] {
    this.current = 'awaitPage';
    return [{ type: 'preparePage', page: this.page, coding: this.pageCoding() }];
  }

  /** MPS (another page), EOM (another document: back to phase B) or EOP (T.30 Figure 5-2). */
  private postPageFcf(): number {
    if (!this.morePages) return Fcf.EOP;
    return this.documentEnds ? Fcf.EOM : Fcf.MPS;
  }

  private pageSending(): T30Action {
    return {
      type: 'progress',
      progress: { kind: 'page-sending', page: this.page, attempt: this.pageTransmissions },
    };
  }

  private sendPage(data: Uint8Array): T30Action[] {
    const dcs = this.dcs!;
    this.pageTransmissions++;
    const progress = this.pageSending();
    if (dcs.ecm) {
      this.ecm = new EcmPage(this.ecmSession(), data);
      return [progress, ...this.ecm.start()];
    }
    return this.sendCommand(
      'awaitPostPageResponse',
      [{ type: 'sendFrames', frames: [buildFrame(this.postPageFcf(), [], x)] }],
      [
        progress,
        GAP,
        // Every non-ECM page follows an accepted TCF at this modulation: V.17 short training.
        { type: 'sendImage', modulation: dcs.modulation, shortTraining: true, data },
      ],
    );
  }

  // --- Phase D, non-ECM ------------------------------------------------------------------

  private onPageConfirmed(retrain: boolean): T30Action[] {
    this.pagesConfirmed++;
    const confirmed: T30Action = { type: 'progress', progress: { kind: 'page-confirmed', page: this.page } };
    return [confirmed, ...this.afterPage(retrain)];
  }

  /** After MPS the next page (retrained if asked); after EOP, Phase E. */
  private afterPage(retrain: boolean): T30Action[] {
    if (!this.morePages) {
      if (this.pagesWithErrors === 0) return this.disconnect();
      return this.fail(
        'page-rejected',
        `${this.pagesWithErrors} page(s) ended with errors the far end could not correct`,
      );
    }
    this.page++;
    this.pageTransmissions = 0;
    if (this.documentEnds) return this.nextDocument();
    return retrain ? this.train() : this.preparePage();
  }

  /**
   * After EOM is answered the call returns to phase B: the far end sends DIS again (NSF, CSI
   * before it), and the next document gets its own DCS and training (T.30 Figure 5-2).
   */
  private nextDocument(): T30Action[] {
    this.current = 'awaitDis';
    this.sequence = [];
    return [{ type: 'armTimer', timer: 'T1', ms: T1_MS }, this.receive()];
  }

  private onPageRejected(response: string): T30Action[] {
    const rejected: T30Action = {
      type: 'progress',
      progress: { kind: 'page-rejected', page: this.page, response },
    };
    const handling = this.options.rtnHandling ?? 'retransmit';
    if (handling === 'ignore') return [rejected, ...this.afterPage(true)];
    if (handling === 'giveup' || !this.mayRetrain()) {
      const after = handling === 'giveup' ? '' : ` after ${this.retrainsAfterRejection} retrain(s)`;
      return [
        rejected,
        ...this.fail('page-rejected', `the far end rejected page ${this.page + 1} (${response})${after}`),
      ];
    }
    this.pageRetransmissions++;
    // After EOM the far end has gone back to phase B and sends DIS: the page goes again under
    // the DCS that answers it (TSB-85 MTGN26 expects the next document instead: T.30 leaves
    // the choice to the sender).
    if (this.documentEnds) return [rejected, ...this.nextDocument()];
    // Poor copy at this speed: retrain one speed lower when there is one (T.30 §5.3.6.1.6 RTN).
    this.dcs!.modulation = this.slower() ?? this.dcs!.modulation;
    return [rejected, ...this.train()];
  }

  /**
   * DIS where the response to MPS/EOP/EOM (or to PPS or RR with ECM) was due: the far end did
   * not receive the page, or the partial page, and has gone back to phase B, as a receiver
   * whose T2 runs out in phase C does (T.30 §5.4.3, Figure 5-2). Back to phase B: a DCS chosen
   * anew from this DIS (keeping the speed when it is still offered), TCF, and after CFR the
   * page again; with ECM only the partial page that was missed (the blocks before it were
   * confirmed) when the new DCS codes pages as before. Each time counts as a transmission of
   * the page, and its retrain counts as one after RTN does, within maxRetrains (MaxRetrains).
   */
  private onPageMissed(dis: T30Frame, sequence: T30Frame[]): T30Action[] {
    const missed: T30Action = {
      type: 'progress',
      progress: { kind: 'page-rejected', page: this.page, response: 'DIS' },
    };
    if (!this.mayRetrain()) {
      return [
        missed,
        ...this.fail(
          'page-rejected',
          `the far end did not receive page ${this.page + 1} in ${this.pageTransmissions} transmissions`,
        ),
      ];
    }
    const before = this.dcs!;
    const negotiation = this.takeDis(dis, sequence);
    if (!negotiation.ok) return [missed, ...this.fail('incompatible', negotiation.reason)];
    this.candidates = negotiation.candidates;
    this.dcs = negotiation.dcs;
    if (this.candidates.some((m) => m.code === before.modulation.code))
      this.dcs.modulation = before.modulation;
    this.pageRetransmissions++;
    this.resumeEcmBlock = this.ecm !== undefined && sameCoding(before, this.dcs);
    return [missed, ...(this.ecm?.cancelT5() ?? []), ...this.train()];
  }

  // --- Phase C/D, ECM: see ecm-sender.ts -------------------------------------------------

  private ecmSession(): EcmSession {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const sender = this;
    return {
      page: this.page,
      postPageFcf: this.postPageFcf(),
      // The DCS in force: a missed partial page goes again under the DCS that answers the DIS.
      get dcs() {
        return sender.dcs!;
      },
      slower: () => this.slower(),
      sendCommand: (next, actions, before) => this.sendCommand(next, actions, before),
      pageDone: (withErrors) => this.onEcmPageDone(withErrors),
      fail: (kind, message) => this.fail(kind, message),
      countRetransmittedFrames: (frames) => {
        this.frameRetransmissions += frames;
      },
    };
  }

  /** Every block confirmed: as MCF. Some abandoned after EOR: noted, and on to the next page. */
  private onEcmPageDone(withErrors: boolean): T30Action[] {
    if (!withErrors) return this.onPageConfirmed(false);
    this.pagesWithErrors++;
    const rejected: T30Action = {
      type: 'progress',
      progress: { kind: 'page-rejected', page: this.page, response: 'ERR' },
    };
    return [rejected, ...this.afterPage(false)];
  }
}

/** ECM blocks coded under `a` can go unchanged under `b`. */
function sameCoding(a: DcsParameters, b: DcsParameters): boolean {
  return (
    a.ecm === b.ecm &&
    b.ecm &&
    a.ecmFrameSize === b.ecmFrameSize &&
    a.coding === b.coding &&
    a.resolution === b.resolution &&
    a.width === b.width
  );
}
