/**
 * Fax page bitmaps: packed 1-bit rows, most significant bit = leftmost pixel, 1 = black
 * (the lpfax page contract, ARCHITECTURE.md "Pages").
 */

import { T4Error } from './errors.js';

export interface Bitmap {
  width: number;
  height: number;
  /** Bytes per row, at least ceil(width / 8). */
  stride: number;
  data: Uint8Array;
}

/** Vertical resolutions of T.4 §2.2 / T.30 DIS bits: 3.85, 7.7 and 15.4 lines/mm (≈98/196/391 dpi). */
export type Resolution = 'standard' | 'fine' | 'superfine';

/** T.4 one-dimensional (MH), T.4 two-dimensional (MR), T.6 (MMR). */
export type Coding = 'mh' | 'mr' | 'mmr';

/**
 * Order of bits inside an octet. A Class 1 modem sends the least significant bit first
 * (T.31 §8.3.3), so line data is 'lsb-first'; TIFF FillOrder 1 is 'msb-first'.
 */
export type BitOrder = 'lsb-first' | 'msb-first';

export interface FaxPage {
  bitmap: Bitmap;
  resolution: Resolution;
  /**
   * Which document of the call the page belongs to (default 0). A sender ends a document with
   * EOM and negotiates the next one afresh (T.30 phase B again); pages of one document go with MPS.
   */
  document?: number;
}

/** Standard fax row widths in pixels at 8 pels/mm (T.4 §2.2): A4/Letter, B4, A3. */
export const FAX_WIDTH_A4 = 1728;
export const FAX_WIDTH_B4 = 2048;
export const FAX_WIDTH_A3 = 2432;

/** Vertical dots per inch of each resolution (T.4 §2.2); horizontal is 204 for all three. */
export const LINES_PER_INCH: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };

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
