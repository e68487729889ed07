/**
 * The receiver's half of ECM (T.30 Annex A, T.4 Annex A): one partial page collected frame by
 * frame, the frames still missing when PPS names how many were sent, and the page joined from
 * its partial pages. The T30Receiver drives it from PPS, EOR and CTC.
 */

import type { ImageFrame } from './receiver-events.js';
import { Fcf, FCF_X_BIT } from './fcf.js';
import { HDLC_ADDRESS, HDLC_CONTROL } from '../itu/hdlc.js';
import { MAX_FRAMES_PER_BLOCK } from './ecm.js';

/** What one partial-page transmission held. */
export interface BlockIntake {
  /** FCD frames with a good FCS, new to this block. */
  frames: number;
  /** RCP seen: the sender ended the partial page (T.4 §A.3.6.2). */
  rcp: boolean;
  /** Frames that failed their FCS or were not T.30 image frames. */
  bad: number;
}

/** One page under ECM: the partial page being received and those already confirmed. */
export class EcmPageBuffer {
  private block = new Map<number, Uint8Array>();
  private readonly confirmed: Uint8Array[] = [];
  private octets = 0;

  /** Takes the frames of one transmission (the first, or a retransmission after PPR). */
  take(frames: readonly ImageFrame[]): BlockIntake {
    const intake: BlockIntake = { frames: 0, rcp: false, bad: 0 };
    for (const { frame, fcsOk } of frames) {
      if (!fcsOk || frame.length < 3 || frame[0] !== HDLC_ADDRESS || frame[1] !== HDLC_CONTROL) {
        intake.bad++;
        continue;
      }
      const fcf = frame[2] & ~FCF_X_BIT;
      if (fcf === Fcf.RCP) intake.rcp = true;
      else if (fcf === Fcf.FCD && frame.length >= 4) {
        if (!this.block.has(frame[3])) intake.frames++;
        this.block.set(frame[3], frame.subarray(4));
      } else intake.bad++;
    }
    return intake;
  }

  /** The frame numbers below `count` not received intact (T.30 §A.4.4, for PPR). */
  missing(count: number): number[] {
    const missing: number[] = [];
    for (let n = 0; n < Math.min(count, MAX_FRAMES_PER_BLOCK); n++) if (!this.block.has(n)) missing.push(n);
    return missing;
  }

  /**
   * The partial page is done (MCF, or ERR after EOR): its first `count` frames join the page,
   * a missing one as nothing (the decoder marks the rows it spoils).
   */
  confirmBlock(count: number): void {
    for (let n = 0; n < Math.min(count, MAX_FRAMES_PER_BLOCK); n++) {
      const data = this.block.get(n);
      if (!data) continue;
      const copy = data.slice();
      this.confirmed.push(copy);
      this.octets += copy.length;
    }
    this.block = new Map();
  }

  /** The coded page, every confirmed partial page in order. */
  pageData(): Uint8Array {
    const out = new Uint8Array(this.octets);
    let o = 0;
    for (const part of this.confirmed) {
      out.set(part, o);
      o += part.length;
    }
    return out;
  }
}
