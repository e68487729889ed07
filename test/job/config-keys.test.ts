/**
 * Every lpfax.conf key reaches what it controls. For each key in the settings table, an
 * lpfax.conf that sets it (on top of a few base lines) is read, and what a job would do with
 * it is taken from the functions the backend and `lpfax send` use: the call (callPlan: port,
 * modem reset and class, fax session), the pages (coverAndTagline: cover page and tagline),
 * the recipients (jobRecipients: dial rules and policy), the sender's name (jobSender) and the
 * lines written for CUPS (backendReporter). The test fails when a key changes none of them, or
 * not the way its row says, and when a key of the table has no row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadFaxSettings,
  SERVICE_SETTINGS,
  SETTINGS,
  WEB_SETTINGS,
  type FaxSettings,
} from '../../lib/config/index.js';
import type { CupsReporter } from '../../lib/cups/backend.js';
import { backendReporter, jobSender } from '../../lib/job/backend-job.js';
import { callPlan } from '../../lib/job/call.js';
import { coverAndTagline } from '../../lib/job/pages.js';
import { receiveCapabilities } from '../../lib/job/receive.js';
import { jobRecipients } from '../../lib/job/recipients.js';

const TITLE = 'Ann@+1 212 555 0100#77';
/** A login that /etc/passwd does not have: without SenderName, the sender is the login itself. */
const USER = 'lpfax-no-such-user';

/** What a job does with its settings, as the code that runs a job computes it. */
async function effects(settings: FaxSettings, title = TITLE) {
  let recipients: unknown;
  try {
    recipients = await jobRecipients({ title, option: () => undefined }, settings);
  } catch (e) {
    recipients = { refused: (e as Error).message };
  }
  const recipient = Array.isArray(recipients)
    ? recipients[0]
    : { number: '2125550100', dialString: '2125550100', name: 'Ann' };
  const pages = coverAndTagline(settings, recipient, { sender: 'S', jobId: 1 });
  if (pages.cover) pages.cover.fields.date = ''; // today's date is not a setting
  const lines: string[] = [];
  const collect: CupsReporter = {
    log: (level, text) => lines.push(`${level}: ${text}`),
    state: () => undefined,
    attr: () => undefined,
    page: () => undefined,
  };
  const reporter = backendReporter(collect, settings);
  for (const level of ['ERROR', 'WARNING', 'INFO', 'DEBUG'] as const) reporter.log(level, 'x');
  return {
    call: callPlan(settings, recipient),
    receive: receiveCapabilities(settings),
    // Where a confirmation sheet goes (printed through cupsd in test/cupsd/faxout.test.ts).
    confirmationPrinter: settings.confirmationPrinter,
    pages,
    recipients,
    sender: await jobSender(settings, USER),
    lines,
  };
}
type Effects = Awaited<ReturnType<typeof effects>>;

interface Row {
  /** The key's line in lpfax.conf. */
  line: string;
  /** Lines in both files, the key's own being the only difference. */
  base?: string[];
  title?: string;
  /** The effect the key must have. */
  check(e: Effects): void;
}

