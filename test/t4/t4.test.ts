/**
 * lib/t4: T.4 / T.6 codec and TIFF Class F, proven against libtiff (tiffcp, tiffinfo, tiffcmp) and
 * Ghostscript on pages generated at test time.
 */
import { readFileSync, readdirSync } from 'node:fs';

import sharp from 'sharp';
import {
  bitmapsEqual,
  convertResolution,
  createBitmap,
  decodePage,
  encodePage,
  firstDifferentRow,
  getPixel,
  setPixel,
  readTiffPages,
  minScanLineBits,
  readTiff,
  T4DecodeError,
  T4Encoder,
  T4Error,
  TiffError,
  writeTiffCoded,
  writeTiffF,
} from '../../lib/t4/index.js';

import type { Bitmap, FaxPage } from '../../lib/t4/index.js';

import { BitWriter } from '../../lib/t4/bit-writer.js';

import { BitReader } from '../../lib/t4/bit-reader.js';

import { decode1DRow, encode1DRow } from '../../lib/t4/t4-1d.js';

import { TAG, TiffStructure } from '../../lib/t4/tiff-ifd.js';

import { fillRect, rng } from './draw.js';

import { eols } from './streams.js';

import { fuzzDecoders } from './fuzz.js';

import {
  blackBar,
  blankPage,
  checkerboard,
  ditheredPhoto,
  FORM_PS,
  gsRender,
  readPbm,
  run,
  Scratch,
  TEXT_PS,
  WIDTH,
} from './pages.js';

import type { T4Coding as Coding } from '../../lib/itu/page.js';
import { reverseBits } from '../../lib/itu/bit-order.js';

const CODINGS: Coding[] = ['mh', 'mr', 'mmr'];
let s: Scratch;
let pages: [string, Bitmap][];

beforeAll(() => {
  s = new Scratch();
  const text = readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))));
  const form = readPbm(new Uint8Array(readFileSync(gsRender(s, FORM_PS, 'pbmraw', 'form.pbm'))));
  pages = [
    ['text', text],
    ['form', form],
    ['photo', ditheredPhoto(WIDTH, 300)],
    ['blank', blankPage()],
    ['bar', blackBar()],
    ['checkerboard', checkerboard()],
  ];
});

afterAll(() => s.remove());

function pageNamed(name: string): Bitmap {
  return pages.find(([n]) => n === name)![1];
}

/** Strip bytes of page `index` of a TIFF. */
function strip(file: Uint8Array, index = 0): Uint8Array {
  const t = new TiffStructure(file);
  const ifd = t.directories()[index];
  const offsets = ifd.get(TAG.StripOffsets)!;
  const counts = ifd.get(TAG.StripByteCounts)!;
  return Buffer.concat(offsets.map((o, i) => t.buf.subarray(o, o + counts[i])));
}

/** Offset of the (first directory's) entry for `tag` in a little-endian TIFF. */
function findEntry(file: Uint8Array, tag: number): number {
  const v = new DataView(file.buffer, file.byteOffset);
  const ifd = v.getUint32(4, true);
  for (let i = 0; i < v.getUint16(ifd, true); i++)
    if (v.getUint16(ifd + 2 + 12 * i, true) === tag) return ifd + 2 + 12 * i;
  throw new Error(`no tag ${tag}`);
}

function expectSame(actual: Bitmap, expected: Bitmap): void {
  expect({ width: actual.width, height: actual.height }).toEqual({
    width: expected.width,
    height: expected.height,
  });
  expect(firstDifferentRow(actual, expected)).toBe(-1);
}

