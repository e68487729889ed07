/**
 * The backend's record of a finished CUPS job in the fax service's archive (issue 15): job id,
 * user, recipient, number, pages, confirmed, failure kind and sentence, remote CSI, rate,
 * duration, and a transmission report PDF (lib/report) in the job's archive folder.
 *
 * Only when the archive exists (the service made SpoolDir, owned by lp like the backend): a
 * backend never creates a spool, and a record that cannot be written never fails the fax.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FaxArchive, type SentFax, type SentFaxInput } from '../archive/index.js';
import type { FaxSettings } from '../config/index.js';
import type { FaxResult } from '../fax/index.js';
import { printFile } from '../delivery/index.js';
import { resultSentenceOf, transmissionFactsOf, writeTransmissionReport } from '../report/index.js';
import type { CupsReporter } from '../cups/backend.js';
import { StatusReporter } from './status.js';
import type { FaxJobError } from './outcome.js';
import type { JobRecipient } from './run.js';

export interface SentJobFacts {
  jobId: number;
  user: string;
  recipient: JobRecipient;
  /** The last call's result, if a call was made. */
  result?: FaxResult;
  /** Pages of the fax (the cover page included), when known. */
  pages?: number;
  error?: FaxJobError;
  startedAt: Date;
  finishedAt?: Date;
}

/** The archive's record of a finished job, from its facts. */
export function sentFaxInput(facts: SentJobFacts): SentFaxInput {
  const r = facts.result;
  const confirmed = facts.error?.facts.pagesConfirmed ?? r?.pagesConfirmed ?? 0;
  const pages = facts.pages ?? facts.error?.facts.totalPages ?? Math.max(confirmed, r?.pagesConfirmed ?? 0);
  return {
    jobId: facts.jobId,
    user: facts.user,
    recipientName: facts.recipient.name ?? null,
    number: facts.recipient.number,
    pages,
    pagesConfirmed: facts.error ? confirmed : pages,
    result: facts.error ? facts.error.kind : 'sent',
    failureKind: facts.error?.kind ?? null,
    failureSentence: facts.error ? facts.error.sentence('lpfax') : null,
    remoteCsi: r?.remoteIdent ?? null,
    bitRate: r?.bitRate ?? null,
    coding: r?.coding ?? null,
    ecm: r ? r.ecm : null,
    resolution: r?.resolution ?? null,
    durationSeconds: r ? Math.round(r.durationMs / 100) / 10 : null,
    startedAt: facts.startedAt,
    finishedAt: facts.finishedAt ?? new Date(),
  };
}

/** Files the job in the archive and writes its report; null when there is no archive. */
export async function recordSentJob(settings: FaxSettings, facts: SentJobFacts): Promise<SentFax | null> {
  const spool = settings.service.spoolDir;
  if (!existsSync(join(spool, 'archive.db'))) return null;
  const archive = new FaxArchive({ spool });
  try {
    const sent = archive.recordSent(sentFaxInput(facts));
    const report = join(archive.sentDir(sent.id), 'report.pdf');
    await writeTransmissionReport(transmissionFactsOf(sent), null, report, {});
    archive.setSentReport(sent.id, report);
    return archive.sent(sent.id) ?? sent;
  } finally {
    archive.close();
  }
}

/** What one recipient came to in this run, for its record. */
export interface RecipientOutcome {
  recipient: JobRecipient;
  /** Its last call's result, if a call was made. */
  result?: FaxResult;
  /** Pages delivered, when the far end confirmed them all. */
  deliveredPages?: number;
  startedAt: Date;
  finishedAt?: Date;
}

/** The job's status lines, keeping each recipient's outcome (and the last call's result). */
export class RecordingStatus extends StatusReporter {
  lastResult?: FaxResult;
  /** The recipients this run worked on, by their index in the job. */
  readonly outcomes = new Map<number, RecipientOutcome>();
  private current: number | undefined;

  constructor(cups: CupsReporter) {
    super(cups);
  }
  override recipientStarted(recipient: JobRecipient, index: number, count: number): void {
    this.current = index;
    this.outcomes.set(index, { recipient, startedAt: new Date() });
    super.recipientStarted(recipient, index, count);
  }
  override recipientDelivered(recipient: JobRecipient, pages: number, seconds: number): void {
    const outcome = this.current === undefined ? undefined : this.outcomes.get(this.current);
    if (outcome) Object.assign(outcome, { deliveredPages: pages, finishedAt: new Date() });
    super.recipientDelivered(recipient, pages, seconds);
  }
  override result(r: FaxResult): void {
    this.lastResult = r;
    const outcome = this.current === undefined ? undefined : this.outcomes.get(this.current);
    if (outcome) outcome.result = r;
    super.result(r);
  }
}

/**
 * The confirmation sheet an IPP client asked for (PWG 5100.15 confirmation-sheet-print): the
 * job's transmission report, printed on the queue lpfax.conf names (ConfirmationPrinter) as the
 * job's user. The archive's report when the job was recorded, else one made in `workdir`.
 * Resolves with the print job's id.
 */
export async function printConfirmationSheet(
  queue: string,
  facts: SentJobFacts,
  recorded: SentFax | null,
  workdir: string,
): Promise<string | undefined> {
  let report = recorded?.report ?? null;
  if (!report) {
    const input = sentFaxInput(facts);
    const sent: SentFax = {
      id: 0,
      recipientName: null,
      failureKind: null,
      failureSentence: null,
      remoteCsi: null,
      bitRate: null,
      coding: null,
      ecm: null,
      resolution: null,
      durationSeconds: null,
      attempts: 1,
      ...input,
      startedAt: input.startedAt ?? null,
      report: null,
    };
    report = join(workdir, `confirmation-${facts.jobId}.pdf`);
    await writeTransmissionReport(transmissionFactsOf(sent, resultSentenceOf(sent)), null, report, {});
  }
  return printFile(queue, report, `Fax confirmation: job ${facts.jobId} to ${facts.recipient.number}`, {
    user: facts.user,
  });
}
