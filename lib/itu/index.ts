/**
 * lib/itu: the vocabulary every layer shares, defined once. Page terms (T.4 resolutions and
 * widths, codings, paper), the message-speed modulations (V.17/V.29/V.27ter with their T.31 codes
 * and T.30 DCS bits), the HDLC address and control octets (T.30 §5.3.5), bit order, and the dial
 * string (V.250 §6.3.1). It imports nothing; lib/t4, lib/t30 and lib/modem sit on it.
 */
export * from './bit-order.js';
export * from './bytes.js';
export * from './dial-string.js';
export * from './hdlc.js';
export * from './modulation.js';
export * from './page.js';
