/**
 * FaxTransport over a Class 1 modem (T.31): V.21 HDLC with +FTH=3/+FRH=3, TCF and page data
 * with +FTM, silence with +FTS, and ECM frames framed here in software and sent with +FTM
 * (hdlcBitStream). All Class 1 knowledge stays here and in lib/modem.
 */

import { MODULATIONS, type Modulation, type ModulationCode } from '../itu/modulation.js';
import { Class1Modem, ModemError, flagsFor, hdlcBitStream } from '../modem/index.js';
import { modemFailure, type ModemStage } from './modem-failure.js';
import { FaxTransport, FaxTransportError, ReceivedFrame } from './transport.js';

export function asTransportError(e: unknown, during: string, stage: ModemStage = 'call'): FaxTransportError {
  if (e instanceof FaxTransportError) return e;
  if (e instanceof ModemError) {
    const failure = modemFailure(e, stage, during);
    return new FaxTransportError(failure.kind, failure.message);
  }
  return new FaxTransportError('modem-error', `${during}: ${e instanceof Error ? e.message : String(e)}`);
}

/** T.4 Annex A §A.3: flags for 200 ± 100 ms before the first frame of a partial page. */
const ECM_SYNC_MS = 200;

export class Class1Transport implements FaxTransport {
  readonly modulations: readonly Modulation[];
  /**
   * ECM frames go out as message data (+FTM) framed in software, so every modulation the modem
   * can send carries them: no +FTH=<mod> (HDLC at message speed) is needed, which most Class 1
   * modems (spandsp's T.31 among them) do not offer.
   */
  readonly ecm: boolean;
  private readonly transmitCodes: ReadonlySet<number> | undefined;

  /** `transmit`: the +FTM=? codes (default: all). Class1Transport.probe asks the modem. */
  constructor(
    private readonly modem: Class1Modem,
    codes: { transmit?: readonly number[] } = {},
  ) {
    const transmit = codes.transmit;
    this.transmitCodes = transmit ? new Set(transmit) : undefined;
    this.modulations = transmit ? MODULATIONS.filter((m) => transmit.includes(m.code)) : MODULATIONS;
    this.ecm = this.modulations.length > 0;
  }

  /** A transport for an open, initialised modem, with what it says it can send (+FTM=?). */
  static async probe(modem: Class1Modem): Promise<Class1Transport> {
    const caps = await modem.capabilities().catch(() => undefined);
    return new Class1Transport(modem, {
      transmit: caps && caps.transmit.length > 0 ? caps.transmit : undefined,
    });
  }

  async dial(dialString: string, options: { pulse?: boolean } = {}): Promise<void> {
    await this.modem.dial(dialString, { pulse: options.pulse }).catch((e: unknown) => {
      throw asTransportError(e, 'dialling', 'dial');
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
    await this.modem.sendData(modulation.code, zeros).catch((e: unknown) => {
      throw asTransportError(e, 'sending TCF');
    });
  }

  async sendImage(modulation: Modulation, data: Uint8Array, shortTraining: boolean): Promise<void> {
    await this.modem.sendData(this.messageCode(modulation, shortTraining), data).catch((e: unknown) => {
      throw asTransportError(e, 'sending page data');
    });
  }

  /**
   * ECM FCD/RCP frames (T.4 Annex A) as HDLC at the message speed. Like HylaFAX's Class 1
   * driver, the frames are framed here (flags, FCS, zero-bit insertion: hdlcBitStream) and the
   * bits sent as message data with +FTM=<mod> (T.31 §8.3.3), one modem command per partial
   * page, through the same DLE shielding and XON/XOFF pacing as page data. Each frame is written
   * in one piece, so a modem that runs dry between writes fills between frames, not inside one.
   */
  async sendImageFrames(modulation: Modulation, frames: Uint8Array[], shortTraining: boolean): Promise<void> {
    const stream = hdlcBitStream(frames, { openingFlags: flagsFor(ECM_SYNC_MS, modulation.bitRate) });
    await this.modem
      .sendData(this.messageCode(modulation, shortTraining), stream, { wholeChunks: true })
      .catch((e: unknown) => {
        throw asTransportError(e, 'sending ECM frames');
      });
  }

  /** The +FTM code: V.17 with short training when asked and the modem lists it (T.31 Table 3). */
  private messageCode(modulation: Modulation, shortTraining: boolean): ModulationCode {
    const short = shortTraining ? modulation.shortTrainingCode : undefined;
    const usable = short !== undefined && (this.transmitCodes?.has(short) ?? true);
    return usable ? short : modulation.code;
  }

  async hangup(): Promise<void> {
    await this.modem.hangup().catch(() => undefined);
  }
}
