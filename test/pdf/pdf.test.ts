/**
 * lib/pdf: fax pages as PDF, proven with poppler (pdfinfo, pdftoppm) — an independent reader and
 * CCITT decoder — and by walking the cross-reference table.
 */
import { writePdf, PdfError, PdfWriter } from '../../lib/pdf/index.js';
import { createBitmap, firstDifferentRow } from '../../lib/t4/index.js';
import type { Bitmap, FaxPage } from '../../lib/t4/index.js';
import type { Resolution } from '../../lib/itu/page.js';
import { fillRect } from '../t4/draw.js';
import { ditheredPhoto, run, Scratch, WIDTH } from '../t4/pages.js';
import { checkXref, renderPage } from './poppler.js';

let s: Scratch;
beforeAll(() => (s = new Scratch()));
afterAll(() => s.remove());

const DPI: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };

function testPage(height: number, seed: number): Bitmap {
  const b = ditheredPhoto(WIDTH, height);
  fillRect(b, 0, 0, WIDTH, 2); // full-width rules at the top and bottom edges
  fillRect(b, 0, height - 1, WIDTH, 1);
  fillRect(b, 10 + seed * 50, 20, 300, 40);
  return b;
}

test.each(['standard', 'fine', 'superfine'] as const)(
  '%s: poppler reads the pages, sizes from the resolution, pixels equal',
  (resolution) => {
    const heights = [300, 123];
    const pages: FaxPage[] = heights.map((h, i) => ({ bitmap: testPage(h, i), resolution }));
    const pdf = writePdf(pages, { title: 'Fax from +1 555 0100' });
    const file = s.write(`${resolution}.pdf`, pdf);
    expect(checkXref(pdf)).toBe(1 + 2 + 3 * pages.length + 1);
    const info = run('pdfinfo', ['-f', '1', '-l', '2', file]);
    expect(info).toMatch(/^Pages:\s+2$/m);
    expect(info).toMatch(/^Title:\s+Fax from \+1 555 0100$/m);
    expect(info).toMatch(/^Producer:\s+lpfax$/m);
    // 1728 px at 204 dpi = 609.88 pt (215.1 mm); height = rows / dpi inches.
    heights.forEach((h, i) => {
      const size = new RegExp(`^Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(info)!;
      expect(Number(size[1])).toBeCloseTo((WIDTH * 72) / 204, 1);
      expect(Number(size[2])).toBeCloseTo((h * 72) / DPI[resolution], 1);
      const back = renderPage(s, file, i + 1, DPI[resolution]);
      expect([back.width, back.height]).toEqual([WIDTH, h]);
      expect(firstDifferentRow(back, pages[i].bitmap)).toBe(-1);
    });
  },
);

test('built a page at a time: the pieces are the file; misuse is a typed error', () => {
  const w = new PdfWriter();
  expect(() => w.addPage({ width: 8, height: 1, xDpi: 204, yDpi: 98, mmr: new Uint8Array(1) })).toThrow(
    PdfError,
  );
  const parts = [w.start()];
  expect(w.size).toBe(parts[0].length);
  const blank = createBitmap(WIDTH, 50);
  const whole = writePdf([{ bitmap: blank, resolution: 'fine' }]);
  expect(whole.length).toBeGreaterThan(parts[0].length);
  expect(() => w.addPage({ width: 0, height: 1, xDpi: 204, yDpi: 98, mmr: new Uint8Array(1) })).toThrow(
    PdfError,
  );
  parts.push(w.finish());
  expect(() => w.finish()).toThrow(PdfError);
  // No page: still a well-formed PDF with an empty page tree.
  const empty = Buffer.concat(parts);
  expect(checkXref(empty)).toBe(4);
  expect(Buffer.from(empty).toString('latin1')).toContain('/Count 0');
});
