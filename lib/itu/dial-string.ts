/**
 * The one place that says what may reach the modem after `ATD`.
 *
 * A dial string is the argument of the V.250 §6.3.1 dial command (the modem module prepends
 * `ATDT` or `ATDP`). Everything lpfax dials, whatever its origin (job title, job option, config
 * file), is checked here last, so no text from a print job can ever smuggle an AT command, a
 * line break or an endless digit run into the modem.
 */

/**
 * The dial string alphabet: the digits, the DTMF keys `*` and `#`, and two V.250 §6.3.1 dial
 * modifiers: `,` (pause, as long as register S8, usually 2 s) and `W` (wait for dial tone). `*`, `#` and `W` can only
 * come from the config file (OutsideLinePrefix); a job title yields digits and pauses only.
 */
export const DIAL_STRING_ALPHABET = '0123456789*#,W';

/**
 * A V.250 DCE need accept only 40 characters of command line body after `AT`; `DT` takes two,
 * so 38 characters are left for the dial string itself.
 */
export const MAX_DIAL_STRING_LENGTH = 38;

/** E.164 §6: an international number has at most 15 digits (country code included). */
export const MAX_E164_DIGITS = 15;

const DIAL_STRING = new RegExp(`^[${DIAL_STRING_ALPHABET.replace(/[*#,]/g, '\\$&')}]+$`);

/** Why a candidate dial string cannot be dialled, or undefined when it can. */
export function dialStringProblem(dial: string): string | undefined {
  if (dial.length === 0) return 'the dial string is empty';
  if (dial.length > MAX_DIAL_STRING_LENGTH) {
    return `the dial string has ${dial.length} characters, more than the ${MAX_DIAL_STRING_LENGTH} a modem accepts`;
  }
  if (!DIAL_STRING.test(dial)) {
    const bad = [...dial].find((c) => !DIAL_STRING_ALPHABET.includes(c)) ?? '?';
    return `the dial string may hold only ${DIAL_STRING_ALPHABET} (found ${describeChar(bad)})`;
  }
  if (!/[0-9]/.test(dial)) return 'the dial string holds no digit';
  return undefined;
}

/** True when `dial` may be sent to the modem as is. */
export function isDialString(dial: string): boolean {
  return dialStringProblem(dial) === undefined;
}

/** A character as a reader can see it, even if it is a control character. */
export function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
  if (
    code < 0x20 ||
    code === 0x7f ||
    (code >= 0x80 && code < 0xa0) ||
    code === 0x2028 ||
    code === 0x2029 ||
    bidi
  ) {
    return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${c}'`;
}
