/**
 * Vertical resolution changes (T.4 §2.2: 15.4, 7.7 and 3.85 lines/mm) for a far end that cannot
 * take what we have. Going down combines each pair of rows by OR, so a one-row thin horizontal
 * line (a form rule, a table border) survives instead of vanishing with a dropped row. Going up
 * repeats rows. Horizontal resolution (8 pels/mm) is the same at all three.
 */
import { checkBitmap } from './bitmap.js';
import type { Resolution } from '../itu/page.js';
import type { Bitmap } from './bitmap.js';
import { T4Error } from './errors.js';

const LEVEL: Record<Resolution, number> = { standard: 0, fine: 1, superfine: 2 };

export function convertResolution(bitmap: Bitmap, from: Resolution, to: Resolution): Bitmap {
  if (!(from in LEVEL) || !(to in LEVEL))
    throw new T4Error('bad-options', `unknown resolution ${from} → ${to}`);
  checkBitmap(bitmap);
  let out = bitmap;
  for (let level = LEVEL[from]; level > LEVEL[to]; level--) out = halveRows(out);
  for (let level = LEVEL[from]; level < LEVEL[to]; level++) out = doubleRows(out);
  return out === bitmap ? copy(bitmap) : out;
}

/** Row pairs OR-ed into one row; an odd last row stands alone. */
function halveRows(b: Bitmap): Bitmap {
  const { width, stride } = b;
  const height = (b.height + 1) >> 1;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const src = 2 * y * stride;
    const dst = y * stride;
    if (2 * y + 1 < b.height) {
      for (let i = 0; i < stride; i++) data[dst + i] = b.data[src + i] | b.data[src + stride + i];
    } else {
      data.set(b.data.subarray(src, src + stride), dst);
    }
  }
  return { width, height, stride, data };
}

function doubleRows(b: Bitmap): Bitmap {
  const { width, stride } = b;
  const height = b.height * 2;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < b.height; y++) {
    const row = b.data.subarray(y * stride, (y + 1) * stride);
    data.set(row, 2 * y * stride);
    data.set(row, (2 * y + 1) * stride);
  }
  return { width, height, stride, data };
}

function copy(b: Bitmap): Bitmap {
  return { width: b.width, height: b.height, stride: b.stride, data: b.data.slice(0, b.stride * b.height) };
}
