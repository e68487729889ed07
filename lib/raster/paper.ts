/**
 * Fax page geometry for each paper and resolution.
 *
 * A fax scan line is 1728 pixels over 215 mm for A4 and Letter (T.4 §2.2.2), i.e. 204 pixels per
 * inch across; rows are 3.85, 7.7 or 15.4 per mm (T.4 §2.2.1), which T.30 calls 204×98, 204×196 and
 * 204×391 dpi. Every page we make is exactly 1728 pixels wide and as long as the chosen paper at the
 * vertical resolution. Ghostscript renders onto that fixed page (-dFIXEDMEDIA) and fits each document
 * page into it (-dPDFFitPage: uniform scale, never enlarged beyond fit, centred):
 *
 * - A4 (210 × 297 mm): 210 mm is 1687 pixels at 204 dpi, narrower than the fax line, so an A4 page
 *   is not scaled: it is centred with about 20 white pixels left and right, and its full length
 *   fills the page.
 * - Letter (8.5 × 11 in) and Legal (8.5 × 14 in): 8.5 in is 1734 pixels at 204 dpi, 6 more than
 *   the fax line, so the page is scaled by 1728/1734 (−0.35 %) to fit the width, and centred
 *   vertically (a few white rows above and below: 2 at standard, 7 at superfine for Letter).
 *
 * The document page is its CropBox, the part a PDF viewer shows (-dUseCropBox), not the MediaBox.
 * A document page of another size (a Letter document sent on A4 paper) is scaled uniformly to fit
 * and centred the same way. A landscape page is turned a quarter turn by -dPDFFitPage when that fits
 * it better, then fitted the same way (fax pages are always portrait).
 */
import { FAX_WIDTH_A4, HORIZONTAL_DPI, LINES_PER_INCH, type Paper, type Resolution } from '../itu/page.js';

/** Paper sizes in inches (ISO 216 A4; ANSI Letter and Legal). */
export const PAPER_INCHES: Readonly<Record<Paper, { width: number; height: number }>> = {
  a4: { width: 210 / 25.4, height: 297 / 25.4 },
  letter: { width: 8.5, height: 11 },
  legal: { width: 8.5, height: 14 },
};

/** Ghostscript's -sPAPERSIZE name for each paper. */
export const GHOSTSCRIPT_PAPER_NAME: Readonly<Record<Paper, string>> = {
  a4: 'a4',
  letter: 'letter',
  legal: 'legal',
};

export interface PageGeometry {
  /** Always FAX_WIDTH_A4 (1728). */
  readonly widthPixels: number;
  /** The paper's length at the vertical resolution, rounded to whole rows. */
  readonly heightPixels: number;
  readonly horizontalDpi: number;
  readonly verticalDpi: number;
}

export function pageGeometry(paper: Paper, resolution: Resolution): PageGeometry {
  const verticalDpi = LINES_PER_INCH[resolution];
  return {
    widthPixels: FAX_WIDTH_A4,
    heightPixels: Math.round(PAPER_INCHES[paper].height * verticalDpi),
    horizontalDpi: HORIZONTAL_DPI,
    verticalDpi,
  };
}

/** Ghostscript arguments that render onto the fixed fax page and fit each document page (its CropBox) into it. */
export function ghostscriptPageArgs(geometry: PageGeometry): string[] {
  return [
    `-r${geometry.horizontalDpi}x${geometry.verticalDpi}`,
    `-g${geometry.widthPixels}x${geometry.heightPixels}`,
    '-dFIXEDMEDIA',
    '-dPDFFitPage',
    '-dUseCropBox',
  ];
}
