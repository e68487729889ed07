/** T.31 Table 3: the modulation codes of +FTM / +FRM (and 3, V.21 channel 2, for +FTH / +FRH). */

export type Modulation = 24 | 48 | 72 | 96 | 73 | 74 | 97 | 98 | 121 | 122 | 145 | 146;

export interface ModulationInfo {
  recommendation: 'V.27ter' | 'V.29' | 'V.17';
  bitRate: number;
  /** V.17 long or short training (T.31 Table 3 / T.30 §5.3.2). */
  training?: 'long' | 'short';
}

export const MODULATIONS: Readonly<Record<Modulation, ModulationInfo>> = {
  24: { recommendation: 'V.27ter', bitRate: 2400 },
  48: { recommendation: 'V.27ter', bitRate: 4800 },
  72: { recommendation: 'V.29', bitRate: 7200 },
  96: { recommendation: 'V.29', bitRate: 9600 },
  73: { recommendation: 'V.17', bitRate: 7200, training: 'long' },
  74: { recommendation: 'V.17', bitRate: 7200, training: 'short' },
  97: { recommendation: 'V.17', bitRate: 9600, training: 'long' },
  98: { recommendation: 'V.17', bitRate: 9600, training: 'short' },
  121: { recommendation: 'V.17', bitRate: 12000, training: 'long' },
  122: { recommendation: 'V.17', bitRate: 12000, training: 'short' },
  145: { recommendation: 'V.17', bitRate: 14400, training: 'long' },
  146: { recommendation: 'V.17', bitRate: 14400, training: 'short' },
};

export function isModulation(n: number): n is Modulation {
  return Object.prototype.hasOwnProperty.call(MODULATIONS, n);
}

/** The HDLC modulation of +FTH / +FRH: V.21 channel 2, 300 bit/s (T.31 Table 3). */
export const V21_HDLC = 3;

/** +FTH / +FRH codes: V.21 for T.30 control, or a message-speed modulation for ECM frames. */
export type HdlcModulation = typeof V21_HDLC | Modulation;
export const V21_BIT_RATE = 300;
