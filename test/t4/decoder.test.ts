/**
 * lib/t4 T4Decoder: the streaming page decoder a receiver feeds as data comes off the line.
 * Pages are coded by lib/t4's encoder (proven against libtiff in t4.test.ts) and then cut, damaged
 * and fed in pieces; the one-call decodePage must agree with every way of feeding.
 */
import {
  createBitmap,
  decodePage,
  encodePage,
  firstDifferentRow,
  RTC_EOLS_TO_END,
  T4Decoder,
  T4DecodeError,
  T4Error,
} from '../../lib/t4/index.js';
import type { Bitmap, DecodeResult, EncodeOptions, StreamDecodeOptions } from '../../lib/t4/index.js';
import type { T4Coding as Coding } from '../../lib/itu/page.js';
import { fillRect, rng } from './draw.js';
import { fuzzStreaming } from './fuzz.js';
import { ditheredPhoto, WIDTH } from './pages.js';
import { bitAt, eols } from './streams.js';

const CODINGS: Coding[] = ['mh', 'mr', 'mmr'];

/** A small page with something in every row (so every coded row is longer than a few bits). */
function smallPage(height = 10, width = WIDTH): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    fillRect(b, (y * 37) % (width - 300), y, 120 + ((y * 13) % 90), 1);
    fillRect(b, width - 200 + (y % 7), y, 3, 1);
  }
  fillRect(b, 400, 2, 600, 3);
  return b;
}

/** Feeds `data` in the given pieces; the result with the kept bitmap. */
function feed(data: Uint8Array, cuts: number[], options: StreamDecodeOptions): DecodeResult {
  const d = new T4Decoder(options);
  let at = 0;
  for (const c of [...cuts, data.length]) {
    d.push(data.subarray(at, c));
    at = c;
  }
  const summary = d.finish();
  return { ...summary, bitmap: d.takeBitmap() };
}

function same(a: DecodeResult, b: DecodeResult): void {
  expect({ rows: a.rows, bad: a.badRows, longest: a.longestBadRun, end: a.end }).toEqual({
    rows: b.rows,
    bad: b.badRows,
    longest: b.longestBadRun,
    end: b.end,
  });
  expect(firstDifferentRow(a.bitmap, b.bitmap)).toBe(-1);
}

/** Line data as a modem delivers it: lsb-first, fill to a minimum scan line time, RTC/EOFB. */
function lineData(page: Bitmap, coding: Coding, extra: Partial<EncodeOptions> = {}): Uint8Array {
  return encodePage(page, {
    coding,
    bitOrder: 'lsb-first',
    minBitsPerRow: 200,
    resolution: 'fine',
    ...extra,
  });
}

