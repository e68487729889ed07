/**
 * Receiving-side decode benchmark: lpfax's page decoder against libtiff's on the same MH, MR and
 * MMR data (libtiff's own strips, made by tiffcp), in pages/s of CPU time. Not a test: figures
 * depend on the machine.
 *
 * libtiff: `tiffinfo -D` of the coded file (decodes every strip) minus `tiffinfo` of it (process
 * start and directories), as in bench/codec.ts. lpfax, on the same strip octets:
 * - decodePage: the one-call decode into a bitmap;
 * - streamed: T4Decoder fed 256-octet pieces, rows handed out and not kept (a receiver's case);
 * - store: streamed plus re-coding every row to MMR (what ReceivedFaxWriter does per page);
 * and ReceivedFaxWriter end to end on line data (lsb-first, fill, RTC) in wall time, with its
 * two fsyncs per page, into a temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceivedFaxWriter } from '../lib/fax/store.js';
import { decodePage, encodePage, T4Decoder, T4Encoder, writeTiffF } from '../lib/t4/index.js';
import type { Bitmap, FaxPage } from '../lib/t4/index.js';
import type { T4Coding as Coding } from '../lib/itu/page.js';
import { ditheredPhoto, FORM_PS, gsRender, readPbm, Scratch, TEXT_PS } from '../test/t4/pages.js';
import { best, bestTool, ROUNDS, stripBytes } from './cpu.js';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 8);
const WIDTH = 1728;
const PIECE = 256;
const TIFFCP: Record<Coding, string> = { mh: 'g3', mr: 'g3:2d', mmr: 'g4' };

function streamed(data: Uint8Array, coding: Coding, reencode: boolean): number {
  const enc = reencode
    ? new T4Encoder(WIDTH, { coding: 'mmr', bitOrder: 'msb-first', ecm: true })
    : undefined;
  const d = new T4Decoder({
    coding,
    width: WIDTH,
    bitOrder: 'msb-first',
    keepBitmap: false,
    onRow: enc ? (row) => enc.encodeRow(row) : undefined,
  });
  for (let at = 0; at < data.length; at += PIECE) d.push(data.subarray(at, at + PIECE));
  const rows = d.finish().rows;
  enc?.finish();
  return rows;
}

async function main(): Promise<void> {
  const s = new Scratch();
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-bench-rx-'));
  try {
    const named: [string, Bitmap][] = [
      ['text', readPbm(new Uint8Array(readFileSync(gsRender(s, TEXT_PS, 'pbmraw', 'text.pbm'))))],
      ['form', readPbm(new Uint8Array(readFileSync(gsRender(s, FORM_PS, 'pbmraw', 'form.pbm'))))],
      ['photo', ditheredPhoto(WIDTH, 2156)],
    ];
    const pages: FaxPage[] = [];
    for (let r = 0; r < REPEAT; r++)
      for (const [, bitmap] of named) pages.push({ bitmap, resolution: 'fine' });
    const n = pages.length;
    const plain = s.write('plain.tif', writeTiffF(pages, { coding: 'none' }));
    console.log(
      `Decoding received pages: ${n} pages (${named.map(([k]) => k).join(', ')} ×${REPEAT}), ` +
        `1728×2156 fine; CPU time, best of ${ROUNDS}; libtiff = tiffinfo -D minus tiffinfo.\n`,
    );
    const head = ['coding', 'libtiff p/s', 'decodePage p/s', 'streamed p/s', 'store p/s', 'streamed/libtiff'];
    const rows: string[][] = [];
    for (const coding of ['mh', 'mr', 'mmr'] as Coding[]) {
      const file = s.path(`${coding}.tif`);
      // One strip per page, as a fax page is received.
      const { execFileSync } = await import('node:child_process');
      execFileSync('tiffcp', ['-c', TIFFCP[coding], '-r', '2156', plain, file]);
      const theirs = bestTool('tiffinfo', ['-D', file]) - bestTool('tiffinfo', [file]);
      const strips = stripBytes(file);
      let check = 0;
      const tWhole = best(() => {
        for (const st of strips)
          check += decodePage(st, { coding, width: WIDTH, bitOrder: 'msb-first' }).rows;
      });
      const tStream = best(() => {
        for (const st of strips) check += streamed(st, coding, false);
      });
      const tStore = best(() => {
        for (const st of strips) check += streamed(st, coding, true);
      });
      if (check !== 3 * ROUNDS * n * 2156) throw new Error(`${coding}: rows decoded ${check}`);
      rows.push([
        coding.toUpperCase(),
        theirs > 0 ? (n / theirs).toFixed(0) : 'n/a',
        (n / tWhole).toFixed(0),
        (n / tStream).toFixed(0),
        (n / tStore).toFixed(0),
        theirs > 0 ? (theirs / tStream).toFixed(2) : 'n/a',
      ]);
    }
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));

    console.log(
      `\nReceivedFaxWriter, line data (lsb-first, fill 192 bits/row, RTC) in ${PIECE}-octet pieces, wall time:`,
    );
    for (const coding of ['mh', 'mr', 'mmr'] as Coding[]) {
      const line = pages.map((p) =>
        encodePage(p.bitmap, { coding, resolution: 'fine', minBitsPerRow: coding === 'mmr' ? 0 : 192 }),
      );
      const t0 = process.hrtime.bigint();
      const w = await ReceivedFaxWriter.open(dir, `bench-${coding}`);
      for (const data of line) {
        const p = w.beginPage({ coding, width: WIDTH, resolution: 'fine' });
        for (let at = 0; at < data.length; at += PIECE) p.push(data.subarray(at, at + PIECE));
        await p.store();
      }
      const files = await w.close();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const bytes = files.pages.reduce((t, p) => t + p.storedBytes, 0);
      const lineBytes = line.reduce((t, d) => t + d.length, 0);
      console.log(
        `  ${coding.toUpperCase()}: ${(n / seconds).toFixed(0)} pages/s, ${((seconds / n) * 1000).toFixed(1)} ms/page ` +
          `(TIFF + PDF, fsync per page); ${(lineBytes / n / 1024).toFixed(1)} KiB/page on the line → ` +
          `${(bytes / n / 1024).toFixed(1)} KiB/page stored (MMR)`,
      );
    }
  } finally {
    s.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
