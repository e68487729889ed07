/**
 * ITU-T T.31 / EIA-578 Class 1 fax modem driver. It executes what the T.30 core asks for (send
 * these HDLC frames, receive a frame, send or receive message data at a modulation, silences) and
 * reports every failure as a ModemError. Operations run one at a time, in call order.
 */
import { AtChannel, type AtResponse, type AtTrace, type SerialPortLike } from './at-channel.js';
import { DLE_ETX } from './dle.js';
import { ModemError } from './errors.js';
import {
  infoText,
  parseHdlcModulations,
  parseList,
  parseModulations,
  type Class1Capabilities,
  type ModemIdentity,
} from './identify.js';
import { isDialString } from '../itu/dial-string.js';
import type { HdlcModulationCode, ModulationCode } from '../itu/modulation.js';
import {
  closePort,
  defaultPortFactory,
  openPort,
  pulseDtr,
  type FlowControl,
  type PortFactory,
} from './port.js';
import { resultError, T31Session, type ReceiveDataOptions, type ReceivedData } from './t31.js';
import { acquireUucpLock, type UucpLock } from './uucp-lock.js';

export { resultError, type ReceiveDataOptions, type ReceivedData };

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
  /**
   * While transmitting, every wait for the port (write, drain, XON, the final OK) lasts the line
   * time of what is still queued plus this margin (default LINE_MARGIN_MS, 10 s; line-backlog.ts).
   */
  lineMarginMs?: number;
  trace?: AtTrace;
}

