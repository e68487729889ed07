/** ITU-T T.30: the G3 fax session protocol core (no I/O), its frames and DIS/DCS bits. */
export * from './fcf.js';
export * from './frames.js';
export * from './dis.js';
export * from './negotiate.js';
export * from './ecm.js';
export * from './ecm-sender.js';
export * from './events.js';
export * from './state.js';
export * from './sender.js';
export * from './receiver-events.js';
export * from './receiver-state.js';
export * from './ecm-receiver.js';
export * from './receiver.js';
