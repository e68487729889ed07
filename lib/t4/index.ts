/**
 * lib/t4: ITU-T T.4 / T.6 page coding and TIFF Class F.
 *
 * Theory of operation. A row is handled as its changing elements (runs.ts: positions where the
 * colour changes, found and painted with byte tricks). MH codes those as runs (t4-1d.ts, T.4
 * §4.1); MR and MMR code them against the row above (t4-2d.ts, T.4 §4.2 / T.6 §2.2), with the
 * code tables of t4-codes.ts turned into lookup tables: one read per run when coding, one per
 * code when decoding. t4-encode.ts adds the page structure (EOL, fill, RTC, EOFB, the K factor);
 * t4-decode.ts adds the receiver's behaviour (resynchronising at EOLs, bounded memory, typed
 * errors). tiff*.ts read and write the files; resolution.ts converts vertical resolutions.
 */
export * from './bitmap.js';
export * from './errors.js';
export { T4Encoder, encodePage, kFactorFor, minScanLineBits } from './t4-encode.js';
export type { EncodeOptions } from './t4-encode.js';
export { decodePage, DEFAULT_MAX_ROWS } from './t4-decode.js';
export type { DecodeOptions, DecodeResult } from './t4-decode.js';
export {
  readTiff,
  readTiffPages,
  writeTiffCoded,
  writeTiffF,
  resolutionFromDpi,
  TiffError,
  MAX_TIFF_BYTES,
} from './tiff.js';
export type { CodedPage, TiffPage, TiffWriteOptions, TiffErrorKind } from './tiff.js';
export { convertResolution } from './resolution.js';
