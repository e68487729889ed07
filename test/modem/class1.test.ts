/**
 * Class1Modem against a scripted modem on serialport's MockBinding: the T.31 exchanges
 * (+FRH, +FTH, +FTM, +FRM, +FTS, +FRS, ATD, ATH), result mapping and UUCP locking.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockBinding } from '@serialport/binding-mock';
import { Class1Modem } from '../../lib/modem/class1.js';
import { ModemError } from '../../lib/modem/errors.js';
import { fcs } from '../../lib/modem/hdlc.js';
import { parseHdlcModulations } from '../../lib/modem/identify.js';
import { class1Handler, FakeModem, mockPortFactory, type CommandHandler } from './helpers/fake-modem.js';

let lockDir: string;
let n = 0;

beforeEach(async () => {
  lockDir = await mkdtemp(join(tmpdir(), 'lpfax-lock-'));
});
afterEach(async () => {
  MockBinding.reset();
  await rm(lockDir, { recursive: true, force: true });
});

async function setup(
  more?: CommandHandler,
  options: { lineMarginMs?: number } = {},
): Promise<{ modem: Class1Modem; fake: FakeModem; path: string }> {
  const path = `/dev/ttyMOCK${n++}`;
  MockBinding.createPort(path, { echo: false, record: false });
  const fake = new FakeModem(class1Handler(more));
  const { factory } = mockPortFactory(fake);
  const modem = await Class1Modem.open(path, {
    portFactory: factory,
    lockDir,
    commandTimeoutMs: 500,
    ...options,
  });
  return { modem, fake, path };
}

async function failure(p: Promise<unknown>): Promise<ModemError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModemError);
  return e as ModemError;
}

const DIS = Uint8Array.of(0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x80);
const CSI = Uint8Array.of(0xff, 0x03, 0x40, 0x31, 0x32, 0x10, 0x33);
const withFcs = (f: Uint8Array): Uint8Array => Uint8Array.from([...f, ...fcs(f)]);

describe('init, identify, capabilities', () => {
  test('init sends the reset sequence and survives an echoing modem', async () => {
    let echo = true;
    const { modem, fake } = await setup((cmd, m) => m.reply(cmd === 'S7=60' ? 'OK' : 'ERROR'));
    const base = fake.handler;
    fake.handler = (cmd, m) => {
      if (echo) m.send(`AT${cmd}\r`);
      if (cmd.toUpperCase().startsWith('E0')) echo = false;
      base(cmd, m);
    };
    await modem.init({ extraCommands: ['ATS7=60'] });
    expect(fake.commands).toEqual(['', 'Z', '', 'E0V1Q0', '&D2', '+FCLASS=1', '+IFC=1,1', 'S7=60']);
    await modem.close();
  });

  test('a configured reset (lpfax.conf ModemInit) replaces ATZ, before Class 1 is set', async () => {
    const { modem, fake } = await setup((cmd, m) => m.reply(cmd === '&F S7=60' ? 'OK' : 'ERROR'));
    await modem.init({ resetCommand: 'AT&F S7=60' });
    expect(fake.commands).toEqual(['', '&F S7=60', '', 'E0V1Q0', '&D2', '+FCLASS=1', '+IFC=1,1']);
    await modem.close();
  });

  test('RTS/CTS flow control: the port is asked for it and the modem gets +IFC=2,2', async () => {
    const path = `/dev/ttyMOCK${n++}`;
    MockBinding.createPort(path, { echo: false, record: false });
    const fake = new FakeModem(class1Handler());
    const { factory } = mockPortFactory(fake);
    const asked: string[] = [];
    const modem = await Class1Modem.open(path, {
      lockDir,
      flowControl: 'rtscts',
      portFactory: (settings) => {
        asked.push(settings.flowControl);
        return factory(settings);
      },
    });
    await modem.init();
    expect(asked).toEqual(['rtscts']);
    expect(fake.commands).toContain('+IFC=2,2');
    await modem.close();
  });

  test('identify reads +GMI/+GMM, falls back to +FMR, and keeps ATI', async () => {
    const { modem } = await setup();
    await expect(modem.identify()).resolves.toEqual({
      manufacturer: 'Acme Modems',
      model: 'FaxBlaster 336',
      revision: '1.2.3',
      ati: ['56000'],
    });
    await modem.close();
  });

  test('capabilities parse +FCLASS=?, +FTM=?, +FRM=?, +FRH=?', async () => {
    const { modem } = await setup((cmd, m) => {
      if (cmd === '+FRH=?') m.send('\r\n(3)\r\n\r\nOK\r\n');
      else m.reply('ERROR');
    });
    const caps = await modem.capabilities();
    expect(caps.classes).toEqual(['0', '1', '8']);
    expect(caps.transmit).toEqual([24, 48, 72, 73, 74, 96, 97, 98, 121, 122, 145, 146]);
    expect(caps.receive).toContain(146);
    expect(caps.hdlcReceive).toEqual([3]);
    await modem.close();
  });

  test('init fails with no-response when nothing answers AT, after trying the +++ escape', async () => {
    const { modem, fake } = await setup();
    fake.handler = () => undefined;
    const e = await failure(modem.init());
    expect(e.kind).toBe('no-response');
    expect(Buffer.from(fake.raw).toString('latin1')).toContain('+++');
    await modem.close();
  }, 15000);
});

describe('dial (ATD) and the first frame without +FRH', () => {
  test('ATDT with pauses; CONNECT; the DIS that follows is read without +FRH=3', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd.startsWith('DT')) {
        m.reply('CONNECT');
        m.sendShielded(withFcs(DIS));
        m.reply('OK');
      } else m.reply('ERROR');
    });
    await modem.dial('0,,123-45 67');
    expect(fake.commands).toContain('DT0,,1234567');
    await expect(modem.receiveFrame()).resolves.toEqual(DIS);
    expect(fake.commands.filter((c) => c.startsWith('+FRH'))).toEqual([]);
    await modem.close();
  });

  test('pulse dialling uses ATDP', async () => {
    const { modem, fake } = await setup((cmd, m) => m.reply(cmd.startsWith('D') ? 'BUSY' : 'ERROR'));
    await failure(modem.dial('5', { pulse: true }));
    expect(fake.commands).toContain('DP5');
    await modem.close();
  });

  test.each([
    ['BUSY', 'busy'],
    ['NO ANSWER', 'no-answer'],
    ['NO DIALTONE', 'no-dial-tone'],
    ['NO DIAL TONE', 'no-dial-tone'],
    ['NO CARRIER', 'no-carrier'],
    ['ERROR', 'error'],
    ['BLACKLISTED', 'dial-restricted'],
  ])('%s is a typed %s error', async (answer, kind) => {
    const { modem } = await setup((_c, m) => m.reply(answer));
    const e = await failure(modem.dial('123'));
    expect(e.kind).toBe(kind);
    expect(e.command).toBe('DT123');
    await modem.close();
  });

  test('a dial string with ; or letters is refused before anything is sent', async () => {
    const { modem, fake } = await setup();
    expect((await failure(modem.dial('123;H'))).kind).toBe('invalid-argument');
    expect((await failure(modem.dial(''))).kind).toBe('invalid-argument');
    expect(fake.commands).toEqual([]);
    await modem.close();
  });
});

describe('receiveFrame (+FRH=3, T.31 §8.3.5)', () => {
  test('frames with DLE in them, FCS removed; the ERROR of a bad FCS is bad-frame', async () => {
    let calls = 0;
    const { modem } = await setup((cmd, m) => {
      if (cmd !== '+FRH=3') return m.reply('ERROR');
      m.reply('CONNECT');
      m.sendShielded(withFcs(calls === 0 ? CSI : DIS));
      m.reply(calls++ === 0 ? 'OK' : 'ERROR');
    });
    await expect(modem.receiveFrame()).resolves.toEqual(CSI);
    const e = await failure(modem.receiveFrame());
    expect(e.kind).toBe('bad-frame');
    expect(e.frame?.slice(0, DIS.length)).toEqual(DIS);
    await modem.close();
  });

  test('OK to +FRH (the DCE took it as the abort of a delivery): +FRH goes again, once', async () => {
    // Recorded from spandsp's T.31 (TSB-85 MTGX23): a buffered garbage frame is handed over
    // (CONNECT, octets, ERROR), and the next +FRH=3 is answered OK alone.
    const answers: Array<'OK' | 'frame'> = ['OK', 'frame', 'OK', 'OK'];
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd !== '+FRH=3') return m.reply('ERROR');
      if (answers.shift() === 'OK') return m.reply('OK');
      m.reply('CONNECT');
      m.sendShielded(withFcs(CSI));
      m.reply('OK');
    });
    await expect(modem.receiveFrame()).resolves.toEqual(CSI);
    expect(fake.commands.filter((c) => c === '+FRH=3')).toHaveLength(2);
    // Twice OK: not a stray abort; the modem refuses the receive.
    const e = await failure(modem.receiveFrame());
    expect(e.kind).toBe('unexpected-response');
    expect(fake.commands.filter((c) => c === '+FRH=3')).toHaveLength(4);
    await modem.close();
  });

  test('+FCERROR is wrong-carrier, NO CARRIER is no-carrier', async () => {
    const answers = ['+FCERROR', 'NO CARRIER'];
    const { modem } = await setup((_c, m) => m.reply(answers.shift() ?? 'ERROR'));
    expect((await failure(modem.receiveFrame())).kind).toBe('wrong-carrier');
    expect((await failure(modem.receiveFrame())).kind).toBe('no-carrier');
    await modem.close();
  });

  test('no carrier within the timeout: the receive is aborted with a character, then timeout', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd === '+FRH=3') {
        m.receiving = true;
        m.onAbortByte = (_b, mm) => mm.reply('OK');
      } else m.reply('OK');
    });
    const e = await failure(modem.receiveFrame({ timeoutMs: 300 }));
    expect(e.kind).toBe('timeout');
    expect(fake.raw).toContain(0x18);
    // The channel is usable afterwards.
    await modem.sendSilence(1);
    expect(fake.commands.at(-1)).toBe('+FTS=1');
    await modem.close();
  });
});

describe('sendFrames (+FTH=3, T.31 §8.3.4)', () => {
  test('CONNECT between frames, OK after the final one; DLE shielded on the wire', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd === '+FTH=3') {
        m.reply('CONNECT');
        m.expectData();
      } else m.reply('ERROR');
    });
    fake.onBlock = (block, m) => {
      if (block[1] === 0x13) m.reply('OK');
      else {
        m.reply('CONNECT');
        m.expectData();
      }
    };
    const nonFinalDis = Uint8Array.from(DIS);
    nonFinalDis[1] = 0x03;
    await modem.sendFrames([CSI, Uint8Array.of(0xff, 0x13, 0x80, 0x10)]);
    expect(fake.blocks).toEqual([CSI, Uint8Array.of(0xff, 0x13, 0x80, 0x10)]);
    expect(fake.commands.filter((c) => c === '+FTH=3')).toHaveLength(1);
    expect((await failure(modem.sendFrames([nonFinalDis]))).kind).toBe('invalid-argument');
    expect((await failure(modem.sendFrames([DIS, DIS]))).kind).toBe('invalid-argument');
    await modem.close();
  });

  test('a CONNECT before the final OK (the DCE ran short of data and asks for more) is passed over', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd === '+FTH=3') {
        m.reply('CONNECT');
        m.expectData();
      } else m.reply('ERROR');
    });
    fake.onBlock = (block, m) => {
      if (block[1] !== 0x13) {
        m.reply('CONNECT');
        m.expectData();
        return;
      }
      m.reply('CONNECT');
      setTimeout(() => m.reply('OK'), 50);
    };
    await modem.sendFrames([CSI, DIS]);
    expect(fake.blocks).toEqual([CSI, DIS]);
    // The modem is in command state: the next command is answered as usual.
    await modem.sendSilence(1).catch(() => undefined);
    expect(fake.commands).toEqual(['+FTH=3', '+FTS=1']);
    // A modem that says CONNECT instead of OK, again and again, is still an error.
    fake.onBlock = (_b, m) => {
      m.reply('CONNECT');
      m.reply('CONNECT');
      m.reply('CONNECT');
    };
    expect((await failure(modem.sendFrames([DIS]))).kind).toBe('unexpected-response');
    await modem.close();
  });

  test('after ATA the modem is already sending V.21: no +FTH for the first frames', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd === 'A') {
        m.reply('CONNECT');
        m.expectData();
      } else m.reply('ERROR');
    });
    await modem.answer();
    await modem.sendFrames([DIS]);
    expect(fake.commands).toEqual(['A']);
    expect(fake.blocks).toEqual([DIS]);
    await modem.close();
  });

  test('receiveFrame at message speed sends +FRH=<mod>', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd !== '+FRH=146') return m.reply('ERROR');
      m.reply('CONNECT');
      m.sendShielded(withFcs(Uint8Array.of(0xff, 0x03, 0x06, 0x01, 0x10)));
      m.reply('OK');
    });
    await expect(modem.receiveFrame({ modulation: 146 })).resolves.toEqual(
      Uint8Array.of(0xff, 0x03, 0x06, 0x01, 0x10),
    );
    expect(fake.commands).toEqual(['+FRH=146']);
    await modem.close();
  });

  test('ERROR after a frame is a typed error', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      m.reply('CONNECT');
      m.expectData();
    });
    fake.onBlock = (_b, m) => m.reply('ERROR');
    expect((await failure(modem.sendFrames([DIS]))).kind).toBe('error');
    await modem.close();
  });
});

describe('sendData (+FTM, T.31 §8.3.3)', () => {
  test('shielded data, DLE ETX, OK; nothing is sent while the modem holds XOFF', async () => {
    let sentDuringXoff = -1;
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd !== '+FTM=96') return m.reply('ERROR');
      m.send('\r\nCONNECT\r\n\x13');
      m.expectData();
      const before = m.raw.length;
      setTimeout(() => {
        sentDuringXoff = m.raw.length - before;
        m.send('\x11');
      }, 150);
    });
    const page = Uint8Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0x10 : i & 0xff));
    async function* pages(): AsyncIterable<Uint8Array> {
      yield page.subarray(0, 1000);
      yield page.subarray(1000);
    }
    await modem.sendData(96, pages());
    expect(sentDuringXoff).toBe(0);
    expect(fake.blocks).toEqual([page]);
    await modem.close();
  });

  test('a data source that throws leaves the modem in command state and rethrows', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      m.reply('CONNECT');
      m.expectData();
    });
    const boom = new Error('codec failed');
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Uint8Array.of(1, 2, 3);
      throw boom;
    }
    await expect(modem.sendData(146, broken())).rejects.toBe(boom);
    expect(fake.blocks).toEqual([Uint8Array.of(1, 2, 3)]);
    expect((await failure(modem.sendData(99 as 96, Uint8Array.of(0)))).kind).toBe('invalid-argument');
    await modem.close();
  });
});

describe('transmit deadlines follow the line (line-backlog.ts)', () => {
  // 2400 bit/s (+FTM=24): 600 octets are 2 s on the line. The margin is cut to 300 ms, so a
  // fixed deadline of that size would fail every case below that waits longer than it.
  const MARGIN = 300;
  const half = new Uint8Array(600).fill(0x55);

  /** A modem that answers +FTM=24 and sends XOFF once the first 600 octets are in. */
  function xoffAfter600(xonAfterMs: number | undefined): CommandHandler {
    return (cmd, m) => {
      if (cmd !== '+FTM=24') return m.reply('ERROR');
      m.reply('CONNECT');
      m.expectData();
      m.onInput = (mm) => {
        if (mm.dataReceived < 600) return;
        mm.onInput = undefined;
        mm.send('\x13');
        if (xonAfterMs !== undefined) setTimeout(() => mm.send('\x11'), xonAfterMs);
      };
    };
  }

  /** The page in two halves; the second waits until the modem has sent XOFF. */
  async function* twoHalves(fake: () => FakeModem): AsyncIterable<Uint8Array> {
    yield half;
    while (fake().onInput) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20)); // the XOFF reaches the driver
    yield half;
  }

  test('XOFF held longer than the margin but within the line time of the queued octets: the page goes out', async () => {
    const { modem, fake } = await setup(xoffAfter600(1000), { lineMarginMs: MARGIN });
    await modem.sendData(
      24,
      twoHalves(() => fake),
    );
    expect(modem.channel.xoffCount).toBe(1);
    expect(fake.blocks).toEqual([new Uint8Array(1200).fill(0x55)]);
    await modem.close();
  });

  test('XOFF forever: a timeout bounded by the line time of what was queued, naming it', async () => {
    const { modem, fake } = await setup(xoffAfter600(undefined), { lineMarginMs: MARGIN });
    const e = await failure(
      modem.sendData(
        24,
        twoHalves(() => fake),
      ),
    );
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(
      /^the modem held XOFF for \d+ ms \(the line's time for \d+ octets queued at 2400 bit\/s and 256 being written, plus 300 ms\)$/,
    );
    // The second half never went out.
    expect(fake.dataReceived).toBe(600);
    await modem.close();
  });

  test('a port that stops accepting writes: a timeout, not a hang', async () => {
    let release!: () => void;
    const { modem, fake } = await setup(
      (cmd, m) => {
        if (cmd !== '+FTM=24') return m.reply('ERROR');
        m.reply('CONNECT');
        m.expectData();
        m.holdWrites = new Promise<void>((r) => (release = r));
      },
      { lineMarginMs: MARGIN },
    );
    const e = await failure(modem.sendData(24, half));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(
      /^the port did not accept data within 1154 ms \(the line's time for 0 octets queued at 2400 bit\/s and 256 being written, plus 300 ms\)$/,
    );
    release();
    expect(fake.blocks).toEqual([]);
    await modem.close();
  });

  test('the final OK: waited for as long as the page needs on the line, and no longer', async () => {
    const ftm: CommandHandler = (cmd, m) => {
      if (cmd !== '+FTM=24') return m.reply('ERROR');
      m.reply('CONNECT');
      m.expectData();
    };
    // OK 1 s after DLE ETX, as a modem still sending 2 s of data says it.
    const slow = await setup(ftm, { lineMarginMs: MARGIN });
    slow.fake.onBlock = (_b, m) => setTimeout(() => m.reply('OK'), 1000);
    await slow.modem.sendData(24, half);
    expect(slow.fake.blocks).toEqual([half]);
    await slow.modem.close();
    // A modem that never says OK fails in bounded time.
    const dead = await setup(ftm, { lineMarginMs: MARGIN });
    dead.fake.onBlock = () => undefined;
    const e = await failure(dead.modem.sendData(24, half));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(
      /^no result from the modem within \d+ ms for AT\+FTM=24 \(the line's time for \d+ octets queued at 2400 bit\/s, plus 300 ms\)$/,
    );
    await dead.modem.close();
  });
});

describe('receiveData (+FRM, T.31 §8.3.2)', () => {
  test('data until DLE ETX and NO CARRIER', async () => {
    const tcf = new Uint8Array(1800);
    tcf[7] = 0x10;
    const { modem } = await setup((cmd, m) => {
      if (cmd !== '+FRM=96') return m.reply('ERROR');
      m.reply('CONNECT');
      m.sendShielded(tcf.subarray(0, 900), false);
      setTimeout(() => {
        m.sendShielded(tcf.subarray(900));
        m.reply('NO CARRIER');
      }, 20);
    });
    const r = await modem.receiveData(96);
    expect(r.endedBy).toBe('carrier-lost');
    expect(r.data).toEqual(tcf);
    await modem.close();
  });

  test('OK to +FRM (the DCE took it as the abort of a frame delivery): +FRM goes again, once', async () => {
    const tcf = new Uint8Array(300);
    const answers: Array<'OK' | 'data'> = ['OK', 'data', 'OK', 'OK'];
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd !== '+FRM=96') return m.reply('ERROR');
      if (answers.shift() === 'OK') return m.reply('OK');
      m.reply('CONNECT');
      m.sendShielded(tcf);
      m.reply('NO CARRIER');
    });
    const r = await modem.receiveData(96);
    expect([r.endedBy, r.data.length]).toEqual(['carrier-lost', 300]);
    expect(fake.commands.filter((c) => c === '+FRM=96')).toHaveLength(2);
    // Twice OK: not a stray abort; the modem refuses the receive.
    expect((await failure(modem.receiveData(96))).kind).toBe('unexpected-response');
    expect(fake.commands.filter((c) => c === '+FRM=96')).toHaveLength(4);
    await modem.close();
  });

  test('+FCERROR: the far end sends V.21 instead', async () => {
    const { modem } = await setup((_c, m) => m.reply('+FCERROR'));
    expect((await failure(modem.receiveData(146))).kind).toBe('wrong-carrier');
    await modem.close();
  });

  test('maxDurationMs stops an endless carrier with an abort character', async () => {
    let timer: NodeJS.Timeout | undefined;
    const { modem, fake } = await setup((cmd, m) => {
      m.reply('CONNECT');
      m.receiving = true;
      timer = setInterval(() => m.send(new Uint8Array(100)), 10);
      m.onAbortByte = (_b, mm) => {
        clearInterval(timer);
        mm.sendShielded(new Uint8Array(0));
        mm.reply('OK');
      };
    });
    const chunks: number[] = [];
    const r = await modem.receiveData(72, { maxDurationMs: 200, onData: (c) => chunks.push(c.length) });
    clearInterval(timer);
    expect(r.endedBy).toBe('stopped');
    expect(chunks.length).toBeGreaterThan(0);
    expect(fake.raw).toContain(0x18);
    await modem.close();
  });
});

