/**
 * Test pages generated at test time (no committed binaries): Ghostscript renders PostScript
 * (dense text, a form with thin rules); the rest are drawn here (dithered photo, blank, black bar,
 * checkerboard). Also PBM I/O and helpers that run libtiff tools and Ghostscript.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBitmap, fillRect } from './draw.js';
import type { Bitmap } from '../../lib/t4/bitmap.js';

export const WIDTH = 1728;

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'lpfax-t4-'));
  path(name: string): string {
    return join(this.dir, name);
  }
  write(name: string, data: Uint8Array | string): string {
    writeFileSync(this.path(name), data);
    return this.path(name);
  }
  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** PBM (P4) → bitmap: PBM also has 1 = black, rows packed MSB first. */
export function readPbm(buf: Uint8Array): Bitmap {
  let p = 0;
  const tokens: string[] = [];
  while (tokens.length < 3) {
    while (buf[p] === 0x23 || buf[p] <= 0x20) {
      if (buf[p] === 0x23) while (buf[p] !== 0x0a) p++;
      p++;
    }
    let t = '';
    while (buf[p] > 0x20) t += String.fromCharCode(buf[p++]);
    tokens.push(t);
  }
  p++;
  if (tokens[0] !== 'P4') throw new Error('not a raw PBM');
  const b = createBitmap(Number(tokens[1]), Number(tokens[2]));
  b.data.set(buf.subarray(p, p + b.data.length));
  return b;
}

export function writePbm(b: Bitmap): Uint8Array {
  const head = Buffer.from(`P4\n${b.width} ${b.height}\n`, 'latin1');
  const out = new Uint8Array(head.length + b.stride * b.height);
  out.set(head);
  out.set(b.data.subarray(0, b.stride * b.height), head.length);
  return out;
}

/** PostScript: a page of dense small text. */
export const TEXT_PS = `%!PS
/Courier findfont 7 scalefont setfont
0 1 95 { /i exch def 18 820 i 8.4 mul sub moveto
  (Lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ) show } for
/Times-Bold findfont 24 scalefont setfont 150 30 moveto (lpfax T.4 test page) show
showpage
`;

/** PostScript: a form with one-pixel rules, boxes and a few labels. */
export const FORM_PS = `%!PS
0.3 setlinewidth
0 1 40 { /i exch def 30 40 i 19 mul add moveto 565 0 rlineto stroke } for
0 1 6 { /i exch def 30 i 89 mul add 40 moveto 0 760 rlineto stroke } for
/Helvetica findfont 8 scalefont setfont
0 1 39 { /i exch def 34 46 i 19 mul add moveto (Field) show } for
2 setlinewidth 20 20 575 800 rectstroke
showpage
`;

/** Renders PostScript with Ghostscript to a file (any device), at fax width. */
export function gsRender(s: Scratch, ps: string, device: string, out: string, yDpi = 196): string {
  const src = s.write(`${out}.ps`, ps);
  const height = yDpi * 11; // 11 inches
  run('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-dSAFER',
    `-sDEVICE=${device}`,
    `-r204x${yDpi}`,
    `-g${WIDTH}x${height}`,
    `-sOutputFile=${s.path(out)}`,
    src,
  ]);
  return s.path(out);
}

/** A photo-like page: a smooth tone field, error-diffused (Floyd–Steinberg) to 1 bit. */
export function ditheredPhoto(width = WIDTH, height = 600): Bitmap {
  const b = createBitmap(width, height);
  let err = new Float32Array(width + 2);
  let next = new Float32Array(width + 2);
  for (let y = 0; y < height; y++) {
    next.fill(0);
    for (let x = 0; x < width; x++) {
      const tone = 0.5 + 0.45 * Math.sin(x / 97 + Math.cos(y / 53)) * Math.cos(y / 71 - x / 211);
      const v = tone + err[x + 1];
      const black = v < 0.5;
      if (black) b.data[y * b.stride + (x >> 3)] |= 0x80 >> (x & 7);
      const e = v - (black ? 0 : 1);
      err[x + 2] += (e * 7) / 16;
      next[x] += (e * 3) / 16;
      next[x + 1] += (e * 5) / 16;
      next[x + 2] += e / 16;
    }
    [err, next] = [next, err];
  }
  return b;
}

export function blankPage(width = WIDTH, height = 300): Bitmap {
  return createBitmap(width, height);
}

/** A page with a full-width black bar in the middle (rows of one run of `width` black pixels). */
export function blackBar(width = WIDTH, height = 300): Bitmap {
  const b = createBitmap(width, height);
  fillRect(b, 0, 100, width, 80);
  return b;
}

/**
 * One-pixel checkerboard: the worst case for every coding. libtiff 4.5's 1-D decoder overflows its
 * run buffer on a row of `width` + 1 runs (a leading empty white run then 1728 one-pixel runs), so
 * pages for libtiff's MH decoder keep the first column white (`whiteFirstColumn`).
 */
export function checkerboard(width = WIDTH, height = 200, whiteFirstColumn = false): Bitmap {
  const b = createBitmap(width, height);
  for (let y = 0; y < height; y++) {
    b.data.fill(y & 1 ? 0x55 : 0xaa, y * b.stride, (y + 1) * b.stride);
    if (whiteFirstColumn) b.data[y * b.stride] &= 0x7f;
  }
  return b;
}
