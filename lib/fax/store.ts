/**
 * The page store of a received fax: one call's pages as a TIFF Class F file and a PDF, written
 * page by page while the call goes on.
 *
 * Each page's coded data is decoded as it comes off the line (lib/t4 T4Decoder: MH/MR bad rows
 * replaced by the last good row and counted, the longest run of them kept) and the rows go
 * straight into lib/t4's T.6 (MMR) encoder, so no page bitmap is held. The MMR data is then both
 * the TIFF strip (Compression 4) and the PDF image (CCITTFaxDecode, K −1). Stored as MMR rather
 * than as received because the line data of a non-ECM page carries its errors, fill and RTC:
 * re-coded, every strip decodes row for row to ImageLength in any reader (CleanFaxData 1 says the
 * bad rows were regenerated; BadFaxLines and ConsecutiveBadFaxLines keep the count), one coding
 * serves both files, and it is the smallest of the three.
 *
 * Durability: the TIFF is the record. Each page is appended and synced, then linked into the
 * directory chain and synced again (TiffFBuilder), so once store() resolves the page is on disk
 * (issue 15: before MCF) and the file is a valid TIFF of the pages so far whatever happens next.
 * The PDF is for people; it is readable from close() on (its cross-reference table comes last).
 * Both files are created new (never over an existing file), mode 0600.
 */
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FAX_X_DPI, PdfWriter } from '../pdf/index.js';
import { REVERSED, type BitOrder } from '../itu/bit-order.js';
import { LINES_PER_INCH, type Coding, type Resolution } from '../itu/page.js';
import { checkBitmap, encodePage, T4Decoder, T4Encoder, T4Error, TiffFBuilder } from '../t4/index.js';
import type { DecodeSummary, FaxPage, PageEnd } from '../t4/index.js';
import { T85Decoder, T85Error } from '../t85/index.js';

export type ReceivedFaxStoreErrorKind =
  /** A file of that name is already there; nothing was overwritten. */
  | 'file-exists'
  /** The directory cannot be written (missing, permissions, disk full). */
  | 'write-failed'
  /** A call out of order: a page after close(), two pages open at once. */
  | 'bad-use';

export class ReceivedFaxStoreError extends Error {
  constructor(
    readonly kind: ReceivedFaxStoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ReceivedFaxStoreError';
  }
}

/** What the line said about a page: from DCS (T.30 §5.3.6.2.x bits) and the page data. */
export interface ReceivedPageFormat {
  coding: Coding;
  /** Pixels per row (1728 A4, 2048 B4, 2432 A3). */
  width: number;
  resolution: Resolution;
  /** Default 'lsb-first', as a Class 1 modem delivers it (T.31 §8.3.3). */
  bitOrder?: BitOrder;
  /** Page length limit in rows (lib/t4's default when absent). */
  maxRows?: number;
}

/** One stored page: what the call record and the copy-quality verdict need. */
export interface StoredPage {
  /** 1-based page number in the files. */
  page: number;
  width: number;
  rows: number;
  resolution: Resolution;
  /** The coding it arrived in (stored as MMR). */
  coding: Coding;
  badRows: number;
  longestBadRun: number;
  end: PageEnd;
  /** MMR octets stored for the page. */
  storedBytes: number;
}

export interface ReceivedFaxFiles {
  /** Paths of the files; absent when no page was stored (the files are then removed). */
  tiff?: string;
  pdf?: string;
  pages: StoredPage[];
}

export interface ReceivedFaxWriterOptions {
  /** TIFF Software and PDF Producer (default "lpfax"). */
  software?: string;
  /** PDF Title, e.g. "Fax from +1 555 0100". */
  title?: string;
}

export class ReceivedFaxWriter {
  private readonly tiff: TiffFBuilder;
  private readonly pdf: PdfWriter;
  private readonly stored: StoredPage[] = [];
  private open: ReceivedPage | undefined;
  /** Writes run one after another, in the order pages were stored. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** A write failed: the TIFF holds the pages stored before it (their link came after their data). */
  private failed = false;

