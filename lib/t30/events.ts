/**
 * What goes into the T.30 core (events) and what comes out (actions). The core does no I/O:
 * its caller executes each batch of actions in order on a transport (a Class 1 modem, later
 * T.38) and reports how the last one ended as the next event.
 */

import type { FailureKind } from '../failure/kinds.js';
import type { Modulation } from '../itu/modulation.js';
import type { Coding, PageWidth, Resolution } from '../itu/page.js';
import type { DcsParameters, DisCapabilities, PageLength } from './dis.js';

/** T.30 §5.4.3: T1 (35 s, waiting for the far end), T4 (3 s, response), T5 (60 s, RNR/RR). */
export type TimerName = 'T1' | 'T4' | 'T5';

/** How the caller must code one page for the session parameters in force. */
export interface PageCoding {
  coding: Coding;
  resolution: Resolution;
  width: PageWidth;
  length: PageLength;
  /** MR K factor (T.4 §4.2.1.3.1); only for 'mr'. */
  kFactor: number;
  /** Fill each coded line to at least this many bits (T.4 §4.1.2); 0 with ECM. */
  minBitsPerRow: number;
  /** Coded for ECM (T.4 Annex A). */
  ecm: boolean;
}

export type T30Event =
  /** The call is connected; for a caller the far end's V.21 signal is being received. */
  | { type: 'connected' }
  /** One V.21 HDLC frame: address, control, FCF, FIF (no FCS); fcsOk false if the FCS was bad. */
  | { type: 'frameReceived'; frame: Uint8Array; fcsOk: boolean }
  /** receiveFrame's own timeout passed with no frame. */
  | { type: 'receiveTimeout' }
  /** An armed timer expired (the caller ends a pending receive for it). */
  | { type: 'timerExpired'; timer: TimerName }
  /**
   * The page asked for by preparePage, coded as asked. `morePages`: another page follows;
   * `documentEnds`: this page ends its document, so the next one starts another (EOM).
   */
  | { type: 'pageReady'; page: number; data: Uint8Array; morePages: boolean; documentEnds?: boolean }
  /** The page asked for does not exist or could not be produced. */
  | { type: 'pageFailed'; page: number; message: string }
  /** An action failed on the transport (the modem said ERROR, the port went away …). */
  | { type: 'transportError'; kind: FailureKind; message: string }
  /** The job was cancelled. */
  | { type: 'cancel' };

export type T30Action =
  /** Send these frames as one V.21 HDLC sequence (the last has the final bit set). */
  | { type: 'sendFrames'; frames: Uint8Array[] }
  /** Receive one V.21 HDLC frame; report frameReceived, receiveTimeout or timerExpired. */
  | { type: 'receiveFrame'; timeoutMs: number }
  /** Keep the line silent (T.30 §5.3.2: 75 ± 20 ms between signals). */
  | { type: 'silence'; ms: number }
  /** TCF, the Phase B training check (T.30 §5.3.2): zeros for durationMs (1.5 s) at the modulation. */
  | { type: 'sendTraining'; modulation: Modulation; durationMs: number }
  /** Obtain page `page` (0-based) coded as `coding`; report pageReady or pageFailed. */
  | { type: 'preparePage'; page: number; coding: PageCoding }
  /**
   * Non-ECM Phase C: the coded page (fill and RTC included) at the modulation. `shortTraining`:
   * V.17 short training, because a TCF at this modulation was accepted (T.30 §5.3.2).
   */
  | { type: 'sendImage'; modulation: Modulation; shortTraining: boolean; data: Uint8Array }
  /** ECM Phase C: FCD and RCP frames as HDLC at the message-speed modulation. */
  | { type: 'sendImageFrames'; modulation: Modulation; shortTraining: boolean; frames: Uint8Array[] }
  | { type: 'armTimer'; timer: TimerName; ms: number }
  | { type: 'cancelTimer'; timer: TimerName }
  /** Something worth telling the user (no completion to report). */
  | { type: 'progress'; progress: SenderProgress }
  /** Phase E: drop the line; the session is over. */
  | { type: 'hangup'; outcome: T30Outcome };

export type SenderProgress =
  | { kind: 'remote-identified'; remoteIdent: string; capabilities: DisCapabilities }
  | { kind: 'training'; modulation: Modulation; attempt: number }
  | { kind: 'trained'; dcs: DcsParameters }
  | { kind: 'page-sending'; page: number; attempt: number }
  | { kind: 'page-confirmed'; page: number }
  | { kind: 'page-rejected'; page: number; response: string }
  | { kind: 'frames-retransmitted'; page: number; block: number; frames: number }
  | { kind: 'speed-changed'; modulation: Modulation };

/** Why a call failed: the one vocabulary (lib/failure), shared with the fax engine and the job. */
export type { FailureKind };

export interface T30Failure {
  kind: FailureKind;
  message: string;
}

/** The session's end, as far as T.30 knows it. */
export interface T30Outcome {
  ok: boolean;
  failure?: T30Failure;
  /** Pages the far end confirmed (MCF, RTP, PIP; ECM: every block confirmed). */
  pagesConfirmed: number;
  /** The page (0-based) sent at least once but not confirmed when the call ended, if any. */
  pageInProgress?: number;
  remoteIdent?: string;
  remoteCapabilities?: DisCapabilities;
  /** The parameters last in force (modulation after fall-backs). */
  dcs?: DcsParameters;
  /** Trainings after the first (FTT fall-back, RTP, RTN, DIS repeats). */
  retrains: number;
  /** Non-ECM pages sent again after RTN/PIN. */
  pageRetransmissions: number;
  /** ECM frames sent again after PPR. */
  frameRetransmissions: number;
}
