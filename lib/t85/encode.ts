/**
 * T.85 encoder: a page as one BIE (T.82 §6.2: BIH, then one stripe data entity per stripe).
 *
 * The lowest-resolution-layer coding of T.82 with the three-line template (LRLTWO = 0), the AT
 * pixel left at its default place (no ATMOVE), typical prediction (TPBON) when asked, and stripes of L0 rows, each ended by SDNORM (T.82 §6.2.6: the
 * context states carry over). Rows are taken as they come: with the height unknown at the start
 * the BIH says YD = 0xFFFFFFFF and VLENGTH = 1, and end() writes NEWLEN (T.82 §6.2.6.2, T.85)
 * after the last stripe, then an empty SDNORM stripe as T.82 §6.2.6.2 asks when NEWLEN names a
 * row of the stripe before it.
 */
import { concatBytes as concat } from '../itu/bytes.js';
import type { Bitmap } from '../t4/bitmap.js';
import { MAX_HEIGHT, MAX_WIDTH } from '../t4/bitmap.js';
import { ESC, NEWLEN, putU32, SDNORM, UNKNOWN_HEIGHT, writeBih } from './bih.js';
import { T85Error } from './errors.js';
import { QmEncoder } from './qm.js';

/** T.82 typical prediction: the context that codes SLNTP with the three-line template. */
export const TP_CONTEXT_3LINE = 0x0e5;
/** The same with the two-line template. */
export const TP_CONTEXT_2LINE = 0x195;

/** Rows per stripe of basic T.85; other values need the T.85-L0 capability (T.30 bit 79). */
export const DEFAULT_STRIPE_ROWS = 128;

/** Pixels of padding left and right of an unpacked row, so the template never leaves the array. */
export const PAD = 4;

export interface T85EncodeOptions {
  /** Rows of the page; omitted: not known yet (YD = 0xFFFFFFFF, VLENGTH, NEWLEN at the end). */
  height?: number;
  /** L0, rows per stripe (default 128). */
  stripeRows?: number;
  /** Typical prediction TPBON (default true). */
  tpbon?: boolean;
}

/** Unpacks a packed row (MSB = leftmost, 1 = black) into one octet per pixel, at offset PAD. */
export function unpackRow(row: Uint8Array, width: number, into: Uint8Array): void {
  for (let x = 0; x < width; x++) into[x + PAD] = (row[x >> 3] >> (7 - (x & 7))) & 1;
}

export class T85Encoder {
  private readonly width: number;
  private readonly height: number | undefined;
  private readonly stripeRows: number;
  private readonly tpbon: boolean;
  private readonly qm = new QmEncoder();
  /** Unpacked rows y-2, y-1 and y. */
  private r2: Uint8Array;
  private r1: Uint8Array;
  private cur: Uint8Array;
  private ltpOld = 0;
  private rowInStripe = 0;
  private headerOut = false;
  private ended = false;
  /** Rows coded so far. */
  rows = 0;

