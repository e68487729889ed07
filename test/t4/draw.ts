/** Small drawing helpers for test pages. */
import { createBitmap } from '../../lib/t4/bitmap.js';
import type { Bitmap } from '../../lib/t4/bitmap.js';

export { createBitmap };

export function fillRect(b: Bitmap, x0: number, y0: number, w: number, h: number): void {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) b.data[y * b.stride + (x >> 3)] |= 0x80 >> (x & 7);
  }
}

/** Deterministic pseudo-random numbers (mulberry32) so the suite is repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
