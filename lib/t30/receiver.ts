/**
 * The T.30 receiver (the called terminal that takes documents in), sans I/O. See
 * receiver-state.ts for the theory of operation and the command tables carried out here.
 */

import { CapabilityBits, DcsParameters, DisBit, ReceiveCapabilities, decodeDcs, encodeDis } from './dis.js';
import { EcmPageBuffer } from './ecm-receiver.js';
import type { FailureKind, T30Failure } from './events.js';
import { Fcf, FCF_X_BIT, PPS_NULL } from './fcf.js';
import { T30Frame, buildFrame, buildPprFif, decodeIdent, encodeIdent, parseFrame } from './frames.js';
import { type Modulation, modulationFromDcsBits } from '../itu/modulation.js';
import type {
  ImageFrame,
  PageVerdict,
  ReceivedPageFormat,
  ReceiverOutcome,
  ReceiverTimerName,
  SignalMiss,
  T30ReceiverAction,
  T30ReceiverEvent,
} from './receiver-events.js';
import {
  COMMANDS,
  DCN_HOLD_MS,
  DEFAULT_COPY_QUALITY,
  ReceiverReaction,
  STORE_WAIT_MS,
  ReceiverState,
  T2_AFTER_BAD_FRAME_MS,
  T2_MS,
  TCF_DURATION_MS,
  TCF_MIN_ZERO_RUN_MS,
} from './receiver-state.js';
import {
  COMMAND_TRANSMISSIONS,
  IGNORED_FRAMES_PER_WAIT,
  INTER_SIGNAL_SILENCE_MS,
  T1_MS,
  T4_MS,
  T5_MS,
} from './state.js';

export interface CopyQuality {
  /** At most this share of bad rows for MCF (default 0.05). */
  goodMaxBadShare: number;
  /** At most this many bad rows in a row for MCF (default 5), when the decoder counts runs. */
  goodMaxConsecutiveBadRows: number;
  /** More than this share of bad rows: RTN (default 0.1); in between: RTP. */
  rejectBadShare: number;
}

export interface ReceiverOptions {
  /** Our number for CSI (T.30 §5.3.6.2.4); empty: no CSI. */
  localIdent: string;
  /** What the DIS offers: what the transport can receive and the store can keep. */
  capabilities: ReceiveCapabilities;
  copyQuality?: Partial<CopyQuality>;
  /** The run of zeros a TCF needs (default 1000 ms). */
  tcfMinZeroRunMs?: number;
  /** ECM: how long a page's store may hold the response before RNR (default STORE_WAIT_MS). */
  storeWaitMs?: number;
}

/** The response last sent and what followed it: sent again when the command comes again. */
interface LastResponse {
  actions: T30ReceiverAction[];
  transmissions: number;
}

/** A page being stored: the response that confirms it goes out once it is (pageStored). */
interface Storing {
  page: number;
  respond: () => T30ReceiverAction[];
  /** ECM: time given to the store in awaitStored so far, answered RNR each time. */
  waitedMs: number;
}

/** The post-page command a page ended with (T.30 §5.3.6.1.5), X bit and PRI- ignored. */
type PostPage = 'MPS' | 'EOM' | 'EOP';

const GAP: T30ReceiverAction = { type: 'awaitSilence', ms: INTER_SIGNAL_SILENCE_MS };

/** The longest run of zero octets in a TCF, in ms at the bit rate (T.30 §5.3.2). */
export function tcfZeroRunMs(data: Uint8Array, bitRate: number): number {
  let best = 0;
  let run = 0;
  for (const b of data) {
    run = b === 0 ? run + 1 : 0;
    if (run > best) best = run;
  }
  return Math.floor((best * 8 * 1000) / bitRate);
}

/** MCF, RTP or RTN for a non-ECM page (T.30 §5.3.6.1.6), by the thresholds. */
export function copyQualityVerdict(
  rows: number,
  badRows: number,
  maxConsecutiveBadRows: number | undefined,
  q: CopyQuality,
): PageVerdict {
  if (rows === 0) return 'RTN';
  const share = badRows / rows;
  if (share > q.rejectBadShare) return 'RTN';
  if (share <= q.goodMaxBadShare && (maxConsecutiveBadRows ?? 0) <= q.goodMaxConsecutiveBadRows) return 'MCF';
  return 'RTP';
}

