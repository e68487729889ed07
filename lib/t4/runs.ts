/**
 * Changing elements (T.4 §4.2.1.3.1): the positions where a row's colour changes, found and
 * painted a byte at a time with lookup tables. A row is described by its changes c[0] < c[1] < …:
 * pixels [c[0], c[1]) are black, [c[2], c[3]) black, and so on; the row starts white.
 */

/**
 * Writes the changing elements of the row at data[offset …] into `out` and returns their count.
 * `out` must hold width + 1 entries. Bits past `width` in the last byte are ignored.
 *
 * Per byte, b ^ (b >> 1 with the previous pixel shifted in) has a 1 exactly where the colour
 * changes; white bytes are skipped four at a time.
 */
export function findChanges(data: Uint8Array, offset: number, width: number, out: Int32Array): number {
  let n = 0;
  let prev = 0; // colour of the pixel left of the current byte
  const last = offset + ((width - 1) >> 3);
  for (let i = offset; i <= last; i++) {
    const b = data[i];
    if (b === 0 && prev === 0) {
      while (i + 4 <= last && (data[i + 1] | data[i + 2] | data[i + 3] | data[i + 4]) === 0) i += 4;
      continue;
    }
    let t = b ^ ((b >>> 1) | (prev << 7));
    if (t === 0) continue;
    prev = b & 1;
    const base = (i - offset) << 3;
    do {
      const k = Math.clz32(t) - 24;
      const x = base + k;
      if (x >= width) return n;
      out[n++] = x;
      t ^= 0x80 >>> k;
    } while (t !== 0);
  }
  return n;
}

/** PREFIX_XOR[t]: each bit is the XOR of t's bits from the MSB down to it (transitions → pixels). */
const PREFIX_XOR = new Uint8Array(256);
for (let t = 0; t < 256; t++) {
  let v = 0;
  let acc = 0;
  for (let k = 7; k >= 0; k--) {
    acc ^= (t >> k) & 1;
    v |= acc << k;
  }
  PREFIX_XOR[t] = v;
}

/**
 * Paints black the runs [c[0], c[1]), [c[2], c[3]) … of a white row; an odd count ends black at
 * `width`. Dense rows (many short runs) toggle a bit at each change and then turn the
 * transitions into pixels with a prefix XOR per octet; sparse rows fill each run.
 */
export function paintChanges(
  data: Uint8Array,
  offset: number,
  changes: Int32Array,
  count: number,
  width: number,
): void {
  const bytes = (width + 7) >> 3;
  if (count > bytes >> 1) {
    // Transition bits, gathered an octet at a time in a register.
    let at = changes[0] >> 3;
    let bits = 0;
    for (let k = 0; k < count; k++) {
      const x = changes[k];
      if (x >> 3 !== at) {
        data[offset + at] = bits;
        at = x >> 3;
        bits = 0;
      }
      bits ^= 0x80 >>> (x & 7);
    }
    data[offset + at] = bits;
    let carry = 0;
    const end = offset + bytes;
    for (let i = offset; i < end; i++) {
      const v = PREFIX_XOR[data[i]] ^ carry;
      data[i] = v;
      carry = -(v & 1) & 0xff;
    }
    if (width & 7) data[end - 1] &= (0xff00 >> (width & 7)) & 0xff; // no black past the row end
    return;
  }
  for (let k = 0; k < count; k += 2) {
    const start = changes[k];
    const stop = k + 1 < count ? changes[k + 1] : width;
    if (stop > start) fillBlack(data, offset, start, stop);
  }
}

/** Sets pixels [start, end) of the row at `offset` to black. */
export function fillBlack(data: Uint8Array, offset: number, start: number, end: number): void {
  let i = offset + (start >> 3);
  const last = offset + ((end - 1) >> 3);
  const headMask = 0xff >> (start & 7);
  const tailMask = (0xff00 >> (((end - 1) & 7) + 1)) & 0xff;
  if (i === last) {
    data[i] |= headMask & tailMask;
    return;
  }
  data[i++] |= headMask;
  while (i < last) data[i++] = 0xff;
  data[last] |= tailMask;
}
