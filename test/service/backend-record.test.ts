/**
 * The CUPS backend (dist/backend/fax.js, run as cupsd runs it: as user lp when the tests run as
 * root) records a finished job in the fax service's archive — the spool the service made, owned
 * by lp, 0700 — with a transmission report PDF; `lpfax sent --json` and `lpfax report JOB` show
 * them. Every file it writes there is the spool owner's and private.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaxArchive } from '../../lib/archive/index.js';
import { CupsBackendStatus } from '../../lib/cups/backend.js';
import { startLineSim } from '../linesim/linesim.js';
import {
  backendUser,
  removeSandboxes,
  runBackend,
  sandbox,
  shareDevice,
  writeConfig,
} from '../backend/run-backend.js';

const LPFAX = join(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/lpfax.js');

afterAll(removeSandboxes);

/** chown -R, as install.sh gives the spool to the service's user. */
function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const f of readdirSync(path)) chownTree(join(path, f), uid, gid);
}

test('a sent job: its record and transmission report in the archive, listed by lpfax sent and lpfax report', async () => {
  const dir = sandbox();
  const spool = join(dir, 'spool');
  new FaxArchive({ spool }).close(); // the service made the archive
  const owner = backendUser ?? { uid: process.getuid!(), gid: process.getgid!() };
  chownTree(spool, owner.uid, owner.gid);
  const ps = join(dir, 'doc.ps');
  writeFileSync(ps, '%!PS\n/Helvetica findfont 28 scalefont setfont\n72 700 moveto (Hello) show showpage\n');
  const pdf = join(dir, 'doc.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  const config = writeConfig(
    dir,
    [`LockDir: ${dir}`, `SpoolDir: ${spool}`, 'Tagline: off', 'CoverPage: off', ''].join('\n'),
  );
  const sim = await startLineSim({ speed: 4, outDir: sandbox('lpfax-rx-') });
  shareDevice(sim.devicePath);
  try {
    const run = await runBackend({
      args: ['42', 'alice', 'Pharmacy@555-0100', '1', '', pdf],
      deviceUri: `fax:${sim.devicePath}`,
      env: { TMPDIR: sandbox('lpfax-tmp-'), LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
    });
    expect([run.code, run.of('ERROR'), run.of('WARNING')]).toEqual([CupsBackendStatus.OK, [], []]);
    expect(await sim.nextCall(30_000)).toMatchObject({ outcome: 'completed', pages: 1 });
  } finally {
    await sim.stop();
  }
  const listed = JSON.parse(
    (await execa(process.execPath, [LPFAX, 'sent', '--json', '--config', config])).stdout,
  );
  expect(listed).toEqual([
    expect.objectContaining({
      jobId: 42,
      user: 'alice',
      recipient: 'Pharmacy',
      number: '5550100',
      result: 'sent',
      pagesConfirmed: 1,
      pages: 1,
      remoteCsi: 'LINESIM',
      report: join(spool, 'sent', '1', 'report.pdf'),
    }),
  ]);
  expect(listed[0].bitRate).toBeGreaterThan(0);
  expect(listed[0].durationSeconds).toBeGreaterThan(0);
  const report = await execa(process.execPath, [LPFAX, 'report', '42', '--config', config]);
  expect(report.stdout).toBe(join(spool, 'sent', '1', 'report.pdf'));
  expect(readFileSync(report.stdout).subarray(0, 5).toString()).toBe('%PDF-');
  const text = await execa('pdftotext', [report.stdout, '-'], { reject: false });
  if (text.exitCode === 0) expect(text.stdout).toMatch(/LINESIM/);
  // Private and the spool owner's: folders 0700, files 0600.
  for (const p of [join(spool, 'sent'), join(spool, 'sent', '1')]) {
    const s = statSync(p);
    expect([p, s.mode & 0o777, s.uid]).toEqual([p, 0o700, owner.uid]);
  }
  for (const p of [report.stdout, join(spool, 'archive.db')]) {
    const s = statSync(p);
    expect([p, s.mode & 0o777, s.uid]).toEqual([p, 0o600, owner.uid]);
  }
  const missing = await execa(process.execPath, [LPFAX, 'report', '43', '--config', config], {
    reject: false,
  });
  expect([missing.exitCode, missing.stderr]).toEqual([
    1,
    'lpfax: job 43 has no transmission report in the archive.',
  ]);
}, 180_000);

test('a job to two recipients: one record each, with its own number and outcome (issue 18)', async () => {
  const dir = sandbox();
  const spool = join(dir, 'spool');
  new FaxArchive({ spool }).close();
  const owner = backendUser ?? { uid: process.getuid!(), gid: process.getgid!() };
  chownTree(spool, owner.uid, owner.gid);
  const pdf = join(dir, 'doc.pdf');
  const ps = join(dir, 'doc.ps');
  writeFileSync(ps, '%!PS\n/Helvetica findfont 28 scalefont setfont\n72 700 moveto (Hello) show showpage\n');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  const config = writeConfig(
    dir,
    [`LockDir: ${dir}`, `SpoolDir: ${spool}`, 'Tagline: off', 'CoverPage: off', ''].join('\n'),
  );
  const sim = await startLineSim({ speed: 4, outDir: sandbox('lpfax-rx-') });
  shareDevice(sim.devicePath);
  try {
    const run = await runBackend({
      args: ['44', 'alice', 'Pharmacy@555-0100;Clinic@555-0200', '1', '', pdf],
      deviceUri: `fax:${sim.devicePath}`,
      env: { TMPDIR: sandbox('lpfax-tmp-'), LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
    });
    expect([run.code, run.of('ERROR'), run.of('WARNING')]).toEqual([CupsBackendStatus.OK, [], []]);
    expect(await sim.nextCall(30_000)).toMatchObject({ outcome: 'completed', number: '5550100' });
    expect(await sim.nextCall(30_000)).toMatchObject({ outcome: 'completed', number: '5550200' });
    // PAGE: once per page each far end confirmed.
    expect(run.of('PAGE')).toEqual(['1 1', '1 1']);
  } finally {
    await sim.stop();
  }
  const listed = JSON.parse(
    (await execa(process.execPath, [LPFAX, 'sent', '--json', '--config', config])).stdout,
  ) as { jobId: number; recipient: string; number: string; result: string; pagesConfirmed: number }[];
  expect(
    listed
      .map(({ jobId, recipient, number, result, pagesConfirmed }) => ({
        jobId,
        recipient,
        number,
        result,
        pagesConfirmed,
      }))
      .sort((a, b) => a.number.localeCompare(b.number)),
  ).toEqual([
    { jobId: 44, recipient: 'Pharmacy', number: '5550100', result: 'sent', pagesConfirmed: 1 },
    { jobId: 44, recipient: 'Clinic', number: '5550200', result: 'sent', pagesConfirmed: 1 },
  ]);
}, 180_000);
