/** The page types lib/raster produces are lib/t4's (see ARCHITECTURE.md, "Pages"). */
export type { Bitmap, FaxPage } from '../t4/bitmap.js';
