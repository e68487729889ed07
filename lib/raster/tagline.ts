/**
 * The tagline: one line at the top of every page naming the sender, its fax number, the date and
 * time, and "Page P/T". In the USA the Telephone Consumer Protection Act (47 U.S.C. §227(d)(1)(B))
 * requires this on each page of a fax; elsewhere it is simply what receivers expect.
 *
 * The format follows HylaFAX's TagLineFormat: the string first goes through strftime (so `%c`,
 * `%Y-%m-%d %H:%M` … are the date and time, and `%%` becomes `%`), then job escapes are replaced:
 *
 *   %%s sender name     %%n sender (station) fax number    %%d destination number
 *   %%r recipient name  %%P or %%p page number             %%T or %%t total pages
 *   %%o organisation    %%l local identifier (TSI)         %%i job id
 *
 * and `|` separates fields: the first is left-aligned, the last right-aligned, the ones between
 * centred in equal slots. A literal `%` is written `%%%%`, a literal `|` cannot be written.
 *
 * Ghostscript draws it, as part of the rendering job: a PostScript EndPage procedure (PLRM 3 §6.2.6)
 * runs before each page is output, in device space reset by `initgraphics`, so the line sits at the
 * top of the fax page whatever the document's own scaling. It first clears a white band so the text
 * stays legible over a page that prints to its top edge. All job text enters the PostScript as hex
 * strings `<…>`: whatever the sender name says, it is data, never code.
 */
import { postScriptHexString } from './ghostscript.js';

export interface TaglineOptions {
  /** HylaFAX-style format; default DEFAULT_TAGLINE_FORMAT. */
  readonly format?: string;
  readonly senderName?: string;
  /** The sending station's fax number (also its T.30 TSI, usually). */
  readonly stationNumber?: string;
  readonly destination?: string;
  readonly recipientName?: string;
  /** The date and time to print; default: when rasterising starts. */
  readonly date?: Date;
  readonly organisation?: string;
  /** The TSI the fax carries (T.30 §5.3.6.2.4). */
  readonly localIdentifier?: string;
  readonly jobId?: string;
  /** Text size in points (1/72 in); default 9. */
  readonly fontSize?: number;
}

export const DEFAULT_TAGLINE_FORMAT = 'From %%s %%n|%a %d %b %Y %H:%M|Page %%P/%%T';

/**
 * A piece of a field: literal text, the page number, or the page count. Both numbers are filled in
 * by Ghostscript while it draws each page (it counts the document's pages in the same run).
 */
export type TaglinePiece = string | { readonly number: 'page' | 'count' };
const NUMBER_PIECES: Readonly<Record<string, TaglinePiece>> = {
  P: { number: 'page' },
  p: { number: 'page' },
  T: { number: 'count' },
  t: { number: 'count' },
};

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** strftime(3) in the C locale, for the conversions a tagline needs; others are kept as written. */
export function strftime(format: string, date: Date): string {
  const offset = -date.getTimezoneOffset();
  const conversions: Record<string, () => string> = {
    a: () => DAYS[date.getDay()]!.slice(0, 3),
    A: () => DAYS[date.getDay()]!,
    b: () => MONTHS[date.getMonth()]!.slice(0, 3),
    h: () => MONTHS[date.getMonth()]!.slice(0, 3),
    B: () => MONTHS[date.getMonth()]!,
    d: () => pad(date.getDate()),
    e: () => pad(date.getDate(), 2, ' '),
    m: () => pad(date.getMonth() + 1),
    y: () => pad(date.getFullYear() % 100),
    Y: () => String(date.getFullYear()),
    H: () => pad(date.getHours()),
    I: () => pad(((date.getHours() + 11) % 12) + 1),
    p: () => (date.getHours() < 12 ? 'AM' : 'PM'),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    z: () =>
      `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`,
    F: () => strftime('%Y-%m-%d', date),
    T: () => strftime('%H:%M:%S', date),
    R: () => strftime('%H:%M', date),
    D: () => strftime('%m/%d/%y', date),
    x: () => strftime('%m/%d/%y', date),
    X: () => strftime('%H:%M:%S', date),
    c: () => strftime('%a %b %e %H:%M:%S %Y', date),
    '%': () => '%',
  };
  return format.replace(/%(.)/gs, (whole, c: string) => conversions[c]?.() ?? whole);
}

