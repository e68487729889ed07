/** Reading PDFs back for tests: poppler's pixels, and the cross-reference table walked by hand. */
import type { Bitmap } from '../../lib/t4/index.js';
import { readPbm, run, Scratch } from '../t4/pages.js';

/** poppler's rendering of page `n` at the fax resolution, 1 bit (pdftoppm -mono → PBM). */
export function renderPage(s: Scratch, file: string, n: number, yDpi: number): Bitmap {
  const out = s.path('render');
  run('pdftoppm', ['-mono', '-rx', '204', '-ry', String(yDpi), '-f', String(n), '-l', String(n), file, out]);
  const names = run('sh', ['-c', 'ls "$0"-*.pbm', out]).trim().split('\n');
  const b = readPbm(s.read(names[0].slice(s.dir.length + 1)));
  run('rm', ['-f', ...names]);
  return b;
}

/** Every xref entry points at its "n 0 obj", startxref at "xref", /Size is the entry count. */
export function checkXref(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const m = /^xref\n0 (\d+)\n/.exec(text.slice(startxref))!;
  const count = Number(m[1]);
  const entries = text.slice(startxref + m[0].length, startxref + m[0].length + 20 * count);
  for (let i = 1; i < count; i++) {
    const e = entries.slice(20 * i, 20 * i + 20);
    expect(e).toMatch(/^\d{10} 00000 n\r\n$/);
    const at = Number(e.slice(0, 10));
    expect(text.slice(at, at + `${i} 0 obj`.length)).toBe(`${i} 0 obj`);
  }
  expect(text).toContain(`/Size ${count} `);
  return count;
}
