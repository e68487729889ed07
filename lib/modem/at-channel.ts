/**
 * The AT command channel over a serial port (V.250): one command at a time, each with its own
 * timeout, final result codes collected with their information text, echo and unsolicited lines
 * (RING, noise) kept apart, received data (T.31 §8.3) and XON/XOFF delivered to the driver.
 * Every failure rejects with a ModemError; a port that closes fails whatever is pending.
 */
import { EventEmitter } from 'node:events';
import { AtParser, type AtEvent, type ResultCode } from './at-parser.js';
import { CAN } from './dle.js';
import { ModemError } from './errors.js';

type Callback = (err?: Error | null) => void;

/** The part of a serialport stream (SerialPort, SerialPortStream) the driver uses. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(cb: Callback): void;
  write(data: Buffer, cb: Callback): boolean;
  drain(cb: Callback): void;
  set(options: { dtr?: boolean; rts?: boolean }, cb: Callback): void;
  close(cb: Callback): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', listener: (err?: Error | null) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface AtResponse {
  code: ResultCode;
  /** The final result line as sent (e.g. "CONNECT 14400"). */
  text: string;
  /** Information text lines that preceded it (echo removed). */
  lines: string[];
}

export interface CommandOptions {
  timeoutMs?: number;
  /**
   * The CONNECT this command may produce starts received data (T.31 §8.3.2, §8.3.5). 'hdlc':
   * the data is an HDLC frame, which starts with its address octet, so text before it is a
   * result code after all (a DCE that lost the carrier says NO CARRIER without DLE ETX).
   */
  dataOnConnect?: boolean | 'hdlc';
}

/** Trace of the exchange, for DEBUG logs: '>' sent, '<' received. */
export type AtTrace = (direction: '>' | '<', text: string) => void;

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: ModemError): void;
  timer?: NodeJS.Timeout;
}

const MAX_QUEUED_RESULTS = 16;

export class AtChannel extends EventEmitter {
  readonly parser = new AtParser();
  private results: AtResponse[] = [];
  private info: string[] = [];
  private resultWaiter?: Waiter<AtResponse>;
  private dataChunks: Uint8Array[] = [];
  private dataEnded = false;
  private dataWaiter?: Waiter<Uint8Array | null>;
  private xonWaiter?: Waiter<void>;
  private pendingEcho?: string;
  private queue: Promise<unknown> = Promise.resolve();
  private goneError?: ModemError;
  /** True between XOFF and XON from the DCE. */
  xoff = false;
  /** Port operations not yet called back (see portCall). */
  private readonly pendingCalls = new Set<(error?: ModemError) => void>();
  /** XOFFs received so far (diagnostics: the modem's buffer filled that often). */
  xoffCount = 0;

  constructor(
    private readonly port: SerialPortLike,
    private readonly defaultTimeoutMs = 3000,
    private readonly trace?: AtTrace,
  ) {
    super();
    port.on('data', (chunk) => this.onData(chunk));
    port.on('close', (err) => this.onGone(err ?? undefined));
    port.on('error', (err) => this.onGone(err ?? undefined));
  }

  /** Set once the port has closed or failed. */
  get gone(): ModemError | undefined {
    return this.goneError;
  }

