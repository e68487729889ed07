/**
 * FaxTransport over a Class 1 modem (T.31): V.21 HDLC with +FTH=3/+FRH=3, TCF and page data
 * with +FTM, silence with +FTS. All Class 1 knowledge stays here and in lib/modem.
 */

import {
  Class1Modem,
  DLE_ETX,
  ModemError,
  dleFrame,
  resultError,
  type Modulation as ModemModulation,
} from '../modem/index.js';
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
  /** ECM needs HDLC at the message speed (+FTH=<mod>); many modems, but not all, offer it. */
  readonly ecm: boolean;
  private readonly hdlcCodes: ReadonlySet<number>;

  /**
   * `transmit`: the +FTM=? codes (default: all); `hdlcTransmit`: the +FTH=? codes (default: 3,
   * V.21 only, hence no ECM). Class1Transport.probe asks the modem for both.
   */
  constructor(
    private readonly modem: Class1Modem,
    codes: { transmit?: readonly number[]; hdlcTransmit?: readonly number[] } = {},
  ) {
    const transmit = codes.transmit;
    this.modulations = transmit ? MODULATIONS.filter((m) => transmit.includes(m.code)) : MODULATIONS;
    this.hdlcCodes = new Set(codes.hdlcTransmit ?? [3]);
    this.ecm = this.modulations.every((m) => this.hdlcCodes.has(m.code));
  }

  /** A transport for an open, initialised modem, with what it says it can send (+FTM=?, +FTH=?). */
  static async probe(modem: Class1Modem): Promise<Class1Transport> {
    const caps = await modem.capabilities().catch(() => undefined);
    const fth = await modem.channel.command('+FTH=?').catch(() => undefined);
    return new Class1Transport(modem, {
      transmit: caps && caps.transmit.length > 0 ? caps.transmit : undefined,
      hdlcTransmit: fth?.code === 'OK' ? parseCodeList(fth.lines.join(',')) : undefined,
    });
  }

  async dial(dialString: string, options: { pulse?: boolean } = {}): Promise<void> {
    await this.modem.dial(dialString, { pulse: options.pulse }).catch((e: unknown) => {
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

  /**
   * ECM image frames as HDLC at the message speed (AT+FTH=<mod>, T.31 §8.3.4). FCD and RCP
   * frames are not final, so the modem answers CONNECT after each; an empty DLE ETX then ends
   * the transmission and the modem answers OK. Class1Modem.sendFrames speaks V.21 (+FTH=3)
   * only, so this uses the modem's AT channel for the few commands involved.
   */
  async sendImageFrames(modulation: Modulation, frames: Uint8Array[], shortTraining: boolean): Promise<void> {
    const short = shortTraining && modulation.shortTrainingCode;
    const code = short && this.hdlcCodes.has(short) ? short : modulation.code;
    if (!this.hdlcCodes.has(code)) {
      throw new FaxTransportError(
        'modem-error',
        `the modem cannot send HDLC at ${modulation.name} ${modulation.bitRate}`,
      );
    }
    const cmd = `+FTH=${code}`;
    const channel = this.modem.channel;
    try {
      const r = await channel.command(cmd, { timeoutMs: 10_000 });
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
      for (const frame of frames) {
        await channel.waitWritable(30_000);
        await channel.write(dleFrame(frame));
        // The frame's airtime at the message speed, plus the modem's margin.
        const next = await channel.waitResult(
          ((frame.length + 8) * 8 * 1000) / modulation.bitRate + 5_000,
          cmd,
        );
        if (next.code !== 'CONNECT') throw resultError(next, cmd, 'CONNECT');
      }
      await channel.write(DLE_ETX);
      const end = await channel.waitResult(10_000, cmd);
      if (end.code !== 'OK') throw resultError(end, cmd, 'OK');
    } catch (e) {
      throw asTransportError(e, 'sending ECM frames');
    }
  }

  async hangup(): Promise<void> {
    await this.modem.hangup().catch(() => undefined);
  }
}

/** Every code a Class 1 +FTH/+FTM list may name: V.21 (3) and the message-speed modulations. */
const KNOWN_CODES = [
  3,
  ...MODULATIONS.flatMap((m) => (m.shortTrainingCode ? [m.code, m.shortTrainingCode] : [m.code])),
];

/** "3,24,48" or "(3,24-146)" (V.250 §5.7.3 range syntax) → the codes listed. */
export function parseCodeList(text: string): number[] {
  const codes = new Set<number>();
  for (const item of text.replace(/[()\s]/g, '').split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range)
      KNOWN_CODES.filter((c) => c >= Number(range[1]) && c <= Number(range[2])).forEach((c) => codes.add(c));
    else if (/^\d+$/.test(item)) codes.add(Number(item));
  }
  return [...codes].sort((x, y) => x - y);
}