function postPageOf(fcf: number): PostPage | undefined {
  switch (fcf & ~FCF_X_BIT) {
    case Fcf.MPS:
    case Fcf.PRI_MPS:
      return 'MPS';
    case Fcf.EOM:
    case Fcf.PRI_EOM:
      return 'EOM';
    case Fcf.EOP:
    case Fcf.PRI_EOP:
      return 'EOP';
    default:
      return undefined;
  }
}

export class T30Receiver {
  private current: ReceiverState = 'idle';
  private last: LastResponse = { actions: [], transmissions: 0 };
  /** Non-final frames before the command (TSI, SUB, NSS …). */
  private sequence: T30Frame[] = [];
  private ignored = 0;
  /** Something came from the sender (a frame, even a spoiled one, or a carrier) in this wait for a command. */
  private heard = false;
  /** The caller has sent a valid frame in this call: it is a fax terminal taking part. */
  private callerSpoke = false;
  private t1Armed = false;
  /** After MCF to EOM: DIS goes out once the sender has had time to repeat EOM (it missed MCF). */
  private disPending = false;
  private remoteIdent?: string;
  private subaddress?: string;
  private dcs?: DcsParameters;
  private trainings = 0;
  private pagesConfirmed = 0;
  private pagesRejected = 0;
  private frameRetransmissions = 0;
  private completed = false;
  /** The last page was answered RTN: a DCN now ends the call with that page missing. */
  private lastRejected = false;
  /** Non-ECM: the page just received, not yet answered. */
  private pending?: { rows: number; badRows: number; maxConsecutiveBadRows?: number };
  /** Non-ECM: the last page has been answered; a post-page command now is a repetition. */
  private pageAnswered = false;
  /** ECM: the page being received, the last PPS's frame count, the block last confirmed. */
  private ecm = new EcmPageBuffer();
  private blockFrames = 0;
  private lastConfirmedBlock?: string;
  private blockMissing = 0;
  /** ECM: after CTC the next partial page comes with long training. */
  private longTrainingNext = false;
  private readonly quality: CopyQuality;
  private readonly storeWaitMs: number;
  /** The page handed over for storage and not yet stored (its confirmation waits). */
  private storing?: Storing;

  constructor(private readonly options: ReceiverOptions) {
    this.quality = { ...DEFAULT_COPY_QUALITY, ...options.copyQuality };
    this.storeWaitMs = options.storeWaitMs ?? STORE_WAIT_MS;
  }

  get state(): ReceiverState {
    return this.current;
  }

  /** Feeds one event; returns the actions to perform, in order. */
  handle(event: T30ReceiverEvent): T30ReceiverAction[] {
    if (this.current === 'done') return [];
    if (
      event.type === 'frameReceived' ||
      event.type === 'trainingReceived' ||
      event.type === 'pageDataReceived' ||
      event.type === 'imageFramesReceived' ||
      (event.type === 'signalMissed' && event.reason === 'wrong-carrier')
    )
      this.heard = true;
    switch (event.type) {
      case 'connected':
        if (this.current !== 'idle') return this.fail('protocol-error', 'connected twice');
        // After ATA the modem sends V.21 flags already: CSI and DIS go out at once.
        return [{ type: 'progress', progress: { kind: 'answered' } }, ...this.sendDis(false)];
      case 'frameReceived':
        return this.onFrame(event.frame, event.fcsOk);
      case 'receiveTimeout':
        return this.onTimeout();
      case 'timerExpired':
        return this.onTimer(event.timer);
      case 'trainingReceived':
        return this.onTraining(event.data);
      case 'pageDataReceived':
        if (this.current !== 'awaitPage') return this.fail('protocol-error', 'page data not asked for');
        this.pending = {
          rows: event.rows,
          badRows: event.badRows,
          maxConsecutiveBadRows: event.maxConsecutiveBadRows,
        };
        this.pageAnswered = false;
        return this.listen('awaitPostPage');
      case 'imageFramesReceived':
        return this.onImageFrames(event.frames);
      case 'signalMissed':
        return this.onSignalMissed(event.reason);
      case 'pageStored':
        return this.onStored(event.page);
      case 'storePending':
        return this.onStorePending(event.page);
      case 'transportError':
        return this.fail(event.kind, event.message);
      case 'cancel':
        return this.fail('cancelled', 'the reception was cancelled');
    }
  }

