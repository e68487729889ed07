/**
 * lpfax.conf keys whose effect only shows on a call, and the T.30 subaddress, proved with the
 * backend run as cupsd runs it against the simulated line: SubaddressFallback (and `#subaddress`
 * in the title), LogLevel and ModemClass (MaxRetrains: test/conformance/maxretrains.test.ts).
 * Each test fails if its key is ignored.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CupsBackendStatus } from '../../lib/cups/backend.js';
import { startLineSim, type LineSim, type LineSimOptions } from '../linesim/linesim.js';
import { removeSandboxes, runBackend, sandbox, shareDevice, writeConfig } from './run-backend.js';

const SPEED = 3;
let pdf: string;

async function withLine<T>(options: LineSimOptions, body: (sim: LineSim) => Promise<T>): Promise<T> {
  const sim = await startLineSim({ speed: SPEED, outDir: sandbox('lpfax-rx-'), ...options });
  shareDevice(sim.devicePath);
  try {
    return await body(sim);
  } finally {
    await sim.stop();
  }
}

/** One backend run of a one-page job to `title`, with lpfax.conf holding `keys` (and its own LockDir). */
function send(sim: LineSim, title: string, keys: string[]) {
  const dir = sandbox();
  const config = writeConfig(
    dir,
    [`LockDir: ${dir}`, `SpoolDir: ${dir}/spool`, 'Tagline: off', 'CoverPage: off', ...keys, ''].join('\n'),
  );
  return runBackend({
    args: ['9', 'alice', title, '1', '', pdf],
    deviceUri: `fax:${sim.devicePath}`,
    env: { TMPDIR: sandbox('lpfax-tmp-'), LPFAX_CONFIG: config, LPFAX_STATE_DIR: join(dir, 'state') },
  });
}

beforeAll(() => {
  const dir = sandbox();
  const ps = join(dir, 'doc.ps');
  writeFileSync(
    ps,
    '%!PS\n/Helvetica findfont 28 scalefont setfont 72 700 moveto (For desk 1234) show showpage\n',
  );
  pdf = join(dir, 'doc.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
});

afterAll(removeSandboxes);

describe('subaddress (Name@number#subaddress)', () => {
  it('reaches a far end that offers subaddressing exactly as typed (LogLevel debug shows the SUB frame)', async () => {
    await withLine({ subaddress: true }, async (sim) => {
      const result = await send(sim, 'Desk@555-0100#1234', ['LogLevel: debug']);
      expect(result.of('ERROR')).toEqual([]);
      expect(result.code).toBe(CupsBackendStatus.OK);
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ outcome: 'completed', pages: 1, subaddress: '1234' });
      // LogLevel debug: the T.30 frames, SUB ("1234" reversed, FCF C3 with the X bit) among them.
      expect(result.of('DEBUG')).toContainEqual(expect.stringContaining('ff 03 c3 34 33 32 31 20'));
    });
  });

  it('holds the job, with one sentence, when the far end does not offer it (SubaddressFallback fail)', async () => {
    await withLine({ subaddress: false }, async (sim) => {
      const result = await send(sim, 'Desk@555-0100#1234', []);
      expect(result.code).toBe(CupsBackendStatus.HOLD);
      expect(result.of('ERROR')).toEqual([
        'The far end does not accept a subaddress, so the fax was not sent: it could reach the wrong desk. ' +
          'Send it without the #subaddress, or set SubaddressFallback: send-without.',
      ]);
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ pages: 0, subaddress: null });
      expect(call.outcome).not.toBe('completed');
      // LogLevel info (the default): status lines, but no DEBUG: lines.
      expect(result.of('INFO')).toContain('Dialing Desk (5550100)…');
      expect(result.of('DEBUG')).toEqual([]);
    });
  });

  it('sends without it, and warns, with SubaddressFallback send-without (LogLevel warning: no INFO lines)', async () => {
    await withLine({ subaddress: false }, async (sim) => {
      const result = await send(sim, 'Desk@555-0100#1234', [
        'SubaddressFallback: send-without',
        'LogLevel: warning',
      ]);
      expect(result.code).toBe(CupsBackendStatus.OK);
      const call = await sim.nextCall(30_000);
      expect(call).toMatchObject({ outcome: 'completed', pages: 1, subaddress: null });
      expect(result.of('WARNING')).toEqual([
        'The far end does not accept a subaddress: sending without #1234 (SubaddressFallback).',
      ]);
      expect(result.of('INFO')).toEqual([]);
      expect(result.of('DEBUG')).toEqual([]);
      expect(result.of('PAGE')).toEqual(['1 1']); // not a message: every LogLevel writes it
    });
  });
});

describe('LogLevel, ModemClass', () => {
  it('LogLevel error writes the failure and nothing chattier', async () => {
    await withLine({ subaddress: false }, async (sim) => {
      const result = await send(sim, 'Desk@555-0100#1234', ['LogLevel: error']);
      expect(result.code).toBe(CupsBackendStatus.HOLD);
      expect(result.of('ERROR')).toHaveLength(1);
      expect(result.lines.filter((l) => /^(INFO|WARNING|DEBUG): /.test(l))).toEqual([]);
    });
  });

  it('ModemClass selects +FCLASS=1 or +FCLASS=1.0 for the call', async () => {
    for (const modemClass of ['1', '1.0']) {
      await withLine({}, async (sim) => {
        const result = await send(sim, '555-0100', [`ModemClass: ${modemClass}`, 'LogLevel: debug']);
        expect(result.code).toBe(CupsBackendStatus.OK);
        expect(result.of('DEBUG').filter((l) => l.startsWith('> AT+FCLASS='))).toEqual([
          `> AT+FCLASS=${modemClass}`,
          '> AT+FCLASS=?',
        ]);
      });
    }
  });
});
