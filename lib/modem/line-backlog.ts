/**
 * How long a transmit may take, from the line's speed. Between CONNECT and OK of +FTH/+FTM (T.31
 * §8.3.3, §8.3.4) every octet the port accepted waits in the kernel, the UART or the modem until
 * the modulation carries it, at its bit rate and no faster; the modem holds XOFF (or CTS) and the
 * port refuses writes for as long as that backlog is large. So a wait for the port (a write, a
 * drain, XON, the final OK) may last as long as the line needs for what is still queued, plus a
 * margin; never a fixed time, which the line's own speed exceeds at 4800 or 2400 bit/s. A modem
 * that stops (dead, XOFF forever) stops the backlog shrinking, so the wait still ends: at most the
 * line time of what we handed over, plus the margin.
 *
 * Pure: the clock is passed in.
 */

/**
 * Added to every line-timed wait. It covers the training a modem sends before the first data bit
 * (V.17 long training 1.393 s, V.27 ter at 2400 bit/s about 1 s, T.30 §5.3.2 / V.17 §5.4), the
 * V.21 preamble of 1 s ± 15 % before HDLC frames (T.30 §5.3.1), and the host's and the modem's
 * own latency (result codes, scheduling). T.31 sets no figure for these.
 */
export const LINE_MARGIN_MS = 10_000;

/** Milliseconds the line needs to carry `octets` at `bitRate` bit/s. */
export function lineTimeMs(octets: number, bitRate: number): number {
  if (!(bitRate > 0)) throw new RangeError(`bit rate must be positive, not ${bitRate}`);
  return (Math.max(0, octets) * 8 * 1000) / bitRate;
}

/**
 * The deadline of a wait while `queuedOctets` (handed to the port, not yet on the line) and
 * `pendingOctets` (the write in progress) are ahead: their line time plus the margin.
 */
export function lineDeadlineMs(
  queuedOctets: number,
  bitRate: number,
  marginMs = LINE_MARGIN_MS,
  pendingOctets = 0,
): number {
  return Math.ceil(lineTimeMs(queuedOctets + pendingOctets, bitRate) + marginMs);
}

/**
 * The octets of one transmission not yet on the line, modelled from the moments the port accepted
 * them: the line drains at `bitRate` from the first acceptance on. The model never underestimates
 * (a modem sends no faster than its modulation; DLE shielding only adds octets), so a wait bounded
 * by it fails only when the modem really stopped.
 */
export class LineBacklog {
  /** When everything accepted so far will have left on the line (clock milliseconds). */
  private drainedAt: number;

  constructor(
    readonly bitRate: number,
    private readonly clock: () => number,
    readonly marginMs = LINE_MARGIN_MS,
  ) {
    lineTimeMs(0, bitRate); // validates the rate
    this.drainedAt = clock();
  }

  /** The port accepted `octets` (its write called back). */
  accepted(octets: number): void {
    this.drainedAt = Math.max(this.drainedAt, this.clock()) + lineTimeMs(octets, this.bitRate);
  }

  /** Octets the line may still have to carry. */
  queuedOctets(): number {
    return Math.max(0, ((this.drainedAt - this.clock()) * this.bitRate) / 8000);
  }

  /** How long the next wait may last, with `pendingOctets` about to be written. */
  timeoutMs(pendingOctets = 0): number {
    return lineDeadlineMs(this.queuedOctets(), this.bitRate, this.marginMs, pendingOctets);
  }

  /** For messages: "12345 octets queued at 4800 bit/s". */
  describe(): string {
    return `${Math.round(this.queuedOctets())} octets queued at ${this.bitRate} bit/s`;
  }
}
