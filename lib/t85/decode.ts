/**
 * T.85 decoder, fed the BIE as it arrives (T85Decoder) or in one call (decodeT85).
 *
 * The BIH (T.82 §6.2) comes first. Then stripe data entities (T.82 §6.2): each stripe's PSCD
 * is gathered, unstuffed (T.82 §6.2), until its SDNORM or SDRST, and decoded whole (a stripe is
 * L0 rows: 128 in basic T.85). Before decoding, a NEWLEN right after the SDNORM is looked for
 * (T.82 §6.2.6.2, T.85: a sender that streams the page sends YD = 0xFFFFFFFF and NEWLEN after
 * the last stripe), since it says how many rows that stripe has. Other marker segments:
 * ATMOVE (T.82 §6.2.6) moves the AT pixel from the stripe row it names (T.85: ty = 0),
 * COMMENT (T.82 §6.2.6) is skipped, ABORT ends with an error, a RESERVE or unknown marker is an
 * error. SDRST (T.82 §6.2.6) starts the next stripe afresh: context states zero, rows above
 * white, LNTP = 1, AT pixel at its default place. Both templates (LRLTWO 0 and 1) are decoded.
 *
 * Memory: one stripe's coded data, three rows, and (keepBitmap) the rows so far; at most maxRows.
 */
import type { Bitmap } from '../t4/bitmap.js';
import { MAX_WIDTH } from '../t4/bitmap.js';
import { DEFAULT_MAX_ROWS } from '../t4/t4-decode.js';
import type { Bih } from './bih.js';
import {
  ABORT,
  ATMOVE,
  BIH_LENGTH,
  COMMENT,
  ESC,
  NEWLEN,
  parseBih,
  SDNORM,
  SDRST,
  STUFF,
  u32,
} from './bih.js';
import { PAD, TP_CONTEXT_2LINE, TP_CONTEXT_3LINE } from './encode.js';
import { T85Error } from './errors.js';
import { OctetSink, QmDecoder } from './qm.js';

export interface T85DecodeOptions {
  /** Page length limit in rows (default lib/t4's DEFAULT_MAX_ROWS); more is 'page-too-long'. */
  maxRows?: number;
  /** The width the call negotiated: a BIH with another XD is an error. */
  width?: number;
  /** Each row as it completes (the buffer is reused: copy it to keep it). */
  onRow?: (row: Uint8Array) => void;
  /** Keep the rows for takeBitmap() (default true). */
  keepBitmap?: boolean;
}

export interface T85DecodeSummary {
  rows: number;
  /** 'complete': YD rows (after any NEWLEN); 'end-of-data': finish() before that (an error is thrown). */
  end: 'complete';
}

export class T85Decoder {
  private readonly maxRows: number;
  private readonly expectedWidth: number | undefined;
  private readonly onRow?: (row: Uint8Array) => void;
  private readonly keep: boolean;
  private in = new Uint8Array(0);
  private inPos = 0;
  private bihRead = false;
  private header: Bih | undefined;
  /** YD as it stands (NEWLEN may lower it). */
  private yd = 0;
  private newlenSeen = false;
  private scd = new OctetSink(1024);
  /** Octets of a COMMENT still to skip. */
  private skip = 0;
  private atMoves: { row: number; tx: number }[] = [];
  private tx = 0;
  /** The next stripe starts afresh (the first one, and after SDRST). */
  private reset = true;
  private lntp = 1;
  private qm = new QmDecoder();
  private r2 = new Uint8Array(0);
  private r1 = new Uint8Array(0);
  private cur = new Uint8Array(0);
  private packed = new Uint8Array(0);
  private store: Uint8Array | undefined;
  /** Rows decoded. */
  rows = 0;
  /** Set once every row is in; later data is ignored. */
  done = false;

  constructor(options: T85DecodeOptions = {}) {
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    if (!Number.isInteger(maxRows) || maxRows < 1)
      throw new T85Error('bad-options', `bad maxRows ${options.maxRows}`);
    this.maxRows = maxRows;
    this.expectedWidth = options.width;
    this.onRow = options.onRow;
    this.keep = options.keepBitmap ?? true;
  }

  /** The BIH, once its 20 octets are in. */
  get bih(): Bih | undefined {
    return this.header;
  }

  /** The image width (XD), once the BIH is in. */
  get width(): number | undefined {
    return this.header?.width;
  }

  /** Takes the next octets of the BIE, in any pieces; decodes every stripe they complete. */
  push(chunk: Uint8Array): void {
    if (this.done || chunk.length === 0) return;
    const rest = this.in.length - this.inPos;
    const next = new Uint8Array(rest + chunk.length);
    next.set(this.in.subarray(this.inPos));
    next.set(chunk, rest);
    this.in = next;
    this.inPos = 0;
    this.run(false);
  }

  /** The data is complete; throws a 'truncated' T85Error unless every row has come. */
  finish(): T85DecodeSummary {
    if (!this.done) this.run(true);
    if (!this.done) {
      throw new T85Error(
        'truncated',
        this.header
          ? `the BIE ended after ${this.rows} rows of ${this.yd === 0xffffffff ? 'an open height' : this.yd}`
          : 'the BIE ended inside its header',
      );
    }
    return { rows: this.rows, end: 'complete' };
  }

