/**
 * Class1Modem on a real tty (a socat pty pair) facing a misbehaving modem: garbage, ERROR,
 * silence, the device vanishing mid-command. Each ends as a typed error within its timeout,
 * with no unhandled rejection.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { Class1Modem } from '../../lib/modem/class1.js';
import { ModemError } from '../../lib/modem/errors.js';
import { class1Handler, FakeModem, type CommandHandler } from './helpers/fake-modem.js';
import { attachFake, closeQuietly, ptyPair, type PtyPair } from './helpers/pty-pair.js';

let dir: string;
let lockDir: string;
let pair: PtyPair;
let dcePort: SerialPort | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => {
  unhandled.push(e);
};

beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lpfax-pty-'));
  lockDir = join(dir, 'lock');
  await import('node:fs/promises').then((fs) => fs.mkdir(lockDir));
  pair = await ptyPair(dir);
});
afterEach(async () => {
  await closeQuietly(dcePort);
  dcePort = undefined;
  await pair.kill();
  await rm(dir, { recursive: true, force: true });
  expect(unhandled).toEqual([]);
});

async function setup(more?: CommandHandler): Promise<{ modem: Class1Modem; fake: FakeModem }> {
  const fake = new FakeModem(class1Handler(more));
  dcePort = await attachFake(fake, pair.dce);
  const modem = await Class1Modem.open(pair.dte, { lockDir, commandTimeoutMs: 800 });
  return { modem, fake };
}

async function failure(p: Promise<unknown>): Promise<ModemError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModemError);
  return e as ModemError;
}

test('init, identify and capabilities over a real tty with an echoing modem', async () => {
  let echo = true;
  const { modem, fake } = await setup();
  const base = fake.handler;
  fake.handler = (cmd, m) => {
    if (echo) m.send(`AT${cmd}\r`);
    if (cmd.startsWith('E0')) echo = false;
    base(cmd, m);
  };
  await modem.init();
  expect((await modem.identify()).model).toBe('FaxBlaster 336');
  expect((await modem.capabilities()).classes).toContain('1');
  await modem.close();
  expect(await readdir(lockDir)).toEqual([]);
});

test('garbage instead of a result is a timeout that reports what was seen', async () => {
  const { modem } = await setup((_c, m) =>
    m.send(Buffer.from('\x00\xff#@!garbage\x7f\r\n%%%\r\n', 'latin1')),
  );
  const e = await failure(modem.sendSilence(1));
  expect(e.kind).toBe('timeout');
  expect(e.response).toEqual(['#@!garbage', '%%%']);
  await modem.close();
});

test('ERROR is a typed error', async () => {
  const { modem } = await setup((_c, m) => m.reply('ERROR'));
  const e = await failure(modem.sendSilence(1));
  expect(e.kind).toBe('error');
  expect(e.command).toBe('+FTS=1');
  await modem.close();
});

test('silence after CONNECT in the middle of a frame is a timeout, then the modem is usable', async () => {
  const { modem, fake } = await setup((cmd, m) => {
    if (cmd === '+FRH=3') {
      m.reply('CONNECT');
      m.send(Uint8Array.of(0xff, 0x13));
      m.receiving = true;
      m.onAbortByte = (_b, mm) => mm.reply('OK');
    } else m.reply('OK');
  });
  const e = await failure(modem.receiveFrame({ timeoutMs: 2000 }));
  expect(e.kind).toBe('timeout');
  expect(fake.raw).toContain(0x18);
  await modem.sendSilence(1);
  await modem.close();
}, 20000);

test('the pty vanishing mid-command is device-gone, long before the command timeout', async () => {
  const { modem } = await setup((cmd) => {
    if (cmd === '+FRH=3') setTimeout(() => void pair.kill(), 100);
  });
  const e = await failure(modem.receiveFrame({ timeoutMs: 60000 }));
  expect(e.kind).toBe('device-gone');
  // Everything after fails the same way, at once; close still releases the lock.
  expect((await failure(modem.sendSilence(1))).kind).toBe('device-gone');
  await modem.close();
  expect(await readdir(lockDir)).toEqual([]);
}, 15000);

test('the pty vanishing while page data streams is device-gone; the source is not read forever', async () => {
  const { modem, fake } = await setup((cmd, m) => {
    if (cmd !== '+FTM=146') return m.reply('ERROR');
    m.reply('CONNECT');
    m.expectData();
    setTimeout(() => void pair.kill(), 100);
  });
  let pulled = 0;
  async function* endlessPage(): AsyncIterable<Uint8Array> {
    for (;;) {
      pulled++;
      await new Promise((r) => setTimeout(r, 10));
      yield new Uint8Array(512).fill(0x10);
    }
  }
  const e = await failure(modem.sendData(146, endlessPage()));
  expect(e.kind).toBe('device-gone');
  const after = pulled;
  await new Promise((r) => setTimeout(r, 100));
  expect(pulled).toBe(after);
  expect(fake.raw.length).toBeGreaterThan(0);
  await modem.close();
  expect(await readdir(lockDir)).toEqual([]);
}, 15000);

test('hang-up on a pty: no DTR there, which is not an error', async () => {
  let answerH = false;
  const { modem, fake } = await setup((cmd, m) => {
    if (cmd === 'H0' && !answerH) return;
    m.reply('OK');
  });
  await modem.hangup();
  expect(fake.commands).toEqual(['H0', '']);
  answerH = true;
  await modem.hangup();
  await modem.close();
}, 20000);

test('a device that is not there: open-failed, no lock left', async () => {
  const e = await failure(Class1Modem.open(join(dir, 'nothing'), { lockDir }));
  expect(e.kind).toBe('open-failed');
  expect(await readdir(lockDir)).toEqual([]);
});
