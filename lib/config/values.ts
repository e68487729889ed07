/**
 * Value parsers for lpfax.conf keys, device URI query parameters, PPD defaults and job options.
 * Each takes the raw text and gives the typed value or `{ invalid: reason }`.
 */

import { DIAL_STRING_ALPHABET, dialStringProblem } from '../itu/dial-string.js';
import { dialPatternProblem } from '../recipient/policy.js';

export type Invalid = { readonly invalid: string };
export type Parser<T> = (raw: string) => T | Invalid;

export function isInvalid<T>(v: T | Invalid): v is Invalid {
  return typeof v === 'object' && v !== null && 'invalid' in v;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** One of a few words, case-insensitively; `aliases` maps other spellings to a word. */
export function oneOf<T extends string>(
  words: readonly T[],
  aliases: Record<string, NoInfer<T>> = {},
): Parser<T> {
  const table = new Map<string, T>(words.map((w) => [w.toLowerCase(), w]));
  for (const [alias, word] of Object.entries(aliases)) table.set(alias.toLowerCase(), word);
  return (raw) =>
    table.get(raw.trim().toLowerCase()) ?? { invalid: `"${raw}" is not one of ${words.join(', ')}` };
}

/**
 * The first item of a comma-separated list that `parse` accepts: IPP `media` may name a size
 * with a type or source (`A4,Plain`). Fails with the first item's reason when none is accepted.
 */
export function firstOfList<T>(parse: Parser<T>): Parser<T> {
  return (raw) => {
    const results = raw.split(',').map((item) => parse(item));
    return results.find((r) => !isInvalid(r)) ?? results[0];
  };
}

/** A decimal integer from a fixed set. */
export function integerIn<T extends number>(allowed: readonly T[]): Parser<T> {
  return (raw) => {
    const n = Number(raw.trim());
    return /^\d+$/.test(raw.trim()) && (allowed as readonly number[]).includes(n)
      ? (n as T)
      : { invalid: `"${raw}" is not one of ${allowed.join(', ')}` };
  };
}

export function integerRange(min: number, max: number): Parser<number> {
  return (raw) => {
    const n = Number(raw.trim());
    return /^\d+$/.test(raw.trim()) && n >= min && n <= max
      ? n
      : { invalid: `"${raw}" is not a whole number from ${min} to ${max}` };
  };
}

const TRUE = new Set(['on', 'yes', 'true', '1']);
const FALSE = new Set(['off', 'no', 'false', '0']);

/** on/off, yes/no, true/false, 1/0 (PPD files write True/False). */
export const boolean: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return { invalid: `"${raw}" is not on or off` };
};

/** Free text for people (cover page, names): no control characters, bounded length. */
export function text(maxLength: number): Parser<string> {
  return (raw) => {
    if (CONTROL.test(raw)) return { invalid: 'control characters are not allowed' };
    if ([...raw].length > maxLength) return { invalid: `longer than ${maxLength} characters` };
    return raw;
  };
}

/** An absolute file system path, or '' when `optional`. */
export function absolutePath(optional = false): Parser<string> {
  return (raw) => {
    if (raw === '' && optional) return '';
    if (!raw.startsWith('/')) return { invalid: `"${raw}" is not an absolute path` };
    if (CONTROL.test(raw) || raw.length > 4096) return { invalid: 'not a usable path' };
    return raw;
  };
}

/** An address to listen on: an IPv4 or IPv6 literal or a host name (no port). */
export const hostAddress: Parser<string> = (raw) =>
  /^[0-9A-Za-z.:-]{1,253}$/.test(raw) ? raw : { invalid: `"${raw}" is not an address to listen on` };

/** A run of digits of bounded length ('' allowed): country and area codes, dial prefixes. */
export function digits(maxLength: number): Parser<string> {
  return (raw) =>
    /^[0-9]*$/.test(raw) && raw.length <= maxLength
      ? raw
      : { invalid: `"${raw}" is not up to ${maxLength} digits` };
}

/** The outside-line prefix: '' or a short string in the dial string alphabet (`9,`, `0W`). */
export const outsidePrefix: Parser<string> = (raw) => {
  if (raw === '') return '';
  const problem = dialStringProblem(raw);
  if (problem !== undefined || raw.length > 8) {
    return { invalid: `"${raw}" is not up to 8 characters of ${DIAL_STRING_ALPHABET}` };
  }
  return raw;
};

