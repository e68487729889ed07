/**
 * Writing TIFF Class F (the fax profile of TIFF, Adobe/Aldus 1990 and RFC 2306): one strip per
 * page, bilevel, PhotometricInterpretation 0 (white is zero), FillOrder 1, XResolution 204 and
 * YResolution 98/196/391 per inch, NewSubfileType "page", PageNumber n of total, and the page
 * coded MH or MR with octet-aligned EOLs (T4Options fill bit) or MMR (Compression 4).
 */
import { LINES_PER_INCH, type T4Coding as Coding, type Resolution } from '../itu/page.js';
import type { BitOrder } from '../itu/bit-order.js';
import { checkBitmap } from './bitmap.js';
import { T4Error } from './errors.js';
import type { FaxPage } from './bitmap.js';
import { encodePage } from './t4-encode.js';
import { kFactorFor } from './t4-encode.js';
import { TAG } from './tiff-ifd.js';

export interface TiffWriteOptions {
  /** 'none' writes uncompressed strips (Compression 1), not Class F but handy for tools. */
  coding: Coding | 'none';
  software?: string;
}

type Field = [tag: number, type: number, values: number[] | string];

const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const ASCII = 2;

/**
 * A page already coded for the line, stored as received (how fax servers keep received pages):
 * the data may carry fill and RTC/EOFB, in either bit order.
 */
export interface CodedPage {
  width: number;
  height: number;
  resolution: Resolution;
  coding: Coding;
  data: Uint8Array;
  bitOrder: BitOrder;
  /** Rows the receiver could not decode (BadFaxLines; CleanFaxData 2 when above zero). */
  badRows?: number;
  /** The longest run of consecutive bad rows (ConsecutiveBadFaxLines). */
  longestBadRun?: number;
}

/**
 * One page for TiffFBuilder: its strip as the file holds it (msb-first unless `lsbFirst`, FillOrder
 * 2) and what the receiver found (TIFF Class F BadFaxLines, CleanFaxData, ConsecutiveBadFaxLines).
 */
export interface TiffStripPage {
  width: number;
  height: number;
  resolution: Resolution;
  coding: Coding | 'none';
  strip: Uint8Array;
  lsbFirst?: boolean;
  /** MH/MR: every EOL ends on an octet boundary (T4Options bit 2). */
  alignedEols?: boolean;
  badRows?: number;
  longestBadRun?: number;
  /** Bad rows were replaced in the strip (CleanFaxData 1, "regenerated"), not left as received (2). */
  regenerated?: boolean;
}

/** Bytes to write at an offset of the file. */
export interface TiffPatch {
  at: number;
  bytes: Uint8Array;
}

/**
 * TIFF Class F built a page at a time, for a file written while the pages arrive: header(), then
 * per page the bytes to append (strip and directory, whose next-directory link is 0) and the
 * link patch that chains the page into the file. Written in that order (append, sync, link,
 * sync), the file on disk is a valid TIFF with every page linked so far at every moment.
 * PageNumber carries total 0 ("not known", TIFF 6.0) until totals() gives the patches that set it.
 */
export class TiffFBuilder {
  private offset = 8;
  private linkAt = 4;
  private readonly totalAt: number[] = [];

  constructor(private readonly software?: string) {}

  /** Little-endian header, no directory yet. */
  header(): Uint8Array {
    const header = new Uint8Array(8);
    const hv = new DataView(header.buffer);
    hv.setUint16(0, 0x4949, false);
    hv.setUint16(2, 42, true);
    return header;
  }

  /** File size so far (header and pages). */
  get size(): number {
    return this.offset;
  }

  get pages(): number {
    return this.totalAt.length;
  }

