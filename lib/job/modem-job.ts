/**
 * A fax job over the modem, as the CUPS backend and `lpfax send` both run it: each recipient's
 * pages (cover page, documents, tagline) prepared by lib/job/pages, sent in one call per
 * recipient over the configured Class 1 modem (lib/job/call), and reported through a JobStatus
 * (StatusReporter for CUPS, bin/terminal-status.ts for `lpfax send`). The two front ends differ
 * only in where the settings, recipients, documents and progress store come from.
 */
import type { FaxSettings } from '../config/index.js';
import type { FaxPage } from '../t4/index.js';
import { callOverModem } from './call.js';
import { coverAndTagline, prepareFaxPages } from './pages.js';
import type { ProgressStore } from './progress.js';
import type { FaxJob, JobRecipient, RetryLimits } from './run.js';
import type { JobStatus } from './status.js';

export interface ModemJobOptions {
  settings: FaxSettings;
  recipients: JobRecipient[];
  /** One file, or several sent as separate documents of each call. */
  documents: string | readonly string[];
  store: ProgressStore;
  /** The job's own limits on retries (IPP FaxOut attributes), if it gives any. */
  retryLimits?: RetryLimits;
  signal: AbortSignal;
  status: JobStatus;
  /** Who sends (cover page and tagline), and what the cover page says besides. */
  cover: {
    sender: string;
    jobId?: number;
    subject?: string;
    comments?: string;
    tagline?: boolean;
    organisation?: string;
    asked?: boolean;
  };
  /** Private folder for temporary files. */
  workdir: string;
  /** Ghostscript runs as this user (the backend, when started as root). */
  owner?: { uid: number; gid: number };
  /** The modem dialogue and the engine's events, line by line. */
  trace?: (line: string) => void;
}

export function modemFaxJob(o: ModemJobOptions): FaxJob<FaxPage> {
  return {
    recipients: o.recipients,
    store: o.store,
    retryLimits: o.retryLimits,
    signal: o.signal,
    events: o.status,
    prepare: (recipient) =>
      prepareFaxPages({
        document: o.documents,
        ...coverAndTagline(o.settings, recipient, o.cover),
        ...o.owner,
        tmpdir: o.workdir,
        signal: o.signal,
      }),
    call: (request) =>
      callOverModem(request, {
        settings: o.settings,
        trace: o.trace,
        onProgress: (p, r) => o.status.progress(p, r),
        onResult: (r) => o.status.result(r),
        onWarning: (text) => o.status.warn(text),
      }),
  };
}
