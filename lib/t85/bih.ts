/**
 * The bi-level image header (BIH) of T.82 §6.2 and the marker codes of T.82 §6.2, with the
 * limits T.85 puts on them (the facsimile profile: one plane, one layer, sequential).
 */
import { T85Error } from './errors.js';

/** BIH length in octets (T.82 §6.2). */
export const BIH_LENGTH = 20;

/** Marker codes, each after an ESC octet (T.82 §6.2). */
export const ESC = 0xff;
export const STUFF = 0x00;
export const RESERVE = 0x01;
export const SDNORM = 0x02;
export const SDRST = 0x03;
export const ABORT = 0x04;
export const NEWLEN = 0x05;
export const ATMOVE = 0x06;
export const COMMENT = 0x07;

/** Options octet bits (T.82 §6.2). */
export const LRLTWO = 0x40;
export const VLENGTH = 0x20;
export const TPDON = 0x10;
export const TPBON = 0x08;
export const DPON = 0x04;
export const DPPRIV = 0x02;
export const DPLAST = 0x01;

/** A YD that stands for "not known yet" (T.85: VLENGTH = 1 and NEWLEN once the page ends). */
export const UNKNOWN_HEIGHT = 0xffffffff;

export interface Bih {
  /** XD: pixels per row. */
  width: number;
  /** YD: rows (with vlength, an upper bound that NEWLEN may lower). */
  height: number;
  /** L0: rows per stripe. */
  stripeRows: number;
  /** MX: the largest horizontal offset ATMOVE may give the AT pixel (T.85: at most 127). */
  mx: number;
  /** Options: two-line template (LRLTWO), VLENGTH, TPBON (the only ones T.85 allows). */
  twoLine: boolean;
  vlength: boolean;
  tpbon: boolean;
}

function u32(d: Uint8Array, i: number): number {
  return ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
}

function putU32(d: Uint8Array, i: number, v: number): void {
  d[i] = v >>> 24;
  d[i + 1] = (v >>> 16) & 0xff;
  d[i + 2] = (v >>> 8) & 0xff;
  d[i + 3] = v & 0xff;
}

/** The BIH octets: DL = 0, D = 0, P = 1, order 0, options from `bih`. */
export function writeBih(bih: Bih): Uint8Array {
  const d = new Uint8Array(BIH_LENGTH);
  d[0] = 0; // DL
  d[1] = 0; // D
  d[2] = 1; // P
  putU32(d, 4, bih.width);
  putU32(d, 8, bih.height);
  putU32(d, 12, bih.stripeRows);
  d[16] = bih.mx;
  d[17] = 0; // MY
  d[18] = 0; // HITOLO, SEQ, ILEAVE, SMID
  d[19] = (bih.twoLine ? LRLTWO : 0) | (bih.vlength ? VLENGTH : 0) | (bih.tpbon ? TPBON : 0);
  return d;
}

/** Reads and checks a BIH (its first 20 octets). */
export function parseBih(d: Uint8Array): Bih {
  if (d.length < BIH_LENGTH) throw new T85Error('bad-header', `BIH is ${d.length} octets, not 20`);
  const [dl, dd, p, fill] = d;
  const width = u32(d, 4);
  const height = u32(d, 8);
  const stripeRows = u32(d, 12);
  const mx = d[16];
  const my = d[17];
  const order = d[18];
  const options = d[19];
  // T.82 §6.2: DL ≤ D, fill octet and reserved bits 0, sizes at least 1.
  if (dl > dd || fill !== 0 || (order & 0xf0) !== 0 || (options & 0x80) !== 0)
    throw new T85Error('bad-header', 'BIH has bad layer numbers or nonzero reserved bits');
  if (p === 0 || width === 0 || height === 0 || stripeRows === 0)
    throw new T85Error('bad-header', 'BIH gives zero planes, width, height or stripe rows');
  // T.85: one plane, one layer (DL = D = 0), MY = 0, MX ≤ 127. The order bits and TPDON/DPON only concern differential layers and planes: with one of each
  // they change nothing, and are ignored as jbigkit's T.82 decoder does (T.85 says 0).
  if (dl !== 0 || dd !== 0 || p !== 1 || my !== 0 || mx > 127)
    throw new T85Error('unsupported', 'the BIE is not in the T.85 profile (layers, planes, MX or MY)');
  // A private deterministic-prediction table would follow the BIH (T.82 §6.2): not T.85.
  if ((options & DPON) !== 0 && (options & DPPRIV) !== 0)
    throw new T85Error('unsupported', 'the BIE carries a private DP table, which T.85 does not allow');
  return {
    width,
    height,
    stripeRows,
    mx,
    twoLine: (options & LRLTWO) !== 0,
    vlength: (options & VLENGTH) !== 0,
    tpbon: (options & TPBON) !== 0,
  };
}

export { u32, putU32 };
