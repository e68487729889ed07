/**
 * The failure table (lib/failure): every kind has a row, every row is consistent, every sentence
 * is one sentence a person can read, README shows this very table, and each kind reaches CUPS
 * as its exit code and one ERROR: line. How the modem driver's errors become kinds
 * (lib/fax/modem-failure.ts) is checked here too; the kinds the simulated line can produce go
 * through the real backend in test/backend.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CupsBackendStatus, stderrReporter } from '../../lib/cups/backend.js';
import {
  FAILURE_TABLE,
  LpfaxExit,
  failureSentence,
  failureTableMarkdown,
  type FailureFacts,
  type FailureKind,
} from '../../lib/failure/index.js';
import { failureKindOf, type ModemStage } from '../../lib/fax/index.js';
import { reportFailure } from '../../lib/job/backend-job.js';
import { FaxJobError } from '../../lib/job/outcome.js';
import { ProgressStore } from '../../lib/job/progress.js';
import { runFaxJob, type FaxJob } from '../../lib/job/run.js';
import type { ModemErrorKind } from '../../lib/modem/index.js';

/** Every kind, written out: with the Record type, a kind added to one and not the other fails. */
const KINDS: Record<FailureKind, true> = {
  busy: true,
  'no-answer': true,
  'no-dial-tone': true,
  'dial-restricted': true,
  'not-a-fax': true,
  incompatible: true,
  'training-failed': true,
  'remote-disconnected': true,
  'page-rejected': true,
  'protocol-timeout': true,
  'protocol-error': true,
  'modem-error': true,
  'storage-failed': true,
  'modem-locked': true,
  'modem-missing': true,
  'modem-not-responding': true,
  'config-error': true,
  'no-number': true,
  'forbidden-number': true,
  'subaddress-unsupported': true,
  'bad-document': true,
  cancelled: true,
};
const kinds = Object.keys(KINDS) as FailureKind[];

/** The facts a failure may come with: before the call, mid-page, between pages, with a reason. */
const FACTS: FailureFacts[] = [
  {},
  { device: '/dev/ttyUSB0', totalPages: 3 },
  { pagesConfirmed: 1, page: 2, totalPages: 3, device: '/dev/ttyS0' },
  { pagesConfirmed: 2, totalPages: 3 },
  { reason: 'The document could not be read: Ghostscript found no pages.', detail: 'gs exit 1' },
  { pagesConfirmed: 0, page: 1, totalPages: 1, recipients: 3, recipientsDone: 1 },
];

/** Words of the modem dialogue a user must never read. */
const MODEM_TALK = /\bAT[+A-Z]|\+F[A-Z]{2}|\bNO CARRIER\b|\bERROR\b|\bCONNECT\b|\bDCN\b|\bT[1-5]\b/;

describe('the failure table', () => {
  it('has one row per kind, and nothing else', () => {
    expect(Object.keys(FAILURE_TABLE).sort()).toEqual([...kinds].sort());
  });

  it.each(kinds)('%s: the exit codes agree with the retry column', (kind) => {
    const row = FAILURE_TABLE[kind];
    expect(row.retry).toBe(row.cups === CupsBackendStatus.RETRY);
    expect([
      CupsBackendStatus.RETRY,
      CupsBackendStatus.HOLD,
      CupsBackendStatus.STOP,
      CupsBackendStatus.CANCEL,
    ]).toContain(row.cups);
    expect(row.lpfax).not.toBe(LpfaxExit.OK);
    expect(row.lpfax === LpfaxExit.TRY_AGAIN).toBe(row.retry);
  });

  it.each(kinds)('%s: one readable sentence for CUPS and for lpfax, whatever the facts', (kind) => {
    const row = FAILURE_TABLE[kind];
    for (const facts of FACTS) {
      const cups = failureSentence(kind, facts, 'cups');
      const cli = failureSentence(kind, facts, 'lpfax');
      for (const s of [cups, cli]) {
        expect(s).toMatch(/^[A-Z]/);
        expect(s).not.toMatch(/[\n\r]|undefined|NaN|\.\.|;;|\s[;,.]/);
        expect(s).not.toMatch(MODEM_TALK);
        if (facts.detail) expect(s).not.toContain(facts.detail);
      }
      // Whether CUPS tries again is said in CUPS; lpfax never speaks of CUPS, nor does a
      // failure of receiving (no CUPS job is behind it).
      expect(cups.includes('CUPS will try again')).toBe(row.retry && !row.receiving);
      expect(cli).not.toMatch(/CUPS/);
      if (row.receiving) expect(cups).toBe(cli);
      // A retry resumes at the first unconfirmed page, and says so.
      if (row.retry && !row.receiving && (facts.pagesConfirmed ?? 0) > 0)
        expect(cups).toContain(`from page ${facts.pagesConfirmed! + 1}`);
      if (facts.recipients) expect(cups).toContain('(1 of 3 recipients done)');
    }
  });

  it('names the far end hanging up with the page on the line and the pages confirmed', () => {
    const facts = { pagesConfirmed: 1, page: 2, totalPages: 3 };
    expect(failureSentence('remote-disconnected', facts, 'cups')).toBe(
      'The far end hung up during page 2, after confirming 1 of 3 pages; CUPS will try again from page 2.',
    );
    expect(failureSentence('remote-disconnected', facts, 'lpfax')).toBe(
      'The far end hung up during page 2, after confirming 1 of 3 pages; try again later.',
    );
    expect(failureSentence('remote-disconnected', { pagesConfirmed: 0, totalPages: 3 }, 'cups')).toBe(
      'The far end hung up before the first page; CUPS will try again.',
    );
    expect(failureSentence('remote-disconnected', { pagesConfirmed: 2, totalPages: 3 }, 'cups')).toBe(
      'The far end hung up after confirming 2 of 3 pages; CUPS will try again from page 3.',
    );
  });

  it('says of a page that could not be stored that the sender may send it again, not CUPS', () => {
    const facts = { pagesConfirmed: 1, page: 2, reason: 'no space left on device' };
    const sentence =
      'A received page could not be stored (no space left on device), so it was not confirmed during page 2 (1 page confirmed); the sender may send it again.';
    expect(failureSentence('storage-failed', facts, 'cups')).toBe(sentence);
    expect(failureSentence('storage-failed', facts, 'lpfax')).toBe(sentence);
  });

  it('is what README.md shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = /<!-- failure-table[^>]*-->\n([\s\S]*?)\n<!-- \/failure-table -->/.exec(readme)?.[1];
    expect(shown).toBe(failureTableMarkdown());
  });
});

