import { AtParser, parseResultCode, type AtEvent } from '../../lib/modem/at-parser.js';

const push = (p: AtParser, s: string | number[]): AtEvent[] =>
  p.push(typeof s === 'string' ? Buffer.from(s, 'latin1') : Uint8Array.from(s));

describe('result codes (V.250 §5.7, T.31)', () => {
  test.each([
    ['OK', 'OK'],
    ['CONNECT', 'CONNECT'],
    ['CONNECT 14400', 'CONNECT'],
    ['ERROR', 'ERROR'],
    ['BUSY', 'BUSY'],
    ['NO CARRIER', 'NO CARRIER'],
    ['NO DIALTONE', 'NO DIALTONE'],
    ['NO DIAL TONE', 'NO DIALTONE'],
    ['NO ANSWER', 'NO ANSWER'],
    ['+FCERROR', '+FCERROR'],
    ['RING', 'RING'],
    ['DELAYED', 'DELAYED'],
    ['BLACKLISTED', 'BLACKLISTED'],
  ])('%s', (line, code) => {
    expect(parseResultCode(line)).toBe(code);
  });

  test('information text is not a result', () => {
    expect(parseResultCode('0,1,8')).toBeUndefined();
    expect(parseResultCode('OKAY')).toBeUndefined();
    expect(parseResultCode('56000')).toBeUndefined();
  });
});

