/**
 * IPP clients faxing through a real cupsd (issue 18): our ipptool scripts (test/cupsd/ipp/) make
 * FaxOut jobs (PWG 5100.15 destination-uris, cover-sheet-info) with the documents IPP clients send
 * (PDF, PWG raster, Apple raster, JPEG, made here by Ghostscript); the simulated line's far end
 * receives them. Every job's job-media-sheets-completed must equal the pages the far end confirmed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rasterize } from '../../lib/raster/index.js';
import { getPixel, readTiff, type Bitmap } from '../../lib/t4/index.js';
import { backendPath, removeSandboxes, sandbox, shareDevice, writeConfig } from '../backend/run-backend.js';
import { startLineSim, type LineSim, type LineSimCall, type LineSimOptions } from '../linesim/linesim.js';
import { startCupsd, type PrivateCupsd } from './harness.js';
import { ippScript, jobSheets, type JobState } from './ipp.js';

const SPEED = 4;
const ppd = new URL('../../ppd/lpfax.ppd', import.meta.url).pathname;
let dir: string;
let cupsd: PrivateCupsd;
let sim: LineSim | undefined;
let confirmations = '';
const files: Record<string, string> = {};

async function line(options: LineSimOptions = {}): Promise<LineSim> {
  await sim?.stop();
  sim = await startLineSim({
    speed: SPEED,
    link: join(dir, 'modem'),
    outDir: sandbox('lpfax-rx-'),
    ...options,
  });
  shareDevice(sim.devicePath);
  return sim;
}

async function waitFor(jobId: number, states: JobState['state'][], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await jobSheets(cupsd.port, jobId);
    if (states.includes(s.state)) return s;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} is ${s.state} (${s.message}), not ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const ENDED: JobState['state'][] = ['completed', 'aborted', 'canceled', 'held'];

async function printJob(jobName: string, destination: string, file: string, format: string): Promise<number> {
  const row = await ippScript(cupsd.port, 'faxout-print-job', {
    job_name: jobName,
    destination,
    filename: file,
    format,
  });
  return Number(row['job-id']);
}

/** Rows at the top of a fax page that hold the tagline, not the document. */
const TAGLINE_ROWS = 80;

