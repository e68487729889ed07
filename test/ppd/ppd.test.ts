import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parsePpdDefaults, readPpdDefaults } from '../../lib/cups/ppd.js';

const ppdPath = new URL('../../ppd/lpfax.ppd', import.meta.url).pathname;

describe('ppd/lpfax.ppd', () => {
  it('passes cupstestppd with no warning', () => {
    // cupstestppd exits non-zero on failure; warnings appear as WARN lines.
    const out = execFileSync('cupstestppd', ['-W', 'all', ppdPath], { encoding: 'utf8' });
    expect(out).toMatch(/: PASS/);
    expect(out).not.toMatch(/WARN|FAIL/);
  });

  it('declares a fax queue that receives PDF', () => {
    const text = readFileSync(ppdPath, 'latin1');
    expect(text).toMatch(/^\*cupsFax: True$/m);
    expect(text).toMatch(/^\*cupsFilter2: "application\/vnd.cups-pdf application\/pdf 0 -"$/m);
  });

  it('gives the queue defaults the backend reads', async () => {
    expect(await readPpdDefaults(ppdPath)).toEqual({
      PageSize: 'Letter',
      Resolution: '204x196dpi',
      FaxCover: 'Auto',
      FaxTagline: 'True',
      FaxECM: 'True',
    });
  });

  it('reads an administrator’s changed defaults and ignores other keywords', () => {
    const text =
      '*DefaultResolution: 204x98dpi\r\n*DefaultPageSize: A4\n*DefaultFont: Courier\n*Default: x\n';
    expect(parsePpdDefaults(text)).toEqual({ Resolution: '204x98dpi', PageSize: 'A4' });
  });

  it('gives no defaults when there is no PPD', async () => {
    expect(await readPpdDefaults(undefined)).toEqual({});
    expect(await readPpdDefaults('/nonexistent/lpfax.ppd')).toEqual({});
  });
});
