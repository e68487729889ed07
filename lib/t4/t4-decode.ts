/**
 * Page decoder for T.4 MH and MR and T.6 MMR, fed as the data arrives (T4Decoder) or in one call
 * (decodePage).
 *
 * MH/MR behave like a fax receiver (T.4 §4.1.2: the EOL lets a receiver recover from errors). The
 * stream is cut at its EOLs; each piece between two EOLs must be exactly one row followed only by
 * fill (T.4 §4.1.3). A piece that does not decode, or holds a row of the wrong pixel count, is a
 * bad row: it is replaced by the last good row (as receivers commonly do), counted in `badRows`,
 * and the longest run of consecutive bad rows is kept for the copy-quality check (T.30 leaves the
 * criterion to the receiver). An empty piece inside the page (EOL, fill, EOL) is a row the line
 * lost, so a bad row too. Decoding goes on at the next EOL. Five EOLs in a row end
 * the page: RTC is six (T.4 §4.1.4), and one of them may be hit by a line error, as spandsp also
 * counts. MMR has no EOL to resynchronise on (T.6 §2.2); with ECM it arrives error-free, so an
 * error stops the page with a T4DecodeError naming the row; EOFB (T.6 §2.4) ends it.
 *
 * Memory: the unread coded octets (a few rows; the buffer drops what has been read), the last row,
 * and, only when asked (keepBitmap), the rows so far; never more than `maxRows` rows.
 */
import { MAX_HEIGHT, MAX_WIDTH } from './bitmap.js';
import type { Bitmap } from './bitmap.js';
import type { BitOrder } from '../itu/bit-order.js';
import type { T4Coding as Coding } from '../itu/page.js';
import { BitReader } from './bit-reader.js';
import { T4DecodeError, T4Error, T4ErrorKind } from './errors.js';
import { paintChanges } from './runs.js';
import {
  decode1DRow,
  ROW_BACKWARDS,
  ROW_EOL,
  ROW_EXTENSION,
  ROW_INVALID_CODE,
  ROW_TOO_LONG,
  ROW_TRUNCATED,
} from './t4-1d.js';
import { decode2DRow, terminateChanges } from './t4-2d.js';

export interface DecodeOptions {
  coding: Coding;
  width: number;
  /** Default 'lsb-first' (modem line order). */
  bitOrder?: BitOrder;
  /** Page length limit in rows (default DEFAULT_MAX_ROWS); more rows is a 'page-too-long' error. */
  maxRows?: number;
  /** Rows expected (a TIFF's ImageLength): decoding stops after them. */
  height?: number;
  /** CCITT RLE (TIFF Compression 2): MH rows without EOL, each starting on an octet boundary. */
  byteAlignedRows?: boolean;
}

export interface StreamDecodeOptions extends DecodeOptions {
  /**
   * Called with each row as it completes, in order; `bad` rows are the substitute (the last good
   * row, or white). The buffer is reused for the next row: copy it to keep it.
   */
  onRow?: (row: Uint8Array, bad: boolean) => void;
  /** Keep the rows as a growing bitmap for takeBitmap() (default true). */
  keepBitmap?: boolean;
}

/** What ended the page: RTC (T.4 §4.1.4), EOFB (T.6 §2.4), the expected height, or the data. */
export type PageEnd = 'rtc' | 'eofb' | 'height' | 'end-of-data';

export interface DecodeSummary {
  /** Rows of the page, bad rows included. */
  rows: number;
  /** MH/MR rows that did not decode or had the wrong pixel count, replaced by the last good row. */
  badRows: number;
  /** The longest run of consecutive bad rows. */
  longestBadRun: number;
  end: PageEnd;
}

export interface DecodeResult extends DecodeSummary {
  bitmap: Bitmap;
}

/** Default page length limit: an A3/B4 page at superfine resolution with room to spare. */
export const DEFAULT_MAX_ROWS = 8192;

