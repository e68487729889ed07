/** The HDLC fields around every T.30 frame (T.30 §5.3.5): address, then control. */

/** T.30 §5.3.5: the address field on the GSTN. */
export const HDLC_ADDRESS = 0xff;
/** T.30 §5.3.5: control field, non-final frame. */
export const HDLC_CONTROL = 0x03;
/** T.30 §5.3.5: control field with the P/F bit set: the last frame of a sequence. */
export const HDLC_CONTROL_FINAL = 0x13;
