import { crc16Itu, fcs, flagsFor, hasValidFcs, hdlcBitStream, isFinalFrame } from '../../lib/modem/hdlc.js';
import { deframe } from './helpers/hdlc-deframer.js';

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

  test('RCP (FF 03 86) has the FCS HylaFAX writes bit-reversed as 96 D3', () => {
    // HylaFAX keeps ECM octets with the first line bit as the most significant bit: FF C0 61 96 D3.
    expect([...fcs(Uint8Array.of(0xff, 0x03, 0x86))]).toEqual([0x69, 0xcb]);
  });

  test('the final frame is marked by control 0x13', () => {
    expect(isFinalFrame(Uint8Array.of(0xff, 0x13, 0x80))).toBe(true);
    expect(isFinalFrame(Uint8Array.of(0xff, 0x03, 0x40))).toBe(false);
  });
});

const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A small deterministic generator, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

function randomFrames(seed: number, count: number): Uint8Array[] {
  const next = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = 1 + (next() % 64);
    // Mostly ones-heavy octets, so that stuffing moves later frames off octet boundaries.
    const body = Array.from({ length }, () => (next() < 160 ? 0xff : next()));
    return Uint8Array.from([0xff, 0x03, 0x06, i & 0xff, ...body]);
  });
}

describe('hdlcBitStream (frames → stuffed HDLC octets for +FTM)', () => {
  test('flagsFor: 200 ms of flags at the message speed', () => {
    expect(flagsFor(200, 14400)).toBe(360);
    expect(flagsFor(200, 2400)).toBe(60);
  });

  test('opening flags are plain 0x7E octets; an empty stream is flags only', () => {
    const stream = concat(hdlcBitStream([], { openingFlags: 4, closingFlags: 1 }));
    expect([...stream]).toEqual([0x7e, 0x7e, 0x7e, 0x7e, 0x7e]);
    expect(deframe(stream).frames).toEqual([]);
  });

  test('round trip: random frames come back whole, with the FCS checked by another CRC', () => {
    const frames = randomFrames(7, 40);
    const parsed = deframe(concat(hdlcBitStream(frames, { openingFlags: 10 })));
    expect(parsed.rejected).toBe(0);
    expect(parsed.frames).toEqual(frames);
    // Stuffing shifted frames off octet boundaries, and still every one decoded.
    expect(parsed.starts.some((s) => s % 8 !== 0)).toBe(true);
  });

  test('runs of 0xFF and 0x7E are stuffed: no six ones in a row inside a frame', () => {
    const frame = Uint8Array.from([
      0xff,
      0x03,
      0x06,
      0x00,
      ...new Array<number>(20).fill(0xff),
      0x7e,
      0x7e,
      0x7e,
    ]);
    const stream = concat(hdlcBitStream([frame], { openingFlags: 1, closingFlags: 1 }));
    // FCS of this frame, whose stuffing depends on its value, is added as well: count exactly.
    const payloadBits = [...frame, ...fcs(frame)].flatMap((o) =>
      [0, 1, 2, 3, 4, 5, 6, 7].map((k) => (o >> k) & 1),
    );
    let ones = 0;
    let inserted = 0;
    for (const b of payloadBits) {
      ones = b ? ones + 1 : 0;
      if (ones === 5) {
        inserted++;
        ones = 0;
      }
    }
    const totalBits = 8 + payloadBits.length + inserted + 8;
    expect(stream.length).toBe(Math.ceil(totalBits / 8));
    expect(inserted).toBeGreaterThanOrEqual(Math.floor((21 * 8) / 5));
    expect(deframe(stream).frames).toEqual([frame]);
    // The frame's bits between the two flags never hold six ones in a row.
    const bits = [...stream].flatMap((o) => [0, 1, 2, 3, 4, 5, 6, 7].map((k) => (o >> k) & 1));
    const inside = bits.slice(8, totalBits - 8).join('');
    expect(inside).not.toContain('111111');
  });

  test('the stream is padded to whole octets with ones after the closing flags', () => {
    const frames = randomFrames(11, 3);
    const stream = concat(hdlcBitStream(frames, { openingFlags: 2, closingFlags: 2 }));
    const last = stream[stream.length - 1];
    // Whatever the alignment, the last octet ends in line order with a flag's 0 or mark ones.
    expect(last === 0x7e || (last & 0x80) !== 0).toBe(true);
    expect(deframe(stream).frames).toEqual(frames);
  });

  test.each([
    ['0x00 (spandsp)', 0x00],
    ['0xFF (marks)', 0xff],
  ])('a host underrun at any segment boundary, filled with %s, damages no frame', (_name, fill) => {
    const frames = randomFrames(3, 30);
    const segments = hdlcBitStream(frames, { openingFlags: 6 });
    expect(segments.length).toBe(frames.length + 1);
    const gap = new Uint8Array(5).fill(fill);
    const withGaps = concat(segments.flatMap((s) => [s, gap]));
    const parsed = deframe(withGaps);
    expect(parsed.frames).toEqual(frames);
  });

  test('the same fill inside a segment does damage a frame (the check above can fail)', () => {
    const frames = randomFrames(3, 4);
    const segments = hdlcBitStream(frames, { openingFlags: 6 });
    const s = segments[2];
    const broken = concat([
      ...segments.slice(0, 2),
      s.subarray(0, 10),
      new Uint8Array(5),
      s.subarray(10),
      ...segments.slice(3),
    ]);
    const parsed = deframe(broken);
    expect(parsed.frames).toHaveLength(frames.length - 1);
    expect(parsed.rejected).toBeGreaterThan(0);
  });
});
