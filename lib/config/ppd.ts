/**
 * The queue's PPD defaults (`*DefaultResolution: fine`), the PPD half of the queue layer.
 * Only `*Default<Keyword>: value` lines are read (PPD 4.3 §5.2 main keywords with the `Default`
 * prefix); lpfax uses those whose keyword is one of its job option names.
 */

import { readFileSync } from 'node:fs';

import { ConfigError, fail, ok, type Result } from './errors.js';
import type { PpdDefault } from './layers.js';

/** The `*Default…` lines of PPD text. */
export function ppdDefaults(text: string): PpdDefault[] {
  const out: PpdDefault[] = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\*Default([A-Za-z0-9_.-]+)\s*:\s*"?([^"\r]*?)"?\s*$/.exec(raw.replace(/\r$/, ''));
    if (m) out.push({ keyword: m[1], value: m[2], line: i + 1 });
  });
  return out;
}

/** Read a PPD file's defaults; the scheduler sets `PPD` for the backend. */
export function readPpdDefaults(path: string): Result<{ file: string; defaults: PpdDefault[] }> {
  try {
    return ok({ file: path, defaults: ppdDefaults(readFileSync(path, 'latin1')) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const kind = code === 'ENOENT' ? 'missing-file' : 'unreadable-file';
    return fail(
      new ConfigError(kind, 'queue', path, undefined, undefined, `the queue's PPD cannot be read (${code})`),
    );
  }
}
