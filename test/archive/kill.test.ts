/**
 * The database survives a SIGKILL in the middle of writing: a child process writes in a tight
 * loop (each change its own transaction) and prints every id once committed; we kill it with
 * SIGKILL, reopen, and check SQLite's integrity and that every committed row is there.
 * Runs the built module (dist/, made by `npm run build`, as `npm test` does first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaxArchive } from '../../lib/archive/index.js';

const built = new URL('../../dist/lib/archive/index.js', import.meta.url).href;

const writer = `
import { FaxArchive } from ${JSON.stringify(built)};
const archive = new FaxArchive({ spool: process.argv[1] });
for (let i = 0; ; i++) {
  const s = archive.recordSent({ jobId: i, user: 'ann', number: '5550100', pages: 2, pagesConfirmed: 2,
    result: 'sent', finishedAt: new Date(), recipientName: 'x'.repeat(i % 500) });
  process.stdout.write('S ' + s.id + '\\n');
  const call = archive.beginReceive({ callerId: String(i) });
  process.stdout.write('B ' + call.id + '\\n');
  archive.finishReceive(call.id, { result: 'received', pages: 1, remoteId: 'r'.repeat(i % 300) });
  process.stdout.write('R ' + call.id + '\\n');
}
`;

test.each([1, 2, 3])(
  'SIGKILL mid-write, round %i: the database is sound and every commit is kept',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpfax-kill-'));
    const spool = join(dir, 'spool');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer, spool], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let buffered = '';
    const target = 300 + Math.floor(Math.random() * 300);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      if (lines.length >= target) child.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');
    expect(lines.length).toBeGreaterThanOrEqual(target);

    const archive = new FaxArchive({ spool });
    try {
      expect(archive.integrityCheck()).toBe('ok');
      const sentIds = lines.filter((l) => l.startsWith('S ')).map((l) => Number(l.slice(2)));
      const filedIds = lines.filter((l) => l.startsWith('R ')).map((l) => Number(l.slice(2)));
      const begunIds = lines.filter((l) => l.startsWith('B ')).map((l) => Number(l.slice(2)));
      for (const id of sentIds) expect(archive.sent(id)?.number).toBe('5550100');
      for (const id of filedIds) expect(archive.received(id)?.state).toBe('done');
      for (const id of begunIds) expect(archive.received(id)).toBeDefined();
      // Nothing beyond what was printed, bar the one change in flight.
      expect(archive.countSent()).toBeLessThanOrEqual(sentIds.length + 1);
      // The call begun but not filed is found and filed at the next start.
      const open = archive.receivesInProgress().map((f) => f.id);
      expect(open.length).toBeLessThanOrEqual(1);
      const recovered = await archive.recover();
      expect(recovered.map((f) => f.id)).toEqual(open);
      expect(archive.receivesInProgress()).toEqual([]);
    } finally {
      archive.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
