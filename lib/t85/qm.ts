/**
 * The QM adaptive binary arithmetic coder of T.82 (proven with its clause 7.1 test sequence in
 * test/t85/qm.test.ts), with the probability estimation of T.82 Table 24.
 *
 * Registers follow the software conventions of T.82: A is the interval (0x10000 = 1.0,
 * kept ≥ 0x8000), C the code register (encoder: bits 0–15 fraction, 16–18 spacer, 19–26 the next
 * octet, 27 the carry; decoder: bits 16–31 compared with A). Each context holds a state: the
 * Table 24 index (bits 0–6) and the MPS (bit 7).
 */

/** T.82 Table 24: Qe (LSZ) of each of the 113 states. */
const LSZ = Uint16Array.from([
  0x5a1d, 0x2586, 0x1114, 0x080b, 0x03d8, 0x01da, 0x00e5, 0x006f, 0x0036, 0x001a, 0x000d, 0x0006, 0x0003,
  0x0001, 0x5a7f, 0x3f25, 0x2cf2, 0x207c, 0x17b9, 0x1182, 0x0cef, 0x09a1, 0x072f, 0x055c, 0x0406, 0x0303,
  0x0240, 0x01b1, 0x0144, 0x00f5, 0x00b7, 0x008a, 0x0068, 0x004e, 0x003b, 0x002c, 0x5ae1, 0x484c, 0x3a0d,
  0x2ef1, 0x261f, 0x1f33, 0x19a8, 0x1518, 0x1177, 0x0e74, 0x0bfb, 0x09f8, 0x0861, 0x0706, 0x05cd, 0x04de,
  0x040f, 0x0363, 0x02d4, 0x025c, 0x01f8, 0x01a4, 0x0160, 0x0125, 0x00f6, 0x00cb, 0x00ab, 0x008f, 0x5b12,
  0x4d04, 0x412c, 0x37d8, 0x2fe8, 0x293c, 0x2379, 0x1edf, 0x1aa9, 0x174e, 0x1424, 0x119c, 0x0f6b, 0x0d51,
  0x0bb6, 0x0a40, 0x5832, 0x4d1c, 0x438e, 0x3bdd, 0x34ee, 0x2eae, 0x299a, 0x2516, 0x5570, 0x4ca9, 0x44d9,
  0x3e22, 0x3824, 0x32b4, 0x2e17, 0x56a8, 0x4f46, 0x47e5, 0x41cf, 0x3c3d, 0x375e, 0x5231, 0x4c0f, 0x4639,
  0x415e, 0x5627, 0x50e7, 0x4b85, 0x5597, 0x504f, 0x5a10, 0x5522, 0x59eb,
]);

/** T.82 Table 24: NMPS, the next state after an MPS. */
const NMPS = Uint8Array.from([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
  30, 31, 32, 33, 34, 35, 9, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
  57, 58, 59, 60, 61, 62, 63, 32, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 48, 81, 82, 83,
  84, 85, 86, 87, 71, 89, 90, 91, 92, 93, 94, 86, 96, 97, 98, 99, 100, 93, 102, 103, 104, 99, 106, 107, 103,
  109, 107, 111, 109, 111,
]);

/** T.82 Table 24: NLPS, the next state after an LPS. */
const NLPS = Uint8Array.from([
  1, 14, 16, 18, 20, 23, 25, 28, 30, 33, 35, 9, 10, 12, 15, 36, 38, 39, 40, 42, 43, 45, 46, 48, 49, 51, 52,
  54, 56, 57, 59, 60, 62, 63, 32, 33, 37, 64, 65, 67, 68, 69, 70, 72, 73, 74, 75, 77, 78, 79, 48, 50, 50, 51,
  52, 53, 54, 55, 56, 57, 58, 59, 61, 61, 65, 80, 81, 82, 83, 84, 86, 87, 87, 72, 72, 74, 74, 75, 77, 77, 80,
  88, 89, 90, 91, 92, 93, 86, 88, 95, 96, 97, 99, 99, 93, 95, 101, 102, 103, 104, 99, 105, 106, 107, 103, 105,
  108, 109, 110, 111, 110, 112, 112,
]);

/** T.82 Table 24: the states whose LPS exchanges the sense of MPS (SWITCH = 1). */
const SWITCH = new Set([0, 14, 36, 64, 80, 88, 95, 105, 110, 112]);

/** Next state word (index | MPS << 7) after an LPS in state word `s`. */
const AFTER_LPS = new Uint8Array(256);
/** Next state word after an MPS. */
const AFTER_MPS = new Uint8Array(256);
for (let s = 0; s < 113; s++) {
  for (const mps of [0, 0x80]) {
    AFTER_MPS[s | mps] = NMPS[s] | mps;
    AFTER_LPS[s | mps] = NLPS[s] | (SWITCH.has(s) ? mps ^ 0x80 : mps);
  }
}

/** Contexts of the 10-pixel templates of T.82 (2^10), the TP contexts among them. */
export const CONTEXTS = 1024;

/** Octets of one stripe's SCD (raw, with the carry still to resolve, or unstuffed): grows by doubling. */
export class OctetSink {
  data: Uint8Array;
  length = 0;
  constructor(initialSize = 4096) {
    this.data = new Uint8Array(initialSize);
  }
  push(b: number): void {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = b;
  }
}

/**
 * QM encoder (T.82's INITENC, ENCODE, RENORME, BYTEOUT, FLUSH). Collects one stripe's SCD;
 * flush() returns it as PSCD (T.82 §6.2: trailing 0x00 removed, 0xFF stuffed with 0x00).
 */
