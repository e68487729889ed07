/** AtChannel on serialport's MockBinding: one command at a time, per-command timeouts, echo, RING. */
import { MockBinding } from '@serialport/binding-mock';
import { AtChannel } from '../../lib/modem/at-channel.js';
import { ModemError } from '../../lib/modem/errors.js';
import { openPort } from '../../lib/modem/port.js';
import { FakeModem, mockPortFactory, type CommandHandler } from './helpers/fake-modem.js';

let n = 0;
afterEach(() => MockBinding.reset());

async function channel(
  handler: CommandHandler,
): Promise<{ at: AtChannel; fake: FakeModem; close(): Promise<void> }> {
  const path = `/dev/ttyCHAN${n++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const fake = new FakeModem(handler);
  const port = mockPortFactory(fake).factory({ path, baudRate: 19200, flowControl: 'none' });
  await openPort(port, path, 1000);
  return { at: new AtChannel(port, 400), fake, close: () => new Promise((r) => port.close(() => r())) };
}

test('concurrent commands go out one at a time, each answered by its own result', async () => {
  const order: string[] = [];
  const { at, fake, close } = await channel((cmd, m) => {
    order.push(`in:${cmd}`);
    setTimeout(() => m.send(`\r\n${cmd.toLowerCase()}\r\n\r\nOK\r\n`), 30);
  });
  const [a, b] = await Promise.all([at.command('+GMI'), at.command('+GMM')]);
  expect(a.lines).toEqual(['+gmi']);
  expect(b.lines).toEqual(['+gmm']);
  expect(fake.commands).toEqual(['+GMI', '+GMM']);
  await close();
});

test('a result arriving after its command timed out does not answer the next command', async () => {
  let first = true;
  const { at, close } = await channel((cmd, m) => {
    if (first) {
      first = false;
      setTimeout(() => m.reply('ERROR'), 450); // too late for the 400 ms timeout
    } else setTimeout(() => m.send('\r\n7\r\n\r\nOK\r\n'), 300);
  });
  const e = await at.command('+FTS=1').catch((err: unknown) => err);
  expect(e).toBeInstanceOf(ModemError);
  expect((e as ModemError).kind).toBe('timeout');
  await new Promise((r) => setTimeout(r, 200)); // the late ERROR arrives meanwhile
  const r = await at.command('S7?', { timeoutMs: 1000 });
  expect(r.code).toBe('OK');
  expect(r.lines).toEqual(['7']);
  await close();
});

test('the echo of the command and RING are not information text; RING is an event', async () => {
  const { at, close } = await channel((cmd, m) => m.send(`AT${cmd}\r\r\nRING\r\n\r\n0,1\r\n\r\nOK\r\n`));
  let rings = 0;
  at.on('ring', () => rings++);
  const r = await at.command('+FCLASS=?');
  expect(r.lines).toEqual(['0,1']);
  expect(rings).toBe(1);
  await close();
});

test('cancel rejects what is awaited with the given error; the channel stays usable', async () => {
  const { at, close } = await channel((cmd, m) => {
    if (cmd !== 'D1') m.reply('OK');
  });
  const dial = at.command('D1', { timeoutMs: 60000 });
  setTimeout(() => at.cancel(new ModemError('cancelled', 'job cancelled')), 50);
  const e = await dial.catch((err: unknown) => err);
  expect((e as ModemError).kind).toBe('cancelled');
  expect((await at.command('')).code).toBe('OK');
  await close();
});

test('the port closing fails the pending command and every later one with device-gone', async () => {
  const { at, close } = await channel(() => undefined);
  const pending = at.command('+FRH=3', { timeoutMs: 60000 }).catch((err: unknown) => err);
  setTimeout(() => void close(), 50);
  expect(((await pending) as ModemError).kind).toBe('device-gone');
  expect(at.gone?.kind).toBe('device-gone');
  await expect(at.command('')).rejects.toMatchObject({ kind: 'device-gone' });
});