describe('code tables (T.4 Tables 2 and 3)', () => {
  test('every run length of both colours codes and decodes to itself, make-ups and 2560 repeats included', () => {
    const width = 6000;
    const changes = new Int32Array(width + 4);
    const out = new Int32Array(width + 4);
    for (let run = 0; run <= 2700; run++) {
      // A row white `run`, black `run + 1`, then white to the end: exercises both colours' codes.
      const w = new BitWriter(64);
      w.reserve(64);
      changes[0] = run;
      changes[1] = 2 * run + 1;
      changes[2] = width;
      encode1DRow(w, changes, 2, width);
      w.align();
      const r = new BitReader(w.take(false), false);
      expect(decode1DRow(r, out, width)).toBe(2);
      expect([out[0], out[1]]).toEqual([run, 2 * run + 1]);
    }
  });

  test('known code words: white 1728 make-up, black 0 terminating, EOL', () => {
    const b = createBitmap(1728, 1);
    const mh = encodePage(b, { coding: 'mh', bitOrder: 'msb-first', endOfPage: false });
    // EOL 000000000001, white 1728 make-up 010011011, white 0 terminating 00110101, zero padding.
    const bits = [...mh].map((x) => x.toString(2).padStart(8, '0')).join('');
    expect(bits.startsWith('000000000001' + '010011011' + '00110101')).toBe(true);
    const b2 = createBitmap(8, 1);
    b2.data[0] = 0xff;
    const row = encodePage(b2, { coding: 'mh', bitOrder: 'msb-first', endOfPage: false });
    // White 0 (00110101), black 8 (000101), end of row.
    expect(
      [...row]
        .map((x) => x.toString(2).padStart(8, '0'))
        .join('')
        .slice(12, 26),
    ).toBe('00110101000101');
  });
});

describe('round trips', () => {
  test.each(CODINGS)('%s: every test page, both bit orders', (coding) => {
    for (const [name, page] of pages) {
      for (const bitOrder of ['lsb-first', 'msb-first'] as const) {
        const coded = encodePage(page, { coding, bitOrder, resolution: 'fine' });
        const { bitmap, badRows, end } = decodePage(coded, { coding, width: page.width, bitOrder });
        expect({ name, badRows, end }).toEqual({ name, badRows: 0, end: coding === 'mmr' ? 'eofb' : 'rtc' });
        expectSame(bitmap, page);
      }
    }
  });

  test.each(CODINGS)('%s: B4 (2048) and A3 (2432) widths, long runs past 2560', (coding) => {
    for (const width of [2048, 2432, 4000]) {
      const b = createBitmap(width, 40);
      fillRect(b, 0, 5, width, 3); // full-width black rows
      fillRect(b, 17, 10, width - 40, 20);
      for (let x = 0; x < width; x += 37) fillRect(b, x, 32, 1, 6);
      const coded = encodePage(b, { coding, bitOrder: 'lsb-first' });
      expectSame(decodePage(coded, { coding, width, bitOrder: 'lsb-first' }).bitmap, b);
    }
  });

  test('lsb-first output is the msb-first output with every octet reversed', () => {
    const page = pageNamed('text');
    for (const coding of CODINGS) {
      const msb = encodePage(page, { coding, bitOrder: 'msb-first' });
      const lsb = encodePage(page, { coding, bitOrder: 'lsb-first' });
      expect(Buffer.from(reverseBits(lsb.slice()))).toEqual(Buffer.from(msb));
    }
  });

  test('streaming: T4Encoder row by row with flush() gives the same octets as encodePage', () => {
    const page = pageNamed('form');
    for (const coding of CODINGS) {
      const enc = new T4Encoder(page.width, {
        coding,
        kFactor: 4,
        minBitsPerRow: 300,
        bitOrder: 'lsb-first',
      });
      const parts: Uint8Array[] = [];
      for (let y = 0; y < page.height; y++) {
        enc.encodeRow(page.data.subarray(y * page.stride, (y + 1) * page.stride));
        parts.push(enc.flush());
      }
      parts.push(enc.finish());
      const whole = encodePage(page, { coding, kFactor: 4, minBitsPerRow: 300, bitOrder: 'lsb-first' });
      expect(Buffer.concat(parts)).toEqual(Buffer.from(whole));
      expect(() => enc.encodeRow(page.data)).toThrow(T4Error);
    }
  });
});

