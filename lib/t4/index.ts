/**
 * lib/t4: ITU-T T.4 / T.6 page coding and TIFF Class F.
 *
 * Theory of operation. A row is handled as its changing elements (runs.ts: positions where the
 * colour changes, found and painted with byte tricks). MH codes those as runs (t4-1d.ts, T.4
 * §4.1); MR and MMR code them against the row above (t4-2d.ts, T.4 §4.2 / T.6 §2.2), with the
 * code tables of t4-codes.ts turned into lookup tables: one read per run when coding, one per
 * code when decoding. t4-encode.ts adds the page structure (EOL, fill, RTC, EOFB, the K factor);
 * t4-decode.ts adds the receiver's behaviour: T4Decoder takes the data in any pieces as it comes
 * off the line, cuts MH/MR at EOLs, replaces and counts bad rows, ends at RTC or EOFB, holds a few
 * rows of input; decodePage is one push. tiff*.ts read and write the files (TiffFBuilder a page at
 * a time); resolution.ts converts vertical resolutions.
 */
export * from './bitmap.js';
export * from './errors.js';
export { T4Encoder, encodePage, kFactorFor, minScanLineBits } from './t4-encode.js';
export type { EncodeOptions } from './t4-encode.js';
export { decodePage, DEFAULT_MAX_ROWS, RTC_EOLS_TO_END, T4Decoder } from './t4-decode.js';
export type {
  DecodeOptions,
  DecodeResult,
  DecodeSummary,
  PageEnd,
  StreamDecodeOptions,
} from './t4-decode.js';
export {
  readTiff,
  readTiffPages,
  writeTiffCoded,
  writeTiffF,
  TiffFBuilder,
  resolutionFromDpi,
  TiffError,
  MAX_TIFF_BYTES,
} from './tiff.js';
export type {
  CodedPage,
  TiffPage,
  TiffPatch,
  TiffStripPage,
  TiffWriteOptions,
  TiffErrorKind,
} from './tiff.js';
export { convertResolution } from './resolution.js';
