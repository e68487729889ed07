/**
 * ITU-T T.31 / EIA-578 Class 1 fax modem driver. It executes what the T.30 core asks for (send
 * these HDLC frames, receive a frame, send or receive message data at a modulation, silences) and
 * reports every failure as a ModemError. Operations run one at a time, in call order.
 */
import { AtChannel, type AtResponse, type AtTrace, type SerialPortLike } from './at-channel.js';
import type { ResultCode } from './at-parser.js';
import { dleFrame, dleShield, DLE_ETX } from './dle.js';
import { ModemError, type ModemErrorKind } from './errors.js';
import { HDLC_ADDRESS, HDLC_CONTROL, HDLC_CONTROL_FINAL, hasValidFcs } from './hdlc.js';
import {
  infoText,
  parseList,
  parseModulations,
  type Class1Capabilities,
  type ModemIdentity,
} from './identify.js';
import { isModulation, MODULATIONS, V21_BIT_RATE, type Modulation } from './modulation.js';
import {
  closePort,
  defaultPortFactory,
  openPort,
  pulseDtr,
  type FlowControl,
  type PortFactory,
} from './port.js';
import { acquireUucpLock, type UucpLock } from './uucp-lock.js';

export interface Class1OpenOptions {
  /** DTE rate; Class 1 needs more than 14400 bit/s. Default 19200. */
  baudRate?: number;
  /** Default 'xonxoff' (V.250 +IFC=1,1), done by the driver; 'rtscts' is done by the kernel. */
  flowControl?: FlowControl;
  /** Take the UUCP lock (default true). */
  lock?: boolean;
  /** UUCP lock directory (default $LPFAX_LOCK_DIR or /var/lock). */
  lockDir?: string;
  portFactory?: PortFactory;
  /** Timeout of ordinary commands (default 3000 ms). */
  commandTimeoutMs?: number;
  trace?: AtTrace;
}

export interface InitOptions {
  /** Extra commands (without "AT") sent after the standard ones, each must answer OK. */
  extraCommands?: string[];
}

export interface DialOptions {
  /** ATDP instead of ATDT. */
  pulse?: boolean;
  /** From ATD to CONNECT (default 90 s). */
  timeoutMs?: number;
}

export interface ReceiveOptions {
  /** How long to wait for the carrier (CONNECT). Default 3000 ms (T.30 T2 is 6 s, T4 3 s). */
  timeoutMs?: number;
}

