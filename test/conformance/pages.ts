/**
 * The documents the DUT sends in TSB-85 sender cases, in place of ETSI's test images
 * (not distributed): a "white" page and an "impress" page of text-like marks, both
 * TIFF-F (T.4 MH, 204x98 dpi, 1728 pixels wide: A4's width), made with efix (Debian efax)
 * and joined into multi-page documents with tiffcp (libtiff-tools).
 *
 * The pages are a quarter of A4's length. The cases check that page data comes at the
 * trained rate and decodes as the DCS announced, not how long the page is (a DCS's length
 * bits give the most a page may be); at V.17 with a scan-line minimum a full A4 page was
 * 45-60 s of the line in real time, the largest share of the suite's time. The ECM cases
 * (OTEN) are the exception: their scripts count partial pages (OTEN01's first page fills two
 * of 256 frames of 64 octets), so they get full A4 pages (`full`).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WIDTH = 1728;
const QUARTER = 286; // 74 mm at 3.85 lines/mm: a quarter of A4
const A4 = 1143; // 297 mm
const ERROR_ROWS = 404; // 105 mm: MRGN04's 19 and 61 bad rows are 4.7% and 15.1% of it

export interface TestPages {
  white: string;
  impress: string;
  /** Receiver cases (tsb85.ts txPageOf): a staircase of black steps, many changes a row. */
  stairstep: string;
  /** Receiver cases: text-like marks on 404 rows (MRGN04's rows in error). */
  error: string;
  /** A multi-page TIFF of these pages (made once per list); `full`: A4-long pages. */
  document(list: Array<'white' | 'impress' | 'stairstep' | 'error'>, full?: boolean): Promise<string>;
}

function pbm(dense: boolean, height: number, stairs = false): Buffer {
  const rowBytes = WIDTH / 8;
  const body = Buffer.alloc(rowBytes * height);
  if (stairs) {
    // black steps 32 pixels wide, each 8 rows lower than the last, repeating across the page
    for (let y = 0; y < height; y++)
      for (let x = 0; x < WIDTH; x++)
        if ((Math.floor(x / 32) * 8 + 400 - y) % 400 < 8) body[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
  }
  if (dense) {
    for (let y = 20; y < height - 20; y++) {
      if (y % 40 >= 9) continue;
      for (let x = 150; x < WIDTH - 150; x++) {
        const glyph = Math.floor(x / 24);
        if ((glyph * 7 + Math.floor(y / 40) * 3) % 6 !== 0 && x % 24 < 16 && (x % 24) % 8 < 3) {
          body[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
        }
      }
    }
  }
  return Buffer.concat([Buffer.from(`P4\n${WIDTH} ${height}\n`), body]);
}

export async function makePages(dir: string): Promise<TestPages> {
  const out: Record<string, string> = {};
  for (const name of [
    'white',
    'impress',
    'white-a4',
    'impress-a4',
    'stairstep',
    'stairstep-a4',
    'error',
    'error-a4',
  ] as const) {
    const src = join(dir, `${name}.pbm`);
    out[name] = join(dir, `${name}.tif`);
    const a4 = name.endsWith('-a4');
    const height = name.startsWith('error') ? ERROR_ROWS : a4 ? A4 : QUARTER;
    await writeFile(
      src,
      pbm(name.startsWith('impress') || name.startsWith('error'), height, name.startsWith('stairstep')),
    );
    await run('efix', [
      '-i',
      'pbm',
      '-o',
      'tiffg3',
      '-R',
      '204x98',
      '-r',
      '204x98',
      '-p',
      name.startsWith('error') ? '215x105mm' : a4 ? '215x297mm' : '215x74mm',
      '-n',
      out[name],
      src,
    ]);
  }
  const made = new Map<string, Promise<string>>();
  const document = (
    list: Array<'white' | 'impress' | 'stairstep' | 'error'>,
    full = false,
  ): Promise<string> => {
    const names = list.map((p) => (full ? `${p}-a4` : p));
    const key = names.join('+');
    if (!made.has(key)) {
      const path = join(dir, `doc-${key}.tif`);
      made.set(
        key,
        run('tiffcp', [...names.map((p) => out[p]), path]).then(() => path),
      );
    }
    return made.get(key)!;
  };
  return { white: out.white, impress: out.impress, stairstep: out.stairstep, error: out.error, document };
}
