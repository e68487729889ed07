/**
 * TIFF LZW decoding (TIFF 6.0 Section 13): 9- to 12-bit codes, most significant bit first,
 * ClearCode 256, EndOfInformation 257. Output stops at `size` bytes; a bad code ends the strip.
 */
import { TiffError } from './tiff-ifd.js';

const CLEAR = 256;
const EOI = 257;

export function lzwDecode(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  // The table as (prefix code, last byte, length); strings are rebuilt backwards into `out`.
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    length[i] = 1;
    prefix[i] = -1;
  }
  let next = 258;
  let width = 9;
  let old = -1;
  let o = 0;
  let bitPos = 0;
  const totalBits = src.length * 8;
  while (o < size && bitPos + width <= totalBits) {
    let code = 0;
    for (let k = 0; k < width; k++, bitPos++)
      code = (code << 1) | ((src[bitPos >> 3] >> (7 - (bitPos & 7))) & 1);
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    let first: number;
    if (code < next && (code < 256 || code >= 258)) {
      first = emit(code);
      if (old >= 0 && next < 4096) add(old, first);
    } else if (code === next && old >= 0) {
      // KwKwK: the string of `old` plus its own first byte.
      let c = old;
      while (prefix[c] >= 0) c = prefix[c];
      add(old, suffix[c]);
      first = emit(code);
    } else {
      throw new TiffError('corrupt', `LZW code ${code} not in the table`);
    }
    old = code;
    // TIFF LZW switches width one code early (TIFF 6.0 §13, "compatibility").
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out;

  function add(p: number, byte: number): void {
    if (next >= 4096) return;
    prefix[next] = p;
    suffix[next] = byte;
    length[next] = length[p] + 1;
    next++;
  }

  function emit(code: number): number {
    const len = length[code];
    let c = code;
    for (let k = len - 1; k >= 0; k--) {
      if (o + k < size) out[o + k] = suffix[c];
      if (k > 0) c = prefix[c];
    }
    o += len;
    return suffix[c];
  }
}