  // --- frames ----------------------------------------------------------------------------

  private receive(): T30ReceiverAction {
    // DIS goes again every T4 while T1 runs; otherwise T2, longer after a spoiled command.
    if (this.current === 'awaitDcs' && this.t1Armed) return { type: 'receiveFrame', timeoutMs: T4_MS };
    return { type: 'receiveFrame', timeoutMs: this.ignored > 0 ? T2_AFTER_BAD_FRAME_MS : T2_MS };
  }

  /** Waits for a command in `state`. */
  private listen(state: ReceiverState): T30ReceiverAction[] {
    this.current = state;
    this.ignored = 0;
    this.heard = false;
    return [this.receive()];
  }

  private onFrame(octets: Uint8Array, fcsOk: boolean): T30ReceiverAction[] {
    if (!['awaitDcs', 'awaitPostPage', 'awaitPps', 'awaitRr', 'awaitDcn'].includes(this.current))
      return this.fail('protocol-error', `a frame arrived in state ${this.current}`);
    const frame = fcsOk ? parseFrame(octets) : undefined;
    // A bad FCS, address or control field is no command: listen on (the sender repeats it).
    if (!frame) return this.ignore();
    this.callerSpoke = true;
    if (!frame.final) {
      this.ignored = 0;
      this.sequence.push(frame);
      return [this.receive()];
    }
    const sequence = [...this.sequence, frame];
    this.sequence = [];
    const reaction = frame.name && COMMANDS[this.current][frame.name];
    if (!reaction) {
      if (!frame.name) return this.ignore();
      return this.fail('protocol-error', `unexpected ${frame.name} in state ${this.current}`);
    }
    this.ignored = 0;
    return this.react(reaction, frame, sequence);
  }

  private ignore(): T30ReceiverAction[] {
    if (++this.ignored >= IGNORED_FRAMES_PER_WAIT) return this.onTimeout();
    return [this.receive()];
  }

  private react(reaction: ReceiverReaction, frame: T30Frame, sequence: T30Frame[]): T30ReceiverAction[] {
    switch (reaction) {
      case 'command':
        return this.onDcs(frame, sequence);
      case 'postPage':
        return this.onPostPage(postPageOf(frame.fcf)!);
      case 'partialPage':
        return this.onPps(frame);
      case 'endOfRetransmission':
        return this.onEor(frame);
      case 'continueToCorrect':
        return this.onCtc(frame);
      case 'repeatResponse':
        return this.repeatResponse();
      case 'receiverReady':
        // RR (T.30 §A.4.5): after our RNR, is the page stored yet? Otherwise our answer was lost.
        return this.storing ? this.awaitStore() : this.repeatResponse();
      case 'callEnded':
        if (this.lastRejected)
          return this.end({
            kind: 'page-rejected',
            message: 'the sender gave up on a page we rejected (RTN)',
          });
        this.completed = true;
        return this.end();
      case 'remoteDisconnected':
        return this.end({
          kind: 'remote-disconnected',
          message: 'the sender hung up (DCN) before the end of the document',
        });
    }
  }

