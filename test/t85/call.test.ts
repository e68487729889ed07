/**
 * lpfax sends to lpfax over the simulated line in pair mode (test/linesim --pair: two T.31 modems
 * on one line): the receiver offers T.85 (and T.85-L0) in its DIS, the sender chooses it, the DCS
 * says so (bit 78, and 79 for L0), and the receiver stores every page equal, pixel for pixel, to
 * what was sent. One short page per call, one simulated line for the file, at speed 4.
 */
import { receiveFax, ReceivedFaxWriter, sendFax, type ReceiveResult } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import { firstDifferentRow, readTiff, setPixel, createBitmap, type Bitmap } from '../../lib/t4/index.js';
import { decodeDcs, hexToFrame } from '../../lib/t30/index.js';
import { readFileSync } from 'node:fs';
import { startLineSim, type LineSim } from '../linesim/linesim.js';
import { faxPages } from '../fax/pages.js';
import { Scratch } from '../t4/pages.js';

let sim: LineSim;
const s = new Scratch();
beforeAll(async () => {
  sim = await startLineSim({ speed: 4, pair: true });
});
afterAll(async () => {
  await sim.stop();
  s.remove();
});

function page(seed: number): Bitmap {
  const b = createBitmap(1728, 240);
  for (let y = 0; y < b.height; y++)
    for (let x = 0; x < 1728; x++)
      if ((Math.floor(x / (9 + seed)) + Math.floor(y / 6)) % 5 === 0 || x === 3 * y + seed)
        setPixel(b, x, y, true);
  return b;
}

test.each([
  { coding: 't85', t85L0: false, dcsLast: 0x20 },
  { coding: 't85-l0', t85L0: true, dcsLast: 0x60 },
] as const)(
  'lpfax → lpfax with $coding',
  async ({ coding, t85L0, dcsLast }) => {
    const bitmap = page(t85L0 ? 2 : 1);
    const a = await Class1Modem.open(sim.devicePath, { lock: false });
    const b = await Class1Modem.open(sim.devicePathB!, { lock: false });
    const sendTrace: string[] = [];
    const receiveTrace: string[] = [];
    try {
      await a.init();
      await b.init();
      const store = await ReceivedFaxWriter.open(s.dir, `rx-${coding}`);
      const reception = receiveFax({
        modem: b,
        store,
        rings: 1,
        localIdent: '+1 555 0002',
        capabilities: { t85: true, t85L0 },
        trace: (l) => receiveTrace.push(l),
      });
      const sent = await sendFax({
        modem: a,
        dialString: '0002',
        pages: faxPages([bitmap]),
        localIdent: '+1 555 0001',
        resolution: 'fine',
        trace: (l) => sendTrace.push(l),
      });
      for await (const _ of reception.pages);
      const received: ReceiveResult = await reception.result;
      const files = await store.close();
      const detail = `${JSON.stringify(sent)}\n${sendTrace.slice(-30).join('\n')}\n---\n${receiveTrace.slice(-30).join('\n')}`;
      expect([sent.ok, sent.pagesConfirmed, detail]).toEqual([true, 1, detail]);
      expect(sent.coding).toBe(coding);
      expect(received.coding).toBe(coding);
      expect(received.ecm).toBe(true);
      // the DCS on the line: bit 78 (and 79 for L0) in its tenth FIF octet
      // On the line: the receiver's DIS offers bit 78 (and 79), the sender's DCS sets them (tenth FIF
      // octet, T.30 Table 2), as the trace shows the frames (FF 13 80: DIS, FF 13 83: DCS).
      const frames = sendTrace.flatMap((l) =>
        [...l.matchAll(/"(ff [01]3 8[03](?: [0-9a-f]{2})*)"/g)].map((m) => m[1]),
      );
      const dis = frames.find((f) => f.startsWith('ff 13 80'))!;
      const dcs = frames.find((f) => f.slice(6, 8) === '83')!;
      expect(hexToFrame(dis)[3 + 9] & 0x60).toBe(t85L0 ? 0x60 : 0x20);
      expect(hexToFrame(dcs)[3 + 9] & 0x60).toBe(dcsLast);
      expect(decodeDcs(hexToFrame(dcs).subarray(3)).coding).toBe(coding);
      const back = readTiff(new Uint8Array(readFileSync(files.tiff!)));
      expect(back).toHaveLength(1);
      expect(firstDifferentRow(back[0].bitmap, bitmap)).toBe(-1);
    } finally {
      await a.close();
      await b.close();
    }
    expect(await sim.nextCall(10_000)).toMatchObject({ direction: 'pair', caller: 'a', outcome: 'ended' });
  },
  120_000,
);
