/**
 * A multi-file CUPS job reaches the backend as one stream of PDFs (see lib/cups/documents.ts);
 * the backend cuts it back into its documents. Real PDFs from Ghostscript's ps2pdf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PdfStartScanner, pdfStarts, splitJobDocuments } from '../../lib/cups/documents.js';

let dir: string;
const pdf = (name: string, text: string) => {
  const ps = join(dir, `${name}.ps`);
  writeFileSync(ps, `%!PS\n/Helvetica findfont 20 scalefont setfont 72 700 moveto (${text}) show showpage\n`);
  execFileSync('ps2pdf', [ps, join(dir, `${name}.pdf`)]);
  return readFileSync(join(dir, `${name}.pdf`));
};

beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lpfax-docs-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('splitJobDocuments', () => {
  it('cuts two PDFs one after the other into two files equal to them', async () => {
    const a = pdf('a', 'Document A');
    const b = pdf('b', 'Document B');
    const job = join(dir, 'job');
    writeFileSync(job, Buffer.concat([a, b]));
    const parts = await splitJobDocuments(job, dir);
    expect(parts).toHaveLength(2);
    expect(readFileSync(parts[0]).equals(a)).toBe(true);
    expect(readFileSync(parts[1]).equals(b)).toBe(true);
  });

  it('leaves a single PDF, and PostScript, as they are', async () => {
    const single = join(dir, 'single.pdf');
    writeFileSync(single, pdf('c', 'Only'));
    expect(await splitJobDocuments(single, dir)).toEqual([single]);
    const ps = join(dir, 'two.ps');
    writeFileSync(ps, '%!PS\nshowpage\n%%EOF\n%!PS\nshowpage\n%%EOF\n');
    expect(await splitJobDocuments(ps, dir)).toEqual([ps]);
  });
});

describe('pdfStarts', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');
  it('finds a header after %%EOF and its end of line, not %%EOF inside a document', () => {
    expect(pdfStarts(bytes('%PDF-1.4\nx\n%%EOF\n%PDF-1.7\ny\n%%EOF\r\n'))).toEqual([0, 17]);
    // An incremental update: %%EOF, more objects, %%EOF; still one document.
    expect(pdfStarts(bytes('%PDF-1.4\nx\n%%EOF\n1 0 obj\n%%EOF\n'))).toEqual([0]);
    expect(pdfStarts(bytes('%!PS\n'))).toEqual([]);
  });
});

describe('PdfStartScanner', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');
  const inputs = [
    '%PDF-1.4\nx\n%%EOF\n%PDF-1.7\ny\n%%EOF\r\n',
    '%PDF-1.4\nx\n%%EOF\n1 0 obj\n%%EOF\n',
    '%PDF-1.4\n%%EOF\n%%EOF \r\n %PDF-1.5\n%%EOF%PDF-1.6\n%%EOF\n%PDF',
    '%PDF-1.4\n%%EOF\n%P%%EOF\n%PDF-1.3',
    '%!PS\n%%EOF\n%PDF-1.4\n',
  ];
  it('finds the same starts whatever the chunks, even one byte at a time', () => {
    expect(pdfStarts(bytes(inputs[2]))).toEqual([0, 24, 38]);
    expect(pdfStarts(bytes(inputs[3]))).toEqual([0, 23]);
    for (const input of inputs) {
      const whole = pdfStarts(bytes(input));
      for (const size of [1, 2, 3, 5, 7]) {
        const scanner = new PdfStartScanner();
        for (let at = 0; at < input.length; at += size) scanner.push(bytes(input.slice(at, at + size)));
        expect(scanner.starts).toEqual(whole);
      }
    }
  });
});
