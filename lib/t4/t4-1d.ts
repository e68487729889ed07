/**
 * One-dimensional coding (T.4 §4.1.1, Modified Huffman): a row is alternate white and black
 * runs, starting with white; each run is an optional make-up code and a terminating code.
 * Also the run coding used by horizontal mode in 2-D coding (T.4 §4.2.1.3.3).
 */
import { BitWriter } from './bit-writer.js';
import { BitReader } from './bit-reader.js';
import { T4Error } from './errors.js';
import {
  BLACK_LOOKUP,
  BLACK_RUNS,
  KIND_EOL,
  KIND_MAKEUP,
  KIND_TERMINATING,
  MAKEUP_2560,
  SHORT_RUN_LIMIT,
  WHITE_LOOKUP,
  WHITE_RUNS,
} from './t4-codes.js';

/** Row decoding results below zero. */
export const ROW_INVALID_CODE = -1;
export const ROW_EOL = -2;
export const ROW_TOO_LONG = -3;
export const ROW_EXTENSION = -4;
export const ROW_TRUNCATED = -5;
export const ROW_BACKWARDS = -6;

/** Writes one run of a colour's RunTable, repeating the 2560 make-up for runs of 2624 and more (T.4 §4.1.1). */
export function putRun(w: BitWriter, table: Int32Array, run: number): void {
  while (run >= SHORT_RUN_LIMIT) {
    w.put(MAKEUP_2560 >>> 5, MAKEUP_2560 & 31);
    run -= 2560;
  }
  w.put(table[run] >>> 5, table[run] & 31);
}

/**
 * Codes a row given by its changing elements, which must end with a sentinel equal to the width
 * (T.4 §4.1.1: alternate white and black runs, starting white). The bit writer's state is kept in
 * locals: one table read and one accumulator write per run.
 */
export function encode1DRow(w: BitWriter, changes: Int32Array, count: number, width: number): void {
  if (changes[count] !== width) throw new T4Error('bad-options', 'changes must end with the width sentinel');
  const buf = w.buf;
  let pos = w.pos;
  let acc = w.acc;
  let nbits = w.nbits;
  let prev = 0;
  let i = 0;
  for (;;) {
    // A white run, then (unless the row is done) a black run.
    let c = changes[i++];
    let run = c - prev;
    prev = c;
    if (run >= SHORT_RUN_LIMIT) {
      flushTo(w, pos, acc, nbits);
      run = putLongMakeups(w, run);
      ({ pos, acc, nbits } = w);
    }
    let e = WHITE[run];
    acc = (acc << (e & 31)) | (e >>> 5);
    nbits += e & 31;
    while (nbits >= 8) {
      nbits -= 8;
      buf[pos++] = acc >>> nbits;
    }
    if (i > count) break;
    c = changes[i++];
    run = c - prev;
    prev = c;
    if (run >= SHORT_RUN_LIMIT) {
      flushTo(w, pos, acc, nbits);
      run = putLongMakeups(w, run);
      ({ pos, acc, nbits } = w);
    }
    e = BLACK[run];
    acc = (acc << (e & 31)) | (e >>> 5);
    nbits += e & 31;
    while (nbits >= 8) {
      nbits -= 8;
      buf[pos++] = acc >>> nbits;
    }
    if (i > count) break;
  }
  flushTo(w, pos, acc, nbits);
}

const WHITE = WHITE_RUNS;
const BLACK = BLACK_RUNS;

function flushTo(w: BitWriter, pos: number, acc: number, nbits: number): void {
  w.pos = pos;
  w.acc = acc;
  w.nbits = nbits;
}

/** Writes the 2560 make-ups of a run of 2624 or more; returns what is left of the run. */
function putLongMakeups(w: BitWriter, run: number): number {
  while (run >= SHORT_RUN_LIMIT) {
    w.put(MAKEUP_2560 >>> 5, MAKEUP_2560 & 31);
    run -= 2560;
  }
  return run;
}

/**
 * Decodes a 1-D row into changing elements `out` (room for width + 3); returns their count or a
 * negative ROW_ code. Zero-length runs inside a row merge with their neighbours.
 *
 * Bits are taken through a local bit buffer: `bits` holds `nb` unread bits (low end), refilled
 * an octet at a time from `d[i]`; the next 13 bits index the run tables.
 */
export function decode1DRow(r: BitReader, out: Int32Array, width: number): number {
  const d = r.data;
  const pos = r.pos;
  let i = (pos >>> 3) + 1;
  let nb = 8 - (pos & 7);
  let bits = d[i - 1];
  let a0 = 0;
  let n = 0;
  let start = 0;
  // The white and black halves are the same code with their own table, unrolled for speed.
  for (;;) {
    for (;;) {
      if (nb < 13) {
        bits = (bits << 8) | d[i++];
        nb += 8;
        if (nb < 13) {
          bits = (bits << 8) | d[i++];
          nb += 8;
        }
      }
      const entry = WHITE_LOOKUP[(bits >>> (nb - 13)) & 0x1fff];
      const kind = (entry >> 4) & 15;
      nb -= entry & 15;
      a0 += entry >> 8;
      if (kind === KIND_TERMINATING) break;
      if (kind !== KIND_MAKEUP)
        return fail(r, (i << 3) - nb - (entry & 15), kind === KIND_EOL ? ROW_EOL : ROW_INVALID_CODE);
      if (a0 > width) return fail(r, (i << 3) - nb, ROW_TOO_LONG);
    }
    if (a0 >= width) return fail(r, (i << 3) - nb, a0 === width ? n : ROW_TOO_LONG);
    if (a0 === start && n > 0)
      n--; // a zero-length run merges with its neighbours
    else out[n++] = a0;
    start = a0;
    for (;;) {
      if (nb < 13) {
        bits = (bits << 8) | d[i++];
        nb += 8;
        if (nb < 13) {
          bits = (bits << 8) | d[i++];
          nb += 8;
        }
      }
      const entry = BLACK_LOOKUP[(bits >>> (nb - 13)) & 0x1fff];
      const kind = (entry >> 4) & 15;
      nb -= entry & 15;
      a0 += entry >> 8;
      if (kind === KIND_TERMINATING) break;
      if (kind !== KIND_MAKEUP)
        return fail(r, (i << 3) - nb - (entry & 15), kind === KIND_EOL ? ROW_EOL : ROW_INVALID_CODE);
      if (a0 > width) return fail(r, (i << 3) - nb, ROW_TOO_LONG);
    }
    if (a0 >= width) return fail(r, (i << 3) - nb, a0 === width ? n : ROW_TOO_LONG);
    if (a0 === start && n > 0)
      n--; // a zero-length run merges with its neighbours
    else out[n++] = a0;
    start = a0;
  }
}

/** Stores the bit position and returns `result`; a position past the data makes it ROW_TRUNCATED. */
function fail(r: BitReader, pos: number, result: number): number {
  r.pos = pos;
  if (pos > r.end || (result < 0 && result !== ROW_TOO_LONG && pos >= r.end)) return ROW_TRUNCATED;
  return result;
}
