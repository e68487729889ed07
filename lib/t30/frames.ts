/**
 * T.30 HDLC frames (T.30 §5.3.5, §5.3.6): building and parsing the octets between the flags,
 * without the FCS (the modem or the T.38 gateway adds and checks it).
 *
 *   address 0xFF | control 0x03 (0x13 on the final frame of a sequence) | FCF | FIF …
 */

import { HDLC_ADDRESS, HDLC_CONTROL, HDLC_CONTROL_FINAL } from '../itu/hdlc.js';
import { Fcf, FCF_X_BIT, FcfName, fcfName, fcfWithoutX } from './fcf.js';

/** A received frame, decoded. */
export interface T30Frame {
  /** The FCF as received (X bit included). */
  readonly fcf: number;
  /** Its name (X bit ignored), undefined for an FCF this engine does not know. */
  readonly name: FcfName | undefined;
  readonly fif: Uint8Array;
  readonly final: boolean;
}

/** Builds one frame. `x` sets the X bit where the FCF has one (T.30 §5.3.6.1). */
export function buildFrame(
  fcf: number,
  fif: ArrayLike<number> = [],
  opts: { final?: boolean; x?: boolean } = {},
): Uint8Array {
  const withX = opts.x && fcfWithoutX(fcf | FCF_X_BIT) === fcf ? fcf | FCF_X_BIT : fcf;
  return Uint8Array.from([
    HDLC_ADDRESS,
    opts.final === false ? HDLC_CONTROL : HDLC_CONTROL_FINAL,
    withX,
    ...Array.from(fif),
  ]);
}

/** Parses a frame; undefined when the address or control field is not T.30's. */
export function parseFrame(octets: Uint8Array): T30Frame | undefined {
  if (octets.length < 3 || octets[0] !== HDLC_ADDRESS) return undefined;
  if (octets[1] !== HDLC_CONTROL_FINAL && octets[1] !== HDLC_CONTROL) return undefined;
  return {
    fcf: octets[2],
    name: fcfName(octets[2]),
    fif: octets.slice(3),
    final: octets[1] === HDLC_CONTROL_FINAL,
  };
}

/** T.30 §5.3.6.2.4–5 (CSI, TSI): 20 characters of digits, "+" and space, last character first. */
export const IDENT_LENGTH = 20;

/** The FIF of a CSI/TSI/CIG for an identity ("+49 30 1234567"); characters outside the set become spaces. */
export function encodeIdent(ident: string): Uint8Array {
  const clean = ident
    .replace(/[^0-9+ ]/g, ' ')
    .trim()
    .slice(0, IDENT_LENGTH);
  // The last character goes first; the frame is padded with spaces after the first character.
  return Uint8Array.from([...clean].reverse().join('').padEnd(IDENT_LENGTH, ' '), (c) => c.charCodeAt(0));
}

/** The identity in a CSI/TSI/CIG FIF, trimmed. */
export function decodeIdent(fif: Uint8Array): string {
  return String.fromCharCode(...Array.from(fif).reverse())
    .replace(/[^\x20-\x7e]/g, ' ')
    .trim();
}

/**
 * PPS (T.30 §A.4.3, §5.3.6.2.12): the post-page FCF (NULL, MPS, EOP …, with X bit), the page
 * counter, the block (partial page) counter, and the number of frames in the block minus one;
 * counters modulo 256.
 */
export function buildPps(postPageFcf: number, page: number, block: number, frameCount: number): Uint8Array {
  const fcf2 = postPageFcf === 0 ? 0 : postPageFcf | FCF_X_BIT;
  return buildFrame(Fcf.PPS, [fcf2, page & 0xff, block & 0xff, (frameCount - 1) & 0xff], { x: true });
}

/** EOR (T.30 §A.4.3): end of retransmission, followed by the post-page FCF. */
export function buildEor(postPageFcf: number): Uint8Array {
  return buildFrame(Fcf.EOR, [postPageFcf === 0 ? 0 : postPageFcf | FCF_X_BIT], { x: true });
}

/** CTC (T.30 §A.4.4): a 2-octet FIF laid out as DCS bits 1–16 carrying only bits 11–14, the new rate. */
export function buildCtc(dcsFif: Uint8Array): Uint8Array {
  const RATE_BITS_11_TO_14 = 0x3c;
  return buildFrame(Fcf.CTC, [0, (dcsFif[1] ?? 0) & RATE_BITS_11_TO_14], { x: true });
}

/**
 * The frame numbers a PPR asks for again (T.30 §A.4.4): 256 bits, frame n at bit n mod 8 of
 * octet n div 8, 1 = in error.
 */
export function pprFrameNumbers(fif: Uint8Array): number[] {
  const numbers: number[] = [];
  for (let n = 0; n < 256 && n >> 3 < fif.length; n++) if (fif[n >> 3] & (1 << (n & 7))) numbers.push(n);
  return numbers;
}

/** The FIF of a PPR asking for these frames (the receiving side's half, and tests). */
export function buildPprFif(frameNumbers: Iterable<number>): Uint8Array {
  const fif = new Uint8Array(32);
  for (const n of frameNumbers) fif[n >> 3] |= 1 << (n & 7);
  return fif;
}

/** FCD (T.4 §A.3.6.2, T.30 Table A.1): one ECM image frame, numbered 0–255 within its block. */
export function buildFcd(frameNumber: number, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + data.length);
  frame.set([HDLC_ADDRESS, HDLC_CONTROL, Fcf.FCD, frameNumber & 0xff]);
  frame.set(data, 4);
  return frame;
}

/** RCP (T.4 §A.3.6.2): return to control for partial page; sent three times, without final bit. */
export function buildRcp(): Uint8Array {
  return Uint8Array.from([HDLC_ADDRESS, HDLC_CONTROL, Fcf.RCP]);
}

/** Hex for logs and test fixtures: "FF 13 80 00 4E". */
export function frameToHex(frame: Uint8Array): string {
  return Array.from(frame, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** Inverse of frameToHex. */
export function hexToFrame(hex: string): Uint8Array {
  return Uint8Array.from(hex.trim().split(/\s+/), (h) => parseInt(h, 16));
}
