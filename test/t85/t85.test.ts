/**
 * lib/t85: the T.85 codec proven against jbigkit (Debian jbigkit-bin), an independent
 * implementation: jbgtopbm and jbgtopbm85 decode what lpfax encodes to exactly its pixels, lpfax
 * decodes what pbmtojbg and pbmtojbg85 encode (with and without TP, one stripe and many, with
 * ATMOVE, COMMENT, NEWLEN, SDRST) to exactly theirs, and the coder's output is octet for octet
 * jbigkit's for the same options. Then the decoder is fuzzed.
 */
import { bitmapsEqual, createBitmap, firstDifferentRow } from '../../lib/t4/index.js';
import type { Bitmap } from '../../lib/t4/index.js';
import {
  decodeT85,
  encodeT85,
  parseBih,
  T85Decoder,
  T85Encoder,
  T85Error,
  UNKNOWN_HEIGHT,
} from '../../lib/t85/index.js';
import { fillRect, rng } from '../t4/draw.js';
import {
  blankPage,
  ditheredPhoto,
  FORM_PS,
  gsRender,
  readPbm,
  run,
  Scratch,
  TEXT_PS,
  writePbm,
} from '../t4/pages.js';
import { fuzzT85 } from './fuzz.js';

const s = new Scratch();
afterAll(() => s.remove());

/** Ghostscript pages cut to their first 700 rows, to keep the test quick. */
function rendered(ps: string, name: string): Bitmap {
  const b = readPbm(s.read(gsRender(s, ps, 'pbmraw', `${name}.pbm`).slice(s.dir.length + 1)));
  return { ...b, height: 700, data: b.data.subarray(0, 700 * b.stride) };
}

function drawn(width: number, height: number, black: (x: number, y: number) => boolean): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (black(x, y)) b.data[y * b.stride + (x >> 3)] |= 0x80 >> (x & 7);
  return b;
}

const full = (w: number, h: number) => {
  const b = createBitmap(w, h);
  fillRect(b, 0, 0, w, h);
  return b;
};
const r = rng(20261207);
const pages: [string, Bitmap][] = [
  ['text', rendered(TEXT_PS, 'text')],
  ['form', rendered(FORM_PS, 'form')],
  ['dithered', ditheredPhoto(1728, 300)],
  ['blank', blankPage(1728, 200)],
  ['black', full(1728, 100)],
  ['1x1 black', full(1, 1)],
  ['1x1 white', createBitmap(1, 1)],
  ['1727x3 noise', drawn(1727, 3, () => r() < 0.5)],
  ['8x1000 stripes', drawn(8, 1000, (x, y) => (x + (y >> 4)) % 3 === 0)],
  ['13x77 sparse', drawn(13, 77, () => r() < 0.05)],
];

/** jbigkit's decoder (jbgtopbm or jbgtopbm85) on a BIE, to a file (so NEWLEN fixes the height). */
function jbigkitDecode(tool: 'jbgtopbm' | 'jbgtopbm85', bie: Uint8Array): Bitmap {
  run(tool, [s.write('in.jbg', bie), s.path('out.pbm')]);
  return readPbm(s.read('out.pbm'));
}

function expectSame(got: Bitmap, want: Bitmap): void {
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  expect(firstDifferentRow(got, want)).toBe(-1);
}

describe('lpfax encodes, jbigkit decodes', () => {
  test.each(pages)('%s: default (L0 128, TPBON), jbgtopbm and jbgtopbm85', (_, page) => {
    const bie = encodeT85(page);
    const bih = parseBih(bie);
    expect(bih).toMatchObject({
      width: page.width,
      height: page.height,
      stripeRows: 128,
      twoLine: false,
      tpbon: true,
    });
    expectSame(jbigkitDecode('jbgtopbm', bie), page);
    expectSame(jbigkitDecode('jbgtopbm85', bie), page);
    expectSame(decodeT85(bie), page);
  });

  test.each(pages)('%s: no TP, one stripe; streamed with NEWLEN in 7-row stripes', (_, page) => {
    const one = encodeT85(page, { tpbon: false, stripeRows: page.height });
    expectSame(jbigkitDecode('jbgtopbm', one), page);
    const streamed = encodeT85(page, { streamed: true, stripeRows: 7 });
    expect(parseBih(streamed)).toMatchObject({ height: UNKNOWN_HEIGHT, vlength: true });
    expectSame(jbigkitDecode('jbgtopbm85', streamed), page);
    expectSame(decodeT85(streamed), page);
  });

  test('the coded data is octet for octet what pbmtojbg85 writes for the same options', () => {
    for (const [, page] of pages.filter((_, i) => i % 2 === 0)) {
      for (const [p, tpbon] of [
        ['8', true],
        ['0', false],
      ] as const) {
        run('pbmtojbg85', [
          '-p',
          p,
          '-m',
          '0',
          '-s',
          '128',
          s.write('c.pbm', writePbm(page)),
          s.path('c.jbg'),
        ]);
        expect(Buffer.from(encodeT85(page, { tpbon }))).toEqual(Buffer.from(s.read('c.jbg')));
      }
    }
  });

  test('rows may come one at a time: each encodeRow returns finished stripes at once', () => {
    const page = pages[0][1];
    const enc = new T85Encoder(page.width, { stripeRows: 50, height: page.height });
    const sizes: number[] = [];
    for (let y = 0; y < page.height; y++)
      sizes.push(enc.encodeRow(page.data.subarray(y * page.stride)).length);
    expect(sizes[0]).toBeGreaterThanOrEqual(20); // the BIH goes out with the first row
    expect(sizes[49]).toBeGreaterThan(0); // the first stripe is complete
    expect(sizes.slice(1, 49).every((n) => n === 0)).toBe(true);
    expect(() => enc.encodeRow(page.data)).toThrow(T85Error); // more rows than the height
  });
});

