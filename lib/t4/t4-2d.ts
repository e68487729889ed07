/**
 * Two-dimensional coding of a row against its reference row: T.4 §4.2.1.3 (MR), shared by
 * T.6 §2.2 (MMR). Rows are handled as changing elements (see runs.ts); the reference array must
 * end with three sentinels equal to the width (the imaginary b1/b2 past the row end).
 */
import { BitWriter } from './bit-writer.js';
import { BitReader } from './bit-reader.js';
import {
  decodeRun,
  putRun,
  ROW_BACKWARDS,
  ROW_EOL,
  ROW_EXTENSION,
  ROW_INVALID_CODE,
  ROW_TOO_LONG,
  ROW_TRUNCATED,
} from './t4-1d.js';
import {
  BLACK_CODES,
  HORIZONTAL_CODE,
  HORIZONTAL_LENGTH,
  MODE_EXTENSION,
  MODE_HORIZONTAL,
  MODE_LOOKUP,
  MODE_PASS,
  MODE_V0,
  MODE_ZEROS,
  PASS_CODE,
  PASS_LENGTH,
  VERTICAL_CODE,
  VERTICAL_LENGTH,
  WHITE_CODES,
} from './t4-codes.js';

/** Appends the three sentinels that make a changes array usable as a reference row. */
export function terminateChanges(changes: Int32Array, count: number, width: number): void {
  changes[count] = width;
  changes[count + 1] = width;
  changes[count + 2] = width;
}

/**
 * Codes the row `cur` against `ref` (T.4 §4.2.1.3.2, Figure 7/T.4 flow): pass mode when b2 lies
 * left of a1, vertical mode when |a1 − b1| ≤ 3, horizontal mode otherwise. Both arrays carry
 * sentinels (terminateChanges). a0 starts on the imaginary white element before the row.
 */
export function encode2DRow(w: BitWriter, ref: Int32Array, cur: Int32Array, width: number): void {
  let a0 = -1;
  let ia = 0; // cur[ia] = a1; its parity is the colour of a0 (even = white)
  let j = 0; // first reference change right of a0
  for (;;) {
    while (ref[j] <= a0) j++;
    const bi = j + ((j ^ ia) & 1); // b1 changes to the colour opposite a0's
    const b1 = ref[bi];
    const b2 = ref[bi + 1];
    const a1 = cur[ia];
    if (b2 < a1) {
      w.put(PASS_CODE, PASS_LENGTH); // §4.2.1.3.2 a) pass mode
      a0 = b2;
      continue;
    }
    const d = a1 - b1;
    if (d >= -3 && d <= 3) {
      w.put(VERTICAL_CODE[d + 3], VERTICAL_LENGTH[d + 3]); // b) vertical mode
      a0 = a1;
      ia++;
    } else {
      const a2 = cur[ia + 1]; // c) horizontal mode: runs a0a1 and a1a2
      w.put(HORIZONTAL_CODE, HORIZONTAL_LENGTH);
      const black = (ia & 1) !== 0;
      putRun(w, black ? BLACK_CODES : WHITE_CODES, a1 - (a0 < 0 ? 0 : a0));
      putRun(w, black ? WHITE_CODES : BLACK_CODES, a2 - a1);
      a0 = a2;
      ia += 2;
    }
    if (a0 >= width) return;
  }
}

/**
 * Decodes a 2-D row against `ref` into `out` (room for width + 3); returns the number of changing
 * elements, or a negative ROW_ code (ROW_EOL when an EOL or EOFB starts where a mode was due).
 */
export function decode2DRow(r: BitReader, ref: Int32Array, out: Int32Array, width: number): number {
  let a0 = -1;
  let n = 0;
  let j = 0;
  while (a0 < width) {
    while (ref[j] <= a0) j++;
    const bi = j + ((j ^ n) & 1);
    const entry = MODE_LOOKUP[r.peek7()];
    const mode = entry >> 4;
    r.pos += entry & 15;
    if (mode >= 3 && mode <= 9) {
      const a1 = ref[bi] + mode - MODE_V0;
      if (a1 < 0 || a1 < a0) return ROW_BACKWARDS;
      if (a1 > width) return ROW_TOO_LONG;
      a0 = a1;
      if (a1 === width) break;
      if (n > 0 && out[n - 1] === a1) n--;
      else out[n++] = a1;
    } else if (mode === MODE_PASS) {
      a0 = ref[bi + 1];
    } else if (mode === MODE_HORIZONTAL) {
      const start = a0 < 0 ? 0 : a0;
      const black = (n & 1) !== 0;
      const r1 = decodeRun(r, black, width);
      if (r1 < 0) return r1;
      const r2 = decodeRun(r, !black, width);
      if (r2 < 0) return r2;
      const a1 = start + r1;
      const a2 = a1 + r2;
      if (a2 > width) return ROW_TOO_LONG;
      a0 = a2;
      if (a1 === width) break;
      if (n > 0 && out[n - 1] === a1) n--;
      else out[n++] = a1;
      if (a2 === width) break;
      if (out[n - 1] === a2) n--;
      else out[n++] = a2;
    } else {
      r.pos -= entry & 15;
      if (r.pos >= r.end) return ROW_TRUNCATED;
      if (mode === MODE_ZEROS && r.peek12() === 1) return ROW_EOL;
      return mode === MODE_EXTENSION ? ROW_EXTENSION : ROW_INVALID_CODE;
    }
  }
  if (r.pos > r.end) return ROW_TRUNCATED;
  return n;
}
