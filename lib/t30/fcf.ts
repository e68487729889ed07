/**
 * T.30 facsimile control fields (FCF), T.30 §5.3.6.1 and Table 2/T.30 (the FCF listing).
 *
 * Values are octets as a Class 1 modem or a T.38 gateway hands them over: the first bit on the
 * line is the least significant bit, so T.30's "X000 0001" (DIS) is 0x80 with X in bit 0.
 * The X bit (T.30 §5.3.6.1) is 1 in frames sent by the station that received a valid DIS — the
 * caller, for a sender. Parsers compare FCFs with X masked off.
 */

/** T.30 §5.3.6.1: the X bit, first bit of the FCF. */
export const FCF_X_BIT = 0x01;

export const Fcf = {
  // Initial identification, from the called terminal (T.30 §5.3.6.1.1).
  DIS: 0x80,
  CSI: 0x40,
  NSF: 0x20,
  // Command to send (T.30 §5.3.6.1.2).
  DTC: 0x80 | 0x01,
  CIG: 0x40 | 0x01,
  NSC: 0x20 | 0x01,
  // Command to receive, from the sender (T.30 §5.3.6.1.3).
  DCS: 0x82,
  TSI: 0x42,
  NSS: 0x22,
  SUB: 0xc2,
  // Pre-message responses (T.30 §5.3.6.1.4).
  CFR: 0x84,
  FTT: 0x44,
  CTR: 0xc4,
  // Post-message commands (T.30 §5.3.6.1.5) and the ECM commands of T.30 Annex A.
  EOM: 0x8e,
  MPS: 0x4e,
  EOP: 0x2e,
  PRI_EOM: 0x9e,
  PRI_MPS: 0x5e,
  PRI_EOP: 0x3e,
  PPS: 0xbe,
  EOR: 0xce,
  RR: 0x6e,
  CTC: 0x12,
  // Post-message responses (T.30 §5.3.6.1.6).
  MCF: 0x8c,
  RTP: 0xcc,
  RTN: 0x4c,
  PIP: 0xac,
  PIN: 0x2c,
  PPR: 0xbc,
  RNR: 0xec,
  ERR: 0x1c,
  // Other line control (T.30 §5.3.6.1.7).
  DCN: 0xfa,
  CRP: 0x1a,
  FNV: 0xca,
  // Image frames sent at the message speed (T.4 Annex A, T.30 Table A.1): no X bit.
  FCD: 0x06,
  RCP: 0x86,
} as const;

export type FcfName = keyof typeof Fcf;

/**
 * The FCF of the post-page message carried in PPS and EOR (T.30 §A.4.3): NULL means "more
 * partial pages of this page follow".
 */
export const PPS_NULL = 0x00;

/**
 * The initial-identification and command-to-send frames have no X bit: their first bit tells
 * DIS from DTC, CSI from CIG, NSF from NSC (T.30 §5.3.6.1.1–2). Every other FCF has one.
 */
const WITHOUT_X_BIT: ReadonlySet<number> = new Set([Fcf.DIS, Fcf.DTC, Fcf.CSI, Fcf.CIG, Fcf.NSF, Fcf.NSC]);

const namesByValue = new Map<number, FcfName>(
  (Object.entries(Fcf) as [FcfName, number][]).map(([name, value]) => [value, name]),
);

/** The FCF with the X bit cleared where the frame type has one. */
export function fcfWithoutX(fcf: number): number {
  return WITHOUT_X_BIT.has(fcf) ? fcf : fcf & ~FCF_X_BIT;
}

/** The name of an FCF, X bit ignored, or undefined for an FCF this engine does not know. */
export function fcfName(fcf: number): FcfName | undefined {
  return namesByValue.get(fcfWithoutX(fcf));
}
