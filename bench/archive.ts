/**
 * Archive benchmark: files 10 000 received faxes and 10 000 sent jobs into a fresh spool, then
 * times the pages the web inbox and `lpfax received/sent` ask for (50 rows, newest first) at the
 * start, the middle and the end of the list, and the count. Not a test: figures depend on the
 * machine. Prints the median of 50 runs of each query, in milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaxArchive } from '../lib/archive/index.js';

const COUNT = Number(process.env.BENCH_FAXES ?? 10_000);
const ROUNDS = 50;

function median(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'lpfax-bench-archive-'));
const archive = new FaxArchive({ spool: join(dir, 'spool') });
try {
  const start = Date.UTC(2026, 0, 1);
  let t = performance.now();
  // One transaction for the lot: the bench is about reading; the service files one fax at a time.
  archive.transaction(() => {
    for (let i = 0; i < COUNT; i++) {
      const at = new Date(start + i * 600_000);
      const call = archive.beginReceive({ startedAt: at, callerId: `555${i % 1000}` });
      archive.finishReceive(call.id, {
        result: i % 17 === 0 ? 'partial' : 'received',
        remoteId: `+1 555 ${i % 500}`,
        pages: 1 + (i % 9),
        bitRate: 14400,
        coding: 'MMR',
        ecm: true,
        resolution: 'fine',
        durationSeconds: 40,
        tiff: join(call.dir, 'fax.tif'),
        pdf: join(call.dir, 'fax.pdf'),
      });
      if (i % 7 === 0) archive.setRead(call.id);
      if (i % 50 === 0) archive.setArchived(call.id);
      archive.recordSent({
        jobId: i,
        user: `user${i % 20}`,
        number: '5550100',
        pages: 3,
        pagesConfirmed: 3,
        result: 'sent',
        finishedAt: at,
      });
    }
  });
  const filed = performance.now() - t;
  console.log(`filed ${COUNT} received + ${COUNT} sent in one transaction: ${filed.toFixed(0)} ms`);

  t = performance.now();
  for (let i = 0; i < 200; i++)
    archive.recordSent({
      jobId: i,
      user: 'x',
      number: '1',
      pages: 1,
      pagesConfirmed: 1,
      result: 'sent',
      finishedAt: new Date(),
    });
  console.log(
    `one transaction per change (synchronous=FULL): ${((performance.now() - t) / 200).toFixed(2)} ms per sent record`,
  );

  const rows = (f: () => unknown[]) => () => {
    if (f().length === 0) throw new Error('empty page');
  };
  const report = [
    ['inbox page 1 (50 rows)', rows(() => archive.listReceived({ limit: 50 }))],
    ['inbox page at offset 5000', rows(() => archive.listReceived({ offset: 5000, limit: 50 }))],
    [
      'inbox last page',
      rows(() => archive.listReceived({ offset: archive.countReceived() - 50, limit: 50 })),
    ],
    ['unread page 1', rows(() => archive.listReceived({ unreadOnly: true, limit: 50 }))],
    ['inbox count', () => archive.countReceived()],
    ['sent page 1', rows(() => archive.listSent({ limit: 50 }))],
    ['sent page for one user', rows(() => archive.listSent({ user: 'user7', limit: 50 }))],
  ] as const;
  for (const [name, run] of report)
    console.log(`${name}: ${median(run).toFixed(3)} ms (median of ${ROUNDS})`);
} finally {
  archive.close();
  rmSync(dir, { recursive: true, force: true });
}
