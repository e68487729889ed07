/**
 * DIS/DTC/DCS: the facsimile information field of the capability frames (T.30 §5.3.6.2.1 and
 * Table 2/T.30). Bits are numbered from 1 as in Table 2/T.30: bit n is bit (n-1) mod 8 of FIF
 * octet (n-1) div 8, least significant bit first (the first bit on the line). Bits 24, 32, 40 …
 * are "extend field" bits: the next octet follows.
 */

import {
  MODULATIONS,
  modulationFromDcsBits,
  type Modulation,
  type ModulationCode,
} from '../itu/modulation.js';
import type { Coding, PageWidth, Resolution } from '../itu/page.js';

/** Recording length (Table 2/T.30 bits 19–20). */
export type PageLength = 'a4' | 'b4' | 'unlimited';

/** Table 2/T.30 bit numbers used by this engine. */
export const DisBit = {
  READY_TO_TRANSMIT: 9,
  RECEIVER_FAX: 10,
  /** Bits 11–14: data signalling rate. */
  RATE: 11,
  FINE: 15,
  TWO_DIMENSIONAL: 16,
  /** Bits 17–18: recording width. */
  WIDTH: 17,
  /** Bits 19–20: recording length. */
  LENGTH: 19,
  /** Bits 21–23: minimum scan line time. */
  SCAN_TIME: 21,
  UNCOMPRESSED: 26,
  ECM: 27,
  /** DCS only: 1 = 64-octet ECM frames, 0 = 256. */
  ECM_64_OCTET_FRAMES: 28,
  T6: 31,
  SUPERFINE: 41,
  /** 1 = T15.4 is half of T7.7 (Table 2/T.30 note on bit 46). */
  SUPERFINE_HALF_SCAN_TIME: 46,
  /** DIS/DTC: subaddressing capability; DCS: a SUB frame goes with this DCS. */
  SUBADDRESSING: 49,
  LETTER: 76,
  LEGAL: 77,
  /** T.85 (JBIG) coding; Table 2/T.30: only with ECM (bit 27). */
  T85: 78,
  /** T.85 with the optional L0 (stripes of other than 128 rows); Table 2/T.30 note: only with bit 78. */
  T85_L0: 79,
} as const;

/** A FIF as a bit array with Table 2/T.30 numbering. */
export class CapabilityBits {
  readonly octets: number[];

  constructor(fif: Uint8Array | readonly number[] = []) {
    this.octets = Array.from(fif);
  }

  get(bit: number): number {
    const octet = this.octets[(bit - 1) >> 3] ?? 0;
    return (octet >> ((bit - 1) & 7)) & 1;
  }

  set(bit: number, value = 1): void {
    const index = (bit - 1) >> 3;
    while (this.octets.length <= index) this.octets.push(0);
    const mask = 1 << ((bit - 1) & 7);
    this.octets[index] = value ? this.octets[index] | mask : this.octets[index] & ~mask;
  }

  /** The FIF with extend bits (24, 32, …) set on every octet but the last; at least 3 octets. */
  toFif(): Uint8Array {
    const octets = [...this.octets];
    while (octets.length > 3 && octets[octets.length - 1] === 0) octets.pop();
    while (octets.length < 3) octets.push(0);
    for (let i = 2; i < octets.length; i++) {
      octets[i] = i < octets.length - 1 ? octets[i] | 0x80 : octets[i] & 0x7f;
    }
    return Uint8Array.from(octets);
  }

  /** The octets a receiver may read: those up to the first octet ≥ 3 whose extend bit is 0. */
  static fromFif(fif: Uint8Array): CapabilityBits {
    let length = Math.min(fif.length, 3);
    while (length < fif.length && length >= 3 && fif[length - 1] & 0x80) length++;
    return new CapabilityBits(fif.subarray(0, length));
  }
}

