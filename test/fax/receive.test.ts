/**
 * lpfax receiving over the simulated line: the far end (spandsp 0.0.6) calls in (RING), lpfax
 * answers (ATA) and receives a TIFF-F document sent with the far end's capabilities restricted
 * as a real sender's would be. Every page received must equal, pixel for pixel, the page the far
 * end read from its file, and the call facts must match the far end's own report.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveFax, type ReceiveResult, type ReceivedFaxPage } from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import {
  bitmapsEqual,
  createBitmap,
  readTiff,
  setPixel,
  writeTiffF,
  type Bitmap,
} from '../../lib/t4/index.js';
import type { Resolution } from '../../lib/itu/page.js';
import { startLineSim, type LineSimCall, type LineSimOptions } from '../linesim/linesim.js';

/** Strokes, rules and a diagonal that differ from page to page. */
function page(height: number, seed: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 1728; x++) {
      const stroke = (Math.floor(x / (7 + seed)) + Math.floor(y / 5)) % 6 === seed % 6 && x % 300 < 220;
      if (stroke || y % (29 + seed) === 0 || x === y * 4 + seed * 50) setPixel(b, x, y, true);
    }
  }
  return b;
}

export interface ReceiveRun {
  result: ReceiveResult;
  pages: ReceivedFaxPage[];
  call: LineSimCall;
  sent: Bitmap[];
  trace: string[];
}

/** The far end sends `pages` pages at `resolution` with these line options; lpfax receives. */
export async function receiveOverLine(
  line: LineSimOptions,
  resolution: Resolution,
  pageCount: number,
  rows: number,
): Promise<ReceiveRun> {
  const dir = await mkdtemp(join(tmpdir(), 'lpfax-rx-test-'));
  const file = join(dir, 'send.tif');
  const sent = Array.from({ length: pageCount }, (_, i) => page(rows, i));
  await writeFile(
    file,
    writeTiffF(
      sent.map((bitmap) => ({ bitmap, resolution })),
      { coding: 'mh' },
    ),
  );
  const sim = await startLineSim({ speed: 3, ringAfterSeconds: 0.5, ...line, send: file });
  const trace: string[] = [];
  try {
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    try {
      await modem.init();
      const reception = receiveFax({
        modem,
        rings: 1,
        localIdent: '+49 30 7654321',
        trace: (l) => trace.push(l),
      });
      const pages: ReceivedFaxPage[] = [];
      for await (const p of reception.pages) pages.push(p);
      const result = await reception.result;
      const call = await sim.nextCall(30_000);
      return {
        result,
        pages,
        call,
        sent: readTiff(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(file)))).map(
          (p) => p.bitmap,
        ),
        trace,
      };
    } finally {
      await modem.close();
    }
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const cases: {
  name: string;
  line: LineSimOptions;
  resolution: Resolution;
  pages: number;
  rows: number;
  expect: { bitRate: number; coding: 'mh' | 'mr' | 'mmr'; ecm: boolean; resolution: Resolution };
}[] = [
  {
    name: 'V.17 14400, ECM, MMR, fine, two pages',
    line: { modems: ['v17'] },
    resolution: 'fine',
    pages: 2,
    rows: 200,
    expect: { bitRate: 14400, coding: 'mmr', ecm: true, resolution: 'fine' },
  },
  {
    name: 'V.29 9600 without ECM, MR, fine',
    line: { modems: ['v29'], ecm: false },
    resolution: 'fine',
    pages: 1,
    rows: 200,
    expect: { bitRate: 9600, coding: 'mr', ecm: false, resolution: 'fine' },
  },
  {
    name: 'V.27 ter 4800, standard, MH',
    line: { modems: ['v27ter'], ecm: false, codings: ['mh'], resolutions: ['standard'] },
    resolution: 'standard',
    pages: 1,
    rows: 100,
    expect: { bitRate: 4800, coding: 'mh', ecm: false, resolution: 'standard' },
  },
];

describe('receiveFax from spandsp over the simulated line', () => {
  test.each(cases)(
    '$name',
    async ({ line, resolution, pages, rows, expect: want }) => {
      const run = await receiveOverLine(line, resolution, pages, rows);
      if (process.env.RX_TRACE)
        await writeFile(
          process.env.RX_TRACE + expect.getState().currentTestName?.replace(/\W+/g, '_'),
          run.trace.join('\n'),
        );
      const detail = `${JSON.stringify(run.result)}\n${run.trace.slice(-40).join('\n')}`;
      expect({ ok: run.result.ok, detail: run.result.ok ? '' : detail }).toEqual({ ok: true, detail: '' });
      expect(run.result).toMatchObject({ pages, ...want, remoteIdent: 'LINESIM' });
      expect(run.call).toMatchObject({
        direction: 'incoming',
        outcome: 'completed',
        pages,
        remoteIdent: '+49 30 7654321',
      });
      expect(run.pages.map((p) => p.index)).toEqual([...Array(pages).keys()]);
      run.pages.forEach((p, i) => {
        expect(p.resolution).toBe(want.resolution);
        expect(p.badRows).toBe(0);
        expect(bitmapsEqual(p.bitmap, run.sent[i])).toBe(true);
      });
    },
    120_000,
  );
});

describe('receiveFax when the far end hangs up mid-document', () => {
  test('the pages confirmed before the break are handed out, and the failure is typed', async () => {
    // Four pages; the far end drops the line 24 s (line time) after answering, within page 2 to 4.
    const run = await receiveOverLine(
      { modems: ['v29'], ecm: false, hangupAfterSeconds: 24 },
      'fine',
      4,
      150,
    );
    expect(run.call.outcome).toBe('far-end-hangup');
    expect(run.result.ok).toBe(false);
    expect(run.result.failure?.kind).toMatch(/^(protocol-timeout|remote-disconnected)$/);
    expect(run.pages.length).toBeGreaterThanOrEqual(1);
    expect(run.pages.length).toBeLessThan(4);
    expect(run.result.pages).toBe(run.pages.length);
    run.pages.forEach((p, i) => expect(bitmapsEqual(p.bitmap, run.sent[i])).toBe(true));
  }, 120_000);
});
