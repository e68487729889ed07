/** The transmission report, drawn by Ghostscript and read back by poppler (pdftotext, pdfimages). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FaxArchive } from '../../lib/archive/index.js';
import {
  fillTemplate,
  psText,
  transmissionFactsOf,
  writeTransmissionReport,
  type TransmissionFacts,
} from '../../lib/report/index.js';

let dir: string;
let firstPage: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-report-'));
  firstPage = join(dir, 'page1.tif');
  // A real fax page (TIFF G3, standard resolution): a black block in the top half, text below.
  execFileSync('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-dSAFER',
    '-sDEVICE=tiffg3',
    '-r204x98',
    '-sPAPERSIZE=a4',
    `-sOutputFile=${firstPage}`,
    '-c',
    '72 500 450 250 rectfill /Helvetica findfont 48 scalefont setfont 72 300 moveto (INVOICE) show showpage',
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const facts: TransmissionFacts = {
  jobId: 42,
  user: 'ann',
  recipientName: 'Dr. ) showpage (pwned) show quit <41> %!',
  number: '+1 555 0199',
  remoteCsi: '+1 555 0199 ACME',
  startedAt: new Date(Date.UTC(2026, 11, 7, 9, 30, 5)),
  finishedAt: new Date(Date.UTC(2026, 11, 7, 9, 31, 17)),
  durationSeconds: 72.4,
  pages: 3,
  pagesConfirmed: 2,
  bitRate: 14400,
  coding: 'MMR',
  ecm: true,
  resolution: 'fine',
  attempts: 2,
  resultSentence: 'The line was cut off after page 2 of 3; the remote fax machine hung up.',
};

function text(pdf: string): string {
  return execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
}

test('the report shows every fact, the hostile name as text, and the first page as a thumbnail', async () => {
  const pdf = await writeTransmissionReport(
    facts,
    { image: firstPage, xDpi: 204, yDpi: 98 },
    join(dir, 'report.pdf'),
    {
      timeZone: 'UTC',
    },
  );
  expect(statSync(pdf).mode & 0o777).toBe(0o600);
  expect(execFileSync('pdfinfo', [pdf]).toString()).toMatch(/^Pages:\s+1$/m);
  const shown = text(pdf);
  const flat = shown.replace(/\s+/g, ' ');
  for (const expected of [
    'Transmission report',
    'The line was cut off after page 2 of 3; the remote fax machine hung up.',
    'Dr. ) showpage (pwned) show quit <41> %!',
    '+1 555 0199 ACME',
    '2 of 3 confirmed',
    '7 Dec 2026, 09:30:05 UTC',
    '7 Dec 2026, 09:31:17 UTC',
    '1 min 12 s',
    '14400 bit/s, MMR, ECM, fine',
    '42 (ann)',
  ]) {
    expect(flat).toContain(expected);
  }
  expect(shown).toMatch(/Number dialled\s+\+1 555 0199/);

  // pdfimages -list: one 8-bit grey image, 200 samples wide, in the page's true shape (the
  // TIFF's pixels are about twice as tall as wide at 204 x 98 dpi).
  const list = execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n').slice(2);
  expect(list).toHaveLength(1);
  const [, , type, width, height, color, , bpc] = list[0].trim().split(/\s+/);
  expect([type, color, bpc]).toEqual(['image', 'gray', '8']);
  const page = await sharp(firstPage).metadata();
  expect([Number(width), Number(height)]).toEqual([
    200,
    Math.round((200 * (page.height / 98)) / (page.width / 204)),
  ]);
  expect(Number(height)).toBeGreaterThan(250); // taller than wide, not the TIFF's squashed pixel grid

  // The thumbnail is the page: dark where the block is, white at the foot.
  execFileSync('pdfimages', ['-png', pdf, join(dir, 'thumb')]);
  const png = join(
    dir,
    readdirSync(dir).find((n) => n.startsWith('thumb'))!,
  );
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) =>
    data[(Math.round(y * info.height) * info.width + Math.round(x * info.width)) * info.channels];
  expect(at(0.3, 0.3)).toBeLessThan(64); // inside the black block (72..522 x 92..342 pt from the top)
  expect(at(0.5, 0.95)).toBeGreaterThan(192);
});

test('without a first page the report has no image; a sent record fills it and is kept in the spool', async () => {
  const archive = new FaxArchive({ spool: join(dir, 'spool') });
  try {
    const sent = archive.recordSent({
      jobId: 7,
      user: 'bob',
      number: '5550100',
      pages: 1,
      pagesConfirmed: 1,
      result: 'sent',
      bitRate: 9600,
      coding: 'MH',
      ecm: false,
      finishedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    const pdf = await writeTransmissionReport(
      transmissionFactsOf(sent),
      null,
      join(archive.sentDir(sent.id), 'report.pdf'),
      {
        timeZone: 'UTC',
      },
    );
    archive.setSentReport(sent.id, pdf);
    expect(archive.sentByJob(7)?.report).toBe(pdf);
    const shown = text(pdf);
    expect(shown).toContain('The page was sent.');
    expect(shown).toContain('1 of 1 confirmed');
    expect(shown).toContain('9600 bit/s, MH, no ECM');
    expect(shown).not.toContain('Recipient');
    expect(execFileSync('pdfimages', ['-list', pdf]).toString().trim().split('\n')).toHaveLength(2);
  } finally {
    archive.close();
  }
});

test('template fields are hex strings only, and a broken template fails loudly', () => {
  expect(psText('a)(\\\n\u00e9\u20ac')).toBe(
    '<61292820c93f>'.replace('20c9', '5c20e9').replace('<61292820', '<612928'),
  );
  expect(() => fillTemplate('@@A@@ @@B@@', { A: '1' })).toThrow(/unknown field @@B@@/);
  expect(() => fillTemplate('@@A@@', { A: '1', C: '2' })).toThrow(/not in the template: C/);
});
