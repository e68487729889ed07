/**
 * FaxTransport over a Class 1 modem (T.31): V.21 HDLC with +FTH=3/+FRH=3, TCF and page data
 * with +FTM, silence with +FTS. All Class 1 knowledge stays here and in lib/modem.
 */

import { Class1Modem, ModemError, type Modulation as ModemModulation } from '../modem/index.js';
import { MODULATIONS, type FailureKind, type Modulation } from '../t30/index.js';
import { FaxTransport, FaxTransportError, ReceivedFrame } from './transport.js';

/** How each modem error reads as a fax failure. */
const FAILURE_OF: Partial<Record<string, FailureKind>> = {
  busy: 'busy',
  'no-answer': 'no-answer',
  'no-dialtone': 'no-dial-tone',
  'no-carrier': 'no-carrier',
  aborted: 'cancelled',
};

function asTransportError(e: unknown, during: string): FaxTransportError {
  if (e instanceof FaxTransportError) return e;
  if (e instanceof ModemError)
    return new FaxTransportError(FAILURE_OF[e.kind] ?? 'modem-error', `${during}: ${e.message}`);
  return new FaxTransportError('modem-error', `${during}: ${e instanceof Error ? e.message : String(e)}`);
}

export class Class1Transport implements FaxTransport {
  readonly modulations: readonly Modulation[];
  /**
   * ECM image frames go out as HDLC at the message speed (+FTH=<mod>, T.31 §8.3.4); lib/modem's
   * sendFrames only speaks V.21 (+FTH=3) so far, so ECM is off over Class 1 until it can.
   */
  readonly ecm = false;

  /** `modulations`: what the modem reported for +FTM=? (T.31 codes); default all. */
  constructor(
    private readonly modem: Class1Modem,
    modulations?: readonly number[],
  ) {
    this.modulations = modulations ? MODULATIONS.filter((m) => modulations.includes(m.code)) : MODULATIONS;
  }

  async dial(dialString: string): Promise<void> {
    await this.modem.dial(dialString).catch((e: unknown) => {
      // After ATD, NO CARRIER means the far end answered without fax tones (or not at all).
      const err = asTransportError(e, 'dialling');
      throw err.kind === 'no-carrier' ? new FaxTransportError('not-a-fax', err.message) : err;
    });
  }

  async sendFrames(frames: Uint8Array[]): Promise<void> {
    await this.modem.sendFrames(frames).catch((e: unknown) => {
      throw asTransportError(e, 'sending HDLC frames');
    });
  }

  async receiveFrame(timeoutMs: number): Promise<ReceivedFrame | null> {
    try {
      const frame = await this.modem.receiveFrame({ timeoutMs: Math.max(1, timeoutMs) });
      return { frame, fcsOk: true };
    } catch (e) {
      if (e instanceof ModemError) {
        if (e.kind === 'timeout') return null;
        // +FCERROR: a high-speed carrier where V.21 was expected — no usable frame.
        if (e.kind === 'bad-frame' || e.kind === 'wrong-carrier') {
          return { frame: e.frame ?? new Uint8Array(0), fcsOk: false };
        }
        // +FRH=3 ending in NO CARRIER: nothing was heard in time.
        if (e.kind === 'no-carrier') return null;
      }
      throw asTransportError(e, 'receiving an HDLC frame');
    }
  }

  async silence(ms: number): Promise<void> {
    await this.modem.sendSilence(Math.max(1, Math.round(ms / 10))).catch((e: unknown) => {
      throw asTransportError(e, 'keeping silence');
    });
  }

  async sendTraining(modulation: Modulation, durationMs: number): Promise<void> {
    const zeros = new Uint8Array(Math.ceil((modulation.bitRate * durationMs) / 8000));
    await this.modem.sendData(modulation.code as ModemModulation, zeros).catch((e: unknown) => {
      throw asTransportError(e, 'sending TCF');
    });
  }

  async sendImage(modulation: Modulation, data: Uint8Array, shortTraining: boolean): Promise<void> {
    const code = (shortTraining && modulation.shortTrainingCode) || modulation.code;
    await this.modem.sendData(code as ModemModulation, data).catch((e: unknown) => {
      throw asTransportError(e, 'sending page data');
    });
  }

  async sendImageFrames(
    _modulation: Modulation,
    _frames: Uint8Array[],
    _shortTraining: boolean,
  ): Promise<void> {
    throw new FaxTransportError('modem-error', 'ECM image frames are not supported over this Class 1 driver');
  }

  async hangup(): Promise<void> {
    await this.modem.hangup().catch(() => undefined);
  }
}
