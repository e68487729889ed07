/**
 * The reject list (RejectCallers): which callers the service refuses, by the TSI the far end
 * sends (T.30 §5.3.6.1.4) or the caller ID the modem reports between RINGs. A pattern matches a
 * whole identity; `*` stands for any run of characters; case and blanks do not count.
 */
const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();

function matcher(pattern: string): RegExp {
  const parts = norm(pattern)
    .split('*')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** The first pattern that one of the identities matches, or undefined. */
export function rejectedBy(
  patterns: readonly string[],
  identities: ReadonlyArray<string | undefined | null>,
): string | undefined {
  const ids = identities.filter((i): i is string => typeof i === 'string' && norm(i) !== '').map(norm);
  return patterns.find((p) => {
    const re = matcher(p);
    return ids.some((id) => re.test(id));
  });
}
