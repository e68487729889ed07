/**
 * lib/fax/store with T.85 pages: the BIE comes off the line as it is in the ECM frames (each
 * octet least significant bit first on the line, so the 'lsb-first' octets a Class 1 modem
 * delivers are the BIE's), in pieces; the page is stored as MMR in TIFF-F like
 * every received page, and libtiff reads back the pixels that were sent.
 */
import { readFileSync } from 'node:fs';
import { ReceivedFaxWriter } from '../../lib/fax/store.js';
import { codePage } from '../../lib/fax/pages.js';
import { firstDifferentRow, readTiff } from '../../lib/t4/index.js';
import { encodeT85 } from '../../lib/t85/index.js';
import { ditheredPhoto, run, Scratch } from '../t4/pages.js';
import { fillRect } from '../t4/draw.js';

const s = new Scratch();
afterAll(() => s.remove());

test.each(['t85', 't85-l0'] as const)(
  '%s pages are decoded as they arrive and stored as MMR',
  async (coding) => {
    const pages = [ditheredPhoto(1728, 150), ditheredPhoto(1728, 300)];
    fillRect(pages[1], 0, 0, 1728, 20);
    const w = await ReceivedFaxWriter.open(s.dir, `call-${coding}`, { title: 'T.85' });
    for (const bitmap of pages) {
      // what the sender puts on the line for this coding (lib/fax/pages codePage)
      const data = codePage(
        { bitmap, resolution: 'fine' },
        { coding, resolution: 'fine', width: 1728, length: 'a4', kFactor: 1, minBitsPerRow: 0, ecm: true },
      );
      const bie = data; // the BIE's octets as they are: HylaFAX's and libtiff's order
      expect(bie.subarray(0, 3)).toEqual(Uint8Array.of(0, 0, 1)); // DL, D, P of the BIH
      expect(bie[15]).toBe(coding === 't85' ? 128 : bitmap.height & 0xff); // L0 (low octet)
      expect(Buffer.from(bie)).toEqual(
        Buffer.from(encodeT85(bitmap, { stripeRows: coding === 't85' ? 128 : bitmap.height })),
      );
      const p = w.beginPage({ coding, width: 1728, resolution: 'fine' });
      for (let at = 0; at < data.length; at += 101) {
        expect(p.ended).toBe(false);
        p.push(data.subarray(at, at + 101));
      }
      expect(p.ended).toBe(true);
      expect(p.finish()).toEqual({ rows: bitmap.height, badRows: 0, longestBadRun: 0, end: 'height' });
      await p.store();
    }
    const files = await w.close();
    expect(files.pages.map((p) => [p.rows, p.coding])).toEqual(pages.map((b) => [b.height, coding]));
    expect(run('tiffinfo', [files.tiff!]).match(/Compression Scheme: CCITT Group 4/g)).toHaveLength(2);
    const plain = s.path(`plain-${coding}.tif`);
    run('tiffcp', ['-c', 'none', files.tiff!, plain]);
    readTiff(new Uint8Array(readFileSync(plain))).forEach((p, i) =>
      expect(firstDifferentRow(p.bitmap, pages[i])).toBe(-1),
    );
  },
);

test('a cut T.85 page keeps its rows and says why', async () => {
  const bitmap = ditheredPhoto(1728, 300);
  const data = codePage(
    { bitmap, resolution: 'fine' },
    { coding: 't85', resolution: 'fine', width: 1728, length: 'a4', kFactor: 1, minBitsPerRow: 0, ecm: true },
  );
  const w = await ReceivedFaxWriter.open(s.dir, 'cut', { title: 'cut' });
  const p = w.beginPage({ coding: 't85', width: 1728, resolution: 'fine' });
  p.push(data.subarray(0, Math.floor(data.length * 0.6)));
  const facts = p.finish();
  expect(facts.rows % 128).toBe(0); // whole stripes only
  expect(facts.rows).toBeGreaterThan(0);
  expect(facts.rows).toBeLessThan(300);
  expect(p.error).toMatch(/ended after/);
  p.discard();
  await w.close();
});
