/**
 * Typed failures of the modem driver. Every rejection from lib/modem is a `ModemError`. These
 * are the driver's own, low-level kinds (what the modem said); lib/fax/modem-failure.ts turns each
 * into one failure kind of the fax (lib/failure), in one place. Kinds that are the same thing
 * are spelled the same (busy, no-answer, no-dial-tone, cancelled).
 */

export type ModemErrorKind =
  /** A command or an awaited event did not complete within its timeout. */
  | 'timeout'
  /** The device never answered a plain `AT` (wrong port, powered off, not a modem). */
  | 'no-response'
  /** The modem answered something the protocol does not allow at this point. */
  | 'unexpected-response'
  /** The port closed or failed underneath us (USB unplugged, pty closed). */
  | 'device-gone'
  /** The port could not be opened (missing, permissions). */
  | 'open-failed'
  /** Another process holds the UUCP lock of the device. */
  | 'locked'
  /** The lock directory could not be used. */
  | 'lock-failed'
  /** Result code BUSY. */
  | 'busy'
  /** Result code NO ANSWER. */
  | 'no-answer'
  /** Result code NO DIALTONE / NO DIAL TONE. */
  | 'no-dial-tone'
  /** Result code NO CARRIER (call ended, carrier lost, or nothing heard). */
  | 'no-carrier'
  /** Result code DELAYED / BLACKLISTED (national dial restrictions). */
  | 'dial-restricted'
  /** Result code +FCERROR: the modem heard a carrier other than the one asked for (T.31 §8.3.5). */
  | 'wrong-carrier'
  /** A received HDLC frame failed its FCS check (the modem answered ERROR, T.31 §8.3.5). */
  | 'bad-frame'
  /** Result code ERROR. */
  | 'error'
  /** The caller passed something the modem cannot send (bad dial string, frame, modulation). */
  | 'invalid-argument'
  /** The operation was cancelled by the caller (AbortSignal) or by close(). */
  | 'cancelled';

export interface ModemErrorDetails {
  /** The AT command in progress, if any. */
  command?: string;
  /** The text lines the modem answered, for diagnostics. */
  response?: string[];
  /** For 'locked': the PID recorded in the lock file. */
  pid?: number;
  /** For 'bad-frame': the octets received before the ERROR. */
  frame?: Uint8Array;
  /** The underlying system error, if any. */
  cause?: unknown;
}

export class ModemError extends Error {
  override readonly name = 'ModemError';
  readonly kind: ModemErrorKind;
  readonly command?: string;
  readonly response?: string[];
  readonly pid?: number;
  readonly frame?: Uint8Array;

  constructor(kind: ModemErrorKind, message: string, details: ModemErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.command = details.command;
    this.response = details.response;
    this.pid = details.pid;
    this.frame = details.frame;
  }
}

export function isModemError(e: unknown): e is ModemError {
  return e instanceof ModemError;
}