describe('chunk boundaries', () => {
  test.each(CODINGS)('%s: split at every offset, and one octet at a time, decodes the same', (coding) => {
    const page = smallPage();
    const data = lineData(page, coding);
    const whole = decodePage(data, { coding, width: WIDTH });
    expect(whole.end).toBe(coding === 'mmr' ? 'eofb' : 'rtc');
    expect(whole.badRows).toBe(0);
    expect(firstDifferentRow(whole.bitmap, page)).toBe(-1);
    for (let cut = 0; cut <= data.length; cut++) same(feed(data, [cut], { coding, width: WIDTH }), whole);
    same(
      feed(
        data,
        Array.from({ length: data.length }, (_, i) => i),
        { coding, width: WIDTH },
      ),
      whole,
    );
  });

  test.each(CODINGS)('%s: a full page in random pieces; rows come out before the data ends', (coding) => {
    const page = ditheredPhoto(WIDTH, 400);
    const data = lineData(page, coding);
    const rand = rng(7);
    const rows: number[] = [];
    const d = new T4Decoder({ coding, width: WIDTH, keepBitmap: false, onRow: () => rows.push(d.rows) });
    let at = 0;
    let halfway = -1;
    while (at < data.length) {
      const n = 1 + Math.floor(rand() * 700);
      d.push(data.subarray(at, at + n));
      at += n;
      if (halfway < 0 && at >= data.length / 2) halfway = d.rows;
    }
    expect(halfway).toBeGreaterThan(100);
    expect(halfway).toBeLessThan(300);
    // RTC / EOFB end the page as soon as they arrive, before finish().
    expect(d.pageEnd).toBe(coding === 'mmr' ? 'eofb' : 'rtc');
    expect(d.finish()).toEqual({ rows: 400, badRows: 0, longestBadRun: 0, end: d.pageEnd });
    expect(rows).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(() => d.takeBitmap()).toThrow(T4Error);
  });

  test('the input buffer stays a few rows long, not a page', () => {
    const page = ditheredPhoto(WIDTH, 1200);
    for (const coding of CODINGS) {
      const data = lineData(page, coding);
      expect(data.length).toBeGreaterThan(150_000);
      const d = new T4Decoder({ coding, width: WIDTH, keepBitmap: false });
      let most = 0;
      for (let at = 0; at < data.length; at += 512) {
        d.push(data.subarray(at, at + 512));
        most = Math.max(most, d.bufferSize);
      }
      expect(d.finish().rows).toBe(1200);
      expect(most).toBeLessThanOrEqual(16384);
    }
  });
});

describe('codings and page structure', () => {
  test.each([1, 2, 3, 4, 8, 1000])('MR with K = %i', (kFactor) => {
    const page = smallPage(30);
    const data = lineData(page, 'mr', { kFactor });
    const r = feed(data, [5, 77, 200], { coding: 'mr', width: WIDTH });
    expect([r.rows, r.badRows, r.end]).toEqual([30, 0, 'rtc']);
    expect(firstDifferentRow(r.bitmap, page)).toBe(-1);
  });

  test.each(CODINGS)('%s: fill, octet-aligned EOLs, both bit orders, B4 width', (coding) => {
    for (const width of [WIDTH, 2048]) {
      const page = smallPage(12, width);
      for (const bitOrder of ['lsb-first', 'msb-first'] as const) {
        for (const extra of [{ minBitsPerRow: 2000 }, { alignEol: true }, { ecm: true }]) {
          const data = encodePage(page, { coding, bitOrder, ...extra });
          const r = feed(data, [data.length >> 1], { coding, width, bitOrder });
          expect([r.rows, r.badRows]).toEqual([12, 0]);
          expect(firstDifferentRow(r.bitmap, page)).toBe(-1);
        }
      }
    }
  });

  test('RTC: five of its six EOLs end the page; data after it is ignored; four do not', () => {
    const page = smallPage();
    for (const coding of ['mh', 'mr'] as const) {
      const data = encodePage(page, { coding, bitOrder: 'msb-first' });
      const ends = eols(data).map((e) => e.end);
      const rtc = ends.slice(-6);
      // Break the last EOL of RTC: its 1 becomes 0.
      const five = data.slice();
      five[(rtc[5] - 1) >> 3] &= ~(0x80 >> ((rtc[5] - 1) & 7));
      const d = new T4Decoder({ coding, width: WIDTH, bitOrder: 'msb-first' });
      d.push(five);
      expect(d.pageEnd).toBe('rtc');
      d.push(new Uint8Array(300).fill(0x5a)); // junk after the page
      expect(d.finish()).toEqual({ rows: 10, badRows: 0, longestBadRun: 0, end: 'rtc' });
      expect(RTC_EOLS_TO_END).toBe(5);
      // Only four EOLs after the last row: the page ends with the data.
      const four = data.slice(0, (rtc[3] + 7) >> 3);
      four.fill(0, (rtc[3] + 7) >> 3);
      const r = decodePage(four, { coding, width: WIDTH, bitOrder: 'msb-first' });
      expect([r.rows, r.badRows, r.end]).toEqual([10, 0, 'end-of-data']);
    }
  });

  test('MMR: EOFB ends the page; data after it is ignored', () => {
    const page = smallPage();
    const data = encodePage(page, { coding: 'mmr', bitOrder: 'lsb-first' });
    const d = new T4Decoder({ coding: 'mmr', width: WIDTH });
    d.push(data);
    expect(d.pageEnd).toBe('eofb');
    d.push(new Uint8Array(50).fill(0xff));
    expect(d.finish().rows).toBe(10);
  });
});

