/**
 * Binary PBM ("P4", netpbm pbm(5)): a text header `P4 <width> <height>` with optional `#` comments,
 * one whitespace byte, then rows of ceil(width / 8) bytes, most significant bit first, 1 = black.
 * That is exactly the layout of `Bitmap`, so rows are used as they come.
 *
 * Ghostscript's pbmraw device writes one such image per page, back to back, to its output; the
 * stream parser cuts that byte stream into pages.
 */
import type { Bitmap } from './bitmap.js';

export class PbmFormatError extends Error {
  override readonly name = 'PbmFormatError';
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** Longest header we accept: "P4", a few comment lines, the size. */
const MAX_HEADER = 4096;

interface PbmHeader {
  readonly width: number;
  readonly height: number;
  /** Bytes before the first row. */
  readonly length: number;
}

/** Parse a header at the start of `bytes`; undefined when more bytes are needed to finish it. */
function parseHeader(bytes: Uint8Array): PbmHeader | undefined {
  let pos = 0;
  /** The next token, or undefined if it may continue past the bytes we have. */
  const token = (): string | undefined => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos]!)) pos++;
      if (bytes[pos] !== 0x23 /* # */) break;
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < bytes.length && !isSpace(bytes[pos]!) && bytes[pos] !== 0x23) pos++;
    if (pos === bytes.length) return undefined;
    return Buffer.from(bytes.subarray(start, pos)).toString('latin1');
  };
  const magic = token();
  if (magic === undefined) {
    if (bytes.length >= 2 && (bytes[0] !== 0x50 || bytes[1] !== 0x34))
      throw new PbmFormatError('not a binary PBM (P4) image');
    return undefined;
  }
  if (magic !== 'P4') throw new PbmFormatError('not a binary PBM (P4) image');
  const widthText = token();
  const heightText = token();
  if (widthText === undefined || heightText === undefined) return undefined;
  const width = Number(widthText);
  const height = Number(heightText);
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new PbmFormatError('bad PBM image size');
  }
  if (!isSpace(bytes[pos]!)) throw new PbmFormatError('PBM header not followed by whitespace');
  return { width, height, length: pos + 1 };
}

/** One PBM image held in a buffer (e.g. a file). */
export function parsePbm(file: Uint8Array): Bitmap {
  const header = parseHeader(file);
  if (!header) throw new PbmFormatError('PBM header truncated');
  const stride = (header.width + 7) >> 3;
  const size = stride * header.height;
  if (file.length - header.length < size) {
    throw new PbmFormatError(`PBM image truncated: ${file.length - header.length} of ${size} bytes`);
  }
  const data = new Uint8Array(file.buffer, file.byteOffset + header.length, size);
  return { width: header.width, height: header.height, stride, data };
}

/**
 * Cuts a stream of concatenated PBM images into bitmaps. Each page's rows are copied once, from
 * the stream's chunks into a buffer of exactly the page's size.
 */
export class PbmStreamParser {
  private header: Uint8Array = new Uint8Array(0);
  private page: { width: number; height: number; stride: number; data: Uint8Array } | undefined;
  private filled = 0;

  /** Feed a chunk; returns the pages it completed (usually none or one). */
  push(chunk: Uint8Array): Bitmap[] {
    const done: Bitmap[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (!this.page) {
        const bytes = concat(this.header, rest);
        const header = parseHeader(bytes);
        if (!header) {
          if (bytes.length > MAX_HEADER) throw new PbmFormatError('PBM header too long');
          this.header = bytes;
          return done;
        }
        const stride = (header.width + 7) >> 3;
        // Every byte is written before the page is handed out: no need to zero it first.
        const data = new Uint8Array(
          Buffer.allocUnsafeSlow(stride * header.height).buffer,
          0,
          stride * header.height,
        );
        this.page = { ...header, stride, data };
        this.filled = 0;
        rest = bytes.subarray(header.length);
        this.header = new Uint8Array(0);
        continue;
      }
      const take = Math.min(rest.length, this.page.data.length - this.filled);
      this.page.data.set(rest.subarray(0, take), this.filled);
      this.filled += take;
      rest = rest.subarray(take);
      if (this.filled === this.page.data.length) {
        const { width, height, stride, data } = this.page;
        done.push({ width, height, stride, data });
        this.page = undefined;
      }
    }
    return done;
  }

  /** True when the stream ended inside an image (the writer stopped mid-page). */
  get midImage(): boolean {
    return this.page !== undefined || this.header.length > 0;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
