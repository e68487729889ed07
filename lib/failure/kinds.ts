/**
 * Why a fax call or job did not succeed: one vocabulary for every layer. The T.30 core, the
 * fax engine and the job all speak these kinds; lib/failure/table.ts gives each one its CUPS
 * exit code, retry policy, sentence and `lpfax` exit status. This module imports nothing, so the
 * lowest layer (lib/t30) can use it.
 */

export type FailureKind =
  // The line and the far end: a later try may work.
  /** The modem heard a busy tone. */
  | 'busy'
  /** The number rang, nobody picked up. */
  | 'no-answer'
  /** The modem heard no dial tone (line unplugged, or a PBX that needs a prefix). */
  | 'no-dial-tone'
  /** The modem will not dial this number now (national dial restrictions: DELAYED, BLACKLISTED). */
  | 'dial-restricted'
  /** Someone answered, but no fax machine did (no DIS within T1, T.30 §5.4.3.1). */
  | 'not-a-fax'
  /** The far end offers no speed, width, resolution or coding we can send. */
  | 'incompatible'
  /** The far end refused the training check at every speed both ends have. */
  | 'training-failed'
  /** The far end hung up: DCN, the line went silent, or the modem lost the call. */
  | 'remote-disconnected'
  /** The far end kept rejecting a page (RTN/PIN, or ECM blocks it could not correct). */
  | 'page-rejected'
  /** The far end stayed not ready (RNR) beyond T5 (T.30 §A.4.3). */
  | 'protocol-timeout'
  /** The far end answered something T.30 does not allow here, or nothing we could read. */
  | 'protocol-error'
  /** The modem failed during the call (an error, a stall). */
  | 'modem-error'
  /** A received page could not be kept (disk full, spool unwritable): it is not confirmed. */
  | 'storage-failed'
  /** Another program holds the modem's UUCP lock. */
  | 'modem-locked'
  // The modem itself: nothing will work until someone fixes it.
  /** The modem's device cannot be opened, or went away. */
  | 'modem-missing'
  /** The device does not answer AT commands. */
  | 'modem-not-responding'
  /** lpfax.conf (or the system: no user lp) is wrong. */
  | 'config-error'
  // The job as given: a person must fix it.
  /** The job names no usable fax number. */
  | 'no-number'
  /** The dial policy forbids the number. */
  | 'forbidden-number'
  /**
   * The job gives a #subaddress and the far end's DIS does not offer subaddressing (T.30 Table 2
   * bit 49): calling again reaches the same machine, and without SUB the fax could reach the
   * wrong desk (unless SubaddressFallback: send-without).
   */
  | 'subaddress-unsupported'
  /** The document cannot be read or rendered. */
  | 'bad-document'
  /** The user (or CUPS) cancelled the job. */
  | 'cancelled';

/**
 * What was known when it failed, for the sentence the user reads. Page numbers count in the
 * whole fax (cover page included), from 1.
 */
export interface FailureFacts {
  /** Pages of this fax the far end confirmed before the failure (earlier runs included). */
  pagesConfirmed?: number;
  /** The page on the line (sent, not yet confirmed) when the call failed. */
  page?: number;
  totalPages?: number;
  /** Recipients delivered, and in all, for a job with several. */
  recipientsDone?: number;
  recipients?: number;
  /** The modem device, for modem kinds. */
  device?: string;
  /** modem-locked: the process that holds the lock. */
  pid?: number;
  /**
   * A sentence only the raiser can write (which option to set, what is wrong in the document);
   * the table places it in the message.
   */
  reason?: string;
  /** Technical detail (the modem command, the T.30 state) for the log, never the sentence. */
  detail?: string;
  /**
   * A failure CUPS would retry, but the job's own limit (IPP number-of-retries, retry-time-out)
   * is used up: why, e.g. "after 2 retries (number-of-retries)". The job is cancelled.
   */
  gaveUp?: string;
}