/** What a DIS (or DTC) says the far end can receive. */
export interface DisCapabilities {
  receiver: boolean;
  readyToTransmit: boolean;
  /** Modulations it accepts, fastest first. */
  modulations: Modulation[];
  fine: boolean;
  superfine: boolean;
  mr: boolean;
  mmr: boolean;
  /** Bit 78: T.85 (JBIG); bit 79: T.85 with the optional L0 (read only with bit 78). */
  t85: boolean;
  t85L0: boolean;
  ecm: boolean;
  widths: PageWidth[];
  lengths: PageLength[];
  letter: boolean;
  legal: boolean;
  /** Bit 49: it accepts a subaddress (SUB) to route the fax by. */
  subaddressing: boolean;
  /** Minimum scan line time in ms for each vertical resolution (Table 2/T.30 bits 21–23, 46). */
  minScanTimeMs: Record<Resolution, number>;
}

/** DIS bits 11, 12, 13, 14 → the T.31 codes of the modulations accepted (Table 2/T.30). */
const DIS_RATES: Record<string, ModulationCode[]> = {
  '0000': [24], // V.27 ter fall-back mode
  '0100': [48, 24], // V.27 ter
  '1000': [96, 72], // V.29
  '1100': [96, 72, 48, 24], // V.27 ter and V.29
  '1101': MODULATIONS.map((m) => m.code), // V.27 ter, V.29 and V.17
};

/** DIS bits 17, 18 → widths (Table 2/T.30); (1,1) is invalid and read as 215 mm only. */
const DIS_WIDTHS: Record<string, PageWidth[]> = {
  '00': [1728],
  '10': [1728, 2048],
  '01': [1728, 2048, 2432],
  '11': [1728],
};

/** DIS bits 19, 20 → lengths (Table 2/T.30); (1,1) is invalid and read as A4 only. */
const DIS_LENGTHS: Record<string, PageLength[]> = {
  '00': ['a4'],
  '10': ['a4', 'b4', 'unlimited'],
  '01': ['a4', 'b4'],
  '11': ['a4'],
};

/**
 * Bits 21, 22, 23 of a DIS → [T at 3.85 l/mm, T at 7.7 l/mm] in ms (Table 2/T.30). Codes
 * 011, 110, 101 mean "T7.7 = ½ T3.85".
 */
const DIS_SCAN_TIMES: Record<string, [number, number]> = {
  '000': [20, 20],
  '001': [40, 40],
  '010': [10, 10],
  '100': [5, 5],
  '011': [10, 5],
  '110': [20, 10],
  '101': [40, 20],
  '111': [0, 0],
};

/** DCS bits 21, 22, 23 for a scan line time in ms (Table 2/T.30, DCS column). */
const DCS_SCAN_TIME_BITS: Record<number, [number, number, number]> = {
  20: [0, 0, 0],
  40: [0, 0, 1],
  10: [0, 1, 0],
  5: [1, 0, 0],
  0: [1, 1, 1],
};

function bitsOf(bits: CapabilityBits, first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => bits.get(first + i));
}

/** Decodes the FIF of a DIS or DTC (T.30 §5.3.6.2.1). */
export function decodeDis(fif: Uint8Array): DisCapabilities {
  const bits = CapabilityBits.fromFif(fif);
  const [t385, t77] = DIS_SCAN_TIMES[bitsOf(bits, DisBit.SCAN_TIME, 3).join('')];
  return {
    receiver: bits.get(DisBit.RECEIVER_FAX) === 1,
    readyToTransmit: bits.get(DisBit.READY_TO_TRANSMIT) === 1,
    modulations: MODULATIONS.filter((m) =>
      (DIS_RATES[bitsOf(bits, DisBit.RATE, 4).join('')] ?? []).includes(m.code),
    ),
    fine: bits.get(DisBit.FINE) === 1,
    superfine: bits.get(DisBit.SUPERFINE) === 1,
    mr: bits.get(DisBit.TWO_DIMENSIONAL) === 1,
    mmr: bits.get(DisBit.T6) === 1,
    t85: bits.get(DisBit.T85) === 1,
    t85L0: bits.get(DisBit.T85) === 1 && bits.get(DisBit.T85_L0) === 1,
    ecm: bits.get(DisBit.ECM) === 1,
    widths: DIS_WIDTHS[bitsOf(bits, DisBit.WIDTH, 2).join('')],
    lengths: DIS_LENGTHS[bitsOf(bits, DisBit.LENGTH, 2).join('')],
    letter: bits.get(DisBit.LETTER) === 1,
    legal: bits.get(DisBit.LEGAL) === 1,
    subaddressing: bits.get(DisBit.SUBADDRESSING) === 1,
    minScanTimeMs: {
      standard: t385,
      fine: t77,
      superfine: bits.get(DisBit.SUPERFINE_HALF_SCAN_TIME) ? t77 / 2 : t77,
    },
  };
}