  constructor(width: number, options: T85EncodeOptions = {}) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH)
      throw new T85Error('bad-options', `row width ${width} outside 1..${MAX_WIDTH}`);
    const h = options.height;
    if (h !== undefined && (!Number.isInteger(h) || h < 1 || h > MAX_HEIGHT))
      throw new T85Error('bad-options', `page height ${h} outside 1..${MAX_HEIGHT}`);
    const l0 = options.stripeRows ?? DEFAULT_STRIPE_ROWS;
    if (!Number.isInteger(l0) || l0 < 1 || l0 > UNKNOWN_HEIGHT)
      throw new T85Error('bad-options', `stripe rows ${l0} outside 1..2^32-1`);
    this.width = width;
    this.height = h;
    this.stripeRows = l0;
    this.tpbon = options.tpbon ?? true;
    this.r2 = new Uint8Array(width + 2 * PAD);
    this.r1 = new Uint8Array(width + 2 * PAD);
    this.cur = new Uint8Array(width + 2 * PAD);
    this.qm.init(true);
  }

  /** The BIH, written before the first stripe (the first encodeRow() or end() returns it). */
  private header(): Uint8Array[] {
    if (this.headerOut) return [];
    this.headerOut = true;
    return [
      writeBih({
        width: this.width,
        height: this.height ?? UNKNOWN_HEIGHT,
        stripeRows: this.stripeRows,
        mx: 0,
        twoLine: false,
        vlength: this.height === undefined,
        tpbon: this.tpbon,
      }),
    ];
  }

  /** Codes the next row (packed, MSB first, 1 = black); returns the octets that are complete. */
  encodeRow(row: Uint8Array): Uint8Array {
    if (this.ended) throw new T85Error('bad-options', 'T85Encoder: row after end()');
    if (row.length < (this.width + 7) >> 3) throw new T85Error('bad-options', 'row shorter than the width');
    if (this.rows >= (this.height ?? MAX_HEIGHT))
      throw new T85Error('bad-options', `more rows than the page height ${this.height ?? MAX_HEIGHT}`);
    const out = this.header();
    // the row buffers turn: y-2 ← y-1 ← y ← (the old y-2, overwritten)
    const t = this.r2;
    this.r2 = this.r1;
    this.r1 = this.cur;
    this.cur = t;
    unpackRow(row, this.width, this.cur);
    this.codeRow();
    this.rows++;
    this.rowInStripe++;
    if (this.rowInStripe === this.stripeRows || this.rows === this.height) out.push(this.endStripe());
    return concat(out);
  }

  /** The page is complete: the rest of the BIE (the last stripe, and NEWLEN if the height was open). */
  end(): Uint8Array {
    if (this.ended) return new Uint8Array(0);
    if (this.height !== undefined && this.rows !== this.height)
      throw new T85Error('bad-options', `page ended after ${this.rows} of ${this.height} rows`);
    if (this.rows === 0) throw new T85Error('bad-options', 'a page has at least one row');
    this.ended = true;
    const out = this.header();
    if (this.height === undefined) {
      if (this.rowInStripe > 0) out.push(this.endStripe());
      const newlen = new Uint8Array(8);
      newlen[0] = ESC;
      newlen[1] = NEWLEN;
      putU32(newlen, 2, this.rows);
      newlen[6] = ESC;
      newlen[7] = SDNORM;
      out.push(newlen);
    }
    return concat(out);
  }

  private endStripe(): Uint8Array {
    this.rowInStripe = 0;
    const pscd = this.qm.flush();
    this.qm.init(false);
    const sde = new Uint8Array(pscd.length + 2);
    sde.set(pscd);
    sde[pscd.length] = ESC;
    sde[pscd.length + 1] = SDNORM;
    return sde;
  }

  /** T.82: TP (SLNTP) then, unless the row repeats the one above, every pixel in its context. */
  private codeRow(): void {
    const { r2, r1, cur, qm } = this;
    const w = this.width;
    if (this.tpbon) {
      let same = 1;
      for (let i = PAD; i < w + PAD; i++) {
        if (cur[i] !== r1[i]) {
          same = 0;
          break;
        }
      }
      qm.encode(TP_CONTEXT_3LINE, same === this.ltpOld ? 1 : 0);
      this.ltpOld = same;
      if (same) return;
    }
    // Windows on rows y-2 (x-1..x+1), y-1 (x-2..x+2, x+2 being the AT pixel) and y (x-2, x-1).
    let c2 = (r2[PAD - 1] << 2) | (r2[PAD] << 1) | r2[PAD + 1];
    let c1 = (r1[PAD - 2] << 4) | (r1[PAD - 1] << 3) | (r1[PAD] << 2) | (r1[PAD + 1] << 1) | r1[PAD + 2];
    let c0 = 0;
    for (let i = PAD; i < w + PAD; i++) {
      const pix = cur[i];
      qm.encode((c2 << 7) | (c1 << 2) | c0, pix);
      c2 = ((c2 << 1) | r2[i + 2]) & 7;
      c1 = ((c1 << 1) | r1[i + 3]) & 31;
      c0 = ((c0 << 1) | pix) & 3;
    }
  }
}

/** One page as a BIE; `height` in the options is ignored (the bitmap's own is used unless `streamed`). */
export function encodeT85(
  bitmap: Bitmap,
  options: Omit<T85EncodeOptions, 'height'> & { streamed?: boolean } = {},
): Uint8Array {
  const enc = new T85Encoder(bitmap.width, {
    stripeRows: options.stripeRows,
    tpbon: options.tpbon,
    height: options.streamed ? undefined : bitmap.height,
  });
  const parts: Uint8Array[] = [];
  for (let y = 0; y < bitmap.height; y++)
    parts.push(enc.encodeRow(bitmap.data.subarray(y * bitmap.stride, (y + 1) * bitmap.stride)));
  parts.push(enc.end());
  return concat(parts);
}
