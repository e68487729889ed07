/**
 * Print to fax through a real cupsd: the queue as install.sh makes it (our PPD, our backend), the
 * user's commands (lp, lpr, lp -i … -o phone=… -H resume, cancel), an IPP client that behaves like Windows,
 * and the simulated line's far end (spandsp) receiving.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendPath, removeSandboxes, sandbox, shareDevice, writeConfig } from '../backend/run-backend.js';
import { startLineSim, type LineSim, type LineSimOptions } from '../linesim/linesim.js';
import { startCupsd, type PrivateCupsd } from './harness.js';
import { jobSheets, jobState, printJobLikeWindows, type JobState } from './ipp.js';

const SPEED = 3;
const ppd = new URL('../../ppd/lpfax.ppd', import.meta.url).pathname;
let dir: string;
let cupsd: PrivateCupsd;
let sim: LineSim | undefined;
const files: Record<string, string> = {};

/** (Re)starts the simulated line behind the queue's fixed device path. */
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

async function submit(command: string, args: string[]): Promise<number> {
  const out = await cupsd.cups(command, args);
  const m = /request id is Fax-(\d+)/.exec(out);
  if (m) return Number(m[1]);
  // lpr prints nothing: the newest job is ours.
  const jobs = await cupsd.cups('lpstat', ['-W', 'all', '-o', 'Fax']);
  return Math.max(...[...jobs.matchAll(/Fax-(\d+)/g)].map((x) => Number(x[1])));
}