/** Consecutive EOLs that end an MH/MR page (RTC is six, T.4 §4.1.4; one may be damaged). */
export const RTC_EOLS_TO_END = 5;

const ROW_ERRORS: Record<number, [T4ErrorKind, string]> = {
  [ROW_INVALID_CODE]: ['invalid-code', 'invalid code'],
  [ROW_EOL]: ['premature-eol', 'EOL inside a row'],
  [ROW_TOO_LONG]: ['bad-row', 'runs past the row end'],
  [ROW_EXTENSION]: ['unsupported-extension', 'extension code (uncompressed mode)'],
  [ROW_TRUNCATED]: ['truncated', 'data ends inside the row'],
  [ROW_BACKWARDS]: ['bad-row', 'changing element left of a0'],
};

/** Read octets are dropped from the input buffer once this many have piled up (or half of it). */
const DISCARD_OCTETS = 4096;
/** MMR: after a row ran past the data, wait for this many more bits before trying again. */
const RETRY_BITS = 512;
/** MMR: bits of data ahead of a row before it is tried, at least. */
const MIN_LOOKAHEAD_BITS = 2048;

/** Decoded rows, grown by doubling up to the row limit. */
class RowStore {
  data: Uint8Array;
  rows = 0;
  constructor(
    readonly stride: number,
    expected: number,
  ) {
    this.data = new Uint8Array(stride * Math.max(1, expected));
  }
  append(row: Uint8Array): void {
    const offset = this.rows * this.stride;
    if (offset + this.stride > this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data.set(row, offset);
    this.rows++;
  }
}

function checkOptions(options: DecodeOptions): { maxRows: number } {
  const { width, coding } = options;
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new T4Error('bad-options', `row width ${width} outside 1..${MAX_WIDTH}`);
  }
  if (coding !== 'mh' && coding !== 'mr' && coding !== 'mmr')
    throw new T4Error('bad-options', `unknown coding ${String(coding)}`);
  const maxRows = Math.min(options.maxRows ?? DEFAULT_MAX_ROWS, MAX_HEIGHT);
  if (!Number.isInteger(maxRows) || maxRows < 1)
    throw new T4Error('bad-options', `bad maxRows ${options.maxRows}`);
  return { maxRows };
}

/** True when bits [a, b) of `d` are all zero. */
function zeroBits(d: Uint8Array, a: number, b: number): boolean {
  if (a >= b) return true;
  let i = a >>> 3;
  const last = (b - 1) >>> 3;
  const head = 0xff >> (a & 7);
  const tail = (0xff00 >> (((b - 1) & 7) + 1)) & 0xff;
  if (i === last) return (d[i] & head & tail) === 0;
  if ((d[i] & head) !== 0) return false;
  for (i++; i < last; i++) if (d[i] !== 0) return false;
  return (d[last] & tail) === 0;
}

export class T4Decoder {
  private r: BitReader;
  private readonly width: number;
  private readonly coding: Coding;
  private readonly maxRows: number;
  private readonly height: number;
  private readonly byteAligned: boolean;
  /** MMR and CCITT RLE rows come back to back; MH/MR rows are cut at EOLs. */
  private readonly sequential: boolean;
  private readonly onRow?: (row: Uint8Array, bad: boolean) => void;
  private store?: RowStore;
  /** Changing elements of the last good row (the reference row) and of the row being decoded. */
  private ref: Int32Array;
  private cur: Int32Array;
  /** The last row handed out: the last good row, or white before the first. */
  private readonly row: Uint8Array;
  private badRun = 0;
  /** EOL cutting (MH/MR): the current piece starts after an EOL at segStart (before the MR tag bit). */
  private segStart = 0;
  private afterEol = false;
  private scanPos = 0;
  private scanZeros = 0;
  private scanOnes = false;
  /** EOLs in a row with no row data between them, the one that ended the last row included. */
  private eolRun = 0;
  /** Back-to-back rows: do not try again before this many bits are in. */
  private retryAt = 0;
  private longestRowBits = 0;
  /** Back-to-back rows: an EOL (EOFB) is in the data. */
  private eolSeen = false;

