/** lib/raster: PDF/PostScript → fax pages with the Ghostscript command line. */
export type { Bitmap, FaxPage, Resolution } from './bitmap.js';
export { RasterError, isRasterError, type RasterErrorKind } from './errors.js';
export { rasterize, DEFAULT_TIMEOUT_MS, type RasterizeOptions, type RasterPage } from './rasterize.js';
export { countPdfPages, sniffFormat, type DocumentFormat } from './document.js';
export {
  pageGeometry,
  ghostscriptPageArgs,
  isPaper,
  FAX_WIDTH_PIXELS,
  VERTICAL_DPI,
  type Paper,
  type PageGeometry,
} from './paper.js';
export { DEFAULT_TAGLINE_FORMAT, strftime, taglineFields, type TaglineOptions } from './tagline.js';
export { parsePbm, PbmFormatError, PbmStreamParser } from './pbm.js';
export { extractFaxNumberFromDocument, findFaxNumberInText, type ExtractOptions } from './extract-number.js';
