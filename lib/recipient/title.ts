/**
 * Recipients from a CUPS job title, in the style of HylaFAX `sendfax -d`:
 * `[Name@]number[#subaddress]`, several separated by `;` (as LibreOffice's fax dialog joins them).
 *
 * In the number, blanks, `-`, `.`, `/` and parentheses are ignored, a leading `+` marks an
 * international number (the `(0)` of `+44 (0)20 …` is dropped), `,` is a dial pause, and the
 * capital letters of a vanity number map to keypad digits (ITU-T E.161). A title that is not a
 * number at all (`Microsoft Word - Rx.docx`, a bare name) is "no number", so the backend can hold
 * the job or use the `phone=` option; a title that tries to be a number but is malformed is
 * rejected with a reason.
 */

import { MAX_E164_DIGITS, MAX_DIAL_STRING_LENGTH, describeChar } from '../itu/dial-string.js';

export interface Recipient {
  /** The name before `@`, trimmed; '' when none. For the cover page and the log only. */
  readonly name: string;
  /** Normalised number: an optional leading `+`, digits, and `,` pauses (never first or last). */
  readonly number: string;
  /** T.30 subaddress (SUB) digits after `#`; '' when none. */
  readonly subaddress: string;
  /** A dial prefix the job asked for (the `faxPrefix` option), digits and pauses; '' when none. */
  readonly dialPrefix: string;
}

/** A job title (or job option) that names no usable recipient, as a typed value. */
export type RecipientRejection =
  | { readonly kind: 'no-number'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'forbidden'; readonly reason: string };

export type RecipientsResult =
  | { readonly kind: 'recipients'; readonly recipients: readonly Recipient[] }
  | Extract<RecipientRejection, { kind: 'no-number' | 'invalid' }>;

/** More recipients in one title than this is certainly not a fax job. */
export const MAX_RECIPIENTS = 20;
/** Longest name we carry to a cover page. */
export const MAX_NAME_LENGTH = 100;
/** T.30: the subaddress (SUB) frame carries at most 20 digits, like TSI and CSI. */
export const MAX_SUBADDRESS_DIGITS = 20;
/** Digits dialled after a pause: an extension or a DTMF code, never a whole second number. */
export const MAX_POST_DIAL_DIGITS = 6;
/** A national number may carry a long-distance or international prefix before its E.164 digits. */
export const MAX_NATIONAL_DIGITS = MAX_E164_DIGITS + 5;
/** Titles longer than this are not parsed at all (IPP limits a job name to 255 octets). */
const MAX_TITLE_LENGTH = 1024;

// C0, DEL, C1, the Unicode line/paragraph separators and the bidirectional overrides (which can
// make a logged number read differently from the one dialled): none belongs in a title.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const SEPARATORS = new Set([' ', '\t', '-', '.', '/', '(', ')', '\u00a0']);
/** ITU-T E.161 keypad letters. */
const KEYPAD: Record<string, string> = {};
for (const [digit, letters] of Object.entries({
  2: 'ABC',
  3: 'DEF',
  4: 'GHI',
  5: 'JKL',
  6: 'MNO',
  7: 'PQRS',
  8: 'TUV',
  9: 'WXYZ',
})) {
  for (const l of letters) KEYPAD[l] = digit;
}

type Segment =
  | { look: 'none'; input: string }
  | { look: 'number'; recipient: Recipient }
  | { look: 'bad'; input: string; reason: string };

/** Parse a job title into recipients, "no number", or a rejection with its reason. */
export function parseRecipients(title: string): RecipientsResult {
  const control = CONTROL.exec(title);
  if (control) return invalid(`the title holds a ${describeChar(control[0])}`);
  if (title.length > MAX_TITLE_LENGTH)
    return invalid(`the title is longer than ${MAX_TITLE_LENGTH} characters`);
  const parts = title
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return { kind: 'no-number', reason: 'the title is empty' };
  if (parts.length > MAX_RECIPIENTS) return invalid(`more than ${MAX_RECIPIENTS} recipients`);

  const segments = parts.map((p) => parseSegment(p, false));
  const numbers = segments.filter((s) => s.look === 'number').length;
  const bad = segments.findIndex((s) => s.look === 'bad');
  const label = (i: number) => (segments.length > 1 ? `recipient ${i + 1} ` : '');
  if (bad >= 0) {
    const s = segments[bad] as Extract<Segment, { look: 'bad' }>;
    return invalid(`${label(bad)}${quote(s.input)}: ${s.reason}`);
  }
  if (numbers === 0) {
    return { kind: 'no-number', reason: `the title ${quote(title.trim())} holds no fax number` };
  }
  const none = segments.findIndex((s) => s.look === 'none');
  if (none >= 0) {
    const s = segments[none] as Extract<Segment, { look: 'none' }>;
    return invalid(`${label(none)}${quote(s.input)} holds no fax number`);
  }
  return {
    kind: 'recipients',
    recipients: segments.map((s) => (s as Extract<Segment, { look: 'number' }>).recipient),
  };
}

/**
 * Recipients from the job options `phone=` and `faxPrefix=` (CUPS fax queues, macOS and other
 * fax clients), used when the title holds no number. `name` is the recipient's name, if known.
 */
