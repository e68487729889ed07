/**
 * Page codec benchmark: lpfax's T.4/T.6 coder against libtiff's (through tiffcp) on the same
 * pages, in one run. Prints pages/s for encode and decode of each coding, the ratio lpfax/libtiff
 * and the coded bytes per page of both. Not a test: figures depend on the machine.
 *
 * Times are CPU time (user + system), best of several rounds, so other load on the machine
 * disturbs them less than wall time would. libtiff's side is measured with /usr/bin/time:
 * encoding is `tiffcp -c g3|g3:2d|g4` of an uncompressed multi-page TIFF minus `tiffinfo -D` of
 * that file (process start and reading the pages); decoding is `tiffinfo -D` of the coded file
 * (which decodes every strip) minus `tiffinfo` of it (start and directories). So both sides
 * are measured on the coding work.
 */
import { readFileSync } from 'node:fs';

import { decodePage, encodePage, firstDifferentRow, writeTiffF } from '../lib/t4/index.js';
import type { Bitmap, FaxPage } from '../lib/t4/index.js';
import {
  blackBar,
  blankPage,
  checkerboard,
  ditheredPhoto,
  FORM_PS,
  gsRender,
  readPbm,
  Scratch,
  TEXT_PS,
} from '../test/t4/pages.js';
import { best, bestTool, ROUNDS, stripBytes } from './cpu.js';
import type { T4Coding as Coding } from '../lib/itu/page.js';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 8);

const TIFFCP_CODING: Record<Coding, string[]> = { mh: ['-c', 'g3'], mr: ['-c', 'g3:2d'], mmr: ['-c', 'g4'] };

interface Figures {
  coding: Coding;
  oursEnc: number;
  theirsEnc: number;
  oursDec: number;
  theirsDec: number;
  oursBytes: number;
  theirsBytes: number;
  identical: boolean;
}

/** Encodes and decodes `pages` with lpfax and tiffcp in each coding; pages/s and bytes/page. */
function measure(s: Scratch, pages: FaxPage[], tag: string): Figures[] {
  const n = pages.length;
  const height = pages[0].bitmap.height;
  const plain = s.write(`plain-${tag}.tif`, writeTiffF(pages, { coding: 'none' }));
  // libtiff reading the uncompressed pages (process start and file reading), to subtract from encoding.
  const readPlain = bestTool('tiffinfo', ['-D', plain]);
  const out: Figures[] = [];
  for (const coding of ['mh', 'mr', 'mmr'] as Coding[]) {
    const coded = s.path(`${coding}-${tag}.tif`);
    const tEnc =
      bestTool('tiffcp', [...TIFFCP_CODING[coding], '-r', String(height), plain, coded]) - readPlain;
    // Decoding: tiffinfo -D reads and decodes every strip; without -D it only reads the directories.
    const tDec = bestTool('tiffinfo', ['-D', coded]) - bestTool('tiffinfo', [coded]);
    const theirs = stripBytes(coded);
    // Same stream shape as tiffcp writes: EOL per row, no RTC, K from the 196-dpi resolution.
    const opts = {
      coding,
      resolution: 'fine' as const,
      bitOrder: 'msb-first' as const,
      endOfPage: coding === 'mmr',
    };
    let ours: Uint8Array[] = [];
    const oEnc = best(() => {
      ours = pages.map((p) => encodePage(p.bitmap, opts));
    });
    const oDec = best(() => {
      for (const c of ours) decodePage(c, { coding, width: 1728, bitOrder: 'msb-first' });
    });
    ours.forEach((c, i) => {
      const back = decodePage(c, { coding, width: 1728, bitOrder: 'msb-first' }).bitmap;
      if (firstDifferentRow(back, pages[i].bitmap) !== -1)
        throw new Error(`${coding}: round trip differs on ${tag} page ${i}`);
    });
    const sum = (a: Uint8Array[]) => a.reduce((t, b) => t + b.length, 0);
    out.push({
      coding,
      oursEnc: n / oEnc,
      theirsEnc: tEnc > 0 ? n / tEnc : NaN,
      oursDec: n / oDec,
      theirsDec: tDec > 0 ? n / tDec : NaN,
      oursBytes: sum(ours) / n,
      theirsBytes: sum(theirs) / n,
      identical: ours.every((b, i) => Buffer.compare(Buffer.from(b), Buffer.from(theirs[i])) === 0),
    });
  }
  return out;
}

