/** The records the archive keeps, as the rest of lpfax sees them (camelCase, Dates, booleans). */

/** `received` for a whole fax, `partial` for a call cut off with pages kept, or a failure kind. */
export type ReceivedResult = string;

export type DeliveryStatus = 'none' | 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  status: DeliveryStatus;
  /** When the next retry is due (status `pending`). */
  nextAttemptAt: Date | null;
  /** What lib/delivery keeps about each action (attempts, last error); opaque to the archive. */
  detail: unknown;
}

export interface ReceivedFax {
  id: number;
  /** `receiving` while the call is on the line; `done` once filed. */
  state: 'receiving' | 'done';
  receivedAt: Date;
  finishedAt: Date | null;
  modem: string | null;
  /** The caller's TSI (T.30 §5.3.6.1.4), as sent. */
  remoteId: string | null;
  callerId: string | null;
  callerName: string | null;
  subaddress: string | null;
  pages: number;
  bitRate: number | null;
  coding: string | null;
  ecm: boolean | null;
  resolution: string | null;
  result: ReceivedResult;
  failureSentence: string | null;
  badLines: number;
  durationSeconds: number | null;
  tiff: string | null;
  pdf: string | null;
  read: boolean;
  archived: boolean;
  deletedAt: Date | null;
  delivery: DeliveryRecord;
}

/** What is known when the line is answered, before the first page. */
export interface ReceiveStart {
  startedAt?: Date;
  modem?: string;
  callerId?: string;
  callerName?: string;
}

/** What the receiver knows after the call (the fields of `lpfax receive`'s JSON). */
export interface ReceiveFinish {
  result: ReceivedResult;
  finishedAt?: Date;
  remoteId?: string | null;
  subaddress?: string | null;
  pages: number;
  bitRate?: number | null;
  coding?: string | null;
  ecm?: boolean | null;
  resolution?: string | null;
  badLines?: number;
  durationSeconds?: number | null;
  tiff?: string | null;
  pdf?: string | null;
  failureSentence?: string | null;
  /** Mark the delivery due now, in the same change (see FaxArchive.finishReceive). */
  deliver?: boolean;
}

/** A receive in progress: the folder the receiver writes its pages into. */
export interface ReceiveInProgress {
  id: number;
  dir: string;
}

export interface SentFaxInput {
  jobId: number;
  user: string;
  recipientName?: string | null;
  number: string;
  pages: number;
  pagesConfirmed: number;
  /** `sent`, or the failure kind. */
  result: string;
  failureKind?: string | null;
  failureSentence?: string | null;
  remoteCsi?: string | null;
  bitRate?: number | null;
  coding?: string | null;
  ecm?: boolean | null;
  resolution?: string | null;
  durationSeconds?: number | null;
  attempts?: number;
  startedAt?: Date | null;
  finishedAt: Date;
  report?: string | null;
}

export interface SentFax extends Required<Omit<SentFaxInput, 'startedAt' | 'report'>> {
  id: number;
  startedAt: Date | null;
  report: string | null;
}

export interface ListOptions {
  offset?: number;
  /** At most 500 (default 50). */
  limit?: number;
}

export interface ReceivedListOptions extends ListOptions {
  /** Default `inbox`: live, not archived. `archived`: live, archived. `all`: every filed fax. */
  folder?: 'inbox' | 'archived' | 'all' | 'deleted';
  unreadOnly?: boolean;
  /** Include calls still on the line (default false). */
  includeInProgress?: boolean;
}

export interface SentListOptions extends ListOptions {
  user?: string;
}

/** An address book entry (the web page's send form). */
export interface Contact {
  id: number;
  name: string;
  number: string;
  note: string;
  createdAt: Date;
}
