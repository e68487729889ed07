/** Folder and hook delivery, and the retry schedule, with real files and real processes. */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  DeliveryRunner,
  copyFaxToFolder,
  expandPattern,
  runHook,
  type DeliveryDetail,
} from '../../lib/delivery/index.js';
import { fileFax, pdfPages, scratchArchive, type Scratch } from './fixtures.js';

let s: Scratch;
beforeEach(() => (s = scratchArchive()));
afterEach(() => s.remove());

describe('folder', () => {
  test('the pattern names the copy; a hostile remote id cannot leave the folder', async () => {
    const fax = fileFax(s.archive, { pages: 2, remoteId: '../../etc/passwd', subaddress: '7' });
    const t = fax.receivedAt;
    const stamp = `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}_${String(t.getHours()).padStart(2, '0')}${String(t.getMinutes()).padStart(2, '0')}05`;
    expect(expandPattern('%Y-%m-%d_%H%M%S_%r.pdf', fax)).toBe(`${stamp}___.._etc_passwd.pdf`);
    expect(expandPattern('%i-%p-%s-%c-100%%.pdf', fax)).toBe(`${fax.id}-2-7-5550100-100%.pdf`);
    expect(() => expandPattern('a/%r.pdf', fax)).toThrow(/does not make a file name/);

    const out = join(s.dir, 'out');
    mkdirSync(out);
    const first = await copyFaxToFolder(fax, { kind: 'folder', dir: out });
    const second = await copyFaxToFolder(fax, { kind: 'folder', dir: out, mode: 0o640 });
    expect(first).toEqual({ ok: true, done: `copied to ${join(out, `${stamp}___.._etc_passwd.pdf`)}` });
    expect(second).toEqual({ ok: true, done: `copied to ${join(out, `${stamp}___.._etc_passwd-1.pdf`)}` });
    expect(readdirSync(out).sort()).toEqual([
      `${stamp}___.._etc_passwd-1.pdf`,
      `${stamp}___.._etc_passwd.pdf`,
    ]);
    expect(statSync(join(out, `${stamp}___.._etc_passwd.pdf`)).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, `${stamp}___.._etc_passwd-1.pdf`)).mode & 0o777).toBe(0o640);
    expect(pdfPages(join(out, `${stamp}___.._etc_passwd.pdf`))).toBe(2);
  });

  test('a folder that is not there fails on its own, with a reason', async () => {
    const fax = fileFax(s.archive, { pages: 1 });
    const outcome = await copyFaxToFolder(fax, { kind: 'folder', dir: join(s.dir, 'missing') });
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'folder-failed',
      message: expect.stringMatching(/ENOENT/),
    });
  });
});

