/**
 * How the Class 1 modem driver's errors (lib/modem, what the modem said) read as failures of the
 * fax (lib/failure), in one place. The stage matters: NO CARRIER after ATD means no fax machine
 * answered; in the middle of a call it means the call is gone.
 *
 * How a far end that drops the call shows up on a Class 1 modem (T.31):
 * - DCN before it goes: the T.30 core sees it (remote-disconnected, lib/t30/sender.ts);
 * - silence: +FRH=3 hears nothing, three times over (T.30 §5.4.3) — the T.30 core again;
 * - NO CARRIER, or ERROR, in answer to +FTH/+FTM/+FTS/+FRS: the modem lost the line, or went
 *   on hook with it (a modem answers ERROR to Class 1 commands while on hook) — here.
 */
import type { FailureKind } from '../failure/index.js';
import type { ModemError, ModemErrorKind } from '../modem/index.js';

/** Opening and initialising the modem, dialling, or the call itself. */
export type ModemStage = 'open' | 'dial' | 'call';

/** In the middle of a call. */
const IN_CALL: Record<ModemErrorKind, FailureKind> = {
  timeout: 'modem-error',
  'no-response': 'modem-not-responding',
  'unexpected-response': 'modem-error',
  'device-gone': 'modem-missing',
  'open-failed': 'modem-missing',
  locked: 'modem-locked',
  'lock-failed': 'config-error',
  busy: 'busy',
  'no-answer': 'no-answer',
  'no-dial-tone': 'no-dial-tone',
  'no-carrier': 'remote-disconnected',
  'dial-restricted': 'dial-restricted',
  'wrong-carrier': 'protocol-error',
  'bad-frame': 'protocol-error',
  error: 'remote-disconnected',
  'invalid-argument': 'modem-error',
  cancelled: 'cancelled',
};

/** Where a stage reads an error otherwise. */
const STAGE: Record<ModemStage, Partial<Record<ModemErrorKind, FailureKind>>> = {
  // A modem that does not answer while being set up is dead, not the line; an ERROR to the
  // set-up commands is the modem refusing them.
  open: { timeout: 'modem-not-responding', error: 'modem-error' },
  // After ATD, NO CARRIER: the far end answered without fax tones (or not at all); an ERROR is
  // the modem refusing the dial string.
  dial: { 'no-carrier': 'not-a-fax', error: 'modem-error' },
  call: {},
};

export function failureKindOf(kind: ModemErrorKind, stage: ModemStage): FailureKind {
  return STAGE[stage][kind] ?? IN_CALL[kind];
}

/** A modem error as a fax failure: its kind, and the driver's words as the technical detail. */
export function modemFailure(
  e: ModemError,
  stage: ModemStage,
  during?: string,
): { kind: FailureKind; message: string } {
  return { kind: failureKindOf(e.kind, stage), message: during ? `${during}: ${e.message}` : e.message };
}
