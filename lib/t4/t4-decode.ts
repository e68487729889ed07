/**
 * Page decoder for T.4 MH and MR and T.6 MMR.
 *
 * MH/MR behave like a fax receiver (T.4 §4.1.2: the EOL lets a receiver recover from errors):
 * a row that does not decode is replaced by the row above, counted in `badRows`, and decoding
 * resumes at the next EOL. MMR has no EOL to resynchronise on (T.6 §2.2), so an error stops the
 * page with a T4DecodeError naming the row. Memory is bounded by `width` and `maxRows`, whatever
 * the data claims.
 */
import { createBitmap, MAX_HEIGHT, MAX_WIDTH } from './bitmap.js';
import type { BitOrder } from '../itu/bit-order.js';
import type { Coding } from '../itu/page.js';
import type { Bitmap } from './bitmap.js';
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

export interface DecodeResult {
  bitmap: Bitmap;
  /** MH/MR rows that did not decode and were replaced by the row above. */
  badRows: number;
  /** What ended the page: RTC (T.4 §4.1.4), EOFB (T.6 §2.4), the expected height, or the data. */
  end: 'rtc' | 'eofb' | 'height' | 'end-of-data';
}

/** Default page length limit: an A3/B4 page at superfine resolution with room to spare. */
export const DEFAULT_MAX_ROWS = 8192;

const ROW_ERRORS: Record<number, [T4ErrorKind, string]> = {
  [ROW_INVALID_CODE]: ['invalid-code', 'invalid code'],
  [ROW_EOL]: ['premature-eol', 'EOL inside a row'],
  [ROW_TOO_LONG]: ['bad-row', 'runs past the row end'],
  [ROW_EXTENSION]: ['unsupported-extension', 'extension code (uncompressed mode)'],
  [ROW_TRUNCATED]: ['truncated', 'data ends inside the row'],
  [ROW_BACKWARDS]: ['bad-row', 'changing element left of a0'],
};

/** Decoded rows, grown by doubling up to the row limit. */
class RowStore {
  data: Uint8Array;
  rows = 0;
  constructor(
    readonly stride: number,
    readonly maxRows: number,
    expected: number,
  ) {
    this.data = new Uint8Array(stride * Math.max(1, Math.min(expected, maxRows)));
  }
  /** Offset of a new white row; throws 'page-too-long' past the limit. */
  add(): number {
    if (this.rows >= this.maxRows) {
      throw new T4DecodeError('page-too-long', this.rows, `more than ${this.maxRows} rows`);
    }
    const offset = this.rows * this.stride;
    if (offset + this.stride > this.data.length) {
      const next = new Uint8Array(Math.min(this.data.length * 2, this.maxRows * this.stride));
      next.set(this.data);
      this.data = next;
    }
    this.rows++;
    return offset;
  }
  /** A new row equal to the previous one (white for the first): a receiver's substitute for a bad row. */
  addCopy(): void {
    const offset = this.add();
    if (offset > 0) this.data.copyWithin(offset, offset - this.stride, offset);
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

/** True when nothing but zero bits remains (octet padding or trailing fill). */
function restIsZero(r: BitReader): boolean {
  if (r.pos >= r.end) return true;
  const d = r.data;
  let p = r.pos;
  if (((d[p >>> 3] << (p & 7)) & 0xff) !== 0) return false;
  for (p = (p >>> 3) + 1; p < r.end >>> 3; p++) if (d[p] !== 0) return false;
  return true;
}

/** True when the next bits are fill and an EOL, or nothing but padding (position unchanged). */
function eolFollows(r: BitReader): boolean {
  const p = r.pos;
  if (r.skipEol()) {
    r.pos = p;
    return true;
  }
  return restIsZero(r);
}

/** Decodes one page of coded data into a bitmap. */
export function decodePage(data: Uint8Array, options: DecodeOptions): DecodeResult {
  const { maxRows } = checkOptions(options);
  const width = options.width;
  const r = new BitReader(data, (options.bitOrder ?? 'lsb-first') === 'lsb-first');
  const store = new RowStore((width + 7) >> 3, maxRows, options.height ?? Math.min(2400, maxRows));
  const height = options.height ?? Infinity;
  let ref = new Int32Array(width + 4);
  let cur = new Int32Array(width + 4);
  terminateChanges(ref, 0, width); // the row above the first is white (T.6 §2.2.1)
  let badRows = 0;
  let end: DecodeResult['end'] = 'end-of-data';
  /** Once rows come with EOLs, a row not followed by one is a bad row too (T.4 §4.1.2). */
  let withEols = false;
  const coding = options.coding;

  while (store.rows < height) {
    let twoD = coding === 'mmr';
    const rowStart = r.pos;
    if (coding !== 'mmr' && options.byteAlignedRows) {
      r.align();
    } else if (coding !== 'mmr') {
      let eols = 0;
      let tag = -1;
      while (eols < 2 && r.skipEol()) {
        eols++;
        if (coding === 'mr') tag = r.bit(); // T.4 §4.2.2: 1 = next row 1-D, 0 = 2-D
      }
      if (eols > 0) withEols = true;
      if (eols >= 2) {
        end = 'rtc';
        break;
      }
      twoD = coding === 'mr' && (tag === 0 || (tag === -1 && store.rows > 0));
    }
    if (restIsZero(r)) break;
    let n = twoD ? decode2DRow(r, ref, cur, width) : decode1DRow(r, cur, width);
    if (n >= 0 && withEols && !eolFollows(r)) n = ROW_TOO_LONG;
    if (n >= 0) {
      const offset = store.add();
      paintChanges(store.data, offset, cur, n, width);
      terminateChanges(cur, n, width);
      const t = ref;
      ref = cur;
      cur = t;
      continue;
    }
    if (coding === 'mmr') {
      if (n === ROW_EOL && r.pos === rowStart) {
        r.pos += 12; // T.6 §2.4: EOFB is two EOLs
        if (r.peek12() === 1) {
          r.pos += 12;
          end = 'eofb';
          break;
        }
      }
      throw new T4DecodeError(ROW_ERRORS[n][0], store.rows, ROW_ERRORS[n][1]);
    }
    if (options.byteAlignedRows) throw new T4DecodeError(ROW_ERRORS[n][0], store.rows, ROW_ERRORS[n][1]);
    // A fax receiver repeats the row above for a bad row and waits for the next EOL.
    badRows++;
    store.addCopy();
    if (n === ROW_TRUNCATED) break;
    if (n !== ROW_EOL) {
      if (!r.findEol()) break;
      r.pos -= 12;
    }
  }
  if (store.rows >= height) end = 'height';
  const bitmap = createBitmap(width, 0);
  bitmap.height = store.rows;
  bitmap.data = store.data.subarray(0, store.rows * store.stride);
  return { bitmap, badRows, end };
}
