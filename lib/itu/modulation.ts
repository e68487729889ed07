/**
 * The modulations of a G3 fax call, one model for every layer: message-speed modulations
 * (T.30 §5.3.6.2.4, Table 2/T.30 bits 11–14) with their Class 1 codes (T.31 Table 3), and V.21
 * channel 2 for the T.30 control frames. T.38 uses the same set (T.38 §6.2.2).
 */

export type ModulationName = 'V.17' | 'V.29' | 'V.27ter';

/** T.31 Table 3: the +FTM / +FRM codes of the message-speed modulations (+FTH / +FRH take them too). */
export type ModulationCode = 24 | 48 | 72 | 96 | 73 | 74 | 97 | 98 | 121 | 122 | 145 | 146;

export interface Modulation {
  readonly name: ModulationName;
  readonly bitRate: number;
  /** T.31 Table 3 code for +FTM/+FRM (non-ECM data and TCF; long training on V.17). */
  readonly code: ModulationCode;
  /**
   * V.17 only: the code with short training (T.31 Table 3). TCF uses long training; the page
   * data that follows a successful TCF at the same rate uses short training (T.30 §5.3.2 note
   * on V.17, and the receiver expects it).
   */
  readonly shortTrainingCode?: ModulationCode;
  /** DCS bits 11, 12, 13, 14 (Table 2/T.30), in that order. */
  readonly dcsRateBits: readonly [number, number, number, number];
}

/**
 * Every modulation, fastest first: the order in which a sender tries them. After a failed
 * training the sender steps to the next one both ends support (T.30 §5.3.6.1.4 FTT; the step
 * from V.17 9600 to V.29 9600 keeps the rate but changes the modem, as spandsp does).
 */
export const MODULATIONS: readonly Modulation[] = [
  { name: 'V.17', bitRate: 14400, code: 145, shortTrainingCode: 146, dcsRateBits: [0, 0, 0, 1] },
  { name: 'V.17', bitRate: 12000, code: 121, shortTrainingCode: 122, dcsRateBits: [0, 1, 0, 1] },
  { name: 'V.17', bitRate: 9600, code: 97, shortTrainingCode: 98, dcsRateBits: [1, 0, 0, 1] },
  { name: 'V.29', bitRate: 9600, code: 96, dcsRateBits: [1, 0, 0, 0] },
  { name: 'V.17', bitRate: 7200, code: 73, shortTrainingCode: 74, dcsRateBits: [1, 1, 0, 1] },
  { name: 'V.29', bitRate: 7200, code: 72, dcsRateBits: [1, 1, 0, 0] },
  { name: 'V.27ter', bitRate: 4800, code: 48, dcsRateBits: [0, 1, 0, 0] },
  { name: 'V.27ter', bitRate: 2400, code: 24, dcsRateBits: [0, 0, 0, 0] },
];

/** "V.17 14400" — for logs and results. */
export function modulationLabel(m: Modulation): string {
  return `${m.name} ${m.bitRate}`;
}

/** The modulation a DCS's bits 11–14 select, or undefined for a reserved combination. */
export function modulationFromDcsBits(bits: readonly number[]): Modulation | undefined {
  return MODULATIONS.find((m) => m.dcsRateBits.every((b, i) => b === bits[i]));
}

/** The modulation with this T.31 code (long or short training). */
export function modulationByCode(code: number): Modulation | undefined {
  return MODULATIONS.find((m) => m.code === code || m.shortTrainingCode === code);
}

export function isModulationCode(n: number): n is ModulationCode {
  return modulationByCode(n) !== undefined;
}

/** The HDLC modulation of +FTH / +FRH: V.21 channel 2, 300 bit/s (T.31 Table 3). */
export const V21_HDLC = 3;
export const V21_BIT_RATE = 300;

/** +FTH / +FRH codes: V.21 for T.30 control, or a message-speed modulation for ECM frames. */
export type HdlcModulationCode = typeof V21_HDLC | ModulationCode;

/** The bit rate of a T.31 code: 300 for V.21, else the message-speed modulation's. */
export function bitRateOfCode(code: HdlcModulationCode): number {
  return code === V21_HDLC ? V21_BIT_RATE : (modulationByCode(code)?.bitRate ?? V21_BIT_RATE);
}
