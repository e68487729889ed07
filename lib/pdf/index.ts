/**
 * lib/pdf: PDF of fax pages for people and mail (pdf-write.ts). Each page is its T.6 (MMR) data
 * under CCITTFaxDecode, so a page costs what it cost on the line; writePdf() codes bitmaps with
 * lib/t4's MMR encoder.
 */
import { LINES_PER_INCH } from '../itu/page.js';
import { checkBitmap, encodePage } from '../t4/index.js';
import type { FaxPage } from '../t4/index.js';
import { PdfWriter } from './pdf-write.js';
import type { PdfWriterOptions } from './pdf-write.js';

export { PdfError, PdfWriter } from './pdf-write.js';
export type { PdfFaxPage, PdfWriterOptions } from './pdf-write.js';

/** Horizontal resolution of every fax page (T.4 §2.2: 8 pels/mm, 204 dpi as TIFF Class F writes it). */
export const FAX_X_DPI = 204;

/** A whole PDF of fax pages in memory (for small documents; ReceivedFaxWriter streams). */
export function writePdf(pages: FaxPage[], options: PdfWriterOptions = {}): Uint8Array {
  const pdf = new PdfWriter(options);
  const parts = [pdf.start()];
  for (const p of pages) {
    checkBitmap(p.bitmap);
    parts.push(
      pdf.addPage({
        width: p.bitmap.width,
        height: p.bitmap.height,
        xDpi: FAX_X_DPI,
        yDpi: LINES_PER_INCH[p.resolution],
        mmr: encodePage(p.bitmap, { coding: 'mmr', bitOrder: 'msb-first', ecm: true }),
      }),
    );
  }
  parts.push(pdf.finish());
  return new Uint8Array(Buffer.concat(parts));
}
