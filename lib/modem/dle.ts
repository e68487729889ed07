/**
 * T.31 §8.3 data transparency between DTE and DCE (pure, no I/O).
 *
 * In both directions a DLE (0x10) octet of data is sent as DLE DLE, and DLE ETX marks the end of
 * the data (T.31 §8.3.2 / §8.3.3). The DCE may also send DLE SUB for two DLE data octets
 * (T.31 Table 21). Any other DLE pair is a command or status the receiver ignores.
 */

export const DLE = 0x10;
export const ETX = 0x03;
export const SUB = 0x1a;
/** XON / XOFF: in-band flow control from the DCE (V.250 +IFC=1,1). */
export const DC1 = 0x11;
export const DC3 = 0x13;
/** CAN: the character we send to abort a receive (T.31 §8.3.2: "any character"). */
export const CAN = 0x18;

/** DLE shielding for data sent to the DCE: each DLE is doubled (T.31 §8.3.3). */
export function dleShield(data: Uint8Array): Uint8Array {
  let dles = 0;
  for (const b of data) if (b === DLE) dles++;
  if (dles === 0) return data;
  const out = new Uint8Array(data.length + dles);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === DLE) out[j++] = DLE;
  }
  return out;
}

/** The end-of-data marker DLE ETX (T.31 §8.3.3, §8.3.4). */
export const DLE_ETX: Uint8Array = Uint8Array.of(DLE, ETX);

/** One shielded block: data followed by DLE ETX. */
export function dleFrame(data: Uint8Array): Uint8Array {
  const shielded = dleShield(data);
  const out = new Uint8Array(shielded.length + 2);
  out.set(shielded, 0);
  out.set(DLE_ETX, shielded.length);
  return out;
}

export interface UnshieldResult {
  /** Data octets decoded from this chunk. */
  data: Uint8Array;
  /** True when DLE ETX was seen: `data` is the end of the stream. */
  ended: boolean;
  /** Octets that followed DLE ETX in the chunk (the result code line). */
  rest: Uint8Array;
}

/**
 * Incremental removal of DLE shielding from data sent by the DCE (T.31 §8.3.2, §8.3.5).
 * A DLE at the end of one chunk is completed by the first octet of the next.
 */
export class DleUnshielder {
  private pendingDle = false;

  push(chunk: Uint8Array): UnshieldResult {
    const out = new Uint8Array(chunk.length * 2);
    let j = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (!this.pendingDle) {
        if (b === DLE) this.pendingDle = true;
        else out[j++] = b;
        continue;
      }
      this.pendingDle = false;
      if (b === DLE) out[j++] = DLE;
      else if (b === SUB) {
        out[j++] = DLE;
        out[j++] = DLE;
      } else if (b === ETX) {
        return { data: out.slice(0, j), ended: true, rest: chunk.slice(i + 1) };
      }
      // Other DLE pairs (e.g. DLE ETB, DLE 'a') carry no data: dropped.
    }
    return { data: out.slice(0, j), ended: false, rest: new Uint8Array(0) };
  }

  reset(): void {
    this.pendingDle = false;
  }
}

/** Whole-buffer convenience form of DleUnshielder. */
export function dleUnshield(data: Uint8Array): UnshieldResult {
  return new DleUnshielder().push(data);
}
