/**
 * Reading fax TIFFs (TIFF 6.0 Section 11 bilevel images with CCITT compression, TIFF Class F)
 * as written by Ghostscript (tiffg3, tiffg32d, tiffg4, tiffcrle), libtiff tools and sharp.
 * Writing TIFF Class F is in tiff-write.ts.
 */
import { inflateSync } from 'node:zlib';
import { MAX_HEIGHT, MAX_WIDTH } from './bitmap.js';
import type { T4Coding as Coding, Resolution } from '../itu/page.js';
import type { Bitmap, FaxPage } from './bitmap.js';
import { reverseBits } from '../itu/bit-order.js';
import { decodePage } from './t4-decode.js';
import { Ifd, TAG, TiffError, TiffStructure } from './tiff-ifd.js';
import { lzwDecode } from './tiff-lzw.js';

export { TiffError } from './tiff-ifd.js';
export type { TiffErrorKind } from './tiff-ifd.js';
export { TiffFBuilder, writeTiffCoded, writeTiffF } from './tiff-write.js';
export type { CodedPage, TiffPatch, TiffStripPage, TiffWriteOptions } from './tiff-write.js';

/** A page read from a TIFF, with what the file said about it. */
export interface TiffPage extends FaxPage {
  /** Horizontal and vertical dots per inch from the resolution tags (0 when absent). */
  xDpi: number;
  yDpi: number;
  /** MH/MR rows that did not decode (replaced by the row above). */
  badRows: number;
}

/** TIFF Compression values (TIFF 6.0 §3, §10, §11; 32771 and 32773 from libtiff). */
const COMPRESSION_NONE = 1;
const COMPRESSION_CCITT_RLE = 2;
const COMPRESSION_T4 = 3;
const COMPRESSION_T6 = 4;
const COMPRESSION_LZW = 5;
const COMPRESSION_DEFLATE = 8;
const COMPRESSION_CCITT_RLEW = 32771;
const COMPRESSION_PACKBITS = 32773;
const COMPRESSION_DEFLATE_OLD = 32946;

/** Maps a vertical resolution to the nearest fax resolution (T.4 §2.2: 3.85, 7.7, 15.4 lines/mm). */
export function resolutionFromDpi(yDpi: number): Resolution {
  if (yDpi > 0 && yDpi < 150) return 'standard';
  if (yDpi >= 300) return 'superfine';
  return 'fine';
}

function one(ifd: Ifd, tag: number, fallback?: number): number {
  const v = ifd.get(tag);
  if (v && v.length > 0) return v[0];
  if (fallback === undefined) throw new TiffError('corrupt', `required tag ${tag} missing`);
  return fallback;
}

/** Total decoded bytes readTiff keeps at once (all pages); readTiffPages holds one page at a time. */
export const MAX_TIFF_BYTES = 256 * 1024 * 1024;

/** Reads every page of a TIFF file. Throws TiffError (or T4DecodeError for a broken MMR strip). */
export function readTiff(buf: Uint8Array): TiffPage[] {
  const pages: TiffPage[] = [];
  let bytes = 0;
  for (const page of readTiffPages(buf)) {
    bytes += page.bitmap.data.length;
    if (bytes > MAX_TIFF_BYTES)
      throw new TiffError('unsupported', `pages larger than ${MAX_TIFF_BYTES} bytes in all`);
    pages.push(page);
  }
  return pages;
}

/** The pages of a TIFF file one at a time, decoded as they are taken (memory: one page). */
export function* readTiffPages(buf: Uint8Array): Generator<TiffPage> {
  const tiff = new TiffStructure(buf);
  for (const ifd of tiff.directories()) yield readPage(tiff, ifd);
}

