/** Documents for the raster tests, generated with Ghostscript or written by hand. */
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** PostScript text → PDF with ps2pdf (Ghostscript's pdfwrite). */
export async function psToPdf(dir: string, name: string, postscript: string, paper = 'a4'): Promise<string> {
  const ps = path.join(dir, `${name}.ps`);
  const pdf = path.join(dir, `${name}.pdf`);
  await writeFile(ps, postscript);
  await execa('ps2pdf', [`-sPAPERSIZE=${paper}`, ps, pdf]);
  return pdf;
}

/** A PostScript document of `pages` pages; page n has a black square whose height is n × 10 pt. */
export function numberedPagesPs(pages: number): string {
  return `%!PS-Adobe-3.0
/Helvetica findfont 24 scalefont setfont
1 1 ${pages} { /n exch def
  72 500 moveto (Page ) show n 10 string cvs show
  100 100 100 n 10 mul rectfill
  showpage } for
`;
}

/** A one-page document that covers the whole page (given in points) with black. */
export function fullBlackPagePs(width: number, height: number): string {
  return `%!PS\n<< /PageSize [${width} ${height}] >> setpagedevice\n0 0 ${width} ${height} rectfill showpage\n`;
}

/** A minimal PDF from object bodies (object 1 is the catalogue), with a correct xref table. */
export function buildPdf(objects: string[]): Buffer {
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Ghostscript processes whose command line mentions `marker` (a test's private folder). */
export function ghostscriptProcesses(
  marker: string,
): { pid: number; state: string; uid: number; wchan: string }[] {
  const found: { pid: number; state: string; uid: number; wchan: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      if (!path.basename(cmdline[0] ?? '').startsWith('gs') || !cmdline.some((a) => a.includes(marker)))
        continue;
      const status = readFileSync(`/proc/${entry}/status`, 'latin1');
      const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const wchan = readFileSync(`/proc/${entry}/wchan`, 'latin1');
      if (state !== 'Z') found.push({ pid: Number(entry), state, uid, wchan });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Is the pixel at (x, y) black? */
export function pixel(bitmap: { stride: number; data: Uint8Array }, x: number, y: number): boolean {
  return ((bitmap.data[y * bitmap.stride + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1;
}

/** Bounding box of the black pixels in rows [fromRow, height). */
export function blackBox(
  bitmap: { width: number; height: number; stride: number; data: Uint8Array },
  fromRow = 0,
): { left: number; right: number; top: number; bottom: number } | undefined {
  let left = Infinity;
  let right = -1;
  let top = -1;
  let bottom = -1;
  for (let y = fromRow; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (!pixel(bitmap, x, y)) continue;
      if (top < 0) top = y;
      bottom = y;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return top < 0 ? undefined : { left, right, top, bottom };
}

/** Number of black pixels in rows [from, to). */
export function blackPixels(
  bitmap: { width: number; stride: number; data: Uint8Array },
  from: number,
  to: number,
): number {
  let count = 0;
  for (let y = from; y < to; y++) {
    for (let x = 0; x < bitmap.width; x++) if (pixel(bitmap, x, y)) count++;
  }
  return count;
}
