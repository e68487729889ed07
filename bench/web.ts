/**
 * Web page benchmark (issue 16): 10 000 received faxes in a fresh archive, then the inbox page
 * (server-rendered HTML, 50 rows) and GET /api/received, timed through the real fastify
 * server over HTTP on 127.0.0.1 with a logged-in session, at the start and the end of the list.
 * Not a test: figures depend on the machine. Prints the median of 50 requests, in ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FaxArchive } from '../lib/archive/index.js';
import { UsersFile } from '../lib/users/index.js';
import { startWeb } from '../web/server.js';

const COUNT = Number(process.env.BENCH_FAXES ?? 10_000);
const ROUNDS = 50;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'lpfax-bench-web-'));
const archive = new FaxArchive({ spool: join(dir, 'spool') });
try {
  const start = Date.UTC(2026, 0, 1);
  archive.transaction(() => {
    for (let i = 0; i < COUNT; i++) {
      const call = archive.beginReceive({
        startedAt: new Date(start + i * 600_000),
        callerId: `555${i % 1000}`,
      });
      archive.finishReceive(call.id, {
        result: i % 17 === 0 ? 'partial' : 'received',
        remoteId: `+1 555 ${i % 500}`,
        pages: 1 + (i % 9),
        tiff: join(call.dir, 'fax.tif'),
        pdf: join(call.dir, 'fax.pdf'),
      });
    }
  });
  const users = new UsersFile(join(dir, 'users'));
  await users.add('bench', 'bench password');
  const web = await startWeb({ archive, users, port: 0 });
  try {
    const login = await fetch(`${web.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: 'bench password' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const get = (path: string) => async () => {
      const res = await fetch(web.url + path, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      return res.text();
    };
    const first = await get('/')();
    if ((first.match(/<tr class="/g) ?? []).length !== 50) throw new Error('the inbox page has not 50 rows');
    console.log(`${COUNT} received faxes; median of ${ROUNDS} requests over HTTP, logged in:`);
    for (const [label, path] of [
      ['inbox page (HTML, newest 50)', '/'],
      ['inbox page (HTML, oldest 50)', `/?offset=${COUNT - 50}`],
      ['GET /api/received (newest 50)', '/api/received'],
      ['GET /api/received (oldest 50)', `/api/received?offset=${COUNT - 50}`],
    ])
      console.log(`  ${label.padEnd(32)} ${(await median(get(path))).toFixed(2)} ms`);
  } finally {
    await web.close();
  }
} finally {
  archive.close();
  rmSync(dir, { recursive: true, force: true });
}