export interface ReceiveDataOptions extends ReceiveOptions {
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
const XOFF_TIMEOUT_MS = 30000;
const DIAL_STRING = /^[0-9*#,ABCDWw@!]+$/;

const RESULT_KIND: Partial<Record<ResultCode, ModemErrorKind>> = {
  ERROR: 'error',
  BUSY: 'busy',
  'NO CARRIER': 'no-carrier',
  'NO DIALTONE': 'no-dialtone',
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

export class Class1Modem {
  readonly channel: AtChannel;
  /** After ATD's CONNECT the modem is already receiving V.21 HDLC; after ATA, sending it. */
  private pendingHdlc: 'rx' | 'tx' | undefined;
  /** Set between CONNECT of +FTH/+FTM and its final result: hang-up must close the data first. */
  private transmitting = false;
  private ops: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly port: SerialPortLike,
    private readonly lock: UucpLock | undefined,
    private readonly options: Class1OpenOptions,
  ) {
    this.channel = new AtChannel(port, options.commandTimeoutMs ?? 3000, options.trace);
  }

  /** Locks (UUCP) and opens the device. Fails with 'locked', 'open-failed', 'lock-failed', 'timeout'. */
  static async open(path: string, options: Class1OpenOptions = {}): Promise<Class1Modem> {
    const lock =
      options.lock === false ? undefined : await acquireUucpLock(path, { lockDir: options.lockDir });
    try {
      const factory = options.portFactory ?? defaultPortFactory;
      let port: SerialPortLike;
      try {
        port = factory({
          path,
          baudRate: options.baudRate ?? 19200,
          flowControl: options.flowControl ?? 'xonxoff',
        });
      } catch (e) {
        throw new ModemError('open-failed', `cannot open ${path}: ${e instanceof Error ? e.message : e}`, {
          cause: e,
        });
      }
      const modem = new Class1Modem(path, port, lock, options);
      try {
        await openPort(port, path, 5000);
      } catch (e) {
        await closePort(port);
        throw e;
      }
      return modem;
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  /**
   * Brings the modem to a known state: wakes it (AT, then DLE ETX and +++ if it is stuck in data
   * state), ATZ, echo off and verbose results (E0 V1 Q0), hang-up on DTR drop (&D2), Class 1
   * (+FCLASS=1), flow control (+IFC). 'no-response' when nothing answers.
   */
  init(options: InitOptions = {}): Promise<void> {
    return this.op(async () => {
      if (!(await this.wake())) throw new ModemError('no-response', `${this.path}: no answer to AT`);
      await this.expectOk('Z', 5000);
      const e0 = await this.channel.command('E0V1Q0');
      if (e0.code !== 'OK') {
        await this.expectOk('E0');
        await this.expectOk('V1');
      }
      await this.channel.command('&D2'); // Optional: not every modem knows it.
      await this.expectOk('+FCLASS=1');
      const flow = this.options.flowControl ?? 'xonxoff';
      if (flow !== 'none') await this.channel.command(flow === 'rtscts' ? '+IFC=2,2' : '+IFC=1,1');
      for (const cmd of options.extraCommands ?? []) await this.expectOk(cmd.replace(/^AT/i, ''));
    });
  }

  /** Manufacturer, model, revision (+GMI/+GMM/+GMR, else +FMI/+FMM/+FMR) and the ATI text. */
  identify(): Promise<ModemIdentity> {
    return this.op(async () => {
      const ask = async (...cmds: string[]): Promise<string | undefined> => {
        for (const cmd of cmds) {
          const r = await this.channel.command(cmd);
          if (r.code === 'OK' && infoText(r.lines)) return infoText(r.lines);
        }
        return undefined;
      };
      const ati = await this.channel.command('I');
      return {
        manufacturer: await ask('+GMI', '+FMI'),
        model: await ask('+GMM', '+FMM'),
        revision: await ask('+GMR', '+FMR'),
        ati: ati.code === 'OK' ? ati.lines : [],
      };
    });
  }

  /** Service classes (+FCLASS=?) and Class 1 modulations (+FTM=?, +FRM=?). */
  capabilities(): Promise<Class1Capabilities> {
    return this.op(async () => {
      const classes = parseList((await this.expectOk('+FCLASS=?')).lines);
      const tx = await this.channel.command('+FTM=?');
      const rx = await this.channel.command('+FRM=?');
      return {
        classes,
        transmit: tx.code === 'OK' ? parseModulations(tx.lines) : [],
        receive: rx.code === 'OK' ? parseModulations(rx.lines) : [],
      };
    });
  }

  /**
   * Dials (ATDT, or ATDP with `pulse`) and resolves at CONNECT: in Class 1 the modem has then
   * heard the called side's V.21 flags and is receiving HDLC, so the next receiveFrame() reads
   * the first frame without +FRH. BUSY, NO ANSWER, NO DIALTONE, NO CARRIER … are typed errors.
   */
  dial(dialString: string, options: DialOptions = {}): Promise<void> {
    return this.op(async () => {
      const digits = dialString.replace(/[\s\-().]/g, '');
      if (!DIAL_STRING.test(digits)) {
        throw new ModemError('invalid-argument', `not a dial string: ${JSON.stringify(dialString)}`);
      }
      const cmd = `D${options.pulse ? 'P' : 'T'}${digits}`;
      const r = await this.receiveCommand(cmd, options.timeoutMs ?? 90000);
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
      this.pendingHdlc = 'rx';
    });
  }

  /** Answers (ATA); at CONNECT the modem sends V.21 flags, so sendFrames() needs no +FTH. */
  answer(options: ReceiveOptions = {}): Promise<void> {
    return this.op(async () => {
      const r = await this.channel.command('A', { timeoutMs: options.timeoutMs ?? 40000 });
      if (r.code !== 'CONNECT') throw resultError(r, 'A', 'CONNECT');
      this.pendingHdlc = 'tx';
    });
  }

  /**
   * Receives one HDLC frame (AT+FRH=3, T.31 §8.3.5), returned without FCS. A frame the modem
   * rejects (ERROR after DLE ETX) is a 'bad-frame' error carrying the octets; no carrier within
   * timeoutMs is 'timeout'; a high-speed carrier is 'wrong-carrier' (+FCERROR).
   */
  receiveFrame(options: ReceiveOptions = {}): Promise<Uint8Array> {
    return this.op(async () => {
      if (this.pendingHdlc === 'rx') this.pendingHdlc = undefined;
      else {
        this.pendingHdlc = undefined;
        const r = await this.receiveCommand('+FRH=3', options.timeoutMs ?? 3000);
        if (r.code !== 'CONNECT') throw resultError(r, '+FRH=3', 'CONNECT');
      }
      // T.30 §5.3.1: a frame lasts at most 3 s at 300 bit/s (plus margin).
      const { data } = await this.readUntilEnd(5000, 10000);
      const r = await this.channel.waitResult(3000, '+FRH=3');
      if (r.code === 'ERROR') {
        throw new ModemError('bad-frame', 'received an HDLC frame with a bad FCS', {
          frame: data,
          command: '+FRH=3',
        });
      }
      if (r.code !== 'OK') throw resultError(r, '+FRH=3', 'OK');
      // Most modems (and spandsp's T.31) pass the two FCS octets on; drop them when they check.
      const frame = data.length >= 5 && hasValidFcs(data) ? data.slice(0, -2) : data;
      if (frame.length < 3)
        throw new ModemError('bad-frame', `HDLC frame too short (${frame.length} octets)`, { frame });
      return frame;
    });
  }

  /**
   * Sends HDLC frames in one V.21 transmission (AT+FTH=3, T.31 §8.3.4). Each frame is address
   * 0xFF, control 0x03, FCF …; the last one has control 0x13 (final, T.30 §5.3.5). Between frames
   * the modem answers CONNECT; after the final one OK, and its carrier is off.
   */
  sendFrames(frames: Uint8Array[], options: { timeoutMs?: number } = {}): Promise<void> {
    return this.op(async () => {
      checkFrames(frames);
      if (this.pendingHdlc === 'tx') this.pendingHdlc = undefined;
      else {
        this.pendingHdlc = undefined;
        const r = await this.channel.command('+FTH=3', { timeoutMs: options.timeoutMs ?? 5000 });
        if (r.code !== 'CONNECT') throw resultError(r, '+FTH=3', 'CONNECT');
      }
      this.transmitting = true;
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!;
        await this.channel.write(dleFrame(frame));
        const expected: ResultCode = i === frames.length - 1 ? 'OK' : 'CONNECT';
        // Transmission time at 300 bit/s (with FCS and flags), plus the modem's own margin.
        const r = await this.channel.waitResult(
          ((frame.length + 4) * 8 * 1000) / V21_BIT_RATE + 5000,
          '+FTH=3',
        );
        if (r.code !== expected) {
          this.transmitting = false;
          throw resultError(r, '+FTH=3', expected);
        }
      }
      this.transmitting = false;
    });
  }

  /**
   * Sends message data (TCF or page) at a modulation (AT+FTM=<mod>, T.31 §8.3.3): CONNECT,
   * the data DLE-shielded and paced by XON/XOFF (or CTS), DLE ETX, then OK once the modem has
   * sent it all. The data is already in line bit order. An error thrown by the data source is
   * rethrown unchanged after the modem is brought back to command state.
   */
  sendData(
    modulation: Modulation,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    return this.op(async () => {
      if (!isModulation(modulation))
        throw new ModemError('invalid-argument', `not a T.31 modulation: ${modulation}`);
      this.pendingHdlc = undefined;
      const cmd = `+FTM=${modulation}`;
      const r = await this.channel.command(cmd, { timeoutMs: options.timeoutMs ?? 10000 });
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
      this.transmitting = true;
      const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
        data instanceof Uint8Array ? [data] : data;
      try {
        for await (const chunk of source) {
          for (let o = 0; o < chunk.length; o += TX_CHUNK) {
            const early = this.channel.peekResult();
            if (early) throw resultError(early, cmd, 'OK');
            await this.channel.waitWritable(XOFF_TIMEOUT_MS);
            await this.channel.write(dleShield(chunk.subarray(o, o + TX_CHUNK)), XOFF_TIMEOUT_MS);
          }
        }
      } catch (e) {
        if (!(e instanceof ModemError)) await this.finishTransmit(modulation).catch(() => undefined);
        this.transmitting = false;
        throw e;
      }
      await this.finishTransmit(modulation);
    });
  }

  /**
   * Receives message data (AT+FRM=<mod>, T.31 §8.3.2) until the carrier drops (DLE ETX, then
   * NO CARRIER or OK), or until maxDurationMs / signal, when the receive is aborted.
   * +FCERROR ('wrong-carrier'): the far end is sending V.21 instead; call receiveFrame().
   */
  receiveData(modulation: Modulation, options: ReceiveDataOptions = {}): Promise<ReceivedData> {
    return this.op(async () => {
      if (!isModulation(modulation))
        throw new ModemError('invalid-argument', `not a T.31 modulation: ${modulation}`);
      this.pendingHdlc = undefined;
      const cmd = `+FRM=${modulation}`;
      const r = await this.receiveCommand(cmd, options.timeoutMs ?? 3000);
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
      const got = await this.readUntilEnd(10000, options.maxDurationMs, options.onData, options.signal);
      if (got.stopped) {
        await this.channel.abortReceive();
        await this.channel.waitResult(2000, cmd).catch(() => undefined);
        return { data: got.data, endedBy: 'stopped' };
      }
      const end = await this.channel.waitResult(3000, cmd).catch((e: unknown) => e);
      if (end instanceof ModemError && end.kind === 'device-gone') throw end;
      return { data: got.data, endedBy: 'carrier-lost' };
    });
  }

  /** Stops transmitting and waits in silence for n × 10 ms (AT+FTS=n, T.31 §8.3.1). */
  sendSilence(units10ms: number): Promise<void> {
    return this.op(async () => {
      checkSilence(units10ms);
      await this.expectOk(`+FTS=${units10ms}`, units10ms * 10 + 3000);
    });
  }

  /** Waits until the line has been silent for n × 10 ms (AT+FRS=n, T.31 §8.3.1). */
  receiveSilence(units10ms: number, options: ReceiveOptions = {}): Promise<void> {
    return this.op(async () => {
      checkSilence(units10ms);
      const cmd = `+FRS=${units10ms}`;
      const timeoutMs = Math.max(options.timeoutMs ?? 0, units10ms * 10 + 3000);
      const r = await this.channel.command(cmd, { timeoutMs }).catch(async (e: unknown) => {
        if (e instanceof ModemError && e.kind === 'timeout') {
          await this.channel.abortReceive().catch(() => undefined);
          await this.channel.waitResult(2000, cmd).catch(() => undefined);
        }
        throw e;
      });
      if (r.code !== 'OK') throw resultError(r, cmd, 'OK');
    });
  }

  /**
   * Hangs up: closes any data state, ATH0; if the modem does not confirm, drops DTR (AT&D2).
   * A port without DTR (a pty) is not an error. Rejects only when the modem cannot be brought
   * back ('no-response'); a port already gone counts as hung up.
   */
  hangup(): Promise<void> {
    return this.op(async () => {
      if (this.channel.gone) return;
      this.pendingHdlc = undefined;
      if (this.channel.parser.inDataMode) await this.channel.abortReceive().catch(() => undefined);
      if (this.transmitting) {
        this.transmitting = false;
        await this.channel.write(DLE_ETX).catch(() => undefined);
        await this.channel.waitResult(3000).catch(() => undefined);
      }
      const h = await this.channel.command('H0', { timeoutMs: 5000 }).catch((e: unknown) => e as ModemError);
      if (!(h instanceof ModemError) && h.code === 'OK') return;
      if (this.channel.gone) return;
      await pulseDtr(this.port, 500);
      if (!(await this.wake())) {
        throw new ModemError('no-response', `${this.path}: no answer after ATH0 and DTR drop`);
      }
    });
  }

  /** Closes the port and removes the lock. Never rejects; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ops.catch(() => undefined);
    await closePort(this.port);
    await this.lock?.release();
  }

  /** Runs operations strictly one after another; a closed or vanished port fails them at once. */
  private op<T>(fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new ModemError('aborted', `${this.path} is closed`);
      if (this.channel.gone) throw this.channel.gone;
      return fn();
    };
    const p = this.ops.then(run, run);
    this.ops = p.catch(() => undefined);
    return p;
  }

  private async expectOk(cmd: string, timeoutMs?: number): Promise<AtResponse> {
    const r = await this.channel.command(cmd, { timeoutMs });
    if (r.code !== 'OK') throw resultError(r, cmd, 'OK');
    return r;
  }

  /** A command whose CONNECT starts received data; on timeout the receive is aborted. */
  private async receiveCommand(cmd: string, timeoutMs: number): Promise<AtResponse> {
    this.channel.resetData();
    try {
      return await this.channel.command(cmd, { timeoutMs, dataOnConnect: true });
    } catch (e) {
      if (e instanceof ModemError && e.kind === 'timeout') {
        await this.channel.abortReceive().catch(() => undefined);
        await this.channel.waitResult(2000, cmd).catch(() => undefined);
      }
      throw e;
    }
  }

  /** Reads received data up to DLE ETX; `stopped` when maxDurationMs or the signal ended it. */
  private async readUntilEnd(
    idleTimeoutMs: number,
    maxDurationMs?: number,
    onData?: (chunk: Uint8Array) => void,
    signal?: AbortSignal,
  ): Promise<{ data: Uint8Array; stopped: boolean }> {
    const parts: Uint8Array[] = [];
    const deadline = maxDurationMs === undefined ? Infinity : Date.now() + maxDurationMs;
    let lastData = Date.now();
    for (;;) {
      const now = Date.now();
      if (signal?.aborted || now >= deadline) return { data: concat(parts), stopped: true };
      // With a signal, wake up now and then to notice it.
      const wait = Math.min(idleTimeoutMs - (now - lastData), deadline - now, signal ? 200 : Infinity);
      let chunk: Uint8Array | null;
      try {
        chunk = await this.channel.readData(Math.max(1, wait));
      } catch (e) {
        if (!(e instanceof ModemError) || e.kind !== 'timeout') throw e;
        if (signal?.aborted || Date.now() >= deadline) return { data: concat(parts), stopped: true };
        if (Date.now() - lastData < idleTimeoutMs) continue;
        await this.channel.abortReceive().catch(() => undefined);
        await this.channel.waitResult(2000).catch(() => undefined);
        throw e;
      }
      if (chunk === null) return { data: concat(parts), stopped: false };
      lastData = Date.now();
      if (onData) onData(chunk);
      else parts.push(chunk);
    }
  }

  /** DLE ETX, then OK once the modem's buffer is on the line (T.31 §8.3.3). */
  private async finishTransmit(modulation: Modulation): Promise<void> {
    await this.channel.write(DLE_ETX);
    // A modem may hold a few kilobytes; at the slowest rate that is tens of seconds.
    const r = await this.channel.waitResult(10000 + (16384 * 8 * 1000) / MODULATIONS[modulation].bitRate);
    this.transmitting = false;
    if (r.code !== 'OK') throw resultError(r, `+FTM=${modulation}`, 'OK');
  }

  private async wake(): Promise<boolean> {
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt === 2) {
        // Maybe stuck in data state: end any transmission, then the +++ escape with guard time.
        await this.channel.write(DLE_ETX).catch(() => undefined);
        await sleep(1100);
        await this.channel.write(Buffer.from('+++', 'latin1')).catch(() => undefined);
        await sleep(1100);
      }
      this.channel.parser.forceLineMode();
      const r = await this.channel.command('', { timeoutMs: 1000 }).catch((e: unknown) => e as ModemError);
      if (this.channel.gone) throw this.channel.gone;
      if (!(r instanceof ModemError) && r.code === 'OK') return true;
    }
    return false;
  }
}

function checkFrames(frames: Uint8Array[]): void {
  if (frames.length === 0) throw new ModemError('invalid-argument', 'no HDLC frame to send');
  frames.forEach((f, i) => {
    const last = i === frames.length - 1;
    if (f.length < 3 || f[0] !== HDLC_ADDRESS || f[1] !== (last ? HDLC_CONTROL_FINAL : HDLC_CONTROL)) {
      throw new ModemError(
        'invalid-argument',
        `HDLC frame ${i + 1}/${frames.length} must start FF ${last ? '13 (final)' : '03'} and hold an FCF`,
      );
    }
  });
}

function checkSilence(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 255)
    throw new ModemError('invalid-argument', `silence must be 0…255 × 10 ms, not ${n}`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