export class QmEncoder {
  readonly st = new Uint8Array(CONTEXTS);
  private a = 0x10000;
  private c = 0;
  private ct = 11;
  /** Pending 0xFF octets that a carry could still turn into 0x00 (SC). */
  private sc = 0;
  /** The octet held back for a carry (BUFFER), -1 while there is none. */
  private buffer = -1;
  private out = new OctetSink();

  /** INITENC; the context states are kept unless `reset` (T.82 §6.2.6: SDNORM keeps them). */
  init(reset: boolean): void {
    if (reset) this.st.fill(0);
    this.a = 0x10000;
    this.c = 0;
    this.ct = 11;
    this.sc = 0;
    this.buffer = -1;
    this.out = new OctetSink();
  }

  encode(cx: number, pix: number): void {
    const s = this.st[cx];
    const lsz = LSZ[s & 0x7f];
    this.a -= lsz;
    if (pix !== s >> 7) {
      // CODELPS, with the conditional exchange
      if (this.a >= lsz) {
        this.c += this.a;
        this.a = lsz;
      }
      this.st[cx] = AFTER_LPS[s];
    } else {
      // CODEMPS
      if (this.a >= 0x8000) return;
      if (this.a < lsz) {
        this.c += this.a;
        this.a = lsz;
      }
      this.st[cx] = AFTER_MPS[s];
    }
    do {
      this.a *= 2;
      this.c *= 2;
      if (--this.ct === 0) this.byteOut();
    } while (this.a < 0x8000);
  }

  private byteOut(): void {
    const temp = Math.floor(this.c / 0x80000);
    if (temp > 0xff) {
      if (this.buffer >= 0) this.out.push(this.buffer + 1);
      for (; this.sc > 0; this.sc--) this.out.push(0x00);
      this.buffer = temp & 0xff;
    } else if (temp === 0xff) {
      this.sc++;
    } else {
      if (this.buffer >= 0) this.out.push(this.buffer);
      for (; this.sc > 0; this.sc--) this.out.push(0xff);
      this.buffer = temp;
    }
    this.c %= 0x80000;
    this.ct = 8;
  }

  /** FLUSH (CLEARBITS, FINALWRITES); the stripe's PSCD, stuffed. */
  flush(): Uint8Array {
    const top = Math.floor((this.c + this.a - 1) / 0x10000) * 0x10000;
    this.c = top < this.c ? top + 0x8000 : top;
    this.c *= 2 ** this.ct;
    this.byteOut();
    this.c *= 0x100;
    this.byteOut();
    if (this.buffer >= 0) this.out.push(this.buffer);
    for (; this.sc > 0; this.sc--) this.out.push(0xff);
    const raw = this.out;
    let n = raw.length;
    while (n > 0 && raw.data[n - 1] === 0) n--; // T.82: the decoder pads with 0x00
    let ff = 0;
    for (let i = 0; i < n; i++) if (raw.data[i] === 0xff) ff++;
    const pscd = new Uint8Array(n + ff);
    for (let i = 0, o = 0; i < n; i++) {
      pscd[o++] = raw.data[i];
      if (raw.data[i] === 0xff) pscd[o++] = 0x00; // STUFF (T.82 §6.2)
    }
    return pscd;
  }
}

/**
 * QM decoder (T.82's INITDEC, DECODE, RENORMD, BYTEIN) over one stripe's SCD, already
 * unstuffed; past its end it reads 0x00 octets (the encoder may drop trailing ones).
 */
export class QmDecoder {
  readonly st = new Uint8Array(CONTEXTS);
  private a = 0;
  private c = 0;
  private ct = 0;
  private scd: Uint8Array = new Uint8Array(0);
  private pos = 0;

  /** INITDEC for a new stripe; the context states are kept unless `reset` (SDRST). */
  init(scd: Uint8Array, reset: boolean): void {
    if (reset) this.st.fill(0);
    this.scd = scd;
    this.pos = 0;
    // C holds the first four octets: bits 16–31 are compared with A, bits 0–15 are read ahead.
    this.c = this.next() * 0x1000000 + this.next() * 0x10000 + this.next() * 0x100 + this.next();
    this.ct = 8;
    this.a = 0x10000;
  }

  private next(): number {
    return this.pos < this.scd.length ? this.scd[this.pos++] : 0;
  }

  decode(cx: number): number {
    const s = this.st[cx];
    const lsz = LSZ[s & 0x7f];
    const mps = s >> 7;
    let pix: number;
    this.a -= lsz;
    if (Math.floor(this.c / 0x10000) < this.a) {
      if (this.a >= 0x8000) return mps;
      // MPS_EXCHANGE
      if (this.a < lsz) {
        pix = mps ^ 1;
        this.st[cx] = AFTER_LPS[s];
      } else {
        pix = mps;
        this.st[cx] = AFTER_MPS[s];
      }
    } else {
      // LPS_EXCHANGE
      this.c -= this.a * 0x10000;
      if (this.a < lsz) {
        pix = mps;
        this.st[cx] = AFTER_MPS[s];
      } else {
        pix = mps ^ 1;
        this.st[cx] = AFTER_LPS[s];
      }
      this.a = lsz;
    }
    do {
      this.a *= 2;
      this.c = (this.c * 2) % 0x100000000;
      if (--this.ct === 0) {
        this.c += this.next();
        this.ct = 8;
      }
    } while (this.a < 0x8000);
    return pix;
  }
}
