/**
 * PDF/PostScript → fax pages, streamed.
 *
 * Ghostscript renders the whole document in one run, writing one binary PBM image per page to its
 * stdout, a pipe to us (its own messages go to stderr). The pipe is cut into pages as the bytes
 * arrive, so page 1 is yielded while later pages are still rendering: the caller can dial before
 * rasterising ends. At most `pagesAhead` finished pages are kept; beyond that we stop reading, the
 * pipe fills and Ghostscript blocks until the caller takes a page. Neither memory nor disk grows
 * with the document, and no page ever touches the disk.
 *
 * Steps: sniff and copy the document into a private folder (mode 0700, owned by the Ghostscript
 * user), convert PostScript to PDF, then one Ghostscript run counts the pages from the PDF's page
 * tree (before rendering, so "Page 1 of T" and the count check work) and renders them. Every step
 * has a progress timeout, stops on the caller's AbortSignal, and ends with the folder removed and no
 * Ghostscript left.
 */
import { chown, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Paper, Resolution } from '../itu/page.js';
import type { Bitmap, FaxPage } from './bitmap.js';
import { pageCountArgs, prepareDocument } from './document.js';
import { RasterError } from './errors.js';
import { GhostscriptProcess, makeWorkFolder, removeWorkFolder, SAFE_ARGS } from './ghostscript.js';
import { GHOSTSCRIPT_PAPER_NAME, ghostscriptPageArgs, pageGeometry } from './paper.js';
import { PbmStreamParser } from './pbm.js';
import { TAGLINE_READ_NUMBERS, taglineFields, taglinePostScript, type TaglineOptions } from './tagline.js';

export interface RasterizeOptions {
  /** Default 'a4'. */
  readonly paper?: Paper;
  /** Default 'fine'. */
  readonly resolution?: Resolution;
  /** The tagline (on by default, with DEFAULT_TAGLINE_FORMAT), or false for none. */
  readonly tagline?: TaglineOptions | false;
  /**
   * Kill Ghostscript when a step makes no progress for this long; default 60 s. Rendering makes
   * progress with every chunk of page data; time spent waiting for the caller does not count.
   */
  readonly timeoutMs?: number;
  /** Abort: Ghostscript is killed, the temporary folder removed, the iteration throws 'cancelled'. */
  readonly signal?: AbortSignal;
  /** Run Ghostscript as this user and group (pass lp's when running as root). */
  readonly uid?: number;
  readonly gid?: number;
  /** The Ghostscript executable; default `gs`. */
  readonly ghostscript?: string;
  /** Parent of the private work folder; default os.tmpdir() (TMPDIR). */
  readonly tmpdir?: string;
  /** Finished pages kept in memory for the caller before Ghostscript is made to wait; default 4. */
  readonly pagesAhead?: number;
  /** Called once the page count is known, before page 1 is yielded. */
  readonly onPageCount?: (pageCount: number) => void;
  /**
   * The numbers the tagline prints, given the document's page count: the fax's number of the
   * document's first page and the fax's page count (default 1 and the document's own count).
   * Ghostscript waits for them after counting, before it renders page 1 (lib/job's page plan
   * answers once every document of the fax is counted: one run per document counts and renders).
   */
  readonly numbering?: (pageCount: number) => PageNumbering | Promise<PageNumbering>;
}

/** Where a document's pages stand in the fax: the number of its first page, and the fax's total. */
export interface PageNumbering {
  readonly first: number;
  readonly total: number;
}