  /**
   * Sends `AT<cmd>` (cmd without CR) and resolves with the final result code, whatever it is:
   * callers decide what an ERROR or NO CARRIER means. Commands queue one behind the other.
   */
  command(cmd: string, options: CommandOptions = {}): Promise<AtResponse> {
    const run = async (): Promise<AtResponse> => {
      // Late results of an earlier, timed-out exchange must not answer this one.
      this.results = [];
      this.info = [];
      this.pendingEcho = cmd.toUpperCase();
      this.parser.armDataOnConnect(options.dataOnConnect ?? false);
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      this.trace?.('>', 'AT' + cmd);
      await this.write(Buffer.from(`AT${cmd}\r`, 'latin1'), timeoutMs);
      return this.waitResult(timeoutMs, cmd);
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Waits for the next final result code without sending anything. */
  waitResult(timeoutMs: number, command?: string): Promise<AtResponse> {
    const queued = this.results.shift();
    if (queued) return Promise.resolve(queued);
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise((resolve, reject) => {
      const w: Waiter<AtResponse> = { resolve, reject };
      w.timer = setTimeout(() => {
        this.resultWaiter = undefined;
        const seen = this.info.length ? ` (saw: ${this.info.join(' | ')})` : '';
        reject(
          new ModemError(
            'timeout',
            `no result from the modem within ${timeoutMs} ms${command ? ` for AT${command}` : ''}${seen}`,
            {
              command,
              response: [...this.info],
            },
          ),
        );
      }, timeoutMs);
      this.resultWaiter = w;
    });
  }

  /**
   * The next chunk of received data, or null once DLE ETX ended it. Rejects with 'timeout' when
   * nothing arrives within timeoutMs.
   */
  readData(timeoutMs: number): Promise<Uint8Array | null> {
    const chunk = this.takeData();
    if (chunk !== undefined) return Promise.resolve(chunk);
    if (this.goneError) return Promise.reject(this.goneError);
    // The receive already ended in a result code (see dataOnConnect 'hdlc').
    if (!this.parser.inDataMode && this.results.some((r) => r.code !== 'CONNECT'))
      return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const w: Waiter<Uint8Array | null> = { resolve, reject };
      w.timer = setTimeout(() => {
        this.dataWaiter = undefined;
        reject(new ModemError('timeout', `no data from the modem within ${timeoutMs} ms`));
      }, timeoutMs);
      this.dataWaiter = w;
    });
  }

  /** Discards received data and data state (before a new receive). */
  resetData(): void {
    this.dataChunks = [];
    this.dataEnded = false;
  }

  /**
   * Aborts a receive in progress: any character sent to the DCE stops it (T.31 §8.3.2 and
   * §8.3.5); whatever it still sends is read as lines so its OK can be awaited.
   */
  async abortReceive(): Promise<void> {
    this.parser.forceLineMode();
    this.results = [];
    this.resetData();
    this.trace?.('>', '<CAN>');
    await this.write(Buffer.of(CAN), this.defaultTimeoutMs);
  }

  /** Writes raw octets; resolves once the port accepted them. */
  write(data: Uint8Array, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.portCall('accept data', 'write', timeoutMs, (done) => this.port.write(bytes, done));
  }

  /**
   * Waits until the port has sent everything written (tcdrain). With XON/XOFF done here, this
   * bounds what is still in the kernel's buffer when an XOFF arrives.
   */
  drain(timeoutMs: number): Promise<void> {
    return this.portCall('drain', 'drain', timeoutMs, (done) => this.port.drain(done));
  }