async function waitFor(jobId: number, states: JobState['state'][], timeoutMs = 90_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await jobState(cupsd.port, jobId);
    if (states.includes(s.state)) return s;
    if (Date.now() > deadline) {
      throw new Error(`job ${jobId} is ${s.state} (${s.reasons}: ${s.message}), not ${states.join('/')}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  dir = sandbox('lpfax-print-');
  const ps = join(dir, 'rx.ps');
  writeFileSync(
    ps,
    '%!PS\n/Helvetica findfont 24 scalefont setfont\n' +
      '72 700 moveto (Rx: amoxicillin 500 mg) show showpage\n72 700 moveto (Page two) show showpage\n',
  );
  files.pdf = join(dir, 'rx.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=letter', ps, files.pdf]);
  files.text = join(dir, 'note.txt');
  writeFileSync(files.text, 'Please call the clinic about refills.\n');
  files.jpeg = join(dir, 'scan.jpg');
  execFileSync('gs', [
    '-q',
    '-dSAFER',
    '-dBATCH',
    '-dNOPAUSE',
    '-sDEVICE=jpeggray',
    '-r50',
    `-sOutputFile=${files.jpeg}`,
    ps,
  ]);
  const withNumber = join(dir, 'with-number.ps');
  writeFileSync(
    withNumber,
    '%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Fax: Pharmacy@555-0100) show\n' +
      '72 680 moveto (Rx: ibuprofen 200 mg) show showpage\n',
  );
  files.withNumber = join(dir, 'with-number.pdf');
  execFileSync('ps2pdf', [withNumber, files.withNumber]);
  files.pwg = join(dir, 'scan.pwg');
  execFileSync('gs', [
    '-q',
    '-dSAFER',
    '-dBATCH',
    '-dNOPAUSE',
    '-sDEVICE=pwgraster',
    '-r100',
    `-sOutputFile=${files.pwg}`,
    ps,
  ]);

  const config = writeConfig(
    dir,
    `LockDir: ${dir}\nSpoolDir: ${dir}/spool\nSenderName: Riverside Clinic\nResolution: standard\n`,
  );
  cupsd = await startCupsd({
    backends: { fax: backendPath },
    retryInterval: 2,
    setEnv: { LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
  });
  await line();
  await cupsd.cups('lpadmin', ['-p', 'Fax', '-E', '-v', `fax:${join(dir, 'modem')}`, '-P', ppd]);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await cupsd?.stop();
  removeSandboxes();
});

describe('printing to the Fax queue through cupsd', () => {
  it('delivers `lp -t Name@number` with a cover page, and `lpr -J number` without', async () => {
    const lp = await submit('lp', ['-d', 'Fax', '-t', 'Pharmacy@555-0100', files.pdf]);
    expect((await waitFor(lp, ['completed', 'aborted', 'canceled', 'held'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550100', pages: 3 });
    // CUPS counts the fax pages the far end confirmed, cover included, once (issue 18).
    expect((await jobSheets(cupsd.port, lp)).sheets).toBe(3);

    const lpr = await submit('lpr', ['-P', 'Fax', '-J', '555-0101', files.pdf]);
    expect((await waitFor(lpr, ['completed', 'aborted', 'canceled', 'held'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550101', pages: 2 });
    expect((await jobSheets(cupsd.port, lpr)).sheets).toBe(2);
  }, 120_000);

  it('delivers a text file and a JPEG, converted by CUPS', async () => {
    for (const file of [files.text, files.jpeg]) {
      const id = await submit('lp', ['-d', 'Fax', '-t', '555-0102', file]);
      expect((await waitFor(id, ['completed', 'aborted', 'canceled', 'held'])).state).toBe('completed');
      const call = await sim!.nextCall(10_000);
      expect(call).toMatchObject({ outcome: 'completed', number: '5550102' });
      expect(call.pages).toBeGreaterThanOrEqual(1);
    }
  }, 120_000);

  it('delivers every file of a multi-file job, each as its own document of one call', async () => {
    // cupsd pipes both files' PDFs into one backend run; read as one PDF only the last would go.
    const id = await submit('lp', ['-d', 'Fax', '-t', '555-0103', files.pdf, files.withNumber]);
    expect((await waitFor(id, ['completed', 'aborted', 'canceled', 'held'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550103', pages: 3 });
  }, 120_000);

  it('holds a job without a number, then delivers it once the user gives one', async () => {
    const id = await submit('lp', ['-d', 'Fax', '-t', 'rx.pdf', files.pdf]);
    const held = await waitFor(id, ['held', 'completed', 'aborted']);
    expect(held.state).toBe('held');
    expect(held.message).toBe(
      `No fax number in the job name. Give the number with: lp -i ${id} -o phone='Name@number' -H resume`,
    );
    await cupsd.cups('lp', ['-i', String(id), '-o', 'phone=Pharmacy@555-0100', '-H', 'resume']);
    expect((await waitFor(id, ['completed', 'aborted'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', pages: 3 });
    expect((await jobSheets(cupsd.port, id)).sheets).toBe(3);
  }, 120_000);

  it('retries a busy line and delivers once it is free', async () => {
    await line({ busy: true });
    const id = await submit('lp', ['-d', 'Fax', '-t', '555-0103', files.pdf]);
    await sim!.nextCall(30_000); // the busy call
    const waiting = await waitFor(id, ['pending', 'held', 'completed']);
    expect(waiting.state).not.toBe('completed');
    expect(waiting.message).toBe('The line is busy; CUPS will try again.');
    await line();
    expect((await waitFor(id, ['completed', 'aborted'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550103' });
  }, 120_000);

  it('hangs up when the job is cancelled mid-call', async () => {
    const id = await submit('lp', ['-d', 'Fax', '-t', '555-0104', files.pdf]);
    for (
      let s = await jobState(cupsd.port, id);
      !/Sending page/.test(s.message);
      s = await jobState(cupsd.port, id)
    ) {
      if (s.state === 'completed' || s.state === 'aborted')
        throw new Error(`job ended before the cancel: ${s.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await cupsd.cups('cancel', [String(id)]);
    expect((await waitFor(id, ['canceled', 'completed'])).state).toBe('canceled');
    const call = await sim!.nextCall(20_000);
    expect(call.outcome).not.toBe('completed');
  }, 120_000);

  it('holds a job from a Windows-like IPP client for a number, then delivers it', async () => {
    const pdfJob = await printJobLikeWindows(
      cupsd.port,
      files.pdf,
      'Microsoft Word - Rx.docx',
      'application/pdf',
    );
    const pwgJob = await printJobLikeWindows(cupsd.port, files.pwg, 'Scan 0001', 'image/pwg-raster');
    for (const id of [pdfJob, pwgJob]) {
      const held = await waitFor(id, ['held', 'completed', 'aborted']);
      expect(held.state).toBe('held');
      expect(held.message).toMatch(/^No fax number in the job name\./);
    }
    for (const id of [pdfJob, pwgJob]) {
      await cupsd.cups('lp', ['-i', String(id), '-o', 'phone=555-0105', '-H', 'resume']);
      expect((await waitFor(id, ['completed', 'aborted'])).state).toBe('completed');
      const call = await sim!.nextCall(10_000);
      expect(call).toMatchObject({ outcome: 'completed', number: '5550105' });
      expect((await jobSheets(cupsd.port, id)).sheets).toBe(call.pages);
    }
  }, 180_000);

  it('delivers directly when the document carries the number in its text', async () => {
    const id = await printJobLikeWindows(
      cupsd.port,
      files.withNumber,
      'Microsoft Word - Order.docx',
      'application/pdf',
    );
    expect((await waitFor(id, ['completed', 'aborted', 'held'])).state).toBe('completed');
    expect(await sim!.nextCall(10_000)).toMatchObject({ outcome: 'completed', number: '5550100' });
  }, 120_000);
});
