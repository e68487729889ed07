/**
 * The pages of one recipient's fax: the cover page (filters/cover), then the documents (one call;
 * the engine ends each document with EOM and negotiates the next afresh). PDF and
 * PostScript are rasterised lazily by lib/raster, so dialling starts as soon as the page count is
 * known and a long document is never held in memory whole; TIFF fax files (TIFF-F, as `lpfax
 * render` writes them) are sent as they are.
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';

import { tmpdir as osTmpdir } from 'node:os';

import { join } from 'node:path';

import { renderCoverPage, type CoverFields } from '../../filters/cover.js';

import { isRasterError, rasterize, type RasterizeOptions, type TaglineOptions } from '../raster/index.js';
import { readTiff, type FaxPage } from '../t4/index.js';
import type { FaxSettings } from '../config/index.js';

import { FaxJobError } from './outcome.js';

import type { JobRecipient, PreparedFax } from './run.js';
import type { Paper, Resolution } from '../itu/page.js';

/** PostScript points of each paper, for the cover page. */
const PAPER_POINTS: Record<Paper, { width: number; height: number }> = {
  a4: { width: 595, height: 842 },
  letter: { width: 612, height: 792 },
  legal: { width: 612, height: 1008 },
};

export interface FaxPagesOptions {
  /** One file, or several sent as separate documents in the same call (the cover goes with the first). */
  document: string | readonly string[];
  paper: Paper;
  resolution: Resolution;
  tagline: TaglineOptions | false;
  /** The cover page's fields (the page count is filled in here), or none. */
  cover?: { fields: Omit<CoverFields, 'pages'>; template?: string };
  /** Ghostscript runs as this user when the backend runs as root. */
  uid?: number;
  gid?: number;
  tmpdir?: string;
  signal?: AbortSignal;
}

export function jobErrorOfRaster(e: unknown): FaxJobError {
  if (e instanceof FaxJobError) return e;
  if (!isRasterError(e))
    return new FaxJobError('bad-document', `The document could not be read: ${String(e)}`, e);
  switch (e.kind) {
    case 'cancelled':
      return new FaxJobError('cancelled', 'The fax was cancelled.', e);
    case 'ghostscript-missing':
      return new FaxJobError(
        'config-error',
        `${e.message} (install Ghostscript: apt-get install ghostscript)`,
        e,
      );
    default:
      return new FaxJobError('bad-document', e.message, e);
  }
}

/** One document's pages: the count first, then the pages, lazily. */
interface DocumentPages {
  count: number;
  pages: AsyncIterator<FaxPage>;
  close(): Promise<void>;
}

async function isTiff(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const magic = buffer.subarray(0, bytesRead).toString('latin1');
    return magic === 'II*\0' || magic === 'MM\0*';
  } finally {
    await handle.close();
  }
}

async function tiffPages(file: string): Promise<DocumentPages> {
  let pages: FaxPage[];
  try {
    pages = readTiff(await readFile(file));
  } catch (e) {
    throw new FaxJobError('bad-document', `The TIFF file ${file} cannot be read: ${String(e)}`, e);
  }
  if (pages.length === 0) throw new FaxJobError('bad-document', `The TIFF file ${file} has no pages.`);
  const iterator = pages[Symbol.iterator]();
  return {
    count: pages.length,
    pages: { next: async () => iterator.next() },
    close: async () => undefined,
  };
}

/** Starts Ghostscript and waits for the page count it reports before the first page. */
async function rasterPages(file: string, options: RasterizeOptions): Promise<DocumentPages> {
  let counted!: (n: number) => void;
  const pageCount = new Promise<number>((resolve) => (counted = resolve));
  const generator = rasterize(file, { ...options, onPageCount: counted });
  const first = generator.next();
  first.catch(() => undefined);
  let count: number;
  try {
    count = await Promise.race([pageCount, first.then(() => pageCount)]);
  } catch (e) {
    await generator.return(undefined).catch(() => undefined);
    throw jobErrorOfRaster(e);
  }
  let started = false;
  return {
    count,
    pages: {
      next: () => {
        if (started) return generator.next();
        started = true;
        return first;
      },
    },
    close: async () => {
      await generator.return(undefined).catch(() => undefined);
    },
  };
}

