/**
 * Rasterising benchmark: `npm run build && node dist/bench/raster.js [pages]`.
 *
 * 1. Throughput: pages per second of lib/raster (tagline off, then on) against the bare `gs` command
 *    on the same PDF, device and page geometry. Goal: lib/raster ≥ 0.9 × bare gs. Runs alternate so
 *    both see the same machine load; the median of seven is reported, with the CPU time per page
 *    (Ghostscript's and this process's), which depends far less on the machine's load.
 * 2. Memory: this process's RSS while streaming the document page by page, sampled every page.
 *    Goal: peak ≤ 150 MB, and no growth with the page count (RSS at the last page ≈ at page 20).
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ghostscriptPageArgs, pageGeometry, rasterize } from '../lib/raster/index.js';

let PAGES = 200;
const ROUNDS = 7;

/**
 * CPU seconds used so far by this process and by its finished children (Ghostscript): user + system
 * from process.cpuUsage() and /proc/self/stat's cutime + cstime (in clock ticks, 100 per second).
 * Unlike pages per second, this hardly depends on what else the machine is doing.
 */
function cpuSeconds(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'latin1').split(') ')[1]!.split(' ');
  const { user, system } = process.cpuUsage();
  return { self: (user + system) / 1e6, children: (Number(fields[13]) + Number(fields[14])) / 100 };
}

interface Run {
  pagesPerSecond: number;
  /** CPU milliseconds per page: Ghostscript, and this process. */
  gsMs: number;
  nodeMs: number;
}

async function measure(work: () => Promise<void>): Promise<Run> {
  const cpu0 = cpuSeconds();
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = cpuSeconds();
  return {
    pagesPerSecond: PAGES / seconds,
    gsMs: ((cpu1.children - cpu0.children) * 1000) / PAGES,
    nodeMs: ((cpu1.self - cpu0.self) * 1000) / PAGES,
  };
}
const MB = 1024 * 1024;

/**
 * A business-letter-like page, repeated: 40 lines of text and a rule; with `photo`, also a 3 × 2 in
 * grey-scale picture (256 × 170 samples, halftoned by Ghostscript) like a letterhead photo or a chart.
 */
function documentPostScript(pages: number, photo: boolean): string {
  const picture = photo
    ? `gsave 300 560 translate 216 144 scale
  256 170 8 [256 0 0 -170 0 170] { 256 string dup 0 1 255 { 1 index exch dup n add 255 and put } for } image
  grestore`
    : '';
  return `%!PS
/Times-Roman findfont 11 scalefont setfont
1 1 ${pages} { /n exch def
  ${picture}
  72 760 moveto /Helvetica-Bold findfont 16 scalefont setfont (Quarterly report, page ) show n 4 string cvs show
  /Times-Roman findfont 11 scalefont setfont
  0 1 39 { /l exch def 72 730 l 16 mul sub moveto
    (The quick brown fox jumps over the lazy dog; 0123456789 fax test line ) show l 3 string cvs show } for
  72 80 moveto 540 80 lineto stroke
  showpage } for
`;
}

async function bareGhostscript(pdf: string, dir: string): Promise<Run> {
  const out = await mkdtemp(path.join(dir, 'bare-'));
  const run = await measure(async () => {
    await execa('gs', [
      '-q',
      '-dSAFER',
      '-dBATCH',
      '-dNOPAUSE',
      '-dPDFSTOPONERROR',
      '-sDEVICE=pbmraw',
      ...ghostscriptPageArgs(pageGeometry('a4', 'fine')),
      `-sOutputFile=${path.join(out, 'p%05d.pbm')}`,
      pdf,
    ]);
  });
  await rm(out, { recursive: true, force: true });
  return run;
}

async function library(pdf: string, tagline: boolean, rss?: number[]): Promise<Run> {
  return measure(async () => {
    let pages = 0;
    for await (const page of rasterize(pdf, {
      resolution: 'fine',
      paper: 'a4',
      tagline: tagline ? {} : false,
    })) {
      pages++;
      if (page.bitmap.width !== 1728) throw new Error('bad page');
      rss?.push(process.memoryUsage().rss);
    }
    if (pages !== PAGES) throw new Error(`rasterised ${pages} of ${PAGES} pages`);
  });
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function makePdf(dir: string, name: string, photo: boolean): Promise<string> {
  const ps = path.join(dir, `${name}.ps`);
  const pdf = path.join(dir, `${name}.pdf`);
  await writeFile(ps, documentPostScript(PAGES, photo));
  await execa('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  return pdf;
}

async function throughput(pdf: string, dir: string, title: string): Promise<void> {
  const bare: Run[] = [];
  const lib: Run[] = [];
  const libTag: Run[] = [];
  for (let run = 0; run < ROUNDS; run++) {
    bare.push(await bareGhostscript(pdf, dir));
    lib.push(await library(pdf, false));
    libTag.push(await library(pdf, true));
  }
  const rate = (runs: Run[]): number => median(runs.map((r) => r.pagesPerSecond));
  const line = (name: string, runs: Run[]): string => {
    const gs = median(runs.map((r) => r.gsMs));
    const node = median(runs.map((r) => r.nodeMs));
    return (
      `  ${name.padEnd(24)} ${rate(runs).toFixed(1).padStart(6)} pages/s, ratio ${(rate(runs) / rate(bare)).toFixed(2)};` +
      ` CPU per page: gs ${gs.toFixed(2)} ms + node ${node.toFixed(2)} ms` +
      `  (runs: ${runs.map((r) => r.pagesPerSecond.toFixed(0)).join(', ')})`
    );
  };
  console.log(`${title}: ${PAGES} pages, A4, fine (1728×2292), device pbmraw; medians of ${ROUNDS} runs`);
  console.log(line('bare gs', bare));
  console.log(line('lib/raster, no tagline', lib));
  console.log(line('lib/raster, tagline', libTag));
}

/** Run the whole benchmark and print its figures (bench/backend.ts may call this too). */
export async function benchRaster(pages = 200): Promise<void> {
  PAGES = pages;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-bench-raster-'));
  try {
    const text = await makePdf(dir, 'text', false);
    const photo = await makePdf(dir, 'photo', true);

    // Memory first, in a process that has done nothing else yet.
    const rss: number[] = [];
    await library(text, true, rss);
    const peak = process.resourceUsage().maxRSS * 1024;

    await throughput(text, dir, 'text pages');
    await throughput(photo, dir, 'text and a grey picture');
    console.log('goal: lib/raster ≥ 0.90 × bare gs');
    const at = (n: number): string => `p${n} ${(rss[Math.min(n, rss.length) - 1]! / MB).toFixed(0)}`;
    const half = Math.floor(rss.length / 2);
    const maxOf = (values: number[]): string => `${(Math.max(...values) / MB).toFixed(1)} MB`;
    const samples = [10, 25, 50, 100, 150, 200].filter((n) => n <= PAGES);
    console.log(`RSS while streaming the text document (MB): ${samples.map(at).join(', ')}`);
    console.log(
      `  max over pages 1-${half}: ${maxOf(rss.slice(0, half))}, pages ${half + 1}-${PAGES}: ${maxOf(rss.slice(half))}; process peak ${(peak / MB).toFixed(1)} MB (goal ≤ 150 MB, flat)`,
    );
    const load = os.loadavg().map((l) => l.toFixed(2));
    console.log(`load average during the run: ${load.join(' ')} on ${os.cpus().length} CPUs`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await benchRaster(Number(process.argv[2] ?? 200));
