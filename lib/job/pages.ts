/**
 * The pages of one recipient's fax: the cover page (lib/cover), then the documents (one call;
 * the engine ends each document with EOM and negotiates the next afresh). PDF and
 * PostScript are rasterised lazily by lib/raster, so dialling starts as soon as the page count is
 * known and a long document is never held in memory whole; TIFF fax files (TIFF-F, as `lpfax
 * render` writes them) are sent as they are.
 */
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';

import { tmpdir as osTmpdir } from 'node:os';

import { join } from 'node:path';

import { paperPoints, renderCoverPage, type CoverFields } from '../cover/cover.js';

import {
  isRasterError,
  rasterize,
  type PageNumbering,
  type RasterizeOptions,
  type TaglineOptions,
} from '../raster/index.js';
import { readTiff, type FaxPage } from '../t4/index.js';
import type { FaxSettings } from '../config/index.js';

import { FaxJobError } from './outcome.js';

import type { JobRecipient, PreparedFax } from './run.js';
import type { Paper, Resolution } from '../itu/page.js';

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

/**
 * The page plan of a fax: the cover page (or none), then every document with its page count, and
 * from those alone every page's number in the fax. Built once per job from the documents (a
 * TIFF's count is in the file; a PDF's or PostScript's comes from the one Ghostscript run that
 * renders it, which waits for its numbers before page 1) and asked for every number the fax
 * shows: the tagline's "page x/y", the cover's page count, where a retry resumes, PAGE: lines.
 */
export class PagePlan {
  private readonly counts: (number | undefined)[];
  private complete!: () => void;
  private readonly counted = new Promise<void>((resolve) => (this.complete = resolve));

  constructor(
    readonly documentCount: number,
    readonly cover: boolean,
  ) {
    this.counts = new Array<number | undefined>(documentCount).fill(undefined);
    if (documentCount === 0) this.complete();
  }

  /** A document's page count is known; resolves with its numbering once every count is. */
  async learn(document: number, count: number): Promise<PageNumbering> {
    const known = this.counts[document];
    if (known !== undefined && known !== count) {
      throw new FaxJobError('bad-document', `Document ${document + 1} changed while it was being sent.`);
    }
    this.counts[document] = count;
    if (this.counts.every((c) => c !== undefined)) this.complete();
    await this.counted;
    return { first: this.firstPageOf(document), total: this.totalPages };
  }

  get isComplete(): boolean {
    return this.counts.every((c) => c !== undefined);
  }

  private count(document: number): number {
    const count = this.counts[document];
    if (count === undefined) throw new Error(`page plan: document ${document + 1} is not counted yet`);
    return count;
  }

  /** The fax's page number (1-based) of the document's first page. */
  firstPageOf(document: number): number {
    let first = this.cover ? 2 : 1;
    for (let i = 0; i < document; i++) first += this.count(i);
    return first;
  }

  get totalPages(): number {
    return this.firstPageOf(this.documentCount) - 1;
  }

  /** Where a retried fax starts: the page after the last one the far end confirmed. */
  resumeAt(pagesConfirmed: number): number {
    return Math.min(pagesConfirmed + 1, this.totalPages);
  }
}

/** One document's pages, lazily. */
interface DocumentPages {
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

async function tiffPages(file: string): Promise<{ count: number; document: DocumentPages }> {
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
    document: { pages: { next: async () => iterator.next() }, close: async () => undefined },
  };
}

/**
 * Starts Ghostscript on a document. It counts the pages, reports the count to the plan, waits for
 * the plan's numbers (every document counted) and only then renders page 1.
 */
