/**
 * The CUPS backend run as cupsd runs it, against the simulated line (spandsp receives): what the
 * far end gets, the exit code for each cause, the lines CUPS reads, and what is left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CupsBackendStatus } from '../../lib/cups/backend.js';
import { rasterize } from '../../lib/raster/index.js';
import { bitmapsEqual, readTiff, type Bitmap } from '../../lib/t4/index.js';
import { startLineSim, type LineSim, type LineSimOptions } from '../linesim/linesim.js';
import { ptyPair } from '../modem/helpers/pty-pair.js';
import { removeSandboxes, runBackend, sandbox, shareDevice, writeConfig } from './run-backend.js';

const SPEED = 3;
let dir: string;
let pdf: string;
let config: string;

async function withLine<T>(options: LineSimOptions, body: (sim: LineSim) => Promise<T>): Promise<T> {
  const sim = await startLineSim({ speed: SPEED, outDir: sandbox('lpfax-rx-'), ...options });
  shareDevice(sim.devicePath);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

/** A job as cupsd starts it; every run gets its own TMPDIR to check that nothing is left there. */
function job(deviceUri: string, title: string, file = pdf, extraEnv: Record<string, string> = {}) {
  const tmp = sandbox('lpfax-tmp-');
  return {
    tmp,
    run: (more: Partial<Parameters<typeof runBackend>[0]> = {}) =>
      runBackend({
        args: ['7', 'alice', title, '1', 'job-uuid=urn:uuid:6e1c0a36-1b3c-4b5e-9a4f-2f0e0c7d1a11', file],
        deviceUri,
        env: {
          TMPDIR: tmp,
          LPFAX_CONFIG: config,
          LPFAX_STATE_DIR: join(dir, 'state'),
          ...extraEnv,
        },
        ...more,
      }),
  };
}

async function documentPages(file: string): Promise<Bitmap[]> {
  const pages: Bitmap[] = [];
  for await (const p of rasterize(file, { paper: 'a4', resolution: 'fine', tagline: false }))
    pages.push(p.bitmap);
  return pages;
}

beforeAll(() => {
  dir = sandbox();
  const ps = join(dir, 'doc.ps');
  writeFileSync(
    ps,
    '%!PS\n/Helvetica findfont 28 scalefont setfont\n' +
      '72 700 moveto (Prescription for J. Smith) show 72 650 moveto (Page one) show showpage\n' +
      '72 700 moveto (Refills: 2) show 100 100 moveto 500 600 lineto stroke showpage\n',
  );
  pdf = join(dir, 'doc.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  config = writeConfig(
    dir,
    [
      `LockDir: ${dir}`,
      `SpoolDir: ${dir}/spool`,
      'PageSize: a4',
      'Resolution: fine',
      'Tagline: off',
      'CoverPage: auto',
      'SenderName: Riverside Clinic',
      'DialDeny: 1900*',
      // The DEBUG: lines carry each failure's kind, which these tests check.
      'LogLevel: debug',
      '',
    ].join('\n'),
  );
});

afterAll(removeSandboxes);

