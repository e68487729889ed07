/**
 * Caller ID as a voice/fax modem reports it between the first and second RING once enabled with
 * AT+VCID=1 (V.253 §9.2.3, formatted presentation): one `TAG=value` line each, e.g.
 * `DATE=1207`, `TIME=2120`, `NMBR=5551234`, `NAME=ACME`. Some modems put spaces around `=`.
 * A number withheld or unavailable is reported as `P` (private) or `O` (out of area).
 */
export interface CallerId {
  /** The calling number (NMBR, or DDN_NMBR); absent when withheld or unavailable. */
  number?: string;
  name?: string;
  /** MMDD and HHMM, as the exchange sent them. */
  date?: string;
  time?: string;
}

const TAG = /^(DATE|TIME|NMBR|DDN_NMBR|NAME)\s*=\s*(.*)$/i;

/** The caller ID in a modem's unsolicited lines; undefined when they carry none. */
export function parseCallerId(lines: readonly string[]): CallerId | undefined {
  const id: CallerId = {};
  let any = false;
  for (const line of lines) {
    const m = TAG.exec(line.trim());
    if (!m) continue;
    const tag = m[1]!.toUpperCase();
    const value = m[2]!.trim();
    any = true;
    if (value === '' || ((tag === 'NMBR' || tag === 'NAME') && /^[OP]$/i.test(value))) continue;
    if (tag === 'NMBR' || tag === 'DDN_NMBR') id.number ??= value;
    else if (tag === 'NAME') id.name = value;
    else if (tag === 'DATE') id.date = value;
    else id.time = value;
  }
  return any ? id : undefined;
}
