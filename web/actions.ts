/**
 * What the web page and its JSON API do, with the rules of who may do it (issue 16): every user
 * sees the inbox unless WebInbox is admins; a user sees and touches only their own CUPS jobs
 * (sent and held), an admin everyone's. Files are found by record id only; a path from the
 * archive is used only when it lies in that fax's own spool folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import {
  privateDir,
  type Contact,
  type FaxArchive,
  type ReceivedFax,
  type SentFax,
} from '../lib/archive/index.js';
import { IppError, type CupsClient, type CupsJob } from '../lib/ipp/index.js';
import { tiffToPngs } from '../lib/preview/png.js';
import type { User } from '../lib/users/index.js';

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** A regular file, not a link to one (lstat): all the page serves from the spool or caches there. */
export function isPlainFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes a file of the web page's in the spool (an image cached in a fax folder, a kept
 * document): a new private file (O_EXCL: never through a link), renamed over `path` (which
 * replaces a link there rather than following it).
 */
async function writeCached(path: string, data: Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.new`;
  try {
    await writeFile(temp, data, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

export class WebError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'WebError';
  }
}

export interface WebActionsOptions {
  archive: FaxArchive;
  /** The local cupsd and its fax queue; without it, sending and job lists are unavailable. */
  cups?: CupsClient | null;
  /** Who sees received faxes (WebInbox). */
  inbox?: 'all' | 'admins';
  /** Days a document sent from the page is kept for "Send again" (default 30). */
  keepDocumentsDays?: number;
}

export type Folder = 'inbox' | 'archived' | 'deleted';
export const FOLDERS: readonly Folder[] = ['inbox', 'archived', 'deleted'];

export interface Page<T> {
  items: T[];
  total: number;
}

/** The send form's choices, passed to the backend as job options (CoverPage, Resolution). */
export interface SendChoices {
  cover?: string;
  resolution?: string;
  /** The cover page's note (the backend's `fax-comments` option): one line, up to 255 bytes. */
  note?: string;
}

/** What the web page keeps of a job it submitted, so its owner can send it again. */
interface KeptJob {
  user: string;
  to: string;
  format: string;
  options: Record<string, string>;
}

export interface SentItem {
  job: CupsJob | null;
  record: SentFax | null;
}

/** The user a CUPS job belongs to: `DOMAIN\\ann` (a Windows client) is ann. */
export function jobOwner(job: CupsJob): string {
  return job.user.slice(job.user.lastIndexOf('\\') + 1);
}

/** What a document is, from its first bytes (never its name): PDF or PostScript only. */
export function sniffDocument(data: Buffer): 'application/pdf' | 'application/postscript' | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.subarray(0, 4).toString('latin1') === '%!PS') return 'application/postscript';
  return null;
}

/** A recipient as typed: `[Name@]number[#sub]`, printable, bounded, with at least one digit. */
export function checkRecipient(to: unknown): string {
  const text = typeof to === 'string' ? to.trim() : '';
  if (text === '' || text.length > 200 || CONTROL.test(text) || !/[0-9]/.test(text))
    throw new WebError(400, 'Give the recipient as a fax number or Name@number.');
  return text;
}

export class WebActions {
  readonly archive: FaxArchive;
  private readonly cupsClient: CupsClient | null;
  private readonly inbox: 'all' | 'admins';
  private readonly keepMs: number;

  constructor(o: WebActionsOptions) {
    this.archive = o.archive;
    this.keepMs = (o.keepDocumentsDays ?? 30) * 86_400_000;
    this.cupsClient = o.cups ?? null;
    this.inbox = o.inbox ?? 'all';
  }

  private get cups(): CupsClient {
    if (!this.cupsClient) throw new WebError(503, 'The fax queue is not reachable from the web page.');
    return this.cupsClient;
  }

  mayReadInbox(user: User): boolean {
    return this.inbox === 'all' || user.admin;
  }

  private checkInbox(user: User): void {
    if (!this.mayReadInbox(user)) throw new WebError(403, 'Only admins see received faxes here.');
  }

  /** A folder of received faxes; the bin (deleted, restorable until purged) is for admins. */
  receivedList(user: User, offset: number, limit: number, folder: Folder = 'inbox'): Page<ReceivedFax> {
    this.checkInbox(user);
    if (folder === 'deleted' && !user.admin) throw new WebError(403, 'Only admins see deleted faxes.');
    return {
      items: this.archive.listReceived({ folder, offset, limit }),
      total: this.archive.countReceived({ folder }),
    };
  }

  received(user: User, id: number): ReceivedFax {
    this.checkInbox(user);
    const fax = this.archive.received(id);
    if (!fax || fax.state !== 'done' || (fax.deletedAt && !user.admin))
      throw new WebError(404, 'No such fax.');
    return fax;
  }

  /** A file of the fax, only when it is in the fax's own folder. */
  private ownFile(fax: ReceivedFax, path: string | null): string {
    const folder = resolve(this.archive.layout.receivedDir(fax.id)) + sep;
    if (!path || !resolve(path).startsWith(folder) || !isPlainFile(path))
      throw new WebError(404, 'This fax has no such file.');
    return resolve(path);
  }

  pdfPath(user: User, id: number): string {
    const fax = this.received(user, id);
    const path = this.ownFile(fax, fax.pdf);
    if (!fax.read) this.archive.setRead(id, true);
    return path;
  }

  /** The first page as a PNG 160 pixels wide, made once and kept in the fax's folder. */
  async thumbnailPath(user: User, id: number): Promise<string> {
    const fax = this.received(user, id);
    const cached = join(this.archive.layout.receivedDir(fax.id), 'thumbnail.png');
    if (isPlainFile(cached)) return cached;
    const [png] = await tiffToPngs(this.ownFile(fax, fax.tiff), 160, 1);
    if (!png) throw new WebError(404, 'This fax has no page.');
    await writeCached(cached, png);
    return cached;
  }

  /** Page `n` (from 1) as a PNG 850 pixels wide, made once and kept in the fax's folder. */
  async pagePath(user: User, id: number, n: number): Promise<string> {
    const fax = this.received(user, id);
    if (n < 1 || n > fax.pages) throw new WebError(404, 'This fax has no such page.');
    const cached = join(this.archive.layout.receivedDir(fax.id), `page-${n}.png`);
    if (isPlainFile(cached)) return cached;
    const pngs = await tiffToPngs(this.ownFile(fax, fax.tiff), 850, n);
    const png = pngs[n - 1];
    if (!png) throw new WebError(404, 'This fax has no such page.');
    await writeCached(cached, png);
    return cached;
  }

  mark(user: User, id: number, what: 'read' | 'unread' | 'archive' | 'delete' | 'restore'): void {
    this.received(user, id);
    if (what === 'read' || what === 'unread') this.archive.setRead(id, what === 'read');
    else if (what === 'archive') this.archive.setArchived(id, true);
    else if (what === 'delete') this.archive.markDeleted(id);
    else if (user.admin) this.archive.restore(id);
    else throw new WebError(403, 'Only an admin restores a deleted fax.');
  }

  private visible(user: User, job: CupsJob): boolean {
    return user.admin || jobOwner(job) === user.name;
  }

  /** The user's jobs as CUPS has them now (newest first), each with its archive record if filed. */
  async sentList(user: User, offset: number, limit: number): Promise<Page<SentItem>> {
    const jobs = (await this.cups.jobs('all')).filter((j) => this.visible(user, j));
    const items = jobs.slice(offset, offset + limit).map((job) => ({
      job,
      record: this.archive.sentByJob(job.id) ?? null,
    }));
    return { items, total: jobs.length };
  }

  async heldList(user: User): Promise<Page<CupsJob>> {
    const held = (await this.cups.jobs('not-completed')).filter(
      (j) => j.state === 'held' && this.visible(user, j),
    );
    return { items: held, total: held.length };
  }

  /**
   * The job, when it is on the fax queue and the user may touch it; 404 alike for a missing job,
   * another user's and one on another queue of the same cupsd (a job id alone names any of them).
   */
  private async ownJob(user: User, id: number): Promise<CupsJob> {
    const job = await this.cups.job(id);
    if (!job || !this.cups.onQueue(job) || !this.visible(user, job)) throw new WebError(404, 'No such job.');
    return job;
  }

  /**
   * Submits to the fax queue as the user, with the recipient as job name (the same queue as lp):
   * one CUPS job per document, all checked before any is submitted. Each document is kept
   * (0600, in `<spool>/web/<job>/`) so that its owner can send it again.
   */
  async send(
    user: User,
    to: unknown,
    documents: Buffer | Buffer[],
    choices: SendChoices = {},
  ): Promise<number[]> {
    const recipient = checkRecipient(to);
    const docs = Array.isArray(documents) ? documents : [documents];
    if (docs.length === 0) throw new WebError(400, 'Attach a PDF or PostScript document.');
    if (docs.length > 10) throw new WebError(400, 'At most 10 documents at a time.');
    const formats = docs.map((d) => {
      const format = sniffDocument(d);
      if (!format) throw new WebError(415, 'Only PDF and PostScript documents can be sent.');
      return format;
    });
    const options: Record<string, string> = {};
    if (choices.cover !== undefined && choices.cover !== '') {
      if (!['on', 'off', 'auto'].includes(choices.cover))
        throw new WebError(400, 'Cover page: on, off or auto.');
      options.CoverPage = choices.cover;
    }
    if (choices.resolution !== undefined && choices.resolution !== '') {
      if (!['standard', 'fine', 'superfine'].includes(choices.resolution))
        throw new WebError(400, 'Resolution: standard, fine or superfine.');
      options.Resolution = choices.resolution;
    }
    const note = (choices.note ?? '').trim();
    if (note !== '') {
      // An IPP name value holds at most 255 octets (RFC 8011 §5.1.3).
      if (Buffer.byteLength(note) > 255 || CONTROL.test(note))
        throw new WebError(400, 'The cover note is one line of up to 255 bytes.');
      options['fax-comments'] = note;
    }
    const ids: number[] = [];
    for (const [i, document] of docs.entries()) {
      const id = await this.ipp(() =>
        this.cups.printJob(user.name, recipient, document, formats[i], options),
      );
      await this.keep(id, document, { user: user.name, to: recipient, format: formats[i], options });
      ids.push(id);
    }
    return ids;
  }

  private keptDir(jobId: number): string {
    return join(this.archive.layout.root, 'web', String(jobId));
  }

  /** Forgets the kept documents older than the keeping time (folders named by job id only). */
  pruneKept(now = Date.now()): void {
    const root = join(this.archive.layout.root, 'web');
    if (!existsSync(root)) return;
    for (const name of readdirSync(root)) {
      if (!/^[1-9][0-9]*$/.test(name)) continue;
      const dir = join(root, name);
      if (now - statSync(dir).mtimeMs > this.keepMs) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Whether the web page kept this job's document (so "Send again" can be offered). */
  resendable(jobId: number): boolean {
    return Number.isInteger(jobId) && jobId > 0 && existsSync(join(this.keptDir(jobId), 'job.json'));
  }

  private async keep(jobId: number, document: Buffer, job: KeptJob): Promise<void> {
    this.pruneKept();
    privateDir(join(this.archive.layout.root, 'web'));
    const dir = privateDir(this.keptDir(jobId));
    await writeCached(join(dir, 'document'), document);
    await writeCached(join(dir, 'job.json'), Buffer.from(JSON.stringify(job)));
  }

  /**
   * Sends a job submitted from the web page again, as its original owner (so it stays in their
   * sent list), with the same recipient, document and options; for the owner or an admin.
   */
  async resend(user: User, jobId: number): Promise<number> {
    const dir = this.keptDir(jobId);
    let job: KeptJob;
    let document: Buffer;
    try {
      job = JSON.parse(await readFile(join(dir, 'job.json'), 'utf8')) as KeptJob;
      document = await readFile(join(dir, 'document'));
    } catch {
      throw new WebError(404, 'This job was not sent from the web page, so it cannot be sent again.');
    }
    if (!user.admin && job.user !== user.name) throw new WebError(404, 'No such job.');
    const format = sniffDocument(document);
    if (!format) throw new WebError(404, 'No such job.');
    const id = await this.ipp(() => this.cups.printJob(job.user, job.to, document, format, job.options));
    await this.keep(id, document, { ...job, format });
    return id;
  }

  /** A sent job's transmission report (a PDF in the archive's sent folder), for its owner. */
  async reportPath(user: User, jobId: number): Promise<string> {
    const record = this.archive.sentByJob(jobId);
    if (!record || (!user.admin && record.user.slice(record.user.lastIndexOf('\\') + 1) !== user.name))
      throw new WebError(404, 'No such job.');
    const folder = resolve(this.archive.layout.sentRoot) + sep;
    if (!record.report || !resolve(record.report).startsWith(folder) || !isPlainFile(record.report))
      throw new WebError(404, 'This job has no transmission report.');
    return resolve(record.report);
  }

  async release(user: User, id: number, to: unknown): Promise<void> {
    const recipient = checkRecipient(to);
    const job = await this.ownJob(user, id);
    if (job.state !== 'held') throw new WebError(409, 'This job is not held.');
    await this.ipp(() => this.cups.releaseWithNumber(id, job.user, recipient));
  }

  async cancel(user: User, id: number): Promise<void> {
    const job = await this.ownJob(user, id);
    if (!['pending', 'held', 'processing', 'stopped'].includes(job.state))
      throw new WebError(409, 'This job has ended already.');
    await this.ipp(() => this.cups.cancel(id, job.user));
  }

  private async ipp<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof IppError) throw new WebError(502, `CUPS refused: ${e.message}`);
      throw e;
    }
  }

  contacts(offset: number, limit: number): Page<Contact> {
    return { items: this.archive.listContacts({ offset, limit }), total: this.archive.countContacts() };
  }

  /** The address book as CSV (RFC 4180): name,number,note with a header line. */
  contactsCsv(): string {
    const cell = (v: string) => {
      // A leading = + - @ would be a formula to a spreadsheet: quote it as text.
      const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const rows = this.archive
      .listContacts({ limit: 100_000 })
      .map((c) => [c.name, c.number, c.note].map(cell).join(','));
    return ['name,number,note', ...rows].join('\r\n') + '\r\n';
  }

  /** Adds the rows of a CSV (name,number[,note]; a header line is skipped), all or none. */
  importContactsCsv(text: string): number {
    const rows = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ''));
    if (rows.length > 0 && rows[0][0]?.trim().toLowerCase() === 'name') rows.shift();
    if (rows.length > 10_000) throw new WebError(413, 'At most 10 000 contacts at a time.');
    return this.archive.transaction(() => {
      rows.forEach((r, i) => {
        try {
          this.addContact({ name: r[0], number: r[1], note: r[2] ?? '' });
        } catch (e) {
          if (e instanceof WebError) throw new WebError(400, `Line ${i + 1}: ${e.message}`);
          throw e;
        }
      });
      return rows.length;
    });
  }

  addContact(input: { name?: unknown; number?: unknown; note?: unknown }): Contact {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    const note = typeof input.note === 'string' ? input.note.trim() : '';
    if (name === '' || name.length > 100 || CONTROL.test(name) || /[@;]/.test(name))
      throw new WebError(400, 'Give a name (up to 100 characters, no @ or ;).');
    const number = checkRecipient(input.number);
    if (note.length > 500) throw new WebError(400, 'The note is longer than 500 characters.');
    return this.archive.addContact({ name, number, note });
  }
}

/** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
