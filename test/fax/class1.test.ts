/**
 * Class1Transport against a scripted Class 1 modem (test/modem's FakeModem on serialport's
 * MockBinding): which AT commands and data blocks the T.30 actions become.
 */

import { MockBinding } from '@serialport/binding-mock';

import { mkdtemp, rm } from 'node:fs/promises';

import { tmpdir } from 'node:os';

import { join } from 'node:path';

import { Class1Transport } from '../../lib/fax/index.js';

import { Class1Modem } from '../../lib/modem/index.js';

import { buildFcd, buildRcp } from '../../lib/t30/index.js';
import {
  class1Handler,
  FakeModem,
  mockPortFactory,
  type CommandHandler,
} from '../modem/helpers/fake-modem.js';

import { deframe } from '../modem/helpers/hdlc-deframer.js';
import { MODULATIONS, modulationByCode } from '../../lib/itu/modulation.js';

let lockDir: string;
let n = 0;

beforeEach(async () => {
  lockDir = await mkdtemp(join(tmpdir(), 'lpfax-t30-lock-'));
});
afterEach(async () => {
  MockBinding.reset();
  await rm(lockDir, { recursive: true, force: true });
});

async function setup(fth: string, more: CommandHandler = (_c, m) => m.reply('ERROR')) {
  const path = `/dev/ttyT30MOCK${n++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const fake = new FakeModem(
    class1Handler((cmd, m) =>
      cmd.toUpperCase() === '+FTH=?' ? m.send(`\r\n${fth}\r\n\r\nOK\r\n`) : more(cmd, m),
    ),
  );
  const modem = await Class1Modem.open(path, {
    portFactory: mockPortFactory(fake).factory,
    lockDir,
    commandTimeoutMs: 500,
  });
  await modem.init();
  return { modem, fake, transport: await Class1Transport.probe(modem) };
}

/** Answers +FTH=<mod> and +FTM=<mod> with CONNECT, each HDLC frame with CONNECT, the end with OK. */
const highSpeed: CommandHandler = (cmd, m) => {
  if (/^\+FT[HM]=\d+$/i.test(cmd)) {
    const hdlc = /^\+FTH/i.test(cmd);
    m.onBlock = (block, modem) => {
      if (hdlc && block.length > 0) {
        modem.reply('CONNECT');
        modem.expectData();
      } else modem.reply('OK');
    };
    m.reply('CONNECT');
    m.expectData();
  } else m.reply('ERROR');
};

describe('Class1Transport', () => {
  it('offers ECM on a modem with +FTH=3 only: FCD/RCP go out as framed bits with +FTM=<mod>', async () => {
    const { modem, fake, transport } = await setup('3', highSpeed);
    try {
      expect(transport.ecm).toBe(true);
      expect(transport.modulations).toEqual(MODULATIONS);
      const frames = [buildFcd(0, Uint8Array.of(1, 2, 0x10, 3)), buildFcd(1, Uint8Array.of(4)), buildRcp()];
      await transport.sendImageFrames(modulationByCode(145)!, frames, true);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=146']); // V.17 short training after CFR
      const block = fake.blocks[fake.blocks.length - 1];
      // 200 ms of flags at 14400 bit/s first (T.4 Annex A §A.3), then the frames, FCS checked.
      expect(Array.from(block.subarray(0, 360))).toEqual(new Array<number>(360).fill(0x7e));
      expect(deframe(block)).toEqual({ frames, starts: expect.any(Array), rejected: 0 });
      await transport.sendImageFrames(modulationByCode(121)!, [buildRcp()], false);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=121']); // long training (after CTC)
      expect(deframe(fake.blocks[fake.blocks.length - 1]).frames).toEqual([buildRcp()]);
      await transport.sendImageFrames(modulationByCode(48)!, [buildRcp()], true);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=48']); // V.27 ter has no short training
      expect(fake.commands.some((c) => /^\+FTH=(?!3$)\d+$/.test(c))).toBe(false);
    } finally {
      await modem.close();
    }
  });

  it('uses V.17 long training when the modem does not list the short-training code', async () => {
    const { modem, fake } = await setup('3', highSpeed);
    try {
      const transport = new Class1Transport(modem, { transmit: [24, 48, 72, 96, 97] });
      expect(transport.ecm).toBe(true);
      await transport.sendImageFrames(modulationByCode(97)!, [buildRcp()], true);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=97']);
    } finally {
      await modem.close();
    }
  });

  it('sends pages with V.17 short training and TCF with long training', async () => {
    const { modem, fake, transport } = await setup('3', highSpeed);
    try {
      await transport.sendTraining(modulationByCode(97)!, 1500);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=97']);
      expect(fake.blocks[fake.blocks.length - 1]).toEqual(new Uint8Array(1800)); // 9600 bit/s × 1.5 s of zeros
      await transport.sendImage(modulationByCode(97)!, Uint8Array.of(0, 8, 0x10), true);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=98']);
      expect(Array.from(fake.blocks[fake.blocks.length - 1])).toEqual([0, 8, 0x10]);
      await transport.sendImage(modulationByCode(96)!, Uint8Array.of(1), true);
      expect(fake.commands.slice(-1)).toEqual(['+FTM=96']); // V.29 has no short training
    } finally {
      await modem.close();
    }
  });

  it('maps a busy line to a typed failure', async () => {
    const { modem, transport } = await setup('3', (cmd, m) =>
      cmd.startsWith('DT') ? m.reply('BUSY') : m.reply('ERROR'),
    );
    try {
      await expect(transport.dial('5550100')).rejects.toMatchObject({ kind: 'busy' });
    } finally {
      await modem.close();
    }
  });

  it('reads how a call ends at the Class 1 level: NO CARRIER after ATD is no fax; mid-call drops are remote-disconnected', async () => {
    // A modem that lost the line answers ERROR to +FTS (on hook) and NO CARRIER to +FTH/+FTM.
    const { modem, transport } = await setup('3', (cmd, m) => {
      if (cmd.startsWith('DT')) m.reply('NO CARRIER');
      else if (/^\+FTS=/i.test(cmd)) m.reply('ERROR');
      else if (/^\+FT[HM]=/i.test(cmd)) m.reply('NO CARRIER');
      else m.reply('ERROR');
    });
    try {
      await expect(transport.dial('5550100')).rejects.toMatchObject({ kind: 'not-a-fax' });
      await expect(transport.silence(75)).rejects.toMatchObject({ kind: 'remote-disconnected' });
      await expect(transport.sendFrames([new Uint8Array([0xff, 0x13, 0x2f])])).rejects.toMatchObject({
        kind: 'remote-disconnected',
      });
      const v17 = MODULATIONS.find((m) => m.code === 145)!;
      await expect(transport.sendImage(v17, new Uint8Array(64), true)).rejects.toMatchObject({
        kind: 'remote-disconnected',
      });
    } finally {
      await modem.close();
    }
  });

  it('dials with pulses when asked (lpfax.conf DialMode: pulse)', async () => {
    const { modem, fake, transport } = await setup('3', (cmd, m) =>
      /^D[TP]/.test(cmd) ? m.reply('BUSY') : m.reply('ERROR'),
    );
    try {
      await expect(transport.dial('5550100', { pulse: true })).rejects.toMatchObject({ kind: 'busy' });
      await expect(transport.dial('5550100')).rejects.toMatchObject({ kind: 'busy' });
      expect(fake.commands.filter((c) => c.startsWith('D'))).toEqual(['DP5550100', 'DT5550100']);
    } finally {
      await modem.close();
    }
  });
});
