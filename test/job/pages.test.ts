/**
 * prepareFaxPages with several documents: one call, the pages numbered in order, each page
 * labelled with its document so the engine ends each document with EOM. TIFF-F documents are
 * sent as they are (no Ghostscript), which keeps this test to the bookkeeping.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaxJobError } from '../../lib/job/outcome.js';
import { prepareFaxPages } from '../../lib/job/pages.js';
import { rasterize } from '../../lib/raster/index.js';
import { bitmapsEqual, createBitmap, setPixel, writeTiffF, type FaxPage } from '../../lib/t4/index.js';
import { psToPdf } from '../raster/fixtures.js';

function page(mark: number): FaxPage {
  const bitmap = createBitmap(1728, 20);
  for (let x = 0; x < mark * 10; x++) setPixel(bitmap, x, 5, true);
  return { bitmap, resolution: 'fine' };
}

describe('prepareFaxPages with several documents', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lpfax-pages-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const tiff = (name: string, pages: FaxPage[]) => {
    const file = join(dir, name);
    writeFileSync(file, writeTiffF(pages, { coding: 'mh' }));
    return file;
  };

  it('numbers the pages of both documents in order and labels each with its document', async () => {
    const a = [page(1)];
    const b = [page(2), page(3)];
    const fax = await prepareFaxPages({
      document: [tiff('a.tif', a), tiff('b.tif', b)],
      paper: 'a4',
      resolution: 'fine',
      tagline: false,
    });
    try {
      expect(fax.totalPages).toBe(3);
      const got: FaxPage[] = [];
      for await (const p of fax.pagesFrom(1)) got.push(p);
      expect(got.map((p) => p.document)).toEqual([0, 1, 1]);
      [...a, ...b].forEach((p, i) => expect(bitmapsEqual(got[i].bitmap, p.bitmap)).toBe(true));
    } finally {
      await fax.close();
    }
  });

  it('resumes at a page of the second document with its label', async () => {
    const fax = await prepareFaxPages({
      document: [tiff('a.tif', [page(1)]), tiff('b.tif', [page(2), page(3)])],
      paper: 'a4',
      resolution: 'fine',
      tagline: false,
    });
    try {
      const got: FaxPage[] = [];
      for await (const p of fax.pagesFrom(3)) got.push(p);
      expect(got.map((p) => p.document)).toEqual([1]);
      expect(bitmapsEqual(got[0].bitmap, page(3).bitmap)).toBe(true);
    } finally {
      await fax.close();
    }
  });

  it('refuses an empty list of documents with a clear error', async () => {
    await expect(
      prepareFaxPages({ document: [], paper: 'a4', resolution: 'fine', tagline: false }),
    ).rejects.toEqual(new FaxJobError('bad-document', 'There is no document to send.'));
  });

  it("numbers a cover and two PDFs from the plan: each page's tagline says page x of 4", async () => {
    const one = await psToPdf(dir, 'one', '%!PS\nshowpage\n');
    const two = await psToPdf(dir, 'two', '%!PS\nshowpage showpage\n');
    const tagline = { format: 'Page %%P/%%T' };
    const fax = await prepareFaxPages({
      document: [one, two],
      paper: 'a4',
      resolution: 'standard',
      tagline,
      cover: {
        fields: {
          toName: 'Pharmacy',
          toNumber: '555-0100',
          fromName: 'Clinic',
          fromOrganisation: '',
          fromFax: '',
          fromVoice: '',
          date: '',
          subject: '',
          comments: '',
          notice: '',
        },
      },
      tmpdir: dir,
    });
    const got: FaxPage[] = [];
    try {
      expect(fax.totalPages).toBe(4);
      for await (const p of fax.pagesFrom(1)) got.push(p);
    } finally {
      await fax.close();
    }
    expect(got.map((p) => p.document ?? 'cover')).toEqual(['cover', 0, 1, 1]);
    // The same blank page numbered by hand as page n of 4: the tagline band must be the same.
    const band = (p: FaxPage) => Buffer.from(p.bitmap.data.subarray(0, 30 * p.bitmap.stride)).toString('hex');
    for (const n of [2, 3, 4]) {
      const alone: FaxPage[] = [];
      const numbering = () => ({ first: n, total: 4 });
      for await (const p of rasterize(one, { resolution: 'standard', tagline, numbering, tmpdir: dir }))
        alone.push(p);
      expect(band(got[n - 1])).toEqual(band(alone[0]));
    }
    expect(new Set(got.slice(1).map(band)).size).toBe(3);
  }, 60_000);
});