  /** Strip and directory of the next page, to append at `at`; `link` puts it into the chain. */
  addPage(page: TiffStripPage): { at: number; bytes: Uint8Array; link: TiffPatch } {
    const at = this.offset;
    const strip = page.strip;
    const stripLength = strip.length + (strip.length & 1); // directories start on a word boundary
    const dirAt = at + stripLength;
    const { width, height, coding } = page;
    const badRows = page.badRows ?? 0;
    const fields: Field[] = [
      [TAG.NewSubfileType, LONG, [2]],
      [TAG.ImageWidth, LONG, [width]],
      [TAG.ImageLength, LONG, [height]],
      [TAG.BitsPerSample, SHORT, [1]],
      [TAG.Compression, SHORT, [compressionOf(coding)]],
      [TAG.Photometric, SHORT, [0]],
      [TAG.FillOrder, SHORT, [page.lsbFirst ? 2 : 1]],
      [TAG.StripOffsets, LONG, [at]],
      [TAG.SamplesPerPixel, SHORT, [1]],
      [TAG.RowsPerStrip, LONG, [height]],
      [TAG.StripByteCounts, LONG, [strip.length]],
      [TAG.XResolution, RATIONAL, [204, 1]],
      [TAG.YResolution, RATIONAL, [LINES_PER_INCH[page.resolution], 1]],
      [TAG.PlanarConfiguration, SHORT, [1]],
    ];
    if (coding === 'mh' || coding === 'mr') {
      // T4Options: bit 0 two-dimensional coding, bit 2 EOLs octet-aligned (fill bits).
      fields.push([TAG.T4Options, LONG, [(page.alignedEols ? 4 : 0) | (coding === 'mr' ? 1 : 0)]]);
    }
    if (coding === 'mmr') fields.push([TAG.T6Options, LONG, [0]]);
    fields.push([TAG.ResolutionUnit, SHORT, [2]], [TAG.PageNumber, SHORT, [this.pages, 0]]);
    if (this.software) fields.push([TAG.Software, ASCII, this.software + '\0']);
    if (coding !== 'none') {
      // TIFF Class F: CleanFaxData 0 clean, 1 bad rows regenerated, 2 bad rows left as received.
      fields.push([TAG.CleanFaxData, SHORT, [badRows === 0 ? 0 : page.regenerated ? 1 : 2]]);
      if (badRows > 0) {
        fields.push([TAG.BadFaxLines, LONG, [badRows]]);
        fields.push([TAG.ConsecutiveBadFaxLines, LONG, [page.longestBadRun ?? 1]]);
      }
    }
    const dir = directory(fields, dirAt);
    const bytes = new Uint8Array(stripLength + dir.bytes.length);
    bytes.set(strip);
    bytes.set(dir.bytes, stripLength);
    const link = { at: this.linkAt, bytes: u32le(dirAt) };
    this.totalAt.push(dirAt + dir.entryAt(TAG.PageNumber) + 10); // the second SHORT of the value
    this.linkAt = dirAt + dir.nextAt;
    this.offset = dirAt + dir.bytes.length;
    return { at, bytes, link };
  }

  /** Patches that set PageNumber's total (the number of pages added) in every directory. */
  totals(): TiffPatch[] {
    const total = new Uint8Array(2);
    new DataView(total.buffer).setUint16(0, this.pages, true);
    return this.totalAt.map((at) => ({ at, bytes: total }));
  }
}

function u32le(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}

export function writeTiffF(pages: FaxPage[], options: TiffWriteOptions): Uint8Array {
  for (const p of pages) checkBitmap(p.bitmap);
  if (!['none', 'mh', 'mr', 'mmr'].includes(options.coding))
    throw new T4Error('bad-options', `unknown coding ${options.coding}`);
  return writeStrips(
    pages.map((p) => ({
      width: p.bitmap.width,
      height: p.bitmap.height,
      resolution: p.resolution,
      coding: options.coding,
      strip: stripOf(p, options.coding),
      alignedEols: options.coding === 'mh' || options.coding === 'mr',
    })),
    options.software,
  );
}