export function recipientsFromOptions(
  phone: string | undefined,
  faxPrefix?: string,
  name = '',
): RecipientsResult {
  if (phone === undefined || phone.trim() === '') {
    return { kind: 'no-number', reason: 'neither the title nor the phone option holds a fax number' };
  }
  const control = CONTROL.exec(phone + (faxPrefix ?? '') + name);
  if (control) return invalid(`the phone option holds a ${describeChar(control[0])}`);
  let prefix = '';
  if (faxPrefix !== undefined && faxPrefix.trim() !== '') {
    const p = faxPrefixDigits(faxPrefix);
    if (p === undefined) {
      return invalid(
        `faxPrefix ${quote(faxPrefix)} is not an outside-line prefix (one or two digits, then pauses)`,
      );
    }
    prefix = p;
  }
  const segment = parseSegment(phone.trim(), true);
  if (segment.look === 'bad') return invalid(`phone ${quote(segment.input)}: ${segment.reason}`);
  if (segment.look === 'none') return invalid(`phone ${quote(segment.input)} is not a fax number`);
  const cleanName = name.trim().slice(0, MAX_NAME_LENGTH);
  return {
    kind: 'recipients',
    recipients: [{ ...segment.recipient, name: segment.recipient.name || cleanName, dialPrefix: prefix }],
  };
}

/** A user's outside-line prefix: one or two digits, optionally followed by pauses. */
function faxPrefixDigits(text: string): string | undefined {
  const compact = [...text].filter((c) => !SEPARATORS.has(c)).join('');
  return /^[0-9]{1,2},{0,3}$/.test(compact) ? compact : undefined;
}

/** Text quoted for a message, shortened so one CUPS status line stays readable. */
function quote(text: string): string {
  const chars = [...text];
  return `"${chars.length > 60 ? `${chars.slice(0, 57).join('')}…` : text}"`;
}

function invalid(reason: string): RecipientsResult {
  return { kind: 'invalid', reason };
}

/**
 * One `[Name@]number[#subaddress]`. `strict` (a phone option, or a title with `@`) treats any
 * text starting like a number as an attempt at one.
 */
function parseSegment(input: string, strict: boolean): Segment {
  // A number never holds `@`, a name (or e-mail address used as one) may.
  const at = input.lastIndexOf('@');
  const name = at >= 0 ? input.slice(0, at).trim() : '';
  const rest = at >= 0 ? input.slice(at + 1).trim() : input;
  const hash = rest.indexOf('#');
  const numberText = (hash >= 0 ? rest.slice(0, hash) : rest).trim();
  const subText = hash >= 0 ? rest.slice(hash + 1) : undefined;

  if (!looksLikeNumber(numberText, strict || at >= 0)) return { look: 'none', input };
  const bad = (reason: string): Segment => ({ look: 'bad', input, reason });

  if (name.length > MAX_NAME_LENGTH) return bad(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  const number = normaliseNumber(numberText);
  if (typeof number !== 'string') return bad(number.reason);
  let subaddress = '';
  if (subText !== undefined) {
    subaddress = subText.replace(/[ \t\-.]/g, '');
    if (!/^[0-9]+$/.test(subaddress)) return bad('a subaddress after # must be digits');
    if (subaddress.length > MAX_SUBADDRESS_DIGITS) {
      return bad(`a subaddress has at most ${MAX_SUBADDRESS_DIGITS} digits (T.30 SUB)`);
    }
  }
  return { look: 'number', recipient: { name, number, subaddress, dialPrefix: '' } };
}

/**
 * Whether text is meant as a number: it starts with `+`, `(` or a digit and holds a digit. In a
 * plain title it must also hold no letter other than A–Z, and not end like a file name (`.pdf`),
 * so that document titles such as `2024 Budget.xlsx` are not dialled.
 */
function looksLikeNumber(text: string, strict: boolean): boolean {
  if (!/^[+(0-9]/.test(text) || !/[0-9]/.test(text)) return false;
  if (strict) return true;
  if (/\p{L}/u.test(text.replace(/[A-Z]/g, ''))) return false;
  return !/\.[A-Z]{1,5}$/.test(text);
}

/** The number as `+`?digits with `,` pauses, or why it is not one. */
function normaliseNumber(text: string): string | { reason: string } {
  const international = text.startsWith('+');
  // `+44 (0)20 …`: the bracketed trunk prefix is for national callers only.
  const body = international ? text.slice(1).replace(/\(\s*0\s*\)/g, '') : text;
  let out = '';
  for (const c of body) {
    if (c >= '0' && c <= '9') out += c;
    else if (c === ',') out += ',';
    else if (KEYPAD[c] !== undefined) out += KEYPAD[c];
    else if (SEPARATORS.has(c)) continue;
    else if (c === '+') return { reason: 'a + may only begin the number' };
    else if (/\p{L}/u.test(c)) return { reason: `${describeChar(c)} is not a keypad letter (A–Z)` };
    else return { reason: `${describeChar(c)} is not allowed in a fax number` };
  }
  out = out.replace(/,+$/, '');
  if (out.startsWith(',')) return { reason: 'a pause (,) cannot begin the number' };
  const [main, ...afterPauses] = out.split(/,+/);
  if (international && main.length > MAX_E164_DIGITS) {
    return {
      reason: `an international number has at most ${MAX_E164_DIGITS} digits (E.164), not ${main.length}`,
    };
  }
  if (main.length > MAX_NATIONAL_DIGITS) {
    return { reason: `the number has ${main.length} digits, more than ${MAX_NATIONAL_DIGITS}` };
  }
  if (international && main.length < 3)
    return { reason: 'an international number needs a country code and a number' };
  const longRun = afterPauses.find((run) => run.length > MAX_POST_DIAL_DIGITS);
  if (longRun !== undefined) {
    return {
      reason: `at most ${MAX_POST_DIAL_DIGITS} digits may follow a pause (an extension), not ${longRun.length}`,
    };
  }
  if (out.length + (international ? 1 : 0) > MAX_DIAL_STRING_LENGTH) {
    return { reason: `the number is longer than the ${MAX_DIAL_STRING_LENGTH} characters a modem can dial` };
  }
  return (international ? '+' : '') + out;
}
