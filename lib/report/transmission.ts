/**
 * The transmission report: one PDF page per finished send job (like a fax machine's
 * confirmation sheet; IPP's confirmation-sheet-print), with the facts of the call, the result
 * in a plain sentence, and a thumbnail of the first page. Drawn from a PostScript template whose
 * fields are all hex strings (postscript.ts), rendered to PDF by Ghostscript with -dSAFER.
 */
import { execa } from 'execa';
import { chmod } from 'node:fs/promises';
import sharp from 'sharp';
import type { SentFax } from '../archive/index.js';
import { fillTemplate, psBytes, psNumber, psText } from './postscript.js';
import { TRANSMISSION_TEMPLATE } from './transmission-template.js';

export interface TransmissionFacts {
  jobId: number;
  user: string;
  recipientName: string | null;
  number: string;
  remoteCsi: string | null;
  startedAt: Date | null;
  finishedAt: Date;
  durationSeconds: number | null;
  pages: number;
  pagesConfirmed: number;
  bitRate: number | null;
  coding: string | null;
  ecm: boolean | null;
  resolution: string | null;
  attempts: number;
  /** The result in one plain sentence: "All 3 pages were sent." or the failure's sentence. */
  resultSentence: string;
}

export interface FirstPage {
  /** An image sharp reads: the job's first fax page as TIFF, or a PNG. */
  image: string | Buffer;
  /** Fax pixels are not square at standard resolution (204 x 98 dpi): give both to keep the shape. */
  xDpi?: number;
  yDpi?: number;
}

export interface TransmissionReportOptions {
  paper?: { width: number; height: number };
  /** IANA zone for the times printed (default the machine's). */
  timeZone?: string;
  gs?: string;
}

export const A4_POINTS = { width: 595, height: 842 };
/** The thumbnail's box on the page, in points, and its sample width. */
const THUMB_BOX = { width: 150, height: 212 };
const THUMB_PIXELS = 200;

/** The sentence for a sent record, when the caller has none of its own (lib/failure has them). */
export function resultSentenceOf(sent: SentFax): string {
  if (sent.result === 'sent')
    return sent.pages === 1 ? 'The page was sent.' : `All ${sent.pages} pages were sent.`;
  return sent.failureSentence ?? `The fax was not sent (${sent.failureKind ?? sent.result}).`;
}

export function transmissionFactsOf(
  sent: SentFax,
  resultSentence = resultSentenceOf(sent),
): TransmissionFacts {
  return { ...sent, resultSentence };
}

function when(date: Date | null, timeZone: string | undefined): string {
  if (!date) return '';
  return date.toLocaleString('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}

function duration(seconds: number | null): string {
  if (seconds === null) return '';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function rows(facts: TransmissionFacts, timeZone: string | undefined): [string, string][] {
  const mode = [
    facts.bitRate ? `${facts.bitRate} bit/s` : '',
    facts.coding ?? '',
    facts.ecm === null ? '' : facts.ecm ? 'ECM' : 'no ECM',
    facts.resolution ?? '',
  ].filter(Boolean);
  const all: [string, string][] = [
    ['Recipient', facts.recipientName ?? ''],
    ['Number dialled', facts.number],
    ['Remote station', facts.remoteCsi ?? ''],
    ['Pages', `${facts.pagesConfirmed} of ${facts.pages} confirmed`],
    ['Started', when(facts.startedAt, timeZone)],
    ['Finished', when(facts.finishedAt, timeZone)],
    ['Duration', duration(facts.durationSeconds)],
    ['Mode', mode.join(', ')],
    ['Attempts', String(facts.attempts)],
    ['Job', `${facts.jobId} (${facts.user})`],
  ];
  return all.filter(([, v]) => v !== '');
}

/** The first page as 8-bit grey samples no wider than THUMB_PIXELS, in its true shape. */
async function thumbnail(page: FirstPage): Promise<{ width: number; height: number; data: Buffer }> {
  const image = sharp(page.image);
  const meta = await image.metadata();
  if (!meta.width || !meta.height) throw new Error('the first page has no size');
  const aspect = meta.height / (page.yDpi ?? 1) / (meta.width / (page.xDpi ?? 1));
  const width = Math.min(THUMB_PIXELS, meta.width);
  const height = Math.max(1, Math.round(width * aspect));
  const { data, info } = await image
    .flatten({ background: '#ffffff' })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .grayscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`thumbnail has ${info.channels} channels`);
  return { width: info.width, height: info.height, data };
}

/** The filled PostScript program (exported for tests and for a printer that takes PostScript). */
export async function transmissionReportPostScript(
  facts: TransmissionFacts,
  firstPage: FirstPage | null,
  options: TransmissionReportOptions = {},
): Promise<string> {
  const paper = options.paper ?? A4_POINTS;
  const thumb = firstPage ? await thumbnail(firstPage) : null;
  // Fit the thumbnail's shape into the box.
  const scale = thumb ? Math.min(THUMB_BOX.width / thumb.width, THUMB_BOX.height / thumb.height) : 0;
  return fillTemplate(TRANSMISSION_TEMPLATE, {
    PAGEWIDTH: psNumber(Math.round(paper.width)),
    PAGEHEIGHT: psNumber(Math.round(paper.height)),
    STAMP: psText(`lpfax, ${when(new Date(), options.timeZone)}`),
    RESULT: psText(facts.resultSentence),
    ROWS: `[${rows(facts, options.timeZone)
      .map(([label, value]) => `[${psText(label)} ${psText(value)}]`)
      .join('\n')}]`,
    THUMB_W: psNumber(thumb?.width ?? 0),
    THUMB_H: psNumber(thumb?.height ?? 0),
    THUMB_DW: psNumber(thumb ? Math.round(thumb.width * scale) : 0),
    THUMB_DH: psNumber(thumb ? Math.round(thumb.height * scale) : 0),
    THUMB_DATA: thumb ? psBytes(thumb.data) : '<>',
  });
}

/** Writes the report as a one-page PDF (mode 0600) and returns its path. */
export async function writeTransmissionReport(
  facts: TransmissionFacts,
  firstPage: FirstPage | null,
  outPath: string,
  options: TransmissionReportOptions = {},
): Promise<string> {
  // Ghostscript reads % in an output name as a page-number format.
  if (outPath.includes('%')) throw new Error(`report path may not hold %: ${outPath}`);
  const ps = await transmissionReportPostScript(facts, firstPage, options);
  const paper = options.paper ?? A4_POINTS;
  await execa(
    options.gs ?? 'gs',
    [
      '-q',
      '-dSAFER',
      '-dBATCH',
      '-dNOPAUSE',
      '-sDEVICE=pdfwrite',
      `-dDEVICEWIDTHPOINTS=${Math.round(paper.width)}`,
      `-dDEVICEHEIGHTPOINTS=${Math.round(paper.height)}`,
      '-dFIXEDMEDIA',
      `-sOutputFile=${outPath}`,
      '-',
    ],
    { input: ps, timeout: 60_000 },
  );
  await chmod(outPath, 0o600);
  return outPath;
}