describe('stream structure (T.4 §4.1.2–4.1.4, §4.2; T.6 §2.4)', () => {
  const page = (): Bitmap => {
    const b = createBitmap(WIDTH, 12);
    fillRect(b, 100, 2, 500, 6);
    return b;
  };

  test('MH: an EOL before every row, RTC of six EOLs at the end', () => {
    const coded = encodePage(page(), { coding: 'mh', bitOrder: 'msb-first' });
    const found = eols(coded);
    expect(found).toHaveLength(12 + 6);
    const rtc = found.slice(12);
    for (let i = 1; i < 6; i++) expect(rtc[i].end - rtc[i - 1].end).toBe(12); // six EOLs back to back
    expect(coded.length * 8 - rtc[5].end).toBeLessThan(8); // then only octet padding
  });

  test('MR: tag bit 1 on every K-th row (K = 2 standard, 4 fine), RTC with tag bits 1', () => {
    for (const [resolution, k] of [
      ['standard', 2],
      ['fine', 4],
    ] as const) {
      const coded = encodePage(page(), { coding: 'mr', resolution, bitOrder: 'msb-first' });
      const tags = eols(coded).map((e) => e.next);
      expect(tags.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => (i % k === 0 ? 1 : 0)));
      expect(tags.slice(12)).toEqual([1, 1, 1, 1, 1, 1]);
    }
  });

  test('MMR: no EOL per row, EOFB at the end', () => {
    const coded = encodePage(page(), { coding: 'mmr', bitOrder: 'msb-first' });
    const found = eols(coded);
    expect(found).toHaveLength(2);
    expect(found[1].end - found[0].end).toBe(12);
    expect(coded.length * 8 - found[1].end).toBeLessThan(8);
  });

  test('fill: each coded row lasts at least minBitsPerRow bits; none in ECM', () => {
    const min = minScanLineBits(9600, 20);
    expect(min).toBe(192);
    for (const coding of ['mh', 'mr'] as const) {
      const coded = encodePage(page(), { coding, minBitsPerRow: min, bitOrder: 'msb-first' });
      const ends = eols(coded).map((e) => e.end);
      for (let i = 1; i <= 12; i++) expect(ends[i] - ends[i - 1]).toBeGreaterThanOrEqual(min);
      expectSame(decodePage(coded, { coding, width: WIDTH, bitOrder: 'msb-first' }).bitmap, page());
      const ecm = encodePage(page(), { coding, minBitsPerRow: min, ecm: true, bitOrder: 'msb-first' });
      expect(Buffer.from(ecm)).toEqual(Buffer.from(encodePage(page(), { coding, bitOrder: 'msb-first' })));
      expect(ecm.length).toBeLessThan(coded.length);
    }
  });

  test('octet-aligned EOLs (TIFF T4Options fill bit) decode the same', () => {
    const coded = encodePage(pageNamed('text'), { coding: 'mr', alignEol: true, bitOrder: 'msb-first' });
    for (const e of eols(coded)) expect(e.end % 8).toBe(0);
    expectSame(
      decodePage(coded, { coding: 'mr', width: WIDTH, bitOrder: 'msb-first' }).bitmap,
      pageNamed('text'),
    );
  });
});

