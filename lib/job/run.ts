/**
 * One CUPS fax job: every recipient in order, one call each, resuming a retried job where the
 * last run stopped (lib/job/progress). The pieces that touch the world — rasterising pages and
 * placing a call — come in as functions, so this order of work is the same for the backend and
 * for `lpfax send`.
 */
import { CupsBackendStatus } from '../cups/backend.js';
import { FaxJobError } from './outcome.js';
import type { JobProgress, ProgressStore } from './progress.js';

export interface JobRecipient {
  /** The name for the cover page and the status line, when the title gave one. */
  name?: string;
  /** The number as the user wrote it, for messages. */
  number: string;
  /** What the modem dials (lib/recipient): digits and dial modifiers only. */
  dialString: string;
  /** T.30 subaddress (SUB) digits from `number#subaddress`, when given. */
  subaddress?: string;
}

export interface CallRequest<Page> {
  recipient: JobRecipient;
  /** The pages still to send: page numbers `firstPage`…`totalPages` of this fax (1-based). */
  pages: AsyncIterable<Page>;
  firstPage: number;
  totalPages: number;
  /** The fax's number of the call's page `indexInCall` (0-based, as the engine counts them). */
  pageNumber(indexInCall: number): number;
  signal: AbortSignal;
  /** Called as the far end confirms each page (MCF), with that page's number in the fax. */
  onPageConfirmed(pageNumber: number): Promise<void>;
}

export interface CallSummary {
  pagesConfirmed: number;
  seconds: number;
}

export interface PreparedFax<Page> {
  totalPages: number;
  /** Where a retried fax starts: the page after the last one the far end confirmed. */
  resumeAt(pagesConfirmed: number): number;
  /** Pages from `first` (1-based) to the end, produced lazily. */
  pagesFrom(first: number): AsyncIterable<Page>;
  /** Why producing pages failed, if it did: a better reason than the call's own failure. */
  failure(): FaxJobError | undefined;
  /** Stops any work still under way and removes temporary files. */
  close(): Promise<void>;
}

export interface JobEvents {
  recipientStarted(recipient: JobRecipient, index: number, count: number): void;
  recipientDelivered(recipient: JobRecipient, pages: number, seconds: number): void;
}

/** The job's own limits on CUPS's retries (IPP number-of-retries, retry-time-out; PWG 5100.15). */
export interface RetryLimits {
  /** Retries after the first run; 0: never retry. */
  retries?: number;
  /** Seconds from the first run after which no retry starts. */
  timeOutSeconds?: number;
}

export interface FaxJob<Page> {
  recipients: JobRecipient[];
  retryLimits?: RetryLimits;
  store: ProgressStore;
  signal: AbortSignal;
  events: JobEvents;
  /** The fax for one recipient (its cover page names it); throws a FaxJobError on a bad document. */
  prepare(recipient: JobRecipient): Promise<PreparedFax<Page>>;
  /** One call; resolves when every page was confirmed, else throws a FaxJobError. */
  call(request: CallRequest<Page>): Promise<CallSummary>;
}

export interface JobOutcome {
  status: CupsBackendStatus;
  /** The last sentence for the user: what was delivered, or why not. */
  message: string;
  error?: FaxJobError;
}

export async function runFaxJob<Page>(job: FaxJob<Page>): Promise<JobOutcome> {
  const progress: JobProgress = await job.store.load(job.recipients.map((r) => r.dialString));
  const limits = job.retryLimits;
  if (limits && (limits.retries !== undefined || limits.timeOutSeconds !== undefined)) {
    // Counted on disk, as the pages are: each CUPS retry is a new backend run.
    progress.runs = (progress.runs ?? 0) + 1;
    progress.firstRunAt ??= Date.now();
    await job.store.save(progress);
  }
  let delivered = 0;
  for (const [index, recipient] of job.recipients.entries()) {
    const state = progress.recipients[index];
    if (state.delivered) {
      delivered++;
      continue;
    }
    try {
      if (job.signal.aborted) throw new FaxJobError('cancelled', 'The job was cancelled.');
      job.events.recipientStarted(recipient, index, job.recipients.length);
      const fax = await job.prepare(recipient);
      const firstPage = fax.resumeAt(state.pagesConfirmed);
      let summary: CallSummary;
      try {
        // The far end confirmed every page before an earlier run's call failed (in phase E, say):
        // it has the fax, and sending the last page again would fax and count it twice.
        if (state.pagesConfirmed >= fax.totalPages) {
          summary = { pagesConfirmed: 0, seconds: 0 };
        } else {
          summary = await job.call({
            recipient,
            pages: fax.pagesFrom(firstPage),
            firstPage,
            totalPages: fax.totalPages,
            pageNumber: (indexInCall) => firstPage + indexInCall,
            signal: job.signal,
            onPageConfirmed: async (pageNumber) => {
              state.pagesConfirmed = Math.max(state.pagesConfirmed, pageNumber);
              await job.store.save(progress);
            },
          });
        }
      } catch (e) {
        throw fax.failure() ?? e;
      } finally {
        await fax.close();
      }
      state.delivered = true;
      state.pagesConfirmed = fax.totalPages;
      await job.store.save(progress);
      delivered++;
      job.events.recipientDelivered(recipient, fax.totalPages, summary.seconds);
    } catch (e) {
      const failed =
        e instanceof FaxJobError
          ? e
          : new FaxJobError('modem-error', `The fax engine failed: ${String(e)}`, e);
      let error =
        job.recipients.length > 1
          ? failed.with({ recipientsDone: delivered, recipients: job.recipients.length })
          : failed;
      const gaveUp =
        error.exitStatus === CupsBackendStatus.RETRY ? retriesUsedUp(progress, limits) : undefined;
      if (gaveUp) error = error.with({ gaveUp });
      // A job that can never succeed needs no progress kept; one that may be retried does.
      if (error.exitStatus === CupsBackendStatus.CANCEL) await job.store.remove();
      return { status: error.exitStatus, message: error.message, error };
    }
  }
  await job.store.remove();
  const who = job.recipients.length === 1 ? describeRecipient(job.recipients[0]) : `${delivered} recipients`;
  return { status: CupsBackendStatus.OK, message: `Delivered to ${who}.` };
}

/** Why no retry may follow this run, or undefined while the job's limits allow one. */
function retriesUsedUp(progress: JobProgress, limits: RetryLimits | undefined): string | undefined {
  const runs = progress.runs ?? 1;
  if (limits?.retries !== undefined && runs > limits.retries) {
    const n = runs - 1;
    return n === 0
      ? 'at once (number-of-retries 0)'
      : `after ${n} ${n === 1 ? 'retry' : 'retries'} (number-of-retries)`;
  }
  const seconds = (Date.now() - (progress.firstRunAt ?? Date.now())) / 1000;
  if (limits?.timeOutSeconds !== undefined && seconds >= limits.timeOutSeconds) {
    return `after ${Math.round(seconds)} s of retries (retry-time-out ${limits.timeOutSeconds} s)`;
  }
  return undefined;
}

export function describeRecipient(r: JobRecipient): string {
  return r.name ? `${r.name} (${r.number})` : r.number;
}
