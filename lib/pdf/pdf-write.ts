/**
 * PDF (ISO 32000-1) of fax pages, with no dependency: each page is one bilevel image XObject whose
 * stream is the page's T.6 (MMR) data as it is, under the CCITTFaxDecode filter (§7.4.6, K −1 =
 * pure two-dimensional coding, BlackIs1 false: a 0 sample is black, as DeviceGray draws it), drawn
 * over the whole page. The page size comes from the fax resolution: 1728 pixels at 204 dpi are
 * 609.9 pt (215 mm) wide; the height is rows ÷ lines per inch.
 *
 * Written a page at a time (sans-I/O: the caller appends the bytes each step returns): start()
 * gives the header and catalog, addPage() a page's image, content and page objects, finish() the
 * page tree, the cross-reference table (§7.5.4) and the trailer. Nothing of a page is kept
 * after addPage() but its object numbers and offsets.
 */

import { concatBytes as concat } from '../itu/bytes.js';

export interface PdfFaxPage {
  /** Pixels per row and rows. */
  width: number;
  height: number;
  /** Horizontal and vertical dots per inch (204 × 98/196/391 for fax). */
  xDpi: number;
  yDpi: number;
  /** The page coded T.6 (MMR), most significant bit first, EOFB at the end. */
  mmr: Uint8Array;
}

export interface PdfWriterOptions {
  /** The document information dictionary's Producer and Title (§14.3.3). */
  producer?: string;
  title?: string;
}

/** Misuse of the writer (pages out of order, impossible sizes): a programming error with a kind. */
export class PdfError extends Error {
  readonly kind = 'bad-options';
  constructor(message: string) {
    super(message);
    this.name = 'PdfError';
  }
}

const CATALOG = 1;
const PAGES = 2;

export class PdfWriter {
  private offset = 0;
  /** Byte offset of each object, by object number − 1. */
  private readonly offsets: number[] = [];
  private readonly pageObjects: number[] = [];
  private started = false;
  private finished = false;

  constructor(private readonly options: PdfWriterOptions = {}) {}

  /** Bytes written so far. */
  get size(): number {
    return this.offset;
  }

  get pages(): number {
    return this.pageObjects.length;
  }

  /** The header (a comment of high octets marks the file binary, §7.5.2) and the catalog. */
  start(): Uint8Array {
    if (this.started) throw new PdfError('PdfWriter: start() twice');
    this.started = true;
    const parts: Uint8Array[] = [latin1('%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n')];
    this.offset = parts[0].length;
    parts.push(this.object(CATALOG, `<< /Type /Catalog /Pages ${PAGES} 0 R >>`));
    return concat(parts);
  }

  /** One page: its image XObject, content stream and page object. */
  addPage(page: PdfFaxPage): Uint8Array {
    if (!this.started || this.finished) throw new PdfError('PdfWriter: addPage() outside start()…finish()');
    const { width, height, xDpi, yDpi } = page;
    if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height >= 0))
      throw new PdfError(`PdfWriter: bad page size ${width}×${height}`);
    if (!(xDpi > 0 && yDpi > 0)) throw new PdfError(`PdfWriter: bad resolution ${xDpi}×${yDpi}`);
    const w = num((width * 72) / xDpi);
    const h = num((Math.max(height, 1) * 72) / yDpi);
    const image = this.nextObject();
    const parts: Uint8Array[] = [];
    let content = '';
    if (height > 0) {
      parts.push(
        this.stream(
          image,
          '/Type /XObject /Subtype /Image ' +
            `/Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 1 ` +
            `/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${width} /Rows ${height} /BlackIs1 false >>`,
          page.mmr,
        ),
      );
      content = `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q\n`; // the image fills the page (§8.9.4: unit square)
    } else {
      parts.push(this.object(image, 'null'));
    }
    const contents = this.nextObject();
    parts.push(this.stream(contents, '', latin1(content)));
    const pageObject = this.nextObject();
    parts.push(
      this.object(
        pageObject,
        `<< /Type /Page /Parent ${PAGES} 0 R /MediaBox [0 0 ${w} ${h}] ` +
          `/Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${contents} 0 R >>`,
      ),
    );
    this.pageObjects.push(pageObject);
    return concat(parts);
  }

  /** The page tree, document information, cross-reference table and trailer. */
  finish(): Uint8Array {
    if (!this.started || this.finished) throw new PdfError('PdfWriter: finish() outside start()…');
    this.finished = true;
    const parts: Uint8Array[] = [];
    const kids = this.pageObjects.map((n) => `${n} 0 R`).join(' ');
    parts.push(this.object(PAGES, `<< /Type /Pages /Kids [${kids}] /Count ${this.pageObjects.length} >>`));
    const info = this.nextObject();
    const entries = [`/Producer ${text(this.options.producer ?? 'lpfax')}`];
    if (this.options.title !== undefined) entries.push(`/Title ${text(this.options.title)}`);
    parts.push(this.object(info, `<< ${entries.join(' ')} >>`));
    const xrefAt = this.offset;
    // §7.5.4: entries of exactly 20 octets, the free head of the list first.
    let xref = `xref\n0 ${this.offsets.length + 1}\n0000000000 65535 f\r\n`;
    for (const at of this.offsets) xref += `${String(at).padStart(10, '0')} 00000 n\r\n`;
    xref +=
      `trailer\n<< /Size ${this.offsets.length + 1} /Root ${CATALOG} 0 R /Info ${info} 0 R >>\n` +
      `startxref\n${xrefAt}\n%%EOF\n`;
    parts.push(latin1(xref));
    this.offset += parts[parts.length - 1].length;
    return concat(parts);
  }

  private nextObject(): number {
    // Object 2 (the page tree) is written last; its number is reserved from the start.
    const n = Math.max(this.offsets.length + 1, PAGES + 1);
    while (this.offsets.length < n) this.offsets.push(-1);
    return n;
  }

  private object(n: number, body: string): Uint8Array {
    while (this.offsets.length < n) this.offsets.push(-1);
    this.offsets[n - 1] = this.offset;
    const bytes = latin1(`${n} 0 obj\n${body}\nendobj\n`);
    this.offset += bytes.length;
    return bytes;
  }

  private stream(n: number, dict: string, data: Uint8Array): Uint8Array {
    while (this.offsets.length < n) this.offsets.push(-1);
    this.offsets[n - 1] = this.offset;
    const head = latin1(`${n} 0 obj\n<< ${dict}${dict ? ' ' : ''}/Length ${data.length} >>\nstream\n`);
    const tail = latin1('\nendstream\nendobj\n');
    const bytes = concat([head, data, tail]);
    this.offset += bytes.length;
    return bytes;
  }
}

/**
 * A page dimension for PDF: four decimals, no exponent, rounded down so that a reader rendering
 * at the fax resolution gets exactly the page's pixels (poppler rounds the pixel size up).
 */
function num(x: number): string {
  return String(Math.floor(x * 10000 + 1e-6) / 10000);
}

/** A text string (§7.9.2.2): UTF-16BE with its byte order mark, as a hexadecimal string. */
function text(s: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

function latin1(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}