  private constructor(
    readonly tiffPath: string,
    readonly pdfPath: string,
    private readonly tiffFile: FileHandle,
    private readonly pdfFile: FileHandle,
    options: ReceivedFaxWriterOptions,
  ) {
    this.tiff = new TiffFBuilder(options.software ?? 'lpfax');
    this.pdf = new PdfWriter({ producer: options.software ?? 'lpfax', title: options.title });
  }

  /** Creates `<baseName>.tif` and `<baseName>.pdf` in `dir` (which must exist), mode 0600. */
  static async open(
    dir: string,
    baseName: string,
    options: ReceivedFaxWriterOptions = {},
  ): Promise<ReceivedFaxWriter> {
    if (!/^[^/\0]+$/.test(baseName) || baseName === '.' || baseName === '..')
      throw new ReceivedFaxStoreError('bad-use', `bad file name ${JSON.stringify(baseName)}`);
    const tiffPath = join(dir, `${baseName}.tif`);
    const pdfPath = join(dir, `${baseName}.pdf`);
    const tiffFile = await create(tiffPath);
    let pdfFile: FileHandle;
    try {
      pdfFile = await create(pdfPath);
    } catch (e) {
      await tiffFile.close();
      await unlink(tiffPath).catch(() => undefined);
      throw e;
    }
    const w = new ReceivedFaxWriter(tiffPath, pdfPath, tiffFile, pdfFile, options);
    await w.io(async () => {
      await tiffFile.write(w.tiff.header(), 0, 8, 0);
      await tiffFile.sync();
      const start = w.pdf.start();
      await pdfFile.write(start, 0, start.length, 0);
    });
    return w;
  }

  /** Pages stored so far. */
  get pages(): readonly StoredPage[] {
    return this.stored;
  }

  /**
   * A page whose coded data is about to arrive: push() it as it comes, finish() for the
   * copy-quality facts, then store() or discard(). One page at a time.
   */
  beginPage(format: ReceivedPageFormat): ReceivedPage {
    if (this.closed) throw new ReceivedFaxStoreError('bad-use', 'page after close()');
    if (this.open && !this.open.done)
      throw new ReceivedFaxStoreError('bad-use', 'a page is already open (store or discard it first)');
    this.open = new ReceivedPage(this, format);
    return this.open;
  }

  /** A page received as one piece of coded data (e.g. an ECM page once complete). */
  async addCodedPage(format: ReceivedPageFormat, data: Uint8Array): Promise<StoredPage> {
    const page = this.beginPage(format);
    page.push(data);
    page.finish();
    return page.store();
  }

  /** A page already decoded (bad rows as counted by whoever decoded it). */
  async addPage(
    page: FaxPage,
    facts: { coding?: Coding; badRows?: number; longestBadRun?: number } = {},
  ): Promise<StoredPage> {
    if (this.closed) throw new ReceivedFaxStoreError('bad-use', 'page after close()');
    checkBitmap(page.bitmap);
    const mmr = encodePage(page.bitmap, { coding: 'mmr', bitOrder: 'msb-first', ecm: true });
    return this.write(
      { width: page.bitmap.width, resolution: page.resolution, coding: facts.coding ?? 'mmr' },
      {
        rows: page.bitmap.height,
        badRows: facts.badRows ?? 0,
        longestBadRun: facts.longestBadRun ?? 0,
        end: 'end-of-data',
      },
      mmr,
    );
  }

  /**
   * Ends the files: the page totals into every TIFF directory, the PDF's page tree and
   * cross-reference table, both synced and closed. With no page stored, both files are removed.
   */
  async close(): Promise<ReceivedFaxFiles> {
    if (this.closed) throw new ReceivedFaxStoreError('bad-use', 'close() twice');
    this.closed = true;
    try {
      await this.io(async () => {
        if (this.stored.length > 0 && !this.failed) {
          for (const t of this.tiff.totals()) await this.tiffFile.write(t.bytes, 0, t.bytes.length, t.at);
          await this.tiffFile.sync();
          const end = this.pdf.finish();
          await this.pdfFile.write(end, 0, end.length, this.pdf.size - end.length);
          await this.pdfFile.sync();
        }
      });
    } finally {
      await this.tiffFile.close().catch(() => undefined);
      await this.pdfFile.close().catch(() => undefined);
    }
    if (this.stored.length === 0) {
      await unlink(this.tiffPath).catch(() => undefined);
      await unlink(this.pdfPath).catch(() => undefined);
      return { pages: [] };
    }
    // After a failed write the PDF has no cross-reference table; the TIFF still has every stored page.
    if (this.failed) return { tiff: this.tiffPath, pages: [...this.stored] };
    return { tiff: this.tiffPath, pdf: this.pdfPath, pages: [...this.stored] };
  }

