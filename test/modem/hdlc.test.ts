import { crc16Itu, fcs, hasValidFcs, isFinalFrame } from '../../lib/modem/hdlc.js';

describe('T.30 §5.3.7 FCS (ITU CRC-16)', () => {
  test('check value of "123456789" is 0x906E', () => {
    const data = Buffer.from('123456789');
    expect(~crc16Itu(data) & 0xffff).toBe(0x906e);
    expect([...fcs(data)]).toEqual([0x6e, 0x90]);
  });

  test('a frame with its FCS checks; a corrupted one does not', () => {
    const frame = Uint8Array.of(0xff, 0x13, 0x80, 0x00, 0xce, 0xf4);
    const wire = Uint8Array.from([...frame, ...fcs(frame)]);
    expect(hasValidFcs(wire)).toBe(true);
    wire[3] ^= 0x01;
    expect(hasValidFcs(wire)).toBe(false);
  });

  test('the final frame is marked by control 0x13', () => {
    expect(isFinalFrame(Uint8Array.of(0xff, 0x13, 0x80))).toBe(true);
    expect(isFinalFrame(Uint8Array.of(0xff, 0x03, 0x40))).toBe(false);
  });
});
