/**
 * HDLC frame helpers for T.30 frames carried by a Class 1 modem (T.30 §5.3).
 * Frames are passed without FCS: address 0xFF, control 0x03 (or 0x13 on the final frame,
 * T.30 §5.3.5), then the FCF and its information field.
 */

export const HDLC_ADDRESS = 0xff;
export const HDLC_CONTROL = 0x03;
export const HDLC_CONTROL_FINAL = 0x13;

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
