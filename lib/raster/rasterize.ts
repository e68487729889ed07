/**
 * PDF/PostScript → fax pages, streamed.
 *
 * Ghostscript renders the whole document in one run to PBM files in a private folder, one file per
 * page (`p00001.pbm` …). A page file is complete once the next one exists or Ghostscript has exited
 * (a printer device opens the file for page N+1 only after closing page N), so page 1 is yielded while
 * later pages are still rendering: the caller can dial before rasterising ends. Each file is read,
 * deleted and yielded in turn; at most `pagesAhead` pages wait on disk — beyond that Ghostscript is
 * stopped (SIGSTOP) until the caller catches up, so neither memory nor disk grows with the document.
 *
 * Steps: sniff and copy the document into the private folder (mode 0700, owned by the Ghostscript
 * user), convert PostScript to PDF, count the pages, render. Every step has a progress timeout,
 * stops on the caller's AbortSignal, and ends with the folder removed and no Ghostscript left.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { chown, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FaxPage, Resolution } from './bitmap.js';
import { prepareDocument } from './document.js';
import { RasterError } from './errors.js';
import { GhostscriptProcess, SAFE_ARGS } from './ghostscript.js';
import { GHOSTSCRIPT_PAPER_NAME, ghostscriptPageArgs, pageGeometry, type Paper } from './paper.js';
import { parsePbm, PbmFormatError } from './pbm.js';
import { taglineFields, taglinePostScript, type TaglineOptions } from './tagline.js';

export interface RasterizeOptions {
  /** Default 'a4'. */
  readonly paper?: Paper;
  /** Default 'fine'. */
  readonly resolution?: Resolution;
  /** The tagline (on by default, with DEFAULT_TAGLINE_FORMAT), or false for none. */
  readonly tagline?: TaglineOptions | false;
  /** Kill Ghostscript when a step makes no progress (no new page) for this long; default 60 s. */
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
  /** Rendered pages allowed to wait on disk before Ghostscript is paused; default 4. */
  readonly pagesAhead?: number;
  /** Called once the page count is known, before page 1 is yielded. */
  readonly onPageCount?: (pageCount: number) => void;
}

/** A fax page with its place in the document. */
export interface RasterPage extends FaxPage {
  /** 1-based. */
  readonly pageNumber: number;
  readonly pageCount: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
/** Page files are noticed through inotify (fs.watch); polling is the fallback. */
const POLL_MS = 50;

const pageFile = (dir: string, n: number): string => path.join(dir, `p${String(n).padStart(5, '0')}.pbm`);

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
  const startedAt = new Date();

  const workdir = await mkdtemp(path.join(options.tmpdir ?? os.tmpdir(), 'lpfax-raster-'));
  const removeWorkdir = (): Promise<void> => rm(workdir, { recursive: true, force: true });
  const onAbort = (): void => void removeWorkdir();
  signal?.addEventListener('abort', onAbort, { once: true });
  let gs: GhostscriptProcess | undefined;
  let poller: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    if (owner.uid !== undefined || owner.gid !== undefined)
      await chown(workdir, owner.uid ?? -1, owner.gid ?? -1);
    const gsOptions = { executable: options.ghostscript, timeoutMs, signal, ...owner };
    const document = await prepareDocument(file, {
      ...gsOptions,
      workdir,
      defaultPaperName: GHOSTSCRIPT_PAPER_NAME[paper],
    });
    const { pageCount } = document;
    options.onPageCount?.(pageCount);

    const args = [
      ...SAFE_ARGS,
      '-sstdout=%stderr',
      '-dPDFSTOPONERROR',
      '-sDEVICE=pbmraw',
      ...ghostscriptPageArgs(geometry),
      `-sOutputFile=${path.join(workdir, 'p%05d.pbm')}`,
    ];
    if (options.tagline !== false) {
      const tagline = options.tagline ?? {};
      const prologue = path.join(workdir, 'tagline.ps');
      await writeFile(
        prologue,
        taglinePostScript(
          taglineFields(tagline, pageCount, startedAt),
          tagline.fontSize,
          tagline.pageNumberOffset,
        ),
      );
      if (owner.uid !== undefined || owner.gid !== undefined)
        await chown(prologue, owner.uid ?? -1, owner.gid ?? -1);
      args.push(prologue);
    }
    args.push(document.pdf);
    if (signal?.aborted) throw cancelled();

    const renderer = new GhostscriptProcess(args, {
      ...gsOptions,
      cwd: workdir,
      step: 'rendering the pages',
    });
    gs = renderer;
    const settled = renderer.finished.then(
      () => undefined,
      () => undefined,
    );

    // Background watch: new page files are progress (the watchdog restarts); too many waiting pages
    // pause Ghostscript until the caller takes them.
    let rendered = 0; // pages whose file exists
    let consumed = 0;
    let wake: (() => void) | undefined;
    const regulate = (): void => {
      if (rendered - consumed > pagesAhead) renderer.pause();
      else renderer.resume();
    };
    const look = (): void => {
      let progressed = false;
      while (existsSync(pageFile(workdir, rendered + 1))) {
        rendered++;
        progressed = true;
      }
      if (progressed) {
        renderer.touch();
        regulate();
        wake?.();
      }
      if (renderer.hasExited) {
        clearInterval(poller);
        watcher?.close();
      }
    };
    poller = setInterval(look, POLL_MS).unref();
    watcher = watch(workdir, look);
    watcher.on('error', () => undefined); // the folder is removed on abort; polling carries on

    for (let n = 1; ; n++) {
      // Page n is complete once page n+1 exists or Ghostscript has exited.
      while (!renderer.hasExited && !existsSync(pageFile(workdir, n + 1))) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), settled]);
      }
      if (renderer.hasExited) await renderer.finished; // throws its RasterError on failure
      const name = pageFile(workdir, n);
      if (!existsSync(name)) break;
      const bitmap = parseRenderedPage(await readFile(name), n);
      if (bitmap.width !== geometry.widthPixels || bitmap.height !== geometry.heightPixels) {
        throw new RasterError(
          'unreadable',
          `Ghostscript rendered page ${n} at ${bitmap.width}×${bitmap.height} pixels instead of ${geometry.widthPixels}×${geometry.heightPixels}.`,
        );
      }
      await unlink(name);
      consumed = n;
      rendered = Math.max(rendered, n);
      regulate();
      if (n > pageCount) break; // reported as a mismatch below
      yield { bitmap, resolution, pageNumber: n, pageCount };
      if (signal?.aborted) throw cancelled();
    }
    if (consumed !== pageCount) {
      throw new RasterError(
        'page-count-mismatch',
        `Ghostscript rendered ${consumed} pages but the document has ${pageCount}.`,
      );
    }
  } catch (error) {
    if (signal?.aborted) throw cancelled();
    if (error instanceof RasterError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new RasterError('unreadable', `Rasterising failed: ${code ?? (error as Error).message}.`);
  } finally {
    if (poller) clearInterval(poller);
    watcher?.close();
    if (gs && !gs.hasExited) {
      gs.kill();
      await gs.finished.catch(() => undefined);
    }
    signal?.removeEventListener('abort', onAbort);
    await removeWorkdir();
  }
}

function parseRenderedPage(file: Buffer, n: number) {
  try {
    return parsePbm(file);
  } catch (error) {
    if (error instanceof PbmFormatError) {
      throw new RasterError(
        'unreadable',
        `Ghostscript wrote an unreadable image for page ${n}.`,
        error.message,
      );
    }
    throw error;
  }
}
