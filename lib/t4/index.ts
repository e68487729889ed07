/** lib/t4: ITU-T T.4 / T.6 page coding and TIFF Class F. */
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
export { reverseBits } from './runs.js';
