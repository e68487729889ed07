/**
 * Writing TIFF Class F (the fax profile of TIFF, Adobe/Aldus 1990 and RFC 2306): one strip per
 * page, bilevel, PhotometricInterpretation 0 (white is zero), FillOrder 1, XResolution 204 and
 * YResolution 98/196/391 per inch, NewSubfileType "page", PageNumber n of total, and the page
 * coded MH or MR with octet-aligned EOLs (T4Options fill bit) or MMR (Compression 4).
 */
import { checkBitmap, LINES_PER_INCH } from './bitmap.js';
import { T4Error } from './errors.js';
import type { Coding, FaxPage } from './bitmap.js';
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

export function writeTiffF(pages: FaxPage[], options: TiffWriteOptions): Uint8Array {
  for (const p of pages) checkBitmap(p.bitmap);
  if (!['none', 'mh', 'mr', 'mmr'].includes(options.coding))
    throw new T4Error('bad-options', `unknown coding ${options.coding}`);
  const strips = pages.map((p) => stripOf(p, options.coding));
  // Layout: header, then for each page its strip, its directory and the directory's out-of-line values.
  const chunks: Uint8Array[] = [];
  let offset = 8;
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  hv.setUint16(0, 0x4949, false);
  hv.setUint16(2, 42, true);
  chunks.push(header);
  let linkAt = 4; // where the offset of the next directory goes
  let linkChunk: Uint8Array = header;
  pages.forEach((page, i) => {
    const strip = strips[i];
    const stripOffset = offset;
    chunks.push(strip);
    offset += strip.length;
    if (offset & 1) {
      chunks.push(new Uint8Array(1));
      offset++;
    }
    const { width, height } = page.bitmap;
    const fields: Field[] = [
      [TAG.NewSubfileType, LONG, [2]],
      [TAG.ImageWidth, LONG, [width]],
      [TAG.ImageLength, LONG, [height]],
      [TAG.BitsPerSample, SHORT, [1]],
      [TAG.Compression, SHORT, [compressionOf(options.coding)]],
      [TAG.Photometric, SHORT, [0]],
      [TAG.FillOrder, SHORT, [1]],
      [TAG.StripOffsets, LONG, [stripOffset]],
      [TAG.SamplesPerPixel, SHORT, [1]],
      [TAG.RowsPerStrip, LONG, [height]],
      [TAG.StripByteCounts, LONG, [strip.length]],
      [TAG.XResolution, RATIONAL, [204, 1]],
      [TAG.YResolution, RATIONAL, [LINES_PER_INCH[page.resolution], 1]],
      [TAG.PlanarConfiguration, SHORT, [1]],
    ];
    if (options.coding === 'mh' || options.coding === 'mr') {
      fields.push([TAG.T4Options, LONG, [4 | (options.coding === 'mr' ? 1 : 0)]]);
    }
    if (options.coding === 'mmr') fields.push([TAG.T6Options, LONG, [0]]);
    fields.push([TAG.ResolutionUnit, SHORT, [2]], [TAG.PageNumber, SHORT, [i, pages.length]]);
    if (options.software) fields.push([TAG.Software, ASCII, options.software + '\0']);
    if (options.coding !== 'none') fields.push([TAG.CleanFaxData, SHORT, [0]]);
    const dir = directory(fields, offset);
    chunks.push(dir.bytes);
    new DataView(linkChunk.buffer).setUint32(linkAt, offset, true);
    linkChunk = dir.bytes;
    linkAt = dir.nextAt;
    offset += dir.bytes.length;
  });
  const out = new Uint8Array(offset);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
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
function directory(fields: Field[], at: number): { bytes: Uint8Array; nextAt: number } {
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
  return { bytes, nextAt: size - 4 };
}
