/**
 * JBIG (T.85) beside MMR (T.6) on the pages of issue 17's document (a text page, a ruled form, a
 * dithered photo; A4 at fine resolution): octets per page, the seconds those octets take at
 * 14400 bit/s (page data alone: ECM frame headers and T.30 signalling come on top, alike for
 * both codings), and encode/decode pages/s of lpfax's T.85 codec against jbigkit's pbmtojbg85 and
 * jbgtopbm85 on the same pages (CPU time, best of ROUNDS; jbigkit's includes process start and
 * PBM file I/O, a few ms). Every BIE is checked: jbgtopbm85 must give back the page's pixels.
 * Not a test: figures depend on the machine.
 */
import { readFileSync } from 'node:fs';

import { encodePage, firstDifferentRow } from '../lib/t4/index.js';
import type { Bitmap } from '../lib/t4/index.js';
import { decodeT85, encodeT85 } from '../lib/t85/index.js';
import {
  ditheredPhoto,
  FORM_PS,
  gsRender,
  readPbm,
  run,
  Scratch,
  TEXT_PS,
  writePbm,
} from '../test/t4/pages.js';
import { best, bestTool, ROUNDS } from './cpu.js';

const BIT_RATE = 14400;

function main(): void {
  const s = new Scratch();
  try {
    const pages: [string, Bitmap][] = [
      ['text', readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))))],
      ['form', readPbm(new Uint8Array(readFileSync(gsRender(s, FORM_PS, 'pbmraw', 'form.pbm'))))],
      ['photo', ditheredPhoto(1728, 2156)],
    ];
    console.log(
      `JBIG (T.85, L0 128, TPBON) vs MMR (T.6, ECM): ${pages.length} pages 1728×2156 at fine resolution;` +
        ` line seconds = page octets at ${BIT_RATE} bit/s. CPU time best of ${ROUNDS}.\n`,
    );
    const head = ['page', 'MMR octets', 'JBIG octets', 'JBIG/MMR', 'MMR s', 'JBIG s'];
    const rows: string[][] = [];
    let mmrTotal = 0;
    let jbigTotal = 0;
    const bies: Uint8Array[] = [];
    for (const [name, bitmap] of pages) {
      const mmr = encodePage(bitmap, { coding: 'mmr', bitOrder: 'lsb-first', ecm: true }).length;
      const bie = encodeT85(bitmap);
      bies.push(bie);
      // jbigkit's decoder must give back the page (the same check as test/t85)
      run('jbgtopbm85', [s.write(`${name}.jbg`, bie), s.path(`${name}-back.pbm`)]);
      if (firstDifferentRow(readPbm(s.read(`${name}-back.pbm`)), bitmap) !== -1)
        throw new Error(`jbgtopbm85 does not give back the ${name} page`);
      mmrTotal += mmr;
      jbigTotal += bie.length;
      rows.push(row(name, mmr, bie.length));
    }
    rows.push(row('total', mmrTotal, jbigTotal));
    table(head, rows);

    const n = pages.length;
    const enc = best(() => pages.forEach(([, b]) => encodeT85(b)));
    const dec = best(() => bies.forEach((b) => decodeT85(b)));
    let kitEnc = 0;
    let kitDec = 0;
    for (const [name, bitmap] of pages) {
      const pbm = s.write(`${name}-in.pbm`, writePbm(bitmap));
      kitEnc += bestTool('pbmtojbg85', ['-m', '0', '-s', '128', pbm, s.path(`${name}-kit.jbg`)]);
      kitDec += bestTool('jbgtopbm85', [s.path(`${name}.jbg`), s.path(`${name}-kit.pbm`)]);
      const same =
        Buffer.compare(Buffer.from(s.read(`${name}-kit.jbg`)), Buffer.from(encodeT85(bitmap))) === 0;
      // jbigkit may leave one 0x00 at the end of a PSCD that lpfax drops (the decoder supplies it)
      if (!same) console.log(`note: ${name}: lpfax's BIE is not octet for octet pbmtojbg85 -m 0 -s 128's`);
    }
    console.log('');
    table(
      ['codec', 'encode p/s', 'decode p/s'],
      [
        ['lpfax lib/t85', (n / enc).toFixed(1), (n / dec).toFixed(1)],
        ['jbigkit 85', (n / kitEnc).toFixed(1), (n / kitDec).toFixed(1)],
      ],
    );
  } finally {
    s.remove();
  }
}

function row(name: string, mmr: number, jbig: number): string[] {
  const secs = (octets: number) => ((octets * 8) / BIT_RATE).toFixed(1);
  return [name, String(mmr), String(jbig), (jbig / mmr).toFixed(2), secs(mmr), secs(jbig)];
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

main();
