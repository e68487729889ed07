import { execa } from 'execa';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_TAGLINE_FORMAT,
  extractFaxNumberFromDocument,
  findFaxNumberInText,
  pageGeometry,
  parsePbm,
  PbmFormatError,
  rasterize,
  RasterError,
  strftime,
  taglineFields,
  type RasterizeOptions,
  type RasterPage,
} from '../../lib/raster/index.js';
import {
  blackBox,
  blackPixels,
  buildPdf,
  fullBlackPagePs,
  ghostscriptProcesses,
  numberedPagesPs,
  psToPdf,
} from './fixtures.js';

let dir: string; // documents
let work: string; // parent of rasterize's private folders: must be empty after every job
let threePages: string;
let longPdf: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-raster-test-'));
  work = path.join(dir, 'work');
  await mkdir(work);
  await chmod(dir, 0o755); // lp must reach `work` in the privilege test
  threePages = await psToPdf(dir, 'three', numberedPagesPs(3));
  longPdf = await psToPdf(dir, 'long', numberedPagesPs(300));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  // No job may leave a Ghostscript process or a temporary file behind.
  expect(ghostscriptProcesses(dir)).toEqual([]);
  expect(await readdir(work)).toEqual([]);
});

const options = (more: RasterizeOptions = {}): RasterizeOptions => ({
  tmpdir: work,
  tagline: false,
  ...more,
});

async function collect(file: string, opts: RasterizeOptions = {}): Promise<RasterPage[]> {
  const pages: RasterPage[] = [];
  for await (const page of rasterize(file, options(opts))) pages.push(page);
  return pages;
}

async function rasterError(file: string, opts: RasterizeOptions = {}): Promise<RasterError> {
  try {
    await collect(file, opts);
  } catch (error) {
    if (error instanceof RasterError) return error;
    throw error;
  }
  throw new Error('rasterize succeeded');
}

describe('PBM reader', () => {
  it('reads P4 with comments into packed rows, 1 = black', () => {
    const file = Buffer.concat([
      Buffer.from('P4\n# made by hand\n10 2\n'),
      Buffer.from([0x80, 0x40, 0xff, 0xc0]),
    ]);
    const bitmap = parsePbm(file);
    expect([bitmap.width, bitmap.height, bitmap.stride]).toEqual([10, 2, 2]);
    expect(Array.from(bitmap.data)).toEqual([0x80, 0x40, 0xff, 0xc0]);
  });

  it('rejects truncated data and other formats', () => {
    expect(() => parsePbm(Buffer.from('P4 16 2\n\x00\x00\x00'))).toThrow(PbmFormatError);
    expect(() => parsePbm(Buffer.from('P1 1 1\n1'))).toThrow(PbmFormatError);
  });
});

describe('paper geometry', () => {
  it('is 1728 pixels wide and as long as the paper at the vertical resolution', () => {
    const heights = (['a4', 'letter', 'legal'] as const).map((paper) =>
      (['standard', 'fine', 'superfine'] as const).map((r) => pageGeometry(paper, r).heightPixels),
    );
    expect(heights).toEqual([
      [1146, 2292, 4572],
      [1078, 2156, 4301],
      [1372, 2744, 5474],
    ]);
    expect(pageGeometry('legal', 'fine').widthPixels).toBe(1728);
  });
});

describe('tagline format', () => {
  const date = new Date(2026, 0, 5, 9, 7, 3);

  it('formats dates like strftime in the C locale', () => {
    expect(strftime('%a %d %b %Y %H:%M:%S %% %e|%F', date)).toBe('Mon 05 Jan 2026 09:07:03 %  5|2026-01-05');
  });

  it('applies job escapes after strftime and splits fields at |', () => {
    const fields = taglineFields(
      {
        format: 'From %%s %%n|%Y|Page %%P of %%T 100%%%%',
        senderName: 'Acme',
        stationNumber: '+1 555 0100',
        date,
      },
      5,
      new Date(),
    );
    expect(fields).toEqual([
      ['From Acme +1 555 0100'],
      ['2026'],
      ['Page ', { pageNumber: true }, ' of 5 100%'],
    ]);
  });

  it('has a default that names sender, number, date and page', () => {
    expect(DEFAULT_TAGLINE_FORMAT).toMatch(/%%s.*%%n.*%Y.*%%P.*%%T/);
  });
});

