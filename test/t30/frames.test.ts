/**
 * T.30 frames and DIS/DCS bits against real frames: spandsp 0.0.6's DIS (captured from its
 * answering terminal through t30_set_real_time_frame_handler) and frames from TIA TSB-85 test
 * scripts (written first-bit-leftmost there, so reversed here to Class 1 octet order).
 */

import {
  Fcf,
  buildFrame,
  buildPps,
  buildPprFif,
  chooseDcs,
  decodeDcs,
  decodeDis,
  decodeIdent,
  encodeDcs,
  encodeIdent,
  fcfName,
  frameToHex,
  hexToFrame,
  minBitsPerRow,
  parseFrame,
  pprFrameNumbers,
  splitPage,
  blockFrames,
  buildCtc,
} from '../../lib/t30/index.js';
import { MODULATIONS, modulationByCode } from '../../lib/itu/modulation.js';
import { reverseBits } from '../../lib/itu/bit-order.js';

/** spandsp 0.0.6, fax_init(answering) with ECM and T.4/T.6 codings: CSI then DIS. */
const SPANDSP_CSI = 'FF 03 40 30 30 31 30 20 35 35 35 20 31 2B 20 20 20 20 20 20 20 20 20';
const SPANDSP_DIS = 'FF 13 80 00 EE F8 C4 80 91 80 80 80 18';

/** TSB-85 frames as the scripts write them (first bit leftmost). */
const tsb85 = (hex: string) => reverseBits(hexToFrame(hex));

describe('FCFs (T.30 Table 2)', () => {
  it('names FCFs with and without the X bit', () => {
    expect(fcfName(0x80)).toBe('DIS');
    expect(fcfName(0x81)).toBe('DTC');
    expect(fcfName(0x83)).toBe('DCS');
    expect(fcfName(0x82)).toBe('DCS');
    expect(fcfName(0x41)).toBe('CIG');
    expect(fcfName(0x43)).toBe('TSI');
    expect(fcfName(0xfb)).toBe('DCN');
    expect(fcfName(0xbd)).toBe('PPR');
    expect(fcfName(0x77)).toBeUndefined();
  });

  it('reads TSB-85 frames in Class 1 order', () => {
    expect(parseFrame(tsb85('FF C8 01 00 50 00'))).toMatchObject({ name: 'DIS', final: true });
    expect(parseFrame(tsb85('FF C8 41 00 50 00'))).toMatchObject({ name: 'DCS', final: true });
    expect(parseFrame(tsb85('FF C0 02 0C 8C 4C'))).toMatchObject({ name: 'CSI', final: false });
    const ctc = parseFrame(tsb85('FF C8 48 00 10'))!;
    expect(ctc.name).toBe('CTC');
    expect(decodeDcs(ctc.fif).modulation).toMatchObject({ name: 'V.27ter', bitRate: 4800 });
  });

  it('rejects frames without the T.30 address and control fields', () => {
    expect(parseFrame(Uint8Array.from([0xfe, 0x13, 0x80]))).toBeUndefined();
    expect(parseFrame(Uint8Array.from([0xff, 0x07, 0x80]))).toBeUndefined();
    expect(parseFrame(Uint8Array.from([0xff, 0x13]))).toBeUndefined();
  });

  it('builds frames with the X bit only where the FCF has one', () => {
    expect(frameToHex(buildFrame(Fcf.DCN, [], { x: true }))).toBe('FF 13 FB');
    expect(frameToHex(buildFrame(Fcf.TSI, [], { x: true, final: false }))).toBe('FF 03 43');
    expect(frameToHex(buildFrame(Fcf.DIS, [0], { x: true }))).toBe('FF 13 80 00');
  });
});

describe('identities (CSI/TSI)', () => {
  it('decodes spandsp CSI and a TSB-85 CSI', () => {
    expect(decodeIdent(parseFrame(hexToFrame(SPANDSP_CSI))!.fif)).toBe('+1 555 0100');
    const tsbCsi = tsb85('FF C0 02 9C 1C EC 6C AC 2C CC 4C 8C 0C D4 04 04 04 04 04 04 04 04 04');
    expect(decodeIdent(parseFrame(tsbCsi)!.fif)).toBe('+0123456789');
  });

  it('encodes last character first, padded to 20 with spaces', () => {
    const fif = encodeIdent('+1 555 0100');
    expect(fif.length).toBe(20);
    expect(frameToHex(buildFrame(Fcf.CSI, fif, { final: false }))).toBe(SPANDSP_CSI);
    expect(decodeIdent(encodeIdent('+49-30/123'))).toBe('+49 30 123');
  });
});

