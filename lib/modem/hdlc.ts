/**
 * HDLC for T.30 frames carried by a Class 1 modem (T.30 §5.3, ISO/IEC 13239): the frame
 * constants, the FCS, and the framing of frames into the bit stream a synchronous HDLC
 * transmitter sends, for the modems that carry ECM frames as message data (+FTM, T.31 §8.3.3).
 * Frames are passed without FCS: address 0xFF, control 0x03 (or 0x13 on the final frame,
 * T.30 §5.3.5), then the FCF and its information field.
 */

import { HDLC_CONTROL_FINAL } from '../itu/hdlc.js';

/** The flag sequence 01111110 (T.30 §5.3.4) that opens, separates and closes frames. */
export const HDLC_FLAG = 0x7e;

/** True when the control octet has the P/F bit set (T.30 §5.3.5). */
export function isFinalFrame(frame: Uint8Array): boolean {
  return frame.length >= 2 && frame[1] === HDLC_CONTROL_FINAL;
}

/**
 * ITU-T CRC-16 (V.41 polynomial x^16+x^12+x^5+1, reflected, preset 0xFFFF), as T.30 §5.3.7
 * uses for the FCS. Returns the register before the final inversion.
 */
export function crc16Itu(data: Uint8Array, crc = 0xffff): number {
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** The two FCS octets to append to a frame (ones' complement, low octet first). */
export function fcs(data: Uint8Array): Uint8Array {
  const c = ~crc16Itu(data) & 0xffff;
  return Uint8Array.of(c & 0xff, c >>> 8);
}

/** A frame followed by its FCS leaves the CRC register at the good residue 0xF0B8. */
export function hasValidFcs(frameWithFcs: Uint8Array): boolean {
  return frameWithFcs.length >= 3 && crc16Itu(frameWithFcs) === 0xf0b8;
}

/**
 * Flags that fill `ms` at `bitRate`: the synchronization before the first ECM frame of a
 * partial page is a series of flags for 200 ± 100 ms (T.4 Annex A §A.3; spandsp and HylaFAX
 * send 200 ms).
 */
export function flagsFor(ms: number, bitRate: number): number {
  return Math.ceil((bitRate * ms) / 8000);
}

export interface HdlcStreamOptions {
  /** Flags before the first frame (see flagsFor). At least 1. */
  openingFlags: number;
  /** Flags after the last frame, the closing flag included (default 2, at least 1). */
  closingFlags?: number;
}

/**
 * Frames (address … FIF, without FCS) → the octets a Class 1 modem sends as message data so that
 * the line carries them as HDLC: opening flags; each frame with its FCS (T.30 §5.3.7) and zero
 * bits inserted after every five consecutive ones (T.30 §5.3.4, ISO/IEC 13239 §4.3.1); flags
 * between frames; closing flags; then 1 bits (mark idle) up to the octet boundary. Octets are
 * packed in line order: the first bit on the line is the least significant bit of the first
 * octet (T.31 §8.3.3, the same order as page data; each HDLC octet goes least significant bit
 * first, the FCS highest-order term first, as fcs() gives it).
 *
 * The stream comes back as segments (their concatenation is the stream). A modem whose host
 * falls behind fills the line with its own octets (spandsp: 0x00; others: 0xFF) wherever the
 * written data ran out; a segment ends only where such fill is harmless: after a complete
 * closing flag, with a complete opening flag still to come. So between frames there are three
 * flags: the closing flag, one that the cut (at the octet boundary after it) may split, and the
 * opening flag of the next frame. Writing each segment in one piece keeps fill out of frames.
 */
export function hdlcBitStream(frames: readonly Uint8Array[], options: HdlcStreamOptions): Uint8Array[] {
  const opening = Math.max(1, Math.floor(options.openingFlags));
  const closing = Math.max(1, Math.floor(options.closingFlags ?? 2));
  const out = new BitPacker();
  // The opening flags are octet-aligned: the cut before the last one leaves it whole.
  for (let i = 1; i < opening; i++) out.flag();
  out.cutAtNextOctet();
  out.flag();
  frames.forEach((frame, i) => {
    out.stuffed(frame);
    out.stuffed(fcs(frame));
    out.flag();
    if (i === frames.length - 1) return;
    out.cutAtNextOctet();
    out.flag();
    out.flag();
  });
  for (let i = frames.length > 0 ? 1 : 0; i < closing; i++) out.flag();
  return out.finish();
}

/** Bits into octets, least significant bit first, in segments cut at requested octet boundaries. */
class BitPacker {
  private readonly segments: Uint8Array[] = [];
  private octets: number[] = [];
  private current = 0;
  private bits = 0;
  private ones = 0;
  private cutPending = false;

  /** A flag: its six ones are not stuffed, and it ends any run of ones. */
  flag(): void {
    for (let k = 0; k < 8; k++) this.bit((HDLC_FLAG >>> k) & 1);
    this.ones = 0;
  }

  /** Octets of a frame, least significant bit first, a 0 after every fifth 1 in a row. */
  stuffed(data: Uint8Array): void {
    for (const octet of data) {
      for (let k = 0; k < 8; k++) {
        const b = (octet >>> k) & 1;
        this.bit(b);
        if (b === 0) this.ones = 0;
        else if (++this.ones === 5) {
          this.bit(0);
          this.ones = 0;
        }
      }
    }
  }

  /** End the current segment at the next octet boundary (now, if the bits are aligned). */
  cutAtNextOctet(): void {
    if (this.bits === 0) this.cut();
    else this.cutPending = true;
  }

  finish(): Uint8Array[] {
    while (this.bits !== 0) this.bit(1);
    this.cut();
    return this.segments;
  }

  private bit(b: number): void {
    this.current |= b << this.bits;
    if (++this.bits < 8) return;
    this.octets.push(this.current);
    this.current = 0;
    this.bits = 0;
    if (this.cutPending) this.cut();
  }

  private cut(): void {
    this.cutPending = false;
    if (this.octets.length > 0) this.segments.push(Uint8Array.from(this.octets));
    this.octets = [];
  }
}

/** One frame found by HdlcDeframer: address … FIF without the FCS, and whether the FCS checked. */
export interface DeframedFrame {
  frame: Uint8Array;
  fcsOk: boolean;
}

/**
 * The receiving half of hdlcBitStream: HDLC frames out of the octets a Class 1 modem delivers
 * as message data (+FRM, T.31 §8.3.2; first bit on the line = least significant bit), for ECM
 * frames at the message speed (T.4 Annex A). Flags delimit frames (T.30 §5.3.4); a 0 after five
 * ones is removed (ISO/IEC 13239 §4.3.1); seven ones abort a frame (idle, fill or noise); a frame
 * between flags whose length is whole octets and at least four (address, control, FCS) is passed
 * on with its FCS checked (T.30 §5.3.7) and removed. Memory is bounded by `maxFrameOctets`.
 */
export class HdlcDeframer {
  private bytes: Uint8Array;
  private bits = 0;
  private ones = 0;
  /** After an abort or at the start: waiting for a flag. */
  private hunting = true;

  constructor(private readonly maxFrameOctets = 512) {
    this.bytes = new Uint8Array(maxFrameOctets + 4);
  }

  /** Feeds octets; returns the frames they completed. */
  push(data: Uint8Array): DeframedFrame[] {
    const frames: DeframedFrame[] = [];
    for (const octet of data) {
      for (let k = 0; k < 8; k++) {
        const bit = (octet >>> k) & 1;
        if (bit === 1) {
          if (++this.ones >= 7) this.hunting = true;
          else if (!this.hunting) this.append(1);
          continue;
        }
        const ones = this.ones;
        this.ones = 0;
        if (ones === 6) {
          // A flag: the 0 and six 1s before this 0 were its first seven bits, not data.
          if (!this.hunting) this.endFrame(frames);
          this.hunting = false;
          this.bits = 0;
          continue;
        }
        if (this.hunting) continue;
        if (ones === 5) continue; // a stuffed zero
        this.append(0);
      }
    }
    return frames;
  }

  private append(bit: number): void {
    if (this.bits >= (this.bytes.length - 1) * 8) {
      this.hunting = true; // longer than any frame we take: drop it
      return;
    }
    const i = this.bits >>> 3;
    if ((this.bits & 7) === 0) this.bytes[i] = 0;
    this.bytes[i] |= bit << (this.bits & 7);
    this.bits++;
  }

  private endFrame(frames: DeframedFrame[]): void {
    const bits = this.bits - 7;
    if (bits < 32 || bits % 8 !== 0) return;
    const octets = this.bytes.slice(0, bits / 8);
    const fcsOk = hasValidFcs(octets);
    frames.push({ frame: fcsOk ? octets.slice(0, -2) : octets, fcsOk });
  }
}
