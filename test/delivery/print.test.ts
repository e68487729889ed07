/**
 * Print delivery through a real cupsd (the private one of test/cupsd/harness.ts): a raw queue
 * whose backend keeps what it is given, so the job's output can be read back. `lp` gets argv only.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printFax } from '../../lib/delivery/index.js';
import { startCupsd, type PrivateCupsd } from '../cupsd/harness.js';
import { fileFax, pdfPages, scratchArchive, type Scratch } from './fixtures.js';

let cupsd: PrivateCupsd;
let s: Scratch;
let output: string;
let backendDir: string;

beforeAll(async () => {
  backendDir = mkdtempSync(join(tmpdir(), 'lpfax-keep-'));
  chmodSync(backendDir, 0o777); // the backend runs as lp
  output = join(backendDir, 'printed.pdf');
  const keep = join(backendDir, 'keep');
  // CUPS backend(7): the document is argv[6] (or stdin); the device URI names where to keep it.
  writeFileSync(keep, '#!/bin/sh\ncat "${6:-/dev/stdin}" > "${DEVICE_URI#keep:}"\n', { mode: 0o755 });
  cupsd = await startCupsd({ backends: { keep } });
  // A raw queue: the backend gets the document as submitted.
  await cupsd.cups('lpadmin', ['-p', 'Paper', '-E', '-v', `keep:${output}`]);
});
afterAll(async () => {
  await cupsd?.stop();
  rmSync(backendDir, { recursive: true, force: true });
});
beforeEach(() => (s = scratchArchive()));
afterEach(() => s.remove());

async function jobDone(job: string): Promise<void> {
  for (let i = 0; ; i++) {
    const done = await cupsd.cups('lpstat', ['-W', 'completed', '-o', 'Paper']);
    if (done.includes(job)) return;
    if (i > 300) throw new Error(`${job} never completed: ${cupsd.errorLog().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the fax is printed on the queue and comes out whole', async () => {
  const fax = fileFax(s.archive, { pages: 2, remoteId: '-o; rm -rf / `x`' });
  const outcome = await printFax(fax, {
    kind: 'print',
    queue: 'Paper',
    env: { CUPS_SERVER: cupsd.env.CUPS_SERVER! },
  });
  expect(outcome).toMatchObject({ ok: true, done: expect.stringMatching(/^printed on Paper as Paper-\d+$/) });
  await jobDone(/as (Paper-\d+)$/.exec((outcome as { done: string }).done)![1]);
  expect(existsSync(output)).toBe(true);
  expect(statSync(output).size).toBeGreaterThan(0);
  expect(pdfPages(output)).toBe(2);
  // The hostile sender id reached the job as its title, one argument, not options or commands.
  expect(cupsd.errorLog()).toContain('argv[3]="Fax from -o; rm -rf / `x`, 2 pages"');
});

test('a queue that does not exist fails as a value', async () => {
  const fax = fileFax(s.archive, { pages: 1 });
  const outcome = await printFax(fax, {
    kind: 'print',
    queue: 'NoSuchQueue',
    env: { CUPS_SERVER: cupsd.env.CUPS_SERVER! },
  });
  expect(outcome).toMatchObject({
    ok: false,
    kind: 'print-failed',
    message: expect.stringMatching(/NoSuchQueue|not exist/i),
  });
});
