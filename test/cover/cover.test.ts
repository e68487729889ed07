import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillCoverTemplate, renderCoverPage, type CoverFields } from '../../lib/cover/cover.js';
import { postScriptHexString } from '../../lib/raster/ghostscript.js';

const letter = { width: 612, height: 792 };
const fields: CoverFields = {
  toName: 'Main Street Pharmacy',
  toNumber: '+1 415 555 1212',
  fromName: 'Dr. Zoë Müller',
  fromOrganisation: 'Riverside Clinic',
  fromFax: '+1 415 555 0100',
  fromVoice: '+1 415 555 0101',
  date: '2026-11-27 10:15',
  pages: 4,
  subject: 'Prescription renewal',
  comments:
    'Please renew the attached prescriptions for the patients listed below and call us when they are ready for pick-up. Thank you for your help with this.',
  notice: 'CONFIDENTIAL: this fax is for the named recipient only.',
};

/** Renders PostScript with the real Ghostscript and returns the text it shows. */
function textOf(postScript: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-cover-'));
  try {
    const file = join(dir, 'cover.ps');
    writeFileSync(file, postScript, 'latin1');
    // txtwrite reports Helvetica's hyphen as U+2212 MINUS SIGN.
    return execFileSync(
      'gs',
      ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=txtwrite', '-sOutputFile=-', file],
      {
        encoding: 'utf8',
      },
    ).replace(/\u2212/g, '-');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('cover page', () => {
  it('shows every field on one page', async () => {
    const text = textOf(await renderCoverPage(fields, letter));
    for (const s of [
      'Main Street Pharmacy',
      '+1 415 555 1212',
      'Dr. Zoë Müller',
      'Riverside Clinic',
      '+1 415 555 0101',
      '2026-11-27 10:15',
      'Prescription renewal',
      'CONFIDENTIAL: this fax is for the named recipient only.',
      'including this cover page',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toMatch(/Pages:\s+4/);
    // The comment is wrapped onto more than one line, and no word is lost.
    const commentLines = text.split('\n').filter((l) => /prescriptions|pick-up|Thank you/.test(l));
    expect(commentLines.length).toBeGreaterThan(1);
    expect(text.replace(/\s+/g, ' ')).toContain('Thank you for your help with this.');
  });

  it('never lets job text run as PostScript', () => {
    const evil = { ...fields, toName: 'x) show (y) = quit (', subject: '> <41> showpage %' };
    // `=` prints its operand: the job text comes out as the very string it was, never run.
    const text = textOf(fillCoverTemplate('@@TO_NAME@@ = @@SUBJECT@@ =\n', evil, letter));
    expect(text).toBe('x) show (y) = quit (\n> <41> showpage %\n');
    const ps = fillCoverTemplate('@@TO_NAME@@ @@SUBJECT@@', evil, letter);
    expect(ps).toMatch(/^<[0-9a-f]+> <[0-9a-f]+>$/);
  });

  it('encodes text as Latin-1 hex, replacing what Latin-1 cannot hold', () => {
    expect(postScriptHexString('Aé\n€')).toBe('<41e9203f>');
    expect(postScriptHexString('')).toBe('<>');
  });

  it('rejects a template with an unknown field', () => {
    expect(() => fillCoverTemplate('@@TO_NAME@@ @@TO_EMAIL@@', fields, letter)).toThrow(/@@TO_EMAIL@@/);
  });
});
