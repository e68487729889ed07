/**
 * The code tables of T.4 §4.1 (Tables 1/T.4, 2/T.4, 3/T.4 and the 2-D mode codes of Table 4/T.4,
 * also used by T.6 §2.2), and lookup tables built from them at load time.
 *
 * Encoding tables are indexed by run length; decoding tables by the next 13 (runs) or 7 (modes)
 * bits of the stream, so one array read finds a code.
 */

/** Table 2/T.4: terminating codes for white runs 0..63. */
const WHITE_TERMINATING = [
  '00110101',
  '000111',
  '0111',
  '1000',
  '1011',
  '1100',
  '1110',
  '1111',
  '10011',
  '10100',
  '00111',
  '01000',
  '001000',
  '000011',
  '110100',
  '110101',
  '101010',
  '101011',
  '0100111',
  '0001100',
  '0001000',
  '0010111',
  '0000011',
  '0000100',
  '0101000',
  '0101011',
  '0010011',
  '0100100',
  '0011000',
  '00000010',
  '00000011',
  '00011010',
  '00011011',
  '00010010',
  '00010011',
  '00010100',
  '00010101',
  '00010110',
  '00010111',
  '00101000',
  '00101001',
  '00101010',
  '00101011',
  '00101100',
  '00101101',
  '00000100',
  '00000101',
  '00001010',
  '00001011',
  '01010010',
  '01010011',
  '01010100',
  '01010101',
  '00100100',
  '00100101',
  '01011000',
  '01011001',
  '01011010',
  '01011011',
  '01001010',
  '01001011',
  '00110010',
  '00110011',
  '00110100',
];

/** Table 2/T.4: terminating codes for black runs 0..63. */
const BLACK_TERMINATING = [
  '0000110111',
  '010',
  '11',
  '10',
  '011',
  '0011',
  '0010',
  '00011',
  '000101',
  '000100',
  '0000100',
  '0000101',
  '0000111',
  '00000100',
  '00000111',
  '000011000',
  '0000010111',
  '0000011000',
  '0000001000',
  '00001100111',
  '00001101000',
  '00001101100',
  '00000110111',
  '00000101000',
  '00000010111',
  '00000011000',
  '000011001010',
  '000011001011',
  '000011001100',
  '000011001101',
  '000001101000',
  '000001101001',
  '000001101010',
  '000001101011',
  '000011010010',
  '000011010011',
  '000011010100',
  '000011010101',
  '000011010110',
  '000011010111',
  '000001101100',
  '000001101101',
  '000011011010',
  '000011011011',
  '000001010100',
  '000001010101',
  '000001010110',
  '000001010111',
  '000001100100',
  '000001100101',
  '000001010010',
  '000001010011',
  '000000100100',
  '000000110111',
  '000000111000',
  '000000100111',
  '000000101000',
  '000001011000',
  '000001011001',
  '000000101011',
  '000000101100',
  '000001011010',
  '000001100110',
  '000001100111',
];

/** Table 3a/T.4: make-up codes for white runs 64, 128 … 1728. */
const WHITE_MAKEUP = [
  '11011',
  '10010',
  '010111',
  '0110111',
  '00110110',
  '00110111',
  '01100100',
  '01100101',
  '01101000',
  '01100111',
  '011001100',
  '011001101',
  '011010010',
  '011010011',
  '011010100',
  '011010101',
  '011010110',
  '011010111',
  '011011000',
  '011011001',
  '011011010',
  '011011011',
  '010011000',
  '010011001',
  '010011010',
  '011000',
  '010011011',
];

/** Table 3a/T.4: make-up codes for black runs 64, 128 … 1728. */
const BLACK_MAKEUP = [
  '0000001111',
  '000011001000',
  '000011001001',
  '000001011011',
  '000000110011',
  '000000110100',
  '000000110101',
  '0000001101100',
  '0000001101101',
  '0000001001010',
  '0000001001011',
  '0000001001100',
  '0000001001101',
  '0000001110010',
  '0000001110011',
  '0000001110100',
  '0000001110101',
  '0000001110110',
  '0000001110111',
  '0000001010010',
  '0000001010011',
  '0000001010100',
  '0000001010101',
  '0000001011010',
  '0000001011011',
  '0000001100100',
  '0000001100101',
];

/** Table 3b/T.4: make-up codes 1792 … 2560 shared by both colours (widths above 1728). */
const EXTENDED_MAKEUP = [
  '00000001000',
  '00000001100',
  '00000001101',
  '000000010010',
  '000000010011',
  '000000010100',
  '000000010101',
  '000000010110',
  '000000010111',
  '000000011100',
  '000000011101',
  '000000011110',
  '000000011111',
];

/** T.4 §4.1.2: end of line, 000000000001. */
export const EOL_CODE = 0x001;
export const EOL_LENGTH = 12;

/** Encoding table for one colour: code and length of terminating (0..63) and make-up (index r>>6) codes. */
export interface RunCodes {
  termCode: Uint16Array;
  termLength: Uint8Array;
  makeupCode: Uint16Array;
  makeupLength: Uint8Array;
}

function runCodes(terminating: string[], makeup: string[]): RunCodes {
  const all = [...makeup, ...EXTENDED_MAKEUP];
  const t: RunCodes = {
    termCode: new Uint16Array(64),
    termLength: new Uint8Array(64),
    makeupCode: new Uint16Array(41),
    makeupLength: new Uint8Array(41),
  };
  terminating.forEach((code, run) => {
    t.termCode[run] = parseInt(code, 2);
    t.termLength[run] = code.length;
  });
  all.forEach((code, i) => {
    t.makeupCode[i + 1] = parseInt(code, 2);
    t.makeupLength[i + 1] = code.length;
  });
  return t;
}

