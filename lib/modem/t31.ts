/**
 * The T.31 §8.3 exchanges of a Class 1 call on an AtChannel: HDLC frames (+FTH/+FRH), message
 * data (+FTM/+FRM) and silences (+FTS/+FRS). Class1Modem wraps them in its one-at-a-time queue.
 */
import { concatBytes as concat } from '../itu/bytes.js';
import type { AtChannel, AtResponse } from './at-channel.js';
import type { ResultCode } from './at-parser.js';
import { dleFrame, dleShield, DLE_ETX } from './dle.js';
import { ModemError, type ModemErrorKind } from './errors.js';
import { HDLC_ADDRESS, HDLC_CONTROL, HDLC_CONTROL_FINAL } from '../itu/hdlc.js';
import { LineBacklog, LINE_MARGIN_MS } from './line-backlog.js';
import {
  bitRateOfCode,
  isModulationCode,
  V21_BIT_RATE,
  V21_HDLC,
  type HdlcModulationCode,
  type ModulationCode,
} from '../itu/modulation.js';
import { hasValidFcs } from './hdlc.js';

export interface ReceiveDataOptions {
  /** How long to wait for the carrier (CONNECT). Default 3000 ms. */
  timeoutMs?: number;
  /** Stop (abort the receive) after this long once data started, e.g. for TCF. */
  maxDurationMs?: number;
  /** Called with each chunk; when given, the result's data stays empty. */
  onData?: (chunk: Uint8Array) => void;
  signal?: AbortSignal;
}

export interface ReceivedData {
  data: Uint8Array;
  /** 'carrier-lost': the sender stopped (DLE ETX); 'stopped': we aborted (maxDurationMs, signal). */
  endedBy: 'carrier-lost' | 'stopped';
}

/** Chunks written during +FTM: small, so that after XOFF little is still in flight. */
const TX_CHUNK = 256;

const RESULT_KIND: Partial<Record<ResultCode, ModemErrorKind>> = {
  ERROR: 'error',
  BUSY: 'busy',
  'NO CARRIER': 'no-carrier',
  'NO DIALTONE': 'no-dial-tone',
  'NO ANSWER': 'no-answer',
  '+FCERROR': 'wrong-carrier',
  DELAYED: 'dial-restricted',
  BLACKLISTED: 'dial-restricted',
};

/** A result code other than the expected one, as a typed error. */
export function resultError(r: AtResponse, command: string, expected: ResultCode): ModemError {
  const kind = RESULT_KIND[r.code] ?? 'unexpected-response';
  return new ModemError(kind, `AT${command}: modem answered ${r.text}, expected ${expected}`, {
    command,
    response: [...r.lines, r.text],
  });
}

export interface T31SessionOptions {
  /** Wait for each chunk to leave the port (XON/XOFF done in software). */
  drainChunks?: boolean;
  /** Added to the line time of every wait while transmitting (default LINE_MARGIN_MS). */
  lineMarginMs?: number;
  /** Milliseconds on a monotonic clock (default performance.now). */
  clock?: () => number;
}

