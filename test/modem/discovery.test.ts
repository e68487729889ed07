/**
 * Discovery over a fake /dev: one answering modem (also under serial/by-id), several ttyS that
 * never answer, one device locked by another program, one dangling link.
 */
import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { discoverModems, listSerialDevices } from '../../lib/modem/discovery.js';
import { formatLockPid, lockFilePath } from '../../lib/modem/uucp-lock.js';
import { class1Handler, FakeModem } from './helpers/fake-modem.js';
import { attachFake, closeQuietly, ptyPair, type PtyPair } from './helpers/pty-pair.js';

let dir: string;
const pairs: PtyPair[] = [];
let dcePort: SerialPort | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-disc-'));
  await mkdir(join(dir, 'dev', 'serial', 'by-id'), { recursive: true });
  await mkdir(join(dir, 'lock'));
  for (let i = 0; i < 7; i++) pairs.push(await ptyPair(dir, `p${i}`));
  const dev = (name: string) => join(dir, 'dev', name);
  await symlink(await realpath(pairs[0]!.dte), dev('ttyUSB0'));
  await symlink(
    await realpath(pairs[0]!.dte),
    join(dir, 'dev', 'serial', 'by-id', 'usb-Acme_FaxBlaster-if00'),
  );
  await symlink(await realpath(pairs[1]!.dte), dev('ttyACM0'));
  for (let i = 2; i < 7; i++) await symlink(await realpath(pairs[i]!.dte), dev(`ttyS${i}`));
  await symlink(join(dir, 'nowhere'), dev('ttyS99'));
  await writeFile(dev('console'), '');
  dcePort = await attachFake(new FakeModem(class1Handler()), pairs[0]!.dce);
  // ttyACM0 is in use by "minicom": this very process's PID, alive.
  await writeFile(
    await lockFilePath(dev('ttyACM0'), { lockDir: join(dir, 'lock') }),
    formatLockPid(process.pid),
  );
});

afterAll(async () => {
  await closeQuietly(dcePort);
  for (const p of pairs) await p.kill();
  await rm(dir, { recursive: true, force: true });
});

test('candidates: known names only, one per real device, the by-id name preferred', async () => {
  const list = await listSerialDevices({ devDir: join(dir, 'dev') });
  const paths = list.map((d) => d.path.slice(join(dir, 'dev').length + 1));
  expect(paths.sort()).toEqual([
    'serial/by-id/usb-Acme_FaxBlaster-if00',
    'ttyACM0',
    'ttyS2',
    'ttyS3',
    'ttyS4',
    'ttyS5',
    'ttyS6',
  ]);
});

test('probes in parallel: the modem answers, silent ports time out, a locked port is left alone', async () => {
  const lockDir = join(dir, 'lock');
  const found = await discoverModems({ devDir: join(dir, 'dev'), lockDir });
  const byName = new Map(found.map((d) => [d.path.split('/').pop(), d]));
  expect(byName.get('usb-Acme_FaxBlaster-if00')).toMatchObject({
    status: 'modem',
    manufacturer: 'Acme Modems',
    model: 'FaxBlaster 336',
    classes: ['0', '1', '8'],
    realPath: await realpath(pairs[0]!.dte),
  });
  expect(byName.get('ttyACM0')).toMatchObject({ status: 'locked', lockPid: process.pid });
  for (let i = 2; i < 7; i++) expect(byName.get(`ttyS${i}`)?.status).toBe('no-response');
  // Only the foreign lock remains: the probes removed their own.
  expect(await readdir(lockDir)).toEqual([
    (await lockFilePath(join(dir, 'dev', 'ttyACM0'), { lockDir })).split('/').pop(),
  ]);
}, 15000);