describe('silences, hang-up, close', () => {
  test('+FTS and +FRS', async () => {
    const { modem, fake } = await setup((cmd, m) =>
      m.reply(cmd.startsWith('+FTS=') || cmd.startsWith('+FRS=') ? 'OK' : 'ERROR'),
    );
    await modem.sendSilence(8);
    await modem.receiveSilence(20);
    expect(fake.commands).toEqual(['+FTS=8', '+FRS=20']);
    expect((await failure(modem.sendSilence(300))).kind).toBe('invalid-argument');
    await modem.close();
  });

  test('hangup sends ATH0; a modem that ignores it gets a DTR drop and AT', async () => {
    let ignoreH = false;
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd === 'H0' && ignoreH) return;
      m.reply('OK');
    });
    await modem.hangup();
    expect(fake.commands).toEqual(['H0']);
    ignoreH = true;
    await modem.hangup();
    expect(fake.commands.slice(1)).toEqual(['H0', '']);
    await modem.close();
  }, 10000);

  test('hangup in the middle of a received frame aborts it first', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd.startsWith('DT')) {
        m.reply('CONNECT');
        m.send(Uint8Array.of(0xff, 0x03));
        m.receiving = true;
        m.onAbortByte = (_b, mm) => mm.reply('OK');
      } else m.reply('OK');
    });
    await modem.dial('1');
    await modem.hangup();
    expect(fake.raw).toContain(0x18);
    expect(fake.commands.at(-1)).toBe('H0');
    await modem.close();
  });

  test('the UUCP lock exists while open (HDB format), blocks a second open, and goes on close', async () => {
    const { modem, path } = await setup();
    const lockFile = join(lockDir, `LCK..${path.split('/').pop()}`);
    expect(await readFile(lockFile, 'latin1')).toBe(`${String(process.pid).padStart(10)}\n`);
    const second = await failure(
      Class1Modem.open(path, {
        lockDir,
        portFactory: mockPortFactory(new FakeModem(() => undefined)).factory,
      }),
    );
    expect(second.kind).toBe('locked');
    expect(second.pid).toBe(process.pid);
    await modem.close();
    await modem.close();
    expect(await readdir(lockDir)).toEqual([]);
    expect((await failure(modem.sendSilence(1))).kind).toBe('cancelled');
  });

  test('a port that fails to open leaves no lock behind', async () => {
    const { factory } = mockPortFactory(new FakeModem(() => undefined));
    const e = await failure(Class1Modem.open('/dev/ttyNOTCREATED', { lockDir, portFactory: factory }));
    expect(e.kind).toBe('open-failed');
    expect(await readdir(lockDir)).toEqual([]);
  });

  test('garbage and RING lines do not answer a command; silence is a timeout naming the command', async () => {
    const { modem } = await setup((cmd, m) => {
      m.send('\r\nRING\r\n\x00\xff\xfe garbage \r\n');
    });
    const e = await failure(modem.sendSilence(5));
    expect(e.kind).toBe('timeout');
    expect(e.command).toBe('+FTS=5');
    expect(e.response).toEqual(['garbage']);
    await modem.close();
  });
});

