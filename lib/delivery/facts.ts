/** The facts of a received fax in the forms the actions need: words, environment, file names. */
import type { ReceivedFax } from '../archive/index.js';

export function senderOf(fax: ReceivedFax): string {
  return fax.remoteId?.trim() || fax.callerId?.trim() || 'an unknown sender';
}

export function pagesText(pages: number): string {
  return `${pages} page${pages === 1 ? '' : 's'}`;
}

/** e.g. "Fax from +1 555 0100, 3 pages" or "Partial fax from …". */
export function faxSubject(fax: ReceivedFax): string {
  const what = fax.result === 'received' ? 'Fax' : fax.result === 'partial' ? 'Partial fax' : 'Failed fax';
  return `${what} from ${senderOf(fax)}, ${pagesText(fax.pages)}`;
}

/** The facts a hook program gets, as LPFAX_* variables (empty when unknown). */
export function factsEnvironment(fax: ReceivedFax): Record<string, string> {
  const s = (v: string | number | boolean | null | undefined) =>
    v === null || v === undefined ? '' : String(v);
  return {
    LPFAX_ID: s(fax.id),
    LPFAX_RECEIVED_AT: fax.receivedAt.toISOString(),
    LPFAX_RESULT: fax.result,
    LPFAX_REMOTE_ID: s(fax.remoteId),
    LPFAX_CALLER_ID: s(fax.callerId),
    LPFAX_CALLER_NAME: s(fax.callerName),
    LPFAX_SUBADDRESS: s(fax.subaddress),
    LPFAX_PAGES: s(fax.pages),
    LPFAX_BIT_RATE: s(fax.bitRate),
    LPFAX_CODING: s(fax.coding),
    LPFAX_ECM: fax.ecm === null ? '' : fax.ecm ? 'yes' : 'no',
    LPFAX_RESOLUTION: s(fax.resolution),
    LPFAX_BAD_LINES: s(fax.badLines),
    LPFAX_DURATION_SECONDS: s(fax.durationSeconds),
    LPFAX_PDF: s(fax.pdf),
    LPFAX_TIFF: s(fax.tiff),
  };
}

/** A value safe as part of one file name: letters, digits and `+._-`; never `.` or `..`. */
export function fileNamePart(value: string | null | undefined, fallback = 'unknown'): string {
  const cleaned = (value ?? '')
    .trim()
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9+._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 64);
  return cleaned === '' ? fallback : cleaned;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Expands a folder action's pattern (see FolderAction.pattern). */
export function expandPattern(pattern: string, fax: ReceivedFax): string {
  const t = fax.receivedAt;
  const values: Record<string, string> = {
    Y: String(t.getFullYear()),
    m: two(t.getMonth() + 1),
    d: two(t.getDate()),
    H: two(t.getHours()),
    M: two(t.getMinutes()),
    S: two(t.getSeconds()),
    r: fileNamePart(fax.remoteId),
    c: fileNamePart(fax.callerId),
    s: fileNamePart(fax.subaddress, 'none'),
    p: String(fax.pages),
    i: String(fax.id),
    '%': '%',
  };
  const name = pattern.replace(/%(.)/g, (whole, key: string) => values[key] ?? whole);
  if (name.includes('/') || name === '.' || name === '..' || name === '' || name.includes('\0'))
    throw new Error(`folder pattern ${JSON.stringify(pattern)} does not make a file name`);
  return name;
}
