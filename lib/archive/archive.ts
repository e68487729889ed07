/**
 * The archive: the records of every fax received and sent, in an embedded SQLite database beside
 * the files in the spool. The only module in lpfax that speaks SQL.
 *
 * better-sqlite3 is synchronous: each change is one prepared statement or one transaction, so a
 * kill at any instant leaves either the whole change or none of it (WAL, synchronous=FULL).
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import type {
  Contact,
  DeliveryRecord,
  ReceiveFinish,
  ReceiveInProgress,
  ReceiveStart,
  ReceivedFax,
  ReceivedListOptions,
  SentFax,
  SentFaxInput,
  SentListOptions,
} from './records.js';
import { recoverReceives, type RecoverOptions } from './recover.js';
import { MIGRATIONS } from './schema.js';
import { SpoolLayout, privateDir, privateFile } from './spool.js';

export interface FaxArchiveOptions {
  /** The spool folder (default /var/spool/lpfax). */
  spool?: string;
  /** How long a writer waits for another process' lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

const MAX_LIMIT = 500;

function ms(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}
function date(value: unknown): Date | null {
  return typeof value === 'number' ? new Date(value) : null;
}
function bool(value: unknown): boolean | null {
  return value === null || value === undefined ? null : value === 1;
}
function flag(value: boolean | null | undefined): number | null {
  return value === null || value === undefined ? null : value ? 1 : 0;
}
function seconds(durationMs: unknown): number | null {
  return typeof durationMs === 'number' ? durationMs / 1000 : null;
}
function durationMs(seconds: number | null | undefined): number | null {
  return typeof seconds === 'number' ? Math.round(seconds * 1000) : null;
}
function page(options: { offset?: number; limit?: number }): { offset: number; limit: number } {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_LIMIT);
  const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
  return { offset, limit };
}

function receivedOf(row: Row): ReceivedFax {
  return {
    id: row.id as number,
    state: row.state as 'receiving' | 'done',
    receivedAt: new Date(row.received_at as number),
    finishedAt: date(row.finished_at),
    modem: row.modem as string | null,
    remoteId: row.remote_id as string | null,
    callerId: row.caller_id as string | null,
    callerName: row.caller_name as string | null,
    subaddress: row.subaddress as string | null,
    pages: row.pages as number,
    bitRate: row.bit_rate as number | null,
    coding: row.coding as string | null,
    ecm: bool(row.ecm),
    resolution: row.resolution as string | null,
    result: row.result as string,
    failureSentence: row.failure_sentence as string | null,
    badLines: row.bad_lines as number,
    durationSeconds: seconds(row.duration_ms),
    tiff: row.tiff_path as string | null,
    pdf: row.pdf_path as string | null,
    read: row.read === 1,
    archived: row.archived === 1,
    deletedAt: date(row.deleted_at),
    delivery: {
      status: row.delivery_status as DeliveryRecord['status'],
      nextAttemptAt: date(row.delivery_next_at),
      detail: row.delivery_json === null ? null : (JSON.parse(row.delivery_json as string) as unknown),
    },
  };
}

function sentOf(row: Row): SentFax {
  return {
    id: row.id as number,
    jobId: row.cups_job_id as number,
    user: row.user as string,
    recipientName: row.recipient_name as string | null,
    number: row.number as string,
    pages: row.pages as number,
    pagesConfirmed: row.pages_confirmed as number,
    result: row.result as string,
    failureKind: row.failure_kind as string | null,
    failureSentence: row.failure_sentence as string | null,
    remoteCsi: row.remote_csi as string | null,
    bitRate: row.bit_rate as number | null,
    coding: row.coding as string | null,
    ecm: bool(row.ecm),
    resolution: row.resolution as string | null,
    durationSeconds: seconds(row.duration_ms),
    attempts: row.attempts as number,
    startedAt: date(row.started_at),
    finishedAt: new Date(row.finished_at as number),
    report: row.report_path as string | null,
  };
}

const RECEIVED_WHERE: Record<NonNullable<ReceivedListOptions['folder']>, string> = {
  inbox: 'deleted_at IS NULL AND archived = 0',
  archived: 'deleted_at IS NULL AND archived = 1',
  all: 'deleted_at IS NULL',
  deleted: 'deleted_at IS NOT NULL',
};

export class FaxArchive {
  readonly layout: SpoolLayout;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: FaxArchiveOptions = {}) {
    this.layout = new SpoolLayout(options.spool);
    this.layout.create();
    this.db = new Database(this.layout.database, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.pragma('journal_mode = WAL');
    // FULL: a transaction the archive reported as committed survives a power cut, not only a kill.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    for (const suffix of ['-wal', '-shm']) privateFile(this.layout.database + suffix);
  }

  /** Applies the migrations not yet applied, each in its own transaction. */
  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let n = current; n < MIGRATIONS.length; n++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[n]);
        this.db.pragma(`user_version = ${n + 1}`);
      })();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  close(): void {
    this.db.close();
  }

  /** SQLite's own check of the file: `ok` when sound. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('\n');
  }

  // --- received -------------------------------------------------------------------------------

  /**
   * Opens a receive before the first page: a record in state `receiving` and its private folder,
   * where the receiver writes fax.tif and fax.pdf. The record comes first, so a folder never
   * exists without one; `recover()` files it if the call never reaches `finishReceive`.
   */
  beginReceive(start: ReceiveStart = {}): ReceiveInProgress {
    const info = this.statement(
      `INSERT INTO received (state, received_at, modem, caller_id, caller_name, result)
       VALUES ('receiving', ?, ?, ?, ?, 'receiving')`,
    ).run(
      ms(start.startedAt ?? new Date()),
      start.modem ?? null,
      start.callerId ?? null,
      start.callerName ?? null,
    );
    const id = Number(info.lastInsertRowid);
    return { id, dir: privateDir(this.layout.receivedDir(id)) };
  }

  /**
   * Files the call: one statement that writes the facts and marks it done. With `deliver`, the
   * same statement marks its delivery due now, so a crash before delivery loses no delivery:
   * `deliveriesDue()` finds it at the next start.
   */
  finishReceive(id: number, finish: ReceiveFinish): ReceivedFax {
    const finishedAt = ms(finish.finishedAt ?? new Date());
    const changes = this.statement(
      `UPDATE received SET state = 'done', finished_at = ?, remote_id = ?, subaddress = ?, pages = ?,
         bit_rate = ?, coding = ?, ecm = ?, resolution = ?, result = ?, failure_sentence = ?,
         bad_lines = ?, duration_ms = ?, tiff_path = ?, pdf_path = ?,
         delivery_status = CASE WHEN ? THEN 'pending' ELSE delivery_status END,
         delivery_next_at = CASE WHEN ? THEN ? ELSE delivery_next_at END
       WHERE id = ? AND state = 'receiving'`,
    ).run(
      finishedAt,
      finish.remoteId ?? null,
      finish.subaddress ?? null,
      finish.pages,
      finish.bitRate ?? null,
      finish.coding ?? null,
      flag(finish.ecm),
      finish.resolution ?? null,
      finish.result,
      finish.failureSentence ?? null,
      finish.badLines ?? 0,
      durationMs(finish.durationSeconds),
      finish.tiff ?? null,
      finish.pdf ?? null,
      finish.deliver ? 1 : 0,
      finish.deliver ? 1 : 0,
      finishedAt,
      id,
    ).changes;
    if (changes !== 1) throw new Error(`archive: no receive in progress with id ${id}`);
    return this.received(id)!;
  }

  /**
   * At start, before answering: files the calls a crash cut off (see recover.ts). Returns them so
   * the service can log and deliver them.
   */
  recover(options: RecoverOptions = {}): Promise<ReceivedFax[]> {
    return recoverReceives(this, options);
  }

  /** Calls still marked as on the line (after a crash: the ones `recover()` files). */
  receivesInProgress(): ReceivedFax[] {
    return (
      this.statement(`SELECT * FROM received WHERE state = 'receiving' ORDER BY id`).all() as Row[]
    ).map(receivedOf);
  }

  received(id: number): ReceivedFax | undefined {
    const row = this.statement('SELECT * FROM received WHERE id = ?').get(id) as Row | undefined;
    return row && receivedOf(row);
  }

  private receivedWhere(options: ReceivedListOptions): string {
    let where = RECEIVED_WHERE[options.folder ?? 'inbox'];
    if (options.unreadOnly) where += ' AND read = 0';
    if (!options.includeInProgress) where += ` AND state = 'done'`;
    return where;
  }

  /** Newest first. */
  listReceived(options: ReceivedListOptions = {}): ReceivedFax[] {
    const { offset, limit } = page(options);
    const sql = `SELECT * FROM received WHERE ${this.receivedWhere(options)}
                 ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?`;
    return (this.statement(sql).all(limit, offset) as Row[]).map(receivedOf);
  }

  countReceived(options: ReceivedListOptions = {}): number {
    const sql = `SELECT count(*) AS n FROM received WHERE ${this.receivedWhere(options)}`;
    return (this.statement(sql).get() as { n: number }).n;
  }

  setRead(id: number, read = true): void {
    this.statement('UPDATE received SET read = ? WHERE id = ?').run(read ? 1 : 0, id);
  }

  setArchived(id: number, archived = true): void {
    this.statement('UPDATE received SET archived = ? WHERE id = ?').run(archived ? 1 : 0, id);
  }

  /** Moves the fax to the bin (its files stay until `purgeReceived`). */
  markDeleted(id: number, at: Date = new Date()): void {
    this.statement('UPDATE received SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(ms(at), id);
  }

  restore(id: number): void {
    this.statement('UPDATE received SET deleted_at = NULL WHERE id = ?').run(id);
  }

  /** Removes deleted faxes (record and folder) deleted before `before`; returns how many. */
  purgeReceived(before: Date): number {
    const ids = (
      this.statement('SELECT id FROM received WHERE deleted_at IS NOT NULL AND deleted_at < ?').all(
        ms(before),
      ) as { id: number }[]
    ).map((r) => r.id);
    for (const id of ids) {
      this.statement('DELETE FROM received WHERE id = ?').run(id);
      rmSync(this.layout.receivedDir(id), { recursive: true, force: true });
    }
    return ids.length;
  }

  /** Records what lib/delivery did and when it wants to try again. */
  setDelivery(id: number, delivery: DeliveryRecord): void {
    this.statement(
      'UPDATE received SET delivery_status = ?, delivery_next_at = ?, delivery_json = ? WHERE id = ?',
    ).run(
      delivery.status,
      ms(delivery.nextAttemptAt),
      delivery.detail === null || delivery.detail === undefined ? null : JSON.stringify(delivery.detail),
      id,
    );
  }

  /** Faxes whose delivery has a retry due at or before `now`, soonest first. */
  deliveriesDue(now: Date = new Date(), limit = 50): ReceivedFax[] {
    return (
      this.statement(
        `SELECT * FROM received WHERE delivery_status = 'pending' AND delivery_next_at <= ?
         ORDER BY delivery_next_at LIMIT ?`,
      ).all(ms(now), limit) as Row[]
    ).map(receivedOf);
  }

  // --- sent -----------------------------------------------------------------------------------

  /** One record per finished CUPS job (sent or failed for good). */
  recordSent(input: SentFaxInput): SentFax {
    const info = this.statement(
      `INSERT INTO sent (cups_job_id, user, recipient_name, number, pages, pages_confirmed, result,
         failure_kind, failure_sentence, remote_csi, bit_rate, coding, ecm, resolution, duration_ms,
         attempts, started_at, finished_at, report_path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.jobId,
      input.user,
      input.recipientName ?? null,
      input.number,
      input.pages,
      input.pagesConfirmed,
      input.result,
      input.failureKind ?? null,
      input.failureSentence ?? null,
      input.remoteCsi ?? null,
      input.bitRate ?? null,
      input.coding ?? null,
      flag(input.ecm),
      input.resolution ?? null,
      durationMs(input.durationSeconds),
      input.attempts ?? 1,
      ms(input.startedAt),
      ms(input.finishedAt),
      input.report ?? null,
    );
    return this.sent(Number(info.lastInsertRowid))!;
  }

  sent(id: number): SentFax | undefined {
    const row = this.statement('SELECT * FROM sent WHERE id = ?').get(id) as Row | undefined;
    return row && sentOf(row);
  }

  /** The newest record of a CUPS job (job ids restart when CUPS' history is cleared). */
  sentByJob(jobId: number): SentFax | undefined {
    const row = this.statement('SELECT * FROM sent WHERE cups_job_id = ? ORDER BY id DESC LIMIT 1').get(
      jobId,
    ) as Row | undefined;
    return row && sentOf(row);
  }

  /** Newest first. */
  listSent(options: SentListOptions = {}): SentFax[] {
    const { offset, limit } = page(options);
    if (options.user !== undefined) {
      return (
        this.statement(
          'SELECT * FROM sent WHERE user = ? ORDER BY finished_at DESC, id DESC LIMIT ? OFFSET ?',
        ).all(options.user, limit, offset) as Row[]
      ).map(sentOf);
    }
    return (
      this.statement('SELECT * FROM sent ORDER BY finished_at DESC, id DESC LIMIT ? OFFSET ?').all(
        limit,
        offset,
      ) as Row[]
    ).map(sentOf);
  }

  countSent(): number {
    return (this.statement('SELECT count(*) AS n FROM sent').get() as { n: number }).n;
  }

  /** The private folder for a sent job's files (its transmission report). */
  sentDir(id: number): string {
    return privateDir(this.layout.sentDir(id));
  }

  setSentReport(id: number, reportPath: string): void {
    this.statement('UPDATE sent SET report_path = ? WHERE id = ?').run(reportPath, id);
  }

  // --- contacts -------------------------------------------------------------------------------

  /** The address book by name. */
  listContacts(options: { offset?: number; limit?: number } = {}): Contact[] {
    const { offset, limit } = page(options);
    return (
      this.statement('SELECT * FROM contacts ORDER BY name COLLATE NOCASE, id LIMIT ? OFFSET ?').all(
        limit,
        offset,
      ) as Row[]
    ).map((row) => ({
      id: row.id as number,
      name: row.name as string,
      number: row.number as string,
      note: row.note as string,
      createdAt: new Date(row.created_at as number),
    }));
  }

  countContacts(): number {
    return (this.statement('SELECT count(*) AS n FROM contacts').get() as { n: number }).n;
  }

  addContact(contact: { name: string; number: string; note?: string }, at: Date = new Date()): Contact {
    const info = this.statement(
      'INSERT INTO contacts (name, number, note, created_at) VALUES (?, ?, ?, ?)',
    ).run(contact.name, contact.number, contact.note ?? '', ms(at));
    return {
      id: Number(info.lastInsertRowid),
      name: contact.name,
      number: contact.number,
      note: contact.note ?? '',
      createdAt: at,
    };
  }

  deleteContact(id: number): boolean {
    return this.statement('DELETE FROM contacts WHERE id = ?').run(id).changes === 1;
  }

  /** Runs `work` in one transaction (for a caller that makes several changes as one). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
