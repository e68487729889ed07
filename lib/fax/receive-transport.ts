/**
 * What the T.30 receiver's actions need from the line: answering a call, V.21 frames both ways,
 * waiting for silence, and the message-speed signals received (TCF, page data, ECM frames). A
 * Class 1 modem implements it (class1-receive.ts); a T.38 gateway could later.
 */

import type { CallerId } from '../modem/index.js';
import type { Modulation } from '../itu/modulation.js';
import type { ImageFrame, SignalMiss } from '../t30/index.js';
import type { ReceivedFrame } from './transport.js';

export interface AnswerOptions {
  /** Answer at once (the line is ringing, or a person picked up). */
  now?: boolean;
  /** Rings to count before answering (default 1). */
  rings?: number;
  signal?: AbortSignal;
  /**
   * Called at each RING, before the one that answers too (`answering`); 'ignore' lets this call
   * ring unanswered (its rings are ignored until they stop), e.g. a caller ID on a reject list.
   */
  onRing?: (ring: RingInfo) => 'ignore' | void;
}

export interface RingInfo {
  /** The RINGs of this call so far, this one included. */
  count: number;
  /** Caller ID the modem reported so far (it comes after the first RING). */
  callerId?: CallerId;
  /** This RING is the one answered: ATA follows unless onRing says 'ignore'. */
  answering: boolean;
}

export interface FaxReceiveTransport {
  /** Modulations this transport can receive (long training). */
  readonly modulations: readonly Modulation[];
  /** Waits for the call (RING × rings) and answers it; resolves once V.21 flags go out. */
  answer(options: AnswerOptions): Promise<void>;
  sendFrames(frames: Uint8Array[]): Promise<void>;
  /** The next V.21 HDLC frame, or null when none starts within timeoutMs. */
  receiveFrame(timeoutMs: number): Promise<ReceivedFrame | null>;
  /** Keeps the line silent for ms. */
  silence(ms: number): Promise<void>;
  /** Waits until the line has been silent for ms (before a response). */
  awaitSilence(ms: number): Promise<void>;
  /** TCF: the octets received at the modulation until its carrier ends. */
  receiveTraining(modulation: Modulation, durationMs: number): Promise<Uint8Array | SignalMiss>;
  /** Non-ECM page data, handed to onData as it arrives, until the carrier ends. */
  receiveImage(
    modulation: Modulation,
    shortTraining: boolean,
    onData: (chunk: Uint8Array) => void,
  ): Promise<'ended' | SignalMiss>;
  /** ECM: the HDLC frames of one partial-page transmission at the modulation. */
  receiveImageFrames(modulation: Modulation, shortTraining: boolean): Promise<ImageFrame[] | SignalMiss>;
  /** Drops the call. Must not reject when the line is already down. */
  hangup(): Promise<void>;
}
