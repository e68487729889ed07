/**
 * PNG previews of fax pages, for people: received faxes on the simulated line, and later the
 * web page of received faxes. Fax pages are not square-pixelled (204 × 98 dpi at standard
 * resolution), so each page is scaled to square pixels, as a viewer shows it.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { readTiff, type Bitmap } from '../t4/index.js';

/** 1-bit page (1 = black) to 8-bit grey (0 = black). */
function toGrey(bitmap: Bitmap): Buffer {
  const grey = Buffer.alloc(bitmap.width * bitmap.height, 255);
  for (let y = 0; y < bitmap.height; y++) {
    const row = y * bitmap.stride;
    const out = y * bitmap.width;
    for (let x = 0; x < bitmap.width; x++) {
      if (bitmap.data[row + (x >> 3)] & (0x80 >> (x & 7))) grey[out + x] = 0;
    }
  }
  return grey;
}

/**
 * One PNG per page of a TIFF fax file, `maxWidth` pixels wide at most (default 850); the first
 * `maxPages` pages only when given (a thumbnail).
 */
export async function tiffToPngs(file: string, maxWidth = 850, maxPages = Infinity): Promise<Buffer[]> {
  const pages = readTiff(await readFile(file)).slice(0, maxPages);
  return Promise.all(
    pages.map((page) => {
      const { width, height } = page.bitmap;
      // Square pixels: scale rows by xDpi / yDpi (204/98 ≈ 2 at standard resolution).
      const aspect = page.xDpi > 0 && page.yDpi > 0 ? page.xDpi / page.yDpi : 1;
      const outWidth = Math.min(maxWidth, width);
      const outHeight = Math.max(1, Math.round(((height * aspect) / width) * outWidth));
      return sharp(toGrey(page.bitmap), { raw: { width, height, channels: 1 } })
        .resize(outWidth, outHeight, { fit: 'fill', kernel: 'lanczos3' })
        .png({ compressionLevel: 9 })
        .toBuffer();
    }),
  );
}