describe('DIS decoding (Table 2/T.30)', () => {
  it("decodes spandsp's DIS", () => {
    const caps = decodeDis(parseFrame(hexToFrame(SPANDSP_DIS))!.fif);
    expect(caps.receiver).toBe(true);
    expect(caps.modulations.map((m) => m.code)).toEqual([145, 121, 97, 96, 73, 72, 48, 24]);
    expect(caps).toMatchObject({
      fine: true,
      superfine: true,
      mr: true,
      mmr: true,
      ecm: true,
      letter: true,
      legal: true,
    });
    expect(caps.widths).toEqual([1728]);
    expect(caps.lengths).toEqual(['a4', 'b4']);
    expect(caps.minScanTimeMs).toEqual({ standard: 0, fine: 0, superfine: 0 });
  });

  it('decodes a V.27ter/V.29 machine with fine resolution and unlimited length (TSB-85)', () => {
    const caps = decodeDis(parseFrame(tsb85('FF C8 01 00 72 20'))!.fif);
    expect(caps.modulations.map((m) => `${m.name} ${m.bitRate}`)).toEqual([
      'V.29 9600',
      'V.29 7200',
      'V.27ter 4800',
      'V.27ter 2400',
    ]);
    expect(caps).toMatchObject({
      receiver: true,
      fine: true,
      superfine: false,
      mr: false,
      mmr: false,
      ecm: false,
    });
    expect(caps.lengths).toEqual(['a4', 'b4', 'unlimited']);
    expect(caps.minScanTimeMs.standard).toBe(20);
  });

  it('decodes the scan-time codes where T7.7 is half of T3.85', () => {
    // bits 21–23 = 0,1,1: 10 ms at 3.85 l/mm, 5 ms at 7.7 l/mm
    const caps = decodeDis(Uint8Array.from([0x00, 0x4e, 0x60]));
    expect(caps.minScanTimeMs).toEqual({ standard: 10, fine: 5, superfine: 5 });
  });

  it('sees a DIS that offers only polling as no receiver (TSB-85)', () => {
    const caps = decodeDis(parseFrame(tsb85('FF C8 01 00 80 11 01 01 01 40'))!.fif);
    expect(caps.receiver).toBe(false);
    expect(caps.readyToTransmit).toBe(true);
  });

  it('ignores octets after an octet whose extend bit is clear', () => {
    const caps = decodeDis(Uint8Array.from([0x00, 0x4e, 0x00, 0xff, 0xff]));
    expect(caps.ecm).toBe(false);
  });
});

describe('DCS encoding', () => {
  const v17 = MODULATIONS[0];
  it('matches the TSB-85 DCS for V.17 14400, ECM 64-octet frames, 0 ms', () => {
    const fif = encodeDcs({
      modulation: v17,
      resolution: 'standard',
      coding: 'mh',
      ecm: true,
      ecmFrameSize: 64,
      width: 1728,
      length: 'a4',
      minScanTimeMs: 0,
    });
    expect(frameToHex(buildFrame(Fcf.DCS, fif))).toBe(frameToHex(tsb85('FF C8 41 00 44 0F 30')));
  });

  it('matches the basic TSB-85 DCS (V.27ter 4800, A4, 20 ms)', () => {
    const fif = encodeDcs({
      modulation: modulationByCode(48)!,
      resolution: 'standard',
      coding: 'mh',
      ecm: false,
      ecmFrameSize: 256,
      width: 1728,
      length: 'a4',
      minScanTimeMs: 20,
    });
    expect(frameToHex(fif)).toBe(frameToHex(tsb85('FF C8 41 00 50 00').subarray(3)));
  });

  it('round-trips every modulation, resolution and coding', () => {
    for (const modulation of MODULATIONS) {
      for (const resolution of ['standard', 'fine', 'superfine'] as const) {
        for (const coding of ['mh', 'mr', 'mmr'] as const) {
          const p = { modulation, resolution, coding, ecm: coding === 'mmr', ecmFrameSize: 256 as const };
          const all = { ...p, width: 2048 as const, length: 'b4' as const, minScanTimeMs: 10 };
          const back = decodeDcs(encodeDcs(all));
          expect(back).toMatchObject({ ...all, modulation: { code: modulation.code } });
        }
      }
    }
  });
});

