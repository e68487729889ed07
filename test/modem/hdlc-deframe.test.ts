/**
 * HdlcDeframer, the receiving half of hdlcBitStream: frames framed by lpfax's sender (flags, FCS,
 * zero insertion) come back as they went in, whatever the chunking, with bit errors caught by
 * the FCS and idle/fill between frames ignored.
 */
import { concatBytes as concat } from '../../lib/itu/bytes.js';
import { HdlcDeframer, hdlcBitStream } from '../../lib/modem/index.js';

function frame(n: number, len: number): Uint8Array {
  const f = new Uint8Array(len);
  f.set([0xff, 0x03, 0x06, n]);
  // Runs of ones force zero insertion; every octet value appears.
  for (let i = 4; i < len; i++) f[i] = i % 3 === 0 ? 0xff : (i * 37 + n) & 0xff;
  return f;
}

describe('HdlcDeframer', () => {
  const frames = [frame(0, 260), frame(1, 68), frame(2, 5), Uint8Array.of(0xff, 0x03, 0x86)];
  const stream = concat(hdlcBitStream(frames, { openingFlags: 30 }));

  test('gives back every frame framed by hdlcBitStream, FCS checked and removed', () => {
    const got = new HdlcDeframer().push(stream);
    expect(got.map((g) => g.fcsOk)).toEqual([true, true, true, true]);
    expect(got.map((g) => Array.from(g.frame))).toEqual(frames.map((f) => Array.from(f)));
  });

  test('octet by octet, with fill octets (0x00 and 0xFF) between the segments', () => {
    const d = new HdlcDeframer();
    const got = [];
    const segments = hdlcBitStream(frames, { openingFlags: 5 });
    for (const [i, seg] of segments.entries()) {
      for (const b of seg) got.push(...d.push(Uint8Array.of(b)));
      got.push(...d.push(new Uint8Array(3).fill(i % 2 ? 0xff : 0x00)));
    }
    expect(got.filter((g) => g.fcsOk).map((g) => Array.from(g.frame))).toEqual(
      frames.map((f) => Array.from(f)),
    );
  });

  test('a flipped bit inside a frame fails its FCS; the frames around it are intact', () => {
    const damaged = stream.slice();
    damaged[Math.floor(stream.length / 2)] ^= 0x10; // inside the first (260-octet) frame
    const got = new HdlcDeframer().push(damaged);
    const good = got.filter((g) => g.fcsOk).map((g) => g.frame[3]);
    expect(good).not.toContain(0);
    expect(good).toEqual(expect.arrayContaining([1, 2]));
  });

  test('a frame longer than the limit is dropped, not buffered', () => {
    const got = new HdlcDeframer(64).push(stream);
    // 260 and 68 octets (+FCS) exceed 64 (+4): only the 5-octet frame and RCP remain.
    expect(got.map((g) => g.frame.length)).toEqual([5, 3]);
  });
});
