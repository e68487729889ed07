import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
    });
    expect(r.value.settings.coverPage.mode).toBe('auto');
  });

  it('lets a job option choose any value the PPD offers', () => {
    const text = readFileSync(ppdPath, 'latin1');
    for (const [option, values] of [
      ['Resolution', ['204x98dpi', '204x196dpi', '204x391dpi']],
      ['PageSize', ['Letter', 'A4', 'Legal']],
      ['CoverPage', ['Auto', 'On', 'Off']],
      ['ECM', ['True', 'False']],
    ] as const) {
      for (const value of values) {
        expect(text).toMatch(new RegExp(`^\\*${option} ${value}/`, 'm'));
        const r = loadFaxSettings({ ...noConfig, ppdPath, jobOptions: [{ name: option, value }] });
        if (!r.ok) throw new Error(`${option}=${value}: ${r.error.message}`);
      }
    }
  });
});
