/**
 * lib/fax/store.ts ReceivedFaxWriter: a received call's pages into TIFF Class F and PDF, checked
 * by independent readers — libtiff (tiffinfo, tiffcp, tiff2pdf) and poppler (pdfinfo, pdftoppm).
 * Pages are line data as lib/t4 codes it for a modem (lsb-first, fill, RTC/EOFB), fed in pieces.
 */
import { readFileSync, statSync, existsSync } from 'node:fs';
import { ReceivedFaxStoreError, ReceivedFaxWriter } from '../../lib/fax/store.js';
import { createBitmap, decodePage, encodePage, firstDifferentRow, readTiff } from '../../lib/t4/index.js';
import type { Bitmap } from '../../lib/t4/index.js';
import type { T4Coding as Coding, Resolution } from '../../lib/itu/page.js';
import { fillRect } from '../t4/draw.js';
import { ditheredPhoto, run, Scratch, WIDTH } from '../t4/pages.js';
import { eols } from '../t4/streams.js';
import { checkXref, renderPage } from '../pdf/poppler.js';

let s: Scratch;
beforeAll(() => (s = new Scratch()));
afterAll(() => s.remove());

const DPI: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };
const RESOLUTIONS: Resolution[] = ['standard', 'fine', 'superfine'];

function page(height: number, n: number): Bitmap {
  const b = ditheredPhoto(WIDTH, height);
  b.data.fill(0, 0, b.stride * 40); // a white band with a box in it, different on every page
  fillRect(b, 100 + 200 * n, 5, 400, 30);
  return b;
}

/** Line data for a page, fed to the store in pieces of `piece` octets. */
function lineData(
  b: Bitmap,
  coding: Coding,
  resolution: Resolution,
  bitOrder: 'lsb-first' | 'msb-first' = 'lsb-first',
) {
  return encodePage(b, { coding, resolution, bitOrder, minBitsPerRow: coding === 'mmr' ? 0 : 192 });
}

async function receive(
  w: ReceivedFaxWriter,
  b: Bitmap,
  coding: Coding,
  resolution: Resolution,
  piece = 97,
): Promise<void> {
  const p = w.beginPage({ coding, width: b.width, resolution });
  const data = lineData(b, coding, resolution);
  for (let at = 0; at < data.length; at += piece) p.push(data.subarray(at, at + piece));
  expect(p.ended).toBe(true); // RTC / EOFB seen while the data came in
  const facts = p.finish();
  expect(facts).toEqual({
    rows: b.height,
    badRows: 0,
    longestBadRun: 0,
    end: coding === 'mmr' ? 'eofb' : 'rtc',
  });
  await p.store();
}