  /**
   * One port operation that reports by callback (write, drain), bounded by timeoutMs. A port
   * that goes away meanwhile may never call back: the operation then fails at once with the
   * port's device-gone error (onGone).
   */
  private portCall(
    doing: string,
    name: string,
    timeoutMs: number,
    start: (done: (err?: Error | null) => void) => void,
  ): Promise<void> {
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise((resolve, reject) => {
      const finish = (error?: ModemError): void => {
        if (!this.pendingCalls.delete(finish)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.pendingCalls.add(finish);
      const timer = setTimeout(
        () => finish(new ModemError('timeout', `the port did not ${doing} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (err?: Error | null): void =>
        finish(
          err
            ? (this.goneError ??
                new ModemError('device-gone', `${name} failed: ${err.message}`, { cause: err }))
            : undefined,
        );
      try {
        start(done);
      } catch (e) {
        done(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Resolves when the DCE allows sending (after XON); rejects after timeoutMs of XOFF. */
  waitWritable(timeoutMs: number): Promise<void> {
    if (!this.xoff) return Promise.resolve();
    if (this.goneError) return Promise.reject(this.goneError);
    return new Promise((resolve, reject) => {
      const w: Waiter<void> = { resolve, reject };
      w.timer = setTimeout(() => {
        this.xonWaiter = undefined;
        reject(new ModemError('timeout', `the modem held XOFF for ${timeoutMs} ms`));
      }, timeoutMs);
      this.xonWaiter = w;
    });
  }

  /** A final result already received and not yet awaited (during a transmission). */
  peekResult(): AtResponse | undefined {
    return this.results[0];
  }

  private takeData(): Uint8Array | null | undefined {
    if (this.dataChunks.length > 0) {
      const total = this.dataChunks.reduce((n, c) => n + c.length, 0);
      const out = new Uint8Array(total);
      let o = 0;
      for (const c of this.dataChunks) {
        out.set(c, o);
        o += c.length;
      }
      this.dataChunks = [];
      return out;
    }
    if (this.dataEnded) {
      this.dataEnded = false;
      return null;
    }
    return undefined;
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) this.onEvent(ev);
  }

  private onEvent(ev: AtEvent): void {
    switch (ev.type) {
      case 'line':
        if (this.pendingEcho !== undefined && ev.text.toUpperCase() === 'AT' + this.pendingEcho) {
          this.pendingEcho = undefined;
          return;
        }
        this.trace?.('<', ev.text);
        this.info.push(ev.text);
        if (this.info.length > 64) this.info.shift();
        // Also as it comes: between RINGs no command is waiting for it (caller ID, +VCID).
        this.emit('info', ev.text);
        return;
      case 'ring':
        this.trace?.('<', 'RING');
        this.emit('ring');
        return;
      case 'result': {
        this.trace?.('<', ev.text);
        this.pendingEcho = undefined;
        const r: AtResponse = { code: ev.code, text: ev.text, lines: this.info };
        this.info = [];
        // A result that ends a receive with no data end (see dataOnConnect 'hdlc'): the read
        // in progress ends as at DLE ETX, and the result waits for waitResult().
        const reader = this.dataWaiter;
        if (reader && !this.parser.inDataMode && ev.code !== 'CONNECT') {
          this.dataWaiter = undefined;
          clearTimeout(reader.timer);
          this.results.push(r);
          reader.resolve(null);
          return;
        }
        const w = this.resultWaiter;
        if (w) {
          this.resultWaiter = undefined;
          clearTimeout(w.timer);
          w.resolve(r);
        } else if (this.results.length < MAX_QUEUED_RESULTS) this.results.push(r);
        return;
      }
      case 'data':
      case 'data-end': {
        if (ev.type === 'data') {
          this.dataChunks.push(ev.bytes);
          this.trace?.('<', `<${ev.bytes.length} octets: ${hexPreview(ev.bytes)}>`);
        } else {
          this.trace?.('<', '<DLE><ETX>');
          this.dataEnded = true;
        }
        const w = this.dataWaiter;
        if (w) {
          this.dataWaiter = undefined;
          clearTimeout(w.timer);
          w.resolve(this.takeData()!);
        }
        return;
      }
      case 'xoff':
        this.xoff = true;
        this.xoffCount++;
        return;
      case 'xon': {
        this.xoff = false;
        const w = this.xonWaiter;
        if (w) {
          this.xonWaiter = undefined;
          clearTimeout(w.timer);
          w.resolve();
        }
        return;
      }
    }
  }

  /** Rejects whatever is awaited now (a result, data, XON) with `error`; the port stays open. */
  cancel(error: ModemError): void {
    this.rejectWaiters(error);
    this.emit('cancelled', error);
  }

  private rejectWaiters(error: ModemError): void {
    for (const w of [this.resultWaiter, this.dataWaiter, this.xonWaiter]) {
      if (!w) continue;
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.resultWaiter = this.dataWaiter = this.xonWaiter = undefined;
  }

  private onGone(err?: Error): void {
    if (this.goneError) return;
    this.goneError = new ModemError('device-gone', `the modem port closed${err ? `: ${err.message}` : ''}`, {
      cause: err,
    });
    this.rejectWaiters(this.goneError);
    for (const finish of [...this.pendingCalls]) finish(this.goneError);
    this.emit('gone', this.goneError);
  }
}

/** The first octets of received data in hex, for the trace. */
function hexPreview(bytes: Uint8Array, max = 24): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} …` : shown;
}
