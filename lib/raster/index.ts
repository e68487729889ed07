/**
 * lib/raster: PDF/PostScript → fax pages with the Ghostscript command line.
 *
 * For the backend:
 *
 *   for await (const page of rasterize(file, { paper, resolution, tagline, signal, uid, gid })) …
 *
 * - Page 1 comes as soon as Ghostscript has rendered it; the count is in `page.pageCount` (and
 *   `onPageCount`). Failures are RasterError values with a `kind` and one sentence; `detail`
 *   holds Ghostscript's messages for DEBUG lines.
 * - Running as root, pass lp's uid/gid: Ghostscript then runs as lp, on a copy of the document in
 *   a private folder under TMPDIR owned by lp (cupsd's TMPDIR, /var/spool/cups/tmp, is lp-writable).
 * - cupsd cancels a job with SIGTERM: turn it into `abort()` on the signal (Ghostscript killed,
 *   folder removed) before exiting.
 */
export type { Bitmap, FaxPage } from './bitmap.js';
export { RasterError, isRasterError, type RasterErrorKind } from './errors.js';
export {
  rasterize,
  DEFAULT_TIMEOUT_MS,
  type PageNumbering,
  type RasterizeOptions,
  type RasterPage,
} from './rasterize.js';
export { countPdfPages, sniffFormat, type DocumentFormat } from './document.js';
export { pageGeometry, ghostscriptPageArgs, type PageGeometry } from './paper.js';
export { DEFAULT_TAGLINE_FORMAT, strftime, taglineFields, type TaglineOptions } from './tagline.js';
export { parsePbm, PbmFormatError, PbmStreamParser } from './pbm.js';
export { extractFaxNumberFromDocument, findFaxNumberInText, type ExtractOptions } from './extract-number.js';
