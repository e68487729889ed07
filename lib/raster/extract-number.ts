/**
 * A fax number written in the document itself.
 *
 * Windows and IPP clients send the document's title as the job name, so the user cannot always
 * address the fax there. Instead the recipient may be written in the document's text, in one of two
 * forms:
 *
 *   ###Name@+1 555 0100###       between triple hashes, anywhere in a line (as Winprint HylaFAX);
 *                                the name is optional: ###5550100###
 *   Fax: Name@+1 555 0100        a line starting with "Fax:" (any case); the name and the @ are
 *                                required here, so that a letterhead's "Fax: 555 0101" (the
 *                                sender's own number) is never taken for the recipient
 *
 * The value must contain a digit; it ends at the end of the line or at a wide gap (three blanks or
 * more: txtwrite's way of showing text further right on the same line). The hash form wins over
 * the Fax: form; the first match on the first pages wins. The raw recipient string is returned as written
 * (`Name@+1 555 0100`); lib/recipient parses its grammar. Text comes from Ghostscript's txtwrite
 * device, run like every other step: -dSAFER, a timeout, optionally as an unprivileged user.
 */
import { chown, copyFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sniffFormat } from './document.js';
import { RasterError } from './errors.js';
import { makeWorkFolder, removeWorkFolder, runGhostscript, SAFE_ARGS } from './ghostscript.js';

export interface ExtractOptions {
  /** Pages searched from the first; default 2. */
  readonly pages?: number;
  /** Default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly uid?: number;
  readonly gid?: number;
  readonly ghostscript?: string;
  readonly tmpdir?: string;
}

const HASH_FORM = /###[ \t]*([^#\r\n]*?\d[^#\r\n]*?)[ \t]*###/g;
const FAX_LINE_FORM = /^[ \t]*fax[ \t]*:[ \t]*(.*)$/gim;

/** The recipient written in a text, or undefined: `###…###` anywhere, else a `Fax: Name@number` line. */
export function findFaxNumberInText(text: string): string | undefined {
  for (const match of text.matchAll(HASH_FORM)) {
    const value = match[1]!.split(/\s{3,}/)[0]!.trim();
    if (/\d/.test(value)) return value.replace(/\s+/g, ' ');
  }
  for (const match of text.matchAll(FAX_LINE_FORM)) {
    const value = match[1]!.trim().split(/\s{3,}/)[0]!;
    if (/^[^@]+@.*\d/.test(value)) return value.replace(/\s+/g, ' ');
  }
  return undefined;
}

/** Look for a recipient in the text of the document's first pages; undefined when there is none. */
export async function extractFaxNumberFromDocument(
  file: string,
  options: ExtractOptions = {},
): Promise<string | undefined> {
  const format = await sniffFormat(file);
  const owner = { uid: options.uid, gid: options.gid };
  const workdir = await makeWorkFolder(options.tmpdir ?? os.tmpdir(), 'lpfax-text-', owner);
  try {
    const owned = options.uid !== undefined || options.gid !== undefined;
    const copy = path.join(workdir, format === 'pdf' ? 'document.pdf' : 'document.ps');
    await copyFile(file, copy);
    if (owned) await chown(copy, options.uid ?? -1, options.gid ?? -1);
    const text = path.join(workdir, 'text.txt');
    await runGhostscript(
      [
        ...SAFE_ARGS,
        '-sstdout=%stderr',
        '-sDEVICE=txtwrite',
        '-dFirstPage=1',
        `-dLastPage=${Math.max(1, options.pages ?? 2)}`,
        `-sOutputFile=${text}`,
        copy,
      ],
      {
        executable: options.ghostscript,
        timeoutMs: options.timeoutMs ?? 30_000,
        signal: options.signal,
        uid: options.uid,
        gid: options.gid,
        cwd: workdir,
        step: 'reading the text',
      },
    );
    const content = await readFile(text, 'utf8').catch(() => '');
    return findFaxNumberInText(content);
  } catch (error) {
    if (error instanceof RasterError) throw error;
    throw new RasterError(
      'unreadable',
      `The document's text could not be read (${(error as Error).message}).`,
    );
  } finally {
    await removeWorkFolder(workdir);
  }
}