  private onTimeout(): T30ReceiverAction[] {
    switch (this.current) {
      case 'awaitDcs':
        if (this.disPending) {
          this.disPending = false;
          return this.sendDis(true);
        }
        // Phase B: DIS (or FTT) again, three transmissions in all, then DCN (T.30 §5.3.2;
        // TSB-85 MRGX01); T1 bounds the whole wait.
        if (this.last.transmissions < COMMAND_TRANSMISSIONS) return this.repeatResponse();
        return this.noCommand('the sender sent no DCS');
      case 'awaitDcn':
        if (this.lastRejected)
          return this.end({
            kind: 'page-rejected',
            message: 'the sender gave up on a page we rejected (RTN)',
          });
        // Every page confirmed after EOP: a sender that just drops the line has still finished.
        this.completed = true;
        return this.end();
      default:
        return this.noCommand(`no command from the sender within T2 (state ${this.current})`);
    }
  }

  /**
   * What a wait that ended without a command means (T.30 §5.4.3.2: T2 bounds a receiver's wait
   * for a command; §5.4.3.1: T1 bounds phase B's wait for the caller to identify itself; on
   * expiry the receiver goes to phase E, Figure 5-2). A sender that is still on the line repeats
   * an unanswered command every T4 (three times, T.30 §5.3.2), so a T2 of total silence is a
   * sender that has gone: remote-disconnected (a Class 1 modem rarely reports the line drop
   * itself, T.31 §8.3). A caller that never sent one valid frame in phase B is no fax sender
   * (a voice call, a caller whose transmitter fails): not-a-fax, as the sender side says of an
   * answer without DIS. Frames that did come but made no sense: protocol-error.
   */
  private noCommand(message: string): T30ReceiverAction[] {
    if (!this.callerSpoke)
      return this.fail('not-a-fax', `${message}: the caller sent no valid frame after our DIS (T1)`);
    if (!this.heard) return this.fail('remote-disconnected', `${message} (the line is silent)`);
    return this.fail('protocol-error', message);
  }

  private onTimer(timer: ReceiverTimerName): T30ReceiverAction[] {
    if (timer === 'T1') {
      this.t1Armed = false;
      if (this.current === 'awaitDcs') return this.noCommand('no DCS from the sender within T1');
    }
    return this.current === 'done' ? [] : [this.receive()];
  }

  // --- responses -------------------------------------------------------------------------

  /** Sends a response (after silence), then `after` (a receive); both repeat on a repeated command. */
  private respond(fcf: number, fif: ArrayLike<number>, after: T30ReceiverAction[]): T30ReceiverAction[] {
    const actions: T30ReceiverAction[] = [
      GAP,
      { type: 'sendFrames', frames: [buildFrame(fcf, fif)] },
      ...after,
    ];
    this.last = { actions, transmissions: 1 };
    this.ignored = 0;
    this.heard = false;
    return actions;
  }

  private repeatResponse(): T30ReceiverAction[] {
    if (this.last.actions.length === 0) return this.fail('protocol-error', 'nothing to repeat');
    this.last.transmissions++;
    this.ignored = 0;
    this.heard = false;
    this.restoreStateFor(this.last.actions);
    return [...this.last.actions];
  }

  /** After a repeated response the receiver waits where the response led. */
  private restoreStateFor(actions: T30ReceiverAction[]): void {
    const tail = actions[actions.length - 1];
    if (tail.type === 'receiveImage') this.current = 'awaitPage';
    else if (tail.type === 'receiveImageFrames') this.current = 'awaitBlock';
  }

  /** CSI (our number) and DIS (T.30 §5.3.6.2.1), T1 armed: phase B from the start or after EOM. */
  private sendDis(gap: boolean): T30ReceiverAction[] {
    const ident = this.options.localIdent.trim();
    const frames = [
      ...(ident ? [buildFrame(Fcf.CSI, encodeIdent(ident), { final: false })] : []),
      buildFrame(Fcf.DIS, encodeDis(this.options.capabilities)),
    ];
    this.current = 'awaitDcs';
    this.t1Armed = true;
    this.heard = false;
    const actions: T30ReceiverAction[] = [...(gap ? [GAP] : []), { type: 'sendFrames', frames }];
    // A repetition waits for silence first: the sender may have been talking meanwhile.
    this.last = {
      actions: [GAP, { type: 'sendFrames', frames }, { type: 'receiveFrame', timeoutMs: T4_MS }],
      transmissions: 1,
    };
    return [
      ...actions,
      { type: 'armTimer', timer: 'T1', ms: T1_MS },
      { type: 'receiveFrame', timeoutMs: T4_MS },
    ];
  }