  /** The rows so far as a bitmap (keepBitmap). */
  takeBitmap(): Bitmap {
    const width = this.header?.width ?? 1;
    const stride = (width + 7) >> 3;
    const data = this.store ? this.store.subarray(0, this.rows * stride) : new Uint8Array(0);
    if (!this.keep) throw new T85Error('bad-options', 'T85Decoder: rows were not kept (keepBitmap false)');
    this.store = undefined;
    return { width, height: this.rows, stride, data };
  }

  private avail(): number {
    return this.in.length - this.inPos;
  }

  private run(finishing: boolean): void {
    if (!this.bihRead) {
      if (this.avail() < BIH_LENGTH) return;
      this.startImage(parseBih(this.in.subarray(this.inPos, this.inPos + BIH_LENGTH)));
      this.inPos += BIH_LENGTH;
    }
    const d = this.in;
    while (!this.done) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, d.length - this.inPos);
        this.skip -= n;
        this.inPos += n;
        if (this.skip > 0) return;
      }
      // PSCD octets up to the next ESC
      let i = this.inPos;
      while (i < d.length && d[i] !== ESC) this.scd.push(d[i++]);
      this.inPos = i;
      if (d.length - i < 2) return;
      const marker = d[i + 1];
      if (marker === STUFF) {
        this.scd.push(ESC);
        this.inPos += 2;
        continue;
      }
      if (marker === SDNORM || marker === SDRST) {
        // T.82 §6.2.6.2: a NEWLEN just after the SDNORM may end the image inside this stripe.
        // Only with VLENGTH and no NEWLEN yet: otherwise the stripe is decoded at once.
        const peek = this.header!.vlength && !this.newlenSeen;
        const after = d.length - i - 2;
        if (peek && after < 2 && !finishing) return;
        if (peek && after >= 2 && d[i + 2] === ESC && d[i + 3] === NEWLEN) {
          if (after < 8 && !finishing) return;
          if (after < 8) throw new T85Error('truncated', 'the BIE ended inside NEWLEN');
          this.newlen(u32(d, i + 4));
          this.inPos = i + 8;
        } else {
          this.inPos = i + 2;
        }
        this.endStripe(marker === SDRST);
        continue;
      }
      const need = marker === ATMOVE ? 8 : marker === NEWLEN || marker === COMMENT ? 6 : 2;
      if (d.length - i < need) return;
      switch (marker) {
        case NEWLEN:
          this.newlen(u32(d, i + 2));
          break;
        case ATMOVE:
          this.atmove(u32(d, i + 2), d[i + 6], d[i + 7]);
          break;
        case COMMENT:
          this.skip = u32(d, i + 2);
          break;
        case ABORT:
          throw new T85Error('aborted', 'the sender aborted the image (ABORT marker)');
        default:
          throw new T85Error('bad-marker', `unknown marker 0xff 0x${marker.toString(16).padStart(2, '0')}`);
      }
      this.inPos = i + need;
    }
  }

  private startImage(bih: Bih): void {
    this.bihRead = true;
    if (bih.width > MAX_WIDTH)
      throw new T85Error('page-too-long', `image width ${bih.width} is over ${MAX_WIDTH}`);
    if (this.expectedWidth !== undefined && bih.width !== this.expectedWidth)
      throw new T85Error('bad-header', `image width ${bih.width}, not the ${this.expectedWidth} negotiated`);
    if (!bih.vlength && bih.height > this.maxRows)
      throw new T85Error('page-too-long', `image height ${bih.height} is over ${this.maxRows} rows`);
    this.header = bih;
    this.yd = bih.height;
    const n = bih.width + 2 * PAD;
    this.r2 = new Uint8Array(n);
    this.r1 = new Uint8Array(n);
    this.cur = new Uint8Array(n);
    this.packed = new Uint8Array((bih.width + 7) >> 3);
    if (this.keep) this.store = new Uint8Array(this.packed.length * Math.min(bih.height, 2400, this.maxRows));
  }

  /** NEWLEN (T.82 §6.2.6.2): YD becomes smaller; only with VLENGTH, once. */
  private newlen(yd: number): void {
    const bih = this.header!;
    if (!bih.vlength || this.newlenSeen) throw new T85Error('bad-marker', 'NEWLEN without VLENGTH, or twice');
    if (yd > this.yd || yd < this.rows || yd === 0)
      throw new T85Error('bad-marker', `NEWLEN ${yd} outside ${this.rows}..${this.yd}`);
    this.newlenSeen = true;
    this.yd = yd;
    if (this.rows === yd) this.done = true;
  }

  /** ATMOVE (T.82 §6.2.6): from stripe row yAT on, the AT pixel is at (x - tx, y); T.85: ty = 0. */
  private atmove(row: number, tx: number, ty: number): void {
    const bih = this.header!;
    const min = bih.twoLine ? 5 : 3;
    if (ty !== 0 || tx > bih.mx || (tx !== 0 && tx < min) || row >= bih.stripeRows)
      throw new T85Error('bad-marker', `ATMOVE to tx ${tx}, ty ${ty} at row ${row} is not allowed`);
    this.atMoves.push({ row, tx });
  }

  private endStripe(sdrst: boolean): void {
    const bih = this.header!;
    const want = Math.min(bih.stripeRows, this.yd - this.rows);
    if (this.rows + want > this.maxRows)
      throw new T85Error('page-too-long', `the image is longer than ${this.maxRows} rows`);
    const scd = this.scd;
    this.scd = new OctetSink(1024);
    if (this.reset) {
      this.r1.fill(0);
      this.r2.fill(0);
      this.cur.fill(0); // the row buffers turn: this one becomes the row above
      this.lntp = 1;
      this.tx = 0;
    }
    this.qm.init(scd.data.subarray(0, scd.length), this.reset);
    for (let i = 0; i < want; i++) this.decodeRow(i);
    this.atMoves = [];
    this.reset = sdrst;
    if (this.rows === this.yd) this.done = true;
  }

  private decodeRow(rowInStripe: number): void {
    const bih = this.header!;
    for (const m of this.atMoves) if (m.row === rowInStripe) this.tx = m.tx;
    const t = this.r2;
    this.r2 = this.r1;
    this.r1 = this.cur;
    this.cur = t;
    const { r1, cur, qm, packed } = this;
    const w = bih.width;
    let typical = false;
    if (bih.tpbon) {
      // T.82 typical prediction: SLNTP = 1 keeps LNTP; LNTP = 0 means the row repeats the one above.
      if (qm.decode(bih.twoLine ? TP_CONTEXT_2LINE : TP_CONTEXT_3LINE) === 0) this.lntp ^= 1;
      typical = this.lntp === 0;
    }
    if (typical) {
      cur.set(r1);
    } else if (bih.twoLine) {
      this.decodeTwoLine(w);
    } else {
      this.decodeThreeLine(w);
    }
    packed.fill(0);
    for (let x = 0; x < w; x++) if (cur[x + PAD]) packed[x >> 3] |= 0x80 >> (x & 7);
    this.emit();
  }

  /** Three-line template: rows y-2 (x-1..x+1), y-1 (x-2..x+1), y (x-2, x-1) and the AT pixel. */
  private decodeThreeLine(w: number): void {
    const { r2, r1, cur, qm, tx } = this;
    let c2 = (r2[PAD - 1] << 2) | (r2[PAD] << 1) | r2[PAD + 1];
    let c1 = (r1[PAD - 2] << 4) | (r1[PAD - 1] << 3) | (r1[PAD] << 2) | (r1[PAD + 1] << 1) | r1[PAD + 2];
    let c0 = 0;
    for (let i = PAD; i < w + PAD; i++) {
      let cx: number;
      if (tx === 0) cx = (c2 << 7) | (c1 << 2) | c0;
      else {
        const a = i - PAD >= tx ? cur[i - tx] : 0;
        cx = (c2 << 7) | ((c1 >> 1) << 3) | (a << 2) | c0;
      }
      const pix = qm.decode(cx);
      cur[i] = pix;
      c2 = ((c2 << 1) | r2[i + 2]) & 7;
      c1 = ((c1 << 1) | r1[i + 3]) & 31;
      c0 = ((c0 << 1) | pix) & 3;
    }
  }

  /** Two-line template: rows y-1 (x-3..x+1), y (x-4..x-1) and the AT pixel. */
  private decodeTwoLine(w: number): void {
    const { r1, cur, qm, tx } = this;
    let c1 = 0;
    for (let k = -3; k <= 2; k++) c1 = (c1 << 1) | r1[PAD + k];
    let c0 = 0;
    for (let i = PAD; i < w + PAD; i++) {
      let cx: number;
      if (tx === 0) cx = (c1 << 4) | c0;
      else {
        const a = i - PAD >= tx ? cur[i - tx] : 0;
        cx = ((c1 >> 1) << 5) | (a << 4) | c0;
      }
      const pix = qm.decode(cx);
      cur[i] = pix;
      c1 = ((c1 << 1) | r1[i + 3]) & 63;
      c0 = ((c0 << 1) | pix) & 15;
    }
  }

  private emit(): void {
    const row = this.packed;
    if (this.store) {
      const off = this.rows * row.length;
      if (off + row.length > this.store.length) {
        const next = new Uint8Array(Math.max(this.store.length * 2, off + row.length));
        next.set(this.store);
        this.store = next;
      }
      this.store.set(row, off);
    }
    this.rows++;
    this.onRow?.(row);
  }
}

/** Decodes a whole BIE. */
export function decodeT85(
  bie: Uint8Array,
  options: Omit<T85DecodeOptions, 'onRow' | 'keepBitmap'> = {},
): Bitmap {
  const dec = new T85Decoder(options);
  dec.push(bie);
  dec.finish();
  return dec.takeBitmap();
}