/** The box around the ink of a page below the tagline, in pixels. */
function inkBox(b: Bitmap): { left: number; top: number; right: number; bottom: number } {
  let left = b.width;
  let top = b.height;
  let right = -1;
  let bottom = -1;
  for (let y = TAGLINE_ROWS; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (!getPixel(b, x, y)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { left, top, right, bottom };
}

/**
 * The received pages' ink boxes, against the same pages rendered from the vector PDF; `scale`
 * shrinks the PDF's page about its centre first (CUPS's imagetopdf fits an image into the
 * printable area).
 */
async function expectSamePagesAsPdf(call: LineSimCall, skip = 0, scale = 1): Promise<void> {
  const received = readTiff(readFileSync(call.tiff!)).slice(skip);
  const reference: Bitmap[] = [];
  for await (const p of rasterize(files.pdf, { paper: 'letter', resolution: 'fine', tagline: false }))
    reference.push(p.bitmap);
  expect(received.map((p) => [p.bitmap.width, p.bitmap.height])).toEqual(
    reference.slice(0, received.length).map((b) => [b.width, b.height]),
  );
  received.forEach((page, i) => {
    const got = inkBox(page.bitmap);
    const r = inkBox(reference[i]);
    const [cx, cy] = [reference[i].width / 2, reference[i].height / 2];
    const sx = (x: number) => Math.round(cx + (x - cx) * scale);
    const sy = (y: number) => Math.round(cy + (y - cy) * scale);
    const want = { left: sx(r.left), right: sx(r.right), top: sy(r.top), bottom: sy(r.bottom) };
    // Within 8 pels across and 8 rows down (1 mm at 7.7 lines/mm): a raster at 100 dpi rounds.
    const off = Math.max(
      ...(['left', 'right', 'top', 'bottom'] as const).map((k) => Math.abs(got[k] - want[k])),
    );
    expect(`page ${i + 1} is off by ${off}: ${JSON.stringify({ got, want })}`).toMatch(/ off by [0-8]: /);
  });
}

beforeAll(async () => {
  dir = sandbox('lpfax-faxout-');
  // Pages with a black box each at a known place, so a page rendered at another scale or offset shows.
  const ps = join(dir, 'boxes.ps');
  writeFileSync(
    ps,
    '%!PS\n' +
      [1, 2, 3].map((n) => `${36 + 72 * n} ${600 - 144 * n} 144 72 rectfill showpage`).join('\n') +
      '\n',
  );
  const gs = (device: string, out: string, extra: string[] = []) =>
    execFileSync('gs', [
      '-q',
      '-dSAFER',
      '-dBATCH',
      '-dNOPAUSE',
      '-sPAPERSIZE=letter',
      `-sDEVICE=${device}`,
      ...extra,
      `-sOutputFile=${out}`,
      ps,
    ]);
  files.pdf = join(dir, 'boxes.pdf');
  gs('pdfwrite', files.pdf);
  // PWG raster as Windows and Android send it (8-bit grey, 150 dpi); Apple raster as iOS does
  // (24-bit sRGB: URF has no 1-bit form, and gs's default urf output is not one Apple clients send).
  files.pwg = join(dir, 'boxes.pwg');
  gs('pwgraster', files.pwg, ['-r150', '-dcupsColorSpace=18', '-dcupsBitsPerColor=8']);
  files.urf = join(dir, 'boxes.urf');
  gs('urf', files.urf, ['-r100', '-dcupsColorSpace=19', '-dcupsBitsPerColor=8', '-dLastPage=1']);
  files.jpeg = join(dir, 'boxes.jpg');
  gs('jpeggray', files.jpeg, ['-r100', '-dLastPage=1']);

  const config = writeConfig(
    dir,
    `LockDir: ${dir}\nSenderName: Riverside Clinic\nConfirmationPrinter: Office\n`,
  );
  // The office printer: a backend that keeps what it is given (CUPS backend(7): argv[6] or stdin).
  const keep = join(dir, 'keep');
  writeFileSync(keep, '#!/bin/sh\ncat "${6:-/dev/stdin}" > "${DEVICE_URI#keep:}"\n', { mode: 0o755 });
  cupsd = await startCupsd({
    backends: { fax: backendPath, keep },
    retryInterval: 2,
    setEnv: { LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
  });
  await line();
  await cupsd.cups('lpadmin', ['-p', 'Fax', '-E', '-v', `fax:${join(dir, 'modem')}`, '-P', ppd]);
  // The raw queue confirmation sheets are printed on.
  confirmations = join(dir, 'office.out');
  await cupsd.cups('lpadmin', ['-p', 'Office', '-E', '-v', `keep:${confirmations}`]);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await cupsd?.stop();
  removeSandboxes();
});

describe('IPP FaxOut jobs through cupsd', () => {
  it('faxes a Create-Job/Send-Document to both destination-uris, each with the cover sheet', async () => {
    const row = await ippScript(cupsd.port, 'faxout-create-job', {
      number1: '555-0100',
      predial: '9',
      number2: '+1-415-555-0101',
      filename: files.urf,
      format: 'image/urf',
    });
    const id = Number(row['job-id']);
    const done = await waitFor(id, ENDED);
    expect(done.state).toBe('completed');
    const first = await sim!.nextCall(10_000);
    const second = await sim!.nextCall(10_000);
    expect([first, second]).toMatchObject([
      { outcome: 'completed', number: '95550100', pages: 2 },
      // No CountryCode in lpfax.conf: the dial rules dial +1 … as an international number.
      { outcome: 'completed', number: '0014155550101', pages: 2 },
    ]);
    // The cover sheet's to-name names the recipient (cover-sheet-info reached the backend).
    expect(cupsd.errorLog()).toContain(
      `[Job ${id}] Preparing the fax for Pharmacy (5550100) (recipient 1 of 2)`,
    );
    expect(cupsd.errorLog()).toMatch(new RegExp(`\\[Job ${id}\\] Delivered 4 pages to 2 recipients in `));
    await expectSamePagesAsPdf(first, 1);
    expect(done.sheets).toBe(4);
  }, 120_000);

  it('faxes PWG raster as the same pages as the PDF and JPEG fitted to the page, counting confirmed pages', async () => {
    const pwg = await printJob('Scan 0002', 'tel:555-0102', files.pwg, 'image/pwg-raster');
    const pwgDone = await waitFor(pwg, ENDED);
    expect(pwgDone.state).toBe('completed');
    const pwgCall = await sim!.nextCall(10_000);
    expect(pwgCall).toMatchObject({ outcome: 'completed', number: '5550102', pages: 3 });
    await expectSamePagesAsPdf(pwgCall);
    expect(pwgDone.sheets).toBe(3);

    const jpeg = await printJob('IMG_0001.JPG', 'tel:555-0103', files.jpeg, 'image/jpeg');
    const jpegDone = await waitFor(jpeg, ENDED);
    expect(jpegDone.state).toBe('completed');
    const jpegCall = await sim!.nextCall(10_000);
    expect(jpegCall).toMatchObject({ outcome: 'completed', number: '5550103', pages: 1 });
    // A page-sized photo is fitted into the PPD's printable area (18 pt margins), as CUPS does for
    // any printer: 576/612 of the page's width.
    await expectSamePagesAsPdf(jpegCall, 0, 576 / 612);
    expect(jpegDone.sheets).toBe(1);
  }, 120_000);

  it("prints the transmission report on ConfirmationPrinter as the job's user when the client asks", async () => {
    const row = await ippScript(cupsd.port, 'faxout-confirm', {
      job_name: 'IMG_0002.JPG',
      destination: 'tel:555-0105',
      filename: files.jpeg,
      format: 'image/jpeg',
    });
    const id = Number(row['job-id']);
    expect((await waitFor(id, ENDED)).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550105', pages: 1 });
    expect(cupsd.errorLog()).toMatch(new RegExp(`\\[Job ${id}\\] Confirmation sheet printed on Office`));
    // The sheet is a job of bob's on Office, titled for the fax, and cupsd printed it: a PDF report.
    const deadline = Date.now() + 30_000;
    let listed = '';
    while (Date.now() < deadline) {
      listed = await cupsd.cups('lpstat', ['-W', 'completed', '-o', 'Office']);
      if (listed.includes('bob')) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(listed).toMatch(/^Office-\d+\s+bob\s/m);
    const sheet = readFileSync(confirmations);
    expect(sheet.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-', '-'], { input: sheet }).toString();
    expect(text).toContain('5550105');
  }, 90_000);

  it('holds a job whose name and destination-uris give different numbers, and dials nothing', async () => {
    const id = await printJob('Pharmacy@555-0100', 'tel:555-0199', files.pdf, 'application/pdf');
    const held = await waitFor(id, ENDED);
    expect(held.state).toBe('held');
    expect(held.message).toBe(
      `The job gives two different fax numbers: 5550100 in the job name, 5550199 in destination-uris. ` +
        `Cancel it (cancel ${id}) and send it again with one number.`,
    );
    expect(held.sheets).toBe(0);
    await cupsd.cups('cancel', [String(id)]);
    await expect(sim!.nextCall(3_000)).rejects.toMatchObject({ kind: 'timeout' });
  }, 60_000);

  it('resumes a job the far end hung up on without counting a page twice', async () => {
    await line({ hangupAfterPage: 2 });
    const id = await printJob('Pharmacy@555-0104', 'tel:555-0104', files.pdf, 'application/pdf');
    const cut = await sim!.nextCall(60_000);
    // The far end has page 2 but hangs up before confirming it (no MCF).
    expect(cut).toMatchObject({ number: '5550104', pages: 2 });
    expect(cut.outcome).not.toBe('completed');
    const waiting = await waitFor(id, ['pending', 'completed', 'aborted', 'held']);
    // A fax queue's retry: CUPS holds the job until JobRetryInterval has passed.
    expect(waiting.state).toBe('held');
    expect(waiting.message).toBe(
      'The far end hung up during page 2, after confirming 1 of 4 pages; CUPS will try again from page 2.',
    );
    await line();
    const done = await waitFor(id, ['completed', 'aborted', 'canceled']);
    expect(done.state).toBe('completed');
    const resumed = await sim!.nextCall(10_000);
    // Cover + 3 pages; page 1 went through in the first call, pages 2–4 in the second.
    expect(resumed).toMatchObject({ outcome: 'completed', number: '5550104', pages: 3 });
    expect(done.sheets).toBe(4);
  }, 120_000);
});
