/**
 * Two-dimensional coding of a row against its reference row: T.4 §4.2.1.3 (MR), shared by
 * T.6 §2.2 (MMR). Rows are handled as changing elements (see runs.ts); the reference array must
 * end with three sentinels equal to the width (the imaginary b1/b2 past the row end).
 */
import { BitWriter } from './bit-writer.js';
import { BitReader } from './bit-reader.js';
import {
  putRun,
  ROW_BACKWARDS,
  ROW_EOL,
  ROW_EXTENSION,
  ROW_INVALID_CODE,
  ROW_TOO_LONG,
  ROW_TRUNCATED,
} from './t4-1d.js';
import {
  BLACK_LOOKUP,
  BLACK_RUNS,
  KIND_EOL,
  KIND_MAKEUP,
  KIND_TERMINATING,
  HORIZONTAL_CODE,
  HORIZONTAL_LENGTH,
  MODE_EXTENSION,
  MODE_HORIZONTAL,
  MODE_LOOKUP,
  MODE_PASS,
  MODE_V0,
  MODE_VL3,
  MODE_VR3,
  MODE_ZEROS,
  PASS_CODE,
  PASS_LENGTH,
  VERTICAL_CODE,
  SHORT_RUN_LIMIT,
  VERTICAL_LENGTH,
  WHITE_LOOKUP,
  WHITE_RUNS,
} from './t4-codes.js';

/** Vertical mode codes for a1 − b1 = −3 … 3, as code << 5 | length. */
const VERTICAL = Int32Array.from(VERTICAL_CODE, (code, i) => (code << 5) | VERTICAL_LENGTH[i]);
const WHITE = WHITE_RUNS;
const BLACK = BLACK_RUNS;

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
 * The bit writer's state is kept in locals (see BitWriter).
 */
export function encode2DRow(w: BitWriter, ref: Int32Array, cur: Int32Array, width: number): void {
  const buf = w.buf;
  let pos = w.pos;
  let acc = w.acc;
  let nbits = w.nbits;
  let a0 = -1;
  let ia = 0; // cur[ia] = a1; its parity is the colour of a0 (even = white)
  let j = 0; // first reference change right of a0
  for (;;) {
    while (ref[j] <= a0) j++;
    const bi = j + ((j ^ ia) & 1); // b1 changes to the colour opposite a0's
    const b2 = ref[bi + 1];
    const a1 = cur[ia];
    if (b2 < a1) {
      acc = (acc << PASS_LENGTH) | PASS_CODE; // §4.2.1.3.2 a) pass mode
      nbits += PASS_LENGTH;
      a0 = b2;
    } else {
      const d = a1 - ref[bi];
      if (d >= -3 && d <= 3) {
        const v = VERTICAL[d + 3]; // b) vertical mode
        acc = (acc << (v & 31)) | (v >>> 5);
        nbits += v & 31;
        a0 = a1;
        ia++;
      } else {
        // c) horizontal mode: 001, then the runs a0a1 and a1a2 in the colours of a0 and a1.
        const a2 = cur[ia + 1];
        const r1 = a1 - (a0 < 0 ? 0 : a0);
        const r2 = a2 - a1;
        const black = (ia & 1) !== 0;
        if (r1 >= SHORT_RUN_LIMIT || r2 >= SHORT_RUN_LIMIT) {
          w.pos = pos;
          w.acc = acc;
          w.nbits = nbits;
          w.put(HORIZONTAL_CODE, HORIZONTAL_LENGTH);
          putRun(w, black ? BLACK_RUNS : WHITE_RUNS, r1);
          putRun(w, black ? WHITE_RUNS : BLACK_RUNS, r2);
          pos = w.pos;
          acc = w.acc;
          nbits = w.nbits;
        } else {
          const e1 = black ? BLACK[r1] : WHITE[r1];
          const e2 = black ? WHITE[r2] : BLACK[r2];
          acc = (acc << HORIZONTAL_LENGTH) | HORIZONTAL_CODE;
          nbits += HORIZONTAL_LENGTH;
          while (nbits >= 8) {
            nbits -= 8;
            buf[pos++] = acc >>> nbits;
          }
          acc = (acc << (e1 & 31)) | (e1 >>> 5);
          nbits += e1 & 31;
          while (nbits >= 8) {
            nbits -= 8;
            buf[pos++] = acc >>> nbits;
          }
          acc = (acc << (e2 & 31)) | (e2 >>> 5);
          nbits += e2 & 31;
        }
        a0 = a2;
        ia += 2;
      }
    }
    while (nbits >= 8) {
      nbits -= 8;
      buf[pos++] = acc >>> nbits;
    }
    if (a0 >= width) break;
  }
  w.pos = pos;
  w.acc = acc;
  w.nbits = nbits;
}