  rows = 0;
  badRows = 0;
  longestBadRun = 0;
  /** Set once the page has ended (RTC, EOFB, the expected height, or finish()); later data is ignored. */
  pageEnd: PageEnd | undefined;

  constructor(options: StreamDecodeOptions) {
    this.maxRows = checkOptions(options).maxRows;
    this.width = options.width;
    this.coding = options.coding;
    this.height = options.height ?? Infinity;
    this.byteAligned = options.coding !== 'mmr' && (options.byteAlignedRows ?? false);
    this.sequential = options.coding === 'mmr' || this.byteAligned;
    this.onRow = options.onRow;
    const stride = (this.width + 7) >> 3;
    if (options.keepBitmap ?? true)
      this.store = new RowStore(stride, Math.min(options.height ?? 2400, 2400, this.maxRows));
    this.r = new BitReader(new Uint8Array(0), (options.bitOrder ?? 'lsb-first') === 'lsb-first');
    this.ref = new Int32Array(this.width + 4);
    this.cur = new Int32Array(this.width + 4);
    terminateChanges(this.ref, 0, this.width); // the row above the first is white (T.6 §2.2.1)
    this.row = new Uint8Array(stride);
  }

  /** Takes the next octets of the page, in any pieces; decodes every row they complete. */
  push(chunk: Uint8Array): void {
    if (this.pageEnd) return;
    this.discardRead();
    this.r.append(chunk);
    this.run(false);
  }

  /** The data is complete: decodes what is left (a last row without an EOL after it). */
  finish(): DecodeSummary {
    if (!this.pageEnd) {
      this.run(true);
      this.pageEnd ??= 'end-of-data';
    }
    this.r = new BitReader(new Uint8Array(0), false); // the coded data is no longer needed
    return { rows: this.rows, badRows: this.badRows, longestBadRun: this.longestBadRun, end: this.pageEnd };
  }

  /** Octets of input buffer held (the unread data and room to grow): a few rows, not a page. */
  get bufferSize(): number {
    return this.r.data.length;
  }

  /** The rows so far as a bitmap (keepBitmap); the decoder lets go of them. */
  takeBitmap(): Bitmap {
    const store = this.store;
    if (!store) throw new T4Error('bad-options', 'T4Decoder: rows were not kept (keepBitmap false)');
    this.store = undefined;
    return {
      width: this.width,
      height: store.rows,
      stride: store.stride,
      data: store.data.subarray(0, store.rows * store.stride),
    };
  }

  private run(finishing: boolean): void {
    if (this.sequential) this.runBackToBack(finishing);
    else this.runEolRows(finishing);
  }

  /** Drops input octets that have been read, keeping positions consistent. */
  private discardRead(): void {
    const r = this.r;
    const keep = this.sequential ? r.pos : this.segStart;
    const octets = keep >>> 3;
    if (octets === 0 || (octets < DISCARD_OCTETS && octets * 2 < r.end >>> 3)) return;
    r.discard(octets);
    this.segStart -= octets * 8;
    this.scanPos = Math.max(0, this.scanPos - octets * 8);
    this.retryAt = Math.max(0, this.retryAt - octets * 8);
  }

  /** Hands out one row: decoded (n changing elements in `cur`) or, for n < 0, a bad row's substitute. */
  private emit(n: number): void {
    if (this.rows >= this.maxRows)
      throw new T4DecodeError('page-too-long', this.rows, `more than ${this.maxRows} rows`);
    const bad = n < 0;
    if (bad) {
      // The reference for a following 2-D row stays the last good row, which is what was output.
      this.badRows++;
      if (++this.badRun > this.longestBadRun) this.longestBadRun = this.badRun;
    } else {
      this.badRun = 0;
      this.row.fill(0);
      paintChanges(this.row, 0, this.cur, n, this.width);
      terminateChanges(this.cur, n, this.width);
      const t = this.ref;
      this.ref = this.cur;
      this.cur = t;
    }
    this.store?.append(this.row);
    this.onRow?.(this.row, bad);
    this.rows++;
    if (this.rows >= this.height) this.pageEnd = 'height';
  }

