/** Typed errors of the page codec: every failure carries a kind the caller can map. */

export type T4ErrorKind =
  /** An option or argument is outside what the codec supports. */
  | 'bad-options'
  /** A bit pattern that is no code of T.4 Tables 1–4. */
  | 'invalid-code'
  /** Runs or changing elements past the row width, or going backwards. */
  | 'bad-row'
  /** An EOL (or EOFB) where a row was not complete. */
  | 'premature-eol'
  /** The T.4 §4.2.1.3.4 extension (uncompressed mode), which fax engines do not use. */
  | 'unsupported-extension'
  /** The data ended inside a row. */
  | 'truncated'
  /** More rows than the page size limit allows. */
  | 'page-too-long';

export class T4Error extends Error {
  constructor(
    readonly kind: T4ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'T4Error';
  }
}

/** A decoding failure; `row` is the 0-based row where it happened. */
export class T4DecodeError extends T4Error {
  constructor(
    kind: T4ErrorKind,
    readonly row: number,
    message: string,
  ) {
    super(kind, `row ${row}: ${message}`);
    this.name = 'T4DecodeError';
  }
}
