/**
 * A dense full A4 page at fine resolution (1728 × 2200 rows) for the line benchmarks and the
 * low-rate tests: a block of text-like strokes, a ruled form, and an ordered-dither photo. It is
 * drawn from a fixed seed, so every run sends the same octets. The three parts code very
 * differently (text: many short runs; the form: long runs and vertical lines that MR/MMR code in a
 * few bits; the dither: a transition every pixel or two, which no T.4 coding compresses much), so
 * the page exercises the coder, the line and the receiver's decoder at once.
 */
import { createBitmap, setPixel, type Bitmap } from '../lib/t4/index.js';

export const DENSE_WIDTH = 1728;
/** A4 is 297 mm, about 2290 rows at 7.7 lines/mm; 2200 leaves the margins a scan has. */
export const DENSE_ROWS = 2200;

/** A small deterministic generator (mulberry32), so the page is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 4 × 4 Bayer matrix, thresholds 0…15. */
const BAYER = [
  [0, 8, 2, 10],
  [12, 4, 14, 6],
  [3, 11, 1, 9],
  [15, 7, 13, 5],
];

function fill(b: Bitmap, x0: number, y0: number, w: number, h: number): void {
  for (let y = y0; y < y0 + h && y < b.height; y++)
    for (let x = x0; x < x0 + w && x < b.width; x++) setPixel(b, x, y, true);
}

/**
 * Text: lines 32 rows apart (about 4 mm, a 10-point line at fine resolution), each of words made
 * of glyph cells 14 px wide and 20 rows high, every glyph a few random strokes (stems, bars,
 * dots), as a page of typed text looks to a T.4 coder.
 */
function drawText(b: Bitmap, top: number, bottom: number, rnd: () => number): void {
  for (let base = top; base + 20 <= bottom; base += 32) {
    let x = 100;
    const right = 1628 - Math.floor(rnd() * 200); // ragged right margin
    while (x < right) {
      const letters = 2 + Math.floor(rnd() * 8);
      for (let l = 0; l < letters && x + 14 < right; l++, x += 16) {
        const strokes = 2 + Math.floor(rnd() * 3);
        for (let s = 0; s < strokes; s++) {
          const kind = rnd();
          if (kind < 0.45) fill(b, x + Math.floor(rnd() * 11), base + Math.floor(rnd() * 6), 3, 14);
          else if (kind < 0.85) fill(b, x, base + Math.floor(rnd() * 18), 11 + Math.floor(rnd() * 3), 2);
          else fill(b, x + Math.floor(rnd() * 10), base + Math.floor(rnd() * 16), 4, 4);
        }
      }
      x += 14; // word space
    }
  }
}

/** A ruled form: a frame, rows every 44 rows, four columns, a heading band. */
function drawForm(b: Bitmap, top: number, bottom: number): void {
  const left = 100;
  const right = 1628;
  fill(b, left, top, right - left, 3);
  fill(b, left, bottom - 3, right - left, 3);
  fill(b, left, top, 3, bottom - top);
  fill(b, right - 3, top, 3, bottom - top);
  for (let y = top + 44; y < bottom - 20; y += 44) fill(b, left, y, right - left, 1);
  for (const x of [420, 760, 1200]) fill(b, x, top, 2, bottom - top);
  fill(b, left, top, right - left, 40); // the heading band, solid
}

/** A photo, dithered: a radial gradient with a brighter disc, thresholded by the Bayer matrix. */
function drawDither(b: Bitmap, top: number, bottom: number): void {
  const left = 514;
  const right = 1214;
  const cx = (left + right) / 2;
  const cy = (top + bottom) / 2;
  const r = Math.max(right - left, bottom - top) / 2;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const d = Math.hypot(x - cx, (y - cy) * 1.4) / r;
      let grey = Math.min(1, 0.15 + 0.8 * d); // dark centre, light edge
      if (Math.hypot(x - cx - r * 0.3, y - cy + r * 0.2) < r * 0.18) grey = 0.9; // a highlight
      if (grey * 16 < BAYER[y & 3]![x & 3]! + 0.5) setPixel(b, x, y, true);
    }
  }
}

/** The page: text, a form, a dithered photo, and text again below it. */
export function densePage(seed = 1): Bitmap {
  const b = createBitmap(DENSE_WIDTH, DENSE_ROWS);
  const rnd = random(seed);
  drawText(b, 80, 820, rnd);
  drawForm(b, 860, 1300);
  drawDither(b, 1340, 1580);
  drawText(b, 1620, 2140, rnd);
  return b;
}
