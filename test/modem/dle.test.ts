import { DleUnshielder, dleFrame, dleShield, dleUnshield } from '../../lib/modem/dle.js';

const b = (...x: number[]): Uint8Array => Uint8Array.from(x);

describe('T.31 §8.3 DLE shielding (DTE → DCE)', () => {
  test('doubles every DLE and leaves other octets alone', () => {
    expect([...dleShield(b(0x01, 0x10, 0x03, 0x10, 0x10))]).toEqual([
      0x01, 0x10, 0x10, 0x03, 0x10, 0x10, 0x10, 0x10,
    ]);
    expect([...dleShield(b(0xff, 0x13, 0x80))]).toEqual([0xff, 0x13, 0x80]);
  });

  test('dleFrame ends with DLE ETX', () => {
    expect([...dleFrame(b(0xff, 0x13, 0x10))]).toEqual([0xff, 0x13, 0x10, 0x10, 0x10, 0x03]);
  });
});

describe('T.31 §8.3 DLE unshielding (DCE → DTE)', () => {
  test('DLE DLE is one DLE, DLE SUB two, DLE ETX ends, other pairs are dropped', () => {
    const r = dleUnshield(b(0x41, 0x10, 0x10, 0x42, 0x10, 0x1a, 0x10, 0x61, 0x43, 0x10, 0x03, 0x0d, 0x0a));
    expect([...r.data]).toEqual([0x41, 0x10, 0x42, 0x10, 0x10, 0x43]);
    expect(r.ended).toBe(true);
    expect([...r.rest]).toEqual([0x0d, 0x0a]);
  });

  test('a DLE split across chunks is completed by the next chunk', () => {
    const u = new DleUnshielder();
    const a = u.push(b(0x01, 0x10));
    expect([...a.data]).toEqual([0x01]);
    expect(a.ended).toBe(false);
    const c = u.push(b(0x10, 0x02, 0x10));
    expect([...c.data]).toEqual([0x10, 0x02]);
    const d = u.push(b(0x03, 0x4f, 0x4b));
    expect(d.ended).toBe(true);
    expect(d.data.length).toBe(0);
    expect(String.fromCharCode(...d.rest)).toBe('OK');
  });

  test('round trip of every octet value, chunked at every offset', () => {
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
    const wire = dleFrame(all);
    for (const cut of [1, 2, 3, 17, 255]) {
      const u = new DleUnshielder();
      const out: number[] = [];
      let ended = false;
      for (let o = 0; o < wire.length; o += cut) {
        const r = u.push(wire.subarray(o, o + cut));
        out.push(...r.data);
        ended ||= r.ended;
      }
      expect(ended).toBe(true);
      expect(Uint8Array.from(out)).toEqual(all);
    }
  });
});