describe('backend fax, as cupsd runs it', () => {
  it('lists the fax scheme for the CUPS web interface when run with no arguments', async () => {
    const run = await runBackend({ args: [], timeoutMs: 20_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('direct fax "Unknown" "Fax modem (lpfax)"\n');
  });

  it('delivers a PDF with a cover page and tells CUPS each step', async () => {
    await withLine({}, async (sim) => {
      const { tmp, run } = job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100');
      const result = await run();
      expect(result.of('ERROR')).toEqual([]);
      expect(result.code).toBe(CupsBackendStatus.OK);
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ outcome: 'completed', number: '5550100', pages: 3, completionCode: 0 });

      // Pages 2 and 3 are the document, pixel for pixel.
      const received = readTiff(readFileSync(call.tiff!));
      const sent = await documentPages(pdf);
      expect(received).toHaveLength(3);
      expect(received.slice(1).map((p, i) => bitmapsEqual(p.bitmap, sent[i]))).toEqual([true, true]);

      expect(result.lines).toContain('STATE: +connecting-to-device');
      expect(result.of('INFO')).toEqual(
        expect.arrayContaining([
          'Dialing Pharmacy (5550100)…',
          'Sending page 1 of 3',
          'Sending page 3 of 3',
          expect.stringMatching(/^Connected at \d+ bit\/s, (ECM, )?fine — sending to Pharmacy \(5550100\)$/),
          expect.stringMatching(/^Delivered 3 pages to Pharmacy \(5550100\) in \d+ s$/),
        ]),
      );
      expect(result.of('PAGE')).toEqual(['1 1', '2 1', '3 1']);
      expect(result.of('ATTR')).toContain('job-media-progress=100');
      // Nothing left behind: no temp files, no progress, no lock.
      expect(readdirSync(tmp)).toEqual([]);
      expect(existsSync(join(dir, 'state')) ? readdirSync(join(dir, 'state')) : []).toEqual([]);
      expect(readdirSync(dir).filter((f) => f.startsWith('LCK..'))).toEqual([]);
    });
  });

  it('retries a busy line', async () => {
    await withLine({ busy: true }, async (sim) => {
      const result = await job(`fax:${sim.devicePath}`, '555-0100').run();
      expect(result.code).toBe(CupsBackendStatus.RETRY);
      expect(result.of('ERROR')).toEqual(['The line is busy; CUPS will try again.']);
    });
  });

  it('retries when nobody answers or there is no dial tone', async () => {
    for (const [fault, sentence] of [
      [{ noAnswer: true }, 'Nobody answered; CUPS will try again.'],
      [
        { noDialtone: true },
        'The modem hears no dial tone (is the phone line plugged in?); CUPS will try again.',
      ],
    ] as const) {
      await withLine(fault, async (sim) => {
        const result = await job(`fax:${sim.devicePath}`, '555-0100').run();
        expect(result.code).toBe(CupsBackendStatus.RETRY);
        expect(result.of('ERROR')).toEqual([sentence]);
      });
    }
  });

  it('holds a job without a number and says how to give one', async () => {
    const result = await job('fax:/dev/null', 'Microsoft Word - Rx.docx').run();
    expect(result.code).toBe(CupsBackendStatus.HOLD);
    expect(result.of('ERROR')).toEqual([
      "No fax number in the job name. Give the number with: lp -i 7 -o phone='Name@number' -H resume",
    ]);
  });

  it('holds a job whose number the dial policy forbids', async () => {
    const result = await job('fax:/dev/null', 'Hotline@1-900-555-0100').run();
    expect(result.code).toBe(CupsBackendStatus.HOLD);
    expect(result.of('ERROR')[0]).toMatch(/^Faxes to 19005550100 are not allowed here/);
  });

  it('cancels a document that cannot be read, leaving nothing behind', async () => {
    const garbage = join(dir, 'garbage.pdf');
    writeFileSync(garbage, '%PDF-1.4\n this is not a PDF at all \n%%EOF\n', { mode: 0o644 });
    await withLine({}, async (sim) => {
      const { tmp, run } = job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100', garbage);
      const result = await run();
      expect(result.code).toBe(CupsBackendStatus.CANCEL);
      expect(result.of('ERROR')).toHaveLength(1);
      expect(result.of('ERROR')[0]).toMatch(/\.$/);
      expect(readdirSync(tmp)).toEqual([]);
    });
  });

  it('cancels an empty file, a truncated PDF and a PDF header with junk, each with one sentence', async () => {
    const full = readFileSync(pdf);
    const bad: Record<string, Buffer> = {
      'empty.pdf': Buffer.alloc(0),
      'truncated.pdf': full.subarray(0, Math.floor(full.length / 2)),
      'junk.pdf': Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x5a)]),
    };
    for (const [name, content] of Object.entries(bad)) {
      const file = join(dir, name);
      writeFileSync(file, content, { mode: 0o644 });
      const { tmp, run } = job('fax:/dev/null', 'Pharmacy@555-0100', file);
      const result = await run();
      expect([name, result.code]).toEqual([name, CupsBackendStatus.CANCEL]);
      expect(result.of('ERROR')).toHaveLength(1);
      expect(readdirSync(tmp)).toEqual([]);
    }
  });

  it('faxes several recipients, one call each, in order', async () => {
    await withLine({}, async (sim) => {
      const result = await job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100; Clinic@555-0101').run();
      expect(result.code).toBe(CupsBackendStatus.OK);
      const calls = [await sim.nextCall(30_000), await sim.nextCall(30_000)];
      expect(calls.map((c) => [c.number, c.outcome, c.pages])).toEqual([
        ['5550100', 'completed', 3],
        ['5550101', 'completed', 3],
      ]);
      expect(result.of('INFO')).toContain('Preparing the fax for Clinic (5550101) (recipient 2 of 2)…');
      expect(result.of('INFO')).toContainEqual(
        expect.stringMatching(/^Delivered 6 pages to 2 recipients in \d+ s$/),
      );
    });
  });

  it('stops the queue when the modem is missing, keeping the job', async () => {
    const result = await job('fax:/dev/ttyNOSUCHMODEM', 'Pharmacy@555-0100').run();
    expect(result.code).toBe(CupsBackendStatus.STOP);
    expect(result.of('ERROR')).toEqual([
      'Cannot open the modem /dev/ttyNOSUCHMODEM (no such device); the fax queue is stopped until this is fixed.',
    ]);
  });

  it('resumes after the far end hung up, with the first page it did not confirm', async () => {
    const first = await withLine({ hangupAfterPage: 2 }, async (sim) => {
      const result = await job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100').run();
      return { result, call: await sim.nextCall(30_000) };
    });
    expect(first.result.code).toBe(CupsBackendStatus.RETRY);
    // Page 2 went out and was never confirmed: the far end had dropped the line.
    expect(first.result.of('ERROR')).toEqual([
      'The far end hung up during page 2, after confirming 1 of 3 pages; CUPS will try again from page 2.',
    ]);
    expect(first.result.of('DEBUG')).toContainEqual(expect.stringMatching(/^failure: remote-disconnected /));
    expect(first.result.of('PAGE')).toEqual(['1 1']);
    expect(readdirSync(join(dir, 'state'))).toHaveLength(1);

    // The CUPS retry: the same job again; only pages 2 and 3 go out.
    await withLine({}, async (sim) => {
      const result = await job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100').run();
      expect(result.code).toBe(CupsBackendStatus.OK);
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ outcome: 'completed', pages: 2 });
      expect(result.of('INFO')).toContain('Sending page 2 of 3');
      expect(result.of('INFO')).not.toContain('Sending page 1 of 3');
      expect(readdirSync(join(dir, 'state'))).toEqual([]);
    });
  });

  it('names the far end hanging up in the middle of page 2, with the page it confirmed', async () => {
    // Page 2 is dense (about 30 s at 14400 bit/s): the far end drops the line 27 s after it
    // answered, well inside it, as a far end does that hangs up mid-document.
    const dense = join(dir, 'dense.pdf');
    const ps = join(dir, 'dense.ps');
    writeFileSync(
      ps,
      '%!PS\n/Helvetica findfont 28 scalefont setfont\n72 700 moveto (Page one) show showpage\n' +
        '72 760 moveto (Page two) show 1 srand 0 1 14000 { pop rand 500 mod 40 add rand 650 mod 60 add ' +
        '3 3 rectfill } for showpage\n72 700 moveto (Page three) show showpage\n',
    );
    execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, dense]);
    await withLine({ hangupAfterSeconds: 27 }, async (sim) => {
      const { run } = job(`fax:${sim.devicePath}`, '555-0100', dense, {
        LPFAX_STATE_DIR: join(dir, 'state-mid-page'),
      });
      const result = await run();
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ outcome: 'far-end-hangup', pages: 1 });
      expect(result.code).toBe(CupsBackendStatus.RETRY);
      expect(result.of('ERROR')).toEqual([
        'The far end hung up during page 2, after confirming 1 of 3 pages; CUPS will try again from page 2.',
      ]);
      expect(result.of('PAGE')).toEqual(['1 1']);
    });
  });

  it('says the line is too poor when noise spoils every training, and retries', async () => {
    // -45 dBm0 of white noise both ways: spandsp's far end (V.27ter only, to keep it short)
    // answers TCF with FTT, at 4800 and at 2400 bit/s; now and then a training gets through
    // and page 1 with it before the noise wins (seen in a loaded CI run), so the sentence may
    // name the page to resume from.
    await withLine({ noiseDbm0: -45, modems: ['v27ter'] }, async (sim) => {
      const result = await job(`fax:${sim.devicePath}`, '555-0100').run();
      expect(result.code).toBe(CupsBackendStatus.RETRY);
      expect(result.of('ERROR')).toEqual([
        expect.stringMatching(
          /^The line was too poor to send even at the slowest speed( \(1 of 2 pages confirmed\))?; CUPS will try again( from page 2)?\.$/,
        ),
      ]);
      expect(result.of('DEBUG')).toContainEqual(expect.stringMatching(/^failure: training-failed /));
    });
  });

  it('stops the queue when the modem is dead (a tty that never answers AT)', async () => {
    const pty = await ptyPair(sandbox('lpfax-pty-'), 'dead');
    try {
      shareDevice(pty.dte);
      const result = await job(`fax:${pty.dte}`, 'Pharmacy@555-0100').run();
      expect(result.code).toBe(CupsBackendStatus.STOP);
      expect(result.of('ERROR')).toEqual([
        `The modem ${pty.dte} does not answer AT commands; the fax queue is stopped until this is fixed.`,
      ]);
    } finally {
      await pty.kill();
    }
  });

  it('hangs up, unlocks and cleans up when CUPS cancels the job mid-page', async () => {
    await withLine({}, async (sim) => {
      const { tmp, run } = job(`fax:${sim.devicePath}`, 'Pharmacy@555-0100');
      const result = await run({ killWhen: /Sending page 2 of 3/ });
      const call = await sim.nextCall(30_000);
      expect(call.outcome).not.toBe('completed');
      expect(result.code).toBe(CupsBackendStatus.CANCEL);
      expect(readdirSync(tmp)).toEqual([]);
      expect(readdirSync(dir).filter((f) => f.startsWith('LCK..'))).toEqual([]);
      console.log(`cancelled: the backend exited ${result.killedAfterMs} ms after SIGTERM`);
    });
  });
});
