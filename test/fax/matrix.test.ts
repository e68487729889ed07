/**
 * One matrix of calls to a far end (spandsp) whose capabilities are restricted: every modem family
 * (V.27 ter, V.29, V.17), every resolution and every coding, without ECM (MH, MR) and with ECM
 * (T.30 Annex A; MH, MR and T.6/MMR, which T.30 Table 2 allows only with ECM). spandsp 0.0.6's
 * simulated T.31 modem offers HDLC at V.21 only (+FTH=3), so the ECM frames go out framed by
 * lpfax itself as message data (+FTM, lib/modem/hdlc.ts). The pages spandsp writes must equal
 * what we sent, after the documented resolution change when the far end cannot take ours
 * (lib/t4 convertResolution).
 */
import { readFile } from 'node:fs/promises';

import { sendFax, type FaxResult } from '../../lib/fax/index.js';

import { Class1Modem } from '../../lib/modem/index.js';

import type { DcsParameters } from '../../lib/t30/index.js';

import {
  bitmapsEqual,
  convertResolution,
  createBitmap,
  encodePage,
  readTiff,
  setPixel,
  type Bitmap,
} from '../../lib/t4/index.js';
import { faxPages } from './pages.js';

import { startLineSim, type LineSimOptions } from '../linesim/linesim.js';
import type { Resolution } from '../../lib/itu/page.js';

/** Text-like strokes, thin horizontal rules (which a resolution change must keep) and a diagonal. */
function page(height: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 1728; x++) {
      const stroke = (Math.floor(x / 9) + Math.floor(y / 7)) % 5 === 0 && x % 200 < 150;
      if (stroke || y % 37 === 0 || x === y * 3) setPixel(b, x, y, true);
    }
  }
  return b;
}

const cases: {
  name: string;
  line: LineSimOptions;
  send: Resolution;
  /** Octets per ECM frame lpfax sends (default 256). */
  ecmFrameSize?: 64;
  /** Rows of the page (default by resolution: 60, 120, 240). */
  rows?: number;
  expect: {
    bitRate: number;
    modulation: string;
    coding: 'mh' | 'mr' | 'mmr';
    resolution: Resolution;
    ecm: boolean;
  };
}[] = [
  {
    name: 'V.27 ter, MH only, standard, ECM off',
    line: { modems: ['v27ter'], codings: ['mh'], resolutions: ['standard'], ecm: false },
    send: 'standard',
    expect: { bitRate: 4800, modulation: 'V.27ter 4800', coding: 'mh', resolution: 'standard', ecm: false },
  },
  {
    name: 'V.29, fine, ECM off',
    line: { modems: ['v29'], resolutions: ['standard', 'fine'], ecm: false },
    send: 'fine',
    expect: { bitRate: 9600, modulation: 'V.29 9600', coding: 'mr', resolution: 'fine', ecm: false },
  },
  {
    name: 'V.17, superfine, ECM off',
    line: { modems: ['v17'], ecm: false },
    send: 'superfine',
    expect: { bitRate: 14400, modulation: 'V.17 14400', coding: 'mr', resolution: 'superfine', ecm: false },
  },
  {
    name: 'V.17, fine, ECM with T.6 (MMR)',
    line: { modems: ['v17'] },
    send: 'fine',
    expect: { bitRate: 14400, modulation: 'V.17 14400', coding: 'mmr', resolution: 'fine', ecm: true },
  },
  {
    // 1000 rows code to more than 256 frames of 64 octets: two partial pages (PPS-NULL, PPS-EOP).
    name: 'V.17, fine, ECM with T.6 (MMR) in 64-octet frames, two partial pages',
    line: { modems: ['v17'] },
    send: 'fine',
    ecmFrameSize: 64,
    rows: 1000,
    expect: { bitRate: 14400, modulation: 'V.17 14400', coding: 'mmr', resolution: 'fine', ecm: true },
  },
  {
    name: 'V.29, fine, ECM with MR (no MMR at the far end)',
    line: { modems: ['v29'], codings: ['mh', 'mr'] },
    send: 'fine',
    expect: { bitRate: 9600, modulation: 'V.29 9600', coding: 'mr', resolution: 'fine', ecm: true },
  },
  {
    name: 'V.27 ter, standard, ECM with MH only',
    line: { modems: ['v27ter'], codings: ['mh'], resolutions: ['standard'] },
    send: 'standard',
    expect: { bitRate: 4800, modulation: 'V.27ter 4800', coding: 'mh', resolution: 'standard', ecm: true },
  },
  {
    name: 'superfine pages to a far end that only takes standard (ECM, MMR)',
    line: { modems: ['v29'], resolutions: ['standard'] },
    send: 'superfine',
    expect: { bitRate: 9600, modulation: 'V.29 9600', coding: 'mmr', resolution: 'standard', ecm: true },
  },
];

describe('sendFax to a restricted far end (one matrix)', () => {
  it.each(cases)(
    '$name',
    async ({ line, send, ecmFrameSize, rows, expect: want }) => {
      const sim = await startLineSim({ speed: 3, ...line });
      const sent = [page(rows ?? (send === 'superfine' ? 240 : send === 'fine' ? 120 : 60))];
      if (rows) {
        const coded = encodePage(sent[0], { coding: want.coding, bitOrder: 'lsb-first' }).length;
        expect(coded).toBeGreaterThan(256 * (ecmFrameSize ?? 256));
      }
      let result: FaxResult;
      const dcs: DcsParameters[] = [];
      const modem = await Class1Modem.open(sim.devicePath, { lock: false });
      try {
        await modem.init();
        result = await sendFax({
          modem,
          dialString: '5550100',
          pages: faxPages(sent, send),
          localIdent: '+1 415 555 0100',
          resolution: send,
          ecmFrameSize,
          onProgress: (p) => p.kind === 'trained' && dcs.push(p.dcs),
        });
      } finally {
        await modem.close();
      }
      try {
        const far = await sim.nextCall(60_000);
        expect(result).toMatchObject({ ok: true, pagesConfirmed: 1, frameRetransmissions: 0, ...want });
        // The DCS the page went with (the last training's).
        expect(dcs.at(-1)).toMatchObject({ ecm: want.ecm, coding: want.coding });
        if (want.ecm) expect(dcs.at(-1)?.ecmFrameSize).toBe(ecmFrameSize ?? 256);
        expect(far).toMatchObject({
          outcome: 'completed',
          pages: 1,
          bitRate: want.bitRate,
          coding: want.coding,
          ecm: want.ecm,
        });
        expect(far.resolution).toBe(want.resolution);
        const received = readTiff(await readFile(far.tiff!));
        const expected = convertResolution(sent[0], send, want.resolution);
        expect(received).toHaveLength(1);
        expect(received[0].bitmap.height).toBe(expected.height);
        expect(bitmapsEqual(received[0].bitmap, expected)).toBe(true);
      } finally {
        await sim.stop();
      }
    },
    120_000,
  );
});
