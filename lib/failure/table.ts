/**
 * The failure table: for every FailureKind, the CUPS backend exit code (CUPS backend(7)), whether
 * CUPS tries the job again, the `lpfax` command's exit status, and the sentence the user reads,
 * made from the facts of the failure (which page, how many confirmed, which modem …). It is a
 * Record over FailureKind, so a kind without a row does not compile. README.md's table of
 * failures is `failureTableMarkdown()` (test/failure checks that they agree).
 */
import { CupsBackendStatus } from '../cups/backend.js';
import type { FailureFacts, FailureKind } from './kinds.js';

/** Exit status of `lpfax send` (and the other commands). */
export enum LpfaxExit {
  OK = 0,
  /** The line, the far end or a busy modem: the same command may work later. */
  TRY_AGAIN = 1,
  /** The command line or lpfax.conf is wrong (also yargs' usage errors, which exit 1 or 2). */
  USAGE = 2,
  /** The document cannot be sent. */
  BAD_DOCUMENT = 3,
  /** The modem is missing or dead. */
  MODEM = 4,
  /** Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it. */
  CANCELLED = 130,
}

export interface FailureRow {
  /** The backend's exit code: what cupsd does with the job. */
  cups: CupsBackendStatus;
  /** CUPS tries the job again later (and it resumes at the first unconfirmed page). */
  retry: boolean;
  /** `lpfax send`'s exit status. */
  lpfax: LpfaxExit;
  /** What happened, as a clause without its ending; how it goes on is added per front end. */
  what(f: FailureFacts): string;
  /** The facts of README's example sentence (default: a failure before any page, on /dev/ttyUSB0). */
  example?: FailureFacts;
  /**
   * Receiving only (lpfax receive, the fax service): no CUPS job is behind it, so the sentence
   * never speaks of CUPS; `retry` then says the sender may send the page again.
   */
  receiving?: true;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const trimEnd = (s: string) => s.trim().replace(/[.;:,\s]+$/, '');

/** "1 of 3 pages" (or "1 page" when the total is unknown). */
function confirmedPages(f: FailureFacts): string {
  const n = f.pagesConfirmed ?? 0;
  return f.totalPages !== undefined ? `${n} of ${plural(f.totalPages, 'page')}` : plural(n, 'page');
}

/** " during page 2, after confirming 1 of 3 pages" — where in the fax the call ended. */
function where(f: FailureFacts, subject: 'far end' | 'other' = 'other'): string {
  const confirmed = (f.pagesConfirmed ?? 0) > 0;
  const during = f.page !== undefined ? ` during page ${f.page}` : '';
  if (!confirmed)
    return during || (f.totalPages !== undefined && subject === 'far end' ? ' before the first page' : '');
  return subject === 'far end'
    ? `${during}${during ? ',' : ''} after confirming ${confirmedPages(f)}`
    : `${during} (${confirmedPages(f)} confirmed)`;
}

/** README's examples: a failure before any page, on this modem … */
export const EXAMPLE_FACTS: FailureFacts = { device: '/dev/ttyUSB0', pid: 4242, totalPages: 3 };
/** … or with page 2 of 3 on the line, page 1 confirmed. */
const MID_CALL: FailureFacts = { pagesConfirmed: 1, page: 2 };

const modem = (f: FailureFacts) => (f.device ? `The modem ${f.device}` : 'The modem');
const retry = (lpfax = LpfaxExit.TRY_AGAIN) => ({ cups: CupsBackendStatus.RETRY, retry: true, lpfax });

export const FAILURE_TABLE: Record<FailureKind, FailureRow> = {
  busy: { ...retry(), what: () => 'The line is busy' },
  'no-answer': { ...retry(), what: () => 'Nobody answered' },
  'no-dial-tone': { ...retry(), what: () => 'The modem hears no dial tone (is the phone line plugged in?)' },
  'dial-restricted': {
    ...retry(),
    what: () => 'The modem refuses to dial this number for now (too many recent calls to it)',
  },
  'not-a-fax': { ...retry(), what: () => 'The number answered, but not as a fax machine' },
  incompatible: {
    ...retry(),
    what: () => 'The far fax machine cannot receive these pages (no common speed, width or coding)',
  },
  'training-failed': {
    ...retry(),
    what: (f) => `The line was too poor to send even at the slowest speed${where(f)}`,
  },
  'remote-disconnected': {
    ...retry(),
    example: MID_CALL,
    what: (f) => `The far end hung up${where(f, 'far end')}`,
  },
  'page-rejected': {
    ...retry(),
    example: MID_CALL,
    what: (f) =>
      `The far fax machine kept rejecting ${f.page !== undefined ? `page ${f.page}` : 'a page'} as unreadable` +
      ((f.pagesConfirmed ?? 0) > 0 ? ` (${confirmedPages(f)} confirmed)` : ''),
  },
  'protocol-timeout': {
    ...retry(),
    example: MID_CALL,
    what: (f) => `The far fax machine stayed not ready for too long${where(f)}`,
  },
  'protocol-error': {
    ...retry(),
    example: MID_CALL,
    what: (f) => `The far fax machine answered something unexpected${where(f)}`,
  },
  'modem-error': {
    ...retry(),
    example: MID_CALL,
    // A reason is an error lpfax did not expect (a bug, the system): said as it is.
    what: (f) => (f.reason ? trimEnd(f.reason) : `${modem(f)} failed${where(f)}`),
  },
  'storage-failed': {
    ...retry(),
    receiving: true,
    // Receiving only: the page is not confirmed (no MCF), so the sender knows it did not arrive.
    what: (f) =>
      `A received page could not be stored${f.reason ? ` (${trimEnd(f.reason)})` : ''}, so it was not confirmed${where(f)}`,
  },
  'modem-locked': {
    ...retry(),
    // With a reason: the fax service is in a call on it (lib/modem/line-share.ts).
    what: (f) =>
      f.reason
        ? trimEnd(f.reason)
        : `${modem(f)} is in use by another program${f.pid ? ` (process ${f.pid})` : ''}`,
  },
  'modem-missing': {
    cups: CupsBackendStatus.STOP,
    retry: false,
    lpfax: LpfaxExit.MODEM,
    what: (f) =>
      f.page !== undefined || (f.pagesConfirmed ?? 0) > 0
        ? `${modem(f)} went away${where(f)}`
        : `Cannot open ${modem(f).replace('The modem', 'the modem')}${f.reason ? ` (${trimEnd(f.reason)})` : ''}`,
    example: { reason: 'no such device' },
  },
  'modem-not-responding': {
    cups: CupsBackendStatus.STOP,
    retry: false,
    lpfax: LpfaxExit.MODEM,
    what: (f) => `${modem(f)} does not answer AT commands`,
  },
  'config-error': {
    cups: CupsBackendStatus.STOP,
    retry: false,
    lpfax: LpfaxExit.USAGE,
    what: (f) => trimEnd(f.reason ?? 'The fax configuration is wrong'),
    example: { reason: 'lpfax.conf line 3: unknown key ModemSpeed' },
  },
  'no-number': {
    cups: CupsBackendStatus.HOLD,
    retry: false,
    lpfax: LpfaxExit.USAGE,
    // The reason says how to give the number and release the job; it may end in a command to
    // copy, which a full stop would spoil.
    what: (f) => f.reason?.trim() ?? 'The job has no fax number.',
    example: {
      reason: "No fax number in the job name. Give the number with: lp -i 7 -o phone='Name@number' -H resume",
    },
  },
  'forbidden-number': {
    cups: CupsBackendStatus.HOLD,
    retry: false,
    lpfax: LpfaxExit.USAGE,
    what: (f) => f.reason?.trim() ?? 'The dial policy forbids this number.',
    example: { reason: 'Faxes to 19005550100 are not allowed here: DialDeny 1900*.' },
  },
  'subaddress-unsupported': {
    cups: CupsBackendStatus.HOLD,
    retry: false,
    lpfax: LpfaxExit.USAGE,
    what: () =>
      'The far end does not accept a subaddress, so the fax was not sent: it could reach the wrong desk. ' +
      'Send it without the #subaddress, or set SubaddressFallback: send-without.',
  },
  'bad-document': {
    cups: CupsBackendStatus.CANCEL,
    retry: false,
    lpfax: LpfaxExit.BAD_DOCUMENT,
    what: (f) => trimEnd(f.reason ?? 'The document cannot be read'),
    example: { reason: 'The document could not be read: Ghostscript found no pages' },
  },
  cancelled: {
    cups: CupsBackendStatus.CANCEL,
    retry: false,
    lpfax: LpfaxExit.CANCELLED,
    example: MID_CALL,
    what: (f) => `The fax was cancelled${where(f)}`,
  },
};

/** Which program shows the sentence: the CUPS backend (cupsd retries) or `lpfax send`. */
export type FailureFront = 'cups' | 'lpfax';

/** How it goes on, in the front end's terms. */
function ending(kind: FailureKind, row: FailureRow, f: FailureFacts, front: FailureFront): string {
  if (row.cups === CupsBackendStatus.HOLD) return ''; // the reason is the whole sentence
  // A received page: whatever the front, it is the sender that may try again.
  if (row.receiving) return row.retry ? '; the sender may send it again.' : '.';
  if (row.retry && f.gaveUp) return `; the job gave up ${f.gaveUp}.`;
  if (front === 'lpfax') return row.retry ? '; try again later.' : '.';
  switch (row.cups) {
    case CupsBackendStatus.RETRY: {
      const next = (f.pagesConfirmed ?? 0) + 1;
      const from = (f.pagesConfirmed ?? 0) > 0 ? ` from page ${next}` : '';
      return `; CUPS will try again${from}.`;
    }
    case CupsBackendStatus.STOP:
      return '; the fax queue is stopped until this is fixed.';
    case CupsBackendStatus.CANCEL:
      return kind === 'cancelled' ? '.' : '; the job is cancelled.';
    default:
      return '';
  }
}

/** The one sentence the user reads for this failure. */
export function failureSentence(kind: FailureKind, facts: FailureFacts, front: FailureFront): string {
  const row = FAILURE_TABLE[kind];
  const done =
    facts.recipients !== undefined && facts.recipients > 1
      ? ` (${facts.recipientsDone ?? 0} of ${facts.recipients} recipients done)`
      : '';
  return `${row.what(facts)}${done}${ending(kind, row, facts, front)}`;
}

const CUPS_NAME: Record<number, string> = {
  [CupsBackendStatus.RETRY]: 'RETRY (6)',
  [CupsBackendStatus.HOLD]: 'HOLD (3)',
  [CupsBackendStatus.STOP]: 'STOP (4)',
  [CupsBackendStatus.CANCEL]: 'CANCEL (5)',
};

/** The table as README.md shows it: one row per kind, with an example sentence. */
export function failureTableMarkdown(): string {
  const lines = [
    '| kind | what CUPS shows (an example) | exit code | CUPS retries | `lpfax send` exits |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [kind, row] of Object.entries(FAILURE_TABLE) as [FailureKind, FailureRow][]) {
    const facts = { ...EXAMPLE_FACTS, ...row.example };
    const sentence = failureSentence(kind, facts, 'cups').replace(/\|/g, '\\|');
    lines.push(
      row.receiving
        ? `| \`${kind}\` | ${sentence} | — (receiving) | — | ${row.lpfax} |`
        : `| \`${kind}\` | ${sentence} | ${CUPS_NAME[row.cups]} | ${row.retry ? 'yes' : 'no'} | ${row.lpfax} |`,
    );
  }
  return lines.join('\n');
}