describe('choosing the DCS', () => {
  const spandsp = decodeDis(parseFrame(hexToFrame(SPANDSP_DIS))!.fif);
  const oldMachine = decodeDis(parseFrame(tsb85('FF C8 01 00 72 20'))!.fif);

  it('takes the best of both ends', () => {
    const n = chooseDcs(spandsp, { resolution: 'fine', ecm: true });
    expect(n.ok && n.dcs).toMatchObject({ coding: 'mmr', ecm: true, resolution: 'fine', minScanTimeMs: 0 });
    expect(n.ok && n.dcs.modulation.code).toBe(145);
  });

  it('falls back to MR without ECM, and honours maxBitRate and local modulations', () => {
    const n = chooseDcs(spandsp, { resolution: 'fine', ecm: false, maxBitRate: 9600 });
    expect(n.ok && n.dcs.coding).toBe('mr');
    expect(n.ok && n.candidates.map((m) => m.code)).toEqual([97, 96, 73, 72, 48, 24]);
    const local = chooseDcs(spandsp, {
      resolution: 'standard',
      ecm: false,
      modulations: [modulationByCode(96)!],
    });
    expect(local.ok && local.candidates.map((m) => m.code)).toEqual([96]);
  });

  it('downgrades resolution and keeps the far end minimum scan time', () => {
    const n = chooseDcs(oldMachine, { resolution: 'superfine', ecm: true, pageLength: 'unlimited' });
    expect(n.ok && n.dcs).toMatchObject({
      resolution: 'fine',
      ecm: false,
      coding: 'mh',
      length: 'unlimited',
    });
    expect(n.ok && n.dcs.minScanTimeMs).toBe(20);
    expect(n.ok && minBitsPerRow(n.dcs)).toBe(192); // 9600 bit/s × 20 ms
  });

  it('picks B4 or A4 for a long page when unlimited is not offered', () => {
    const n = chooseDcs(spandsp, {
      resolution: 'standard',
      ecm: false,
      pageLength: 'unlimited',
      pageWidth: 2048,
    });
    expect(n.ok && n.dcs).toMatchObject({ length: 'b4', width: 1728 });
  });

  it('refuses a far end that does not receive or shares no modulation', () => {
    const polling = decodeDis(parseFrame(tsb85('FF C8 01 00 80 11 01 01 01 40'))!.fif);
    expect(chooseDcs(polling, { resolution: 'standard', ecm: false }).ok).toBe(false);
    const v27only = decodeDis(parseFrame(tsb85('FF C8 01 00 50 00'))!.fif);
    expect(chooseDcs(v27only, { resolution: 'standard', ecm: false, modulations: [MODULATIONS[0]] }).ok).toBe(
      false,
    );
  });
});

describe('ECM frames (T.4 Annex A, T.30 Annex A)', () => {
  it('builds PPS with the post-page FCF and counters', () => {
    expect(frameToHex(buildPps(Fcf.EOP, 2, 1, 256))).toBe('FF 13 BF 2F 02 01 FF');
    expect(frameToHex(buildPps(0, 0, 0, 3))).toBe('FF 13 BF 00 00 00 02');
  });

  it('reads PPR frame numbers, bit n of the map for frame n', () => {
    expect(pprFrameNumbers(buildPprFif([0, 7, 8, 255]))).toEqual([0, 7, 8, 255]);
    expect(pprFrameNumbers(Uint8Array.from([0x81, 0x01]))).toEqual([0, 7, 8]);
  });

  it('cuts a page into blocks of at most 256 frames, ending each with RCP ×3', () => {
    const data = Uint8Array.from({ length: 256 * 256 + 300 }, (_, i) => i & 0xff);
    const blocks = splitPage(data, 256);
    expect(blocks.map((b) => b.length)).toEqual([256, 2]);
    expect(blocks[1][1].length).toBe(44);
    const frames = blockFrames(blocks[1], [1]);
    expect(frames.map((f) => frameToHex(f.subarray(0, 4)))).toEqual([
      'FF 03 06 01',
      'FF 03 86',
      'FF 03 86',
      'FF 03 86',
    ]);
    expect(frames[0].subarray(4)).toEqual(data.subarray(256 * 257));
  });

  it('builds CTC from the first two DCS octets', () => {
    const fif = encodeDcs({
      modulation: modulationByCode(48)!,
      resolution: 'standard',
      coding: 'mh',
      ecm: true,
      ecmFrameSize: 256,
      width: 1728,
      length: 'a4',
      minScanTimeMs: 0,
    });
    expect(frameToHex(buildCtc(fif))).toBe(frameToHex(tsb85('FF C8 C8 00 10')));
  });
});
