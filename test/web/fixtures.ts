/**
 * Records for the web tests, put straight into a temporary archive with the FaxArchive API (no
 * modem): a received fax with a real TIFF-F and PDF of one page in its own spool folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaxArchive } from '../../lib/archive/index.js';
import { writePdf } from '../../lib/pdf/index.js';
import { createBitmap, setPixel, writeTiffF, type Bitmap } from '../../lib/t4/index.js';

/** A page with a heavy frame and a diagonal, so a thumbnail has something to show. */
export function testPage(height = 400): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < 1728; x++)
      if (x < 40 || x >= 1688 || y < 20 || y >= height - 20 || Math.abs(x - y * 4) < 30)
        setPixel(b, x, y, true);
  return b;
}

export function fileReceivedFax(
  archive: FaxArchive,
  facts: {
    remoteId?: string | null;
    callerId?: string | null;
    result?: string;
    at?: Date;
    files?: boolean;
    /** How many pages (default 1): page n is 400 + 200 (n - 1) lines high. */
    pages?: number;
  } = {},
): number {
  const r = archive.beginReceive({
    startedAt: facts.at ?? new Date(),
    callerId: facts.callerId ?? undefined,
  });
  let tiff: string | null = null;
  let pdf: string | null = null;
  if (facts.files !== false) {
    const pages = Array.from({ length: facts.pages ?? 1 }, (_, i) => ({
      bitmap: testPage(400 + 200 * i),
      resolution: 'standard' as const,
    }));
    tiff = join(r.dir, 'fax.tif');
    pdf = join(r.dir, 'fax.pdf');
    writeFileSync(tiff, writeTiffF(pages, { coding: 'mh' }), { mode: 0o600 });
    writeFileSync(pdf, writePdf(pages, { producer: 'lpfax test' }), { mode: 0o600 });
  }
  archive.finishReceive(r.id, {
    result: facts.result ?? 'received',
    remoteId: facts.remoteId ?? '+1 555 0100',
    pages: facts.pages ?? 1,
    tiff,
    pdf,
    finishedAt: facts.at,
  });
  return r.id;
}
