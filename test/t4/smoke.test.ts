import { readFileSync } from 'node:fs';
import { encodePage, decodePage, writeTiffF, readTiff, firstDifferentRow } from '../../lib/t4/index.js';
import { TiffStructure, TAG } from '../../lib/t4/tiff-ifd.js';
import { Scratch, gsRender, TEXT_PS, readPbm, run, ditheredPhoto, checkerboard } from './pages.js';

test('smoke', () => {
  const s = new Scratch();
  const text = readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))));
  for (const page of [text, ditheredPhoto(), checkerboard()]) {
    for (const coding of ['mh', 'mr', 'mmr'] as const) {
      const enc = encodePage(page, { coding, bitOrder: 'lsb-first' });
      const dec = decodePage(enc, { coding, width: page.width, bitOrder: 'lsb-first' });
      console.log(coding, enc.length, dec.end, dec.badRows, firstDifferentRow(dec.bitmap, page));
    }
    s.write('plain.tif', writeTiffF([{ bitmap: page, resolution: 'fine' }], { coding: 'none' }));
    run('tiffcp', ['-c', 'g4', '-r', String(page.height), s.path('plain.tif'), s.path('g4.tif')]);
    const t = new TiffStructure(s.read('g4.tif'));
    const ifd = t.directories()[0];
    const off = ifd.get(TAG.StripOffsets)![0];
    const cnt = ifd.get(TAG.StripByteCounts)![0];
    const theirs = t.buf.subarray(off, off + cnt);
    const ours = encodePage(page, { coding: 'mmr', bitOrder: 'msb-first' });
    console.log(
      'g4 equal',
      Buffer.compare(Buffer.from(theirs), Buffer.from(ours)),
      theirs.length,
      ours.length,
    );
    for (const c of ['g3', 'g3:2d']) {
      run('tiffcp', ['-c', c, '-r', String(page.height), s.path('plain.tif'), s.path('g3.tif')]);
      const back = readTiff(s.read('g3.tif'))[0];
      console.log(c, firstDifferentRow(back.bitmap, page), back.badRows);
    }
  }
  s.remove();
});
