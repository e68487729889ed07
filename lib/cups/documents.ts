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
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const HEADER = Buffer.from('%PDF-', 'latin1');
const EOF_MARK = Buffer.from('%%EOF', 'latin1');
const isLineEndOrBlank = (b: number) => b === 0x0d || b === 0x0a || b === 0x20;

/** How many of the last bytes are the beginning of a %%EOF cut by the chunk's end. */
function markerBegun(hay: Buffer): number {
  for (let n = Math.min(EOF_MARK.length - 1, hay.length); n > 0; n--) {
    if (hay.subarray(hay.length - n).equals(EOF_MARK.subarray(0, n))) return n;
  }
  return 0;
}

/**
 * Finds, chunk by chunk, the offsets where a new PDF starts after an earlier one's %%EOF (the
 * first PDF starts at 0; a stream that does not start with %PDF- has none). It keeps at most the
 * few bytes of a marker cut by a chunk's end, so a job of any size is scanned in bounded memory.
 */
export class PdfStartScanner {
  readonly starts: number[] = [];
  /** How many bytes were pushed: the stream offset of the next byte. */
  offset = 0;
  private pdf: boolean | undefined;
  private head = Buffer.alloc(0);
  /** Bytes of the previous chunk still to look at again: part of a marker, or a header begun. */
  private tail = Buffer.alloc(0);
  private state: 'eof' | 'blank' | 'header' = 'eof';

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const chunkStart = this.offset;
    this.offset += bytes.length;
    if (this.pdf === undefined) {
      this.head = Buffer.concat([this.head, bytes.subarray(0, HEADER.length - this.head.length)]);
      if (this.head.length < HEADER.length) return;
      this.pdf = this.head.equals(HEADER);
      if (this.pdf) this.starts.push(0);
    }
    if (!this.pdf) return;
    const base = chunkStart - this.tail.length; // stream offset of hay[0]
    const hay = this.tail.length > 0 ? Buffer.concat([this.tail, bytes]) : bytes;
    let i = 0;
    let headerAt = 0;
    for (;;) {
      if (this.state === 'eof') {
        const eof = hay.indexOf(EOF_MARK, i);
        if (eof < 0) {
          this.tail = Buffer.from(hay.subarray(Math.max(i, hay.length - markerBegun(hay))));
          return;
        }
        i = eof + EOF_MARK.length;
        this.state = 'blank';
      }
      if (this.state === 'blank') {
        // End-of-line and padding a writer may put after %%EOF.
        while (i < hay.length && isLineEndOrBlank(hay[i])) i++;
        if (i === hay.length) {
          this.tail = Buffer.alloc(0);
          return;
        }
        this.state = 'header';
        headerAt = i;
      }
      // 'header': does a PDF header follow? (A header begun in the last chunk is in the tail.)
      let matched = 0;
      while (
        matched < HEADER.length &&
        headerAt + matched < hay.length &&
        hay[headerAt + matched] === HEADER[matched]
      )
        matched++;
      if (matched === HEADER.length) {
        this.starts.push(base + headerAt);
        i = headerAt + HEADER.length;
        this.state = 'eof';
      } else if (headerAt + matched === hay.length) {
        this.tail = Buffer.from(hay.subarray(headerAt)); // look again with the next chunk
        return;
      } else {
        i = headerAt; // not a header: go on looking for %%EOF from here
        this.state = 'eof';
      }
    }
  }
}

/** Offsets where a new PDF starts after an earlier one's %%EOF (the first PDF starts at 0). */
export function pdfStarts(data: Uint8Array): number[] {
  const scanner = new PdfStartScanner();
  scanner.push(data);
  return scanner.starts;
}

/**
 * The documents in a spooled job file: the file itself, or, when it holds several PDFs one
 * after the other, each of them written to `dir` as document-N.pdf (mode 0644, as the file).
 * The file is read twice, a chunk at a time (once to find the documents, once to copy each one
 * out), so memory stays small whatever the size of the job.
 */
export async function splitJobDocuments(file: string, dir: string): Promise<string[]> {
  // One buffer, reused for every read and write: no chunk outlives its turn, so memory stays flat.
  const buffer = Buffer.alloc(CHUNK_BYTES);
  const job = await open(file, 'r');
  try {
    const scanner = new PdfStartScanner();
    for (;;) {
      const { bytesRead } = await job.read(buffer, 0, buffer.length, scanner.offset);
      if (bytesRead === 0) break;
      scanner.push(buffer.subarray(0, bytesRead));
      if (scanner.starts.length === 0 && scanner.offset >= HEADER.length) return [file]; // not a PDF
    }
    const starts = scanner.starts;
    if (starts.length < 2) return [file];
    const parts: string[] = [];
    for (const [i, start] of starts.entries()) {
      const part = join(dir, `document-${i + 1}.pdf`);
      await copyRange(job, start, starts[i + 1] ?? scanner.offset, part, buffer);
      parts.push(part);
    }
    return parts;
  } finally {
    await job.close();
  }
}

const CHUNK_BYTES = 256 * 1024;

/** Copies bytes [start, end) of the job into a new file (mode 0644, as the job file). */
async function copyRange(
  job: FileHandle,
  start: number,
  end: number,
  file: string,
  buffer: Buffer,
): Promise<void> {
  const out = await open(file, 'w', 0o644);
  try {
    for (let at = start; at < end;) {
      const { bytesRead } = await job.read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) throw new Error(`${file}: the job file ended early`);
      await out.write(buffer, 0, bytesRead);
      at += bytesRead;
    }
  } finally {
    await out.close();
  }
}
