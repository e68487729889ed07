/**
 * The page types shared with lib/t4 (see ARCHITECTURE.md, "Pages").
 *
 * NOTE: lib/t4/bitmap.ts (branch `t4`) owns `Bitmap` and `Resolution`; until that branch is merged
 * these are identical local definitions. After the merge, re-export them from lib/t4 here.
 */

/** Packed 1-bit rows, most significant bit = leftmost pixel, 1 = black, `stride` bytes per row. */
export interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly data: Uint8Array;
}

/** Vertical resolution of a fax page: 204×98, 204×196, 204×391 dpi (T.4 §2.2, T.30 Table 2). */
export type Resolution = 'standard' | 'fine' | 'superfine';

/** One page ready for the T.4 codec. */
export interface FaxPage {
  readonly bitmap: Bitmap;
  readonly resolution: Resolution;
}