/** Bit positions (msb-first) where each row's codes start: after its EOL and, in MR, the tag bit. */
function rowStarts(data: Uint8Array, coding: 'mh' | 'mr', rows: number): number[] {
  return eols(data)
    .slice(0, rows)
    .map((e) => e.end + (coding === 'mr' ? 1 : 0));
}

/** Puts 000000001 at bit `at`: eight zeros and a one is no code of T.4 Tables 2–4, and no EOL. */
function spoil(data: Uint8Array, at: number): void {
  for (let i = 0; i < 9; i++) {
    const p = at + i;
    const mask = 0x80 >> (p & 7);
    data[p >> 3] = i === 8 ? data[p >> 3] | mask : data[p >> 3] & ~mask;
  }
}

describe('bad rows (MH, MR)', () => {
  const opts = { bitOrder: 'msb-first' as const, minBitsPerRow: 150 };

  test.each([
    ['mh', 2],
    ['mr', 1],
  ] as const)('%s (K %i): spoiled rows are replaced by the last good row and counted', (coding, kFactor) => {
    const page = smallPage(40);
    const data = encodePage(page, { coding, kFactor, ...opts });
    const starts = rowStarts(data, coding, 40);
    for (const row of [5, 10, 11, 12, 30]) spoil(data, starts[row]);
    const whole = decodePage(data, { coding, width: WIDTH, bitOrder: 'msb-first' });
    expect({ rows: whole.rows, bad: whole.badRows, longest: whole.longestBadRun, end: whole.end }).toEqual({
      rows: 40,
      bad: 5,
      longest: 3,
      end: 'rtc',
    });
    const row = (b: Bitmap, y: number) => Buffer.from(b.data.subarray(y * b.stride, (y + 1) * b.stride));
    for (let y = 0; y < 40; y++) {
      const expected = y === 5 ? 4 : y >= 10 && y <= 12 ? 9 : y === 30 ? 29 : y;
      expect({ y, same: row(whole.bitmap, y).equals(row(page, expected)) }).toEqual({ y, same: true });
    }
    // Any chunking gives the same.
    for (let cut = 0; cut < data.length; cut += 7)
      same(feed(data, [cut], { coding, width: WIDTH, ...opts }), whole);
  });

  test('MR (K 4): a spoiled 2-D row is bad, and from the next 1-D row on the page is intact', () => {
    const page = smallPage(40);
    const data = encodePage(page, { coding: 'mr', kFactor: 4, ...opts });
    const starts = rowStarts(data, 'mr', 40);
    expect(eols(data)[13].next).toBe(0); // row 14 (after the 14th EOL) is 2-D
    spoil(data, starts[13]);
    const r = decodePage(data, { coding: 'mr', width: WIDTH, bitOrder: 'msb-first' });
    expect(r.rows).toBe(40);
    expect(r.badRows).toBeGreaterThanOrEqual(1);
    expect(firstDifferentRow(r.bitmap, page)).toBe(13);
    const from16 = (b: Bitmap) => Buffer.from(b.data.subarray(16 * b.stride, 40 * b.stride));
    expect(from16(r.bitmap).equals(from16(page))).toBe(true);
  });

  test('rows of the wrong pixel count are bad rows', () => {
    const page = smallPage(20);
    for (const coding of ['mh', 'mr'] as const) {
      const data = encodePage(page, { coding, kFactor: 1, ...opts });
      for (const width of [WIDTH - 8, WIDTH + 8]) {
        const r = decodePage(data, { coding, width, bitOrder: 'msb-first' });
        expect([r.rows, r.badRows, r.longestBadRun]).toEqual([20, 20, 20]);
      }
    }
  });

  test('a row the line zeroed (EOL, fill, EOL) is a bad row, not a lost one', () => {
    const page = smallPage(20);
    const data = encodePage(page, { coding: 'mh', ...opts });
    const found = eols(data);
    // Zero everything of row 7 between its EOL and the next one, except that next EOL's one.
    for (let p = found[7].end; p < found[8].end - 1; p++) data[p >> 3] &= ~(0x80 >> (p & 7));
    expect(bitAt(data, found[8].end - 1)).toBe(1);
    const r = decodePage(data, { coding: 'mh', width: WIDTH, bitOrder: 'msb-first' });
    expect([r.rows, r.badRows, r.longestBadRun]).toEqual([20, 1, 1]);
  });

  test('a page cut short: the last partial row is bad, earlier rows intact', () => {
    const page = smallPage(20);
    const data = encodePage(page, { coding: 'mh', ...opts });
    const found = eols(data);
    // Row 11 whole (its fill cut off with its EOL) and row 12 cut inside its codes.
    const cut = data.subarray(0, (found[12].end + 24) >> 3);
    const r = feed(cut, [40], { coding: 'mh', width: WIDTH, bitOrder: 'msb-first' });
    expect([r.rows, r.badRows, r.end]).toEqual([13, 1, 'end-of-data']);
    expect(firstDifferentRow({ ...r.bitmap, height: 12 }, { ...page, height: 12 })).toBe(-1);
  });
});

