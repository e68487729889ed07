/**
 * Page encoder for T.4 MH and MR and T.6 MMR, usable row by row for streaming.
 *
 * Non-ECM T.4 (§4.1.2–§4.1.4): every row starts with an EOL (plus the 1-D/2-D tag bit in MR,
 * §4.2.2), fill zeros before the next EOL stretch a row to the minimum scan line time, and the
 * page ends with RTC, six EOLs (§4.1.4, §4.2.4). In ECM (T.4 Annex A) no fill is used. MMR
 * (T.6 §2.2–§2.4) has no EOLs and ends with EOFB.
 */
import { checkBitmap } from './bitmap.js';
import type { BitOrder } from '../itu/bit-order.js';
import type { T4Coding as Coding, Resolution } from '../itu/page.js';
import type { Bitmap } from './bitmap.js';
import { BitWriter } from './bit-writer.js';
import { T4Error } from './errors.js';
import { findChanges } from './runs.js';
import { EOL_CODE, EOL_LENGTH } from './t4-codes.js';
import { encode1DRow } from './t4-1d.js';
import { encode2DRow, terminateChanges } from './t4-2d.js';

export interface EncodeOptions {
  coding: Coding;
  /** MR only: at most K − 1 consecutive 2-D rows (T.4 §4.2.1). Default from `resolution`, else 2. */
  kFactor?: number;
  /** Used to choose K: 2 at standard, 4 at fine, 8 above (T.4 §4.2.1). */
  resolution?: Resolution;
  /** Minimum coded bits per row, EOL included (T.30 minimum scan line time); see minScanLineBits. */
  minBitsPerRow?: number;
  /** Error correction mode (T.4 Annex A): no fill bits. */
  ecm?: boolean;
  /** 'lsb-first' for a Class 1 modem, 'msb-first' for TIFF FillOrder 1. Default 'lsb-first'. */
  bitOrder?: BitOrder;
  /** End the page with RTC / EOFB (default true). TIFF strips carry neither RTC nor fill. */
  endOfPage?: boolean;
  /** Pad before each EOL so it ends on an octet boundary (TIFF T4Options bit 2). */
  alignEol?: boolean;
}

/** The K factor of T.4 §4.2.1 for a vertical resolution. */
export function kFactorFor(resolution: Resolution): number {
  return resolution === 'standard' ? 2 : resolution === 'fine' ? 4 : 8;
}

/**
 * Bits a row must last for a minimum scan line time (T.30 §5.3.6.1.8, DIS/DCS bits 21–23):
 * `msPerRow` at the negotiated `bitRate` (bit/s). E.g. 20 ms at 9600 bit/s = 192 bits.
 */
export function minScanLineBits(bitRate: number, msPerRow: number): number {
  return Math.ceil((bitRate * msPerRow) / 1000);
}

const RTC_EOLS = 6;

export class T4Encoder {
  readonly width: number;
  readonly coding: Coding;
  private readonly kFactor: number;
  private readonly minBits: number;
  private readonly lsbFirst: boolean;
  private readonly endOfPage: boolean;
  private readonly alignEol: boolean;
  private readonly writer: BitWriter;
  private ref: Int32Array;
  private cur: Int32Array;
  private rowsInGroup = 0;
  private finished = false;
  /** Rows encoded so far. */
  rows = 0;