describe('AtParser', () => {
  test('lines and results, split anywhere', () => {
    const p = new AtParser();
    const ev = [...push(p, '\r\n0,1,'), ...push(p, '8\r\n\r\nO'), ...push(p, 'K\r\n')];
    expect(ev).toEqual([
      { type: 'line', text: '0,1,8' },
      { type: 'result', code: 'OK', text: 'OK' },
    ]);
  });

  test('RING is unsolicited', () => {
    expect(push(new AtParser(), '\r\nRING\r\n')).toEqual([{ type: 'ring' }]);
  });

  test('XON/XOFF are flow events, never line text; other control octets are dropped', () => {
    const p = new AtParser();
    expect(push(p, [0x13, 0x4f, 0x00, 0x4b, 0x11, 0x0d, 0x0a])).toEqual([
      { type: 'xoff' },
      { type: 'xon' },
      { type: 'result', code: 'OK', text: 'OK' },
    ]);
  });

  test('an armed CONNECT switches to data: the rest of the same chunk is unshielded data', () => {
    const p = new AtParser();
    p.armDataOnConnect(true);
    const ev = push(p, [
      ...Buffer.from('\r\nCONNECT\r\n'),
      0xff,
      0x10,
      0x10,
      0x13,
      0x10,
      0x03,
      ...Buffer.from('\r\nOK\r\n'),
    ]);
    expect(ev).toEqual([
      { type: 'result', code: 'CONNECT', text: 'CONNECT' },
      { type: 'data', bytes: Uint8Array.of(0xff, 0x10, 0x13) },
      { type: 'data-end' },
      { type: 'result', code: 'OK', text: 'OK' },
    ]);
    expect(p.inDataMode).toBe(false);
  });

  test('the LF of CONNECT CR LF split over two chunks is not data', () => {
    const p = new AtParser();
    p.armDataOnConnect(true);
    expect(push(p, '\r\nCONNECT\r')).toEqual([{ type: 'result', code: 'CONNECT', text: 'CONNECT' }]);
    expect(push(p, [0x0a, 0xff, 0x03])).toEqual([{ type: 'data', bytes: Uint8Array.of(0xff, 0x03) }]);
  });

  test('HDLC: a result line where the frame should start ends the receive (NO CARRIER, TSB-85 MTGX18)', () => {
    const p = new AtParser();
    p.armDataOnConnect('hdlc');
    expect(push(p, '\r\nCONNECT\r\n')).toEqual([{ type: 'result', code: 'CONNECT', text: 'CONNECT' }]);
    expect(p.inDataMode).toBe(true);
    expect(push(p, '\r\nNO CARRIER\r\n')).toEqual([
      { type: 'result', code: 'NO CARRIER', text: 'NO CARRIER' },
    ]);
    expect(p.inDataMode).toBe(false);
  });

  test('HDLC: a frame is data as usual, CR and LF octets inside it included', () => {
    const p = new AtParser();
    p.armDataOnConnect('hdlc');
    const ev = push(p, [...Buffer.from('\r\nCONNECT\r\n'), 0xff, 0x13, 0x0d, 0x0a, 0x10, 0x03]);
    expect(ev).toEqual([
      { type: 'result', code: 'CONNECT', text: 'CONNECT' },
      { type: 'data', bytes: Uint8Array.of(0xff, 0x13, 0x0d, 0x0a) },
      { type: 'data-end' },
    ]);
  });

  test('HDLC: a second CONNECT where the frame should start is no result; the frame (with DC3 in it) is data', () => {
    const p = new AtParser();
    p.armDataOnConnect('hdlc');
    // DIS: FF 13 80 …, whose control octet is DC3; read as line text it would be an XOFF.
    const ev = push(p, [
      ...Buffer.from('\r\nCONNECT\r\n\r\nCONNECT\r\n'),
      0xff,
      0x13,
      0x80,
      0x10,
      0x03,
      ...Buffer.from('\r\nOK\r\n'),
    ]);
    expect(ev).toEqual([
      { type: 'result', code: 'CONNECT', text: 'CONNECT' },
      { type: 'line', text: 'CONNECT' },
      { type: 'data', bytes: Uint8Array.of(0xff, 0x13, 0x80) },
      { type: 'data-end' },
      { type: 'result', code: 'OK', text: 'OK' },
    ]);
    // Split at every octet, the same.
    const q = new AtParser();
    q.armDataOnConnect('hdlc');
    const bytes = [...Buffer.from('\r\nCONNECT\r\n\r\nCONNECT\r\n'), 0xff, 0x13, 0x10, 0x03];
    const split = bytes.flatMap((b) => q.push(Uint8Array.of(b)));
    expect(split.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(split.filter((e) => e.type === 'xoff')).toHaveLength(0);
    expect(split.at(-1)).toEqual({ type: 'data-end' });
  });

  test('HDLC: after a CONNECT at frame start, NO CARRIER still ends the receive', () => {
    const p = new AtParser();
    p.armDataOnConnect('hdlc');
    push(p, '\r\nCONNECT\r\n\r\nCONNECT\r\n');
    expect(p.inDataMode).toBe(true);
    expect(push(p, '\r\nNO CARRIER\r\n')).toEqual([
      { type: 'result', code: 'NO CARRIER', text: 'NO CARRIER' },
    ]);
    expect(p.inDataMode).toBe(false);
    // A CONNECT later (unarmed, e.g. to +FTH) is a result again.
    expect(push(p, '\r\nCONNECT\r\n')).toEqual([{ type: 'result', code: 'CONNECT', text: 'CONNECT' }]);
  });

  test('an unarmed CONNECT stays in line mode (transmit: +FTH, +FTM)', () => {
    const p = new AtParser();
    const ev = push(p, '\r\nCONNECT\r\n\r\nOK\r\n');
    expect(ev.map((e) => e.type)).toEqual(['result', 'result']);
    expect(p.inDataMode).toBe(false);
  });

  test('forceLineMode reads the rest as lines (after the DTE aborted a receive)', () => {
    const p = new AtParser();
    p.armDataOnConnect(true);
    push(p, '\r\nCONNECT\r\n');
    expect(p.inDataMode).toBe(true);
    p.forceLineMode();
    expect(push(p, [0x00, 0x10, 0x03, 0x0d, 0x0a, 0x4f, 0x4b, 0x0d, 0x0a])).toEqual([
      { type: 'result', code: 'OK', text: 'OK' },
    ]);
  });

  test('an endless line is cut, not grown', () => {
    const p = new AtParser();
    const ev = push(p, 'x'.repeat(5000) + '\r\n');
    expect(ev).toHaveLength(1);
    expect((ev[0] as { text: string }).text.length).toBe(512);
  });
});