describe('against libtiff', () => {
  const TIFFCP: Record<Coding, string> = { mh: 'g3', mr: 'g3:2d', mmr: 'g4' };
  /** Pages libtiff's own decoders can take (see checkerboard()). */
  const forLibtiff = (): FaxPage[] =>
    pages.map(([name, bitmap]) => ({
      bitmap: name === 'checkerboard' ? checkerboard(WIDTH, 200, true) : bitmap,
      resolution: 'fine',
    }));

  test.each(CODINGS)(
    '%s: our TIFF-F → libtiff decodes the same bitmaps (tiffcp, tiffcmp, tiffinfo -D)',
    (coding) => {
      const doc = forLibtiff();
      doc[2] = { bitmap: doc[2].bitmap, resolution: 'standard' };
      doc[3] = { bitmap: doc[3].bitmap, resolution: 'superfine' };
      const ours = s.write(`ours-${coding}.tif`, writeTiffF(doc, { coding, software: 'lpfax' }));
      const plain = s.write('plain.tif', writeTiffF(doc, { coding: 'none' }));
      const info = run('tiffinfo', ['-D', ours]);
      expect(info.match(/=== TIFF directory/g)).toHaveLength(doc.length);
      expect(info).toContain('Resolution: 204, 98 pixels/inch');
      expect(info).toContain('Resolution: 204, 391 pixels/inch');
      expect(info).toMatch(/Page Number: 5-6/);
      run('tiffcmp', [ours, plain]); // exits non-zero on any pixel difference
      run('tiffcp', ['-c', 'none', ours, s.path('back.tif')]);
      const back = readTiff(s.read('back.tif'));
      expect(back.map((p) => p.resolution)).toEqual(doc.map((p) => p.resolution));
      back.forEach((p, i) => expectSame(p.bitmap, doc[i].bitmap));
    },
  );

  test.each(CODINGS)(
    '%s: libtiff encoder → our decoder gives the same bitmaps; our bytes equal libtiff’s',
    (coding) => {
      const doc = forLibtiff();
      for (const [i, page] of doc.entries()) {
        const plain = s.write('one.tif', writeTiffF([page], { coding: 'none' }));
        for (const fill of coding === 'mmr' ? [''] : ['', ':fill']) {
          const file = s.path(`lt-${coding}.tif`);
          run('tiffcp', ['-c', TIFFCP[coding] + fill, '-r', String(page.bitmap.height), plain, file]);
          const theirs = readTiff(s.read(`lt-${coding}.tif`));
          expect(theirs[0].badRows).toBe(0);
          expectSame(theirs[0].bitmap, page.bitmap);
          const ours = encodePage(page.bitmap, {
            coding,
            resolution: 'fine',
            bitOrder: 'msb-first',
            endOfPage: coding === 'mmr', // libtiff's G3 strips carry no RTC; its G4 strips end with EOFB
            alignEol: fill !== '',
          });
          expect({
            page: pages[i][0],
            fill,
            same: Buffer.compare(Buffer.from(ours), strip(s.read(`lt-${coding}.tif`))),
          }).toEqual({
            page: pages[i][0],
            fill,
            same: 0,
          });
        }
      }
    },
  );

  test.each(CODINGS)(
    '%s: line data as a modem sends it (lsb-first, fill, RTC/EOFB) decodes in libtiff',
    (coding) => {
      const doc = forLibtiff().slice(0, 3);
      const coded = doc.map((p) => ({
        width: WIDTH,
        height: p.bitmap.height,
        resolution: p.resolution,
        coding,
        bitOrder: 'lsb-first' as const,
        data: encodePage(p.bitmap, {
          coding,
          resolution: p.resolution,
          minBitsPerRow: 384,
          bitOrder: 'lsb-first',
        }),
        badRows: 0,
      }));
      coded[1].badRows = 3;
      const file = s.write(`line-${coding}.tif`, writeTiffCoded(coded));
      const info = run('tiffinfo', [file]);
      expect(info).toContain('lsb-to-msb');
      expect(info).toMatch(/Bad Fax Lines: 3/);
      run('tiffcmp', [file, s.write('plain3.tif', writeTiffF(doc, { coding: 'none' }))]);
      readTiff(s.read(`line-${coding}.tif`)).forEach((p, i) => expectSame(p.bitmap, doc[i].bitmap));
    },
  );

  test('FillOrder 2 and several strips per page from libtiff', () => {
    const page = pageNamed('text');
    const plain = s.write('one.tif', writeTiffF([{ bitmap: page, resolution: 'fine' }], { coding: 'none' }));
    for (const c of ['g3', 'g3:2d', 'g4']) {
      run('tiffcp', ['-f', 'lsb2msb', '-c', c, '-r', '97', plain, s.path('lsb.tif')]);
      expect(run('tiffinfo', [s.path('lsb.tif')])).toContain('lsb-to-msb');
      expectSame(readTiff(s.read('lsb.tif'))[0].bitmap, page);
    }
  });

  test('resolution in centimetres (ResolutionUnit 3)', () => {
    const file = s.write(
      'cm.tif',
      writeTiffF([{ bitmap: pageNamed('bar'), resolution: 'fine' }], { coding: 'mh' }),
    );
    run('tiffset', ['-s', '296', '3', file]);
    run('tiffset', ['-s', '283', '38.5', file]); // 3.85 lines/mm
    run('tiffset', ['-s', '282', '80.3', file]);
    const [p] = readTiff(s.read('cm.tif'));
    expect(p.resolution).toBe('standard');
    expect(Math.round(p.xDpi)).toBe(204);
  });
});