describe('jbigkit encodes, lpfax decodes', () => {
  const cut = (b: Bitmap, h: number): Bitmap => ({ ...b, height: h, data: b.data.subarray(0, h * b.stride) });
  const small: [string, Bitmap][] = [
    ['text', cut(pages[0][1], 300)],
    ['dithered', cut(pages[2][1], 200)],
    ...pages.slice(5),
  ];
  const variants: [string, string, string[]][] = [
    ['pbmtojbg', 'sequential, TP and DP bits as pbmtojbg sets them', ['-q']],
    ['pbmtojbg', 'no TP', ['-q', '-p', '0']],
    ['pbmtojbg', 'TPBON, 3-row stripes', ['-q', '-p', '8', '-s', '3']],
    ['pbmtojbg', 'two-line template with TPBON', ['-q', '-p', '72']],
    ['pbmtojbg', 'two-line template, 2-row stripes', ['-q', '-p', '64', '-s', '2']],
    ['pbmtojbg', 'SDRST after every 10-row stripe', ['-q', '-p', '8', '-r', '-s', '10']],
    ['pbmtojbg', 'a COMMENT', ['-q', '-C', 'lpfax test comment']],
    ['pbmtojbg', 'VLENGTH and NEWLEN', ['-q', '-Y', '5000']],
    ['pbmtojbg85', 'T.85 defaults (ATMOVE allowed)', []],
    ['pbmtojbg85', 'no TP, 4-row stripes', ['-p', '0', '-s', '4']],
    ['pbmtojbg85', 'AT up to 127, 50-row stripes', ['-m', '127', '-s', '50']],
    ['pbmtojbg85', 'NEWLEN after row 3', ['-Y', '9999', '3']],
  ];
  test.each(variants)('%s: %s', (tool, _, args) => {
    const features = new Set<string>();
    for (const [name, page] of small) {
      if (page.height < 4 && args.includes('-Y')) continue; // jbigkit then writes no stripe at all
      run(tool, [...args, s.write('v.pbm', writePbm(page)), s.path('v.jbg')]);
      const bie = s.read('v.jbg');
      if (name === 'dithered') {
        const diag = run('jbgtopbm', ['-d', s.path('v.jbg')]);
        for (const m of ['ATMOVE', 'COMMENT', 'NEWLEN', 'SDRST']) if (diag.includes(m)) features.add(m);
      }
      expect([name, bitmapsEqual(decodeT85(bie), page)]).toEqual([name, true]);
      let rows = 0;
      const dec = new T85Decoder({ onRow: () => rows++ });
      for (let at = 0; at < bie.length; at += 17) dec.push(bie.subarray(at, at + 17));
      expect(dec.finish().rows).toBe(page.height);
      expect(rows).toBe(page.height);
      expect(bitmapsEqual(dec.takeBitmap(), page)).toBe(true);
    }
    // the markers each variant is there for really occur
    if (args.includes('-r')) expect(features.has('SDRST')).toBe(true);
    if (args.includes('-C')) expect(features.has('COMMENT')).toBe(true);
    if (args.includes('-Y')) expect(features.has('NEWLEN')).toBe(true);
    if (tool === 'pbmtojbg85' && args.length === 0) expect(features.has('ATMOVE')).toBe(true);
  });
});

describe('errors are values', () => {
  const page = pages[2][1];
  const bie = encodeT85(page, { stripeRows: 32 });

  test('a cut BIE is truncated; bad headers and markers have their kinds', () => {
    const kind = (d: Uint8Array, o = {}) => {
      try {
        decodeT85(d, o);
        return 'decoded';
      } catch (e) {
        return e instanceof T85Error ? e.kind : `untyped ${String(e)}`;
      }
    };
    expect(kind(bie.subarray(0, bie.length - 40))).toBe('truncated');
    expect(kind(bie.subarray(0, 10))).toBe('truncated');
    const twoLayers = bie.slice();
    twoLayers[1] = 1;
    expect(kind(twoLayers)).toBe('unsupported');
    const zeroWidth = bie.slice();
    zeroWidth.fill(0, 4, 8);
    expect(kind(zeroWidth)).toBe('bad-header');
    const abort = Uint8Array.from([...bie.subarray(0, 20), 0xff, 0x04]);
    expect(kind(abort)).toBe('aborted');
    const reserved = Uint8Array.from([...bie.subarray(0, 20), 0xff, 0x01]);
    expect(kind(reserved)).toBe('bad-marker');
    expect(kind(bie, { width: 1728 + 1 })).toBe('bad-header');
    expect(kind(bie, { maxRows: 100 })).toBe('page-too-long');
  });

  test('fuzzing: random and mutated BIEs, in one piece and in pieces (fixed seed)', () => {
    const samples = [pages[0][1], pages[2][1], pages[7][1], pages[9][1]].map((b) =>
      b.height > 60 ? { ...b, height: 60, data: b.data.subarray(0, 60 * b.stride) } : b,
    );
    const report = fuzzT85(rng(20261208), samples, 200);
    expect(report.failures).toEqual([]);
    expect(report.runs).toBe(200);
    expect(report.decoded).toBeGreaterThan(0);
    expect(report.typedErrors).toBeGreaterThan(50);
  });
});
