/**
 * lpfax receiving over the simulated line: the far end (spandsp 0.0.6) calls in (RING), lpfax
 * answers (ATA) and receives TIFF-F documents sent with the far end's capabilities restricted as
 * a real sender's would be. The pages go into the call's TIFF-F and PDF (ReceivedFaxWriter, each
 * page synced before MCF); every stored page must equal, pixel for pixel, the page the far end
 * read from its file, read back by lib/t4, libtiff (tiffinfo, tiff2pdf) and poppler (pdfinfo,
 * pdftoppm -mono). The call facts must match the far end's own report.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  receiveFax,
  ReceivedFaxWriter,
  type ReceiveFaxOptions,
  type ReceivedFaxFiles,
  type ReceiveResult,
  type ReceivedFaxPage,
} from '../../lib/fax/index.js';
import { Class1Modem } from '../../lib/modem/index.js';
import {
  createBitmap,
  firstDifferentRow,
  readTiff,
  setPixel,
  writeTiffF,
  type Bitmap,
} from '../../lib/t4/index.js';
import type { Resolution } from '../../lib/itu/page.js';
import { renderPage } from '../pdf/poppler.js';
import { run, Scratch } from '../t4/pages.js';
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

const DPI: Record<Resolution, number> = { standard: 98, fine: 196, superfine: 391 };

/** One document the far end sends: `pages` pages of `rows` rows at `resolution`. */
interface Doc {
  resolution: Resolution;
  pages: number;
  rows: number;
}

interface SentPage {
  bitmap: Bitmap;
  resolution: Resolution;
}

export interface ReceiveRun {
  result: ReceiveResult;
  pages: ReceivedFaxPage[];
  files: ReceivedFaxFiles;
  call: LineSimCall;
  sent: SentPage[];
  trace: string[];
}

let scratch: Scratch;
beforeAll(() => (scratch = new Scratch()));
afterAll(() => scratch.remove());