describe('against Ghostscript', () => {
  const TWO_PAGES = TEXT_PS + FORM_PS.replace('%!PS', '');

  test.each([
    ['tiffg3', 196, 'fine'],
    ['tiffg32d', 196, 'fine'],
    ['tiffg4', 196, 'fine'],
    ['tiffcrle', 196, 'fine'],
    ['tiffg32d', 98, 'standard'],
    ['tiffg3', 391, 'superfine'],
  ] as const)('%s at %i dpi: our decode of every page equals pbmraw', (device, dpi, resolution) => {
    const pbm = `pbm-${dpi}-%d.pbm`;
    gsRender(s, TWO_PAGES, 'pbmraw', pbm, dpi);
    const file = gsRender(s, TWO_PAGES, device, `${device}.tif`, dpi);
    const got = readTiff(new Uint8Array(readFileSync(file)));
    expect(got).toHaveLength(2);
    got.forEach((page, i) => {
      expect(page.resolution).toBe(resolution);
      expect(page.badRows).toBe(0);
      expectSame(page.bitmap, readPbm(s.read(`pbm-${dpi}-${i + 1}.pbm`)));
    });
  });

  test('FillOrder 2 from Ghostscript (-dFillOrder=2)', () => {
    const src = s.write('fo.ps', TEXT_PS);
    run('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=tiffg32d',
      '-dFillOrder=2',
      '-r204x196',
      `-g${WIDTH}x600`,
      `-sOutputFile=${s.path('fo.tif')}`,
      src,
    ]);
    run('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=pbmraw',
      '-r204x196',
      `-g${WIDTH}x600`,
      `-sOutputFile=${s.path('fo.pbm')}`,
      src,
    ]);
    expect(run('tiffinfo', [s.path('fo.tif')])).toContain('lsb-to-msb');
    expectSame(readTiff(s.read('fo.tif'))[0].bitmap, readPbm(s.read('fo.pbm')));
  });
});

describe('sharp TIFFs', () => {
  test.each([
    ['ccittfax4', true],
    ['ccittfax4', false],
    ['packbits', false],
    ['none', true],
    ['lzw', true],
  ] as const)('%s, miniswhite %s', async (compression, miniswhite) => {
    const page = pageNamed('form');
    const gray = Buffer.alloc(page.width * page.height);
    for (let y = 0; y < page.height; y++)
      for (let x = 0; x < page.width; x++) gray[y * page.width + x] = getPixel(page, x, y) ? 0 : 255;
    const tif = await sharp(gray, { raw: { width: page.width, height: page.height, channels: 1 } })
      .toColourspace('b-w')
      .tiff({ compression, bitdepth: 1, miniswhite, predictor: 'none' })
      .toBuffer();
    const [p] = readTiff(new Uint8Array(tif));
    expectSame(p.bitmap, page);
  });
});

test('sharp (libvips) reads our multi-page TIFF-F in every coding', async () => {
  const doc: FaxPage[] = [
    { bitmap: pageNamed('form'), resolution: 'fine' },
    { bitmap: pageNamed('bar'), resolution: 'standard' },
  ];
  for (const coding of CODINGS) {
    const file = writeTiffF(doc, { coding });
    for (const [i, page] of doc.entries()) {
      const { data, info } = await sharp(file, { page: i }).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([page.bitmap.width, page.bitmap.height]);
      const got = createBitmap(info.width, info.height);
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++)
          if (data[(y * info.width + x) * info.channels] < 128) setPixel(got, x, y, true);
      }
      expectSame(got, page.bitmap);
    }
  }
});

describe('resolution conversion', () => {
  test('superfine → fine → standard keeps one-row thin lines (rows are OR-ed, not dropped)', () => {
    const b = createBitmap(WIDTH, 40);
    fillRect(b, 0, 13, WIDTH, 1); // a rule on an odd row
    fillRect(b, 100, 30, 1, 1); // a single dot
    const fine = convertResolution(b, 'superfine', 'fine');
    expect(fine.height).toBe(20);
    expect(getPixel(fine, 500, 6)).toBe(1);
    expect(getPixel(fine, 100, 15)).toBe(1);
    const std = convertResolution(b, 'superfine', 'standard');
    expect(std.height).toBe(10);
    expect(getPixel(std, 500, 3)).toBe(1);
    expect(getPixel(std, 100, 7)).toBe(1);
    expect(getPixel(std, 500, 4)).toBe(0);
    expectSame(convertResolution(std, 'standard', 'standard'), std);
  });

  test('up-conversion repeats rows; down again restores the page', () => {
    const page = pageNamed('text');
    const sf = convertResolution(page, 'fine', 'superfine');
    expect(sf.height).toBe(page.height * 2);
    expectSame(convertResolution(sf, 'superfine', 'fine'), page);
    expect(
      bitmapsEqual(convertResolution(convertResolution(page, 'fine', 'standard'), 'standard', 'fine'), page),
    ).toBe(false);
  });
});

