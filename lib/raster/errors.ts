/**
 * Failures of the rasteriser as values: one kind the backend maps to a CUPS exit code, and one
 * human sentence it can show the user. Ghostscript's own messages go in `detail`, for DEBUG lines.
 */

export type RasterErrorKind =
  /** Not a PDF or PostScript document, or Ghostscript stopped on an error in it. */
  | 'unreadable'
  /** The document is empty or has no pages. */
  | 'empty'
  /** A Ghostscript step made no progress within the time limit (a looping PostScript job …). */
  | 'timeout'
  /** Ghostscript rendered a different number of pages than the document has. */
  | 'page-count-mismatch'
  /** The caller's AbortSignal fired. */
  | 'cancelled'
  /** The Ghostscript executable could not be started. */
  | 'ghostscript-missing';

export class RasterError extends Error {
  override readonly name = 'RasterError';

  constructor(
    readonly kind: RasterErrorKind,
    message: string,
    /** Ghostscript's last messages, if any: for logs, never for the user's first line. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function isRasterError(value: unknown): value is RasterError {
  return value instanceof RasterError;
}