/** The far end sends `docs` (EOM between them) with these line options; lpfax receives into files. */
export async function receiveOverLine(
  line: LineSimOptions,
  docs: Doc[],
  options: Partial<ReceiveFaxOptions> = {},
): Promise<ReceiveRun> {
  const dir = await mkdtemp(join(tmpdir(), 'lpfax-rx-test-'));
  const sent: SentPage[] = [];
  const files: string[] = [];
  for (const [d, doc] of docs.entries()) {
    const bitmaps = Array.from({ length: doc.pages }, (_, i) => page(doc.rows, sent.length + i));
    const file = join(dir, `send-${d}.tif`);
    await writeFile(
      file,
      writeTiffF(
        bitmaps.map((bitmap) => ({ bitmap, resolution: doc.resolution })),
        { coding: 'mh' },
      ),
    );
    // What the far end reads from its file is the reference.
    for (const p of readTiff(new Uint8Array(readFileSync(file))))
      sent.push({ bitmap: p.bitmap, resolution: p.resolution });
    files.push(file);
  }
  const sim = await startLineSim({ speed: 3, ringAfterSeconds: 0.5, ...line, send: files });
  const trace: string[] = [];
  try {
    const modem = await Class1Modem.open(sim.devicePath, { lock: false });
    try {
      await modem.init();
      const store = await ReceivedFaxWriter.open(
        scratch.dir,
        `rx-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      );
      const reception = receiveFax({
        modem,
        store,
        rings: 1,
        localIdent: '+49 30 7654321',
        trace: (l) => trace.push(l),
        ...options,
      });
      const pages: ReceivedFaxPage[] = [];
      for await (const p of reception.pages) pages.push(p);
      const result = await reception.result;
      const stored = await store.close();
      const call = await sim.nextCall(30_000);
      return { result, pages, files: stored, call, sent, trace };
    } finally {
      await modem.close();
    }
  } finally {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The call's files hold exactly `want` (pages and resolutions), pixel for pixel, in lib/t4,
 * libtiff and poppler.
 */
function expectFiles(files: ReceivedFaxFiles, want: SentPage[]): void {
  expect(files.pages).toHaveLength(want.length);
  const tiff = files.tiff!;
  const back = readTiff(new Uint8Array(readFileSync(tiff)));
  expect(back.map((p) => p.resolution)).toEqual(want.map((p) => p.resolution));
  back.forEach((p, i) =>
    expect({ page: i + 1, row: firstDifferentRow(p.bitmap, want[i].bitmap) }).toEqual({
      page: i + 1,
      row: -1,
    }),
  );
  // libtiff
  const info = run('tiffinfo', [tiff]);
  expect(info.match(/Image Width: 1728 Image Length: \d+/g)).toEqual(
    want.map((p) => `Image Width: 1728 Image Length: ${p.bitmap.height}`),
  );
  expect(info.match(/Resolution: 204, \d+ pixels\/inch/g)).toEqual(
    want.map((p) => `Resolution: 204, ${DPI[p.resolution]} pixels/inch`),
  );
  const viaLibtiff = scratch.path(`tiff2pdf-${Date.now()}.pdf`);
  run('tiff2pdf', ['-o', viaLibtiff, tiff]);
  expect(run('pdfinfo', [viaLibtiff])).toMatch(new RegExp(`^Pages:\\s+${want.length}$`, 'm'));
  // poppler
  const pdf = files.pdf!;
  const pinfo = run('pdfinfo', ['-f', '1', '-l', String(want.length), pdf]);
  expect(pinfo).toMatch(new RegExp(`^Pages:\\s+${want.length}$`, 'm'));
  want.forEach((p, i) => {
    const size = new RegExp(`^Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(pinfo)!;
    expect((Number(size[1]) / 72) * 25.4).toBeCloseTo(215.15, 1); // 1728 px at 204 dpi
    expect(Number(size[2])).toBeCloseTo((p.bitmap.height * 72) / DPI[p.resolution], 1);
    const shown = renderPage(scratch, pdf, i + 1, DPI[p.resolution]);
    expect({ page: i + 1, row: firstDifferentRow(shown, p.bitmap) }).toEqual({ page: i + 1, row: -1 });
  });
}

function detail(run: ReceiveRun): string {
  return `${JSON.stringify(run.result)}\n${run.trace.slice(-40).join('\n')}`;
}

const cases: {
  name: string;
  line: LineSimOptions;
  docs: Doc[];
  expect: { bitRate: number; coding: 'mh' | 'mr' | 'mmr'; ecm: boolean; resolution: Resolution };
  far?: Partial<LineSimCall>;
  /** In lpfax's trace (e.g. a second partial page). */
  trace?: RegExp;
}[] = [
  {
    name: 'V.17 14400, ECM, MMR, fine, two pages',
    line: { modems: ['v17'] },
    docs: [{ resolution: 'fine', pages: 2, rows: 200 }],
    expect: { bitRate: 14400, coding: 'mmr', ecm: true, resolution: 'fine' },
  },
  {
    name: 'V.29 9600 without ECM, MR, fine',
    line: { modems: ['v29'], ecm: false },
    docs: [{ resolution: 'fine', pages: 1, rows: 200 }],
    expect: { bitRate: 9600, coding: 'mr', ecm: false, resolution: 'fine' },
  },
  {
    name: 'V.27 ter 4800, standard, MH',
    line: { modems: ['v27ter'], ecm: false, codings: ['mh'], resolutions: ['standard'] },
    docs: [{ resolution: 'standard', pages: 1, rows: 100 }],
    expect: { bitRate: 4800, coding: 'mh', ecm: false, resolution: 'standard' },
  },
  {
    // Phase B again after EOM (T.30 Figure 5-2): a new DIS, a new DCS at the second resolution.
    name: 'EOM between two documents, fine then standard (V.29, MR)',
    line: { modems: ['v29'], ecm: false },
    docs: [
      { resolution: 'fine', pages: 1, rows: 160 },
      { resolution: 'standard', pages: 1, rows: 90 },
    ],
    expect: { bitRate: 9600, coding: 'mr', ecm: false, resolution: 'standard' },
    far: { documents: 2 },
  },
  {
    // 64-octet frames: a page of more than 256 frames is several partial pages (PPS-NULL).
    name: 'ECM with 64-octet frames, a page in several partial pages (V.17, MMR)',
    line: { modems: ['v17'], ecmFrameSize: 64 },
    docs: [{ resolution: 'fine', pages: 1, rows: 1100 }],
    expect: { bitRate: 14400, coding: 'mmr', ecm: true, resolution: 'fine' },
    far: { ecmFrameSize: 64 },
    trace: /"kind":"block-received","page":0,"block":1,/,
  },
];

describe('receiveFax from spandsp over the simulated line, into TIFF-F and PDF', () => {
  test.each(cases)(
    '$name',
    async ({ line, docs, expect: want, far, trace }) => {
      const run = await receiveOverLine(line, docs);
      const pages = docs.reduce((n, d) => n + d.pages, 0);
      expect({ ok: run.result.ok, detail: run.result.ok ? '' : detail(run) }).toEqual({
        ok: true,
        detail: '',
      });
      expect(run.result).toMatchObject({ pages, ...want, remoteIdent: 'LINESIM' });
      expect(run.call).toMatchObject({
        direction: 'incoming',
        outcome: 'completed',
        pages,
        remoteIdent: '+49 30 7654321',
        ...far,
      });
      expect(run.pages.map((p) => [p.index, p.badRows])).toEqual([...Array(pages).keys()].map((i) => [i, 0]));
      expectFiles(run.files, run.sent);
      if (trace) expect(run.trace.join('\n')).toMatch(trace);
    },
    150_000,
  );
});

describe('receiveFax when the call breaks', () => {
  test.each([
    { ecm: false, line: { modems: ['v29'], ecm: false } as LineSimOptions },
    { ecm: true, line: { modems: ['v17'] } as LineSimOptions },
  ])(
    'the sender hangs up after page 2 of 4 (ECM $ecm): pages 1–2 kept in TIFF and PDF, remote-disconnected',
    async ({ ecm, line }) => {
      const run = await receiveOverLine({ ...line, hangupAfterPage: 2 }, [
        { resolution: 'fine', pages: 4, rows: 120 },
      ]);
      // The far end sent page 2 and its post-page command, then dropped the line before our MCF.
      expect(run.call).toMatchObject({ outcome: 'far-end-hangup', pagesSent: 2 });
      expect(run.result).toMatchObject({ ok: false, pages: 2, ecm });
      expect({ kind: run.result.failure?.kind, detail: detail(run) }).toEqual({
        kind: 'remote-disconnected',
        detail: detail(run),
      });
      expect(run.pages.map((p) => p.index)).toEqual([0, 1]);
      expectFiles(run.files, run.sent.slice(0, 2));
    },
    150_000,
  );

  test('a caller that never sends DCS: DIS three times, DCN, hang-up, not-a-fax, no files', async () => {
    const run = await receiveOverLine({ modems: ['v29'], ecm: false, noDcs: true }, [
      { resolution: 'fine', pages: 1, rows: 60 },
    ]);
    expect(run.result).toMatchObject({ ok: false, pages: 0 });
    expect(run.result.failure?.kind).toBe('not-a-fax');
    expect(run.trace.filter((l) => /"type":"sendFrames"/.test(l) && /action/.test(l))).toHaveLength(4); // 3 × CSI+DIS, DCN
    expect(run.trace.filter((l) => /"type":"sendFrames"/.test(l)).at(-1)).toContain('"frames":["ff 13 fa"]'); // DCN
    expect(run.files).toEqual({ pages: [] });
    expect(run.call.pages).toBe(0);
  }, 150_000);
});

/** The frames lpfax sent (its actions) and received (its events), in order, as FCF names. */
function framesOnLine(trace: string[]): string[] {
  const names: Record<string, string> = { ec: 'RNR', '6f': 'RR', '8c': 'MCF', be: 'PPS', bf: 'PPS' };
  const out: string[] = [];
  for (const line of trace) {
    const sent = /^action \{"type":"sendFrames","frames":\[(.*)\]\}$/.exec(line);
    const got = /^event \{"type":"frameReceived","frame":"ff 1[03] ([0-9a-f]{2})/.exec(line);
    if (sent)
      for (const f of sent[1].matchAll(/"ff 1[03] ([0-9a-f]{2})/g)) out.push(`> ${names[f[1]] ?? f[1]}`);
    if (got) out.push(`< ${names[got[1]] ?? got[1]}`);
  }
  return out;
}

describe('receiveFax when storing a page is slow', () => {
  test('ECM: RNR while page 1 is stored, the sender polls with RR, then MCF; both pages kept', async () => {
    // The store of page 1 takes 3 s of wall time (9 s on the line at speed 3): far beyond the
    // sender's T4 (3 s), well inside its T5 (60 s). storeWaitMs: the line runs 3 times faster.
    const slow: Partial<ReceiveFaxOptions> = {
      storeWaitMs: 150,
      onPage: (p) => (p.index === 0 ? new Promise((r) => setTimeout(r, 3000)) : undefined),
    };
    const run = await receiveOverLine(
      { modems: ['v17'] },
      [{ resolution: 'fine', pages: 2, rows: 120 }],
      slow,
    );
    expect({ ok: run.result.ok, detail: run.result.ok ? '' : detail(run) }).toEqual({ ok: true, detail: '' });
    expect(run.result).toMatchObject({ pages: 2, ecm: true });
    expect(run.call).toMatchObject({ outcome: 'completed', pages: 2 });
    // Page 1: PPS, then RNR/RR until the page is stored, then MCF (T.30 §A.4.5).
    const line = framesOnLine(run.trace);
    const first = line.indexOf('< PPS');
    const mcf = line.indexOf('> MCF', first);
    const between = line.slice(first + 1, mcf);
    expect(between.length).toBeGreaterThanOrEqual(4);
    expect(between).toEqual(between.map((_, i) => (i % 2 === 0 ? '> RNR' : '< RR')));
    expect(run.pages.map((p) => p.index)).toEqual([0, 1]);
    expectFiles(run.files, run.sent);
  }, 150_000);
});
