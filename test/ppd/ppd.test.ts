import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFaxSettings } from '../../lib/config/index.js';

const ppdPath = new URL('../../ppd/lpfax.ppd', import.meta.url).pathname;
const noConfig = { env: { LPFAX_CONFIG: undefined }, defaultConfigPath: '/nonexistent/lpfax.conf' };

describe('ppd/lpfax.ppd', () => {
  it('passes cupstestppd with no warning', () => {
    // cupstestppd exits non-zero on failure; warnings appear as WARN lines.
    const out = execFileSync('cupstestppd', ['-W', 'all', ppdPath], { encoding: 'utf8' });
    expect(out).toMatch(/: PASS/);
    expect(out).not.toMatch(/WARN|FAIL/);
  });

  it('declares a fax queue that receives PDF under a type of its own', () => {
    const text = readFileSync(ppdPath, 'latin1');
    expect(text).toMatch(/^\*cupsFax: True$/m);
    // Not application/pdf: pdftopdf (cups-filters) would then log the pages too (issue 18).
    expect(text).toMatch(/^\*cupsFilter2: "application\/vnd.cups-pdf application\/vnd.lpfax-pdf 0 -"$/m);
  });

  it('gives defaults that lib/config reads as the queue layer', () => {
    const r = loadFaxSettings({ ...noConfig, ppdPath });
    if (!r.ok) throw r.error;
    expect(r.value.settings.page).toEqual({
      paper: 'letter',
      resolution: 'fine',
      ecm: true,
      ecmFrameSize: 256,
      jbig: true,
    });
    expect(r.value.settings.coverPage.mode).toBe('auto');
  });

  it('leaves the cover page and ECM to lpfax.conf unless the queue or the job chooses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpfax-ppd-'));
    const conf = join(dir, 'lpfax.conf');
    writeFileSync(conf, 'CoverPage: off\nECM: off\n');
    const env = { env: { LPFAX_CONFIG: conf } };
    const withPpd = loadFaxSettings({ ...env, ppdPath });
    if (!withPpd.ok) throw withPpd.error;
    expect([withPpd.value.settings.coverPage.mode, withPpd.value.settings.page.ecm]).toEqual(['off', false]);
    // A queue made with lpadmin -o CoverPage=On, or a job's -o ECM=True, still wins.
    const queueOn = join(dir, 'queue.ppd');
    writeFileSync(
      queueOn,
      readFileSync(ppdPath, 'latin1').replace('*DefaultCoverPage: Config', '*DefaultCoverPage: On'),
    );
    const chosen = loadFaxSettings({
      ...env,
      ppdPath: queueOn,
      jobOptions: [{ name: 'ECM', value: 'True' }],
    });
    if (!chosen.ok) throw chosen.error;
    expect([chosen.value.settings.coverPage.mode, chosen.value.settings.page.ecm]).toEqual(['on', true]);
    // "As set in lpfax.conf" chosen for a job sets nothing either.
    const asConf = loadFaxSettings({
      ...env,
      ppdPath: queueOn,
      jobOptions: [{ name: 'CoverPage', value: 'Config' }],
    });
    if (!asConf.ok) throw asConf.error;
    expect(asConf.value.settings.coverPage.mode).toBe('on');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a job option choose any value the PPD offers', () => {
    const text = readFileSync(ppdPath, 'latin1');
    for (const [option, values] of [
      ['Resolution', ['204x98dpi', '204x196dpi', '204x391dpi']],
      ['PageSize', ['Letter', 'A4', 'Legal']],
      ['CoverPage', ['Config', 'Auto', 'On', 'Off']],
      ['ECM', ['Config', 'True', 'False']],
    ] as const) {
      for (const value of values) {
        expect(text).toMatch(new RegExp(`^\\*${option} ${value}/`, 'm'));
        const r = loadFaxSettings({ ...noConfig, ppdPath, jobOptions: [{ name: option, value }] });
        if (!r.ok) throw new Error(`${option}=${value}: ${r.error.message}`);
      }
    }
  });
});
