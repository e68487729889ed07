/**
 * Bit order inside an octet. A Class 1 modem sends the least significant bit first (T.31 §8.3.3);
 * TIFF FillOrder 1, TSB-85 scripts and T.30's tables write the first bit leftmost.
 */

/** Order of bits inside an octet: line data is 'lsb-first'; TIFF FillOrder 1 is 'msb-first'. */
export type BitOrder = 'lsb-first' | 'msb-first';

/** Each octet with its bits reversed: converts between 'msb-first' and 'lsb-first'. */
export const REVERSED = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let r = 0;
  for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
  REVERSED[b] = r;
}

/** Reverses the bit order of every octet in place and returns the same array. */
export function reverseBits(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i++) data[i] = REVERSED[data[i]];
  return data;
}
