/**
 * The cover page: a PostScript template (lib/cover/cover.ps beside this file, replaceable by the
 * administrator with CoverTemplate) whose @@FIELD@@ placeholders become PostScript hex strings. Hex strings (PLRM §3.2.2) hold only
 * hexadecimal digits, so no job title, subject or comment can close the string and run code.
 * lib/raster renders the result like any other document, as the first page of the fax.
 */
import { readFile } from 'node:fs/promises';
import type { Paper } from '../itu/page.js';
import { postScriptHexString } from '../raster/ghostscript.js';
import { PAPER_INCHES } from '../raster/paper.js';

export interface CoverFields {
  toName: string;
  toNumber: string;
  fromName: string;
  fromOrganisation: string;
  fromFax: string;
  fromVoice: string;
  date: string;
  /** Every page sent, the cover included. */
  pages: number;
  subject: string;
  comments: string;
  /** A confidentiality notice (clinics and pharmacies need one), or empty. */
  notice: string;
}

/** Paper size in PostScript points. */
export interface PaperPoints {
  width: number;
  height: number;
}

/** A paper's size in PostScript points (1/72 in). */
export function paperPoints(paper: Paper): PaperPoints {
  return { width: PAPER_INCHES[paper].width * 72, height: PAPER_INCHES[paper].height * 72 };
}

export const DEFAULT_COVER_TEMPLATE = new URL('./cover.ps', import.meta.url).pathname;

/** Fills the template. Unknown placeholders are an error, so a broken template fails loudly. */
export function fillCoverTemplate(template: string, fields: CoverFields, paper: PaperPoints): string {
  const values: Record<string, string> = {
    TO_NAME: postScriptHexString(fields.toName),
    TO_NUMBER: postScriptHexString(fields.toNumber),
    FROM_NAME: postScriptHexString(fields.fromName),
    FROM_ORG: postScriptHexString(fields.fromOrganisation),
    FROM_FAX: postScriptHexString(fields.fromFax),
    FROM_VOICE: postScriptHexString(fields.fromVoice),
    DATE: postScriptHexString(fields.date),
    PAGES: postScriptHexString(String(fields.pages)),
    SUBJECT: postScriptHexString(fields.subject),
    COMMENTS: postScriptHexString(fields.comments),
    NOTICE: postScriptHexString(fields.notice),
    PAGEWIDTH: String(Math.round(paper.width)),
    PAGEHEIGHT: String(Math.round(paper.height)),
  };
  return template.replace(/@@([A-Z_]+)@@/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`cover page template: unknown field @@${name}@@`);
    return value;
  });
}

export async function renderCoverPage(
  fields: CoverFields,
  paper: PaperPoints,
  templatePath = DEFAULT_COVER_TEMPLATE,
): Promise<string> {
  return fillCoverTemplate(await readFile(templatePath, 'latin1'), fields, paper);
}
