/**
 * What goes into the T.30 receiver (events) and what comes out (actions): the called terminal's
 * half of events.ts. Frames, timers, transport errors and cancellation are the sender's events;
 * the receiver adds the message-speed signals it receives (TCF, page data, ECM frames) and the
 * pages it hands over for storage.
 */

import type { Modulation } from '../itu/modulation.js';
import type { Coding, PageWidth, Resolution } from '../itu/page.js';
import type { DcsParameters, PageLength } from './dis.js';
import type { FailureKind, T30Event, T30Failure, T30Outcome } from './events.js';

/** T.30 §5.4.3: T1 (35 s, waiting for DCS), T2 (6 s, waiting for a command), T4 (3 s, response). */
export type ReceiverTimerName = 'T1' | 'T2' | 'T4';

/** How a page must be decoded: the session parameters of the DCS in force. */
export interface ReceivedPageFormat {
  coding: Coding;
  resolution: Resolution;
  width: PageWidth;
  length: PageLength;
  ecm: boolean;
}

/** One HDLC frame received at the message speed (ECM), deframed: address … FIF, no FCS. */
export interface ImageFrame {
  frame: Uint8Array;
  fcsOk: boolean;
}

/** Why a message-speed signal did not come: silence, or V.21 frames instead (+FCERROR). */
export type SignalMiss = 'no-carrier' | 'wrong-carrier';

export type T30ReceiverEvent =
  | Exclude<T30Event, { type: 'pageReady' } | { type: 'pageFailed' } | { type: 'timerExpired' }>
  | { type: 'timerExpired'; timer: ReceiverTimerName }
  /** TCF as received (T.30 §5.3.2): the octets from the carrier's start to its end. */
  | { type: 'trainingReceived'; data: Uint8Array }
  /**
   * A non-ECM page ended (the carrier dropped). The caller decoded it as it arrived: `rows`
   * decoded, `badRows` of them not decodable, `maxConsecutiveBadRows` the longest run of them.
   */
  | { type: 'pageDataReceived'; rows: number; badRows: number; maxConsecutiveBadRows?: number }
  /** ECM: the frames of one partial-page transmission, up to the carrier's end. */
  | { type: 'imageFramesReceived'; frames: ImageFrame[] }
  /** The TCF, page or ECM frames asked for did not come. */
  | { type: 'signalMissed'; reason: SignalMiss }
  /** The page named in awaitStored is stored (on disk): it may be confirmed. */
  | { type: 'pageStored'; page: number }
  /** awaitStored's time ran out with the page still being stored (ECM: the answer is RNR). */
  | { type: 'storePending'; page: number };

/** T.30 §5.3.6.1.6: the copy-quality verdict on a page: MCF, RTP (good, retrain) or RTN (poor). */
export type PageVerdict = 'MCF' | 'RTP' | 'RTN';

export type ReceiverProgress =
  | { kind: 'answered' }
  | { kind: 'command-received'; remoteIdent: string; subaddress?: string; dcs: DcsParameters }
  | { kind: 'training-checked'; modulation: Modulation; zeroRunMs: number; accepted: boolean }
  | { kind: 'page-received'; page: number; rows: number; badRows: number; verdict: PageVerdict }
  | { kind: 'block-received'; page: number; block: number; frames: number; missing: number }
  | { kind: 'speed-changed'; modulation: Modulation }
  /** ECM: RNR sent, page `page` (0-based) is still being stored (T.30 §A.4.5). */
  | { kind: 'receiver-not-ready'; page: number };

export type T30ReceiverAction =
  /** Send these frames as one V.21 HDLC sequence (the last has the final bit set). */
  | { type: 'sendFrames'; frames: Uint8Array[] }
  /** Receive one V.21 HDLC frame; report frameReceived, receiveTimeout or timerExpired. */
  | { type: 'receiveFrame'; timeoutMs: number }
  /**
   * Wait until the line has been silent this long before transmitting (T.30 §5.3.2, 75 ms
   * between signals; Class 1: +FRS, T.31 §8.3.1), so a response never talks over the far end.
   */
  | { type: 'awaitSilence'; ms: number }
  /** Keep the line silent for ms (Class 1: +FTS, T.31 §8.3.1): after our DCN, before on-hook. */
  | { type: 'silence'; ms: number }
  /** Receive TCF at the modulation; report trainingReceived or signalMissed. */
  | { type: 'receiveTraining'; modulation: Modulation; durationMs: number }
  /**
   * Non-ECM Phase C: receive and decode the page data at the modulation (V.17 short training
   * when `shortTraining`); report pageDataReceived or signalMissed.
   */
  | { type: 'receiveImage'; modulation: Modulation; shortTraining: boolean; format: ReceivedPageFormat }
  /** ECM Phase C: receive one partial page of HDLC frames; report imageFramesReceived or signalMissed. */
  | { type: 'receiveImageFrames'; modulation: Modulation; shortTraining: boolean }
  /**
   * Keep page `page` (0-based): it has been received and is to be confirmed. Start storing it
   * and go on at once: the confirmation waits for it (awaitStored, which follows). `data` (ECM):
   * the coded page, its partial pages joined; without ECM the caller kept what it decoded.
   */
  | {
      type: 'storePage';
      page: number;
      format: ReceivedPageFormat;
      verdict: PageVerdict;
      data?: Uint8Array;
      /** ECM: frames still missing when the sender gave up on a block (EOR). */
      missingFrames?: number;
    }
  /**
   * Wait for the page handed over by storePage to be stored: report pageStored, or, when
   * `timeoutMs` is given and passes first, storePending (the store goes on meanwhile); a store
   * that failed is a transportError of kind storage-failed. Without `timeoutMs`, wait until done.
   */
  | { type: 'awaitStored'; page: number; timeoutMs?: number }
  | { type: 'armTimer'; timer: ReceiverTimerName; ms: number }
  | { type: 'cancelTimer'; timer: ReceiverTimerName }
  | { type: 'progress'; progress: ReceiverProgress }
  /** Phase E: drop the line; the session is over. */
  | { type: 'hangup'; outcome: ReceiverOutcome };

/** The session's end, as far as the receiver knows it. */
export interface ReceiverOutcome extends T30Outcome {
  /** SUB (T.30 §5.3.6.2.7), when the sender gave one. */
  subaddress?: string;
  /** Pages answered RTN (not stored). */
  pagesRejected: number;
  /** The sender ended with EOP and DCN (or fell silent after the last MCF). */
  completed: boolean;
}

export type { FailureKind, T30Failure };