/** TIFF Class F of pages as coded for the line (FillOrder 2 for 'lsb-first' data), without re-coding. */
export function writeTiffCoded(pages: CodedPage[], options: { software?: string } = {}): Uint8Array {
  for (const p of pages) {
    if (!Number.isInteger(p.width) || p.width < 1 || !Number.isInteger(p.height) || p.height < 0) {
      throw new T4Error('bad-options', `bad page size ${p.width}×${p.height}`);
    }
    if (!['mh', 'mr', 'mmr'].includes(p.coding))
      throw new T4Error('bad-options', `unknown coding ${p.coding}`);
  }
  return writeStrips(
    pages.map((p) => ({
      width: p.width,
      height: p.height,
      resolution: p.resolution,
      coding: p.coding,
      strip: p.data,
      lsbFirst: p.bitOrder === 'lsb-first',
      badRows: p.badRows ?? 0,
      longestBadRun: p.longestBadRun,
    })),
    options.software,
  );
}

/** A whole file in memory: the incremental builder's pieces put in place. */
function writeStrips(pages: TiffStripPage[], software?: string): Uint8Array {
  const builder = new TiffFBuilder(software);
  const parts = pages.map((p) => builder.addPage(p));
  const out = new Uint8Array(builder.size);
  out.set(builder.header());
  for (const p of parts) {
    out.set(p.bytes, p.at);
    out.set(p.link.bytes, p.link.at);
  }
  for (const t of builder.totals()) out.set(t.bytes, t.at);
  return out;
}

function compressionOf(coding: Coding | 'none'): number {
  return coding === 'none' ? 1 : coding === 'mmr' ? 4 : 3;
}

function stripOf(page: FaxPage, coding: Coding | 'none'): Uint8Array {
  const b = page.bitmap;
  if (coding === 'none') {
    const stride = (b.width + 7) >> 3;
    const out = new Uint8Array(stride * b.height);
    for (let y = 0; y < b.height; y++)
      out.set(b.data.subarray(y * b.stride, y * b.stride + stride), y * stride);
    return out;
  }
  // TIFF strips carry neither RTC nor scan-time fill (TIFF 6.0 §11); MMR keeps its EOFB as libtiff does.
  return encodePage(b, {
    coding,
    kFactor: kFactorFor(page.resolution),
    bitOrder: 'msb-first',
    endOfPage: coding === 'mmr',
    alignEol: coding !== 'mmr',
    ecm: true,
  });
}

/** One directory at `at`, its out-of-line values right after it; nextAt is where the next-IFD link goes. */
function directory(
  fields: Field[],
  at: number,
): { bytes: Uint8Array; nextAt: number; entryAt: (tag: number) => number } {
  fields.sort((a, b) => a[0] - b[0]);
  const size = 2 + fields.length * 12 + 4;
  const sizes = fields.map(([, type, values]) =>
    type === RATIONAL
      ? 8 * (values.length / 2)
      : type === ASCII
        ? values.length
        : (type === SHORT ? 2 : 4) * values.length,
  );
  const extraSize = sizes.reduce((s, n) => s + (n > 4 ? n + (n & 1) : 0), 0);
  const bytes = new Uint8Array(size + extraSize);
  const v = new DataView(bytes.buffer);
  v.setUint16(0, fields.length, true);
  let extraAt = size;
  fields.forEach(([tag, type, values], i) => {
    const e = 2 + i * 12;
    const count = type === RATIONAL ? values.length / 2 : values.length;
    v.setUint16(e, tag, true);
    v.setUint16(e + 2, type, true);
    v.setUint32(e + 4, count, true);
    let p = e + 8;
    if (sizes[i] > 4) {
      v.setUint32(e + 8, at + extraAt, true);
      p = extraAt;
      extraAt += sizes[i] + (sizes[i] & 1);
    }
    for (let k = 0; k < values.length; k++) {
      if (typeof values === 'string') v.setUint8(p + k, values.charCodeAt(k) & 0x7f);
      else if (type === SHORT) v.setUint16(p + 2 * k, values[k], true);
      else v.setUint32(p + 4 * k, values[k], true);
    }
  });
  return { bytes, nextAt: size - 4, entryAt: (tag) => 2 + 12 * fields.findIndex((f) => f[0] === tag) };
}