/** T.30 §5.3.6.2.4: the TSI is up to 20 characters, digits, `+` and space. */
export const stationId: Parser<string> = (raw) =>
  /^[0-9+ ]{0,20}$/.test(raw) ? raw : { invalid: `"${raw}" is not up to 20 digits, + and spaces (T.30 TSI)` };

/** A modem command line sent verbatim: `AT` and printable ASCII, at most 40 characters after AT. */
export const atCommand: Parser<string> = (raw) => {
  if (!/^AT/i.test(raw)) return { invalid: `"${raw}" does not begin with AT` };
  if (!/^[\x20-\x7e]*$/.test(raw)) return { invalid: 'only printable ASCII may be sent to the modem' };
  if (raw.length - 2 > 40) return { invalid: 'longer than the 40 characters a modem must accept after AT' };
  return raw;
};

/**
 * lpfax conversions a tagline may use, written `%%x` (strftime first turns `%%` into `%`):
 * d destination number, i job id, l LocalIdentifier, n FaxNumber, o Organisation, s sender
 * name, P and p page number, T and t total pages.
 */
export const TAGLINE_CONVERSIONS = 'dilnosPpTt';

/** HylaFAX TagLineFormat: strftime text, `|` between fields, `%%x` lpfax conversions. */
export const taglineFormat: Parser<string> = (raw) => {
  const plain = text(120)(raw);
  if (isInvalid(plain)) return plain;
  if (raw.split('|').length > 3) return { invalid: 'a tagline has at most three |-separated fields' };
  for (const m of raw.matchAll(/%%(.?)/g)) {
    if (m[1] === '' || !TAGLINE_CONVERSIONS.includes(m[1])) {
      return {
        invalid: `%%${m[1]} is not one of ${[...TAGLINE_CONVERSIONS].map((c) => `%%${c}`).join(' ')}`,
      };
    }
  }
  return raw;
};

/** Dial patterns separated by blanks or commas (a key may also be repeated). */
export const dialPatterns: Parser<readonly string[]> = (raw) => {
  const patterns = raw.split(/[\s,]+/).filter((p) => p !== '');
  for (const p of patterns) {
    const problem = dialPatternProblem(p);
    if (problem !== undefined) return { invalid: `"${p}": ${problem}` };
  }
  return patterns;
};

/** Absolute paths separated by blanks or commas (ReceiveDevices; a key may also be repeated). */
export const pathList: Parser<readonly string[]> = (raw) => {
  const paths = raw.split(/[\s,]+/).filter((p) => p !== '');
  for (const p of paths) {
    const checked = absolutePath()(p);
    if (typeof checked !== 'string') return checked;
  }
  return paths;
};

/** Mail addresses or local user names separated by blanks or commas (DeliverMail). */
export const mailList: Parser<readonly string[]> = (raw) => {
  const names = raw.split(/[\s,]+/).filter((p) => p !== '');
  for (const n of names)
    if (!/^[A-Za-z0-9._%+-]+(@[A-Za-z0-9.-]+)?$/.test(n)) return { invalid: `"${n}" is not a mail address` };
  return names;
};

/** A CUPS queue name ('' allowed): printable, no blank, slash or "#" (CUPS lpadmin(8)). */
export const queueName: Parser<string> = (raw) =>
  raw === '' || (!CONTROL.test(raw) && /^[^\s/#\\"']{1,127}$/.test(raw))
    ? raw
    : { invalid: `"${raw}" is not a queue name` };

/**
 * Callers to refuse (RejectCallers): patterns separated by commas (a key may also be repeated),
 * each a TSI, caller ID number or name, `*` matching any run of characters. Compared without
 * case and with blanks ignored (a TSI is often spaced: "+1 555 0100").
 */
export const callerPatterns: Parser<readonly string[]> = (raw) => {
  const patterns = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of patterns)
    if (CONTROL.test(p) || p.replace(/[\s*]/g, '') === '' || p.length > 64)
      return { invalid: `"${p}" is not a caller pattern (a number, TSI or name; * for any text)` };
  return patterns;
};

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 1e3, KB: 1e3, M: 1e6, MB: 1e6, G: 1e9, GB: 1e9 };

/** A size in bytes: "20MB", "500 kB", "1G", "0" (MinFreeSpace). */
export const byteSize: Parser<number> = (raw) => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? SIZE_UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined) return { invalid: `"${raw}" is not a size (such as 20MB, 500kB or 0)` };
  return Math.round(Number(m[1]) * unit);
};
