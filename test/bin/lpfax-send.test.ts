/**
 * `lpfax send` (dist/bin/lpfax.js) over the simulated line: its progress lines come from the
 * engine's structured events, and a failure prints its kind and the table's sentence, with the
 * table's exit status.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAILURE_TABLE, LpfaxExit } from '../../lib/failure/index.js';
import { startLineSim, type LineSimOptions } from '../linesim/linesim.js';

const lpfax = new URL('../../dist/bin/lpfax.js', import.meta.url).pathname;
let dir: string;
let pdf: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-cli-'));
  const ps = join(dir, 'doc.ps');
  writeFileSync(
    ps,
    '%!PS\n/Helvetica findfont 28 scalefont setfont\n72 700 moveto (One) show showpage\n' +
      '72 700 moveto (Two) show showpage\n72 700 moveto (Three) show showpage\n',
  );
  pdf = join(dir, 'doc.pdf');
  execFileSync('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  writeFileSync(join(dir, 'lpfax.conf'), `LockDir: ${dir}\nSpoolDir: ${dir}/spool\nTagline: off\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `lpfax send` to 555-0100 on a simulated line with these faults. */
async function send(line: LineSimOptions, file = pdf): Promise<{ code: number; lines: string[] }> {
  const sim = await startLineSim({ speed: 4, ...line });
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [lpfax, 'send', '--device', sim.devicePath, '--to', '555-0100', '--no-cover', file],
        { env: { ...process.env, LPFAX_CONFIG: join(dir, 'lpfax.conf') }, timeout: 90_000 },
        (err, _stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          if (err && typeof err.code !== 'number') reject(err);
          else resolve({ code, lines: stderr.split('\n').filter(Boolean) });
        },
      );
    });
  } finally {
    await sim.stop();
  }
}

describe('lpfax send', () => {
  it('shows each step from the structured events and exits 0', async () => {
    const { code, lines } = await send({});
    expect(code).toBe(LpfaxExit.OK);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Dialing 5550100…',
        'Sending page 1 of 3',
        'Sending page 3 of 3',
        expect.stringMatching(/^Connected at \d+ bit\/s, (ECM, )?fine — sending to 5550100$/),
        expect.stringMatching(/^Delivered 3 pages to 5550100 in \d+ s$/),
      ]),
    );
  }, 120_000);

  it('names the far end hanging up during page 2 and exits with its status', async () => {
    const { code, lines } = await send({ hangupAfterPage: 2 });
    expect(code).toBe(FAILURE_TABLE['remote-disconnected'].lpfax);
    expect(lines.slice(-1)).toEqual([
      'lpfax: remote-disconnected: The far end hung up during page 2, after confirming 1 of 3 pages; try again later.',
    ]);
  }, 120_000);

  it('says a busy line is busy', async () => {
    const { code, lines } = await send({ busy: true });
    expect(code).toBe(FAILURE_TABLE.busy.lpfax);
    expect(lines.slice(-1)).toEqual(['lpfax: busy: The line is busy; try again later.']);
  }, 120_000);

  it('exits with the bad-document status for a file that is not a document', async () => {
    const junk = join(dir, 'junk.pdf');
    writeFileSync(junk, '%PDF-1.4\n this is not a PDF at all \n%%EOF\n');
    const { code, lines } = await send({}, junk);
    expect(code).toBe(LpfaxExit.BAD_DOCUMENT);
    expect(lines.slice(-1)[0]).toMatch(/^lpfax: bad-document: .*\.$/);
  }, 120_000);
});
