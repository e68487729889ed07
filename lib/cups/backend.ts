/**
 * The CUPS backend interface (CUPS backend(7), filter(7)): named exit codes and the
 * stderr line prefixes the scheduler reads. Every message to cupsd goes through here.
 */

/** Exit codes of a backend, as cups/backend.h names them. */
export enum CupsBackendStatus {
  /** The job was delivered. */
  OK = 0,
  /** The job failed; the scheduler applies the queue's error policy. */
  FAILED = 1,
  /** Authentication is required. */
  AUTH_REQUIRED = 2,
  /** The job is held for `JobRetryInterval` and retried (busy, no answer …). */
  HOLD = 3,
  /** The queue is stopped. */
  STOP = 4,
  /** The job is cancelled: it can never succeed. */
  CANCEL = 5,
  /** Retry the job later (a `*cupsFax` queue retries up to `JobRetryLimit`). */
  RETRY = 6,
  /** Retry the job immediately. */
  RETRY_CURRENT = 7,
}

export type LogLevel =
  'EMERG' | 'ALERT' | 'CRIT' | 'ERROR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG' | 'DEBUG2';

/**
 * One stderr line for the scheduler. CUPS reads lines, so any line break inside a message would
 * let the rest be read as a new directive: control characters are replaced by blanks.
 */
export function cupsLine(prefix: LogLevel | 'STATE' | 'ATTR' | 'PAGE' | 'PPD', text: string): string {
  // eslint-disable-next-line no-control-regex
  return `${prefix}: ${text.replace(/[\u0000-\u001f\u007f]+/g, ' ')}\n`;
}

/** How much a backend tells the scheduler (lpfax.conf LogLevel), least first. */
export type BackendLogLevel = 'error' | 'warning' | 'info' | 'debug';

/** The LogLevel at which each kind of message line is written. */
const LINE_LEVEL: Record<LogLevel, BackendLogLevel> = {
  EMERG: 'error',
  ALERT: 'error',
  CRIT: 'error',
  ERROR: 'error',
  WARNING: 'warning',
  NOTICE: 'warning',
  INFO: 'info',
  DEBUG: 'debug',
  DEBUG2: 'debug',
};
const LEVEL_ORDER: readonly BackendLogLevel[] = ['error', 'warning', 'info', 'debug'];

/** Whether a message line of this kind is written at this LogLevel. */
export function logs(level: BackendLogLevel, line: LogLevel): boolean {
  return LEVEL_ORDER.indexOf(LINE_LEVEL[line]) <= LEVEL_ORDER.indexOf(level);
}

/**
 * The reporter with message lines above `level` left out (LogLevel info drops DEBUG:, warning
 * also INFO:, error also WARNING:). STATE:, ATTR: and PAGE: are not messages: they always go.
 */
export function atLogLevel(reporter: CupsReporter, level: BackendLogLevel): CupsReporter {
  return { ...reporter, log: (line, text) => (logs(level, line) ? reporter.log(line, text) : undefined) };
}

/** A sink for scheduler messages; the backend writes to stderr, tests collect the lines. */
export interface CupsReporter {
  log(level: LogLevel, text: string): void;
  state(change: string): void;
  attr(name: string, value: string | number): void;
  page(pageNumber: number, copies?: number): void;
}

export function stderrReporter(write: (s: string) => void = (s) => process.stderr.write(s)): CupsReporter {
  return {
    log: (level, text) => write(cupsLine(level, text)),
    state: (change) => write(cupsLine('STATE', change)),
    attr: (name, value) => write(cupsLine('ATTR', `${name}=${value}`)),
    page: (n, copies = 1) => write(cupsLine('PAGE', `${n} ${copies}`)),
  };
}
