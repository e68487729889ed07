/**
 * One-dimensional coding (T.4 §4.1.1, Modified Huffman): a row is alternate white and black
 * runs, starting with white; each run is an optional make-up code and a terminating code.
 * Also the run coding used by horizontal mode in 2-D coding (T.4 §4.2.1.3.3).
 */
import { BitWriter } from './bit-writer.js';
import { BitReader } from './bit-reader.js';
import {
  BLACK_CODES,
  BLACK_LOOKUP,
  KIND_EOL,
  KIND_MAKEUP,
  KIND_TERMINATING,
  RunCodes,
  WHITE_CODES,
  WHITE_LOOKUP,
} from './t4-codes.js';

/** Row decoding results below zero. */
export const ROW_INVALID_CODE = -1;
export const ROW_EOL = -2;
export const ROW_TOO_LONG = -3;
export const ROW_EXTENSION = -4;
export const ROW_TRUNCATED = -5;
export const ROW_BACKWARDS = -6;

/** Writes one run: make-ups of 2560 while the run is at least 2624, a make-up, a terminating code. */
export function putRun(w: BitWriter, codes: RunCodes, run: number): void {
  while (run >= 2624) {
    w.put(codes.makeupCode[40], codes.makeupLength[40]);
    run -= 2560;
  }
  if (run >= 64) {
    const m = run >> 6;
    w.put(codes.makeupCode[m], codes.makeupLength[m]);
    run &= 63;
  }
  w.put(codes.termCode[run], codes.termLength[run]);
}

/** Codes a row given by its changing elements (T.4 §4.1.1). */
export function encode1DRow(w: BitWriter, changes: Int32Array, count: number, width: number): void {
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const c = changes[i];
    putRun(w, (i & 1) === 0 ? WHITE_CODES : BLACK_CODES, c - prev);
    prev = c;
  }
  putRun(w, (count & 1) === 0 ? WHITE_CODES : BLACK_CODES, width - prev);
}

/**
 * Reads one run (make-ups and a terminating code) of the given colour. Returns the run length, or
 * ROW_EOL / ROW_INVALID_CODE / ROW_TOO_LONG / ROW_TRUNCATED.
 */
export function decodeRun(r: BitReader, black: boolean, limit: number): number {
  const lookup = black ? BLACK_LOOKUP : WHITE_LOOKUP;
  let run = 0;
  for (;;) {
    const entry = lookup[r.peek13()];
    const kind = (entry >> 4) & 15;
    if (kind === KIND_TERMINATING) {
      r.pos += entry & 15;
      run += entry >> 8;
      break;
    }
    if (kind === KIND_MAKEUP) {
      r.pos += entry & 15;
      run += entry >> 8;
      if (run > limit) return ROW_TOO_LONG;
      continue;
    }
    if (r.pos >= r.end) return ROW_TRUNCATED;
    return kind === KIND_EOL ? ROW_EOL : ROW_INVALID_CODE;
  }
  if (r.pos > r.end) return ROW_TRUNCATED;
  return run;
}

/**
 * Decodes a 1-D row into changing elements `out` (room for width + 3); returns their count or a
 * negative ROW_ code. Zero-length runs inside a row merge with their neighbours.
 */
export function decode1DRow(r: BitReader, out: Int32Array, width: number): number {
  let a0 = 0;
  let n = 0;
  let black = false;
  for (;;) {
    const run = decodeRun(r, black, width);
    if (run < 0) return run;
    a0 += run;
    if (a0 > width) return ROW_TOO_LONG;
    if (a0 === width) return n;
    if (n > 0 && out[n - 1] === a0) n--;
    else out[n++] = a0;
    black = !black;
  }
}
