/** Page terms: T.4 §2.2 resolutions and widths, the codings of T.4 and T.6, paper sizes. */

/** Vertical resolutions of T.4 §2.2 / T.30 DIS bits: 3.85, 7.7 and 15.4 lines/mm (≈98/196/391 dpi). */
export type Resolution = 'standard' | 'fine' | 'superfine';

/** T.4 one-dimensional (MH), T.4 two-dimensional (MR), T.6 (MMR): lib/t4's codings. */
export type T4Coding = 'mh' | 'mr' | 'mmr';

/**
 * A page coding of T.30 Table 2: the T.4/T.6 ones, or T.85 (JBIG, bit 78) in basic form (stripes
 * of 128 rows) or with the optional L0 (bit 79: other stripe sizes). T.85 needs ECM.
 */
export type Coding = T4Coding | 't85' | 't85-l0';

/** Recording width in pels at 8 pels/mm (T.4 §2.2): 215, 255, 303 mm. */
export type PageWidth = 1728 | 2048 | 2432;

/** The fax row width in pixels at 8 pels/mm for A4, Letter and Legal (T.4 §2.2). */
export const FAX_WIDTH_A4 = 1728;

/** Horizontal resolution in pixels per inch (1728 pixels over 215 mm, rounded as T.30 does). */
export const HORIZONTAL_DPI = 204;

/** Vertical lines per inch of each resolution (T.4 §2.2.1: 3.85, 7.7, 15.4 lines/mm). */
export const LINES_PER_INCH: Readonly<Record<Resolution, number>> = {
  standard: 98,
  fine: 196,
  superfine: 391,
};

/** The papers lpfax sends on: ISO 216 A4, ANSI Letter and Legal (all 1728 pixels wide). */
export type Paper = 'a4' | 'letter' | 'legal';
