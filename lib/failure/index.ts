/** lib/failure: the one vocabulary of failures (kinds.ts) and what each means (table.ts). */
export type { FailureFacts, FailureKind } from './kinds.js';
export {
  EXAMPLE_FACTS,
  FAILURE_TABLE,
  LpfaxExit,
  failureSentence,
  failureTableMarkdown,
  type FailureFront,
  type FailureRow,
} from './table.js';
