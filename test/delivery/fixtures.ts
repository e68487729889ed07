/** A received fax in a private archive, with a real PDF made by Ghostscript. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaxArchive, type ReceiveFinish, type ReceivedFax } from '../../lib/archive/index.js';

export interface Scratch {
  dir: string;
  archive: FaxArchive;
  remove(): void;
}

export function scratchArchive(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-delivery-'));
  const archive = new FaxArchive({ spool: join(dir, 'spool') });
  return {
    dir,
    archive,
    remove() {
      archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PDF with `pages` pages, each showing "page N". */
export function makePdf(path: string, pages: number): void {
  execFileSync('gs', [
    '-q',
    '-dNOPAUSE',
    '-dBATCH',
    '-dSAFER',
    '-sDEVICE=pdfwrite',
    '-sPAPERSIZE=a4',
    `-sOutputFile=${path}`,
    '-c',
    `/Helvetica findfont 40 scalefont setfont 1 1 ${pages} { 100 400 moveto (page ) show 3 string cvs show showpage } for`,
  ]);
}

export function fileFax(
  archive: FaxArchive,
  facts: Partial<ReceiveFinish> & { pages: number; callerId?: string },
): ReceivedFax {
  const call = archive.beginReceive({
    startedAt: new Date(Date.UTC(2026, 11, 7, 9, 30, 5)),
    callerId: facts.callerId ?? '5550100',
  });
  const pdf = join(call.dir, 'fax.pdf');
  makePdf(pdf, facts.pages);
  return archive.finishReceive(call.id, {
    result: 'received',
    remoteId: '+1 555 0100',
    bitRate: 14400,
    coding: 'MMR',
    ecm: true,
    resolution: 'fine',
    durationSeconds: 42,
    pdf,
    ...facts,
  });
}

export function pdfPages(path: string): number {
  const info = execFileSync('pdfinfo', [path]).toString();
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}