  private fail(kind: FailureKind, message: string): T30ReceiverAction[] {
    const wasIdle = this.current === 'idle';
    const hangup = this.end({ kind, message });
    // DCN (T.30 §5.3.6.1.7) tells the sender; before the call there is nobody to tell.
    if (wasIdle) return hangup;
    const hold: T30ReceiverAction = { type: 'silence', ms: DCN_HOLD_MS };
    return [GAP, { type: 'sendFrames', frames: [buildFrame(Fcf.DCN)] }, hold, ...hangup];
  }

  private end(failure?: T30Failure): T30ReceiverAction[] {
    this.current = 'done';
    const cancel: T30ReceiverAction[] = this.t1Armed ? [{ type: 'cancelTimer', timer: 'T1' }] : [];
    this.t1Armed = false;
    return [...cancel, { type: 'hangup', outcome: this.outcome(failure) }];
  }

  private outcome(failure?: T30Failure): ReceiverOutcome {
    return {
      ok: failure === undefined,
      failure,
      pagesConfirmed: this.pagesConfirmed,
      pagesRejected: this.pagesRejected,
      completed: this.completed && failure === undefined,
      remoteIdent: this.remoteIdent,
      subaddress: this.subaddress,
      dcs: this.dcs && { ...this.dcs },
      retrains: Math.max(0, this.trainings - 1),
      pageRetransmissions: 0,
      frameRetransmissions: this.frameRetransmissions,
    };
  }

  // --- Phase B ---------------------------------------------------------------------------

  /** Why a DCS cannot be honoured (it asks for what our DIS did not offer), or undefined. */
  private checkDcs(dcs: Partial<DcsParameters>): string | undefined {
    const c = this.options.capabilities;
    if (!dcs.modulation || !c.modulations.some((m) => m.code === dcs.modulation!.code))
      return 'a modulation we did not offer';
    if (dcs.ecm && !c.ecm) return 'ECM, which we did not offer';
    if (dcs.coding === 'mmr' && !(c.mmr && dcs.ecm)) return 'T.6 coding without ECM or not offered';
    if (dcs.coding === 'mr' && !c.mr) return 'MR coding, which we did not offer';
    if (dcs.coding === 't85' && !(c.t85 && dcs.ecm)) return 'T.85 coding without ECM or not offered';
    if (dcs.coding === 't85-l0' && !(c.t85L0 && dcs.ecm)) return 'T.85-L0 coding without ECM or not offered';
    if (dcs.resolution === 'fine' && !c.fine) return 'fine resolution, which we did not offer';
    if (dcs.resolution === 'superfine' && !c.superfine) return 'superfine resolution, which we did not offer';
    if (dcs.width === undefined || !c.widths.includes(dcs.width)) return 'a page width we did not offer';
    if (dcs.length === undefined || !c.lengths.includes(dcs.length)) return 'a page length we did not offer';
    return undefined;
  }

  private onDcs(frame: T30Frame, sequence: T30Frame[]): T30ReceiverAction[] {
    const tsi = sequence.find((f) => f.name === 'TSI');
    if (tsi) this.remoteIdent = decodeIdent(tsi.fif);
    const sub = sequence.find((f) => f.name === 'SUB');
    if (sub) this.subaddress = decodeIdent(sub.fif);
    const dcs = decodeDcs(frame.fif);
    const wrong = this.checkDcs(dcs);
    if (wrong) return this.fail('incompatible', `the sender's DCS asks for ${wrong}`);
    this.dcs = dcs as DcsParameters;
    this.disPending = false;
    this.trainings++;
    const cancel: T30ReceiverAction[] = this.t1Armed ? [{ type: 'cancelTimer', timer: 'T1' }] : [];
    this.t1Armed = false;
    this.current = 'awaitTraining';
    this.longTrainingNext = false;
    this.ecm = new EcmPageBuffer();
    this.lastConfirmedBlock = undefined;
    return [
      ...cancel,
      {
        type: 'progress',
        progress: {
          kind: 'command-received',
          remoteIdent: this.remoteIdent ?? '',
          subaddress: this.subaddress,
          dcs: { ...this.dcs },
        },
      },
      { type: 'receiveTraining', modulation: this.dcs.modulation, durationMs: TCF_DURATION_MS },
    ];
  }