describe('incoming calls', () => {
  test('waitForRing resolves at RING, times out without, and abort() ends it', async () => {
    const { modem, fake } = await setup();
    setTimeout(() => fake.reply('RING'), 50);
    await modem.waitForRing(2000);
    expect((await failure(modem.waitForRing(100))).kind).toBe('timeout');
    const waiting = modem.waitForRing(60000);
    setTimeout(() => modem.abort(), 50);
    expect((await failure(waiting)).kind).toBe('cancelled');
    await modem.close();
  });
});

describe('interrupting', () => {
  test('abort() ends a dial in progress; hangup() then leaves the line', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd.startsWith('DT')) {
        // Dialling: V.250 §6.3.1, any character aborts it.
        m.receiving = true;
        m.onAbortByte = (_b, mm) => mm.reply('NO CARRIER');
      } else m.reply('OK');
    });
    const dial = modem.dial('5551234', { timeoutMs: 60000 });
    setTimeout(() => modem.abort('job cancelled'), 50);
    const e = await failure(dial);
    expect(e.kind).toBe('cancelled');
    expect(fake.raw).toContain(0x18);
    await modem.hangup();
    expect(fake.commands).toEqual(['DT5551234', 'H0']);
    await modem.close();
  }, 10000);

  test('close() during a dial: the dial rejects with cancelled, the lock goes', async () => {
    const { modem } = await setup(() => undefined);
    const dial = modem.dial('5551234', { timeoutMs: 60000 }).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    await modem.close();
    expect(((await dial) as ModemError).kind).toBe('cancelled');
    expect(await readdir(lockDir)).toEqual([]);
  });

  test('sending after ATD without reading the frame first ends the receive (CAN), then +FTH', async () => {
    const { modem, fake } = await setup((cmd, m) => {
      if (cmd.startsWith('DT')) {
        m.reply('CONNECT');
        m.send(Uint8Array.of(0xff));
        m.receiving = true;
        m.onAbortByte = (_b, mm) => mm.reply('OK');
      } else if (cmd === '+FTH=3') {
        m.reply('CONNECT');
        m.expectData();
      } else m.reply('ERROR');
    });
    await modem.dial('1');
    await modem.sendFrames([DIS]);
    expect(fake.raw).toContain(0x18);
    expect(fake.commands).toEqual(['DT1', '+FTH=3']);
    expect(fake.blocks).toEqual([DIS]);
    await modem.close();
  });
});

describe('Class 1 capability lists', () => {
  it('reads +FTM=? and +FTH=? answers, ranges included', () => {
    expect(parseHdlcModulations(['3'])).toEqual([3]);
    expect(parseHdlcModulations(['24,48,72,73,74,96,97,98,121,122,145,146'])).toHaveLength(12);
    expect(parseHdlcModulations(['(3,24-74)'])).toEqual([3, 24, 48, 72, 73, 74]);
  });
});