export interface InitOptions {
  /**
   * The reset that starts the sequence, with or without "AT" (default "Z"); e.g. "&F" for the
   * factory profile. Everything after it (E0V1Q0, +FCLASS=1 …) is set again afterwards.
   */
  resetCommand?: string;
  /**
   * The fax service class to select (+FCLASS): '1' (EIA-578 Class 1, default) or '1.0' (ITU-T
   * T.31), for modems that list only one of them in +FCLASS=?. lpfax speaks the same commands in both.
   */
  serviceClass?: '1' | '1.0';
  /** Extra commands (with or without "AT") sent after the standard ones; each must answer OK. */
  extraCommands?: string[];
  /**
   * Ask the modem to report caller ID between RINGs (AT+VCID=1, V.253 §9.2.3); optional: a
   * modem without it answers ERROR and the call is taken without.
   */
  callerId?: boolean;
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

export interface HdlcOptions {
  /** receiveFrame: wait for the carrier (default 3000 ms); sendFrames: wait for CONNECT (5000 ms). */
  timeoutMs?: number;
  /** receiveFrame: 3 (V.21, default) or a message-speed code for ECM frames (+FRH=? lists them). */
  modulation?: HdlcModulationCode;
}

export class Class1Modem {
  readonly channel: AtChannel;
  private readonly t31: T31Session;
  /** After ATD's CONNECT the modem is already receiving V.21 HDLC; after ATA, sending it. */
  private connected: 'rx' | 'tx' | undefined;
  private ops: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly port: SerialPortLike,
    private readonly lock: UucpLock | undefined,
    private readonly options: Class1OpenOptions,
  ) {
    this.channel = new AtChannel(port, options.commandTimeoutMs ?? 3000, options.trace);
    this.t31 = new T31Session(this.channel, {
      drainChunks: (options.flowControl ?? 'xonxoff') === 'xonxoff',
      lineMarginMs: options.lineMarginMs,
    });
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
   * (+FCLASS=1 or 1.0), flow control (+IFC). 'no-response' when nothing answers.
   */
  init(options: InitOptions = {}): Promise<void> {
    return this.op(async () => {
      if (!(await this.wake())) throw new ModemError('no-response', `${this.path}: no answer to AT`);
      await this.expectOk((options.resetCommand ?? 'Z').replace(/^AT/i, '') || 'Z', 5000);
      // Some modems take a moment after ATZ before they read commands again.
      if (!(await this.wake(false))) throw new ModemError('no-response', `${this.path}: no answer after ATZ`);
      const e0 = await this.channel.command('E0V1Q0');
      if (e0.code !== 'OK') {
        await this.expectOk('E0');
        await this.expectOk('V1');
      }
      await this.channel.command('&D2'); // Optional: not every modem knows it.
      await this.expectOk(`+FCLASS=${options.serviceClass ?? '1'}`);
      const flow = this.options.flowControl ?? 'xonxoff';
      // V.250 §6.2.12 +IFC; optional too (some modems only know &K).
      if (flow !== 'none') await this.channel.command(flow === 'rtscts' ? '+IFC=2,2' : '+IFC=1,1');
      if (options.callerId) await this.channel.command('+VCID=1');
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

  /** Service classes (+FCLASS=?) and Class 1 modulations (+FTM=?, +FRM=?, +FTH=?, +FRH=?). */
  capabilities(): Promise<Class1Capabilities> {
    return this.op(async () => {
      const classes = parseList((await this.expectOk('+FCLASS=?')).lines);
      // Optional queries: a modem that refuses (or ignores) one simply lacks that list.
      const list = async (cmd: string): Promise<string[]> => {
        const r = await this.channel.command(cmd).catch((e: unknown) => {
          if (e instanceof ModemError && e.kind === 'timeout') return undefined;
          throw e;
        });
        return r?.code === 'OK' ? r.lines : [];
      };
      return {
        classes,
        transmit: parseModulations(await list('+FTM=?')),
        receive: parseModulations(await list('+FRM=?')),
        hdlcReceive: parseHdlcModulations(await list('+FRH=?')),
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
      if (!isDialString(digits)) {
        throw new ModemError('invalid-argument', `not a dial string: ${JSON.stringify(dialString)}`);
      }
      const cmd = `D${options.pulse ? 'P' : 'T'}${digits}`;
      const r = await this.t31.receiveCommand(cmd, options.timeoutMs ?? 90000, true);
      if (r.code !== 'CONNECT') throw resultError(r, cmd, 'CONNECT');
      this.connected = 'rx';
    });
  }

  /**
   * Resolves at the next RING (an incoming call, V.250 §5.7.1) with the unsolicited lines heard
   * while waiting for it (caller ID after the first RING: see parseCallerId); 'timeout' otherwise.
   */
  waitForRing(timeoutMs: number): Promise<string[]> {
    return this.op(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const heard: string[] = [];
          const onInfo = (text: string): void => void heard.push(text);
          const done = (err?: ModemError): void => {
            clearTimeout(timer);
            this.channel.off('ring', onRing);
            this.channel.off('info', onInfo);
            this.channel.off('gone', done);
            this.channel.off('cancelled', done);
            if (err) reject(err);
            else resolve(heard);
          };
          const onRing = (): void => done();
          const timer = setTimeout(
            () => done(new ModemError('timeout', `no RING within ${timeoutMs} ms`)),
            timeoutMs,
          );
          this.channel.on('ring', onRing);
          this.channel.on('info', onInfo);
          this.channel.on('gone', done);
          this.channel.on('cancelled', done);
        }),
    );
  }

  /** Answers (ATA); at CONNECT the modem sends V.21 flags, so sendFrames() needs no +FTH. */
  answer(options: ReceiveOptions = {}): Promise<void> {
    return this.op(async () => {
      const r = await this.channel.command('A', { timeoutMs: options.timeoutMs ?? 40000 });
      if (r.code !== 'CONNECT') throw resultError(r, 'A', 'CONNECT');
      this.connected = 'tx';
      this.t31.transmitting = true;
    });
  }

  /**
   * Receives one HDLC frame (AT+FRH=3, or +FRH=<mod> for ECM; T.31 §8.3.5), without FCS. A
   * frame the modem rejects (ERROR after DLE ETX) is a 'bad-frame' error carrying the octets; no
   * carrier within timeoutMs is 'timeout'; another carrier is 'wrong-carrier' (+FCERROR).
   */
  receiveFrame(options: HdlcOptions = {}): Promise<Uint8Array> {
    return this.op(
      (connected) => this.t31.receiveFrame(connected, options.timeoutMs ?? 3000, options.modulation),
      'rx',
    );
  }

  /**
   * Sends HDLC frames in one V.21 transmission (AT+FTH=3, T.31 §8.3.4). Each frame is address
   * 0xFF, control 0x03, FCF …; the last one has control 0x13 (final, T.30 §5.3.5). Between frames
   * the modem answers CONNECT; after the final one OK, and its carrier is off.
   */
  sendFrames(frames: Uint8Array[], options: { timeoutMs?: number } = {}): Promise<void> {
    return this.op((connected) => this.t31.sendFrames(frames, connected, options.timeoutMs ?? 5000), 'tx');
  }

  /**
   * Sends message data (TCF or page) at a modulation (AT+FTM=<mod>, T.31 §8.3.3): CONNECT,
   * the data DLE-shielded and paced by XON/XOFF (or CTS), DLE ETX, then OK once the modem has
   * sent it all. The data is already in line bit order. An error thrown by the data source is
   * rethrown unchanged after the modem is brought back to command state. `wholeChunks`: write
   * each chunk in one piece, so that a modem that runs dry sends its fill only between chunks
   * (ECM frames framed by hdlcBitStream).
   */
  sendData(
    modulation: ModulationCode,
    data: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options: { timeoutMs?: number; wholeChunks?: boolean } = {},
  ): Promise<void> {
    return this.op(() =>
      this.t31.sendData(modulation, data, options.timeoutMs ?? 10000, options.wholeChunks ?? false),
    );
  }

  /**
   * Receives message data (AT+FRM=<mod>, T.31 §8.3.2) until the carrier drops (DLE ETX, then
   * NO CARRIER or OK), or until maxDurationMs / signal, when the receive is aborted.
   * +FCERROR ('wrong-carrier'): the far end is sending V.21 instead; call receiveFrame().
   */
  receiveData(modulation: ModulationCode, options: ReceiveDataOptions = {}): Promise<ReceivedData> {
    return this.op(() => this.t31.receiveData(modulation, options));
  }

  /** Stops transmitting and waits in silence for n × 10 ms (AT+FTS=n, T.31 §8.3.1). */
  sendSilence(units10ms: number): Promise<void> {
    return this.op(() => this.t31.sendSilence(units10ms));
  }

  /** Waits until the line has been silent for n × 10 ms (AT+FRS=n, T.31 §8.3.1). */
  receiveSilence(units10ms: number, options: ReceiveOptions = {}): Promise<void> {
    return this.op(() => this.t31.receiveSilence(units10ms, options.timeoutMs ?? 0));
  }

  /**
   * Hangs up: closes any data state, ATH0; if the modem does not confirm, drops DTR (AT&D2).
   * A port without DTR (a pty) is not an error. Rejects only when the modem cannot be brought
   * back ('no-response'); a port already gone counts as hung up.
   */
  hangup(): Promise<void> {
    return this.op(async () => {
      const h = await this.channel.command('H0', { timeoutMs: 5000 }).catch((e: unknown) => e as ModemError);
      if (!(h instanceof ModemError) && h.code === 'OK') return;
      if (this.channel.gone) return;
      await pulseDtr(this.port, 500);
      if (!(await this.wake())) {
        throw new ModemError('no-response', `${this.path}: no answer after ATH0 and DTR drop`);
      }
    });
  }

  /**
   * Interrupts the operation in progress (a dial, a wait for a carrier): it rejects with
   * 'cancelled'. Queued operations still run; call hangup() next to leave the line.
   */
  abort(reason = 'aborted by the caller'): void {
    this.channel.cancel(new ModemError('cancelled', reason));
  }

  /**
   * Closes the port (dropping DTR on a real port, which hangs up) and removes the lock. An
   * operation in progress is interrupted ('cancelled'). Never rejects; safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort(`${this.path} is being closed`);
    await this.ops.catch(() => undefined);
    await closePort(this.port);
    await this.lock?.release();
  }

  /**
   * Runs operations strictly one after another; a closed or vanished port fails them at once.
   * `continues`: the operation may use the data state ATD ('rx') or ATA ('tx') left; any other
   * leftover data state is closed first (T.31 §8.3), so the modem reads our next command.
   */
  private op<T>(fn: (connected: boolean) => Promise<T>, continues?: 'rx' | 'tx'): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new ModemError('cancelled', `${this.path} is closed`);
      if (this.channel.gone) throw this.channel.gone;
      const connected = continues !== undefined && this.connected === continues;
      this.connected = undefined;
      if (!connected && (this.channel.parser.inDataMode || this.t31.transmitting))
        await this.t31.leaveDataState();
      return fn(connected);
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

  /** AT until OK; with `escape`, after two silent tries, DLE ETX and +++ (stuck in data state). */
  private async wake(escape = true): Promise<boolean> {
    for (let attempt = 0; attempt < (escape ? 4 : 3); attempt++) {
      if (escape && attempt === 2) {
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
