/**
 * A FaxOut destination (PWG 5100.15 `destination-uris`): a `tel:` URI (RFC 3966) with the
 * collection's `pre-dial-string`, `post-dial-string` and `t33-subaddress`, turned into the same
 * Recipient a job name gives, so the dial rules and the dial policy treat it exactly alike.
 *
 * In the URI: the visual separators `-` `.` `(` `)` are ignored (RFC 3966 §5.1.1); `;isub=` is
 * the subaddress (§5.1.3, T.33 digits here); `;ext=` (§5.1.4) and `;postd=` (RFC 2806 §2.5.2,
 * `p` a pause, `w` wait — both a dial pause here) are dialled after a pause; a local number with
 * a global `;phone-context=+…` (§5.1.5) is dialled as that global number. Other parameters are
 * ignored, as §5.1 allows.
 */
import { recipientsFromOptions, type Recipient } from './title.js';

export interface FaxDestination {
  /** The destination-uri. */
  readonly uri: string;
  readonly preDialString?: string;
  readonly postDialString?: string;
  /** T.33 subaddress digits (the collection's t33-subaddress). */
  readonly t33Subaddress?: string;
}

export type DestinationResult =
  | { readonly kind: 'recipient'; readonly recipient: Recipient }
  | { readonly kind: 'not-tel'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const VISUAL = /[-.()]/g;

function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Pause characters (RFC 2806 `p`, `w`, and a modem's `,`) as the title syntax's pause `,`. */
function dialExtra(text: string): string | undefined {
  const compact = text.replace(VISUAL, '').replace(/\s/g, '').toLowerCase();
  if (!/^[0-9pw,]*$/.test(compact)) return undefined;
  return compact.replace(/[pw]/g, ',');
}

/** A destination, or why it cannot be dialled. `name` is the recipient's name, if known. */
export function recipientFromDestination(destination: FaxDestination, name = ''): DestinationResult {
  const { uri } = destination;
  const invalid = (why: string): DestinationResult => ({ kind: 'invalid', reason: `${uri}: ${why}` });
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (!scheme || scheme[1].toLowerCase() !== 'tel') {
    return { kind: 'not-tel', reason: `${uri} is not a telephone number (tel:)` };
  }
  const [subscriberText, ...params] = uri.slice(scheme[0].length).split(';');
  const subscriber = percentDecode(subscriberText);
  if (subscriber === undefined) return invalid('malformed %-escape');
  const parameters = new Map<string, string>();
  for (const p of params) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    const value = percentDecode(eq < 0 ? '' : p.slice(eq + 1));
    if (value === undefined) return invalid('malformed %-escape');
    if (parameters.has(key)) return invalid(`the parameter ;${key} is given twice`);
    parameters.set(key, value);
  }

  const global = subscriber.startsWith('+');
  const digits = subscriber.replace(VISUAL, '');
  if (!/^\+?[0-9]+$/.test(digits)) {
    return invalid('a tel: number is digits, with - . ( ) as visual separators');
  }
  let number = digits;
  const context = parameters.get('phone-context');
  if (!global && context?.startsWith('+')) {
    const prefix = context.replace(VISUAL, '');
    if (!/^\+[0-9]+$/.test(prefix)) return invalid('phone-context is not a global number prefix');
    number = prefix + digits;
  }

  const after: string[] = [];
  for (const [key, what] of [
    ['ext', 'the extension (;ext=)'],
    ['postd', 'the post-dial digits (;postd=)'],
  ] as const) {
    const value = parameters.get(key);
    if (value === undefined) continue;
    const extra = dialExtra(value);
    if (extra === undefined) return invalid(`${what} may hold only digits and pauses (p, w)`);
    // Digits after the number are dialled once the far end answers: never without a pause,
    // or they would make another number.
    after.push(extra.startsWith(',') ? extra : `,${extra}`);
  }
  if (destination.postDialString !== undefined && destination.postDialString !== '') {
    const extra = dialExtra(destination.postDialString);
    if (extra === undefined) return invalid('post-dial-string may hold only digits and pauses');
    after.push(extra.startsWith(',') ? extra : `,${extra}`);
  }

  const fromUri = parameters.get('isub')?.replace(VISUAL, '');
  const fromMember = destination.t33Subaddress?.trim();
  if (fromUri !== undefined && fromMember && fromUri !== fromMember) {
    return invalid(`;isub=${fromUri} and t33-subaddress ${fromMember} disagree`);
  }
  const subaddress = fromUri ?? fromMember ?? '';

  // The job-name syntax from here on: one parser, one set of limits.
  const phone = `${number}${after.join('')}${subaddress ? `#${subaddress}` : ''}`;
  const preDial = destination.preDialString ? dialExtra(destination.preDialString) : '';
  if (preDial === undefined) return invalid('pre-dial-string may hold only digits and pauses');
  const parsed = recipientsFromOptions(phone, preDial || undefined, name);
  if (parsed.kind !== 'recipients') {
    // The option parser's words (`phone "…": …`, `faxPrefix "…" …`) in the destination's terms.
    const reason = parsed.reason
      .replace(/^phone "(?:[^"\\]|\\.)*": /, '')
      .replace(/^faxPrefix "((?:[^"\\]|\\.)*)"/, 'pre-dial-string "$1"');
    return invalid(reason);
  }
  return { kind: 'recipient', recipient: parsed.recipients[0] };
}