/** The parameters a sender announces in DCS (T.30 §5.3.6.2.1, Table 2/T.30 DCS column). */
export interface DcsParameters {
  modulation: Modulation;
  resolution: Resolution;
  coding: Coding;
  ecm: boolean;
  /** 256 or 64 octets per ECM frame. */
  ecmFrameSize: 256 | 64;
  width: PageWidth;
  length: PageLength;
  /** 0, 5, 10, 20 or 40 ms. */
  minScanTimeMs: number;
  /** Bit 49: a SUB frame goes with this DCS (only when the far end's DIS offers it). */
  subaddress?: boolean;
}

const DCS_WIDTH_BITS: Record<PageWidth, [number, number]> = { 1728: [0, 0], 2048: [1, 0], 2432: [0, 1] };
const DCS_LENGTH_BITS: Record<PageLength, [number, number]> = { a4: [0, 0], b4: [0, 1], unlimited: [1, 0] };

/** Builds the FIF of a DCS. */
export function encodeDcs(p: DcsParameters): Uint8Array {
  const bits = new CapabilityBits();
  bits.set(DisBit.RECEIVER_FAX);
  p.modulation.dcsRateBits.forEach((b, i) => bits.set(DisBit.RATE + i, b));
  if (p.resolution === 'fine') bits.set(DisBit.FINE);
  if (p.resolution === 'superfine') bits.set(DisBit.SUPERFINE);
  if (p.coding === 'mr') bits.set(DisBit.TWO_DIMENSIONAL);
  if (p.coding === 'mmr') bits.set(DisBit.T6);
  // T.85: bit 78; T.85 with the optional L0: bits 78 and 79 (Table 2/T.30, DCS column).
  if (p.coding === 't85' || p.coding === 't85-l0') bits.set(DisBit.T85);
  if (p.coding === 't85-l0') bits.set(DisBit.T85_L0);
  DCS_WIDTH_BITS[p.width].forEach((b, i) => bits.set(DisBit.WIDTH + i, b));
  DCS_LENGTH_BITS[p.length].forEach((b, i) => bits.set(DisBit.LENGTH + i, b));
  DCS_SCAN_TIME_BITS[p.minScanTimeMs].forEach((b, i) => bits.set(DisBit.SCAN_TIME + i, b));
  if (p.ecm) {
    bits.set(DisBit.ECM);
    if (p.ecmFrameSize === 64) bits.set(DisBit.ECM_64_OCTET_FRAMES);
  }
  if (p.subaddress) bits.set(DisBit.SUBADDRESSING);
  return bits.toFif();
}

/** Decodes the FIF of a DCS (for tests, logs and, later, the receiving side). */
export function decodeDcs(fif: Uint8Array): Partial<DcsParameters> {
  const bits = CapabilityBits.fromFif(fif);
  const pick = <K extends string | number>(table: Record<K, number[]>, first: number, n: number) => {
    const key = bitsOf(bits, first, n).join('');
    return (Object.keys(table) as K[]).find((k) => table[k].join('') === key);
  };
  const coding: Coding = bits.get(DisBit.T85)
    ? bits.get(DisBit.T85_L0)
      ? 't85-l0'
      : 't85'
    : bits.get(DisBit.T6)
      ? 'mmr'
      : bits.get(DisBit.TWO_DIMENSIONAL)
        ? 'mr'
        : 'mh';
  const resolution: Resolution = bits.get(DisBit.SUPERFINE)
    ? 'superfine'
    : bits.get(DisBit.FINE)
      ? 'fine'
      : 'standard';
  const width = pick(DCS_WIDTH_BITS, DisBit.WIDTH, 2);
  const scan = pick(DCS_SCAN_TIME_BITS, DisBit.SCAN_TIME, 3);
  return {
    modulation: modulationFromDcsBits(bitsOf(bits, DisBit.RATE, 4)),
    resolution,
    coding,
    ecm: bits.get(DisBit.ECM) === 1,
    ecmFrameSize: bits.get(DisBit.ECM_64_OCTET_FRAMES) ? 64 : 256,
    width: width === undefined ? undefined : (Number(width) as PageWidth),
    length: pick(DCS_LENGTH_BITS, DisBit.LENGTH, 2),
    minScanTimeMs: scan === undefined ? undefined : Number(scan),
    subaddress: bits.get(DisBit.SUBADDRESSING) === 1,
  };
}

