import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CupsBackendStatus } from '../../lib/cups/backend.js';
import { FaxJobError } from '../../lib/job/outcome.js';
import { ProgressStore } from '../../lib/job/progress.js';
import { runFaxJob, type CallRequest, type FaxJob, type JobRecipient } from '../../lib/job/run.js';

const pharmacy: JobRecipient = { name: 'Pharmacy', number: '555-0100', dialString: '5550100' };
const clinic: JobRecipient = { number: '555-0200', dialString: '5550200' };

/** A far end scripted per call: confirm up to `confirm` pages, then fail with `fail` (if any). */
type Script = { confirm: number; fail?: FaxJobError };

function makeJob(dir: string, scripts: Script[], recipients = [pharmacy, clinic]) {
  const calls: { dialString: string; firstPage: number; pagesSeen: number[] }[] = [];
  const events: string[] = [];
  const job: FaxJob<number> = {
    recipients,
    store: new ProgressStore(dir, 'urn:uuid:0f3a'),
    signal: new AbortController().signal,
    events: {
      recipientStarted: (r) => events.push(`start ${r.dialString}`),
      recipientDelivered: (r, pages) => events.push(`delivered ${r.dialString} ${pages}`),
    },
    prepare: async () => ({
      totalPages: 4,
      resumeAt: (pagesConfirmed: number) => Math.min(pagesConfirmed + 1, 4),
      async *pagesFrom(first: number) {
        for (let p = first; p <= 4; p++) yield p;
      },
      failure: () => undefined,
      close: async () => undefined,
    }),
    call: async (req: CallRequest<number>) => {
      const script = scripts.shift();
      if (!script) throw new Error('unexpected call');
      const seen: number[] = [];
      calls.push({ dialString: req.recipient.dialString, firstPage: req.firstPage, pagesSeen: seen });
      for await (const page of req.pages) {
        if (seen.length === script.confirm) break;
        seen.push(page);
        await req.onPageConfirmed(page);
      }
      if (script.fail) throw script.fail;
      return { pagesConfirmed: seen.length, seconds: 1 };
    },
  };
  return { job, calls, events };
}

describe('a fax job over several runs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lpfax-job-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes at the first unconfirmed page and never re-sends a delivered recipient', async () => {
    const hangUp = new FaxJobError('remote-disconnected', { pagesConfirmed: 2, page: 3, totalPages: 4 });
    // Run 1: pharmacy gets everything, the clinic hangs up after 2 pages.
    const run1 = makeJob(dir, [{ confirm: 4 }, { confirm: 2, fail: hangUp }]);
    const out1 = await runFaxJob(run1.job);
    expect(out1.status).toBe(CupsBackendStatus.RETRY);
    expect(out1.message).toBe(
      'The far end hung up during page 3, after confirming 2 of 4 pages (1 of 2 recipients done); ' +
        'CUPS will try again from page 3.',
    );
    expect(run1.calls).toEqual([
      { dialString: '5550100', firstPage: 1, pagesSeen: [1, 2, 3, 4] },
      { dialString: '5550200', firstPage: 1, pagesSeen: [1, 2] },
    ]);

    // Run 2 (the CUPS retry): only the clinic is called, from page 3.
    const run2 = makeJob(dir, [{ confirm: 4 }]);
    const out2 = await runFaxJob(run2.job);
    expect(out2).toEqual({ status: CupsBackendStatus.OK, message: 'Delivered to 2 recipients.' });
    expect(run2.calls).toEqual([{ dialString: '5550200', firstPage: 3, pagesSeen: [3, 4] }]);
    expect(run2.events).toEqual(['start 5550200', 'delivered 5550200 4']);

    // Run 3 would start afresh: the finished job left no progress behind.
    expect(await new ProgressStore(dir, 'urn:uuid:0f3a').load(['5550100'])).toEqual({
      recipients: [{ dialString: '5550100', delivered: false, pagesConfirmed: 0 }],
    });
  });

  it('does not send the last page again when the far end confirmed every page before the call failed', async () => {
    // Run 1: all 4 pages confirmed (MCF), then the call fails in phase E.
    const hangUp = new FaxJobError('remote-disconnected', { pagesConfirmed: 4, totalPages: 4 });
    const run1 = makeJob(dir, [{ confirm: 4, fail: hangUp }], [pharmacy]);
    expect((await runFaxJob(run1.job)).status).toBe(CupsBackendStatus.RETRY);

    // Run 2: no call, no page counted twice; the recipient is delivered.
    const run2 = makeJob(dir, [], [pharmacy]);
    expect(await runFaxJob(run2.job)).toEqual({
      status: CupsBackendStatus.OK,
      message: 'Delivered to Pharmacy (555-0100).',
    });
    expect(run2.calls).toEqual([]);
    expect(run2.events).toEqual(['start 5550100', 'delivered 5550100 4']);
  });

  it('cancels a job once its own number-of-retries or retry-time-out is used up', async () => {
    const busy = () => new FaxJobError('busy', {});
    const run = async (limits: { retries?: number; timeOutSeconds?: number }) => {
      const r = makeJob(dir, [{ confirm: 0, fail: busy() }], [pharmacy]);
      r.job.retryLimits = limits;
      return runFaxJob(r.job);
    };
    // number-of-retries 1: the first run may be retried, the second may not.
    expect((await run({ retries: 1 })).status).toBe(CupsBackendStatus.RETRY);
    const second = await run({ retries: 1 });
    expect(second.status).toBe(CupsBackendStatus.CANCEL);
    expect(second.message).toBe('The line is busy; the job gave up after 1 retry (number-of-retries).');
    // Cancelled for good: the next job with this key starts afresh.
    expect((await run({ retries: 0 })).message).toBe(
      'The line is busy; the job gave up at once (number-of-retries 0).',
    );
    // retry-time-out 0: no retry starts after the first run.
    expect((await run({ timeOutSeconds: 0 })).message).toMatch(
      /^The line is busy; the job gave up after 0 s of retries \(retry-time-out 0 s\)\.$/,
    );
    // Without limits, CUPS's own JobRetryLimit alone decides.
    expect((await run({})).status).toBe(CupsBackendStatus.RETRY);
  });

  it('maps each failure to its CUPS exit code', async () => {
    const cases: [FaxJobError, CupsBackendStatus][] = [
      [new FaxJobError('busy', 'The line is busy.'), CupsBackendStatus.RETRY],
      [new FaxJobError('bad-document', 'The document cannot be read.'), CupsBackendStatus.CANCEL],
      [new FaxJobError('modem-missing', 'No modem at /dev/ttyS0.'), CupsBackendStatus.STOP],
      [new FaxJobError('forbidden-number', 'Calls to 1900 numbers are not allowed.'), CupsBackendStatus.HOLD],
    ];
    for (const [error, status] of cases) {
      const { job } = makeJob(dir, [{ confirm: 0, fail: error }], [pharmacy]);
      const out = await runFaxJob(job);
      expect(out.status).toBe(status);
      expect(out.message).toBe(error.message);
    }
  });

  it('turns an untyped engine failure into a retry with the reason', async () => {
    const { job } = makeJob(dir, [], [pharmacy]);
    const out = await runFaxJob(job);
    expect(out.status).toBe(CupsBackendStatus.RETRY);
    expect(out.message).toBe('The fax engine failed: Error: unexpected call; CUPS will try again.');
  });

  it('says who got the fax when there is one recipient', async () => {
    const { job } = makeJob(dir, [{ confirm: 4 }], [pharmacy]);
    expect((await runFaxJob(job)).message).toBe('Delivered to Pharmacy (555-0100).');
  });
});
