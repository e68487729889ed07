/**
 * How a fax job ends, as CUPS sees it: a FaxJobError carries a failure kind (lib/failure) and
 * the facts of the failure; the failure table gives its exit code and its one sentence. The
 * README's table of failures is that table.
 */
import { CupsBackendStatus } from '../cups/backend.js';
import {
  FAILURE_TABLE,
  failureSentence,
  type FailureFacts,
  type FailureFront,
  type FailureKind,
  type LpfaxExit,
} from '../failure/index.js';

export type { FailureKind };

/** A failure with the sentence CUPS shows the user (in `lpstat -l` and the web UI) as message. */
export class FaxJobError extends Error {
  readonly facts: FailureFacts;

  /**
   * `facts`: what is known; a string is the raiser's own sentence (the reason, for kinds whose
   * sentence is one: no-number, bad-document …), kept as the detail for the others.
   */
  constructor(
    readonly kind: FailureKind,
    facts: FailureFacts | string,
    override readonly cause?: unknown,
  ) {
    const f = typeof facts === 'string' ? { reason: facts, detail: facts } : facts;
    super(failureSentence(kind, f, 'cups'));
    this.name = 'FaxJobError';
    this.facts = f;
  }

  get exitStatus(): CupsBackendStatus {
    const row = FAILURE_TABLE[this.kind];
    // The job's own retry limit is used up: cancel it rather than let CUPS retry.
    return row.retry && this.facts.gaveUp ? CupsBackendStatus.CANCEL : row.cups;
  }

  /** `lpfax send`'s exit status. */
  get lpfaxExit(): LpfaxExit {
    return FAILURE_TABLE[this.kind].lpfax;
  }

  /** The sentence for a front end: CUPS says whether it tries again, `lpfax` does not. */
  sentence(front: FailureFront): string {
    return failureSentence(this.kind, this.facts, front);
  }

  /** The same failure, knowing more (e.g. how many recipients were done). */
  with(more: FailureFacts): FaxJobError {
    return new FaxJobError(this.kind, { ...this.facts, ...more }, this.cause);
  }
}
