/**
 * Fax page bitmaps: packed 1-bit rows, most significant bit = leftmost pixel, 1 = black
 * (the lpfax page contract, ARCHITECTURE.md "Pages").
 */

import type { Resolution } from '../itu/page.js';
import { T4Error } from './errors.js';

export interface Bitmap {
  width: number;
  height: number;
  /** Bytes per row, at least ceil(width / 8). */
  stride: number;
  data: Uint8Array;
}

export interface FaxPage {
  bitmap: Bitmap;
  resolution: Resolution;
  /**
   * Which document of the call the page belongs to (default 0). A sender ends a document with
   * EOM and negotiates the next one afresh (T.30 phase B again); pages of one document go with MPS.
   */
  document?: number;
}

/** Largest width and height we accept from any input, so memory stays bounded (A3 at 16 pels/mm, 2 m long). */
export const MAX_WIDTH = 4864;
export const MAX_HEIGHT = 32768;

/** A white bitmap of the given size. */
export function createBitmap(width: number, height: number): Bitmap {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
    throw new T4Error('bad-options', `bitmap width ${width} outside 1..${MAX_WIDTH}`);
  }
  if (!Number.isInteger(height) || height < 0 || height > MAX_HEIGHT) {
    throw new T4Error('bad-options', `bitmap height ${height} outside 0..${MAX_HEIGHT}`);
  }
  const stride = (width + 7) >> 3;
  return { width, height, stride, data: new Uint8Array(stride * height) };
}

/** Pixel value (1 = black) at (x, y). */
export function getPixel(bitmap: Bitmap, x: number, y: number): number {
  return (bitmap.data[y * bitmap.stride + (x >> 3)] >> (7 - (x & 7))) & 1;
}

export function setPixel(bitmap: Bitmap, x: number, y: number, black: boolean): void {
  const i = y * bitmap.stride + (x >> 3);
  const mask = 0x80 >> (x & 7);
  bitmap.data[i] = black ? bitmap.data[i] | mask : bitmap.data[i] & ~mask;
}

/** True when both bitmaps have the same size and the same pixels (padding bits ignored). */
export function bitmapsEqual(a: Bitmap, b: Bitmap): boolean {
  return firstDifferentRow(a, b) === -1 && a.width === b.width && a.height === b.height;
}

/** The first row that differs (or -1); a size mismatch reports row 0. Padding bits are ignored. */
export function firstDifferentRow(a: Bitmap, b: Bitmap): number {
  if (a.width !== b.width || a.height !== b.height) return 0;
  const full = a.width >> 3;
  const tailMask = (0xff00 >> (a.width & 7)) & 0xff;
  for (let y = 0; y < a.height; y++) {
    const oa = y * a.stride;
    const ob = y * b.stride;
    for (let i = 0; i < full; i++) if (a.data[oa + i] !== b.data[ob + i]) return y;
    if (tailMask !== 0 && ((a.data[oa + full] ^ b.data[ob + full]) & tailMask) !== 0) return y;
  }
  return -1;
}

/** Throws a 'bad-options' T4Error unless the bitmap's fields describe a buffer that holds it. */
export function checkBitmap(b: Bitmap): void {
  const ok =
    Number.isInteger(b.width) &&
    b.width >= 1 &&
    b.width <= MAX_WIDTH &&
    Number.isInteger(b.height) &&
    b.height >= 0 &&
    b.height <= MAX_HEIGHT &&
    Number.isInteger(b.stride) &&
    b.stride >= (b.width + 7) >> 3 &&
    b.data instanceof Uint8Array &&
    (b.height === 0 || b.data.length >= b.stride * (b.height - 1) + ((b.width + 7) >> 3));
  if (!ok)
    throw new T4Error(
      'bad-options',
      `bitmap ${b.width}×${b.height} (stride ${b.stride}) does not fit its data`,
    );
}
