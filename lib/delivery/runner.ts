/**
 * Runs a fax's delivery actions and keeps their state in the archive. Actions that failed are
 * tried again on a bounded schedule; one that succeeded is never repeated. After the last retry
 * the delivery is `failed` (logged); the fax stays in the archive either way.
 */
import type { FaxArchive, ReceivedFax } from '../archive/index.js';
import { actionLabel, type ActionState, type DeliveryAction } from './actions.js';
import { runAction } from './run-action.js';

/** Seconds after the first attempt fails: 1 min, 5 min, 30 min, 2 h, 6 h; then it gives up. */
export const DEFAULT_RETRY_DELAYS_SECONDS = [60, 300, 1800, 7200, 21600];

export interface DeliveryRunnerOptions {
  actions: DeliveryAction[];
  retryDelaysSeconds?: number[];
  /** One line per event. */
  log?: (line: string) => void;
  now?: () => Date;
}

export interface DeliveryDetail {
  actions: ActionState[];
}

function applies(action: DeliveryAction, fax: ReceivedFax): boolean {
  return !action.subaddresses || action.subaddresses.includes(fax.subaddress ?? '');
}

export class DeliveryRunner {
  private readonly delays: number[];
  private readonly log: (line: string) => void;
  private readonly now: () => Date;

  constructor(
    private readonly archive: FaxArchive,
    private readonly options: DeliveryRunnerOptions,
  ) {
    this.delays = options.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS_SECONDS;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
  }

  /** The first delivery of a newly filed fax. */
  deliver(faxId: number): Promise<DeliveryDetail> {
    return this.attempt(faxId);
  }

  /** Retries the deliveries that are due; returns how many faxes were tried. */
  async retryDue(): Promise<number> {
    const due = this.archive.deliveriesDue(this.now());
    for (const fax of due) await this.attempt(fax.id);
    return due.length;
  }

  private async attempt(faxId: number): Promise<DeliveryDetail> {
    const fax = this.archive.received(faxId);
    if (!fax) throw new Error(`delivery: no fax ${faxId} in the archive`);
    const before = (fax.delivery.detail as DeliveryDetail | null)?.actions ?? [];
    const states: ActionState[] = [];
    for (const [index, action] of this.options.actions.entries()) {
      const label = actionLabel(action);
      const previous = before[index]?.action === label ? before[index] : undefined;
      if (!applies(action, fax) || previous?.ok) {
        if (previous) states.push(previous);
        else
          states.push({ action: label, attempts: 0, ok: true, done: 'not for this fax', lastAttemptAt: '' });
        continue;
      }
      const outcome = await runAction(fax, action);
      const attempts = (previous?.attempts ?? 0) + 1;
      const at = this.now().toISOString();
      if (outcome.ok) {
        this.log(`fax ${fax.id}: ${outcome.done}`);
        states.push({ action: label, attempts, ok: true, done: outcome.done, lastAttemptAt: at });
      } else {
        this.log(`fax ${fax.id}: ${label} failed (attempt ${attempts}): ${outcome.message}`);
        states.push({
          action: label,
          attempts,
          ok: false,
          lastError: { kind: outcome.kind, message: outcome.message },
          lastAttemptAt: at,
        });
      }
    }
    const failed = states.filter((s) => !s.ok);
    const detail: DeliveryDetail = { actions: states };
    if (failed.length === 0) {
      this.archive.setDelivery(fax.id, {
        status: this.options.actions.length ? 'delivered' : 'none',
        nextAttemptAt: null,
        detail,
      });
      return detail;
    }
    // The retry number is the most attempts any failed action has had.
    const tries = Math.max(...failed.map((s) => s.attempts));
    const delay = this.delays[tries - 1];
    if (delay === undefined) {
      this.log(`fax ${fax.id}: delivery given up after ${tries} attempts; the fax stays in the archive`);
      this.archive.setDelivery(fax.id, { status: 'failed', nextAttemptAt: null, detail });
    } else {
      const next = new Date(this.now().getTime() + delay * 1000);
      this.log(`fax ${fax.id}: delivery retried at ${next.toISOString()}`);
      this.archive.setDelivery(fax.id, { status: 'pending', nextAttemptAt: next, detail });
    }
    return detail;
  }
}