  constructor(width: number, options: EncodeOptions) {
    if (!Number.isInteger(width) || width < 1 || width > 65535)
      throw new T4Error('bad-options', `bad row width ${width}`);
    this.width = width;
    if (!['mh', 'mr', 'mmr'].includes(options.coding))
      throw new T4Error('bad-options', `unknown coding ${options.coding}`);
    this.coding = options.coding;
    this.kFactor = options.kFactor ?? (options.resolution ? kFactorFor(options.resolution) : 2);
    if (!Number.isInteger(this.kFactor) || this.kFactor < 1)
      throw new T4Error('bad-options', `bad K factor ${this.kFactor}`);
    const ecm = options.ecm ?? false;
    this.minBits = ecm || this.coding === 'mmr' ? 0 : Math.max(0, Math.floor(options.minBitsPerRow ?? 0));
    this.lsbFirst = (options.bitOrder ?? 'lsb-first') === 'lsb-first';
    this.endOfPage = options.endOfPage ?? true;
    this.alignEol = options.alignEol ?? false;
    this.writer = new BitWriter(width * 8);
    this.ref = new Int32Array(width + 4);
    this.cur = new Int32Array(width + 4);
    terminateChanges(this.ref, 0, width); // T.6 §2.2.1: the first reference row is white
  }

  /** Codes one row: `width` pixels packed MSB first from data[offset]. */
  encodeRow(data: Uint8Array, offset = 0): void {
    if (this.finished) throw new T4Error('bad-options', 'T4Encoder: row after finish()');
    if (!(offset >= 0 && offset + ((this.width + 7) >> 3) <= data.length)) {
      throw new T4Error('bad-options', `row at ${offset} outside ${data.length} bytes`);
    }
    const w = this.writer;
    const width = this.width;
    w.reserve(width + (this.minBits >> 3) + 64);
    const start = w.bitLength;
    const cur = this.cur;
    const count = findChanges(data, offset, width, cur);
    terminateChanges(cur, count, width);
    if (this.coding === 'mmr') {
      encode2DRow(w, this.ref, cur, width);
    } else {
      const twoD = this.coding === 'mr' && this.rowsInGroup !== 0;
      this.putEol(this.coding === 'mr' ? (twoD ? 0 : 1) : -1);
      if (twoD) encode2DRow(w, this.ref, cur, width);
      else encode1DRow(w, cur, count, width);
      if (++this.rowsInGroup === this.kFactor) this.rowsInGroup = 0;
      const used = w.bitLength - start;
      if (used < this.minBits) w.zeros(this.minBits - used); // T.4 §4.1.3 fill
    }
    this.cur = this.ref;
    this.ref = cur;
    this.rows++;
  }

  /** Complete octets coded since the last call (streaming); finish() returns the rest. */
  flush(): Uint8Array {
    return this.writer.take(this.lsbFirst);
  }

  /** Ends the page with RTC or EOFB (unless endOfPage is false), pads to an octet, returns the remaining octets. */
  finish(): Uint8Array {
    if (!this.finished) {
      this.finished = true;
      const w = this.writer;
      w.reserve(32);
      if (this.endOfPage) {
        if (this.coding === 'mmr') {
          w.put(EOL_CODE, EOL_LENGTH); // T.6 §2.4: EOFB = EOL EOL
          w.put(EOL_CODE, EOL_LENGTH);
        } else {
          for (let i = 0; i < RTC_EOLS; i++) this.putEol(this.coding === 'mr' ? 1 : -1);
        }
      }
      w.align();
    }
    return this.writer.take(this.lsbFirst);
  }

  /** EOL, optionally octet-aligned, followed by the MR tag bit (1 = next row 1-D) when tag ≥ 0. */
  private putEol(tag: number): void {
    const w = this.writer;
    if (this.alignEol) {
      const pad = (12 - w.bitOffset) & 7; // zeros so the 12-bit EOL ends on an octet boundary
      if (pad > 0) w.put(0, pad);
    }
    if (tag < 0) w.put(EOL_CODE, EOL_LENGTH);
    else w.put((EOL_CODE << 1) | tag, EOL_LENGTH + 1);
  }
}

/** Codes a whole page in one call. */
export function encodePage(bitmap: Bitmap, options: EncodeOptions): Uint8Array {
  checkBitmap(bitmap);
  const enc = new T4Encoder(bitmap.width, options);
  for (let y = 0; y < bitmap.height; y++) enc.encodeRow(bitmap.data, y * bitmap.stride);
  return enc.finish();
}
