/**
 * Test helper: an HDLC de-framer, written independently of lib/modem/hdlc.ts on purpose.
 */

/**
 * An HDLC receiver: line bits (least significant bit of each
 * octet first) → frames. It counts ones: a 0 after five ones is a stuffed bit, a 0 after six ends
 * a flag, seven or more are an abort. A frame is what lies between two flags, kept when it is a
 * whole number of octets, at least 3 octets + FCS, and its CRC (here computed bit by bit in line
 * order with the unreflected polynomial 0x1021) leaves the residue 0x1D0F.
 */
export interface Deframed {
  frames: Uint8Array[];
  /** Bit offset in the stream where each kept frame's first bit lies. */
  starts: number[];
  /** Flags-to-flag spans that were not a good frame. */
  rejected: number;
}

export function deframe(stream: Uint8Array): Deframed {
  const bits: number[] = [];
  for (const o of stream) for (let k = 0; k < 8; k++) bits.push((o >> k) & 1);
  const result: Deframed = { frames: [], starts: [], rejected: 0 };
  let inFrame = false;
  let data: number[] = [];
  let start = 0;
  let ones = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (b === 1) {
      ones++;
      if (ones >= 7) {
        inFrame = false; // abort: wait for the next flag
        data = [];
      } else if (inFrame) data.push(1);
      continue;
    }
    if (ones === 5) {
      ones = 0; // stuffed zero: dropped
      continue;
    }
    if (ones === 6) {
      // A flag: its leading 0 and six ones were already taken as data.
      if (inFrame) {
        const body = data.slice(0, data.length - 7);
        if (body.length > 0) {
          const good = body.length % 8 === 0 && body.length >= 5 * 8 && crcResidue(body) === 0x1d0f;
          if (good) {
            result.frames.push(Uint8Array.from({ length: body.length / 8 - 2 }, (_, n) => octetAt(body, n)));
            result.starts.push(start);
          } else result.rejected++;
        }
      }
      inFrame = true;
      data = [];
      start = i + 1;
      ones = 0;
      continue;
    }
    ones = 0;
    if (inFrame) data.push(0);
  }
  return result;
}

function octetAt(bits: number[], n: number): number {
  let v = 0;
  for (let k = 0; k < 8; k++) v |= bits[n * 8 + k] << k;
  return v;
}

function crcResidue(bits: number[]): number {
  let reg = 0xffff;
  for (const b of bits) {
    const feedback = ((reg >> 15) & 1) ^ b;
    reg = (reg << 1) & 0xffff;
    if (feedback) reg ^= 0x1021;
  }
  return reg;
}
