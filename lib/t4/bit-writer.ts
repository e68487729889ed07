/**
 * A bit writer over a preallocated, growing Uint8Array. Codes are written most significant bit
 * first, which is the order T.4 transmits them (T.4 §4.1: "the first bit of a code word is sent
 * first"); 'lsb-first' octets for a modem are made by reversing each finished octet.
 */
import { REVERSED } from '../itu/bit-order.js';

export class BitWriter {
  /*
   * The row coders (t4-1d.ts, t4-2d.ts) work on these fields in local variables for speed and
   * store them back; reserve() must have made room for the row first.
   */
  buf: Uint8Array;
  pos = 0;
  /** Pending bits in the low `nbits` bits (fewer than 8 between calls); higher bits are ignored. */
  acc = 0;
  nbits = 0;
  /** Octets already handed out by take(). */
  private taken = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Makes room for `bytes` more octets. Callers reserve once per row, then put() freely. */
  reserve(bytes: number): void {
    if (this.pos + bytes + 4 <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes + 4) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends the `length` (≤ 25) low bits of `code`, first bit = most significant. */
  put(code: number, length: number): void {
    const acc = (this.acc << length) | code;
    let nbits = this.nbits + length;
    while (nbits >= 8) {
      nbits -= 8;
      this.buf[this.pos++] = acc >>> nbits;
    }
    this.acc = acc;
    this.nbits = nbits;
  }

  /** Appends `count` zero bits (fill, T.4 §4.1.3). */
  zeros(count: number): void {
    while (count > 16) {
      this.put(0, 16);
      count -= 16;
    }
    if (count > 0) this.put(0, count);
  }

  /** Bits written so far. */
  get bitLength(): number {
    return (this.taken + this.pos) * 8 + this.nbits;
  }

  /** Bits pending in the current, unfinished octet. */
  get bitOffset(): number {
    return this.nbits;
  }

  /** Pads with zero bits to an octet boundary. */
  align(): void {
    if (this.nbits > 0) this.put(0, 8 - this.nbits);
  }

  /**
   * Hands out the complete octets written since the last take() (in the requested bit order)
   * and starts over, keeping the unfinished octet. Lets a streaming encoder emit row by row.
   */
  take(lsbFirst: boolean): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    if (lsbFirst) for (let i = 0; i < out.length; i++) out[i] = REVERSED[out[i]];
    this.taken += this.pos;
    this.pos = 0;
    return out;
  }
}
