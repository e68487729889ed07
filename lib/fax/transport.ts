/**
 * What the T.30 core's actions need from the line: a call, V.21 HDLC frames, silence, and the
 * message-speed signals. A Class 1 modem implements it today (class1.ts); a T.38 gateway can
 * implement the same interface later without touching lib/t30.
 */

import type { FailureKind } from '../t30/index.js';
import type { Modulation } from '../itu/modulation.js';

export interface ReceivedFrame {
  /** Address, control, FCF, FIF (no FCS). */
  frame: Uint8Array;
  /** False when the frame failed its FCS check; `frame` then holds what was received. */
  fcsOk: boolean;
}

export interface FaxTransport {
  /** Modulations this transport can send. */
  readonly modulations: readonly Modulation[];
  /** Whether sendImageFrames works (ECM, T.30 Annex A). */
  readonly ecm: boolean;
  /** Places the call; resolves once the far end answered and its fax signals are heard. */
  dial(dialString: string, options?: { pulse?: boolean }): Promise<void>;
  /** One V.21 HDLC transmission of these frames (the last has the final bit). */
  sendFrames(frames: Uint8Array[]): Promise<void>;
  /** The next V.21 HDLC frame, or null when none starts within timeoutMs. */
  receiveFrame(timeoutMs: number): Promise<ReceivedFrame | null>;
  /** Silence on the line (T.30 §5.3.2). */
  silence(ms: number): Promise<void>;
  /** TCF: zeros for durationMs at the modulation. */
  sendTraining(modulation: Modulation, durationMs: number): Promise<void>;
  /** Non-ECM page data (coded, line bit order) at the modulation; V.17 short training if asked. */
  sendImage(modulation: Modulation, data: Uint8Array, shortTraining: boolean): Promise<void>;
  /** ECM FCD/RCP frames as HDLC at the modulation. */
  sendImageFrames(modulation: Modulation, frames: Uint8Array[], shortTraining: boolean): Promise<void>;
  /** Drops the call. Must not reject when the line is already down. */
  hangup(): Promise<void>;
}

/** A transport failure, with the kind the fax result reports. */
export class FaxTransportError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FaxTransportError';
  }
}