describe('each kind reaches CUPS', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lpfax-failure-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** One recipient whose call ends with this failure, after confirming page 1 of 3. */
  function failingJob(error: FaxJobError): FaxJob<number> {
    return {
      recipients: [{ number: '555-0100', dialString: '5550100' }],
      store: new ProgressStore(dir, 'urn:uuid:failure'),
      signal: new AbortController().signal,
      events: { recipientStarted: () => undefined, recipientDelivered: () => undefined },
      prepare: async () => ({
        totalPages: 3,
        resumeAt: (pagesConfirmed: number) => Math.min(pagesConfirmed + 1, 3),
        async *pagesFrom(first: number) {
          for (let p = first; p <= 3; p++) yield p;
        },
        failure: () => undefined,
        close: async () => undefined,
      }),
      call: async (request) => {
        await request.onPageConfirmed(1);
        throw error;
      },
    };
  }

  it.each(kinds)('%s: the exit code of its row and one ERROR: line with its sentence', async (kind) => {
    const facts = { pagesConfirmed: 1, page: 2, totalPages: 3, device: '/dev/ttyS0', reason: 'Because.' };
    const outcome = await runFaxJob(failingJob(new FaxJobError(kind, facts)));
    expect(outcome.status).toBe(FAILURE_TABLE[kind].cups);
    const lines: string[] = [];
    reportFailure(
      stderrReporter((s) => lines.push(s)),
      outcome.error!,
    );
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^DEBUG: failure: ${kind}\\b`)),
      `ERROR: ${failureSentence(kind, facts, 'cups')}\n`,
    ]);
    // A job that may be retried keeps its progress (page 1 is not sent again); others do not.
    expect(readdirSync(dir).length).toBe(FAILURE_TABLE[kind].cups === CupsBackendStatus.CANCEL ? 0 : 1);
  });
});

describe("the modem driver's errors, as failure kinds (lib/fax/modem-failure)", () => {
  const modemKinds: ModemErrorKind[] = [
    'timeout',
    'no-response',
    'unexpected-response',
    'device-gone',
    'open-failed',
    'locked',
    'lock-failed',
    'busy',
    'no-answer',
    'no-dial-tone',
    'no-carrier',
    'dial-restricted',
    'wrong-carrier',
    'bad-frame',
    'error',
    'invalid-argument',
    'cancelled',
  ];

  it('gives every driver error a kind of the table at every stage', () => {
    for (const stage of ['open', 'dial', 'call'] as ModemStage[])
      for (const k of modemKinds) expect(FAILURE_TABLE[failureKindOf(k, stage)]).toBeDefined();
  });

  it.each([
    ['dial', 'no-carrier', 'not-a-fax'],
    ['dial', 'busy', 'busy'],
    ['dial', 'no-dial-tone', 'no-dial-tone'],
    ['dial', 'dial-restricted', 'dial-restricted'],
    ['call', 'no-carrier', 'remote-disconnected'],
    ['call', 'error', 'remote-disconnected'],
    ['call', 'timeout', 'modem-error'],
    ['call', 'device-gone', 'modem-missing'],
    ['call', 'cancelled', 'cancelled'],
    ['open', 'timeout', 'modem-not-responding'],
    ['open', 'no-response', 'modem-not-responding'],
    ['open', 'open-failed', 'modem-missing'],
    ['open', 'locked', 'modem-locked'],
    ['open', 'lock-failed', 'config-error'],
  ] as [ModemStage, ModemErrorKind, FailureKind][])('%s: %s is %s', (stage, modemKind, kind) => {
    expect(failureKindOf(modemKind, stage)).toBe(kind);
  });
});
