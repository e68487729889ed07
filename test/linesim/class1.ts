/**
 * A bare Class 1 host for tests (T.31 over serialport, as lib/modem uses), for what efax cannot
 * show: DIS bits of our choosing, the DCS read octet by octet, ECM frames deframed here.
 * Used by linesim.test.ts (the far end as sender) and the TSB-85 receiver tests.
 */
import { SerialPort } from 'serialport';

export type Class1Host = Awaited<ReturnType<typeof openClass1>>;

/** A bare Class 1 host on the pty (serialport, as lib/modem uses), for what efax cannot show. */
export async function openClass1(path: string) {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let input = Buffer.alloc(0);
  port.on('data', (b: Buffer) => (input = Buffer.concat([input, b])));
  const DLE = 0x10;
  const ETX = 0x03;
  const write = (s: string | Buffer) => port.write(s);
  write('ATE0\r');
  const until = async (ending: string | RegExp, timeoutMs = 20_000): Promise<Buffer> => {
    const end = Date.now() + timeoutMs;
    const done = () => {
      const text = input.toString('latin1');
      return typeof ending === 'string' ? text.endsWith(ending) : ending.test(text);
    };
    while (!done()) {
      if (Date.now() > end)
        throw new Error(`no ${String(ending)} in ${JSON.stringify(input.toString('latin1'))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const got = input;
    input = Buffer.alloc(0);
    return got;
  };
  await until('OK\r\n');
  write('AT+FCLASS=1\r');
  await until('OK\r\n');
  /** T.31 §8.3.2/8.3.4: the data after CONNECT up to DLE ETX, DLE-unshielded. */
  const dataOf = (b: Buffer): number[] => {
    const start = b.indexOf('CONNECT\r\n') + 9;
    const out: number[] = [];
    for (let i = start; i < b.length; i++) {
      if (b[i] === DLE && b[i + 1] === ETX) break;
      if (b[i] === DLE && b[i + 1] === DLE) i++;
      out.push(b[i]);
    }
    return out;
  };
  return {
    write,
    until,
    dataOf,
    frame: dataOf,
    close: () => new Promise<void>((resolve) => port.close(() => resolve())),
  };
}

/** A frame to send after CONNECT of +FTH=3 (T.31 §8.3.3): DLE-shielded, DLE ETX, final. */
export function hdlc(octets: number[]): Buffer {
  const out: number[] = [];
  for (const o of octets) out.push(...(o === 0x10 ? [0x10, 0x10] : [o]));
  return Buffer.from([...out, 0x10, 0x03]);
}

/**
 * HDLC frames in raw received bits (T.31: first bit received = least significant bit of each
 * octet): flags, zero-bit removal, FCS (ISO 3309 CRC-16) checked and removed. Bad frames drop.
 */
export function deframe(octets: number[]): number[][] {
  const frames: number[][] = [];
  let ones = 0;
  let bits: number[] = [];
  let inFrame = false;
  for (const o of octets) {
    for (let k = 0; k < 8; k++) {
      const bit = (o >> k) & 1;
      if (bit === 1) {
        ones++;
        if (inFrame) bits.push(1);
        continue;
      }
      if (ones === 6) {
        // a flag (0 111111 0): close the frame without the flag's first seven bits, open the next
        bits.length = Math.max(0, bits.length - 7);
        if (inFrame && bits.length >= 32 && bits.length % 8 === 0) {
          const frame: number[] = [];
          for (let i = 0; i < bits.length; i += 8)
            frame.push(bits.slice(i, i + 8).reduce((v, b, j) => v | (b << j), 0));
          if (fcsGood(frame)) frames.push(frame.slice(0, -2));
        }
        bits = [];
        inFrame = true;
      } else if (ones === 5) {
        // a stuffed zero
      } else if (ones > 6) {
        inFrame = false; // abort
        bits = [];
      } else if (inFrame) {
        bits.push(0);
      }
      ones = 0;
    }
  }
  return frames;
}

export function fcsGood(frame: number[]): boolean {
  let crc = 0xffff;
  for (const o of frame) {
    crc ^= o;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc === 0xf0b8; // the good-FCS remainder
}
