/**
 * The documents of a CUPS job as the backend receives them. cupsd runs one filter chain per file
 * of a job and pipes every chain's output, one after the other, into the same backend run
 * (`lp -d Fax a.pdf b.pdf`: one backend, stdin = pdftopdf's PDF of a.pdf, then b.pdf's). Read as
 * one PDF that stream shows only its last document (a PDF reader starts from the last xref), so
 * every document before it would be lost without a word. Here the stream is cut back into its
 * PDFs: each of pdftopdf's ends with "%%EOF" and the next begins with "%PDF-" (ISO 32000-1
 * §7.5.2 header, §7.5.5 trailer). PostScript streams need no cutting: a PostScript interpreter
 * runs concatenated jobs in turn.
 */
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const HEADER = Buffer.from('%PDF-', 'latin1');
const EOF_MARK = Buffer.from('%%EOF', 'latin1');

/** Offsets where a new PDF starts after an earlier one's %%EOF (the first PDF starts at 0). */
export function pdfStarts(data: Uint8Array): number[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!buf.subarray(0, HEADER.length).equals(HEADER)) return [];
  const starts = [0];
  let at = 0;
  for (;;) {
    const eof = buf.indexOf(EOF_MARK, at);
    if (eof < 0) return starts;
    let next = eof + EOF_MARK.length;
    // End-of-line and padding a writer may put after %%EOF.
    while (next < buf.length && (buf[next] === 0x0d || buf[next] === 0x0a || buf[next] === 0x20)) next++;
    if (buf.subarray(next, next + HEADER.length).equals(HEADER)) starts.push(next);
    at = eof + EOF_MARK.length;
  }
}

async function startsWithPdf(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEADER.length), 0, HEADER.length, 0);
    return buffer.subarray(0, bytesRead).equals(HEADER);
  } finally {
    await handle.close();
  }
}

/**
 * The documents in a spooled job file: the file itself, or, when it holds several PDFs one
 * after the other, each of them written to `dir` as document-N.pdf (mode 0644, as the file).
 */
export async function splitJobDocuments(file: string, dir: string): Promise<string[]> {
  if (!(await startsWithPdf(file))) return [file];
  const data = await readFile(file);
  const starts = pdfStarts(data);
  if (starts.length < 2) return [file];
  const parts: string[] = [];
  for (const [i, start] of starts.entries()) {
    const part = join(dir, `document-${i + 1}.pdf`);
    await writeFile(part, data.subarray(start, starts[i + 1] ?? data.length), { mode: 0o644 });
    parts.push(part);
  }
  return parts;
}
