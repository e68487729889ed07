/**
 * The QM coder against the test sequence of T.82 clause 7.1: 256 decisions (PIX) in contexts 0
 * and 1 (CX), given as sixteen 16-bit words each, most significant bit first, and the coded data
 * they must give (30 octets, 0xFF stuffed, then ESC SDNORM). Encoder and decoder both.
 */
import { QmDecoder, QmEncoder } from '../../lib/t85/qm.js';

const PIX = [
  0x05e0, 0x0000, 0x8b00, 0x01c4, 0x1700, 0x0034, 0x7fff, 0x1a3f, 0x951b, 0x05d8, 0x1d17, 0xe770, 0x0000,
  0x0000, 0x0656, 0x0e6a,
];
const CX = [0x0fe0, 0x0000, 0x0f00, 0x00f0, 0xff00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const PSCD = Uint8Array.from([
  0x69, 0x89, 0x99, 0x5c, 0x32, 0xea, 0xfa, 0xa0, 0xd5, 0xff, 0x00, 0x52, 0x7f, 0xff, 0x00, 0xff, 0x00, 0xff,
  0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f, 0xff, 0x00, 0x2d, 0x20, 0x82, 0x91,
]);
const bit = (words: number[], i: number) => (words[i >> 4] >> (15 - (i & 15))) & 1;

test('T.82 clause 7.1: the encoder gives the 30 octets of the test sequence', () => {
  const enc = new QmEncoder();
  enc.init(true);
  for (let i = 0; i < 256; i++) enc.encode(bit(CX, i), bit(PIX, i));
  expect(Buffer.from(enc.flush()).toString('hex')).toBe(Buffer.from(PSCD).toString('hex'));
});

test('T.82 clause 7.1: the decoder gives back the 256 decisions', () => {
  // unstuffed SCD: each 0xFF 0x00 is one 0xFF
  const scd: number[] = [];
  for (let i = 0; i < PSCD.length; i++) {
    scd.push(PSCD[i]);
    if (PSCD[i] === 0xff) i++;
  }
  const dec = new QmDecoder();
  dec.init(Uint8Array.from(scd), true);
  const got = Array.from({ length: 256 }, (_, i) => dec.decode(bit(CX, i)));
  expect(got).toEqual(Array.from({ length: 256 }, (_, i) => bit(PIX, i)));
});
