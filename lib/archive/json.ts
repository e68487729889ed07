/**
 * The records as `lpfax received --json` and `lpfax sent --json` print them (issue 15's field
 * names; times as ISO 8601 strings, durations in seconds).
 */
import type { ReceivedFax, SentFax } from './records.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function receivedJson(fax: ReceivedFax) {
  return {
    id: fax.id,
    receivedAt: iso(fax.receivedAt),
    remoteId: fax.remoteId,
    callerId: fax.callerId,
    callerName: fax.callerName,
    subaddress: fax.subaddress,
    pages: fax.pages,
    result: fax.result,
    failure: fax.failureSentence,
    bitRate: fax.bitRate,
    coding: fax.coding,
    ecm: fax.ecm,
    resolution: fax.resolution,
    badLines: fax.badLines,
    durationSeconds: fax.durationSeconds,
    pdf: fax.pdf,
    tiff: fax.tiff,
    read: fax.read,
    archived: fax.archived,
    deletedAt: iso(fax.deletedAt),
    delivery: fax.delivery.status,
  };
}

export function sentJson(sent: SentFax) {
  return {
    id: sent.id,
    jobId: sent.jobId,
    user: sent.user,
    recipient: sent.recipientName,
    number: sent.number,
    result: sent.result,
    failure: sent.failureSentence,
    pagesConfirmed: sent.pagesConfirmed,
    pages: sent.pages,
    remoteCsi: sent.remoteCsi,
    bitRate: sent.bitRate,
    coding: sent.coding,
    ecm: sent.ecm,
    durationSeconds: sent.durationSeconds,
    attempts: sent.attempts,
    report: sent.report,
    finishedAt: iso(sent.finishedAt),
  };
}