describe('errors', () => {
  test('MMR that does not decode is a T4DecodeError, in one piece or many', () => {
    const page = ditheredPhoto(WIDTH, 200);
    const data = encodePage(page, { coding: 'mmr', bitOrder: 'lsb-first' });
    data.fill(0, 3000, 3010);
    expect(() => decodePage(data, { coding: 'mmr', width: WIDTH })).toThrow(T4DecodeError);
    const d = new T4Decoder({ coding: 'mmr', width: WIDTH });
    expect(() => {
      for (let at = 0; at < data.length; at += 100) d.push(data.subarray(at, at + 100));
      d.finish();
    }).toThrow(T4DecodeError);
    // Truncated MMR: the rows so far are there, finish() names the row it ended in.
    const d2 = new T4Decoder({ coding: 'mmr', width: WIDTH });
    d2.push(encodePage(page, { coding: 'mmr', bitOrder: 'lsb-first' }).subarray(0, 5000));
    expect(d2.rows).toBeGreaterThan(3);
    expect(() => d2.finish()).toThrow(expect.objectContaining({ kind: 'truncated' }));
  });

  test('page-too-long while streaming', () => {
    const data = lineData(createBitmap(WIDTH, 300), 'mh');
    const d = new T4Decoder({ coding: 'mh', width: WIDTH, maxRows: 100, keepBitmap: false });
    expect(() => {
      for (let at = 0; at < data.length; at += 64) d.push(data.subarray(at, at + 64));
    }).toThrow(expect.objectContaining({ kind: 'page-too-long', row: 100 }));
  });

  test('fuzzing: random pieces of mutated streams decode exactly as in one piece (fixed seed)', () => {
    const samples = [smallPage(30), ditheredPhoto(WIDTH, 60), createBitmap(WIDTH, 20)];
    const report = fuzzStreaming(rng(20261207), samples, 200);
    expect(report.untyped).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(report.runs).toBeGreaterThanOrEqual(1200);
    expect(report.decoded).toBeGreaterThan(0);
    expect(report.typedErrors).toBeGreaterThan(0);
    expect(report.badRows).toBeGreaterThan(0);
  });
});
