/**
 * The sender's ECM Phase C/D for one page (T.30 Annex A, T.4 Annex A): partial pages of up to
 * 256 frames, PPS, PPR retransmission, CTC/CTR after the fourth PPR, EOR when no lower speed is
 * left, RNR/RR flow control under T5. The T30Sender owns one EcmPage per page sent with ECM.
 */

import type { Modulation } from '../itu/modulation.js';
import type { DcsParameters } from './dis.js';
import { encodeDcs } from './dis.js';
import { blockFrames, splitPage } from './ecm.js';
import type { FailureKind, T30Action } from './events.js';
import { Fcf, PPS_NULL } from './fcf.js';
import { T30Frame, buildCtc, buildEor, buildFrame, buildPps, pprFrameNumbers } from './frames.js';
import { INTER_SIGNAL_SILENCE_MS, PPRS_BEFORE_CTC, SenderState, T5_MS } from './state.js';

/** What an ECM page needs from the session that runs it. */
export interface EcmSession {
  readonly page: number;
  /** MPS when another page follows, EOP after the last. */
  readonly postPageFcf: number;
  readonly dcs: DcsParameters;
  /** The next modulation down both ends support. */
  slower(): Modulation | undefined;
  sendCommand(next: SenderState, actions: T30Action[], before?: T30Action[]): T30Action[];
  /** All blocks answered: MCF for every one, or some abandoned with EOR/ERR. */
  pageDone(withErrors: boolean): T30Action[];
  /** DCN and hang up with this failure. */
  fail(kind: FailureKind, message: string): T30Action[];
  countRetransmittedFrames(frames: number): void;
}

export class EcmPage {
  private readonly blocks: Uint8Array[][];
  private block = 0;
  private pprCount = 0;
  private hadErrors = false;
  private pendingFrames: number[] = [];
  private pendingModulation?: Modulation;
  private t5Armed = false;
  private t5Expired = false;
  /** After CTC/CTR the new speed has had no TCF: its first block goes with long training. */
  private longTrainingNext = false;

  constructor(
    private readonly session: EcmSession,
    data: Uint8Array,
  ) {
    this.blocks = splitPage(data, session.dcs.ecmFrameSize);
  }

  /** Phase C: the first partial page. */
  start(): T30Action[] {
    return this.sendBlock(this.allFrames());
  }

  private allFrames(): number[] {
    return this.blocks[this.block].map((_, n) => n);
  }

  /** NULL while more partial pages of this page follow, else MPS/EOP (T.30 §A.4.3). */
  private postPageFcf(): number {
    return this.block < this.blocks.length - 1 ? PPS_NULL : this.session.postPageFcf;
  }

  /** The given frames of the current block, RCP ×3, then PPS (T.30 §A.4.3). */
  private sendBlock(frameNumbers: number[]): T30Action[] {
    const block = this.blocks[this.block];
    const longTraining = this.longTrainingNext;
    this.longTrainingNext = false;
    const pps = buildPps(this.postPageFcf(), this.session.page, this.block, block.length);
    const image: T30Action = {
      type: 'sendImageFrames',
      modulation: this.session.dcs.modulation,
      shortTraining: !longTraining,
      frames: blockFrames(block, frameNumbers),
    };
    const silence: T30Action = { type: 'silence', ms: INTER_SIGNAL_SILENCE_MS };
    return this.session.sendCommand(
      'awaitPpsResponse',
      [{ type: 'sendFrames', frames: [pps] }],
      [silence, image],
    );
  }

  /** T5 cancelled, if it runs (this page's RNR wait is over). */
  cancelT5(): T30Action[] {
    return this.stopT5();
  }

  private stopT5(): T30Action[] {
    if (!this.t5Armed) return [];
    this.t5Armed = false;
    return [{ type: 'cancelTimer', timer: 'T5' }];
  }

  /**
   * The far end missed the current partial page and went back to phase B (sender.ts
   * onPageMissed); after the new TCF the whole block goes again, its PPR count anew.
   */
  sendBlockAgain(): T30Action[] {
    const actions = this.cancelT5();
    this.pprCount = 0;
    return [...actions, ...this.sendBlock(this.allFrames())];
  }

  /** MCF (or ERR after EOR, `abandoned`): on to the next block, or the page is done. */
  nextBlock(abandoned: boolean): T30Action[] {
    const actions = this.stopT5();
    if (abandoned) this.hadErrors = true;
    this.pprCount = 0;
    this.block++;
    if (this.block < this.blocks.length) return [...actions, ...this.sendBlock(this.allFrames())];
    return [...actions, ...this.session.pageDone(this.hadErrors)];
  }

  /** PPR: send the marked frames again; at the fourth, CTC one speed lower, or EOR (T.30 §A.4.4). */
  onPpr(ppr: T30Frame): T30Action[] {
    const actions = this.stopT5();
    const block = this.blocks[this.block];
    const frames = pprFrameNumbers(ppr.fif).filter((n) => n < block.length);
    this.pprCount++;
    if (this.pprCount < PPRS_BEFORE_CTC) return [...actions, ...this.resend(frames)];
    this.pendingFrames = frames;
    const slower = this.session.slower();
    if (slower) {
      this.pendingModulation = slower;
      const ctc = buildCtc(encodeDcs({ ...this.session.dcs, modulation: slower }));
      return [...actions, ...this.session.sendCommand('awaitCtr', [{ type: 'sendFrames', frames: [ctc] }])];
    }
    // No lower speed left: end of retransmission; the block stays as the far end has it.
    const eor = buildEor(this.postPageFcf());
    return [
      ...actions,
      ...this.session.sendCommand('awaitEorResponse', [{ type: 'sendFrames', frames: [eor] }]),
    ];
  }

  private resend(frames: number[]): T30Action[] {
    this.session.countRetransmittedFrames(frames.length);
    const progress: T30Action = {
      type: 'progress',
      progress: {
        kind: 'frames-retransmitted',
        page: this.session.page,
        block: this.block,
        frames: frames.length,
      },
    };
    return [progress, ...this.sendBlock(frames)];
  }

  /** CTR: continue at the speed CTC named. */
  onCtr(): T30Action[] {
    this.session.dcs.modulation = this.pendingModulation!;
    this.pprCount = 0;
    this.longTrainingNext = true;
    const progress: T30Action = {
      type: 'progress',
      progress: { kind: 'speed-changed', modulation: this.pendingModulation! },
    };
    return [progress, ...this.resend(this.pendingFrames)];
  }

  /** T5 ran out (the timer is gone): the next RNR ends the call. */
  onT5Expired(): void {
    if (!this.t5Armed) return;
    this.t5Armed = false;
    this.t5Expired = true;
  }

  /**
   * RNR: ask again with RR until the far end is ready, at most T5 (T.30 §A.4.5); an RNR after
   * T5 has run out is answered with DCN (T.30 §5.4.3, T5: "the DCN command is transmitted").
   */
  onRnr(): T30Action[] {
    if (this.t5Expired)
      return this.session.fail('protocol-timeout', 'the far end stayed not ready (RNR) beyond T5');
    const actions: T30Action[] = [];
    if (!this.t5Armed) {
      this.t5Armed = true;
      actions.push({ type: 'armTimer', timer: 'T5', ms: T5_MS });
    }
    const rr = buildFrame(Fcf.RR, [], { x: true });
    return [
      ...actions,
      ...this.session.sendCommand('awaitRrResponse', [{ type: 'sendFrames', frames: [rr] }]),
    ];
  }
}
