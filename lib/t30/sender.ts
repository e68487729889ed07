/**
 * The T.30 sender (the calling terminal that transmits documents), sans I/O. See state.ts for
 * the theory of operation and the response tables this class carries out.
 */

import { DcsParameters, DisCapabilities, decodeDis, encodeDcs } from './dis.js';
import { blockFrames, splitPage } from './ecm.js';
import type {
  FailureKind,
  PageCoding,
  T30Action,
  T30Event,
  T30Failure,
  T30Outcome,
  TimerName,
} from './events.js';
import { Fcf, PPS_NULL } from './fcf.js';
import {
  T30Frame,
  buildCtc,
  buildEor,
  buildFrame,
  buildPps,
  decodeIdent,
  encodeIdent,
  parseFrame,
  pprFrameNumbers,
} from './frames.js';
import { Modulation } from './modulation.js';
import { LocalCapabilities, chooseDcs, minBitsPerRow, mrKFactor } from './negotiate.js';
import {
  COMMAND_TRANSMISSIONS,
  INTER_SIGNAL_SILENCE_MS,
  PPRS_BEFORE_CTC,
  RESPONSES,
  Reaction,
  SenderState,
  T1_MS,
  T4_MS,
  T5_MS,
  TCF_MS,
} from './state.js';

/** What to do when the far end answers a page with RTN (or PIN); HylaFAX's RTNHandlingMethod. */
export type RtnHandling = 'retransmit' | 'ignore' | 'giveup';

export interface SenderOptions extends LocalCapabilities {
  /** Our number for TSI (T.30 §5.3.6.2.5), at most 20 characters of digits, "+" and space. */
  localIdent: string;
  /** Default 'retransmit': retrain (one speed lower when possible) and send the page again. */
  rtnHandling?: RtnHandling;
  /** How many times one page may be sent again after RTN before giving up (default 3). */
  maxPageRetransmissions?: number;
}

/** The command being waited on: what to send again when no valid response comes. */
interface PendingCommand {
  actions: T30Action[];
  transmissions: number;
}

const x = { x: true };

export class T30Sender {
  private current: SenderState = 'idle';
  private command: PendingCommand = { actions: [], transmissions: 0 };
  /** Non-final frames of the response being received (NSF, CSI before DIS). */
  private sequence: T30Frame[] = [];
  private remote?: DisCapabilities;
  private remoteIdent?: string;
  private dcs?: DcsParameters;
  private candidates: Modulation[] = [];
  private page = 0;
  private morePages = false;
  private pageTransmissions = 0;
  private pagesConfirmed = 0;
  private retrains = 0;
  private pageRetransmissions = 0;
  private frameRetransmissions = 0;
  private trainings = 0;
  private pagesWithErrors = 0;
  // ECM (T.30 Annex A)
  private blocks: Uint8Array[][] = [];
  private block = 0;
  private pprCount = 0;
  private pageHadErrors = false;
  private pendingFrames: number[] = [];
  private pendingModulation?: Modulation;
  private t5Armed = false;
  /** After CTC/CTR the new speed has had no TCF: its first block goes with long training. */
  private longTrainingNext = false;

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
        return this.onFrame(event.frame, event.fcsOk);
      case 'receiveTimeout':
        if (this.current === 'awaitDis') return this.fail('not-a-fax', 'no DIS from the far end within T1');
        return this.repeatCommand('timeout');
      case 'timerExpired':
        return this.onTimer(event.timer);
      case 'pageReady':
        if (this.current !== 'awaitPage' || event.page !== this.page) {
          return this.fail('protocol-error', `page ${event.page + 1} was not asked for`);
        }
        this.morePages = event.morePages;
        return this.sendPage(event.data);
      case 'pageFailed':
        return this.fail('page-error', event.message);
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
    // A frame with a bad FCS is ignored (T.30 §5.3.6.2): keep listening; if nothing valid
    // follows, the receive times out and the command goes again.
    if (!frame) return [this.receive()];
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

  private onTimer(timer: TimerName): T30Action[] {
    if (timer === 'T1' && this.current === 'awaitDis') {
      return this.fail('not-a-fax', 'no DIS from the far end within T1');
    }
    if (timer === 'T5') return this.fail('protocol-timeout', 'the far end stayed not ready (RNR) beyond T5');
    return [];
  }

