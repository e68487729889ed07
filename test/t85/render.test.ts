/**
 * `lpfax render FILE --coding jbig -o OUT` (dist/bin/lpfax.js): one BIE per page, OUT-001.jbg …,
 * that jbigkit's jbgtopbm decodes to exactly the pixels of the same render as TIFF-F (MMR)
 * (without the tagline, whose clock would differ between the two renders).
 */
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstDifferentRow, readTiffPages } from '../../lib/t4/index.js';
import { parseBih } from '../../lib/t85/index.js';
import { readPbm, run, Scratch } from '../t4/pages.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

const s = new Scratch();
afterAll(() => s.remove());

/** Three pages: text, a ruled form, a grey (halftoned) block. */
const DOC = `%!PS
/Helvetica findfont 14 scalefont setfont
0 1 40 { /i exch def 60 780 i 18 mul sub moveto (lpfax T.85 render test: the quick brown fox 0123456789) show } for
showpage
0.4 setlinewidth 0 1 30 { /i exch def 40 60 i 22 mul add moveto 520 0 rlineto stroke } for
0 1 5 { /i exch def 40 i 104 mul add 60 moveto 0 660 rlineto stroke } for
showpage
0.5 setgray 100 200 400 400 rectfill 0 setgray 100 100 50 50 rectfill
showpage
`;

test('render --coding jbig writes OUT-001.jbg … that jbgtopbm decodes to the rendered pixels', async () => {
  const doc = s.write('doc.ps', DOC);
  await execa('node', [
    LPFAX,
    'render',
    doc,
    '-o',
    s.path('out.jbg'),
    '--coding',
    'jbig',
    '--resolution',
    'fine',
    '--no-tagline',
  ]);
  await execa('node', [
    LPFAX,
    'render',
    doc,
    '-o',
    s.path('out.tif'),
    '--coding',
    'mmr',
    '--resolution',
    'fine',
    '--no-tagline',
  ]);
  const bies = readdirSync(s.dir)
    .filter((n) => n.endsWith('.jbg'))
    .sort();
  expect(bies).toEqual(['out-001.jbg', 'out-002.jbg', 'out-003.jbg']);
  const tiff = [...readTiffPages(s.read('out.tif'))];
  expect(tiff).toHaveLength(3);
  bies.forEach((name, i) => {
    expect(parseBih(s.read(name))).toMatchObject({
      width: 1728,
      stripeRows: 128,
      tpbon: true,
      twoLine: false,
    });
    run('jbgtopbm', [s.path(name), s.path(`${name}.pbm`)]);
    const page = readPbm(s.read(`${name}.pbm`));
    const want = tiff[i].bitmap;
    expect([page.width, page.height]).toEqual([want.width, want.height]);
    expect(firstDifferentRow(page, want)).toBe(-1);
    expect(page.data.some((b) => b !== 0)).toBe(true); // every page has ink
  });
});
