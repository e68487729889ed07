/**
 * Flow control while receiving (issue 14: "the modem's own buffer limits, flow control both
 * ways"), against a scripted Class 1 modem on serialport's MockBinding:
 * - towards the host the modem cannot be held (the far end's carrier does not wait), so lpfax
 *   must take page data as fast as it comes: it is read on every 'data' event of the port and
 *   kept in memory until the page's consumer takes it, however slow that consumer is;
 * - towards the modem lpfax's responses (+FTH=3 frames after a page) wait while the modem holds
 *   XOFF (V.250 +IFC=1,1), as the sender's data does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockBinding } from '@serialport/binding-mock';
import { Class1ReceiveTransport } from '../../lib/fax/class1-receive.js';
import { Class1Modem } from '../../lib/modem/index.js';
import { MODULATIONS } from '../../lib/itu/modulation.js';
import { buildFrame, Fcf } from '../../lib/t30/index.js';
import {
  class1Handler,
  FakeModem,
  mockPortFactory,
  type CommandHandler,
} from '../modem/helpers/fake-modem.js';

let lockDir: string;
let n = 0;
beforeEach(async () => (lockDir = await mkdtemp(join(tmpdir(), 'lpfax-lock-'))));
afterEach(async () => {
  MockBinding.reset();
  await rm(lockDir, { recursive: true, force: true });
});

async function setup(
  more: CommandHandler,
): Promise<{ transport: Class1ReceiveTransport; modem: Class1Modem; fake: FakeModem }> {
  const path = `/dev/ttyRXFLOW${n++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const fake = new FakeModem(class1Handler(more));
  const modem = await Class1Modem.open(path, {
    portFactory: mockPortFactory(fake).factory,
    lockDir,
    commandTimeoutMs: 2000,
  });
  await modem.init();
  return { transport: await Class1ReceiveTransport.probe(modem), modem, fake };
}

const V29 = MODULATIONS.find((m) => m.code === 96)!;
const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('page data is taken in full while its consumer lags far behind the modem', async () => {
  // 64 KB of page data (about 55 s at 9600 bit/s) sent by the modem in 256-octet pieces as fast
  // as the port takes them; the consumer spends 3 ms on each piece it is handed.
  const data = Uint8Array.from({ length: 65536 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
  const { transport, modem } = await setup((cmd, m) => {
    if (cmd !== '+FRM=96') return m.reply('ERROR');
    m.reply('CONNECT');
    for (let o = 0; o < data.length; o += 256) m.sendShielded(data.subarray(o, o + 256), false);
    m.send(Uint8Array.of(0x10, 0x03));
    m.reply('NO CARRIER');
  });
  const got: Uint8Array[] = [];
  let calls = 0;
  const ended = await transport.receiveImage(V29, false, (chunk) => {
    calls++;
    busyWait(3);
    got.push(chunk);
  });
  expect(ended).toBe('ended');
  expect(calls).toBeGreaterThan(1);
  expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
  await modem.close();
}, 30_000);

test('a response after a page waits while the modem holds XOFF, and goes out at XON', async () => {
  const MCF = buildFrame(Fcf.MCF, []);
  let xonAt = 0;
  let frameAt = 0;
  const { transport, modem, fake } = await setup((cmd, m) => {
    if (cmd === '+FRM=96') {
      m.reply('CONNECT');
      m.sendShielded(new Uint8Array(500).fill(0x55));
      m.reply('NO CARRIER');
    } else if (cmd === '+FRS=8') {
      // The modem's buffer is full (XOFF) as the silence ends; XON 400 ms later.
      m.send('\x13');
      m.reply('OK');
      setTimeout(() => {
        xonAt = performance.now();
        m.send('\x11');
      }, 400);
    } else if (cmd === '+FTH=3') {
      m.reply('CONNECT');
      m.expectData();
      m.onBlock = (_b, mm) => {
        frameAt = performance.now();
        mm.reply('OK');
      };
    } else m.reply('ERROR');
  });
  expect(await transport.receiveImage(V29, false, () => undefined)).toBe('ended');
  await transport.awaitSilence(80);
  await transport.sendFrames([MCF]);
  expect(modem.channel.xoffCount).toBe(1);
  // Not one octet of the frame reached the modem before XON.
  expect(frameAt).toBeGreaterThanOrEqual(xonAt);
  expect(xonAt).toBeGreaterThan(0);
  expect(fake.blocks).toEqual([MCF]);
  await modem.close();
}, 30_000);
