/**
 * lpfax's expected verdicts on the TSB-85 receiver cases (MRGN, ORGC, OREN, MRGX), the twin of
 * lpfax-expected.ts for the sender: `PASS`, or text the case's failure must contain.
 *
 * Absent (undefined) until `lpfax receive` exists (issue 14). Once it does, tsb85-receiver.test.ts
 * runs every receiver case with lpfax and prints the table; fill this in from that table to
 * switch the per-case checks on.
 */
export const LPFAX_RECEIVER_TABLE: Record<string, string> | undefined = undefined;
