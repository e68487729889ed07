/**
 * FaxReceiveTransport over a Class 1 modem (T.31): RING and ATA, V.21 HDLC with +FTH=3/+FRH=3,
 * +FRS before each response, TCF and page data with +FRM (DLE removed by lib/modem), and ECM
 * frames received as message data and deframed here in software (HdlcDeframer), as the sender
 * frames them (class1.ts).
 */

import { MODULATIONS, type Modulation, type ModulationCode } from '../itu/modulation.js';
import { Class1Modem, HdlcDeframer, ModemError, parseCallerId } from '../modem/index.js';
import { T2_MS, type ImageFrame, type SignalMiss } from '../t30/index.js';
import { Class1Transport, asTransportError } from './class1.js';
import type { AnswerOptions, FaxReceiveTransport } from './receive-transport.js';
import type { ReceivedFrame } from './transport.js';

/** How long to wait for a message-speed carrier: TCF follows DCS after 75 ms; a page follows CFR. */
const TRAINING_CARRIER_MS = 3000;
/**
 * A page's carrier (or an ECM partial page's) after CFR/MCF: the wait is T2 (T.30 §5.4.3, 6 s
 * ± 1 s: its upper end) from our response to the start of the message, plus the training the
 * modem hears before it says CONNECT (V.17 long training, V.27ter at 2400: about 1.5 s).
 * TSB-85 MRGN06b starts the page 5 s after CFR: a 6 s limit from +FRM missed it.
 */
const PAGE_CARRIER_MS = T2_MS + 1500;
/** Between two RINGs: 6 s in most countries; allow for longer cadences. */
const RING_GAP_MS = 15000;

/** Whether a failed +FRM means "not this carrier": silence, or V.21 instead (+FCERROR). */
function signalMiss(e: unknown): SignalMiss | undefined {
  if (!(e instanceof ModemError)) return undefined;
  if (e.kind === 'wrong-carrier') return 'wrong-carrier';
  if (e.kind === 'timeout' || e.kind === 'no-carrier') return 'no-carrier';
  return undefined;
}

export class Class1ReceiveTransport implements FaxReceiveTransport {
  readonly modulations: readonly Modulation[];
  private readonly receiveCodes: ReadonlySet<number> | undefined;
  private readonly frames: Class1Transport;

  /** `receive`: the +FRM=? codes (default: all). Class1ReceiveTransport.probe asks the modem. */
  constructor(
    private readonly modem: Class1Modem,
    codes: { receive?: readonly number[] } = {},
  ) {
    const receive = codes.receive;
    this.receiveCodes = receive ? new Set(receive) : undefined;
    this.modulations = receive ? MODULATIONS.filter((m) => receive.includes(m.code)) : MODULATIONS;
    this.frames = new Class1Transport(modem);
  }

  /** A transport for an open, initialised modem, with what it says it can receive (+FRM=?). */
  static async probe(modem: Class1Modem): Promise<Class1ReceiveTransport> {
    const caps = await modem.capabilities().catch(() => undefined);
    return new Class1ReceiveTransport(modem, {
      receive: caps && caps.receive.length > 0 ? caps.receive : undefined,
    });
  }

  async answer(options: AnswerOptions): Promise<void> {
    const abort = () => this.modem.abort('the reception was cancelled');
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      // Cancelled before this wait began (while the modem was probed): an abort event that
      // already fired would never end the wait for a RING below.
      if (options.signal?.aborted) throw new ModemError('cancelled', 'the reception was cancelled');
      if (!options.now) {
        const rings = Math.max(1, options.rings ?? 1);
        let lines: string[] = [];
        let ignoring = false;
        for (let heard = 0; heard < rings || ignoring;) {
          // The first RING may be long in coming; once ringing, a gap means the caller gave up.
          const wait = heard === 0 ? 24 * 3600 * 1000 : RING_GAP_MS;
          try {
            const before = await this.modem.waitForRing(wait);
            heard++;
            if (ignoring) continue;
            lines = lines.concat(before);
            const verdict = options.onRing?.({
              count: heard,
              callerId: parseCallerId(lines),
              answering: heard >= rings,
            });
            if (verdict === 'ignore') ignoring = true;
          } catch (e) {
            if (e instanceof ModemError && e.kind === 'timeout' && heard > 0) {
              heard = 0;
              ignoring = false;
              lines = [];
            } else throw e;
          }
        }
      }
      await this.modem.answer();
    } catch (e) {
      throw asTransportError(e, 'answering');
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  sendFrames(frames: Uint8Array[]): Promise<void> {
    return this.frames.sendFrames(frames);
  }

  receiveFrame(timeoutMs: number): Promise<ReceivedFrame | null> {
    return this.frames.receiveFrame(timeoutMs);
  }

  /** +FTS=n (T.31 §8.3.1). */
  silence(ms: number): Promise<void> {
    return this.frames.silence(ms);
  }

  /** +FRS=n (T.31 §8.3.1); a modem that does not know it waits the time instead. */
  async awaitSilence(ms: number): Promise<void> {
    const units = Math.max(1, Math.round(ms / 10));
    await this.modem.receiveSilence(units, { timeoutMs: 3000 }).catch(async (e: unknown) => {
      if (e instanceof ModemError && (e.kind === 'error' || e.kind === 'unexpected-response'))
        return new Promise((r) => setTimeout(r, ms));
      throw asTransportError(e, 'waiting for silence');
    });
  }

  async receiveTraining(modulation: Modulation, durationMs: number): Promise<Uint8Array | SignalMiss> {
    try {
      const got = await this.modem.receiveData(modulation.code, {
        timeoutMs: TRAINING_CARRIER_MS,
        // The carrier ends with the TCF; a modem that keeps it up is cut off well after.
        maxDurationMs: durationMs + 2000,
      });
      return got.data;
    } catch (e) {
      const miss = signalMiss(e);
      if (miss) return miss;
      throw asTransportError(e, 'receiving TCF');
    }
  }

  async receiveImage(
    modulation: Modulation,
    shortTraining: boolean,
    onData: (chunk: Uint8Array) => void,
  ): Promise<'ended' | SignalMiss> {
    try {
      // DLE ETX ends the data: the carrier dropped, after RTC or mid-page (a lost carrier).
      await this.modem.receiveData(this.messageCode(modulation, shortTraining), {
        timeoutMs: PAGE_CARRIER_MS,
        onData,
      });
      return 'ended';
    } catch (e) {
      const miss = signalMiss(e);
      if (miss) return miss;
      throw asTransportError(e, 'receiving page data');
    }
  }

  async receiveImageFrames(
    modulation: Modulation,
    shortTraining: boolean,
  ): Promise<ImageFrame[] | SignalMiss> {
    const deframer = new HdlcDeframer(300);
    const frames: ImageFrame[] = [];
    try {
      await this.modem.receiveData(this.messageCode(modulation, shortTraining), {
        timeoutMs: PAGE_CARRIER_MS,
        onData: (chunk) => frames.push(...deframer.push(chunk)),
      });
      return frames;
    } catch (e) {
      const miss = signalMiss(e);
      if (miss) return miss;
      throw asTransportError(e, 'receiving ECM frames');
    }
  }

  /** The +FRM code: V.17 with short training when asked and the modem lists it (T.31 Table 3). */
  private messageCode(modulation: Modulation, shortTraining: boolean): ModulationCode {
    const short = shortTraining ? modulation.shortTrainingCode : undefined;
    const usable = short !== undefined && (this.receiveCodes?.has(short) ?? true);
    return usable ? short : modulation.code;
  }

  hangup(): Promise<void> {
    return this.frames.hangup();
  }
}