function readPage(tiff: TiffStructure, ifd: Ifd): TiffPage {
  const width = one(ifd, TAG.ImageWidth);
  const height = one(ifd, TAG.ImageLength);
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new TiffError('unsupported', `image width ${width} outside 1..${MAX_WIDTH}`);
  }
  if (!Number.isInteger(height) || height < 1 || height > MAX_HEIGHT) {
    throw new TiffError('unsupported', `image length ${height} outside 1..${MAX_HEIGHT}`);
  }
  const bits = ifd.get(TAG.BitsPerSample) ?? [1];
  const samples = one(ifd, TAG.SamplesPerPixel, 1);
  if (bits.some((b) => b !== 1) || samples !== 1) {
    throw new TiffError('unsupported', `not a bilevel image (${bits.join(',')} bits, ${samples} samples)`);
  }
  const compression = one(ifd, TAG.Compression, COMPRESSION_NONE);
  const photometric = one(ifd, TAG.Photometric, 0);
  if (photometric !== 0 && photometric !== 1)
    throw new TiffError('unsupported', `photometric ${photometric}`);
  const lsbFirst = one(ifd, TAG.FillOrder, 1) === 2;
  if (one(ifd, TAG.Predictor, 1) !== 1) throw new TiffError('unsupported', 'predictor on a bilevel image');
  const offsets = ifd.get(TAG.StripOffsets);
  const counts = ifd.get(TAG.StripByteCounts);
  if (!offsets || !counts || offsets.length !== counts.length) {
    throw new TiffError('corrupt', 'strip offsets and byte counts missing or mismatched');
  }
  const rowsPerStrip = Math.min(one(ifd, TAG.RowsPerStrip, height), height) || height;
  const stride = (width + 7) >> 3;
  const data = new Uint8Array(stride * height);
  const coding = codingOf(compression, one(ifd, TAG.T4Options, 0), one(ifd, TAG.T6Options, 0));
  let row = 0;
  let badRows = 0;
  for (let s = 0; s < offsets.length && row < height; s++) {
    tiff.check(offsets[s], counts[s]);
    const strip = tiff.buf.subarray(offsets[s], offsets[s] + counts[s]);
    const rows = Math.min(rowsPerStrip, height - row);
    const out = data.subarray(row * stride, (row + rows) * stride);
    if (coding) {
      const page = decodePage(strip, {
        coding,
        width,
        bitOrder: lsbFirst ? 'lsb-first' : 'msb-first',
        height: rows,
        maxRows: rows,
        byteAlignedRows: compression === COMPRESSION_CCITT_RLE || compression === COMPRESSION_CCITT_RLEW,
      });
      out.set(page.bitmap.data);
      // Rows the strip should have held but did not are lost rows, as a receiver would count them.
      badRows += page.badRows + (rows - page.bitmap.height);
    } else {
      const raw = uncompress(compression, strip, out.length);
      out.set(raw.subarray(0, Math.min(raw.length, out.length)));
      if (lsbFirst) reverseBits(out);
    }
    row += rows;
  }
  // Our bitmaps have 1 = black: invert when 0 means black (TIFF 6.0 §3, PhotometricInterpretation).
  if (photometric === 1) for (let i = 0; i < data.length; i++) data[i] ^= 0xff;
  const bitmap: Bitmap = { width, height, stride, data };
  const unit = one(ifd, TAG.ResolutionUnit, 2);
  const perInch = unit === 3 ? 2.54 : 1;
  const xDpi = one(ifd, TAG.XResolution, 0) * perInch;
  const yDpi = one(ifd, TAG.YResolution, 0) * perInch;
  return { bitmap, resolution: resolutionFromDpi(yDpi), xDpi, yDpi, badRows };
}

function codingOf(compression: number, t4Options: number, t6Options: number): Coding | undefined {
  switch (compression) {
    case COMPRESSION_CCITT_RLE:
    case COMPRESSION_CCITT_RLEW:
      return 'mh';
    case COMPRESSION_T4:
      if (t4Options & 2) throw new TiffError('unsupported', 'T4Options: uncompressed mode');
      return t4Options & 1 ? 'mr' : 'mh';
    case COMPRESSION_T6:
      if (t6Options & 2) throw new TiffError('unsupported', 'T6Options: uncompressed mode');
      return 'mmr';
    case COMPRESSION_NONE:
    case COMPRESSION_PACKBITS:
    case COMPRESSION_LZW:
    case COMPRESSION_DEFLATE:
    case COMPRESSION_DEFLATE_OLD:
      return undefined;
    default:
      throw new TiffError('unsupported', `compression ${compression}`);
  }
}

function uncompress(compression: number, strip: Uint8Array, size: number): Uint8Array {
  if (compression === COMPRESSION_PACKBITS) return unpackBits(strip, size);
  if (compression === COMPRESSION_LZW) return lzwDecode(strip, size);
  if (compression === COMPRESSION_DEFLATE || compression === COMPRESSION_DEFLATE_OLD) {
    try {
      return inflateSync(strip, { maxOutputLength: Math.max(size, 1) });
    } catch (e) {
      throw new TiffError('corrupt', `deflate strip: ${(e as Error).message}`);
    }
  }
  return strip;
}

/** PackBits (TIFF 6.0 §9), stopping at `size` output bytes. */
function unpackBits(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let i = 0;
  let o = 0;
  while (i < src.length && o < size) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const len = Math.min(n + 1, size - o, src.length - i);
      out.set(src.subarray(i, i + len), o);
      i += n + 1;
      o += len;
    } else if (n !== -128) {
      const len = Math.min(1 - n, size - o);
      if (i < src.length) out.fill(src[i], o, o + len);
      i++;
      o += len;
    }
  }
  return out;
}