export const WHITE_CODES = runCodes(WHITE_TERMINATING, WHITE_MAKEUP);
export const BLACK_CODES = runCodes(BLACK_TERMINATING, BLACK_MAKEUP);

/** Runs below this length code as one make-up (if ≥ 64) plus one terminating code. */
export const SHORT_RUN_LIMIT = 2624;

/**
 * Whole-run codes for runs 0..2623: the make-up code (if any) followed by the terminating code,
 * as one code of at most 25 bits, so a run is a single write. Entry = code << 5 | length.
 * Longer runs first repeat the 2560 make-up (MAKEUP_2560).
 */
function runTable(t: RunCodes): Int32Array {
  const table = new Int32Array(SHORT_RUN_LIMIT);
  for (let run = 0; run < SHORT_RUN_LIMIT; run++) {
    const m = run >> 6;
    const term = run & 63;
    if (m === 0) {
      table[run] = (t.termCode[term] << 5) | t.termLength[term];
    } else {
      const code = (t.makeupCode[m] << t.termLength[term]) | t.termCode[term];
      table[run] = (code << 5) | (t.makeupLength[m] + t.termLength[term]);
    }
  }
  return table;
}

export const WHITE_RUNS = runTable(WHITE_CODES);
export const BLACK_RUNS = runTable(BLACK_CODES);

/** Table 3b/T.4: the 2560 make-up, shared by both colours, as code << 5 | length. */
export const MAKEUP_2560 = (WHITE_CODES.makeupCode[40] << 5) | WHITE_CODES.makeupLength[40];

/**
 * Decoding tables for runs, indexed by the next 13 bits. Entry = length | kind << 4 | run << 8,
 * kind: 0 invalid, 1 terminating, 2 make-up, 3 EOL.
 */
export const RUN_LOOKUP_BITS = 13;
export const KIND_TERMINATING = 1;
export const KIND_MAKEUP = 2;
export const KIND_EOL = 3;

function addCode(table: Int32Array, bits: number, code: string, entry: number): void {
  const shift = bits - code.length;
  const base = parseInt(code, 2) << shift;
  for (let i = 0; i < 1 << shift; i++) {
    if (table[base + i] !== 0) throw new Error(`T.4 code table is not prefix-free at ${code}`);
    table[base + i] = entry;
  }
}

function runLookup(terminating: string[], makeup: string[]): Int32Array {
  const table = new Int32Array(1 << RUN_LOOKUP_BITS);
  terminating.forEach((code, run) =>
    addCode(table, 13, code, code.length | (KIND_TERMINATING << 4) | (run << 8)),
  );
  [...makeup, ...EXTENDED_MAKEUP].forEach((code, i) =>
    addCode(table, 13, code, code.length | (KIND_MAKEUP << 4) | (((i + 1) * 64) << 8)),
  );
  addCode(table, 13, '000000000001', EOL_LENGTH | (KIND_EOL << 4));
  return table;
}

export const WHITE_LOOKUP = runLookup(WHITE_TERMINATING, WHITE_MAKEUP);
export const BLACK_LOOKUP = runLookup(BLACK_TERMINATING, BLACK_MAKEUP);

/** The 2-D coding modes of T.4 §4.2.1.3.2 / T.6 §2.2.3 (Table 4/T.4), as small integers. */
export const MODE_INVALID = 0;
export const MODE_PASS = 1;
export const MODE_HORIZONTAL = 2;
/** Vertical modes: MODE_V0 + 3 + (a1 − b1), i.e. VL3 = 3 … V0 = 6 … VR3 = 9. */
export const MODE_VL3 = 3;
export const MODE_V0 = 6;
export const MODE_VR3 = 9;
/** 0000001xxx: an extension (uncompressed mode, T.4 §4.2.1.3.4), not supported by fax engines. */
export const MODE_EXTENSION = 10;
/** 0000000: the start of an EOL (or of garbage); the caller looks further. */
export const MODE_ZEROS = 11;

/** Mode codes as [code, length]. Vertical mode k (a1 − b1 = k, −3..3) is VERTICAL_CODES[k + 3]. */
export const PASS_CODE = 0b0001;
export const PASS_LENGTH = 4;
export const HORIZONTAL_CODE = 0b001;
export const HORIZONTAL_LENGTH = 3;
export const VERTICAL_CODE = new Uint8Array([0b0000010, 0b000010, 0b010, 0b1, 0b011, 0b000011, 0b0000011]);
export const VERTICAL_LENGTH = new Uint8Array([7, 6, 3, 1, 3, 6, 7]);

/** Mode decoding table indexed by the next 7 bits: entry = length | mode << 4. */
export const MODE_LOOKUP_BITS = 7;
export const MODE_LOOKUP = (() => {
  const table = new Int32Array(1 << MODE_LOOKUP_BITS);
  addCode(table, 7, '0001', 4 | (MODE_PASS << 4));
  addCode(table, 7, '001', 3 | (MODE_HORIZONTAL << 4));
  for (let i = 0; i < 7; i++) {
    const code = VERTICAL_CODE[i].toString(2).padStart(VERTICAL_LENGTH[i], '0');
    addCode(table, 7, code, VERTICAL_LENGTH[i] | ((MODE_VL3 + i) << 4));
  }
  addCode(table, 7, '0000001', 7 | (MODE_EXTENSION << 4));
  addCode(table, 7, '0000000', 7 | (MODE_ZEROS << 4));
  return table;
})();
