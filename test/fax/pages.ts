/** Pages for the lib/fax tests: bitmaps handed to sendFax lazily, as lib/raster hands them. */
import type { Bitmap, FaxPage } from '../../lib/t4/index.js';
import type { Resolution } from '../../lib/itu/page.js';

export async function* faxPages(bitmaps: Bitmap[], resolution: Resolution = 'fine'): AsyncGenerator<FaxPage> {
  for (const bitmap of bitmaps) yield { bitmap, resolution };
}