  private react(reaction: Reaction, frame: T30Frame, sequence: T30Frame[]): T30Action[] {
    switch (reaction) {
      case 'remoteCapabilities':
        return this.onDis(frame, sequence);
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
      case 'blockConfirmed':
        return this.nextBlock(false);
      case 'blockAbandoned':
        return this.nextBlock(true);
      case 'framesRejected':
        return this.onPpr(frame);
      case 'receiverNotReady':
        return this.onRnr();
      case 'speedChanged':
        return this.onCtr();
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

  /** Sends a command and waits for its response; `before` goes out only the first time. */
  private sendCommand(next: SenderState, actions: T30Action[], before: T30Action[] = []): T30Action[] {
    this.current = next;
    this.command = { actions, transmissions: 1 };
    return [...before, ...actions, this.receive()];
  }

  private repeatCommand(why: string): T30Action[] {
    if (this.command.transmissions >= COMMAND_TRANSMISSIONS) {
      const timeout = why === 'timeout';
      return this.fail(
        timeout ? 'protocol-timeout' : 'protocol-error',
        `no valid response in state ${this.current} after ${COMMAND_TRANSMISSIONS} tries (last: ${why})`,
      );
    }
    this.command.transmissions++;
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
    return wasIdle ? [hangup] : [{ type: 'sendFrames', frames: [buildFrame(Fcf.DCN, [], x)] }, hangup];
  }

  private outcome(failure?: T30Failure): T30Outcome {
    return {
      ok: failure === undefined,
      failure,
      pagesConfirmed: this.pagesConfirmed,
      remoteIdent: this.remoteIdent,
      remoteCapabilities: this.remote,
      dcs: this.dcs && { ...this.dcs },
      retrains: this.retrains,
      pageRetransmissions: this.pageRetransmissions,
      frameRetransmissions: this.frameRetransmissions,
    };
  }

  // --- Phase B ---------------------------------------------------------------------------

  private onDis(dis: T30Frame, sequence: T30Frame[]): T30Action[] {
    const csi = sequence.find((f) => f.name === 'CSI');
    this.remoteIdent = csi ? decodeIdent(csi.fif) : undefined;
    this.remote = decodeDis(dis.fif);
    const actions: T30Action[] = [
      { type: 'cancelTimer', timer: 'T1' },
      {
        type: 'progress',
        progress: {
          kind: 'remote-identified',
          remoteIdent: this.remoteIdent ?? '',
          capabilities: this.remote,
        },
      },
    ];
    const negotiation = chooseDcs(this.remote, this.options);
    if (!negotiation.ok) return [...actions, ...this.fail('incompatible', negotiation.reason)];
    this.dcs = negotiation.dcs;
    this.candidates = negotiation.candidates;
    return [...actions, ...this.train()];
  }

  /** TSI + DCS, silence, TCF (T.30 §5.3.2, Figure 5-2a). */
  private train(): T30Action[] {
    const dcs = this.dcs!;
    this.trainings++;
    if (this.trainings > 1) this.retrains++;
    const frames = [
      buildFrame(Fcf.TSI, encodeIdent(this.options.localIdent), { final: false, x: true }),
      buildFrame(Fcf.DCS, encodeDcs(dcs), x),
    ];
    return [
      {
        type: 'progress',
        progress: { kind: 'training', modulation: dcs.modulation, attempt: this.trainings },
      },
      ...this.sendCommand('awaitTrainingResponse', [
        { type: 'sendFrames', frames },
        { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS },
        { type: 'sendTraining', modulation: dcs.modulation, durationMs: TCF_MS },
      ]),
    ];
  }

  /** The next modulation down both ends support, if any. */
  private slower(): Modulation | undefined {
    const at = this.candidates.findIndex((m) => m.code === this.dcs!.modulation.code);
    return this.candidates[at + 1];
  }

  private onFtt(): T30Action[] {
    const next = this.slower();
    if (!next)
      return this.fail(
        'training-failed',
        `training failed at ${this.dcs!.modulation.bitRate} bit/s, the lowest speed`,
      );
    this.dcs!.modulation = next;
    return this.train();
  }

  private onCfr(): T30Action[] {
    return [
      { type: 'progress', progress: { kind: 'trained', dcs: { ...this.dcs! } } },
      ...this.preparePage(),
    ];
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

  private postPageFcf(): number {
    return this.morePages ? Fcf.MPS : Fcf.EOP;
  }

  private sendPage(data: Uint8Array): T30Action[] {
    const dcs = this.dcs!;
    this.pageTransmissions++;
    const progress: T30Action = {
      type: 'progress',
      progress: { kind: 'page-sending', page: this.page, attempt: this.pageTransmissions },
    };
    if (dcs.ecm) {
      this.blocks = splitPage(data, dcs.ecmFrameSize);
      this.block = 0;
      this.pageHadErrors = false;
      return [progress, ...this.sendBlock(this.blocks[0].map((_, n) => n))];
    }
    return this.sendCommand(
      'awaitPostPageResponse',
      [{ type: 'sendFrames', frames: [buildFrame(this.postPageFcf(), [], x)] }],
      [
        progress,
        { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS },
        // Every non-ECM page follows an accepted TCF at this modulation: V.17 short training.
        { type: 'sendImage', modulation: dcs.modulation, shortTraining: true, data },
        { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS },
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
    return retrain ? this.train() : this.preparePage();
  }

  private onPageRejected(response: string): T30Action[] {
    const rejected: T30Action = {
      type: 'progress',
      progress: { kind: 'page-rejected', page: this.page, response },
    };
    const handling = this.options.rtnHandling ?? 'retransmit';
    if (handling === 'ignore') return [rejected, ...this.afterPage(true)];
    const limit = this.options.maxPageRetransmissions ?? 3;
    if (handling === 'giveup' || this.pageTransmissions > limit) {
      return [
        rejected,
        ...this.fail('page-rejected', `the far end rejected page ${this.page + 1} (${response})`),
      ];
    }
    this.pageRetransmissions++;
    // Poor copy at this speed: retrain one speed lower when there is one (T.30 §5.3.6.1.6 RTN).
    this.dcs!.modulation = this.slower() ?? this.dcs!.modulation;
    return [rejected, ...this.train()];
  }

  // --- Phase C/D, ECM (T.30 Annex A) -----------------------------------------------------

  private blockPostPageFcf(): number {
    return this.block < this.blocks.length - 1 ? PPS_NULL : this.postPageFcf();
  }

  /** The given frames of the current block, RCP ×3, then PPS (T.30 §A.4.3). */
  private sendBlock(frameNumbers: number[]): T30Action[] {
    const block = this.blocks[this.block];
    const longTraining = this.longTrainingNext;
    this.longTrainingNext = false;
    const pps = buildPps(this.blockPostPageFcf(), this.page, this.block, block.length);
    return this.sendCommand(
      'awaitPpsResponse',
      [{ type: 'sendFrames', frames: [pps] }],
      [
        { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS },
        {
          type: 'sendImageFrames',
          modulation: this.dcs!.modulation,
          shortTraining: !longTraining,
          frames: blockFrames(block, frameNumbers),
        },
        { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS },
      ],
    );
  }

  private stopT5(): T30Action[] {
    if (!this.t5Armed) return [];
    this.t5Armed = false;
    return [{ type: 'cancelTimer', timer: 'T5' }];
  }

  /** MCF (or ERR after EOR): on to the next block, or the page is done. */
  private nextBlock(abandoned: boolean): T30Action[] {
    const actions = this.stopT5();
    if (abandoned) this.pageHadErrors = true;
    this.pprCount = 0;
    this.block++;
    if (this.block < this.blocks.length)
      return [...actions, ...this.sendBlock(this.blocks[this.block].map((_, n) => n))];
    if (!this.pageHadErrors) return [...actions, ...this.onPageConfirmed(false)];
    this.pagesWithErrors++;
    const rejected: T30Action = {
      type: 'progress',
      progress: { kind: 'page-rejected', page: this.page, response: 'ERR' },
    };
    return [...actions, rejected, ...this.afterPage(false)];
  }

  private onPpr(ppr: T30Frame): T30Action[] {
    const actions = this.stopT5();
    const block = this.blocks[this.block];
    const frames = pprFrameNumbers(ppr.fif).filter((n) => n < block.length);
    this.pprCount++;
    if (this.pprCount < PPRS_BEFORE_CTC) return [...actions, ...this.resend(frames)];
    this.pendingFrames = frames;
    const slower = this.slower();
    if (slower) {
      // T.30 §A.4.4: continue to correct at a lower speed.
      this.pendingModulation = slower;
      const ctc = buildCtc(encodeDcs({ ...this.dcs!, modulation: slower }));
      return [...actions, ...this.sendCommand('awaitCtr', [{ type: 'sendFrames', frames: [ctc] }])];
    }
    // No lower speed left: end of retransmission, the block stays as the far end has it.
    const eor = buildEor(this.blockPostPageFcf());
    return [...actions, ...this.sendCommand('awaitEorResponse', [{ type: 'sendFrames', frames: [eor] }])];
  }

  private resend(frames: number[]): T30Action[] {
    this.frameRetransmissions += frames.length;
    const progress: T30Action = {
      type: 'progress',
      progress: { kind: 'frames-retransmitted', page: this.page, block: this.block, frames: frames.length },
    };
    return [progress, ...this.sendBlock(frames)];
  }

  private onCtr(): T30Action[] {
    this.dcs!.modulation = this.pendingModulation!;
    this.pprCount = 0;
    this.longTrainingNext = true;
    const progress: T30Action = {
      type: 'progress',
      progress: { kind: 'speed-changed', modulation: this.dcs!.modulation },
    };
    return [progress, ...this.resend(this.pendingFrames)];
  }

  /** RNR: ask again with RR until the far end is ready, at most T5 (T.30 §A.4.5). */
  private onRnr(): T30Action[] {
    const actions: T30Action[] = [];
    if (!this.t5Armed) {
      this.t5Armed = true;
      actions.push({ type: 'armTimer', timer: 'T5', ms: T5_MS });
    }
    return [
      ...actions,
      ...this.sendCommand('awaitRrResponse', [{ type: 'sendFrames', frames: [buildFrame(Fcf.RR, [], x)] }]),
    ];
  }
}