/** The tagline's fields, left to right, each a list of pieces. */
export function taglineFields(options: TaglineOptions, now: Date): TaglinePiece[][] {
  const afterStrftime = strftime(options.format ?? DEFAULT_TAGLINE_FORMAT, options.date ?? now);
  const values: Record<string, string> = {
    s: options.senderName ?? '',
    n: options.stationNumber ?? '',
    d: options.destination ?? '',
    r: options.recipientName ?? '',
    o: options.organisation ?? '',
    l: options.localIdentifier ?? '',
    i: options.jobId ?? '',
    '%': '%',
  };
  return afterStrftime.split('|').map((field) => {
    const pieces: TaglinePiece[] = [];
    let text = '';
    for (let i = 0; i < field.length; i++) {
      const c = field[i]!;
      const next = field[i + 1];
      if (c === '%' && next !== undefined && next in NUMBER_PIECES) {
        if (text) pieces.push(text);
        pieces.push(NUMBER_PIECES[next]!);
        text = '';
        i++;
      } else if (c === '%' && next !== undefined && next in values) {
        text += values[next];
        i++;
      } else {
        text += c;
      }
    }
    if (text) pieces.push(text);
    return tidy(pieces);
  });
}

/** Blank runs left by empty values ("From  |") become one blank; none at the field's ends. */
function tidy(pieces: TaglinePiece[]): TaglinePiece[] {
  const last = pieces.length - 1;
  return pieces
    .map((piece, i) => {
      if (typeof piece !== 'string') return piece;
      let text = piece.replace(/\s{2,}/g, ' ');
      if (i === 0) text = text.trimStart();
      if (i === last) text = text.trimEnd();
      return text;
    })
    .filter((piece) => piece !== '');
}

/**
 * The PostScript prologue that installs the tagline's EndPage procedure. It goes on the Ghostscript
 * command line before the document; the page numbers are read with TAGLINE_READ_NUMBERS.
 */
export function taglinePostScript(fields: TaglinePiece[][], fontSize = 9): string {
  const size = Math.max(4, Math.min(24, fontSize));
  const fieldArrays = fields
    .map(
      (pieces) =>
        `[ ${pieces.map((p) => (typeof p === 'string' ? postScriptHexString(p) : p.number === 'page' ? '/P' : '/T')).join(' ')} ]`,
    )
    .join('\n    ');
  // align: 0 left, 1 centre, 2 right; slot i of n spans [i/n, (i+1)/n] of the page width.
  const n = fields.length;
  const layout = fields
    .map((_, i) => `[ ${i / n} ${(i + 1) / n} ${i === 0 ? 0 : i === n - 1 ? 2 : 1} ]`)
    .join(' ');
  return `%!PS
% lpfax tagline, generated: fields are hex strings, /P the page number, /T the page count.
/LpfaxTagline 24 dict def
LpfaxTagline begin
  /fields [
    ${fieldArrays}
  ] def
  /layout [ ${layout} ] def
  /size ${size} def
  /band size 1.35 mul def
  /margin 18 def
  /buf 16 string def
  /page 0 def
  /first 1 def % the fax's number of the document's first page, and the fax's page count:
  /total 0 def % both set once the document's pages are counted (taglineReadNumbers)
  /font /Helvetica findfont dup length dict begin
    { 1 index /FID ne { def } { pop pop } ifelse } forall
    /Encoding ISOLatin1Encoding def
    currentdict end /LpfaxTaglineFont exch definefont size scalefont def
  % Names are the numbers (test the type first: eq finds the string (P) equal to the name /P).
  /piece {
    dup type /nametype eq { /P eq { page } { total } ifelse buf cvs } if
  } bind def
  /fieldwidth { 0 exch { piece stringwidth pop add } forall } bind def
  /draw {
    gsave initgraphics
    currentpagedevice /PageSize get aload pop /H exch def /W exch def
    1 setgray 0 H band sub W band rectfill
    0 setgray font setfont
    /y H band sub band size sub 2 div add size 0.2 mul add def
    0 1 fields length 1 sub {
      /i exch def
      /f fields i get def
      /fw f fieldwidth def
      layout i get aload pop /align exch def W mul /x1 exch def W mul /x0 exch def
      align 0 eq { x0 margin add } {
        align 2 eq { x1 margin sub fw sub } { x0 x1 add 2 div fw 2 div sub } ifelse
      } ifelse
      y moveto
      f { piece show } forall
    } for
    grestore
  } bind def
end
<< /EndPage {
  exch 1 index 2 lt { //LpfaxTagline begin first add /page exch def draw end } { pop } ifelse
  2 ne
} bind >> setpagedevice
`;
}

/**
 * PostScript: read two integers from standard input, the fax's number of this document's first
 * page and the fax's page count (lib/job's page plan writes them once every document is counted),
 * and store them for the tagline.
 */
export const TAGLINE_READ_NUMBERS =
  '(%stdin) (r) file dup token pop exch token pop LpfaxTagline begin /total exch def /first exch def end';