describe('hook', () => {
  test('argv is passed as is (no shell) and the facts are in the environment', async () => {
    const fax = fileFax(s.archive, { pages: 3, remoteId: '$(touch pwned); `id`', subaddress: '42' });
    const out = join(s.dir, 'hook.json');
    const script = join(s.dir, 'hook.js');
    writeFileSync(
      script,
      `require('fs').writeFileSync(process.argv[2], JSON.stringify({ argv: process.argv.slice(3), env: process.env }));`,
    );
    const outcome = await runHook(fax, {
      kind: 'hook',
      command: [process.execPath, script, out, 'a b; rm -rf /', '$LPFAX_PAGES'],
      timeoutSeconds: 30,
    });
    expect(outcome).toEqual({ ok: true, done: `ran ${process.execPath}` });
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv).toEqual(['a b; rm -rf /', '$LPFAX_PAGES']);
    expect(seen.env).toMatchObject({
      LPFAX_ID: String(fax.id),
      LPFAX_PAGES: '3',
      LPFAX_REMOTE_ID: '$(touch pwned); `id`',
      LPFAX_SUBADDRESS: '42',
      LPFAX_RESULT: 'received',
      LPFAX_PDF: fax.pdf,
      LPFAX_ECM: 'yes',
      LPFAX_BIT_RATE: '14400',
    });
    // The service's own environment does not leak into the hook.
    expect(
      Object.keys(seen.env)
        .filter((k) => !k.startsWith('LPFAX_'))
        .sort(),
    ).toEqual(['LANG', 'PATH']);
    expect(existsSync('pwned')).toBe(false);
  });

  test('a failing hook and a hook past its time limit fail as values', async () => {
    const fax = fileFax(s.archive, { pages: 1 });
    expect(await runHook(fax, { kind: 'hook', command: ['/bin/false'] })).toMatchObject({
      ok: false,
      kind: 'hook-failed',
    });
    const pidFile = join(s.dir, 'pid');
    const script = join(s.dir, 'slow.js');
    writeFileSync(
      script,
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const outcome = await runHook(fax, {
      kind: 'hook',
      command: [process.execPath, script],
      timeoutSeconds: 1,
    });
    expect(outcome).toMatchObject({ ok: false, kind: 'hook-timed-out' });
    // It was killed: signalling the pid now finds no process.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});

describe('runner', () => {
  test('each action fails on its own; failures are retried on the schedule until they succeed', async () => {
    const fax = fileFax(s.archive, { pages: 1 });
    const out = join(s.dir, 'out');
    mkdirSync(out);
    const gate = join(s.dir, 'gate');
    let now = new Date(Date.UTC(2026, 0, 1));
    const log: string[] = [];
    const runner = new DeliveryRunner(s.archive, {
      actions: [
        { kind: 'hook', command: ['/bin/test', '-e', gate] },
        { kind: 'folder', dir: out, pattern: 'fax-%i.pdf' },
      ],
      retryDelaysSeconds: [60, 300],
      log: (l) => log.push(l),
      now: () => now,
    });
    const first = await runner.deliver(fax.id);
    expect(first.actions.map((a) => [a.ok, a.attempts])).toEqual([
      [false, 1],
      [true, 1],
    ]);
    expect(s.archive.received(fax.id)?.delivery).toMatchObject({
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + 60_000),
    });
    expect(await runner.retryDue()).toBe(0);

    now = new Date(now.getTime() + 60_000);
    expect(await runner.retryDue()).toBe(1);
    const second = s.archive.received(fax.id)!.delivery;
    expect(second).toMatchObject({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 300_000) });
    // The folder copy succeeded the first time and is not repeated.
    expect((second.detail as DeliveryDetail).actions.map((a) => a.attempts)).toEqual([2, 1]);
    expect(readdirSync(out)).toEqual([`fax-${fax.id}.pdf`]);

    writeFileSync(gate, '');
    now = new Date(now.getTime() + 300_000);
    expect(await runner.retryDue()).toBe(1);
    expect(s.archive.received(fax.id)?.delivery).toMatchObject({ status: 'delivered', nextAttemptAt: null });
    expect(log.filter((l) => l.includes('failed (attempt'))).toHaveLength(2);
  });

  test('after the last retry the delivery is failed, and the fax is still in the archive', async () => {
    const fax = fileFax(s.archive, { pages: 1 });
    let now = new Date(Date.UTC(2026, 0, 1));
    const runner = new DeliveryRunner(s.archive, {
      actions: [{ kind: 'folder', dir: join(s.dir, 'missing') }],
      retryDelaysSeconds: [10],
      now: () => now,
    });
    await runner.deliver(fax.id);
    now = new Date(now.getTime() + 10_000);
    await runner.retryDue();
    const after = s.archive.received(fax.id)!;
    expect(after.delivery).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect((after.delivery.detail as DeliveryDetail).actions[0]).toMatchObject({
      attempts: 2,
      lastError: { kind: 'folder-failed' },
    });
    expect(pdfPages(after.pdf!)).toBe(1);
    now = new Date(now.getTime() + 1e9);
    expect(await runner.retryDue()).toBe(0);
  });

  test('an action routed to other subaddresses is not run', async () => {
    const out = join(s.dir, 'sales');
    mkdirSync(out);
    chmodSync(out, 0o700);
    const runner = new DeliveryRunner(s.archive, {
      actions: [{ kind: 'folder', dir: out, pattern: 'fax-%i.pdf', subaddresses: ['20'] }],
    });
    const forSales = fileFax(s.archive, { pages: 1, subaddress: '20' });
    const forOthers = fileFax(s.archive, { pages: 1, subaddress: '30' });
    await runner.deliver(forSales.id);
    await runner.deliver(forOthers.id);
    expect(readdirSync(out)).toEqual([`fax-${forSales.id}.pdf`]);
    expect(s.archive.received(forOthers.id)?.delivery.status).toBe('delivered');
  });
});
