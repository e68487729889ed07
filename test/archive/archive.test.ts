/** The archive over a real SQLite file in a private temp spool. */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaxArchive, pdfIsComplete, receivedJson, sentJson, tiffPageCount } from '../../lib/archive/index.js';
import { MIGRATIONS } from '../../lib/archive/schema.js';

let spool: string;
let archive: FaxArchive;

beforeEach(() => {
  spool = join(mkdtempSync(join(tmpdir(), 'lpfax-archive-')), 'spool');
  archive = new FaxArchive({ spool });
});
afterEach(() => {
  archive.close();
  rmSync(join(spool, '..'), { recursive: true, force: true });
});

function modes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (path: string) => {
    const st = statSync(path);
    out.set(path, st.mode & 0o777);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return out;
}

function fileReceived(at: number, remoteId = `+1 555 ${at}`) {
  const call = archive.beginReceive({ startedAt: new Date(at), callerId: '5550100', modem: 'ttyS0' });
  return archive.finishReceive(call.id, {
    result: 'received',
    finishedAt: new Date(at + 30_000),
    remoteId,
    subaddress: '12',
    pages: 2,
    bitRate: 9600,
    coding: 'MR',
    ecm: true,
    resolution: 'fine',
    badLines: 3,
    durationSeconds: 29.5,
    tiff: join(call.dir, 'fax.tif'),
    pdf: join(call.dir, 'fax.pdf'),
  });
}

test('the spool is 0700 folders and 0600 files, the database included, and the schema is migrated', () => {
  const call = archive.beginReceive();
  writeFileSync(join(call.dir, 'fax.tif'), 'x', { mode: 0o600 });
  archive.sentDir(
    archive.recordSent({
      jobId: 1,
      user: 'ann',
      number: '1',
      pages: 1,
      pagesConfirmed: 1,
      result: 'sent',
      finishedAt: new Date(),
    }).id,
  );
  const seen = modes(spool);
  expect([...seen.keys()].map((p) => p.slice(spool.length)).sort()).toEqual(
    [
      '',
      '/archive.db',
      '/archive.db-shm',
      '/archive.db-wal',
      '/received',
      '/received/1',
      '/received/1/fax.tif',
      '/sent',
      '/sent/1',
    ].sort(),
  );
  for (const [path, mode] of seen) {
    expect([path, mode]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600]);
  }
  expect(archive.schemaVersion).toBe(MIGRATIONS.length);
  expect(archive.integrityCheck()).toBe('ok');
  // Opening again applies nothing twice.
  archive.close();
  archive = new FaxArchive({ spool });
  expect(archive.schemaVersion).toBe(MIGRATIONS.length);
  expect(archive.received(1)?.state).toBe('receiving');
});

test('a receive is a record in progress, then filed with every fact', () => {
  const call = archive.beginReceive({
    startedAt: new Date(1000),
    callerId: '5550100',
    callerName: 'ACME',
    modem: 'ttyS0',
  });
  expect(call.dir).toBe(join(spool, 'received', String(call.id)));
  expect(archive.listReceived()).toEqual([]);
  expect(archive.listReceived({ includeInProgress: true }).map((f) => f.id)).toEqual([call.id]);
  const filed = archive.finishReceive(call.id, {
    result: 'received',
    finishedAt: new Date(31_000),
    remoteId: '+49 30 1234',
    subaddress: '7',
    pages: 3,
    bitRate: 14400,
    coding: 'MMR',
    ecm: true,
    resolution: 'fine',
    badLines: 0,
    durationSeconds: 30,
    tiff: '/x/fax.tif',
    pdf: '/x/fax.pdf',
  });
  expect(filed).toMatchObject({
    id: call.id,
    state: 'done',
    receivedAt: new Date(1000),
    finishedAt: new Date(31_000),
    modem: 'ttyS0',
    remoteId: '+49 30 1234',
    callerId: '5550100',
    callerName: 'ACME',
    subaddress: '7',
    pages: 3,
    bitRate: 14400,
    coding: 'MMR',
    ecm: true,
    resolution: 'fine',
    result: 'received',
    badLines: 0,
    durationSeconds: 30,
    tiff: '/x/fax.tif',
    pdf: '/x/fax.pdf',
    read: false,
    archived: false,
    deletedAt: null,
    delivery: { status: 'none', nextAttemptAt: null, detail: null },
  });
  expect(() => archive.finishReceive(call.id, { result: 'received', pages: 1 })).toThrow(
    /no receive in progress/,
  );
});