export class T31Session {
  /** Between CONNECT of +FTH/+FTM and its final result: the DCE takes our octets as data. */
  transmitting = false;
  /** What the current (or last) transmission still has queued ahead of the line. */
  private backlog?: LineBacklog;
  private readonly drainChunks: boolean;
  private readonly lineMarginMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly at: AtChannel,
    options: T31SessionOptions = {},
  ) {
    this.drainChunks = options.drainChunks ?? false;
    this.lineMarginMs = options.lineMarginMs ?? LINE_MARGIN_MS;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** A command whose CONNECT starts received data (+FRH, +FRM, ATD); on timeout the receive is aborted. */
  async receiveCommand(cmd: string, timeoutMs: number, hdlc = false): Promise<AtResponse> {
    this.at.resetData();
    try {
      return await this.at.command(cmd, { timeoutMs, dataOnConnect: hdlc ? 'hdlc' : true });
    } catch (e) {
      // A dial or a wait for carrier still runs in the DCE: any character ends it (V.250 §6.3.1).
      if (e instanceof ModemError && (e.kind === 'timeout' || e.kind === 'cancelled'))
        await this.abortReceive(cmd);
      throw e;
    }
  }

  /**
   * T.31 §8.3.5 +FRH=<mod>: one frame (FCS removed). `connected`: CONNECT came already (after
   * ATD), so no command is sent. `modulation` 3 is V.21; others are ECM at message speed.
   */
  async receiveFrame(
    connected: boolean,
    timeoutMs: number,
    modulation: HdlcModulationCode = V21_HDLC,
  ): Promise<Uint8Array> {
    checkHdlcModulation(modulation);
    const cmd = `+FRH=${modulation}`;
    if (!connected) {
      const start = this.clock();
      let r = await this.receiveCommand(cmd, timeoutMs, true);
      // OK (no CONNECT) answers an aborted receive, not +FRH: the DCE was still in its delivery
      // state and took our command's first character as the DTE's abort (T.31 §8.3.5: any
      // character ends a receive; the DCE returns OK). spandsp's T.31 stays there after it hands
      // over a frame it had buffered before the +FRH came (the ERROR of the garbage at the end of
      // a carrier, TSB-85 MTGX23), until its next frame. The DCE is now in command state and
      // received nothing for us: the +FRH was never executed, so it is given again, once.
      if (r.code === 'OK') {
        const left = Math.max(1, timeoutMs - (this.clock() - start));
        r = await this.receiveCommand(cmd, left, true);
      }
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
    }
    // The flags before a frame last 1 s ± 15 % (T.30 §5.3.1): without a first octet 3 s after
    // CONNECT no response is coming. A frame's octets arrive every 27 ms at 300 bit/s, so a
    // pause of 1.5 s within one means it was cut off (the far end dropped its carrier mid-frame
    // and the modem said nothing). Either way the receive is abandoned, so the command can go
    // again in time, or the wait for DIS can start a fresh +FRH (TSB-85 MTGX19, MTGX21,
    // MTGX22). Waiting for DIS (a timeout beyond T4) the first frame may be a long NSF, and a
    // modem may pass a frame on only once it is whole: 5 s there.
    const firstOctetMs = timeoutMs > 3000 ? 5000 : 3000;
    const { data } = await this.readUntilEnd(firstOctetMs, 10000, undefined, undefined, 1500);
    const r = await this.at.waitResult(3000, cmd);
    if (r.code === 'ERROR') {
      throw new ModemError('bad-frame', 'received an HDLC frame with a bad FCS', {
        frame: data,
        command: cmd,
      });
    }
    if (r.code !== 'OK') throw resultError(r, cmd, 'OK');
    // Most modems (and spandsp's T.31) pass the two FCS octets on; drop them when they check.
    const frame = data.length >= 5 && hasValidFcs(data) ? data.slice(0, -2) : data;
    if (frame.length < 3)
      throw new ModemError('bad-frame', `HDLC frame too short (${frame.length} octets)`, { frame });
    return frame;
  }

  /**
   * T.31 §8.3.4 +FTH=3: V.21 frames in one transmission, CONNECT after each non-final frame;
   * the last frame carries the final bit (control 0x13) and the modem answers OK. (ECM frames at
   * message speed go out as +FTM data, framed by hdlcBitStream.) `connected`: the modem sends
   * flags already (ATA).
   */
  async sendFrames(frames: Uint8Array[], connected: boolean, timeoutMs: number): Promise<void> {
    checkFrames(frames);
    const cmd = `+FTH=${V21_HDLC}`;
    if (!connected) {
      const r = await this.at.command(cmd, { timeoutMs });
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
    }
    this.transmitting = true;
    const backlog = this.startTransmit(V21_BIT_RATE);
    const blocks = frames.map(dleFrame);
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      await this.writeTimed(backlog, block);
      // The frame with its FCS and flag counts in the backlog as 4 octets more (T.30 §5.3.7).
      backlog.accepted(4);
      const expected: ResultCode = i === blocks.length - 1 ? 'OK' : 'CONNECT';
      // The modem answers once the frame is on the line (T.31 §8.3.4).
      let r = await this.lineTimed(backlog, 0, (ms) => this.at.waitResult(ms, cmd));
      // CONNECT where OK is due: a DCE whose flags ran out before our frame arrived asks for
      // more (spandsp's T.31 does, when the host is late); the final frame is out, OK follows.
      for (let extra = 0; expected === 'OK' && r.code === 'CONNECT' && extra < 2; extra++)
        r = await this.lineTimed(backlog, 0, (ms) => this.at.waitResult(ms, cmd));
      if (r.code !== expected) {
        this.transmitting = false;
        throw resultError(r, cmd, expected);
      }
    }
    this.transmitting = false;
  }

  /**
   * T.31 §8.3.3: CONNECT, shielded data paced by XON/XOFF (or CTS), DLE ETX, OK. Chunks are
   * written 256 octets at a time, or each in one piece with `wholeChunks`: a modem that runs
   * out of data sends fill there, so the caller decides where that may happen (hdlcBitStream).
   */
  async sendData(
    modulation: ModulationCode,
    data: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    timeoutMs: number,
    wholeChunks = false,
  ): Promise<void> {
    checkModulation(modulation);
    const cmd = `+FTM=${modulation}`;
    const r = await this.at.command(cmd, { timeoutMs });
    if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
    this.transmitting = true;
    const backlog = this.startTransmit(bitRateOfCode(modulation));
    const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      data instanceof Uint8Array ? [data] : data;
    try {
      for await (const chunk of source) {
        const step = wholeChunks ? Math.max(1, chunk.length) : TX_CHUNK;
        for (let o = 0; o < chunk.length; o += step) {
          const early = this.at.peekResult();
          if (early) {
            // The DCE left data state on its own (ERROR, NO CARRIER): it is in command state.
            this.transmitting = false;
            throw resultError(early, cmd, 'OK');
          }
          await this.writeTimed(backlog, dleShield(chunk.subarray(o, o + step)));
          if (this.drainChunks) await this.lineTimed(backlog, 0, (ms) => this.at.drain(ms));
        }
      }
    } catch (e) {
      // A failing page source is not the modem's fault: end the data cleanly, rethrow its error.
      if (!(e instanceof ModemError)) await this.finishTransmit(modulation, backlog).catch(() => undefined);
      throw e;
    }
    await this.finishTransmit(modulation, backlog);
  }

  /** T.31 §8.3.2: CONNECT, data up to DLE ETX (carrier lost), then NO CARRIER or OK. */
  async receiveData(modulation: ModulationCode, options: ReceiveDataOptions): Promise<ReceivedData> {
    checkModulation(modulation);
    const cmd = `+FRM=${modulation}`;
    const timeoutMs = options.timeoutMs ?? 3000;
    const start = this.clock();
    let r = await this.receiveCommand(cmd, timeoutMs);
    // OK answers an aborted receive, not +FRM, as for +FRH above: the DCE was still delivering
    // the frame before (the DCS before TCF) and took the command's first character as the abort.
    // The +FRM was never executed; it is given again, once (seen 1 call in 20 under load).
    if (r.code === 'OK') {
      const left = Math.max(1, timeoutMs - (this.clock() - start));
      r = await this.receiveCommand(cmd, left);
    }
    if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
    const got = await this.readUntilEnd(10000, options.maxDurationMs, options.onData, options.signal);
    if (got.stopped) {
      await this.abortReceive(cmd);
      return { data: got.data, endedBy: 'stopped' };
    }
    const end = await this.at.waitResult(3000, cmd).catch((e: unknown) => e);
    if (end instanceof ModemError && end.kind === 'device-gone') throw end;
    return { data: got.data, endedBy: 'carrier-lost' };
  }

  /** T.31 §8.3.1 +FTS=n: stop transmitting, silence for n × 10 ms. */
  async sendSilence(units10ms: number): Promise<void> {
    checkSilence(units10ms);
    const cmd = `+FTS=${units10ms}`;
    const r = await this.at.command(cmd, { timeoutMs: units10ms * 10 + 3000 });
    if (r.code !== 'OK') throw resultError(r, cmd, 'OK');
  }

  /** T.31 §8.3.1 +FRS=n: wait for n × 10 ms of silence; aborted after timeoutMs. */
  async receiveSilence(units10ms: number, timeoutMs: number): Promise<void> {
    checkSilence(units10ms);
    const cmd = `+FRS=${units10ms}`;
    const r = await this.at
      .command(cmd, { timeoutMs: Math.max(timeoutMs, units10ms * 10 + 3000) })
      .catch(async (e: unknown) => {
        if (e instanceof ModemError && e.kind === 'timeout') await this.abortReceive(cmd);
        throw e;
      });
    if (r.code !== 'OK') throw resultError(r, cmd, 'OK');
  }

  /** Brings the DCE back to command state from any data state (before ATH). */
  async leaveDataState(): Promise<void> {
    if (this.at.parser.inDataMode) await this.abortReceive();
    if (this.transmitting) {
      this.transmitting = false;
      await this.at.write(DLE_ETX).catch(() => undefined);
      // The modem says OK only once what it holds is on the line (T.31 §8.3.3).
      await this.at.waitResult(this.backlog?.timeoutMs() ?? 3000).catch(() => undefined);
    }
  }

  /** A transmission starts: its backlog, at the modulation's bit rate. */
  private startTransmit(bitRate: number): LineBacklog {
    this.backlog = new LineBacklog(bitRate, this.clock, this.lineMarginMs);
    return this.backlog;
  }

  /**
   * One write during a transmission: wait for XON, then for the port to accept the octets, each
   * for as long as the line needs for what is queued ahead of them (line-backlog.ts).
   */
  private async writeTimed(backlog: LineBacklog, octets: Uint8Array): Promise<void> {
    await this.lineTimed(backlog, octets.length, (ms) => this.at.waitWritable(ms));
    await this.lineTimed(backlog, octets.length, (ms) => this.at.write(octets, ms));
    backlog.accepted(octets.length);
  }

  /** Runs a wait bounded by the backlog's line time; a timeout says what was queued. */
  private async lineTimed<T>(
    backlog: LineBacklog,
    pendingOctets: number,
    wait: (timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = backlog.timeoutMs(pendingOctets);
    const queued = backlog.describe();
    try {
      return await wait(timeoutMs);
    } catch (e) {
      if (!(e instanceof ModemError) || e.kind !== 'timeout') throw e;
      throw new ModemError(
        'timeout',
        `${e.message} (the line's time for ${queued}${pendingOctets ? ` and ${pendingOctets} being written` : ''}, plus ${backlog.marginMs} ms)`,
        { command: e.command, response: e.response, cause: e },
      );
    }
  }

  /** Any character aborts a receive (T.31 §8.3.2, §8.3.5); the DCE then answers OK. */
  private async abortReceive(cmd?: string): Promise<void> {
    await this.at.abortReceive().catch(() => undefined);
    await this.at.waitResult(2000, cmd).catch(() => undefined);
  }

  /** Reads received data up to DLE ETX; `stopped` when maxDurationMs or the signal ended it. */
  private async readUntilEnd(
    idleTimeoutMs: number,
    maxDurationMs?: number,
    onData?: (chunk: Uint8Array) => void,
    signal?: AbortSignal,
    gapTimeoutMs = idleTimeoutMs,
  ): Promise<{ data: Uint8Array; stopped: boolean }> {
    const parts: Uint8Array[] = [];
    const deadline = maxDurationMs === undefined ? Infinity : Date.now() + maxDurationMs;
    let lastData = Date.now();
    let received = false;
    for (;;) {
      const now = Date.now();
      // Before the first octet idleTimeoutMs, between octets gapTimeoutMs.
      const idle = received ? gapTimeoutMs : idleTimeoutMs;
      if (signal?.aborted || now >= deadline) return { data: concat(parts), stopped: true };
      // With a signal, wake up now and then to notice it.
      const wait = Math.min(idle - (now - lastData), deadline - now, signal ? 200 : Infinity);
      let chunk: Uint8Array | null;
      try {
        chunk = await this.at.readData(Math.max(1, wait));
      } catch (e) {
        if (!(e instanceof ModemError) || e.kind !== 'timeout') throw e;
        if (signal?.aborted || Date.now() >= deadline) return { data: concat(parts), stopped: true };
        if (Date.now() - lastData < idle) continue;
        await this.abortReceive();
        throw e;
      }
      if (chunk === null) return { data: concat(parts), stopped: false };
      lastData = Date.now();
      received = true;
      if (onData) onData(chunk);
      else parts.push(chunk);
    }
  }

  /** DLE ETX, then OK once everything queued is on the line (T.31 §8.3.3). */
  private async finishTransmit(modulation: ModulationCode, backlog: LineBacklog): Promise<void> {
    await this.writeTimed(backlog, DLE_ETX);
    const r = await this.lineTimed(backlog, 0, (ms) => this.at.waitResult(ms, `+FTM=${modulation}`));
    this.transmitting = false;
    if (r.code !== 'OK') throw resultError(r, `+FTM=${modulation}`, 'OK');
  }
}

function checkFrames(frames: Uint8Array[]): void {
  if (frames.length === 0) throw new ModemError('invalid-argument', 'no HDLC frame to send');
  frames.forEach((f, i) => {
    const last = i === frames.length - 1;
    const control = last ? HDLC_CONTROL_FINAL : HDLC_CONTROL;
    if (f.length < 3 || f[0] !== HDLC_ADDRESS || f[1] !== control) {
      throw new ModemError(
        'invalid-argument',
        `HDLC frame ${i + 1}/${frames.length} must start FF ${control.toString(16).padStart(2, '0')} and hold an FCF`,
      );
    }
  });
}

function checkHdlcModulation(m: number): void {
  if (m !== V21_HDLC && !isModulationCode(m))
    throw new ModemError('invalid-argument', `not a T.31 HDLC modulation: ${m}`);
}

function checkModulation(m: number): void {
  if (!isModulationCode(m)) throw new ModemError('invalid-argument', `not a T.31 modulation: ${m}`);
}

function checkSilence(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new ModemError('invalid-argument', `silence must be 0…255 × 10 ms, not ${n}`);
  }
}