function rasterPages(
  file: string,
  options: RasterizeOptions,
  plan: PagePlan,
  document: number,
): { counted: Promise<void>; document: DocumentPages } {
  let reportCount!: () => void;
  const counted = new Promise<void>((resolve) => (reportCount = resolve));
  let numbers: Promise<PageNumbering> | undefined;
  const onPageCount = (count: number) => {
    numbers = plan.learn(document, count);
    numbers.catch(() => undefined);
    reportCount();
  };
  const numbering = () => numbers!;
  const generator = rasterize(file, { ...options, onPageCount, numbering });
  const first = generator.next();
  first.catch(() => undefined);
  let started = false;
  return {
    // Ghostscript fails before counting, or counts: either way the plan hears of it.
    counted: Promise.race([counted, first.then(() => undefined)]),
    document: {
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
    },
  };
}

export async function prepareFaxPages(options: FaxPagesOptions): Promise<PreparedFax<FaxPage>> {
  const rasterOptions = (tagline: TaglineOptions | false): RasterizeOptions => ({
    paper: options.paper,
    resolution: options.resolution,
    tagline,
    uid: options.uid,
    gid: options.gid,
    tmpdir: options.tmpdir,
    signal: options.signal,
  });

  // Every document is opened at once: a TIFF's count is in the file; Ghostscript counts a PDF's
  // (or PostScript's) pages in the run that renders it, and waits for the plan's numbers.
  const files = typeof options.document === 'string' ? [options.document] : [...options.document];
  if (files.length === 0) throw new FaxJobError('bad-document', 'There is no document to send.');
  const plan = new PagePlan(files.length, options.cover !== undefined);
  const documents: DocumentPages[] = [];
  const closeAll = async () => {
    for (const d of documents) await d?.close();
  };
  try {
    const tiffs = await Promise.all(files.map((f) => isTiff(f)));
    const counted: Promise<unknown>[] = [];
    for (const [i, file] of files.entries()) {
      if (tiffs[i]) {
        const tiff = await tiffPages(file);
        documents[i] = tiff.document;
        plan.learn(i, tiff.count).catch(() => undefined);
      } else {
        const raster = rasterPages(file, rasterOptions(options.tagline), plan, i);
        documents[i] = raster.document;
        counted.push(raster.counted);
      }
    }
    // Ghostscript may fail before it counts: then its error, not a plan that never completes.
    await Promise.all(counted);
  } catch (e) {
    await closeAll();
    throw jobErrorOfRaster(e);
  }
  const total = plan.totalPages;

  let coverDir: string | undefined;
  let coverFile: string | undefined;
  try {
    if (options.cover) {
      coverDir = await mkdtemp(join(options.tmpdir ?? osTmpdir(), 'lpfax-cover-'));
      coverFile = join(coverDir, 'cover.ps');
      const postScript = await renderCoverPage(
        { ...options.cover.fields, pages: total },
        paperPoints(options.paper),
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
    resumeAt: (pagesConfirmed) => plan.resumeAt(pagesConfirmed),
    failure: () => failure,
    async close() {
      if (closed) return;
      closed = true;
      await closeAll();
      if (coverDir) await rm(coverDir, { recursive: true, force: true });
    },
    async *pagesFrom(first: number) {
      try {
        if (coverFile && first <= 1) {
          const numbering = () => ({ first: 1, total });
          for await (const page of rasterize(coverFile, { ...rasterOptions(options.tagline), numbering })) {
            yield page;
          }
        }
        for (const [index, document] of documents.entries()) {
          let number = plan.firstPageOf(index);
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
  extra: {
    sender: string;
    subject?: string;
    comments?: string;
    tagline?: boolean;
    jobId?: number;
    /** The sender's organisation, when the job gives one (IPP cover-sheet-info). */
    organisation?: string;
    /** The job asks for a cover page (IPP cover-sheet-info): unless CoverPage is off. */
    asked?: boolean;
  },
): Pick<FaxPagesOptions, 'cover' | 'tagline' | 'paper' | 'resolution'> {
  const { mode } = settings.coverPage;
  const wantCover =
    mode === 'on' || (mode === 'auto' && (recipient.name !== undefined || extra.asked === true));
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
            fromOrganisation: extra.organisation || settings.identity.organisation,
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