/** lpfax/libtiff; 'n/a' when libtiff's time was below the 10 ms CPU clock. */
function ratio(ours: number, theirs: number): string {
  return Number.isFinite(theirs) ? (ours / theirs).toFixed(2) : 'n/a';
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

function main(): void {
  const s = new Scratch();
  try {
    const named: [string, Bitmap][] = [
      ['text', readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))))],
      ['form', readPbm(new Uint8Array(readFileSync(gsRender(s, FORM_PS, 'pbmraw', 'form.pbm'))))],
      ['photo', ditheredPhoto(1728, 2156)],
      ['blank', blankPage(1728, 2156)],
      ['bar', blackBar(1728, 2156)],
      ['checker', checkerboard(1728, 2156, true)],
    ];
    const all: FaxPage[] = [];
    for (let r = 0; r < REPEAT; r++) for (const [, bitmap] of named) all.push({ bitmap, resolution: 'fine' });
    console.log(
      `lpfax vs libtiff ${process.versions.node ? `(node ${process.versions.node}, tiffcp)` : ''}: ` +
        `${all.length} pages (${named.map(([k]) => k).join(', ')} ×${REPEAT}), 1728×2156 at fine resolution.\n` +
        `CPU time, best of ${ROUNDS}; libtiff through tiffcp (encode) and tiffinfo -D (decode), start-up and file reading subtracted.\n`,
    );
    const total = measure(s, all, 'all');
    table(
      [
        'coding',
        'enc lpfax p/s',
        'enc libtiff p/s',
        'ratio',
        'dec lpfax p/s',
        'dec libtiff p/s',
        'ratio',
        'bytes/page lpfax',
        'bytes/page libtiff',
        'identical',
      ],
      total.map((f) => [
        f.coding.toUpperCase(),
        f.oursEnc.toFixed(0),
        Number.isFinite(f.theirsEnc) ? f.theirsEnc.toFixed(0) : 'n/a',
        ratio(f.oursEnc, f.theirsEnc),
        f.oursDec.toFixed(0),
        Number.isFinite(f.theirsDec) ? f.theirsDec.toFixed(0) : 'n/a',
        ratio(f.oursDec, f.theirsDec),
        f.oursBytes.toFixed(0),
        f.theirsBytes.toFixed(0),
        f.identical ? 'yes' : 'no',
      ]),
    );
    console.log(
      '\nPer page kind: lpfax/libtiff speed ratio (encode, decode) and coded bytes per page (lpfax = libtiff?)',
    );
    const rows: string[][] = [];
    for (const [name, bitmap] of named) {
      if (name === 'blank' || name === 'bar') continue; // too quick for a 10 ms CPU clock
      const f = measure(
        s,
        Array.from({ length: REPEAT * 2 }, () => ({ bitmap, resolution: 'fine' as const })),
        name,
      );
      rows.push([
        name,
        ...f.map(
          (x) =>
            `${ratio(x.oursEnc, x.theirsEnc)} / ${ratio(x.oursDec, x.theirsDec)}  ${x.oursBytes.toFixed(0)}${x.identical ? '=' : '≠'}`,
        ),
      ]);
    }
    table(['page', 'MH enc/dec  bytes', 'MR enc/dec  bytes', 'MMR enc/dec  bytes'], rows);
  } finally {
    s.remove();
  }
}

main();