test('lists are newest first with offset and limit; flags move faxes between folders', () => {
  for (let i = 1; i <= 7; i++) fileReceived(i * 1000);
  expect(archive.listReceived({ limit: 3 }).map((f) => f.receivedAt.getTime())).toEqual([7000, 6000, 5000]);
  expect(archive.listReceived({ offset: 5, limit: 3 }).map((f) => f.receivedAt.getTime())).toEqual([
    2000, 1000,
  ]);
  expect(archive.countReceived()).toBe(7);

  archive.setRead(7);
  archive.setArchived(6);
  archive.markDeleted(5, new Date(50_000));
  expect(archive.listReceived({ unreadOnly: true }).map((f) => f.id)).toEqual([4, 3, 2, 1]);
  expect(archive.listReceived({ folder: 'archived' }).map((f) => f.id)).toEqual([6]);
  expect(archive.listReceived({ folder: 'deleted' })[0]).toMatchObject({
    id: 5,
    deletedAt: new Date(50_000),
  });
  expect(archive.countReceived({ folder: 'all' })).toBe(6);
  archive.restore(5);
  expect(archive.countReceived()).toBe(6);

  archive.markDeleted(5, new Date(50_000));
  expect(archive.purgeReceived(new Date(40_000))).toBe(0);
  expect(archive.purgeReceived(new Date(60_000))).toBe(1);
  expect(archive.received(5)).toBeUndefined();
});

test('the inbox page query walks an index, not the table', () => {
  archive.close();
  const db = new Database(join(spool, 'archive.db'), { readonly: true });
  const plan = (sql: string) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
  expect(
    plan(`SELECT * FROM received WHERE deleted_at IS NULL AND archived = 0 AND state = 'done'
          ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET 0`),
  ).toMatch(/USING INDEX received_inbox/);
  expect(plan('SELECT * FROM sent ORDER BY finished_at DESC, id DESC LIMIT 50')).toMatch(
    /USING INDEX sent_newest/,
  );
  expect(plan(`SELECT * FROM sent WHERE user = 'ann' ORDER BY finished_at DESC, id DESC LIMIT 5`)).toMatch(
    /USING INDEX sent_user/,
  );
  expect(plan('SELECT * FROM received WHERE remote_id = 1')).toMatch(/USING INDEX received_remote/);
  db.close();
  archive = new FaxArchive({ spool });
});

test('sent jobs: recorded, listed newest first, by user, by CUPS job id, with their report', () => {
  const base = { number: '5550199', pages: 3, attempts: 1 };
  archive.recordSent({
    ...base,
    jobId: 10,
    user: 'ann',
    pagesConfirmed: 3,
    result: 'sent',
    finishedAt: new Date(1000),
  });
  const failed = archive.recordSent({
    ...base,
    jobId: 11,
    user: 'bob',
    recipientName: 'Dr. Who',
    pagesConfirmed: 1,
    result: 'no-answer',
    failureKind: 'no-answer',
    failureSentence: 'Nobody answered at 5550199.',
    remoteCsi: '+1 555 0199',
    bitRate: 9600,
    coding: 'MH',
    ecm: false,
    resolution: 'standard',
    durationSeconds: 61.2,
    attempts: 3,
    startedAt: new Date(1500),
    finishedAt: new Date(2000),
  });
  expect(failed).toMatchObject({
    jobId: 11,
    recipientName: 'Dr. Who',
    ecm: false,
    durationSeconds: 61.2,
    attempts: 3,
    report: null,
  });
  expect(archive.listSent().map((s) => s.jobId)).toEqual([11, 10]);
  expect(archive.listSent({ user: 'ann' }).map((s) => s.jobId)).toEqual([10]);
  expect(archive.sentByJob(11)?.id).toBe(failed.id);
  const report = join(archive.sentDir(failed.id), 'report.pdf');
  archive.setSentReport(failed.id, report);
  expect(archive.sentByJob(11)?.report).toBe(report);
  expect(archive.countSent()).toBe(2);
});

