/**
 * A bit reader for coded fax data, most significant bit first (the T.4 transmission order once
 * 'lsb-first' octets have been reversed). The data is copied into a buffer with zero padding so
 * that lookahead never reads outside it; `overrun` tells when decoding went past the real end.
 * Data may also arrive in pieces (append), and what has been read can be dropped (discard), so a
 * receiver decodes a page as it comes off the line with a buffer of a few rows.
 */
import { REVERSED } from '../itu/bit-order.js';

const PADDING = 8;

export class BitReader {
  /** The octets, msb-first, followed by at least PADDING zero octets. */
  data: Uint8Array;
  /** Next bit to read. */
  pos = 0;
  /** Number of real bits (a multiple of 8). */
  end: number;

  constructor(
    input: Uint8Array,
    private readonly lsbFirst: boolean,
  ) {
    const data = new Uint8Array(input.length + PADDING);
    if (lsbFirst) for (let i = 0; i < input.length; i++) data[i] = REVERSED[input[i]];
    else data.set(input);
    this.data = data;
    this.end = input.length * 8;
  }

  /** Adds octets after the end (growing the buffer by doubling); the padding stays zero. */
  append(input: Uint8Array): void {
    const at = this.end >>> 3;
    if (at + input.length + PADDING > this.data.length) {
      let size = Math.max(256, this.data.length * 2);
      while (size < at + input.length + PADDING) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.data.subarray(0, at));
      this.data = next;
    }
    if (this.lsbFirst) for (let i = 0; i < input.length; i++) this.data[at + i] = REVERSED[input[i]];
    else this.data.set(input, at);
    this.end += input.length * 8;
  }

  /**
   * Drops the first `octets` octets (already read); every bit position moves down by 8 × octets,
   * `pos` included. Callers shift their own positions the same way.
   */
  discard(octets: number): void {
    const used = this.end >>> 3;
    this.data.copyWithin(0, octets, used);
    this.data.fill(0, used - octets, used);
    this.end -= octets * 8;
    this.pos -= octets * 8;
  }

  /** The next 13 bits (the longest run code is 13 bits, Table 3a/T.4). */
  peek13(): number {
    const d = this.data;
    const i = this.pos >>> 3;
    return (((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]) >>> (11 - (this.pos & 7))) & 0x1fff;
  }

  /** The next 12 bits (an EOL is 000000000001). */
  peek12(): number {
    const d = this.data;
    const i = this.pos >>> 3;
    return (((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]) >>> (12 - (this.pos & 7))) & 0xfff;
  }

  /** The next 7 bits (the longest 2-D mode code, Table 4/T.4). */
  peek7(): number {
    const d = this.data;
    const i = this.pos >>> 3;
    return (((d[i] << 8) | d[i + 1]) >>> (9 - (this.pos & 7))) & 0x7f;
  }

  bit(): number {
    const b = (this.data[this.pos >>> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  get overrun(): boolean {
    return this.pos > this.end;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Moves to the next octet boundary (CCITT RLE rows start on one, TIFF Compression 2). */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
  }

  /**
   * Skips fill (T.4 §4.1.3) and one EOL if the next bits are at least 11 zeros and a one.
   * Returns true if an EOL was consumed; otherwise the position is unchanged.
   */
  skipEol(): boolean {
    const start = this.pos;
    let p = start;
    const d = this.data;
    const end = this.end;
    // Zero octets are skipped whole; fill can be long when a row is padded to the scan time.
    while (p < end) {
      if ((p & 7) === 0 && d[p >>> 3] === 0) {
        p += 8;
        continue;
      }
      if (((d[p >>> 3] >> (7 - (p & 7))) & 1) !== 0) break;
      p++;
    }
    if (p >= end || p - start < 11) return false;
    this.pos = p + 1;
    return true;
  }

  /** Moves past the next EOL anywhere ahead (resynchronisation, T.4 §4.1.2). False at end of data. */
  findEol(): boolean {
    const d = this.data;
    const end = this.end;
    let p = this.pos;
    let zeros = 0;
    while (p < end) {
      if ((p & 7) === 0 && d[p >>> 3] === 0 && p + 8 <= end) {
        zeros += 8;
        p += 8;
        continue;
      }
      if (((d[p >>> 3] >> (7 - (p & 7))) & 1) === 0) zeros++;
      else if (zeros >= 11) {
        this.pos = p + 1;
        return true;
      } else zeros = 0;
      p++;
    }
    this.pos = end;
    return false;
  }
}
