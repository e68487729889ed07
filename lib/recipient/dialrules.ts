/**
 * Dial rules: from a recipient's number to the string the modem dials.
 *
 * Like HylaFAX's default dial rules: an international number (`+…`) in our own country is dialled
 * as a national number (long-distance prefix + national number), or as a local number when it is
 * in our own area; any other international number is dialled with the international prefix. A
 * number typed without `+` is dialled as typed. The outside-line prefix (a PBX's `9,`) comes
 * first. With country code 1 and area code 415, `+1.415.555.1212` dials `5551212`.
 */

import { dialStringProblem } from '../itu/dial-string.js';
import { forbiddingPattern, type DialPolicy } from './policy.js';
import type { Recipient, RecipientRejection } from './title.js';

export interface DialRules {
  /** Our country code (E.164), e.g. `1`, `44`; '' when unknown. */
  readonly countryCode: string;
  /** Our area code without the long-distance prefix, e.g. `415`, `20`; '' to always dial it. */
  readonly areaCode: string;
  /** Prefix for national calls outside our area: `1` (NANP), `0` (most of Europe), or ''. */
  readonly longDistancePrefix: string;
  /** Prefix for international calls: `011` (NANP), `00` (most of the world). */
  readonly internationalPrefix: string;
  /** Prefix to reach an outside line (a PBX's `9,`), '' on a direct line. */
  readonly outsideLinePrefix: string;
}

export type DialResult =
  | {
      readonly kind: 'dial';
      /** What follows `ATD` + tone/pulse: checked against the dial string alphabet. */
      readonly dialString: string;
      /** The number in E.164 form, when the rules can tell it. */
      readonly e164: string | undefined;
    }
  | Extract<RecipientRejection, { kind: 'invalid' | 'forbidden' }>;

/** The number as dialled on the public network (no outside-line prefix, no pauses). */
export function publicDigits(
  international: boolean,
  digits: string,
  rules: DialRules,
): string | { reason: string } {
  if (!international) return digits;
  const { countryCode: cc, areaCode: area } = rules;
  if (cc !== '' && digits.startsWith(cc)) {
    const national = digits.slice(cc.length);
    if (area !== '' && national.startsWith(area) && national.length > area.length) {
      return national.slice(area.length);
    }
    return rules.longDistancePrefix + national;
  }
  if (rules.internationalPrefix === '') {
    return { reason: 'an international number needs InternationalPrefix in lpfax.conf' };
  }
  return rules.internationalPrefix + digits;
}

/** The E.164 form of a number, or undefined when the rules cannot tell (no country code). */
export function e164Form(international: boolean, digits: string, rules: DialRules): string | undefined {
  if (international) return `+${digits}`;
  const { countryCode: cc, internationalPrefix: ip, longDistancePrefix: ldp } = rules;
  if (cc === '') return undefined;
  if (ip !== '' && digits.startsWith(ip)) return `+${digits.slice(ip.length)}`;
  if (ldp !== '' && digits.startsWith(ldp)) return `+${cc}${digits.slice(ldp.length)}`;
  return `+${cc}${rules.areaCode}${digits}`;
}

/**
 * The dial string for one recipient, after the dial rules and the dial policy. The job's own
 * `faxPrefix` is used only when lpfax.conf sets no OutsideLinePrefix, and the policy looks at
 * the number both with and without it, so a prefix cannot carry a forbidden number past it.
 */
export function dialStringFor(recipient: Recipient, rules: DialRules, policy: DialPolicy): DialResult {
  const international = recipient.number.startsWith('+');
  const [main, ...postDial] = recipient.number.replace(/^\+/, '').split(',');
  const comma = recipient.number.indexOf(',');
  const tail = comma >= 0 ? recipient.number.slice(comma) : '';
  const dialled = publicDigits(international, main, rules);
  if (typeof dialled !== 'string') return { kind: 'invalid', reason: dialled.reason };

  const userPrefix = rules.outsideLinePrefix === '' ? recipient.dialPrefix : '';
  const userPrefixDigits = userPrefix.replace(/,/g, '');
  const e164 = e164Form(international, main, rules);
  const e164Forms = [e164];
  const dialledForms = [dialled, ...postDial.filter((run) => run !== '')];
  if (userPrefixDigits !== '') {
    e164Forms.push(e164Form(false, userPrefixDigits + dialled, rules));
    dialledForms.push(userPrefixDigits + dialled);
  }
  const hit = forbiddingPattern(policy, {
    e164: e164Forms.filter((f): f is string => f !== undefined),
    dialled: dialledForms,
  });
  if (hit) {
    return {
      kind: 'forbidden',
      reason: `the dial policy forbids ${hit.form} (DialDeny pattern ${hit.pattern})`,
    };
  }

  const dialString = (rules.outsideLinePrefix || userPrefix) + dialled + tail;
  const problem = dialStringProblem(dialString);
  if (problem !== undefined) return { kind: 'invalid', reason: problem };
  return { kind: 'dial', dialString, e164 };
}