  /** Appends one page to both files (internal: ReceivedPage.store, addPage). */
  write(
    format: { width: number; resolution: Resolution; coding: Coding },
    summary: DecodeSummary,
    mmr: Uint8Array,
  ): Promise<StoredPage> {
    if (this.closed) return Promise.reject(new ReceivedFaxStoreError('bad-use', 'page after close()'));
    if (this.failed)
      return Promise.reject(
        new ReceivedFaxStoreError('write-failed', 'an earlier page could not be written'),
      );
    const number = this.tiff.pages + 1;
    const stored: StoredPage = {
      page: number,
      width: format.width,
      rows: summary.rows,
      resolution: format.resolution,
      coding: format.coding,
      badRows: summary.badRows,
      longestBadRun: summary.longestBadRun,
      end: summary.end,
      storedBytes: mmr.length,
    };
    const tiffPart = this.tiff.addPage({
      width: format.width,
      height: summary.rows,
      resolution: format.resolution,
      coding: 'mmr',
      strip: mmr,
      badRows: summary.badRows,
      longestBadRun: summary.longestBadRun,
      regenerated: true,
    });
    const pdfPart = this.pdf.addPage({
      width: format.width,
      height: summary.rows,
      xDpi: FAX_X_DPI,
      yDpi: LINES_PER_INCH[format.resolution],
      mmr,
    });
    const pdfAt = this.pdf.size - pdfPart.length;
    return this.io(async () => {
      // Data first, then the link that makes it part of the file: never a link to unwritten bytes.
      await this.tiffFile.write(tiffPart.bytes, 0, tiffPart.bytes.length, tiffPart.at);
      await this.tiffFile.sync();
      await this.tiffFile.write(tiffPart.link.bytes, 0, 4, tiffPart.link.at);
      await this.tiffFile.sync();
      this.stored.push(stored);
      await this.pdfFile.write(pdfPart, 0, pdfPart.length, pdfAt);
      return stored;
    }).catch((e: unknown) => {
      this.failed = true;
      throw e;
    });
  }