export async function prepareFaxPages(options: FaxPagesOptions): Promise<PreparedFax<FaxPage>> {
  const coverPages = options.cover ? 1 : 0;
  const rasterOptions = (tagline: TaglineOptions | false): RasterizeOptions => ({
    paper: options.paper,
    resolution: options.resolution,
    tagline,
    uid: options.uid,
    gid: options.gid,
    tmpdir: options.tmpdir,
    signal: options.signal,
  });

  // The tagline numbers every page of the call, the cover first: "Page 2 of 3". A rasteriser
  // needs the pages before its document and the call's total when it starts. A TIFF's count is
  // in the file, so TIFF documents are opened first; with several documents, a PDF or PostScript
  // one gets a first Ghostscript run that only counts (it reports the count before rendering).
  const files = typeof options.document === 'string' ? [options.document] : [...options.document];
  if (files.length === 0) throw new FaxJobError('bad-document', 'There is no document to send.');
  const documents: DocumentPages[] = [];
  const closeAll = async () => {
    for (const d of documents) await d?.close();
  };
  try {
    const tiffs = await Promise.all(files.map((f) => isTiff(f)));
    for (const [i, file] of files.entries()) if (tiffs[i]) documents[i] = await tiffPages(file);
    const counts: number[] = [];
    for (const [i, file] of files.entries()) {
      if (documents[i] || files.length === 1) {
        counts[i] = documents[i]?.count ?? 0;
        continue;
      }
      const counted = await rasterPages(file, rasterOptions(false));
      counts[i] = counted.count;
      await counted.close();
    }
    const all = counts.reduce((a, b) => a + b, 0);
    let before = coverPages;
    for (const [i, file] of files.entries()) {
      documents[i] ??= await rasterPages(
        file,
        rasterOptions(
          options.tagline && {
            ...options.tagline,
            pageNumberOffset: before,
            pageCountOffset: coverPages + (files.length > 1 ? all - counts[i]! : 0),
          },
        ),
      );
      before += documents[i].count;
    }
  } catch (e) {
    await closeAll();
    throw jobErrorOfRaster(e);
  }
  const total = coverPages + documents.reduce((n, d) => n + d.count, 0);

  let coverDir: string | undefined;
  let coverFile: string | undefined;
  try {
    if (options.cover) {
      coverDir = await mkdtemp(join(options.tmpdir ?? osTmpdir(), 'lpfax-cover-'));
      coverFile = join(coverDir, 'cover.ps');
      const postScript = await renderCoverPage(
        { ...options.cover.fields, pages: total },
        PAPER_POINTS[options.paper],
        options.cover.template,
      ).catch((e: unknown) => {
        throw new FaxJobError('config-error', `The cover page template cannot be used: ${String(e)}`, e);
      });
      await writeFile(coverFile, postScript, { encoding: 'latin1', mode: 0o644 });
    }
  } catch (e) {
    await closeAll();
    if (coverDir) await rm(coverDir, { recursive: true, force: true });
    throw e;
  }

  let failure: FaxJobError | undefined;
  let closed = false;
  return {
    totalPages: total,
    failure: () => failure,
    async close() {
      if (closed) return;
      closed = true;
      await closeAll();
      if (coverDir) await rm(coverDir, { recursive: true, force: true });
    },
    async *pagesFrom(first: number) {
      let number = 1;
      try {
        if (coverFile) {
          if (first <= 1) {
            const tagline = options.tagline && { ...options.tagline, pageCountOffset: total - 1 };
            for await (const page of rasterize(coverFile, rasterOptions(tagline))) yield page;
          }
          number++;
        }
        for (const [index, document] of documents.entries()) {
          for (let r = await document.pages.next(); !r.done; r = await document.pages.next(), number++) {
            if (number >= first) yield { ...r.value, document: index };
          }
        }
      } catch (e) {
        failure = jobErrorOfRaster(e);
        throw failure;
      }
    },
  };
}

/** The cover page and tagline a recipient's fax gets under these settings. */
export function coverAndTagline(
  settings: FaxSettings,
  recipient: JobRecipient,
  extra: { sender: string; subject?: string; comments?: string; tagline?: boolean; jobId?: number },
): Pick<FaxPagesOptions, 'cover' | 'tagline' | 'paper' | 'resolution'> {
  const { mode } = settings.coverPage;
  const wantCover = mode === 'on' || (mode === 'auto' && recipient.name !== undefined);
  return {
    paper: settings.page.paper,
    resolution: settings.page.resolution,
    tagline: extra.tagline !== false &&
      settings.tagline.enabled && {
        format: settings.tagline.format,
        senderName: extra.sender,
        stationNumber: settings.identity.faxNumber || settings.identity.stationId,
        organisation: settings.identity.organisation,
        localIdentifier: settings.identity.stationId,
        jobId: extra.jobId === undefined ? '' : String(extra.jobId),
        destination: recipient.number,
        recipientName: recipient.name,
      },
    cover: wantCover
      ? {
          template: settings.coverPage.template || undefined,
          fields: {
            toName: recipient.name ?? '',
            toNumber: recipient.number,
            fromName: extra.sender,
            fromOrganisation: settings.identity.organisation,
            fromFax: settings.identity.faxNumber,
            fromVoice: settings.identity.voiceNumber,
            date: new Date().toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short' }),
            subject: extra.subject ?? '',
            comments: extra.comments ?? '',
            notice: settings.coverPage.notice,
          },
        }
      : undefined,
  };
}
