/** Looking inside coded streams (msb-first bits) for the structure tests. */

/** Bit i of a msb-first stream. */
export function bitAt(data: Uint8Array, i: number): number {
  return (data[i >> 3] >> (7 - (i & 7))) & 1;
}

/** Every EOL (at least 11 zeros then a one): the bit index just after it, and the next bit (MR tag). */
export function eols(data: Uint8Array): { end: number; next: number }[] {
  const out: { end: number; next: number }[] = [];
  let zeros = 0;
  const total = data.length * 8;
  for (let i = 0; i < total; i++) {
    if (bitAt(data, i) === 0) zeros++;
    else {
      if (zeros >= 11) out.push({ end: i + 1, next: i + 1 < total ? bitAt(data, i + 1) : -1 });
      zeros = 0;
    }
  }
  return out;
}
