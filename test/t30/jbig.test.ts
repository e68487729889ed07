/**
 * T.85 in phase B: DIS/DCS bits 78 (T.85) and 79 (T.85 with the optional L0) at their Table 2/T.30
 * places (bit n is bit (n-1) mod 8 of FIF octet (n-1) div 8: both in the tenth octet, 0x20 and
 * 0x40), only with ECM, and the sender's choice of coding.
 */
import { MODULATIONS } from '../../lib/itu/modulation.js';
import { chooseDcs, decodeDcs, decodeDis, encodeDcs, encodeDis, hexToFrame } from '../../lib/t30/index.js';
import type { DcsParameters, ReceiveCapabilities } from '../../lib/t30/index.js';

/** spandsp 0.0.6's DIS (FIF after FF 13 80), last octet 0x18: Letter and Legal, no T.85. */
const SPANDSP_FIF = hexToFrame('FF 13 80 00 EE F8 C4 80 91 80 80 80 18').subarray(3);
/** The same with bits 78 and 79 set, as HylaFAX's faxgetty offers with Class1JBIGSupport (0x78). */
const withLastOctet = (last: number) => Uint8Array.from([...SPANDSP_FIF.subarray(0, 9), last]);

const receiver: ReceiveCapabilities = {
  modulations: MODULATIONS,
  fine: true,
  superfine: true,
  mr: true,
  mmr: true,
  ecm: true,
  widths: [1728],
  lengths: ['a4'],
  minScanTimeMs: 0,
};

test('DIS: bits 78 and 79 are 0x20 and 0x40 of the tenth FIF octet, offered only with ECM', () => {
  expect(SPANDSP_FIF).toHaveLength(10);
  const both = encodeDis({ ...receiver, t85: true, t85L0: true });
  expect(both).toHaveLength(10);
  expect(both[9]).toBe(0x60);
  expect(Array.from(both.subarray(2, 9)).every((o) => (o & 0x80) !== 0)).toBe(true); // extend bits
  expect(encodeDis({ ...receiver, t85: true })[9]).toBe(0x20);
  // bit 79 means nothing without bit 78 (Table 2/T.30 note), and neither without ECM (bit 27)
  const plain = encodeDis(receiver);
  expect(plain).toHaveLength(6); // up to bit 41 (superfine)
  expect(encodeDis({ ...receiver, t85L0: true })).toEqual(plain);
  expect(encodeDis({ ...receiver, ecm: false, t85: true, t85L0: true })).toEqual(
    encodeDis({ ...receiver, ecm: false }),
  );
  expect(decodeDis(both)).toMatchObject({ t85: true, t85L0: true, ecm: true });
});

test('DIS as far ends send it: spandsp offers no T.85, HylaFAX (0x78) offers both', () => {
  expect(decodeDis(SPANDSP_FIF)).toMatchObject({ t85: false, t85L0: false, letter: true, legal: true });
  expect(decodeDis(withLastOctet(0x78))).toMatchObject({ t85: true, t85L0: true, letter: true, legal: true });
  expect(decodeDis(withLastOctet(0x38))).toMatchObject({ t85: true, t85L0: false });
  expect(decodeDis(withLastOctet(0x58))).toMatchObject({ t85: false, t85L0: false });
});

test('the sender chooses T.85-L0, then T.85, only with ECM on both sides; otherwise as before', () => {
  const choose = (last: number, local: Partial<Parameters<typeof chooseDcs>[1]> = {}) => {
    const n = chooseDcs(decodeDis(withLastOctet(last)), { resolution: 'fine', ecm: true, ...local });
    if (!n.ok) throw new Error(n.reason);
    return n.dcs.coding;
  };
  expect(decodeDis(SPANDSP_FIF).ecm).toBe(true);
  expect(choose(0x78)).toBe('t85-l0');
  expect(choose(0x38)).toBe('t85');
  expect(choose(0x18)).toBe('mmr');
  expect(choose(0x78, { ecm: false })).toBe('mr');
  expect(choose(0x78, { codings: ['mh', 'mr', 'mmr'] })).toBe('mmr');
  expect(choose(0x78, { codings: ['mh', 'mr', 'mmr', 't85'] })).toBe('t85');
  const noEcm = Uint8Array.from(withLastOctet(0x78));
  noEcm[3] &= ~0x04; // bit 27 (ECM) is bit 2 of the fourth octet
  expect(decodeDis(noEcm)).toMatchObject({ ecm: false, t85: true });
  const n = chooseDcs(decodeDis(noEcm), { resolution: 'fine', ecm: true });
  expect(n.ok && n.dcs.coding).toBe('mr');
});

test('DCS: T.85 sets bit 78, T.85-L0 bits 78 and 79, with ECM; decodeDcs reads them back', () => {
  const base: DcsParameters = {
    modulation: MODULATIONS[0],
    resolution: 'fine',
    coding: 't85',
    ecm: true,
    ecmFrameSize: 256,
    width: 1728,
    length: 'a4',
    minScanTimeMs: 0,
  };
  const t85 = encodeDcs(base);
  expect(t85).toHaveLength(10);
  expect(t85[9]).toBe(0x20);
  expect(t85[3] & 0x04).toBe(0x04); // bit 27, ECM
  expect(t85[3] & 0x40).toBe(0); // bit 31 (T.6) is not set as well
  const l0 = encodeDcs({ ...base, coding: 't85-l0' });
  expect(l0[9]).toBe(0x60);
  expect(decodeDcs(t85)).toMatchObject({ coding: 't85', ecm: true });
  expect(decodeDcs(l0)).toMatchObject({ coding: 't85-l0', ecm: true });
  expect(decodeDcs(encodeDcs({ ...base, coding: 'mmr' })).coding).toBe('mmr');
});