  private decodeRow(twoD: boolean): number {
    return twoD
      ? decode2DRow(this.r, this.ref, this.cur, this.width)
      : decode1DRow(this.r, this.cur, this.width);
  }

  /**
   * The next EOL (at least 11 zeros then a one, T.4 §4.1.2) from scanPos: returns the bit position
   * after it, or -1 when the data ends first (the scan resumes there when more comes). `scanOnes`
   * tells whether anything but zeros came before it. A byte at a time: only the first one bit of
   * a byte can end a run of 11 zeros.
   */
  private scanEol(): number {
    const d = this.r.data;
    const end = this.r.end;
    let p = this.scanPos;
    let zeros = this.scanZeros;
    let ones = this.scanOnes;
    let found = -1;
    while (p < end && (p & 7) !== 0) {
      if (((d[p >>> 3] >> (7 - (p & 7))) & 1) === 0) zeros++;
      else if (zeros >= 11) {
        found = p + 1;
        break;
      } else {
        zeros = 0;
        ones = true;
      }
      p++;
    }
    if (found < 0) {
      while (p < end) {
        const b = d[p >>> 3];
        if (b === 0) {
          zeros += 8;
          p += 8;
          continue;
        }
        const lead = Math.clz32(b) - 24;
        if (zeros + lead >= 11) {
          found = p + lead + 1;
          break;
        }
        ones = true;
        zeros = 31 - Math.clz32(b & -b); // trailing zeros
        p += 8;
      }
    }
    this.scanPos = found < 0 ? p : found;
    this.scanZeros = zeros;
    this.scanOnes = ones;
    return found;
  }

  /** MH/MR: one row per piece between EOLs. */
  private runEolRows(finishing: boolean): void {
    const r = this.r;
    const mr = this.coding === 'mr';
    while (!this.pageEnd) {
      let start = this.segStart;
      let tag = -1;
      if (mr && this.afterEol) {
        if (start >= r.end) break;
        tag = (r.data[start >>> 3] >> (7 - (start & 7))) & 1; // T.4 §4.2.2: 1 = 1-D row, 0 = 2-D
        start++;
      }
      const eol = this.scanEol();
      if (eol < 0) break;
      const empty = !this.scanOnes;
      const afterEol = this.afterEol;
      this.segStart = eol;
      this.afterEol = true;
      this.scanPos = mr ? eol + 1 : eol;
      this.scanZeros = 0;
      this.scanOnes = false;
      if (empty) {
        if (++this.eolRun >= RTC_EOLS_TO_END && this.rows > 0) this.pageEnd = 'rtc';
        continue;
      }
      // EOLs with nothing between them inside the page: rows lost to the line (zeroed), so bad rows.
      for (; this.eolRun > 1 && this.rows > 0 && !this.pageEnd; this.eolRun--) this.emit(ROW_EOL);
      this.eolRun = 1; // the EOL that ends this piece
      if (this.pageEnd) break;
      if (!afterEol) {
        this.rowsWithoutEols(start, eol - 1, false);
        continue;
      }
      r.pos = start;
      let n = this.decodeRow(tag === 0);
      // A row must be followed by nothing but fill up to the EOL: more codes mean a wrong pixel count.
      if (n >= 0 && !zeroBits(r.data, r.pos, eol - 1)) n = ROW_TOO_LONG;
      this.emit(n);
    }
    if (!finishing || this.pageEnd) return;
    // The data ended without RTC: what follows the last EOL is one more row, or fill.
    let start = this.segStart;
    if (mr && this.afterEol) {
      if (start >= r.end) return;
      const tag = (r.data[start >>> 3] >> (7 - (start & 7))) & 1;
      start++;
      if (zeroBits(r.data, start, r.end)) return;
      r.pos = start;
      const n = this.decodeRow(tag === 0);
      this.emit(n >= 0 && zeroBits(r.data, r.pos, r.end) ? n : ROW_TRUNCATED);
    } else if (this.afterEol) {
      if (zeroBits(r.data, start, r.end)) return;
      r.pos = start;
      const n = this.decodeRow(false);
      this.emit(n >= 0 && zeroBits(r.data, r.pos, r.end) ? n : ROW_TRUNCATED);
    } else {
      this.rowsWithoutEols(start, r.end, true);
    }
  }