/** A fax page with its place in the document. */
export interface RasterPage extends FaxPage {
  /** 1-based. */
  readonly pageNumber: number;
  readonly pageCount: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Printed (on stderr, as -sstdout=%stderr sends it) before the first page is rendered. */
const PAGE_COUNT_MARKER = /%%\[LpfaxPages: (\d+) \]%%/;
const printPageCount = '(%%[LpfaxPages: ) print dup =only ( ]%%) = flush';

/** Rasterise a PDF or PostScript file into fax pages, yielded one by one as Ghostscript finishes them. */
export async function* rasterize(
  file: string,
  options: RasterizeOptions = {},
): AsyncGenerator<RasterPage, void> {
  const { signal } = options;
  const cancelled = (): RasterError =>
    new RasterError('cancelled', 'The fax job was cancelled while rasterising.');
  if (signal?.aborted) throw cancelled();

  const paper = options.paper ?? 'a4';
  const resolution = options.resolution ?? 'fine';
  const geometry = pageGeometry(paper, resolution);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pagesAhead = Math.max(1, options.pagesAhead ?? 4);
  const owner = { uid: options.uid, gid: options.gid };
  const giveTo = async (name: string): Promise<void> => {
    if (owner.uid !== undefined || owner.gid !== undefined)
      await chown(name, owner.uid ?? -1, owner.gid ?? -1);
  };
  const startedAt = new Date();

  const workdir = await makeWorkFolder(options.tmpdir ?? os.tmpdir(), 'lpfax-raster-', owner);
  const removeWorkdir = (): Promise<void> => removeWorkFolder(workdir);
  const onAbort = (): void => void removeWorkdir();
  signal?.addEventListener('abort', onAbort, { once: true });
  let gs: GhostscriptProcess | undefined;
  try {
    const gsOptions = { executable: options.ghostscript, timeoutMs, signal, ...owner };
    const document = await prepareDocument(file, {
      ...gsOptions,
      workdir,
      defaultPaperName: GHOSTSCRIPT_PAPER_NAME[paper],
    });

    // One run counts the pages (printing the count), reads the tagline's numbers, then renders.
    const args = [
      ...SAFE_ARGS,
      '-sstdout=%stderr',
      '-dPDFSTOPONERROR',
      '-sDEVICE=pbmraw',
      ...ghostscriptPageArgs(geometry),
      '-sOutputFile=-',
    ];
    let thenPostScript = `${printPageCount} pop`;
    const withTagline = options.tagline !== false;
    if (options.tagline !== false) {
      const tagline = options.tagline ?? {};
      const prologue = path.join(workdir, 'tagline.ps');
      await writeFile(prologue, taglinePostScript(taglineFields(tagline, startedAt), tagline.fontSize));
      await giveTo(prologue);
      args.push(prologue);
      thenPostScript = `${printPageCount} pop ${TAGLINE_READ_NUMBERS}`;
    }
    args.push(...pageCountArgs(document.pdf, thenPostScript), '-f', document.pdf);
    if (signal?.aborted) throw cancelled();

    let pageCount: number | undefined;
    let stderrHead = '';
    let wake: (() => void) | undefined;
    const renderer = new GhostscriptProcess(args, {
      ...gsOptions,
      cwd: workdir,
      step: 'rendering the pages',
      streamStdout: true,
      stdinPipe: withTagline,
      onStderr: (text) => {
        if (pageCount !== undefined) return;
        stderrHead = (stderrHead + text).slice(-4096);
        const match = PAGE_COUNT_MARKER.exec(stderrHead);
        if (match) {
          pageCount = Number(match[1]);
          wake?.();
        }
      },
    });
    gs = renderer;
    const pages = new PageQueue(renderer, pagesAhead, () => wake?.());
    const settled = renderer.finished.then(
      () => undefined,
      () => undefined,
    );
    // Woken by the page count, a page, or the end of the output (which always comes: the stream
    // closes when Ghostscript exits). Only the wait for the count also ends on exit.
    const news = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));

    while (pageCount === undefined && !renderer.hasExited) await Promise.race([news(), settled]);
    if (renderer.hasExited) await renderer.finished; // throws its RasterError on failure
    if (pageCount === undefined) {
      throw new RasterError('unreadable', 'The document could not be read: its pages could not be counted.');
    }
    if (pageCount === 0) throw new RasterError('empty', 'The document has no pages.');
    options.onPageCount?.(pageCount);
    if (withTagline) {
      renderer.hold(); // waiting for the other documents' counts is no fault of Ghostscript's
      const numbers = (await options.numbering?.(pageCount)) ?? { first: 1, total: pageCount };
      if (signal?.aborted) throw cancelled();
      renderer.release();
      renderer.answer(`${Math.floor(numbers.first)} ${Math.floor(numbers.total)}`);
    }