test('delivery state is kept per fax, and due retries come back in order', () => {
  const a = fileReceived(1000);
  const b = fileReceived(2000);
  archive.setDelivery(a.id, {
    status: 'pending',
    nextAttemptAt: new Date(9000),
    detail: { mail: { attempts: 1 } },
  });
  archive.setDelivery(b.id, { status: 'pending', nextAttemptAt: new Date(5000), detail: null });
  expect(archive.deliveriesDue(new Date(4000))).toEqual([]);
  expect(archive.deliveriesDue(new Date(9000)).map((f) => f.id)).toEqual([b.id, a.id]);
  archive.setDelivery(b.id, { status: 'delivered', nextAttemptAt: null, detail: { ok: true } });
  expect(archive.deliveriesDue(new Date(10_000)).map((f) => f.id)).toEqual([a.id]);
  expect(archive.received(a.id)?.delivery).toEqual({
    status: 'pending',
    nextAttemptAt: new Date(9000),
    detail: { mail: { attempts: 1 } },
  });
});

describe('recover', () => {
  /** A real three-page TIFF-F (Ghostscript's tiffg3 device). */
  function threePageTiff(path: string): void {
    execFileSync('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=tiffg3',
      '-r204x98',
      '-g1728x300',
      `-sOutputFile=${path}`,
      '-c',
      '1 1 3 { pop showpage } for',
    ]);
  }

  test('tiffPageCount follows the IFD chain and stops where a kill cut the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpfax-tiff-'));
    const tiff = join(dir, 'fax.tif');
    threePageTiff(tiff);
    expect(
      execFileSync('tiffinfo', [tiff])
        .toString()
        .match(/TIFF Directory/g),
    ).toHaveLength(3);
    expect(tiffPageCount(tiff)).toBe(3);
    // Cut inside the third IFD (where libtiff's tiffdump says it starts): it is no longer whole.
    const offsets = [
      ...execFileSync('tiffdump', [tiff])
        .toString()
        .matchAll(/^Directory \d+: offset (\d+)/gm),
    ];
    expect(offsets).toHaveLength(3);
    execFileSync('truncate', ['-s', String(Number(offsets[2][1]) + 10), tiff]);
    expect(tiffPageCount(tiff)).toBe(2);
    expect(tiffPageCount(join(dir, 'missing.tif'))).toBe(0);
    rmSync(dir, { recursive: true });
  });

  test('calls cut off are filed as partial (pages kept) or interrupted (none)', async () => {
    const done = fileReceived(500);
    const withPages = archive.beginReceive({ startedAt: new Date(1000), callerId: '5550101' });
    threePageTiff(join(withPages.dir, 'fax.tif'));
    writeFileSync(join(withPages.dir, 'fax.pdf'), '%PDF-1.4\n1 0 obj\n', { mode: 0o600 }); // cut mid-write
    const empty = archive.beginReceive({ startedAt: new Date(2000) });
    archive.close();

    archive = new FaxArchive({ spool });
    expect(archive.receivesInProgress().map((f) => f.id)).toEqual([withPages.id, empty.id]);
    const filed = await archive.recover({ now: new Date(3000), deliver: true });
    expect(filed.map((f) => [f.id, f.result, f.pages])).toEqual([
      [withPages.id, 'partial', 3],
      [empty.id, 'interrupted', 0],
    ]);
    expect(filed[0]).toMatchObject({
      state: 'done',
      callerId: '5550101',
      tiff: join(withPages.dir, 'fax.tif'),
      pdf: null,
      failureSentence: 'The call was cut off; 3 pages were kept.',
    });
    expect(filed.map((f) => f.delivery.status)).toEqual(['pending', 'none']);
    expect(pdfIsComplete(join(withPages.dir, 'fax.pdf'))).toBe(false);
    expect(() => statSync(empty.dir)).toThrow();
    expect(archive.received(done.id)?.result).toBe('received');
    expect(archive.listReceived().map((f) => f.id)).toEqual([empty.id, withPages.id, done.id]);
    expect(await archive.recover()).toEqual([]);
  });

  test('a rebuilt PDF is recorded', async () => {
    const call = archive.beginReceive();
    threePageTiff(join(call.dir, 'fax.tif'));
    const seen: string[] = [];
    const [filed] = await archive.recover({
      rebuildPdf: async (tiff, dir) => {
        seen.push(tiff);
        const pdf = join(dir, 'fax.pdf');
        execFileSync('tiff2pdf', ['-o', pdf, tiff]);
        return pdf;
      },
    });
    expect(seen).toEqual([join(call.dir, 'fax.tif')]);
    expect(filed.pdf).toBe(join(call.dir, 'fax.pdf'));
    expect(pdfIsComplete(filed.pdf!)).toBe(true);
  });
});