  private onTraining(data: Uint8Array): T30ReceiverAction[] {
    if (this.current !== 'awaitTraining') return this.fail('protocol-error', 'TCF not asked for');
    const modulation = this.dcs!.modulation;
    const zeroRunMs = tcfZeroRunMs(data, modulation.bitRate);
    const accepted = zeroRunMs >= (this.options.tcfMinZeroRunMs ?? TCF_MIN_ZERO_RUN_MS);
    const progress: T30ReceiverAction = {
      type: 'progress',
      progress: { kind: 'training-checked', modulation, zeroRunMs, accepted },
    };
    if (!accepted) return [progress, ...this.trainingFailed()];
    this.current = this.dcs!.ecm ? 'awaitBlock' : 'awaitPage';
    this.pageAnswered = false;
    return [progress, ...this.respond(Fcf.CFR, [], [this.receivePage()])];
  }

  /** FTT (T.30 §5.3.6.1.4): the sender steps down and sends DCS again. */
  private trainingFailed(): T30ReceiverAction[] {
    this.current = 'awaitDcs';
    return this.respond(Fcf.FTT, [], [{ type: 'receiveFrame', timeoutMs: T2_MS }]);
  }

  /** The next message-speed receive: page data or a partial page of ECM frames. */
  private receivePage(): T30ReceiverAction {
    const dcs = this.dcs!;
    if (dcs.ecm) {
      const shortTraining = !this.longTrainingNext;
      this.longTrainingNext = false;
      return { type: 'receiveImageFrames', modulation: dcs.modulation, shortTraining };
    }
    // Every non-ECM page follows an accepted TCF at this speed: V.17 short training (T.30 §5.3.2).
    return { type: 'receiveImage', modulation: dcs.modulation, shortTraining: true, format: this.format() };
  }

  private format(): ReceivedPageFormat {
    const d = this.dcs!;
    return { coding: d.coding, resolution: d.resolution, width: d.width, length: d.length, ecm: d.ecm };
  }

  private onSignalMissed(reason: SignalMiss): T30ReceiverAction[] {
    switch (this.current) {
      case 'awaitTraining':
        // Frames instead of TCF: follow them (T.31 §8.3.2 +FCERROR). No TCF at all: FTT.
        return reason === 'wrong-carrier' ? this.listen('awaitDcs') : this.trainingFailed();
      case 'awaitPage':
        // The sender is sending frames (it missed our answer and repeats its command), or
        // nothing came: listen for the command (T.31 §8.3.2: switch to +FRH=3).
        return this.listen('awaitPostPage');
      case 'awaitBlock':
        return this.listen('awaitPps');
      default:
        return this.fail('protocol-error', `no signal asked for in state ${this.current}`);
    }
  }

  // --- Phase D, non-ECM ------------------------------------------------------------------

  private onPostPage(command: PostPage): T30ReceiverAction[] {
    if (this.dcs?.ecm) return this.fail('protocol-error', `${command} without PPS under ECM`);
    if (!this.pending) {
      // Our answer to this command was lost: the same answer again.
      if (this.pageAnswered) return this.repeatResponse();
      // No page came before the command: ask for it again.
      this.pageAnswered = true;
      this.lastRejected = true;
      return this.afterResponse('RTN', command, Fcf.RTN);
    }
    const { rows, badRows, maxConsecutiveBadRows } = this.pending;
    this.pending = undefined;
    this.pageAnswered = true;
    const verdict = copyQualityVerdict(rows, badRows, maxConsecutiveBadRows, this.quality);
    const page = this.pagesConfirmed;
    const progress: T30ReceiverAction = {
      type: 'progress',
      progress: { kind: 'page-received', page, rows, badRows, verdict },
    };
    this.lastRejected = verdict === 'RTN';
    if (verdict === 'RTN') {
      this.pagesRejected++;
      return [progress, ...this.afterResponse(verdict, command, Fcf[verdict])];
    }
    this.pagesConfirmed++;
    this.storing = { page, waitedMs: 0, respond: () => this.afterResponse(verdict, command, Fcf[verdict]) };
    return [progress, { type: 'storePage', page, format: this.format(), verdict }, ...this.awaitStore()];
  }

