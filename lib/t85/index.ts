/**
 * lib/t85: ITU-T T.85, the facsimile application profile of JBIG (T.82).
 *
 * qm.ts is the arithmetic coder of T.82 with the Table 24 probability estimation; bih.ts
 * the header and marker codes (T.82 §6.2); encode.ts codes a page with the three-line template
 * and typical prediction, in stripes, taking rows as they come (NEWLEN when the height was open);
 * decode.ts takes a BIE in any pieces, as it comes off the line, and hands out rows stripe by
 * stripe. Bitmaps are lib/t4's (packed rows, MSB = leftmost pixel, 1 = black).
 */
export * from './errors.js';
export { parseBih, writeBih, UNKNOWN_HEIGHT, BIH_LENGTH } from './bih.js';
export type { Bih } from './bih.js';
export { T85Encoder, encodeT85, DEFAULT_STRIPE_ROWS } from './encode.js';
export type { T85EncodeOptions } from './encode.js';
export { T85Decoder, decodeT85 } from './decode.js';
export type { T85DecodeOptions, T85DecodeSummary } from './decode.js';