test('filing with deliver marks the delivery due in the same change; the JSON has the CLI fields', () => {
  const call = archive.beginReceive({ startedAt: new Date(1000), callerId: '5550100' });
  const fax = archive.finishReceive(call.id, {
    result: 'received',
    pages: 1,
    finishedAt: new Date(5000),
    deliver: true,
    pdf: '/p.pdf',
    tiff: '/t.tif',
  });
  expect(fax.delivery).toEqual({ status: 'pending', nextAttemptAt: new Date(5000), detail: null });
  expect(archive.deliveriesDue(new Date(5000)).map((f) => f.id)).toEqual([call.id]);
  expect(receivedJson(fax)).toMatchObject({
    id: call.id,
    receivedAt: '1970-01-01T00:00:01.000Z',
    remoteId: null,
    callerId: '5550100',
    pages: 1,
    result: 'received',
    pdf: '/p.pdf',
    tiff: '/t.tif',
  });
  const sent = archive.recordSent({
    jobId: 3,
    user: 'ann',
    recipientName: 'Bob',
    number: '1',
    pages: 2,
    pagesConfirmed: 1,
    result: 'no-answer',
    finishedAt: new Date(0),
  });
  expect(sentJson(sent)).toMatchObject({
    jobId: 3,
    user: 'ann',
    recipient: 'Bob',
    number: '1',
    result: 'no-answer',
    pagesConfirmed: 1,
    pages: 2,
    report: null,
    finishedAt: '1970-01-01T00:00:00.000Z',
  });
});

it('keeps an address book by name (migration 2)', () => {
  const spool = mkdtempSync(join(tmpdir(), 'lpfax-contacts-'));
  const book = new FaxArchive({ spool });
  try {
    book.addContact({ name: 'pharmacy', number: '555-0100' });
    const clinic = book.addContact({ name: 'Clinic', number: '555 0199', note: 'front desk' });
    expect(book.listContacts().map((c) => c.name)).toEqual(['Clinic', 'pharmacy']);
    expect(book.countContacts()).toBe(2);
    expect(book.deleteContact(clinic.id)).toBe(true);
    expect(book.deleteContact(clinic.id)).toBe(false);
    expect(book.listContacts().map((c) => [c.name, c.number, c.note])).toEqual([
      ['pharmacy', '555-0100', ''],
    ]);
  } finally {
    book.close();
    rmSync(spool, { recursive: true, force: true });
  }
});
