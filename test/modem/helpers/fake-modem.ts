/**
 * A scriptable stand-in for a Class 1 modem, for tests: it reads what the DTE sends (AT command
 * lines, or DLE-shielded data after it answered CONNECT to +FTH/+FTM) and answers what the test
 * says. Its DLE decoding is written independently of lib/modem/dle.ts on purpose.
 */
import { SerialPortStream } from '@serialport/stream';
import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import type { PortFactory } from '../../../lib/modem/port.js';

export type CommandHandler = (cmd: string, modem: FakeModem) => void;

export class FakeModem {
  /** Every AT command received, without "AT" and CR. */
  readonly commands: string[] = [];
  /** Every data block received (unshielded), ended by DLE ETX. */
  readonly blocks: Uint8Array[] = [];
  /** All octets received, raw. */
  raw: number[] = [];
  private line = '';
  private dataMode = false;
  private block: number[] = [];
  private dle = false;
  output: (bytes: Buffer) => void = () => undefined;
  /** Called when a data block (DLE ETX) completes; default answers OK. */
  onBlock: (block: Uint8Array, modem: FakeModem) => void = (_b, m) => m.reply('OK');
  /** Called for a byte received in command mode when receiving data (abort). */
  onAbortByte?: (byte: number, modem: FakeModem) => void;
  /** True while the fake is "sending data" after +FRH/+FRM: any byte aborts. */
  receiving = false;
  /** Called after each piece of input, e.g. to send XOFF once enough data came. */
  onInput?: (modem: FakeModem) => void;
  /**
   * While set, the port's writes do not complete until it resolves: a port (or a modem with
   * hardware flow control) that stops accepting data.
   */
  holdWrites?: Promise<void>;

  constructor(public handler: CommandHandler) {}

  /** Answers a line: CR LF text CR LF (V.250 verbose form). */
  reply(text: string): void {
    this.send(`\r\n${text}\r\n`);
  }

  send(data: string | Uint8Array): void {
    this.output(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
  }

  /** Sends data as a DCE does: DLE doubled, DLE ETX at the end (T.31 §8.3.2). */
  sendShielded(data: Uint8Array, end = true): void {
    const out: number[] = [];
    for (const b of data) {
      out.push(b);
      if (b === 0x10) out.push(0x10);
    }
    if (end) out.push(0x10, 0x03);
    this.send(Uint8Array.from(out));
  }

  /** From now on, octets are data until DLE ETX (after CONNECT to +FTH / +FTM). */
  expectData(): void {
    this.dataMode = true;
    this.block = [];
    this.dle = false;
  }

  input(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.raw.push(b);
      if (this.dataMode) {
        if (this.dle) {
          this.dle = false;
          if (b === 0x03) {
            this.dataMode = false;
            const block = Uint8Array.from(this.block);
            this.blocks.push(block);
            this.onBlock(block, this);
          } else if (b === 0x10) this.block.push(0x10);
        } else if (b === 0x10) this.dle = true;
        else this.block.push(b);
        continue;
      }
      if (this.receiving) {
        this.receiving = false;
        this.onAbortByte?.(b, this);
        continue;
      }
      if (b === 0x0d) {
        const text = this.line.trim();
        this.line = '';
        if (/^AT/i.test(text)) {
          const cmd = text.slice(2);
          this.commands.push(cmd);
          this.handler(cmd, this);
        }
      } else if (b !== 0x0a) this.line += String.fromCharCode(b);
    }
    this.onInput?.(this);
  }

  /** Data octets of the block in progress (after CONNECT, before DLE ETX), unshielded. */
  get dataReceived(): number {
    return this.dataMode ? this.block.length : 0;
  }
}

/**
 * Answers the init sequence, identification, +FCLASS=?, +FTM=? and +FRM=? like a plain Class 1
 * modem; other commands (+FTH=? and +FRH=? too: lib/fax's tests script them) go to `more`.
 */
export function class1Handler(more: CommandHandler = (_c, m) => m.reply('ERROR')): CommandHandler {
  return (cmd, m) => {
    const c = cmd.toUpperCase();
    if (
      c === '' ||
      c === 'Z' ||
      c === 'E0V1Q0' ||
      c === 'E0' ||
      c === '&D2' ||
      c === '+FCLASS=1' ||
      c.startsWith('+IFC=')
    ) {
      m.reply('OK');
    } else if (c === '+FCLASS=?') m.send('\r\n0,1,8\r\n\r\nOK\r\n');
    else if (c === '+FTM=?' || c === '+FRM=?')
      m.send('\r\n24,48,72,73,74,96,97,98,121,122,145,146\r\n\r\nOK\r\n');
    else if (c === '+GMI') m.send('\r\nAcme Modems\r\n\r\nOK\r\n');
    else if (c === '+GMM') m.send('\r\n+GMM: FaxBlaster 336\r\n\r\nOK\r\n');
    else if (c === '+GMR') m.reply('ERROR');
    else if (c === '+FMR') m.send('\r\n1.2.3\r\n\r\nOK\r\n');
    else if (c === 'I') m.send('\r\n56000\r\n\r\nOK\r\n');
    else more(cmd, m);
  };
}

/**
 * A port factory on serialport's MockBinding whose far end is the fake modem. Replies are
 * delivered asynchronously, as a real port would.
 */
export function mockPortFactory(modem: FakeModem): {
  factory: PortFactory;
  binding: () => MockPortBinding | undefined;
} {
  let bound: MockPortBinding | undefined;
  const binding = {
    ...MockBinding,
    list: () => MockBinding.list(),
    open: async (opts: Parameters<typeof MockBinding.open>[0]) => {
      const b = await MockBinding.open(opts);
      bound = b;
      modem.output = (bytes) => setImmediate(() => b.isOpen && b.emitData(bytes));
      const write = b.write.bind(b);
      b.write = async (buf: Buffer) => {
        await modem.holdWrites;
        await write(buf);
        setImmediate(() => modem.input(buf));
      };
      return b;
    },
  };
  const factory: PortFactory = ({ path, baudRate }) =>
    new SerialPortStream({ binding: binding as typeof MockBinding, path, baudRate, autoOpen: false });
  return { factory, binding: () => bound };
}
