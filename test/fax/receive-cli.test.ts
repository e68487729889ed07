/**
 * `lpfax receive` (dist/bin/lpfax.js) over the simulated line: the far end calls in and sends a
 * three-page document without ECM; the command answers, writes one TIFF-F file and one PDF for
 * the call and prints one JSON object. The TIFF is read back by libtiff (tiffinfo, tiff2pdf) and
 * by lib/t4, the PDF by poppler (pdfinfo, pdftoppm -mono), page for page equal to what the far
 * end sent. A far end that hangs up after page 2 of 4: --once still exits 0 (pages were
 * received), the JSON says remote-disconnected with the two pages in both files. A device whose
 * UUCP lock another process holds is refused with the failure table's sentence and status.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireUucpLock } from '../../lib/modem/index.js';
import { FAILURE_TABLE } from '../../lib/failure/index.js';
import { renderPage } from '../pdf/poppler.js';
import { run as runTool, Scratch } from '../t4/pages.js';
import {
  bitmapsEqual,
  createBitmap,
  firstDifferentRow,
  readTiff,
  setPixel,
  writeTiffF,
  type Bitmap,
} from '../../lib/t4/index.js';
import { startLineSim } from '../linesim/linesim.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

function page(height: number, seed: number): Bitmap {
  const b = createBitmap(1728, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < 1728; x++)
      if ((x + y * seed) % 41 < 2 || y % (17 + seed) === 0) setPixel(b, x, y, true);
  return b;
}

let scratch: Scratch;
beforeAll(() => (scratch = new Scratch()));
afterAll(() => scratch.remove());

/** The PDF has these pages, each 1728 px wide at 204 dpi, poppler's pixels equal to the page. */
function expectPdf(pdf: string, pages: Bitmap[], yDpi: number): void {
  const info = runTool('pdfinfo', ['-f', '1', '-l', String(pages.length), pdf]);
  expect(info).toMatch(new RegExp(`^Pages:\\s+${pages.length}$`, 'm'));
  pages.forEach((b, i) => {
    const size = new RegExp(`^Page\\s+${i + 1} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(info)!;
    expect((Number(size[1]) / 72) * 25.4).toBeCloseTo(215.15, 1);
    expect(Number(size[2])).toBeCloseTo((b.height * 72) / yDpi, 1);
    expect(firstDifferentRow(renderPage(scratch, pdf, i + 1, yDpi), b)).toBe(-1);
  });
}

describe('lpfax receive', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lpfax-rx-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function config(device: string): Promise<Record<string, string>> {
    const conf = join(dir, 'lpfax.conf');
    await writeFile(conf, `ModemDevice: ${device}\nLocalIdentifier: +1 555 0199\nLockDir: ${dir}\n`);
    return { LPFAX_CONFIG: conf };
  }

  test('--once --json: one call, three pages, one TIFF-F file libtiff reads', async () => {
    const sent = [page(120, 1), page(90, 2), page(150, 3)];
    const file = join(dir, 'send.tif');
    await writeFile(
      file,
      writeTiffF(
        sent.map((bitmap) => ({ bitmap, resolution: 'fine' })),
        { coding: 'mh' },
      ),
    );
    const sim = await startLineSim({
      speed: 3,
      ringAfterSeconds: 0.5,
      send: file,
      modems: ['v29'],
      ecm: false,
    });
    try {
      const out = join(dir, 'out');
      const run = await execa(
        process.execPath,
        [LPFAX, 'receive', '--device', sim.devicePath, '--output', out, '--once', '--json', '--rings', '2'],
        { env: await config(sim.devicePath), reject: false, timeout: 120_000 },
      );
      expect({ exit: run.exitCode, stderr: run.exitCode === 0 ? '' : run.stderr }).toEqual({
        exit: 0,
        stderr: '',
      });
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const call = JSON.parse(lines[0]);
      expect(call).toMatchObject({
        result: 'received',
        pages: 3,
        remoteId: 'LINESIM',
        subaddress: null,
        bitRate: 9600,
        ecm: false,
        coding: 'mr',
        resolution: 'fine',
        badLines: [0, 0, 0],
      });
      expect(call.durationSeconds).toBeGreaterThan(0);
      expect(call.tiff).toMatch(/^.*\/out\/fax-\d{8}T\d{6}Z\.tif$/);
      expect(call.pdf).toBe(call.tiff.replace(/\.tif$/, '.pdf'));
      const far = await sim.nextCall(30_000);
      expect(far).toMatchObject({ outcome: 'completed', pages: 3, remoteIdent: '+1 555 0199' });

      const info = await execa('tiffinfo', [call.tiff]);
      expect(info.stdout.match(/Image Width: 1728/g)).toHaveLength(3);
      expect(info.stdout.match(/Resolution: 204, 196 pixels\/inch/g)).toHaveLength(3);
      const pdf = join(dir, 'x.pdf');
      await execa('tiff2pdf', ['-o', pdf, call.tiff]);
      expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
      const got = readTiff(new Uint8Array(await readFile(call.tiff)));
      expect(got.map((p) => p.resolution)).toEqual(['fine', 'fine', 'fine']);
      got.forEach((p, i) => expect(bitmapsEqual(p.bitmap, sent[i])).toBe(true));
      expectPdf(call.pdf, sent, 196);
    } finally {
      await sim.stop();
    }
  }, 150_000);

  test('--once: the sender hangs up after page 2 of 4 — exit 0, remote-disconnected, pages 1–2 in TIFF and PDF', async () => {
    const sent = [page(80, 1), page(80, 2), page(80, 3), page(80, 4)];
    const file = join(dir, 'send.tif');
    await writeFile(
      file,
      writeTiffF(
        sent.map((bitmap) => ({ bitmap, resolution: 'standard' })),
        { coding: 'mh' },
      ),
    );
    const sim = await startLineSim({
      speed: 3,
      ringAfterSeconds: 0.5,
      send: file,
      modems: ['v29'],
      ecm: false,
      hangupAfterPage: 2,
    });
    try {
      const out = join(dir, 'out');
      const run = await execa(
        process.execPath,
        [LPFAX, 'receive', '--device', sim.devicePath, '--output', out, '--once', '--json'],
        { env: await config(sim.devicePath), reject: false, timeout: 120_000 },
      );
      expect({ exit: run.exitCode, stderr: run.exitCode === 0 ? '' : run.stderr }).toEqual({
        exit: 0,
        stderr: '',
      });
      const call = JSON.parse(run.stdout.trim());
      expect(call).toMatchObject({
        result: 'remote-disconnected',
        message: 'The sender hung up after 2 pages.',
        pages: 2,
        badLines: [0, 0],
      });
      expect(await sim.nextCall(30_000)).toMatchObject({ outcome: 'far-end-hangup', pagesSent: 2 });
      const info = await execa('tiffinfo', [call.tiff]);
      expect(info.stdout.match(/Resolution: 204, 98 pixels\/inch/g)).toHaveLength(2);
      const got = readTiff(new Uint8Array(await readFile(call.tiff)));
      expect(got.map((p, i) => bitmapsEqual(p.bitmap, sent[i]))).toEqual([true, true]);
      expectPdf(call.pdf, sent.slice(0, 2), 98);
    } finally {
      await sim.stop();
    }
  }, 150_000);

  test("refuses a device another process has locked: the failure table's sentence and status", async () => {
    const device = join(dir, 'ttyFAKE');
    await writeFile(device, '');
    const lock = await acquireUucpLock(device, { lockDir: dir });
    try {
      const run = await execa(
        process.execPath,
        [LPFAX, 'receive', '--device', device, '--output', join(dir, 'o'), '--once'],
        {
          env: await config(device),
          reject: false,
          timeout: 30_000,
        },
      );
      expect(run.exitCode).toBe(FAILURE_TABLE['modem-locked'].lpfax);
      expect(run.stderr).toContain(
        `The modem ${device} is in use by another program (process ${process.pid}); try again later.`,
      );
    } finally {
      await lock.release();
    }
  }, 60_000);
});
