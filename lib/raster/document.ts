/**
 * Bringing a document into the private work folder as a PDF, and counting PDF pages.
 *
 * Ghostscript only ever reads copies inside the work folder: fixed, harmless names; readable by the
 * unprivileged user Ghostscript runs as, whatever the original's permissions (a CUPS spool file is
 * readable by root only). PostScript is converted to PDF first (pdfwrite): only a PDF's page count
 * is known without rendering it, and "Page P of T" needs T on page 1.
 */
import { open, copyFile, chown, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RasterError } from './errors.js';
import { runGhostscript, SAFE_ARGS, type GhostscriptOptions } from './ghostscript.js';

export type DocumentFormat = 'pdf' | 'postscript';

/**
 * How far into the file we look for the PDF header (PDF 32000-1 §7.5.2 puts it on the first line;
 * readers conventionally accept it within the first 1024 bytes), and for %%EOF at the end.
 */
const SNIFF_BYTES = 1024;

/** Decide from the first bytes whether this is PDF or PostScript; anything else is unreadable. */
export async function sniffFormat(file: string): Promise<DocumentFormat> {
  let head: Buffer;
  let tail: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      head = await readAt(handle, 0, SNIFF_BYTES);
      tail = await readAt(handle, Math.max(0, size - SNIFF_BYTES), SNIFF_BYTES);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new RasterError('unreadable', `The document file could not be opened (${code}).`);
  }
  if (head.length === 0) throw new RasterError('empty', 'The document is empty.');
  const text = head.toString('latin1');
  // PostScript starts with %! (DSC); a PJL job header (UEL, @PJL lines) may come first.
  const psAt = text.indexOf('%!');
  const pdfAt = text.indexOf('%PDF-');
  if (pdfAt >= 0 && (psAt < 0 || pdfAt < psAt)) {
    // A PDF's last line is %%EOF (PDF 32000-1 §7.5.5). Without it the file was cut off, and
    // Ghostscript would "repair" it and fax what is left, silently.
    if (!tail.toString('latin1').includes('%%EOF')) {
      throw new RasterError('unreadable', 'The PDF document is truncated (it has no end-of-file marker).');
    }
    return 'pdf';
  }
  const jobHeader = text.startsWith('\x1b%-12345X') || text.startsWith('@PJL') || text.startsWith('\x04');
  if (psAt === 0 || (psAt > 0 && jobHeader)) return 'postscript';
  if (head.subarray(0, 4).equals(Buffer.from([0xc5, 0xd0, 0xd3, 0xc6]))) return 'postscript'; // DOS EPS
  if (text.trim() === '') throw new RasterError('empty', 'The document contains only blank space.');
  throw new RasterError('unreadable', 'The document is neither PDF nor PostScript.');
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * When the device is closed, EndPage runs with reason 2 and the number of showpages so far
 * (PLRM 3 §6.2.6); print it on stdout (ours, a pipe). A document that installs its own EndPage
 * replaces this one: then the PDF's own count is all we know.
 */
const COUNT_SHOWPAGES_PS = `<< /EndPage {
  dup 2 eq { 1 index (%%[LpfaxShowpages: ) print =only ( ]%%) = flush } if
  exch pop 2 ne
} bind >> setpagedevice
`;

export interface PreparedDocument {
  /** The PDF to render, inside the work folder. */
  readonly pdf: string;
  readonly format: DocumentFormat;
}

export interface PrepareOptions extends Omit<GhostscriptOptions, 'step' | 'cwd'> {
  /** The private work folder (owned by the Ghostscript user). */
  readonly workdir: string;
  /** Ghostscript's name for the default paper of PostScript that does not choose one. */
  readonly defaultPaperName: string;
}

/**
 * Copy the document into the work folder and convert PostScript to PDF. The PDF's pages are counted
 * by the rendering run itself (PAGE_COUNT_PS), which saves starting Ghostscript once more.
 */
export async function prepareDocument(file: string, options: PrepareOptions): Promise<PreparedDocument> {
  const format = await sniffFormat(file);
  const gs = { ...options, cwd: options.workdir };
  const copy = path.join(options.workdir, format === 'pdf' ? 'document.pdf' : 'document.ps');
  await copyFile(file, copy);
  await giveTo(copy, options);

  let pdf = copy;
  if (format === 'postscript') {
    pdf = path.join(options.workdir, 'converted.pdf');
    // pdfwrite writes a blank page for a job that never calls showpage: count showpages ourselves.
    const counter = path.join(options.workdir, 'count-showpages.ps');
    await writeFile(counter, COUNT_SHOWPAGES_PS);
    await giveTo(counter, options);
    const stdout = await runGhostscript(
      [
        ...SAFE_ARGS,
        '-sDEVICE=pdfwrite',
        `-sPAPERSIZE=${options.defaultPaperName}`,
        `-sOutputFile=${pdf}`,
        counter,
        copy,
      ],
      { ...gs, step: 'converting PostScript to PDF' },
    );
    const showpages = [...stdout.matchAll(/%%\[LpfaxShowpages: (\d+) \]%%/g)].pop()?.[1];
    const size = await stat(pdf).then(
      (s) => s.size,
      () => 0,
    );
    if (showpages === '0' || size === 0)
      throw new RasterError('empty', 'The PostScript document has no pages.');
  }
  return { pdf, format };
}

/**
 * Ghostscript arguments that count the pages of `pdf` from its page tree, without rendering, and
 * leave the count on the operand stack: the PDF interpreter's `runpdfbegin` and `pdfpagecount`, with
 * reading permitted for this one file only (-dSAFER stays on). `then` is PostScript run next.
 */
export function pageCountArgs(pdf: string, then: string): string[] {
  return [
    `--permit-file-read=${pdf}`,
    `-sLpfaxFile=${pdf}`,
    '-c',
    `LpfaxFile (r) file runpdfbegin pdfpagecount runpdfend ${then}`,
  ];
}

/** The page count of a PDF, on its own (rasterize counts in its rendering run). */
export async function countPdfPages(pdf: string, options: Omit<GhostscriptOptions, 'step'>): Promise<number> {
  const stdout = await runGhostscript(
    [...SAFE_ARGS, '-dNODISPLAY', '-dPDFSTOPONERROR', ...pageCountArgs(pdf, '= quit')],
    { ...options, step: 'counting the pages' },
  );
  const match = /(\d+)\s*$/.exec(stdout);
  if (!match) {
    throw new RasterError(
      'unreadable',
      'The document could not be read: its pages could not be counted.',
      stdout,
    );
  }
  return Number(match[1]);
}

async function giveTo(file: string, owner: { uid?: number; gid?: number }): Promise<void> {
  if (owner.uid !== undefined || owner.gid !== undefined) {
    await chown(file, owner.uid ?? -1, owner.gid ?? -1);
  }
}