const ROWS: Record<string, Row> = {
  ModemDevice: {
    line: 'ModemDevice: /dev/ttyUSB3',
    check: (e) => expect(e.call.device).toBe('/dev/ttyUSB3'),
  },
  ModemBaud: { line: 'ModemBaud: 38400', check: (e) => expect(e.call.open.baudRate).toBe(38400) },
  ModemClass: { line: 'ModemClass: 1.0', check: (e) => expect(e.call.init.serviceClass).toBe('1.0') },
  ModemInit: { line: 'ModemInit: ATZ', check: (e) => expect(e.call.init.resetCommand).toBe('ATZ') },
  MaxSpeed: { line: 'MaxSpeed: 9600', check: (e) => expect(e.call.send.maxBitRate).toBe(9600) },
  LockDir: { line: 'LockDir: /srv/locks', check: (e) => expect(e.call.open.lockDir).toBe('/srv/locks') },
  LocalIdentifier: {
    line: 'LocalIdentifier: +1 415 555 0100',
    check: (e) => {
      expect(e.call.send.localIdent).toBe('+1 415 555 0100'); // TSI
      expect(e.pages.tagline).toMatchObject({ localIdentifier: '+1 415 555 0100' });
    },
  },
  SenderName: {
    line: 'SenderName: Riverside Clinic',
    check: (e) => expect(e.sender).toBe('Riverside Clinic'),
  },
  Organisation: {
    line: 'Organisation: Acme Ltd',
    check: (e) => {
      expect(e.pages.cover?.fields.fromOrganisation).toBe('Acme Ltd');
      expect(e.pages.tagline).toMatchObject({ organisation: 'Acme Ltd' });
    },
  },
  FaxNumber: {
    line: 'FaxNumber: +1 415 555 0199',
    check: (e) => {
      expect(e.pages.cover?.fields.fromFax).toBe('+1 415 555 0199');
      expect(e.pages.tagline).toMatchObject({ stationNumber: '+1 415 555 0199' });
    },
  },
  VoiceNumber: {
    line: 'VoiceNumber: +1 415 555 0198',
    check: (e) => expect(e.pages.cover?.fields.fromVoice).toBe('+1 415 555 0198'),
  },
  // +1 212 555 0100 from San Francisco (NANP): long distance with the prefix 1.
  CountryCode: {
    line: 'CountryCode: 1',
    base: ['AreaCode: 415', 'LongDistancePrefix: 1', 'InternationalPrefix: 011'],
    check: (e) => expect(e.recipients).toMatchObject([{ dialString: '12125550100' }]),
  },
  AreaCode: {
    line: 'AreaCode: 212',
    base: ['CountryCode: 1', 'LongDistancePrefix: 1'],
    check: (e) => expect(e.recipients).toMatchObject([{ dialString: '5550100' }]),
  },
  LongDistancePrefix: {
    line: 'LongDistancePrefix: 1',
    base: ['CountryCode: 1', 'AreaCode: 415'],
    check: (e) => expect(e.recipients).toMatchObject([{ dialString: '12125550100' }]),
  },
  InternationalPrefix: {
    line: 'InternationalPrefix: 011',
    check: (e) => expect(e.recipients).toMatchObject([{ dialString: '01112125550100' }]),
  },
  OutsideLinePrefix: {
    line: 'OutsideLinePrefix: 9,',
    check: (e) => expect(e.recipients).toMatchObject([{ dialString: expect.stringMatching(/^9,/) }]),
  },
  DialMode: { line: 'DialMode: pulse', check: (e) => expect(e.call.send.pulse).toBe(true) },
  SubaddressFallback: {
    line: 'SubaddressFallback: send-without',
    check: (e) => expect(e.call.send).toMatchObject({ subaddress: '77', subaddressFallback: 'send-without' }),
  },
  DialDeny: {
    line: 'DialDeny: +1212*',
    base: ['CountryCode: 1'],
    check: (e) => expect(e.recipients).toEqual({ refused: expect.stringMatching(/are not allowed here/) }),
  },
  DialAllow: {
    line: 'DialAllow: +12125550100',
    base: ['CountryCode: 1', 'DialDeny: +1212*'],
    check: (e) => expect(e.recipients).toMatchObject([{ number: '+12125550100' }]),
  },
  CoverPage: {
    line: 'CoverPage: on',
    title: '+1 212 555 0100', // no name: CoverPage auto sends none
    check: (e) => expect(e.pages.cover).toBeDefined(),
  },
  CoverTemplate: {
    line: 'CoverTemplate: /srv/fax/cover.html',
    check: (e) => expect(e.pages.cover?.template).toBe('/srv/fax/cover.html'),
  },
  CoverNotice: {
    line: 'CoverNotice: Confidential',
    check: (e) => expect(e.pages.cover?.fields.notice).toBe('Confidential'),
  },
  Tagline: { line: 'Tagline: off', check: (e) => expect(e.pages.tagline).toBe(false) },
  TaglineFormat: {
    line: 'TaglineFormat: "%%s|%%P/%%T"',
    check: (e) => expect(e.pages.tagline).toMatchObject({ format: '%%s|%%P/%%T' }),
  },
  PageSize: {
    line: 'PageSize: letter',
    check: (e) => {
      expect(e.pages.paper).toBe('letter');
      expect(e.call.send.pageLength).toBe('unlimited'); // DCS length for pages longer than A4
    },
  },
  Resolution: {
    line: 'Resolution: superfine',
    check: (e) => {
      expect(e.pages.resolution).toBe('superfine');
      expect(e.call.send.resolution).toBe('superfine');
    },
  },
  ECM: { line: 'ECM: off', check: (e) => expect(e.call.send.ecm).toBe(false) },
  ECMFrameSize: { line: 'ECMFrameSize: 64', check: (e) => expect(e.call.send.ecmFrameSize).toBe(64) },
  ConfirmationPrinter: {
    line: 'ConfirmationPrinter: Office',
    check: (e) => expect(e.confirmationPrinter).toBe('Office'),
  },
  JBIG: {
    line: 'JBIG: off',
    check: (e) => {
      expect(e.call.send.jbig).toBe(false);
      expect(e.receive).toMatchObject({ t85: false, t85L0: false });
    },
  },
  RTNHandling: { line: 'RTNHandling: giveup', check: (e) => expect(e.call.send.rtnHandling).toBe('giveup') },
  MaxRetrains: { line: 'MaxRetrains: 1', check: (e) => expect(e.call.send.maxRetrains).toBe(1) },
  LogLevel: {
    line: 'LogLevel: debug',
    check: (e) => expect(e.lines).toEqual(['ERROR: x', 'WARNING: x', 'INFO: x', 'DEBUG: x']),
  },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settingsFrom(name: string, lines: string[]): FaxSettings {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, lines.join('\n') + '\n');
  const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf } });
  if (!loaded.ok) throw loaded.error;
  return loaded.value.settings;
}

// The fax service's keys (SERVICE_SETTINGS) have their rows in test/service/config-keys.test.ts,
// the web page's (WEB_SETTINGS) in test/web/config-keys.test.ts.
it('every key of the settings table has a row here', () => {
  expect(
    Object.entries(SETTINGS)
      .filter(([name]) => ![...SERVICE_SETTINGS, ...WEB_SETTINGS].includes(name as never))
      .map(([, s]) => s.key)
      .sort(),
  ).toEqual(Object.keys(ROWS).sort());
});

describe.each(Object.entries(ROWS))('%s', (key, row) => {
  it('changes what a job does, as its row says', async () => {
    const base = row.base ?? [];
    const without = await effects(settingsFrom(`${key}-base`, base), row.title);
    const withKey = await effects(settingsFrom(key, [...base, row.line]), row.title);
    row.check(withKey);
    expect(withKey).not.toEqual(without);
  });
});

it('LogLevel info (the default) leaves DEBUG: out; warning also INFO:; error also WARNING:', async () => {
  const at = async (level: string) =>
    (await effects(settingsFrom(`log-${level}`, [`LogLevel: ${level}`]))).lines;
  expect(await at('info')).toEqual(['ERROR: x', 'WARNING: x', 'INFO: x']);
  expect(await at('warning')).toEqual(['ERROR: x', 'WARNING: x']);
  expect(await at('error')).toEqual(['ERROR: x']);
});