  /**
   * The response to a post-page command and where it leads (T.30 Figure 5-2): after MCF, the
   * next page (MPS), DCN (EOP) or phase B with DIS (EOM); after RTP/RTN the sender retrains
   * (DCS) or ends.
   */
  private afterResponse(verdict: PageVerdict | 'ERR', command: PostPage, fcf: number): T30ReceiverAction[] {
    if (command === 'EOP') {
      this.current = 'awaitDcn';
      return this.respond(fcf, [], [{ type: 'receiveFrame', timeoutMs: T2_MS }]);
    }
    if (command === 'EOM' && verdict !== 'RTN') {
      // Phase B again (T.30 Figure 5-2): DIS, but only after T2 without a repeated EOM, which
      // would mean the sender did not hear our MCF (TSB-85 MRGN16).
      this.current = 'awaitDcs';
      this.disPending = true;
      return this.respond(fcf, [], [{ type: 'receiveFrame', timeoutMs: T2_MS }]);
    }
    if (verdict === 'MCF' || verdict === 'ERR') {
      this.current = this.dcs!.ecm ? 'awaitBlock' : 'awaitPage';
      return this.respond(fcf, [], [this.receivePage()]);
    }
    this.current = 'awaitDcs';
    return this.respond(fcf, [], [{ type: 'receiveFrame', timeoutMs: T2_MS }]);
  }

  // --- storage ----------------------------------------------------------------------------

  /**
   * Waits for the page being stored. With ECM the wait is bounded (storeWaitMs): a store that
   * takes longer is answered RNR and asked about again at the sender's RR (T.30 §A.4.5). Without
   * ECM there is no RNR: the response waits for the store.
   */
  private awaitStore(): T30ReceiverAction[] {
    const storing = this.storing!;
    this.current = 'awaitStore';
    const bounded = this.dcs?.ecm ? { timeoutMs: this.storeWaitMs } : {};
    return [{ type: 'awaitStored', page: storing.page, ...bounded }];
  }

  private onStored(page: number): T30ReceiverAction[] {
    if (this.current !== 'awaitStore' || this.storing?.page !== page)
      return this.fail('protocol-error', `page ${page + 1} stored, but not asked for`);
    const { respond } = this.storing;
    this.storing = undefined;
    return respond();
  }

  /** RNR (T.30 §A.4.5): not ready yet; the sender asks again with RR, for at most its T5. */
  private onStorePending(page: number): T30ReceiverAction[] {
    if (this.current !== 'awaitStore' || this.storing?.page !== page || !this.dcs?.ecm)
      return this.fail('protocol-error', `page ${page + 1} pending, but not asked for`);
    this.storing.waitedMs += this.storeWaitMs;
    if (this.storing.waitedMs >= T5_MS)
      return this.fail(
        'storage-failed',
        `page ${page + 1} could not be stored within T5 (the sender's wait)`,
      );
    this.current = 'awaitRr';
    return [
      { type: 'progress', progress: { kind: 'receiver-not-ready', page } },
      ...this.respond(Fcf.RNR, [], [{ type: 'receiveFrame', timeoutMs: T2_MS }]),
    ];
  }

  // --- Phase C/D, ECM ----------------------------------------------------------------------

  private onImageFrames(frames: ImageFrame[]): T30ReceiverAction[] {
    if (this.current !== 'awaitBlock') return this.fail('protocol-error', 'ECM frames not asked for');
    this.ecm.take(frames);
    return this.listen('awaitPps');
  }