/**
 * Decodes a 2-D row against `ref` into `out` (room for width + 3); returns the number of changing
 * elements, or a negative ROW_ code (ROW_EOL when an EOL or EOFB starts where a mode was due).
 * Bits come through a local bit buffer as in decode1DRow.
 */
export function decode2DRow(r: BitReader, ref: Int32Array, out: Int32Array, width: number): number {
  const d = r.data;
  const pos = r.pos;
  let i = (pos >>> 3) + 1;
  let nb = 8 - (pos & 7);
  let bits = d[i - 1];
  let a0 = -1;
  let n = 0;
  let j = 0;
  while (a0 < width) {
    while (ref[j] <= a0) j++;
    const bi = j + ((j ^ n) & 1); // b1: the first change right of a0 to the colour opposite a0's
    if (nb < 7) {
      bits = (bits << 8) | d[i++];
      nb += 8;
    }
    const entry = MODE_LOOKUP[(bits >>> (nb - 7)) & 0x7f];
    const mode = entry >> 4;
    nb -= entry & 15;
    if (mode >= MODE_VL3 && mode <= MODE_VR3) {
      const a1 = ref[bi] + mode - MODE_V0; // T.4 §4.2.1.3.2 b): a1 = b1 + offset
      if (a1 >= width) {
        if (a1 > width) return fail(r, (i << 3) - nb, ROW_TOO_LONG);
        a0 = width;
        break;
      }
      if (a1 > a0) out[n++] = a1;
      else if (a1 < a0 || a1 < 0) return fail(r, (i << 3) - nb, ROW_BACKWARDS);
      else if (n > 0 && out[n - 1] === a1)
        n--; // a zero-length run merges
      else out[n++] = a1;
      a0 = a1;
    } else if (mode === MODE_PASS) {
      a0 = ref[bi + 1]; // a) a0 moves under b2
    } else if (mode === MODE_HORIZONTAL) {
      // c) two runs, in the colour of a0 and then the other colour
      let lookup = (n & 1) === 0 ? WHITE_LOOKUP : BLACK_LOOKUP;
      let r1 = 0;
      let run = 0;
      for (let k = 0; k < 2; k++) {
        run = 0;
        for (;;) {
          if (nb < 13) {
            bits = (bits << 8) | d[i++];
            nb += 8;
            if (nb < 13) {
              bits = (bits << 8) | d[i++];
              nb += 8;
            }
          }
          const e = lookup[(bits >>> (nb - 13)) & 0x1fff];
          const kind = (e >> 4) & 15;
          if (kind === KIND_TERMINATING || kind === KIND_MAKEUP) {
            nb -= e & 15;
            run += e >> 8;
            if (kind === KIND_TERMINATING) break;
            if (run > width) return fail(r, (i << 3) - nb, ROW_TOO_LONG);
          } else {
            return fail(r, (i << 3) - nb, kind === KIND_EOL ? ROW_EOL : ROW_INVALID_CODE);
          }
        }
        if (k === 0) r1 = run;
        lookup = lookup === WHITE_LOOKUP ? BLACK_LOOKUP : WHITE_LOOKUP;
      }
      const a1 = (a0 < 0 ? 0 : a0) + r1;
      const a2 = a1 + run;
      if (a2 > width) return fail(r, (i << 3) - nb, ROW_TOO_LONG);
      a0 = a2;
      if (a1 === width) break;
      if (n > 0 && out[n - 1] === a1) n--;
      else out[n++] = a1;
      if (a2 === width) break;
      if (out[n - 1] === a2) n--;
      else out[n++] = a2;
    } else {
      r.pos = (i << 3) - nb - (entry & 15); // back to the start of the code
      if (r.pos >= r.end) return ROW_TRUNCATED;
      if (mode === MODE_ZEROS && r.peek12() === 1) return ROW_EOL;
      return mode === MODE_EXTENSION ? ROW_EXTENSION : ROW_INVALID_CODE;
    }
  }
  return fail(r, (i << 3) - nb, n);
}

/** Stores the bit position and returns `result`; a position past the data makes it ROW_TRUNCATED. */
function fail(r: BitReader, pos: number, result: number): number {
  r.pos = pos;
  if (pos > r.end || (result < 0 && result !== ROW_TOO_LONG && pos >= r.end)) return ROW_TRUNCATED;
  return result;
}