describe('corrupt data', () => {
  /**
   * The stream with the data of row `row` (after its EOL, and tag bit for MR, up to the next EOL)
   * overwritten with 000000001 repeated: no code of Tables 2–4 starts with eight zeros but EOL.
   */
  function smashRow(coded: Uint8Array, row: number, tagBit: number): Uint8Array {
    const e = eols(coded);
    const out = coded.slice();
    for (let i = e[row].end + tagBit, k = 0; i < e[row + 1].end - 12; i++, k++) {
      const mask = 0x80 >> (i & 7);
      out[i >> 3] = k % 9 === 8 ? out[i >> 3] | mask : out[i >> 3] & ~mask;
    }
    return out;
  }

  /** A row from `from` on that differs from the row above, with row % k === rem. */
  function differingRow(page: Bitmap, from: number, k: number, rem: number): number {
    for (let y = from; y < page.height; y++) {
      const a = page.data.subarray((y - 1) * page.stride, y * page.stride);
      const b = page.data.subarray(y * page.stride, (y + 1) * page.stride);
      if (y % k === rem && Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) return y;
    }
    throw new Error('no such row');
  }

  test('MH: a bad row is replaced by the row above and counted; the rest of the page is intact', () => {
    const page = pageNamed('text');
    const coded = encodePage(page, { coding: 'mh', bitOrder: 'msb-first' });
    const row = differingRow(page, 1000, 1, 0);
    const { bitmap, badRows } = decodePage(smashRow(coded, row, 0), {
      coding: 'mh',
      width: WIDTH,
      bitOrder: 'msb-first',
    });
    expect(badRows).toBe(1);
    expect(bitmap.height).toBe(page.height);
    expect(firstDifferentRow(bitmap, page)).toBe(row);
    const after = (b: Bitmap) => b.data.subarray((row + 1) * b.stride);
    expect(Buffer.from(after(bitmap))).toEqual(Buffer.from(after(page)));
    const repeated = bitmap.data.subarray(row * bitmap.stride, (row + 1) * bitmap.stride);
    expect(Buffer.from(repeated)).toEqual(
      Buffer.from(page.data.subarray((row - 1) * page.stride, row * page.stride)),
    );
  });

  test('MR: decoding resynchronises; rows from the next 1-D row on are intact', () => {
    const page = pageNamed('text');
    const coded = encodePage(page, { coding: 'mr', kFactor: 4, bitOrder: 'msb-first' });
    const row = differingRow(page, 1000, 4, 1); // a 2-D row; row + 3 is the next 1-D row
    const { bitmap, badRows } = decodePage(smashRow(coded, row, 1), {
      coding: 'mr',
      width: WIDTH,
      bitOrder: 'msb-first',
    });
    expect(badRows).toBeGreaterThanOrEqual(1);
    expect(bitmap.height).toBe(page.height);
    expect(firstDifferentRow(bitmap, page)).toBe(row);
    const after = (b: Bitmap) => b.data.subarray((row + 3) * b.stride);
    expect(Buffer.from(after(bitmap))).toEqual(Buffer.from(after(page)));
  });

  test('MMR: an error stops the page with a typed error naming the row', () => {
    const page = pageNamed('form');
    const coded = encodePage(page, { coding: 'mmr', bitOrder: 'msb-first' });
    const bad = coded.slice();
    bad.fill(0, coded.length >> 1, (coded.length >> 1) + 8); // 64 zero bits: no valid code
    let err: unknown;
    try {
      decodePage(bad, { coding: 'mmr', width: WIDTH, bitOrder: 'msb-first' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(T4DecodeError);
    const de = err as T4DecodeError;
    expect(['invalid-code', 'premature-eol', 'bad-row']).toContain(de.kind);
    expect(de.row).toBeGreaterThan(0);
    expect(de.row).toBeLessThan(page.height);
    expect(() =>
      decodePage(coded.subarray(0, coded.length >> 1), {
        coding: 'mmr',
        width: WIDTH,
        bitOrder: 'msb-first',
      }),
    ).toThrow(T4DecodeError);
  });

  test('truncated MH/MR pages end early without an exception', () => {
    for (const coding of ['mh', 'mr'] as const) {
      const page = pageNamed('text');
      const coded = encodePage(page, { coding, bitOrder: 'lsb-first' });
      const { bitmap } = decodePage(coded.subarray(0, coded.length >> 1), { coding, width: WIDTH });
      expect(bitmap.height).toBeGreaterThan(100);
      expect(bitmap.height).toBeLessThan(page.height);
    }
  });

  test('bad arguments are typed errors, not crashes', () => {
    const b = createBitmap(WIDTH, 10);
    expect(() => encodePage({ ...b, data: b.data.subarray(0, 100) }, { coding: 'mh' })).toThrow(T4Error);
    expect(() => encodePage(b, { coding: 'jbig' as Coding })).toThrow(
      expect.objectContaining({ kind: 'bad-options' }),
    );
    expect(() => new T4Encoder(WIDTH, { coding: 'mr', kFactor: 0 })).toThrow(T4Error);
    expect(() => new T4Encoder(WIDTH, { coding: 'mh' }).encodeRow(new Uint8Array(10))).toThrow(T4Error);
    expect(() => convertResolution({ ...b, stride: 3 }, 'fine', 'standard')).toThrow(T4Error);
    expect(() => writeTiffF([{ bitmap: b, resolution: 'fine' }], { coding: 'g5' as Coding })).toThrow(
      T4Error,
    );
    expect(() => createBitmap(0, 10)).toThrow(T4Error);
    expect(() => decodePage(new Uint8Array(4), { coding: 'mmr', width: WIDTH, maxRows: -1 })).toThrow(
      T4Error,
    );
  });

  test('memory is bounded: more rows than maxRows is a page-too-long error', () => {
    const page = blankPage(WIDTH, 500);
    for (const coding of CODINGS) {
      const coded = encodePage(page, { coding });
      expect(() => decodePage(coded, { coding, width: WIDTH, maxRows: 300 })).toThrow(
        expect.objectContaining({ kind: 'page-too-long', row: 300 }),
      );
    }
    expect(() => decodePage(new Uint8Array(4), { coding: 'mh', width: 100000 })).toThrow(T4Error);
  });

  test('TIFFs that lie: bad header, looping directories, offsets outside the file, absurd sizes', () => {
    const good = writeTiffF([{ bitmap: pageNamed('bar'), resolution: 'fine' }], { coding: 'mmr' });
    expect(() => readTiff(new Uint8Array(10))).toThrow(expect.objectContaining({ kind: 'not-tiff' }));
    const loop = good.slice();
    const ifdAt = new DataView(loop.buffer).getUint32(4, true);
    const count = new DataView(loop.buffer).getUint16(ifdAt, true);
    new DataView(loop.buffer).setUint32(ifdAt + 2 + count * 12, ifdAt, true);
    expect(() => readTiff(loop)).toThrow(expect.objectContaining({ kind: 'corrupt' }));
    const tall = s.write('tall.tif', good);
    run('tiffset', ['-s', '257', '4000000000', tall]);
    expect(() => readTiff(s.read('tall.tif'))).toThrow(TiffError);
    expect(() => readTiff(good.subarray(0, good.length - 40))).toThrow(TiffError);
    // A short strip: the rows it lacks are counted as bad rows, the page keeps its stated size.
    const short = writeTiffF([{ bitmap: pageNamed('text'), resolution: 'fine' }], { coding: 'mh' });
    const t = new TiffStructure(short);
    const ifd = t.directories()[0];
    const cut = short.slice();
    const countAt = findEntry(cut, TAG.StripByteCounts);
    new DataView(cut.buffer).setUint32(countAt + 8, Math.floor(ifd.get(TAG.StripByteCounts)![0] / 2), true);
    const [half] = [...readTiffPages(cut)];
    expect(half.bitmap.height).toBe(pageNamed('text').height);
    expect(half.badRows).toBeGreaterThan(500);
  });

  test('fuzzing: random and mutated streams through every decoder (fixed seed)', () => {
    const samples = pages.map(([, b]) => (b.height > 400 ? { ...b, height: 400 } : b));
    const report = fuzzDecoders(rng(20261127), samples, 250);
    expect(report.untyped).toEqual([]);
    expect(report.runs).toBeGreaterThan(1000);
    expect(report.decoded).toBeGreaterThan(0);
    expect(report.typedErrors).toBeGreaterThan(0);
  });
});

test('test pages are what they claim', () => {
  const dark = (b: Bitmap) =>
    b.data.reduce((n, x) => n + (x.toString(2).match(/1/g)?.length ?? 0), 0) / (b.width * b.height);
  expect(dark(pageNamed('blank'))).toBe(0);
  expect(dark(pageNamed('checkerboard'))).toBe(0.5);
  expect(dark(pageNamed('photo'))).toBeGreaterThan(0.3);
  expect(dark(pageNamed('text'))).toBeGreaterThan(0.03);
  expect(readdirSync(s.dir).length).toBeGreaterThan(0);
});
