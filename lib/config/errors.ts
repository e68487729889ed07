/**
 * Configuration failures as typed values. The backend turns one into a single `ERROR:` line for
 * CUPS (the message names the file, line and key), never a stack trace.
 */

export type ConfigErrorKind =
  /** A line that is not `Key: value`, or an unterminated quoted value. */
  | 'syntax'
  /** A key lpfax does not know (a typo, or a HylaFAX key lpfax does not implement). */
  | 'unknown-key'
  /** A value outside what the key accepts. */
  | 'bad-value'
  /** A single-valued key set twice in one file. */
  | 'duplicate-key'
  /** `LPFAX_CONFIG` names a file that does not exist. */
  | 'missing-file'
  /** The file exists but cannot be read. */
  | 'unreadable-file';

/**
 * Where a setting came from, from lowest to highest precedence. 'environment' is LPFAX_LOCK_DIR:
 * it replaces a built-in default only, so lpfax.conf always wins over it.
 */
export type ConfigSource = 'defaults' | 'environment' | 'file' | 'queue' | 'job';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly kind: ConfigErrorKind,
    readonly source: ConfigSource,
    /** The config file or PPD path, `DEVICE_URI`, or `job options`. */
    readonly file: string,
    /** 1-based line number in `file`, when the error is on a line. */
    readonly line: number | undefined,
    /** The key (or option name) as written, when the error concerns one. */
    readonly key: string | undefined,
    /** The bare reason, without the location. */
    readonly reason: string,
  ) {
    super(
      `${file}${line !== undefined ? ` line ${line}` : ''}: ${key !== undefined ? `${key}: ` : ''}${reason}`,
    );
  }
}

export type Result<T, E = ConfigError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });
