/**
 * Recovery at start: a call cut off by a crash, power loss or SIGKILL left a record in state
 * `receiving` and a folder with the pages the receiver had synced. Those pages were confirmed to
 * the caller (MCF), so they are filed as a partial fax; a call that got no page is filed as
 * `interrupted` with no files.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FaxArchive } from './archive.js';
import type { ReceivedFax } from './records.js';

/**
 * The pages of a TIFF whose writer may have been killed: follows the IFD chain (TIFF 6.0 §2) and
 * stops at the first IFD that is not wholly in the file. lib/fax's writer links a page's IFD only
 * after its data is synced, so every linked page is whole.
 */
export function tiffPageCount(path: string): number {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return 0;
  }
  if (data.length < 8) return 0;
  const order = data.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 0;
  const le = order === 'II';
  const u16 = (at: number) => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  if (u16(2) !== 42) return 0;
  const seen = new Set<number>();
  let pages = 0;
  for (let ifd = u32(4); ifd !== 0 && !seen.has(ifd);) {
    seen.add(ifd);
    if (ifd + 2 > data.length) break;
    const end = ifd + 2 + u16(ifd) * 12 + 4;
    if (end > data.length) break;
    pages++;
    ifd = u32(end - 4);
  }
  return pages;
}

/** A PDF is whole when it ends with its %%EOF marker (ISO 32000-1 §7.5.5). */
export function pdfIsComplete(path: string): boolean {
  try {
    const size = statSync(path).size;
    const tail = readFileSync(path)
      .subarray(Math.max(0, size - 32))
      .toString('latin1');
    return /%%EOF\s*$/.test(tail);
  } catch {
    return false;
  }
}

export interface RecoverOptions {
  /** Makes a PDF from the kept TIFF pages (lib/pdf); without it a partial fax has no PDF. */
  rebuildPdf?: (tiffPath: string, dir: string) => Promise<string | null>;
  now?: Date;
  /** Mark each partial fax's delivery due (a call with no page is never delivered). */
  deliver?: boolean;
}

/** Files every receive left in progress; returns the records as filed. */
export async function recoverReceives(
  archive: FaxArchive,
  options: RecoverOptions = {},
): Promise<ReceivedFax[]> {
  const filed: ReceivedFax[] = [];
  for (const call of archive.receivesInProgress()) {
    const dir = archive.layout.receivedDir(call.id);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // The kill came between the record and the folder.
    }
    const tiffName = names.find((n) => n.endsWith('.tif') || n.endsWith('.tiff'));
    const tiff = tiffName ? join(dir, tiffName) : null;
    const pages = tiff ? tiffPageCount(tiff) : 0;
    const now = options.now ?? new Date();
    if (pages === 0) {
      rmSync(dir, { recursive: true, force: true });
      filed.push(
        archive.finishReceive(call.id, {
          result: 'interrupted',
          pages: 0,
          finishedAt: now,
          failureSentence: 'The call was cut off before the first page.',
        }),
      );
      continue;
    }
    const pdfName = names.find((n) => n.endsWith('.pdf'));
    let pdf = pdfName && pdfIsComplete(join(dir, pdfName)) ? join(dir, pdfName) : null;
    // A PDF cut off mid-write may lack pages the TIFF has: rebuild it when we can.
    if (options.rebuildPdf) pdf = (await options.rebuildPdf(tiff!, dir)) ?? pdf;
    filed.push(
      archive.finishReceive(call.id, {
        result: 'partial',
        pages,
        finishedAt: now,
        tiff,
        pdf,
        deliver: options.deliver,
        failureSentence: `The call was cut off; ${pages} page${pages === 1 ? ' was' : 's were'} kept.`,
      }),
    );
  }
  return filed;
}