    let rendered = 0;
    for (;;) {
      while (pages.isEmpty && !pages.ended) await news();
      if (signal?.aborted) throw cancelled();
      const bitmap = pages.take();
      if (!bitmap) break;
      rendered++;
      if (bitmap.width !== geometry.widthPixels || bitmap.height !== geometry.heightPixels) {
        throw new RasterError(
          'unreadable',
          `Ghostscript rendered page ${rendered} at ${bitmap.width}×${bitmap.height} pixels instead of ${geometry.widthPixels}×${geometry.heightPixels}.`,
        );
      }
      if (rendered > pageCount) break; // reported as a mismatch below
      yield { bitmap, resolution, pageNumber: rendered, pageCount };
      if (signal?.aborted) throw cancelled();
    }
    if (pages.unreadable) throw pages.error; // we stopped Ghostscript: our reason is the one
    await renderer.finished; // otherwise Ghostscript's own failure explains best
    if (pages.error) throw pages.error;
    if (rendered !== pageCount) {
      throw new RasterError(
        'page-count-mismatch',
        rendered < pageCount
          ? `Ghostscript rendered only ${rendered} of the document's ${pageCount} pages.`
          : `Ghostscript rendered more pages than the document's ${pageCount}.`,
      );
    }
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    if (error instanceof RasterError) throw error;
    throw new RasterError('unreadable', `Rasterising failed: ${(error as Error).message}.`);
  } finally {
    if (gs && !gs.hasExited) {
      gs.kill();
      await gs.finished.catch(() => undefined);
    }
    signal?.removeEventListener('abort', onAbort);
    await removeWorkdir();
  }
}

/**
 * Reads Ghostscript's stdout into pages, keeping at most `limit` finished pages. When that many
 * wait, it stops reading: the pipe fills and Ghostscript blocks until the caller takes a page.
 * ('data' events rather than an async iterator: a third less CPU for ~100 MB of pages.)
 */
class PageQueue {
  private readonly pages: Bitmap[] = [];
  private readonly parser = new PbmStreamParser();
  private readonly stdout: NodeJS.ReadableStream;
  private waiting = false;
  ended = false;
  error: RasterError | undefined;
  /** The output was not PBM: Ghostscript was killed for it. */
  unreadable = false;

  constructor(
    private readonly gs: GhostscriptProcess,
    private readonly limit: number,
    private readonly changed: () => void,
  ) {
    this.stdout = gs.stdout;
    this.stdout.on('data', (chunk: Buffer) => this.received(chunk));
    this.stdout.on('error', () => this.end());
    this.stdout.on('end', () => this.end());
    this.stdout.on('close', () => this.end());
  }

  get isEmpty(): boolean {
    return this.pages.length === 0;
  }

  take(): Bitmap | undefined {
    const page = this.pages.shift();
    if (this.waiting && this.pages.length < this.limit) {
      this.waiting = false;
      this.gs.release();
      this.stdout.resume();
    }
    return page;
  }

  private received(chunk: Buffer): void {
    if (this.error) return;
    this.gs.touch();
    let done: Bitmap[];
    try {
      done = this.parser.push(chunk);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.error = new RasterError('unreadable', 'Ghostscript wrote pages that could not be read.', detail);
      this.unreadable = true;
      this.gs.kill();
      this.end();
      return;
    }
    if (done.length === 0) return;
    this.pages.push(...done);
    if (this.pages.length >= this.limit && !this.waiting) {
      this.waiting = true;
      this.stdout.pause();
      this.gs.hold();
    }
    this.changed();
  }

  private end(): void {
    if (this.ended) return;
    if (this.parser.midImage && !this.error) {
      this.error = new RasterError('unreadable', 'Ghostscript stopped in the middle of a page.');
    }
    this.ended = true;
    this.changed();
  }
}