/** The DCS scan-time codes exist only for these values; round a wish up to one of them. */
export function dcsScanTime(ms: number): number {
  return [0, 5, 10, 20, 40].find((t) => t >= ms) ?? 40;
}

/** What a called terminal offers in its DIS (T.30 §5.3.6.2.1): what it can receive and store. */
export interface ReceiveCapabilities {
  /** Modulations the transport can receive (+FRM=?); DIS bits 11–14 name the largest group inside them. */
  modulations: readonly Modulation[];
  fine: boolean;
  superfine: boolean;
  mr: boolean;
  /** T.6 coding; T.30 Table 2 allows it only with ECM. */
  mmr: boolean;
  /** T.85 (bit 78) and T.85 with the optional L0 (bit 79); only with ECM (default false). */
  t85?: boolean;
  t85L0?: boolean;
  ecm: boolean;
  widths: readonly PageWidth[];
  lengths: readonly PageLength[];
  /** Minimum scan line time the receiver needs (0: it buffers, as a software receiver does). */
  minScanTimeMs: 0 | 5 | 10 | 20 | 40;
}

/** DIS bits 21–23 for "T7.7 = T3.85" (Table 2/T.30). */
const DIS_SCAN_TIME_BITS: Record<number, [number, number, number]> = {
  20: [0, 0, 0],
  40: [0, 0, 1],
  10: [0, 1, 0],
  5: [1, 0, 0],
  0: [1, 1, 1],
};

/**
 * Builds the FIF of a DIS (T.30 §5.3.6.2.1, Table 2/T.30 DIS column). The rate bits name the
 * largest of Table 2's groups whose every modulation the transport can receive; the width and
 * length bits the largest group offered.
 */
export function encodeDis(c: ReceiveCapabilities): Uint8Array {
  const bits = new CapabilityBits();
  bits.set(DisBit.RECEIVER_FAX);
  const codes = new Set(c.modulations.map((m) => m.code));
  const rate = Object.entries(DIS_RATES)
    .filter(([, group]) => group.every((code) => codes.has(code)))
    .sort((a, b) => b[1].length - a[1].length)[0];
  (rate?.[0] ?? '0000').split('').forEach((b, i) => bits.set(DisBit.RATE + i, Number(b)));
  if (c.fine) bits.set(DisBit.FINE);
  if (c.superfine) bits.set(DisBit.SUPERFINE);
  if (c.mr) bits.set(DisBit.TWO_DIMENSIONAL);
  if (c.ecm) {
    bits.set(DisBit.ECM);
    if (c.mmr) bits.set(DisBit.T6);
    if (c.t85) {
      bits.set(DisBit.T85);
      if (c.t85L0) bits.set(DisBit.T85_L0);
    }
  }
  const width = c.widths.includes(2432) ? '01' : c.widths.includes(2048) ? '10' : '00';
  width.split('').forEach((b, i) => bits.set(DisBit.WIDTH + i, Number(b)));
  const length = c.lengths.includes('unlimited') ? '10' : c.lengths.includes('b4') ? '01' : '00';
  length.split('').forEach((b, i) => bits.set(DisBit.LENGTH + i, Number(b)));
  DIS_SCAN_TIME_BITS[c.minScanTimeMs].forEach((b, i) => bits.set(DisBit.SCAN_TIME + i, b));
  return bits.toFif();
}