describe.each(['mh', 'mr', 'mmr'] as const)('%s received', (coding) => {
  test('TIFF-F and PDF: one page per fax page, resolution true to the call, pixels equal in libtiff and poppler', async () => {
    const pages = RESOLUTIONS.map((resolution, i) => ({ bitmap: page(150 + 40 * i, i), resolution }));
    const w = await ReceivedFaxWriter.open(s.dir, `call-${coding}`, { title: 'Fax from +1 555 0100' });
    for (const p of pages) await receive(w, p.bitmap, coding, p.resolution);
    const files = await w.close();
    expect(files.tiff).toBe(s.path(`call-${coding}.tif`));
    expect(files.pdf).toBe(s.path(`call-${coding}.pdf`));
    expect(files.pages.map((p) => [p.page, p.rows, p.resolution, p.coding])).toEqual(
      pages.map((p, i) => [i + 1, p.bitmap.height, p.resolution, coding]),
    );
    for (const f of [files.tiff!, files.pdf!]) expect(statSync(f).mode & 0o777).toBe(0o600);

    // libtiff
    const info = run('tiffinfo', [files.tiff!]);
    expect(info.match(/=== TIFF directory/g)).toHaveLength(3);
    expect(info.match(/Compression Scheme: CCITT Group 4/g)).toHaveLength(3);
    expect(info.match(/FillOrder: msb-to-lsb/g)).toHaveLength(3);
    expect(info.match(/Fax Data: clean/g)).toHaveLength(3);
    RESOLUTIONS.forEach((r, i) => {
      expect(info).toContain(`Resolution: 204, ${DPI[r]} pixels/inch`);
      expect(info).toContain(`Page Number: ${i}-3`);
      expect(info).toContain(`Image Width: ${WIDTH} Image Length: ${pages[i].bitmap.height}`);
    });
    run('tiffinfo', ['-D', files.tiff!]); // decodes every strip; exits non-zero on a decoding error
    const plain = s.path(`plain-${coding}.tif`);
    run('tiffcp', ['-c', 'none', files.tiff!, plain]);
    const back = readTiff(new Uint8Array(readFileSync(plain)));
    expect(back.map((p) => p.resolution)).toEqual(RESOLUTIONS);
    back.forEach((p, i) => expect(firstDifferentRow(p.bitmap, pages[i].bitmap)).toBe(-1));
    const viaLibtiff = s.path(`tiff2pdf-${coding}.pdf`);
    run('tiff2pdf', ['-o', viaLibtiff, files.tiff!]);
    expect(run('pdfinfo', [viaLibtiff])).toMatch(/^Pages:\s+3$/m);

    // poppler
    const pdf = new Uint8Array(readFileSync(files.pdf!));
    checkXref(pdf);
    const pinfo = run('pdfinfo', ['-f', '1', '-l', '3', files.pdf!]);
    expect(pinfo).toMatch(/^Pages:\s+3$/m);
    expect(pinfo).toMatch(/^Title:\s+Fax from \+1 555 0100$/m);
    pages.forEach((p, i) => {
      const size = new RegExp(`^Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(pinfo)!;
      expect((Number(size[1]) / 72) * 25.4).toBeCloseTo(215.15, 1); // 1728 px at 204 dpi
      expect(Number(size[2])).toBeCloseTo((p.bitmap.height * 72) / DPI[p.resolution], 1);
      const shown = renderPage(s, files.pdf!, i + 1, DPI[p.resolution]);
      expect(firstDifferentRow(shown, p.bitmap)).toBe(-1);
    });
  });
});

/** Puts 000000001 (no code, no EOL) at the start of each listed row's codes. */
function spoilRows(data: Uint8Array, rows: number[]): void {
  const found = eols(data);
  for (const row of rows) {
    const at = found[row].end;
    for (let i = 0; i < 9; i++) {
      const p = at + i;
      const mask = 0x80 >> (p & 7);
      data[p >> 3] = i === 8 ? data[p >> 3] | mask : data[p >> 3] & ~mask;
    }
  }
}

test('bad rows: counted, regenerated, tagged (BadFaxLines, ConsecutiveBadFaxLines, CleanFaxData 1)', async () => {
  const b = page(120, 0);
  const data = encodePage(b, { coding: 'mh', bitOrder: 'msb-first', minBitsPerRow: 192 });
  spoilRows(data, [50, 60, 61, 62, 63, 90]);
  const expected = decodePage(data, { coding: 'mh', width: WIDTH, bitOrder: 'msb-first' });
  expect([expected.badRows, expected.longestBadRun]).toEqual([6, 4]);
  const w = await ReceivedFaxWriter.open(s.dir, 'bad');
  const p = w.beginPage({ coding: 'mh', width: WIDTH, resolution: 'fine', bitOrder: 'msb-first' });
  for (let at = 0; at < data.length; at += 33) p.push(data.subarray(at, at + 33));
  expect(p.finish()).toEqual({ rows: 120, badRows: 6, longestBadRun: 4, end: 'rtc' });
  expect(await p.store()).toMatchObject({ page: 1, badRows: 6, longestBadRun: 4 });
  const files = await w.close();
  const info = run('tiffinfo', ['-D', files.tiff!]);
  expect(info).toContain('Bad Fax Lines: 6');
  expect(info).toContain('Consecutive Bad Fax Lines: 4');
  expect(info).toMatch(/Fax Data: receiver regenerated/);
  const [stored] = readTiff(new Uint8Array(readFileSync(files.tiff!)));
  expect(stored.badRows).toBe(0); // the strip itself decodes cleanly: the bad rows were replaced
  expect(firstDifferentRow(stored.bitmap, expected.bitmap)).toBe(-1);
  expect(firstDifferentRow(renderPage(s, files.pdf!, 1, 196), expected.bitmap)).toBe(-1);
});

test('each stored page is on disk, a valid TIFF, before close(); a broken call keeps its pages', async () => {
  const w = await ReceivedFaxWriter.open(s.dir, 'partial');
  const tiff = s.path('partial.tif');
  const p1 = page(100, 1);
  await receive(w, p1, 'mr', 'fine');
  // Without close(): what a crash would leave.
  expect(run('tiffinfo', ['-D', tiff])).toMatch(/Page Number: 0-0/);
  expect(readTiff(new Uint8Array(readFileSync(tiff))).map((p) => p.bitmap.height)).toEqual([100]);
  await receive(w, page(80, 2), 'mr', 'fine');
  expect(readTiff(new Uint8Array(readFileSync(tiff)))).toHaveLength(2);
  // Page 3 breaks off mid-page (the sender hung up): the caller does not store it.
  const p3 = w.beginPage({ coding: 'mr', width: WIDTH, resolution: 'fine' });
  p3.push(lineData(page(100, 3), 'mr', 'fine').subarray(0, 2000));
  expect(p3.rows).toBeGreaterThan(0);
  p3.discard();
  const files = await w.close();
  expect(files.pages).toHaveLength(2);
  expect(run('pdfinfo', [files.pdf!])).toMatch(/^Pages:\s+2$/m);
  expect(run('tiffinfo', [tiff])).toMatch(/Page Number: 1-2/);
});

test('ECM: a whole MMR page at once, a page already decoded, and an MMR page that does not decode', async () => {
  const w = await ReceivedFaxWriter.open(s.dir, 'ecm');
  const a = page(90, 0);
  const stored = await w.addCodedPage(
    { coding: 'mmr', width: WIDTH, resolution: 'superfine' },
    encodePage(a, { coding: 'mmr', bitOrder: 'lsb-first', ecm: true }),
  );
  expect(stored).toMatchObject({ page: 1, rows: 90, end: 'eofb' });
  const b = createBitmap(2048, 60); // B4
  fillRect(b, 0, 10, 2048, 5);
  expect(await w.addPage({ bitmap: b, resolution: 'standard' })).toMatchObject({
    page: 2,
    width: 2048,
    rows: 60,
  });
  const broken = encodePage(page(90, 1), { coding: 'mmr', bitOrder: 'lsb-first' });
  broken.fill(0, 1000, 1010);
  const bad = w.beginPage({ coding: 'mmr', width: WIDTH, resolution: 'fine' });
  // The break stops decoding without throwing (the line is never left mid-receive): the rows
  // before it are the page, and `error` says why.
  bad.push(broken);
  const facts = bad.finish();
  expect(bad.error).toEqual(expect.any(String));
  expect(facts.rows).toBeGreaterThan(0);
  expect(facts.rows).toBeLessThan(90);
  bad.discard();
  const files = await w.close();
  const info = run('tiffinfo', ['-D', files.tiff!]);
  expect(info).toContain('Image Width: 2048 Image Length: 60');
  expect(info).toContain('Resolution: 204, 391 pixels/inch');
  const back = readTiff(new Uint8Array(readFileSync(files.tiff!)));
  expect(firstDifferentRow(back[0].bitmap, a)).toBe(-1);
  expect(firstDifferentRow(back[1].bitmap, b)).toBe(-1);
  expect(firstDifferentRow(renderPage(s, files.pdf!, 2, 98), b)).toBe(-1);
});

test('no page: no files; an existing file is never overwritten; misuse is a typed error', async () => {
  const w = await ReceivedFaxWriter.open(s.dir, 'empty');
  expect(existsSync(s.path('empty.tif'))).toBe(true);
  expect(await w.close()).toEqual({ pages: [] });
  expect(existsSync(s.path('empty.tif'))).toBe(false);
  expect(existsSync(s.path('empty.pdf'))).toBe(false);

  s.write('taken.pdf', 'mine');
  await expect(ReceivedFaxWriter.open(s.dir, 'taken')).rejects.toMatchObject({ kind: 'file-exists' });
  expect(readFileSync(s.path('taken.pdf'), 'latin1')).toBe('mine');
  expect(existsSync(s.path('taken.tif'))).toBe(false);
  await expect(ReceivedFaxWriter.open(s.path('no-such-dir'), 'x')).rejects.toMatchObject({
    kind: 'write-failed',
  });
  await expect(ReceivedFaxWriter.open(s.dir, '../escape')).rejects.toBeInstanceOf(ReceivedFaxStoreError);

  const w2 = await ReceivedFaxWriter.open(s.dir, 'misuse');
  w2.beginPage({ coding: 'mh', width: WIDTH, resolution: 'fine' });
  expect(() => w2.beginPage({ coding: 'mh', width: WIDTH, resolution: 'fine' })).toThrow(
    expect.objectContaining({ kind: 'bad-use' }),
  );
  await w2.close();
  await expect(w2.close()).rejects.toMatchObject({ kind: 'bad-use' });
});
