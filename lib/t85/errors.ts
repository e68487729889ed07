/** Typed errors of the T.85 codec: every failure carries a kind the caller can map. */

export type T85ErrorKind =
  /** An option or argument is outside what the codec supports. */
  | 'bad-options'
  /** The 20-octet BIH (T.82 §6.2) is short or holds values T.82 forbids. */
  | 'bad-header'
  /** A BIH value T.82 allows but T.85 does not (progressive layers, several planes, …). */
  | 'unsupported'
  /** A marker code T.82 §6.2 does not define, or a marker segment with bad fields. */
  | 'bad-marker'
  /** The data ended before the image did (T.82 §6.2.6 NEWLEN, YD). */
  | 'truncated'
  /** The image is larger than the limits lpfax accepts. */
  | 'page-too-long'
  /** ABORT (T.82 §6.2.6): the encoder gave the image up. */
  | 'aborted';

export class T85Error extends Error {
  constructor(
    readonly kind: T85ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'T85Error';
  }
}