describe('rasterize', () => {
  it('yields every page, in order, 1728 pixels wide and the paper long', async () => {
    const pages = await collect(threePages, { resolution: 'fine', paper: 'a4' });
    expect(pages.map((p) => [p.pageNumber, p.pageCount, p.resolution])).toEqual([
      [1, 3, 'fine'],
      [2, 3, 'fine'],
      [3, 3, 'fine'],
    ]);
    for (const { bitmap } of pages) {
      expect([bitmap.width, bitmap.height, bitmap.stride, bitmap.data.length]).toEqual([
        1728,
        2292,
        216,
        216 * 2292,
      ]);
    }
    // Page n's square is n × 10 pt high: 196 dpi → n × 27.2 rows, so the pages are distinct and in order.
    const squareRows = pages.map((p) => {
      const box = blackBox(p.bitmap, 1400)!;
      return box.bottom - box.top + 1;
    });
    expect(squareRows.map((rows) => Math.round(rows / 27.2))).toEqual([1, 2, 3]);
  });

  it.each([
    ['standard', 1146],
    ['superfine', 4572],
  ] as const)('renders A4 at %s resolution with %i rows', async (resolution, rows) => {
    const [page] = await collect(threePages, { resolution });
    expect(page!.bitmap.height).toBe(rows);
    expect(page!.resolution).toBe(resolution);
  });

  it('centres an A4 page unscaled: ~20 white pixels left and right, full length', async () => {
    const a4 = await psToPdf(dir, 'a4black', fullBlackPagePs(595.28, 841.89));
    const [page] = await collect(a4, { paper: 'a4', resolution: 'standard' });
    const box = blackBox(page!.bitmap)!;
    expect(box.left).toBeGreaterThanOrEqual(19);
    expect(box.left).toBeLessThanOrEqual(22);
    expect(1727 - box.right).toBeGreaterThanOrEqual(19);
    expect(1727 - box.right).toBeLessThanOrEqual(22);
    expect(box.top).toBeLessThanOrEqual(1);
    expect(box.bottom).toBeGreaterThanOrEqual(1144);
  });

  it('scales a Letter page to the 1728-pixel line and centres it vertically', async () => {
    const letter = await psToPdf(dir, 'letterblack', fullBlackPagePs(612, 792), 'letter');
    const [page] = await collect(letter, { paper: 'letter', resolution: 'fine' });
    const box = blackBox(page!.bitmap)!;
    expect([box.left, box.right]).toEqual([0, 1727]);
    // 2156 rows × (1 − 1728/1734) ≈ 7.5 white rows, split above and below.
    expect(box.top).toBeGreaterThanOrEqual(2);
    expect(box.top).toBeLessThanOrEqual(5);
    expect(2155 - box.bottom).toBeGreaterThanOrEqual(2);
    expect(2155 - box.bottom).toBeLessThanOrEqual(5);
  });

  it('converts PostScript and renders Legal paper', async () => {
    const ps = path.join(dir, 'two.ps');
    await writeFile(ps, numberedPagesPs(2));
    const pages = await collect(ps, { paper: 'legal', resolution: 'standard' });
    expect(pages.map((p) => [p.pageNumber, p.bitmap.height])).toEqual([
      [1, 1372],
      [2, 1372],
    ]);
  });

  it('draws the tagline at the top of every page, with each page number', async () => {
    const blank = await psToPdf(dir, 'blank3', '%!PS\nshowpage showpage showpage\n');
    const without = await collect(blank, { resolution: 'fine' });
    expect(without.map((p) => blackPixels(p.bitmap, 0, p.bitmap.height))).toEqual([0, 0, 0]);

    const tagline = { format: 'From %%s|%%n|Page %%P/%%T', senderName: 'Acme', stationNumber: '+1 555 0100' };
    const pages = await collect(blank, { resolution: 'fine', tagline });
    const band = 40; // 9 pt × 1.35 at 196 dpi ≈ 33 rows
    for (const { bitmap } of pages) {
      expect(blackPixels(bitmap, 0, band)).toBeGreaterThan(200);
      expect(blackPixels(bitmap, band, bitmap.height)).toBe(0);
    }
    const rows = (p: RasterPage): string =>
      Buffer.from(p.bitmap.data.subarray(0, band * p.bitmap.stride)).toString('hex');
    // Same sender and number, different page numbers: the top bands differ page to page.
    expect(new Set(pages.map(rows)).size).toBe(3);
    const constant = await collect(blank, { resolution: 'fine', tagline: { format: 'Acme' } });
    expect(new Set(constant.map(rows)).size).toBe(1);
  });

  it('treats job text in the tagline as data, never as PostScript', async () => {
    const hostile = ') show } loop (\\) quit %%';
    const pages = await collect(threePages, { tagline: { senderName: hostile, stationNumber: '<41> (x)' } });
    expect(pages).toHaveLength(3);
  });

  it('yields page 1 while Ghostscript still renders, and pauses it while the caller is busy', async () => {
    const seen: number[] = [];
    let renderingAtPage1 = 0;
    let pagesOnDiskWhilePaused = Infinity;
    for await (const page of rasterize(longPdf, options({ resolution: 'standard', pagesAhead: 2 }))) {
      if (page.pageNumber === 1) {
        renderingAtPage1 = ghostscriptProcesses(dir).length;
        // A slow caller (dialling …): Ghostscript gets stopped instead of filling the disk.
        await waitFor(() => ghostscriptProcesses(dir).some((p) => p.state === 'T'));
        const [folder] = await readdir(work);
        pagesOnDiskWhilePaused = (await readdir(path.join(work, folder!))).filter((f) =>
          f.endsWith('.pbm'),
        ).length;
      }
      seen.push(page.pageNumber);
    }
    expect(renderingAtPage1).toBe(1);
    expect(pagesOnDiskWhilePaused).toBeGreaterThanOrEqual(2);
    expect(pagesOnDiskWhilePaused).toBeLessThan(100);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('cleans up when the caller stops early', async () => {
    for await (const page of rasterize(longPdf, options({ resolution: 'standard' }))) {
      if (page.pageNumber === 2) break;
    }
  });

  it('cancels with an AbortSignal: Ghostscript killed, folder removed', async () => {
    const controller = new AbortController();
    const pages = rasterize(longPdf, options({ signal: controller.signal, resolution: 'standard' }));
    const first = await pages.next();
    expect(first.value?.pageNumber).toBe(1);
    controller.abort();
    await expect(pages.next()).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('cancels a job stuck in a PostScript loop', async () => {
    const loop = path.join(dir, 'loop-cancel.ps');
    await writeFile(loop, '%!PS\n{} loop\n');
    const controller = new AbortController();
    const result = rasterError(loop, { signal: controller.signal, timeoutMs: 60_000 });
    await waitFor(() => ghostscriptProcesses(dir).length === 1);
    controller.abort();
    expect((await result).kind).toBe('cancelled');
  });

  it('runs Ghostscript as the given user (lp) on a root-only document', async () => {
    const secret = path.join(dir, 'secret.pdf');
    await execa('cp', [threePages, secret]);
    await chmod(secret, 0o600);
    const pages = await collect(secret, { uid: 7, gid: 7, resolution: 'standard' });
    expect(pages).toHaveLength(3);

    const loop = path.join(dir, 'loop-lp.ps');
    await writeFile(loop, '%!PS\n{} loop\n');
    await chmod(loop, 0o600);
    const controller = new AbortController();
    const result = rasterError(loop, { uid: 7, gid: 7, signal: controller.signal });
    await waitFor(() => ghostscriptProcesses(dir).length === 1);
    expect(ghostscriptProcesses(dir).map((p) => p.uid)).toEqual([7]);
    controller.abort();
    expect((await result).kind).toBe('cancelled');
  });
});

describe('rasterize: bad documents', () => {
  const write = async (name: string, content: string | Buffer): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    return file;
  };

  it.each([
    ['an empty file', 'empty.pdf', '', 'empty'],
    ['blank space', 'blank.ps', '\n \n', 'empty'],
    [
      'garbage',
      'garbage.bin',
      Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)),
      'unreadable',
    ],
    [
      'a %PDF header with junk',
      'junk.pdf',
      Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3000, 0x5a), Buffer.from('\n%%EOF\n')]),
      'unreadable',
    ],
    ['PostScript that never shows a page', 'nopage.ps', '%!PS\n/x 1 def\n', 'empty'],
    [
      'PostScript with an error',
      'error.ps',
      '%!PS\n72 72 moveto (a) show undefinedname showpage\n',
      'unreadable',
    ],
  ])('rejects %s', async (_what, name, content, kind) => {
    const error = await rasterError(await write(name, content));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(/^[A-Z].*\.$/);
  });

  it('rejects a truncated PDF', async () => {
    const whole = await execa('cat', [longPdf], { encoding: 'buffer' });
    const half = Buffer.from(whole.stdout).subarray(0, whole.stdout.length >> 1);
    expect((await rasterError(await write('truncated.pdf', half))).kind).toBe('unreadable');
  });

  it('rejects a PDF without pages', async () => {
    const pdf = buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>']);
    expect((await rasterError(await write('zero.pdf', pdf))).kind).toBe('empty');
  });

  it('stops on a page that cannot be rendered (-dPDFSTOPONERROR)', async () => {
    const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>';
    const pdf = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R 4 0 R 9 0 R] /Count 3 >>',
      page,
      page,
    ]);
    expect((await rasterError(await write('badpage.pdf', pdf))).kind).toBe('unreadable');
  });

  it('times out on looping PostScript', async () => {
    const error = await rasterError(await write('loop.ps', '%!PS\n{} loop\n'), { timeoutMs: 1500 });
    expect(error.kind).toBe('timeout');
  });

  it('says when Ghostscript is missing', async () => {
    const error = await rasterError(threePages, { ghostscript: path.join(dir, 'no-such-gs') });
    expect(error.kind).toBe('ghostscript-missing');
  });
});

