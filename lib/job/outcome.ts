/**
 * How a fax job ends, as CUPS sees it: each kind of failure maps to one exit code (CUPS
 * backend(7)) and one human sentence. The README's exit code table is this table.
 */
import { CupsBackendStatus } from '../cups/backend.js';

export type FailureKind =
  // The line or the far end: try again later (a `*cupsFax` queue retries JobRetryLimit times).
  | 'busy'
  | 'no-answer'
  | 'no-dialtone'
  | 'no-carrier'
  | 'not-a-fax-machine'
  | 'training-failed'
  | 'remote-disconnected'
  | 'remote-rejected'
  | 'protocol-timeout'
  | 'modem-error'
  | 'modem-locked'
  // The modem itself is gone or dead: stop the queue so that no job burns its retries on it.
  | 'modem-missing'
  | 'modem-not-responding'
  | 'config-error'
  // The job cannot go out as it is: hold it for the user to fix.
  | 'no-number'
  | 'forbidden-number'
  // The far end cannot route by the subaddress the job gives (no DIS bit 49): calling again
  // reaches the same machine, so hold the job rather than retry or lose it.
  | 'subaddress-unsupported'
  // The document can never be sent.
  | 'bad-document'
  | 'cancelled';

export const EXIT_STATUS: Record<FailureKind, CupsBackendStatus> = {
  busy: CupsBackendStatus.RETRY,
  'no-answer': CupsBackendStatus.RETRY,
  'no-dialtone': CupsBackendStatus.RETRY,
  'no-carrier': CupsBackendStatus.RETRY,
  'not-a-fax-machine': CupsBackendStatus.RETRY,
  'training-failed': CupsBackendStatus.RETRY,
  'remote-disconnected': CupsBackendStatus.RETRY,
  'remote-rejected': CupsBackendStatus.RETRY,
  'protocol-timeout': CupsBackendStatus.RETRY,
  'modem-error': CupsBackendStatus.RETRY,
  'modem-locked': CupsBackendStatus.RETRY,
  'modem-missing': CupsBackendStatus.STOP,
  'modem-not-responding': CupsBackendStatus.STOP,
  'config-error': CupsBackendStatus.STOP,
  'no-number': CupsBackendStatus.HOLD,
  'forbidden-number': CupsBackendStatus.HOLD,
  'subaddress-unsupported': CupsBackendStatus.HOLD,
  'bad-document': CupsBackendStatus.CANCEL,
  cancelled: CupsBackendStatus.CANCEL,
};

/** A failure with the sentence CUPS shows the user (in `lpstat -l` and the web UI). */
export class FaxJobError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'FaxJobError';
  }

  get exitStatus(): CupsBackendStatus {
    return EXIT_STATUS[this.kind];
  }
}
