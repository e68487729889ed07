/**
 * Reader for binary PBM ("P4", netpbm pbm(5)): a text header `P4 <width> <height>` with optional
 * `#` comments, one whitespace byte, then rows of ceil(width / 8) bytes, most significant bit
 * first, 1 = black. That is exactly the layout of `Bitmap`, so the rows are used without copying.
 */
import type { Bitmap } from './bitmap.js';

export class PbmFormatError extends Error {
  override readonly name = 'PbmFormatError';
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

export function parsePbm(file: Uint8Array): Bitmap {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < file.length && isSpace(file[pos]!)) pos++;
      if (file[pos] !== 0x23 /* # */) break;
      while (pos < file.length && file[pos] !== 0x0a && file[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < file.length && !isSpace(file[pos]!) && file[pos] !== 0x23) pos++;
    return Buffer.from(file.subarray(start, pos)).toString('latin1');
  };

  if (token() !== 'P4') throw new PbmFormatError('not a binary PBM (P4) image');
  const width = Number(token());
  const height = Number(token());
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width <= 0 || height <= 0) {
    throw new PbmFormatError('bad PBM image size');
  }
  if (!isSpace(file[pos] ?? 0)) throw new PbmFormatError('PBM header not followed by whitespace');
  pos++;

  const stride = (width + 7) >> 3;
  const size = stride * height;
  if (file.length - pos < size) {
    throw new PbmFormatError(`PBM image truncated: ${file.length - pos} of ${size} bytes`);
  }
  const data = new Uint8Array(file.buffer, file.byteOffset + pos, size);
  return { width, height, stride, data };
}