  /** Runs file work after what is queued; I/O failures become 'write-failed'. */
  private io<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work).catch((e: unknown) => {
      if (e instanceof ReceivedFaxStoreError) throw e;
      throw new ReceivedFaxStoreError('write-failed', `cannot write the received fax: ${errorText(e)}`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * One page being received: decoded as the data arrives, its rows coded MMR at once. An MMR page
 * that does not decode (with ECM it arrives error-free, so the sender coded it wrong) or a page
 * longer than maxRows stops decoding there: the rows before the break are the page, and `error`
 * says why (push() does not throw for it, so the line is never left mid-receive).
 */
/**
 * A T.85 page behind T4Decoder's face: the BIE's octets come as they are in the ECM frames, least
 * significant bit first on the line (so 'lsb-first' octets, as a Class 1 modem delivers them, are
 * the BIE and 'msb-first' ones are reversed), rows go out stripe by stripe, there are no bad rows
 * (ECM), and the page has ended once its height (BIH, or NEWLEN) is reached.
 */
class T85PageDecoder {
  private readonly decoder: T85Decoder;
  readonly badRows = 0;
  readonly longestBadRun = 0;

  constructor(
    width: number,
    maxRows: number | undefined,
    onRow: (row: Uint8Array) => void,
    private readonly reverse: boolean,
  ) {
    this.decoder = new T85Decoder({ width, maxRows, onRow, keepBitmap: false });
  }
  get rows(): number {
    return this.decoder.rows;
  }
  get pageEnd(): PageEnd | undefined {
    return this.decoder.done ? 'height' : undefined;
  }
  push(chunk: Uint8Array): void {
    this.decoder.push(this.reverse ? chunk.map((b) => REVERSED[b]) : chunk);
  }
  finish(): DecodeSummary {
    this.decoder.finish();
    return { rows: this.rows, badRows: 0, longestBadRun: 0, end: 'height' };
  }
}

export class ReceivedPage {
  private decoder: T4Decoder | T85PageDecoder;
  private encoder: T4Encoder;
  private summary: DecodeSummary | undefined;
  private mmr: Uint8Array | undefined;
  /** Why decoding stopped before the data ended (a T.6 coding error, a page too long). */
  error: string | undefined;
  /** Stored or discarded. */
  done = false;

  constructor(
    private readonly writer: ReceivedFaxWriter,
    readonly format: ReceivedPageFormat,
  ) {
    const encoder = new T4Encoder(format.width, { coding: 'mmr', bitOrder: 'msb-first', ecm: true });
    this.encoder = encoder;
    const coding = format.coding;
    if (coding === 't85' || coding === 't85-l0') {
      this.decoder = new T85PageDecoder(
        format.width,
        format.maxRows,
        (row) => encoder.encodeRow(row),
        format.bitOrder === 'msb-first',
      );
      return;
    }
    this.decoder = new T4Decoder({
      coding,
      width: format.width,
      bitOrder: format.bitOrder ?? 'lsb-first',
      maxRows: format.maxRows,
      keepBitmap: false,
      onRow: (row) => encoder.encodeRow(row),
    });
  }

  /** Rows so far, bad ones included; bad rows so far; the longest run of them. */
  get rows(): number {
    return this.decoder.rows;
  }
  get badRows(): number {
    return this.decoder.badRows;
  }
  get longestBadRun(): number {
    return this.decoder.longestBadRun;
  }
  /** RTC or EOFB has been seen: the page data is complete (later octets are ignored). */
  get ended(): boolean {
    return this.decoder.pageEnd !== undefined;
  }

  /** The next octets of the page as they came off the line, in any pieces. */
  push(chunk: Uint8Array): void {
    if (this.summary) throw new ReceivedFaxStoreError('bad-use', 'page data after finish()');
    if (this.error) return;
    try {
      this.decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof T4Error) && !(e instanceof T85Error)) throw e;
      this.error = e.message;
    }
  }

  /** The data is all in: the copy-quality facts (rows, bad rows, longest run, how it ended). */
  finish(): DecodeSummary {
    if (!this.summary) {
      if (!this.error) {
        try {
          this.summary = this.decoder.finish();
        } catch (e) {
          if (!(e instanceof T4Error) && !(e instanceof T85Error)) throw e;
          this.error = e.message;
        }
      }
      const d = this.decoder;
      this.summary ??= {
        rows: d.rows,
        badRows: d.badRows,
        longestBadRun: d.longestBadRun,
        end: 'end-of-data',
      };
      this.mmr = this.encoder.finish();
    }
    return this.summary;
  }

  /** Writes the page into both files; resolves when the TIFF holding it is on disk. */
  store(): Promise<StoredPage> {
    const summary = this.finish();
    if (this.done) return Promise.reject(new ReceivedFaxStoreError('bad-use', 'page stored or discarded'));
    this.done = true;
    const mmr = this.mmr!;
    this.mmr = undefined;
    return this.writer.write(this.format, summary, mmr);
  }

  /** Drops the page (e.g. after RTN the sender may send it again). */
  discard(): void {
    this.done = true;
    this.mmr = undefined;
  }
}

async function create(path: string): Promise<FileHandle> {
  try {
    const fh = await open(path, 'wx', 0o600);
    await fh.chmod(0o600); // whatever the umask
    return fh;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ReceivedFaxStoreError('file-exists', `${path} already exists`);
    throw new ReceivedFaxStoreError('write-failed', `cannot create ${path}: ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
