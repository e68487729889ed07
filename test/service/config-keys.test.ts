/**
 * Every lpfax.conf key of the fax service reaches what it controls: for each key in
 * SERVICE_SETTINGS, an lpfax.conf that sets it is read and the service plan (lib/service
 * servicePlan: the lines answered, rings, spool, delivery actions — what `lpfax serve` runs) must
 * change as the key's row says. The end-to-end use of the plan is proved in serve.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFaxSettings, SERVICE_SETTINGS, SETTINGS } from '../../lib/config/index.js';
import { servicePlan, type ServicePlan } from '../../lib/service/index.js';

const ROWS: Record<string, { line: string; check(plan: ServicePlan): void }> = {
  ReceiveDevices: {
    line: 'ReceiveDevices: /dev/ttyUSB0, /dev/ttyUSB1',
    check: (p) => expect(p.devices).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']),
  },
  AnswerRings: { line: 'AnswerRings: 4', check: (p) => expect(p.rings).toBe(4) },
  SpoolDir: { line: 'SpoolDir: /srv/fax', check: (p) => expect(p.spool).toBe('/srv/fax') },
  DeliverMail: {
    line: 'DeliverMail: office@example.org ann',
    check: (p) => expect(p.actions).toEqual([{ kind: 'mail', to: ['office@example.org', 'ann'] }]),
  },
  DeliverFolder: {
    line: 'DeliverFolder: /srv/inbox',
    check: (p) => expect(p.actions).toEqual([{ kind: 'folder', dir: '/srv/inbox' }]),
  },
  DeliverPrint: {
    line: 'DeliverPrint: Office',
    check: (p) => expect(p.actions).toEqual([{ kind: 'print', queue: 'Office' }]),
  },
  DeliverHook: {
    line: 'DeliverHook: /usr/local/bin/newfax',
    check: (p) => expect(p.actions).toEqual([{ kind: 'hook', command: ['/usr/local/bin/newfax'] }]),
  },
  RejectCallers: {
    line: 'RejectCallers: +1 555 0100, JUNK*',
    check: (p) => expect(p.rejectCallers).toEqual(['+1 555 0100', 'JUNK*']),
  },
  MinFreeSpace: { line: 'MinFreeSpace: 500 kB', check: (p) => expect(p.minFreeBytes).toBe(500_000) },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-service-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function planFrom(name: string, lines: string[]): ServicePlan {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, lines.join('\n') + '\n');
  const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf } });
  if (!loaded.ok) throw loaded.error;
  return servicePlan(loaded.value.settings);
}

it('every service key has a row here', () => {
  expect(SERVICE_SETTINGS.map((n) => SETTINGS[n].key).sort()).toEqual(Object.keys(ROWS).sort());
});

it('by default the service answers no line, refuses no one, delivers nowhere, into /var/spool/lpfax (20 MB kept free)', () => {
  expect(planFrom('defaults', [])).toEqual({
    devices: [],
    rings: 1,
    spool: '/var/spool/lpfax',
    actions: [],
    rejectCallers: [],
    minFreeBytes: 20_000_000,
  });
});

describe.each(Object.entries(ROWS))('%s', (key, row) => {
  it('changes what the service does, as its row says', () => {
    const withKey = planFrom(key, [row.line]);
    row.check(withKey);
    expect(withKey).not.toEqual(planFrom(`${key}-base`, []));
  });
});

it('refuses bad values with the file, line and key named', () => {
  for (const line of [
    'ReceiveDevices: ttyS0',
    'AnswerRings: 0',
    'DeliverMail: "a b;c"',
    'DeliverPrint: a/b',
    'MinFreeSpace: lots',
    'MinFreeSpace: 5 TB',
    'RejectCallers: *',
  ]) {
    const conf = join(dir, 'bad.conf');
    writeFileSync(conf, `${line}\n`);
    const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf } });
    expect([line, loaded.ok]).toEqual([line, false]);
  }
});

it('ReceiveDevices and DeliverMail add up when repeated', () => {
  const plan = planFrom('repeat', [
    'ReceiveDevices: /dev/a',
    'ReceiveDevices: /dev/b',
    'DeliverMail: x',
    'DeliverMail: y',
  ]);
  expect(plan.devices).toEqual(['/dev/a', '/dev/b']);
  expect(plan.actions).toEqual([{ kind: 'mail', to: ['x', 'y'] }]);
});

it('MinFreeSpace takes plain bytes and decimal units; 0 turns the check off', () => {
  expect(planFrom('mfs0', ['MinFreeSpace: 0']).minFreeBytes).toBe(0);
  expect(planFrom('mfs1', ['MinFreeSpace: 1.5G']).minFreeBytes).toBe(1_500_000_000);
  expect(planFrom('mfs2', ['MinFreeSpace: 4096']).minFreeBytes).toBe(4096);
});
