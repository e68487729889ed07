/**
 * The dial policy: which numbers a shared fax queue may call.
 *
 * Patterns are globs over digits: `?` is one digit, `*` any run of digits. A pattern that starts
 * with `+` is matched against the number in E.164 form (`+14155551212`); any other pattern is
 * matched against the digits actually dialled, without the outside-line prefix and the pauses
 * (`0114420…`, `1900…`). A number is forbidden when one of its forms matches a `DialDeny`
 * pattern and no `DialAllow` pattern of the same kind matches that form: allow patterns are the
 * exceptions to deny patterns. With no deny pattern (the default) every number is allowed.
 */

export interface DialPolicy {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** The forms of one number the policy looks at. */
export interface PolicyForms {
  /** E.164 forms (`+` and digits), when the dial rules can tell them. */
  readonly e164: readonly string[];
  /** Dialled digit runs: the number as dialled, with a job's own prefix, and each run after a pause. */
  readonly dialled: readonly string[];
}

const PATTERN = /^\+?[0-9?*]+$/;

/** Why a dial pattern is malformed, or undefined when it is fine. */
export function dialPatternProblem(pattern: string): string | undefined {
  if (pattern === '+') return 'a dial pattern needs a digit, ? or * after +';
  if (!PATTERN.test(pattern)) {
    return 'a dial pattern is an optional + followed by digits, ? (one digit) and * (any digits)';
  }
  return undefined;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/\+/g, '\\+').replace(/\?/g, '[0-9]').replace(/\*/g, '[0-9]*');
  return new RegExp(`^${body}$`);
}

/** The first deny pattern that forbids one of the forms, with that form; undefined if allowed. */
export function forbiddingPattern(
  policy: DialPolicy,
  forms: PolicyForms,
): { pattern: string; form: string } | undefined {
  const check = (candidates: readonly string[], e164: boolean) => {
    const ofKind = (patterns: readonly string[]) =>
      patterns.filter((p) => p.startsWith('+') === e164).map((p) => ({ p, re: globToRegExp(p) }));
    const deny = ofKind(policy.deny);
    const allow = ofKind(policy.allow);
    for (const form of candidates) {
      const hit = deny.find(({ re }) => re.test(form));
      if (hit && !allow.some(({ re }) => re.test(form))) return { pattern: hit.p, form };
    }
    return undefined;
  };
  return check(forms.e164, true) ?? check(forms.dialled, false);
}