describe('fax number written in the document', () => {
  it('finds the two documented forms in text', () => {
    expect(findFaxNumberInText('Dear Sir,\n  Fax:  John Smith@+1 555 0100  \nBye')).toBe(
      'John Smith@+1 555 0100',
    );
    expect(findFaxNumberInText('see ###Jane Doe@5550199### here')).toBe('Jane Doe@5550199');
    expect(findFaxNumberInText('Telefax machines are old.\nFaxes: no')).toBeUndefined();
  });

  it('extracts the recipient from a PDF and from PostScript', async () => {
    const text = (line: string): string =>
      `%!PS\n/Helvetica findfont 12 scalefont setfont\n72 700 moveto (Dear Sir,) show\n72 680 moveto (${line}) show showpage\n`;
    const pdf = await psToPdf(dir, 'faxline', text('Fax: John Smith@+1 555 0100'));
    expect(await extractFaxNumberFromDocument(pdf, { tmpdir: work })).toBe('John Smith@+1 555 0100');
    const ps = path.join(dir, 'hashes.ps');
    await writeFile(ps, text('###Jane Doe@5550199###'));
    expect(await extractFaxNumberFromDocument(ps, { tmpdir: work, uid: 7, gid: 7 })).toBe('Jane Doe@5550199');
    expect(await extractFaxNumberFromDocument(threePages, { tmpdir: work })).toBeUndefined();
  });

  it('only reads the first pages', async () => {
    const late = await psToPdf(
      dir,
      'late',
      '%!PS\n/Helvetica findfont 12 scalefont setfont\nshowpage showpage\n72 700 moveto (Fax: 5550100) show showpage\n',
    );
    expect(await extractFaxNumberFromDocument(late, { tmpdir: work, pages: 2 })).toBeUndefined();
    expect(await extractFaxNumberFromDocument(late, { tmpdir: work, pages: 3 })).toBe('5550100');
  });

  it('times out on looping PostScript', async () => {
    const loop = path.join(dir, 'loop-text.ps');
    await writeFile(loop, '%!PS\n{} loop\n');
    await expect(extractFaxNumberFromDocument(loop, { tmpdir: work, timeoutMs: 1500 })).rejects.toMatchObject(
      {
        kind: 'timeout',
      },
    );
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