  /**
   * Bits [start, stop) before the first EOL: rows back to back (a stream without EOLs), or noise
   * before the page, which is dropped — unless this is all the data there is (`last`), when a row
   * that does not decode is a bad row.
   */
  private rowsWithoutEols(start: number, stop: number, last: boolean): void {
    const r = this.r;
    r.pos = start;
    while (!this.pageEnd && !zeroBits(r.data, r.pos, stop)) {
      const n = this.decodeRow(this.coding === 'mr' && this.rows > 0);
      if (n < 0 || r.pos > stop) {
        if (last && this.rows > 0) this.emit(ROW_TRUNCATED);
        return;
      }
      this.emit(n);
    }
  }

  /** MMR and CCITT RLE: rows back to back, each tried when enough data may be in. */
  private runBackToBack(finishing: boolean): void {
    const r = this.r;
    const mmr = this.coding === 'mmr';
    while (!this.pageEnd) {
      // A row is tried once the data holds twice the longest row so far (or after a failed try,
      // 512 bits more), so that rows are rarely decoded twice; but once EOFB (an EOL, which MMR
      // rows never hold) is in, everything before it is decoded at once.
      if (!finishing && !this.eolSeen) {
        const margin = Math.max(MIN_LOOKAHEAD_BITS, 2 * this.longestRowBits);
        if (r.end < this.retryAt || r.end - r.pos < margin) {
          if (!mmr || this.scanEol() < 0) return;
          this.eolSeen = true;
        }
      }
      const before = r.pos;
      if (this.byteAligned) r.align();
      const start = r.pos;
      if (zeroBits(r.data, start, r.end)) {
        if (finishing) this.pageEnd = 'end-of-data';
        else r.pos = before;
        return;
      }
      let n = this.decodeRow(mmr);
      if (n >= 0) {
        this.longestRowBits = Math.max(this.longestRowBits, r.pos - before);
        this.emit(n);
        continue;
      }
      if (mmr && n === ROW_EOL && r.pos === start && start + 24 <= r.end) {
        r.pos = start + 12; // T.6 §2.4: EOFB is two EOLs
        if (r.peek12() === 1) {
          r.pos += 12;
          this.pageEnd = 'eofb';
          return;
        }
        r.pos = start;
      } else if (n === ROW_TRUNCATED || r.pos + 32 > r.end) {
        // The row (or EOFB) may go on in data not yet here; once all is in, it ended inside the row.
        if (finishing) n = ROW_TRUNCATED;
        else {
          r.pos = before;
          this.retryAt = r.end + RETRY_BITS;
          return;
        }
      }
      throw new T4DecodeError(ROW_ERRORS[n][0], this.rows, ROW_ERRORS[n][1]);
    }
  }
}

/** Decodes one page of coded data into a bitmap. */
export function decodePage(data: Uint8Array, options: DecodeOptions): DecodeResult {
  const decoder = new T4Decoder({ ...options, keepBitmap: true });
  decoder.push(data);
  const summary = decoder.finish();
  return { ...summary, bitmap: decoder.takeBitmap() };
}