  /** PPS (T.30 §A.4.3): the post-page FCF, page and block counters, frames sent minus one. */
  private onPps(pps: T30Frame): T30ReceiverAction[] {
    if (pps.fif.length < 4) return this.fail('protocol-error', 'a PPS without its four octets');
    const [fcf2, page, block, last] = pps.fif;
    const key = `${page}/${block}/${fcf2 & ~FCF_X_BIT}`;
    // Our MCF was lost: the sender asks about a partial page already confirmed. Or our RNR was
    // lost: is the page stored now?
    if (key === this.lastConfirmedBlock) return this.storing ? this.awaitStore() : this.repeatResponse();
    if (!this.dcs?.ecm) return this.fail('protocol-error', 'PPS without ECM');
    const count = last + 1;
    this.blockFrames = count;
    const missing = this.ecm.missing(count);
    const progress: T30ReceiverAction = {
      type: 'progress',
      progress: {
        kind: 'block-received',
        page: this.pagesConfirmed,
        block,
        frames: count,
        missing: missing.length,
      },
    };
    if (missing.length > 0) {
      // T.30 §A.4.4: PPR lists the frames to send again.
      this.frameRetransmissions += missing.length;
      this.current = 'awaitBlock';
      return [progress, ...this.respond(Fcf.PPR, buildPprFif(missing), [this.receivePage()])];
    }
    this.lastConfirmedBlock = key;
    return [progress, ...this.blockDone(fcf2, count, 'MCF', 0)];
  }

  /** A partial page confirmed (MCF) or given up (ERR): the next one, or the page ends. */
  private blockDone(
    fcf2: number,
    count: number,
    response: 'MCF' | 'ERR',
    missing: number,
  ): T30ReceiverAction[] {
    this.ecm.confirmBlock(count);
    const command = postPageOf(fcf2);
    if ((fcf2 & ~FCF_X_BIT) === PPS_NULL || !command) {
      this.current = 'awaitBlock';
      return this.respond(Fcf[response], [], [this.receivePage()]);
    }
    const page = this.pagesConfirmed++;
    const store: T30ReceiverAction = {
      type: 'storePage',
      page,
      format: this.format(),
      verdict: 'MCF',
      data: this.ecm.pageData(),
      ...(missing > 0 ? { missingFrames: missing } : {}),
    };
    this.ecm = new EcmPageBuffer();
    this.blockMissing = 0;
    this.lastRejected = false;
    this.storing = {
      page,
      waitedMs: 0,
      respond: () => this.afterResponse(response, command, Fcf[response]),
    };
    return [store, ...this.awaitStore()];
  }

  /** EOR (T.30 §A.4.4): the sender gives up on the missing frames; ERR, and on. */
  private onEor(eor: T30Frame): T30ReceiverAction[] {
    const fcf2 = eor.fif[0] ?? PPS_NULL;
    const missing = this.ecm.missing(this.blockFrames).length;
    this.blockMissing += missing;
    this.lastConfirmedBlock = `eor/${this.pagesConfirmed}/${fcf2}`;
    return this.blockDone(fcf2, this.blockFrames, 'ERR', this.blockMissing);
  }

  /** CTC (T.30 §A.4.4): continue at the rate in its FIF (DCS bits 11–14); CTR, long training next. */
  private onCtc(ctc: T30Frame): T30ReceiverAction[] {
    const bits = new CapabilityBits([ctc.fif[0] ?? 0, ctc.fif[1] ?? 0]);
    const modulation: Modulation | undefined = modulationFromDcsBits(
      [0, 1, 2, 3].map((i) => bits.get(DisBit.RATE + i)),
    );
    if (!modulation || !this.options.capabilities.modulations.some((m) => m.code === modulation.code))
      return this.fail('incompatible', 'CTC asks for a modulation we did not offer');
    this.dcs!.modulation = modulation;
    this.longTrainingNext = true;
    this.current = 'awaitBlock';
    return [
      { type: 'progress', progress: { kind: 'speed-changed', modulation } },
      ...this.respond(Fcf.CTR, [], [this.receivePage()]),
    ];
  }
}
