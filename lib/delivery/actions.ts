/**
 * The delivery of a received fax: a short list of actions from config (like HylaFAX's
 * FaxDispatch or mgetty's new_fax), each run on its own, so one failing never stops another and
 * never loses the fax, which stays in the archive either way.
 */

/** Routing: an action with `subaddresses` runs only for faxes sent to one of them (T.30 SUB). */
interface Routed {
  subaddresses?: string[];
}

export interface MailAction extends Routed {
  kind: 'mail';
  /** Addresses (or local user names) the PDF goes to. */
  to: string[];
  /** The From header; without it the MTA writes the service user's address. */
  from?: string;
  /** The sendmail program (default /usr/sbin/sendmail), run as `sendmail -t -oi`. */
  sendmail?: string;
}

export interface FolderAction extends Routed {
  kind: 'folder';
  dir: string;
  /**
   * The file name: %Y %m %d %H %M %S (local time received), %r remote id, %c caller id,
   * %s subaddress, %p pages, %i archive id, %% a percent sign. Default `%Y-%m-%d_%H%M%S_%r.pdf`.
   * Every value is reduced to letters, digits and `+._-`, so no fax can name a path.
   */
  pattern?: string;
  /** Mode of the copy (default 0600). */
  mode?: number;
}

export interface PrintAction extends Routed {
  kind: 'print';
  queue: string;
  /** The lp program (default lp). */
  lp?: string;
  /** Environment for lp (e.g. CUPS_SERVER). */
  env?: Record<string, string>;
}

export interface HookAction extends Routed {
  kind: 'hook';
  /** argv: the program and its arguments, never a shell string; the facts are in LPFAX_*. */
  command: string[];
  /** Killed after this many seconds (default 60). */
  timeoutSeconds?: number;
}

export type DeliveryAction = MailAction | FolderAction | PrintAction | HookAction;

export type DeliveryFailureKind =
  'no-file' | 'mail-failed' | 'folder-failed' | 'print-failed' | 'hook-failed' | 'hook-timed-out';

/** What one attempt of one action gave: what it did, or why not. */
export type ActionOutcome =
  { ok: true; done: string } | { ok: false; kind: DeliveryFailureKind; message: string };

/** Kept in the archive (DeliveryRecord.detail) per action, by its index in the config list. */
export interface ActionState {
  action: string;
  attempts: number;
  ok: boolean;
  done?: string;
  lastError?: { kind: DeliveryFailureKind; message: string };
  lastAttemptAt: string;
}

export function actionLabel(action: DeliveryAction): string {
  switch (action.kind) {
    case 'mail':
      return `mail to ${action.to.join(', ')}`;
    case 'folder':
      return `copy to ${action.dir}`;
    case 'print':
      return `print on ${action.queue}`;
    case 'hook':
      return `run ${action.command[0]}`;
  }
}
