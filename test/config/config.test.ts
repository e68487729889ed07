import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ConfigError,
  SETTINGS,
  jobLayer,
  loadConfigFile,
  loadFaxSettings,
  parseConfigText,
  ppdDefaults,
  queueLayer,
  resolveSettings,
  type ConfigLayer,
  type FaxSettings,
  type Result,
  type SettingName,
} from '../../lib/config/index.js';

const CONF = 'conf/lpfax.conf';
const tmp = mkdtempSync(join(tmpdir(), 'lpfax-config-'));

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected ${r.error.kind}: ${r.error.message}`);
  return r.value;
}
function error<T>(r: Result<T>): ConfigError {
  if (r.ok) throw new Error('expected a ConfigError');
  return r.error;
}
const file = (text: string) => parseConfigText(text, '/etc/lpfax/lpfax.conf');
const settingsOf = (...layers: ConfigLayer[]) => value(resolveSettings(layers)).settings;

const DEFAULTS: FaxSettings = {
  modem: {
    device: '/dev/ttyS0',
    baud: 19200,
    modemClass: '1',
    init: 'AT&F',
    maxSpeed: 14400,
    lockDirectory: '/var/lock',
  },
  identity: { stationId: '', senderName: '', organisation: '', faxNumber: '', voiceNumber: '' },
  dialRules: {
    countryCode: '',
    areaCode: '',
    longDistancePrefix: '',
    internationalPrefix: '00',
    outsideLinePrefix: '',
    dialMode: 'tone',
  },
  dialPolicy: { allow: [], deny: [] },
  subaddressFallback: 'fail',
  coverPage: { mode: 'auto', template: '', notice: '' },
  tagline: { enabled: true, format: 'From %%s %%n|%c|Page %%P of %%T' },
  page: { paper: 'a4', resolution: 'fine', ecm: true, ecmFrameSize: 256, jbig: true },
  retry: { rtn: 'retransmit', maxRetrains: 3 },
  logLevel: 'info',
  confirmationPrinter: '',
  service: {
    receiveDevices: [],
    answerRings: 1,
    spoolDir: '/var/spool/lpfax',
    deliverMail: [],
    deliverFolder: '',
    deliverPrint: '',
    deliverHook: '',
    rejectCallers: [],
    minFreeSpace: 20_000_000,
  },
  web: {
    usersFile: '/etc/lpfax/users',
    address: '127.0.0.1',
    port: 8631,
    inbox: 'all',
    uploadLimitMb: 20,
    tlsCertificate: '',
    tlsKey: '',
  },
};

describe('built-in defaults', () => {
  it('give a complete FaxSettings with no file, queue or job', () => {
    expect(settingsOf()).toEqual(DEFAULTS);
  });

  it('are documented in conf/lpfax.conf, each key with its default', () => {
    const doc = readFileSync(CONF, 'utf8');
    // The shipped file is all comments: it must yield the defaults.
    expect(settingsOf(value(parseConfigText(doc, CONF)))).toEqual(DEFAULTS);
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const line = new RegExp(`^#(${spec.key}:.*)$`, 'm').exec(doc);
      expect([spec.key, line !== null]).toEqual([spec.key, true]);
      // Uncommenting the documented line must give exactly the built-in default.
      const documented = value(parseConfigText(line![1], CONF)).entries.get(name as SettingName)?.value;
      expect([spec.key, documented]).toEqual([spec.key, spec.parse(spec.default)]);
    }
  });
});

describe('lpfax.conf syntax', () => {
  it('reads Key: value lines with comments, quotes, any key case and CRLF', () => {
    const layer = value(
      file(
        '\uFEFF# fax server\r\n' +
          'maxspeed: 9600   # poor line\r\n' +
          '\n' +
          '  Resolution :superfine\n' +
          'CoverNotice: "Confidential # not for \\"others\\" "  # quoted\n' +
          'Organization: Acme Ltd.\n' +
          'LocalIdentifier: +1 415 555 0100\n' +
          'DialMode: PULSE\n' +
          'ECMFrameSize: 64\n' +
          'class: 1.0\n',
      ),
    );
    const s = settingsOf(layer);
    expect(s.page.ecmFrameSize).toBe(64);
    expect(s.modem.maxSpeed).toBe(9600);
    expect(s.page.resolution).toBe('superfine');
    expect(s.coverPage.notice).toBe('Confidential # not for "others" ');
    expect(s.identity.organisation).toBe('Acme Ltd.');
    expect(s.identity.stationId).toBe('+1 415 555 0100');
    expect(s.dialRules.dialMode).toBe('pulse');
    expect(s.modem.modemClass).toBe('1.0');
    expect(layer.entries.get('maxSpeed')?.origin).toEqual({
      source: 'file',
      file: '/etc/lpfax/lpfax.conf',
      line: 2,
      key: 'maxspeed',
    });
  });

  it('adds up repeated DialDeny and DialAllow lines', () => {
    const s = settingsOf(
      value(file('CountryCode: 1\nDialDeny: 1900* +1900*\nDialDeny: 1976*,+1976*\nDialAllow: +1415*')),
    );
    expect(s.dialPolicy).toEqual({ deny: ['1900*', '+1900*', '1976*', '+1976*'], allow: ['+1415*'] });
  });

  const cases: Array<[string, string, Partial<ConfigError>]> = [
    [
      'unknown key, with a hint',
      'ModemDevice: /dev/ttyS1\nMaxSpeeed: 9600',
      { kind: 'unknown-key', line: 2, key: 'MaxSpeeed', reason: 'unknown key (did you mean MaxSpeed?)' },
    ],
    ['unknown key', 'FaxNumberFormat: x', { kind: 'unknown-key', line: 1, reason: 'unknown key' }],
    [
      'value out of range',
      '# speed\nMaxSpeed: 15000',
      {
        kind: 'bad-value',
        line: 2,
        key: 'MaxSpeed',
        reason: '"15000" is not one of 2400, 4800, 7200, 9600, 12000, 14400',
      },
    ],
    [
      'missing colon',
      'ModemDevice /dev/ttyS0',
      { kind: 'syntax', line: 1, key: undefined, reason: 'expected "Key: value"' },
    ],
    [
      'unterminated quote',
      'CoverNotice: "Confidential',
      { kind: 'syntax', line: 1, key: 'CoverNotice', reason: 'the quoted value has no closing quote' },
    ],
    [
      'text after a quoted value',
      'SenderName: "Sam" Leffler',
      { kind: 'syntax', line: 1, key: 'SenderName', reason: 'unexpected text after the closing quote' },
    ],
    [
      'duplicate key',
      'Resolution: fine\nresolution: standard',
      { kind: 'duplicate-key', line: 2, key: 'resolution', reason: 'already set on line 1' },
    ],
    [
      'TSI with letters',
      'LocalIdentifier: ACME FAX',
      {
        kind: 'bad-value',
        key: 'LocalIdentifier',
        reason: '"ACME FAX" is not up to 20 digits, + and spaces (T.30 TSI)',
      },
    ],
    [
      'TSI longer than 20',
      'LocalIdentifier: +1 415 555 0100 0000 0',
      { kind: 'bad-value', key: 'LocalIdentifier' },
    ],
    [
      'init not AT',
      'ModemInit: Z',
      { kind: 'bad-value', key: 'ModemInit', reason: '"Z" does not begin with AT' },
    ],
    [
      'relative device',
      'ModemDevice: ttyS0',
      { kind: 'bad-value', reason: '"ttyS0" is not an absolute path' },
    ],
    ['bad boolean', 'ECM: maybe', { kind: 'bad-value', key: 'ECM', reason: '"maybe" is not on or off' }],
    [
      'outside prefix with a command',
      'OutsideLinePrefix: 9;ATH',
      { kind: 'bad-value', reason: '"9;ATH" is not up to 8 characters of 0123456789*#,W' },
    ],
    [
      'bad dial pattern',
      'DialDeny: 1900.*',
      { kind: 'bad-value', key: 'DialDeny', reason: expect.stringContaining('"1900.*": a dial pattern is') },
    ],
    [
      'unknown tagline conversion',
      'TaglineFormat: From %%x',
      { kind: 'bad-value', reason: expect.stringContaining('%%x is not one of %%d') },
    ],
    [
      'retrains out of range',
      'MaxRetrains: 11',
      { kind: 'bad-value', reason: '"11" is not a whole number from 0 to 10' },
    ],
    [
      'an ECM frame size T.30 does not have',
      'ECMFrameSize: 128',
      { kind: 'bad-value', key: 'ECMFrameSize', reason: '"128" is not one of 256, 64' },
    ],
  ];

  it.each(cases)('reports %s with file, line and key', (_what, text, expected) => {
    const e = error(file(text));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toMatchObject({ source: 'file', file: '/etc/lpfax/lpfax.conf', ...expected });
  });

  it('puts file, line, key and reason in one message', () => {
    expect(error(file('\n\nMaxSpeed: fast')).message).toBe(
      '/etc/lpfax/lpfax.conf line 3: MaxSpeed: "fast" is not one of 2400, 4800, 7200, 9600, 12000, 14400',
    );
  });

  it('refuses + dial patterns without a CountryCode, naming the line', () => {
    const e = error(resolveSettings([value(file('DialDeny: 1900*\nDialDeny: +1900*'))]));
    expect(e).toMatchObject({
      kind: 'bad-value',
      line: 2,
      key: 'DialDeny',
      reason: '"+1900*": a + pattern needs CountryCode',
    });
  });
});

describe('loading the file', () => {
  it('uses the defaults when the default file is missing', () => {
    const r = value(loadConfigFile({}, join(tmp, 'absent.conf')));
    expect(r.found).toBe(false);
    expect(r.layer.entries.size).toBe(0);
  });

  it('fails when LPFAX_CONFIG names a missing or unreadable file', () => {
    expect(error(loadConfigFile({ LPFAX_CONFIG: join(tmp, 'absent.conf') }))).toMatchObject({
      kind: 'missing-file',
      file: join(tmp, 'absent.conf'),
    });
    expect(error(loadConfigFile({ LPFAX_CONFIG: tmp }))).toMatchObject({
      kind: 'unreadable-file',
      file: tmp,
    });
  });

  it('reads the file LPFAX_CONFIG names', () => {
    const path = join(tmp, 'lpfax.conf');
    writeFileSync(path, 'PageSize: letter\n');
    const r = value(loadConfigFile({ LPFAX_CONFIG: path }, '/nonexistent'));
    expect([r.path, r.found, r.layer.entries.get('pageSize')?.value]).toEqual([path, true, 'letter']);
  });
});

describe('precedence: job > queue > file > defaults', () => {
  const fileLayer = value(
    file('Resolution: standard\nMaxSpeed: 9600\nModemDevice: /dev/ttyS3\nCoverPage: on'),
  );
  const ppd = {
    file: '/etc/cups/ppd/Fax.ppd',
    defaults: ppdDefaults(
      '*DefaultResolution: 204x391dpi\n*DefaultPageSize: Letter\n*DefaultColorModel: Gray\n',
    ),
  };

  it('takes each setting from the highest layer that sets it', () => {
    const queue = value(queueLayer({ devicePath: '/dev/ttyUSB0', query: [['resolution', 'fine']], ppd }));
    const job = value(jobLayer([{ name: 'resolution', value: 'superfine' }]));
    const both = value(resolveSettings([fileLayer, queue, job]));
    expect(both.settings.page.resolution).toBe('superfine');
    expect(both.origins.resolution).toEqual({ source: 'job', file: 'job options', key: 'resolution' });
    expect(settingsOf(fileLayer, queue).page.resolution).toBe('fine'); // URI query over PPD
    const ppdOnly = value(queueLayer({ ppd }));
    expect(settingsOf(fileLayer, ppdOnly).page).toMatchObject({ resolution: 'superfine', paper: 'letter' });
    expect(value(resolveSettings([fileLayer, ppdOnly])).origins.resolution).toEqual({
      source: 'queue',
      file: '/etc/cups/ppd/Fax.ppd',
      line: 1,
      key: '*DefaultResolution',
    });
    expect(settingsOf(fileLayer).page.resolution).toBe('standard');
    expect(settingsOf().page.resolution).toBe('fine');
    expect(settingsOf(fileLayer, queue).modem.device).toBe('/dev/ttyUSB0');
    expect(settingsOf(fileLayer).modem.device).toBe('/dev/ttyS3');
  });

  it('lets a job lower MaxSpeed but never raise it', () => {
    const lower = value(jobLayer([{ name: 'speed', value: '4800' }]));
    const higher = value(jobLayer([{ name: 'MaxSpeed', value: '14400' }]));
    expect(settingsOf(fileLayer, lower).modem.maxSpeed).toBe(4800);
    expect(settingsOf(fileLayer, higher).modem.maxSpeed).toBe(9600);
    const queue = value(queueLayer({ query: [['speed', '7200']] }));
    expect(settingsOf(fileLayer, queue, higher).modem.maxSpeed).toBe(7200);
  });

  it('ignores job options for the administrator’s settings', () => {
    const job = value(
      jobLayer([
        { name: 'ModemDevice', value: '/dev/evil' },
        { name: 'LocalIdentifier', value: '666' },
        { name: 'DialAllow', value: '*' },
        { name: 'ModemInit', value: 'ATDT19005551212' },
        { name: 'Tagline', value: 'off' },
        { name: 'job-uuid', value: 'urn:uuid:1' },
      ]),
    );
    expect(job.entries.size).toBe(0);
  });

  it('maps IPP and PPD spellings of job options', () => {
    const job = value(
      jobLayer([
        { name: 'media', value: 'na_letter_8.5x11in' },
        { name: 'print-quality', value: '5' },
        { name: 'cover', value: 'no' },
        { name: 'ECM', value: 'False' },
        { name: 'SenderName', value: 'Zoë Ångström' },
      ]),
    );
    const s = settingsOf(job);
    expect([s.page, s.coverPage.mode, s.identity.senderName]).toEqual([
      { paper: 'letter', resolution: 'superfine', ecm: false, ecmFrameSize: 256, jbig: true },
      'off',
      'Zoë Ångström',
    ]);
    // The PPD name wins over the IPP one.
    const both = value(
      jobLayer([
        { name: 'media', value: 'a4' },
        { name: 'PageSize', value: 'Legal' },
      ]),
    );
    expect(settingsOf(both).page.paper).toBe('legal');
  });

  it('names the job option or URI parameter that is wrong', () => {
    expect(error(jobLayer([{ name: 'Resolution', value: '600dpi' }]))).toMatchObject({
      kind: 'bad-value',
      source: 'job',
      file: 'job options',
      line: undefined,
      key: 'Resolution',
      message: 'job options: Resolution: "600dpi" is not one of standard, fine, superfine',
    });
    expect(error(queueLayer({ query: [['sped', '9600']] }))).toMatchObject({
      kind: 'unknown-key',
      source: 'queue',
      file: 'DEVICE_URI',
      key: 'sped',
    });
    expect(error(queueLayer({ query: [['class', '2']] })).message).toBe(
      'DEVICE_URI: class: "2" is not one of 1, 1.0',
    );
    expect(error(queueLayer({ devicePath: 'ttyS0' })).key).toBe('device path');
  });
});

describe('loadFaxSettings', () => {
  it('reads lpfax.conf and the PPD, and merges the queue and job', () => {
    const conf = join(tmp, 'site.conf');
    const ppdPath = join(tmp, 'Fax.ppd');
    writeFileSync(
      conf,
      'CountryCode: 1\nAreaCode: 415\nLongDistancePrefix: 1\nInternationalPrefix: 011\nDialDeny: +1900*\n',
    );
    writeFileSync(ppdPath, '*PPD-Adobe: "4.3"\n*DefaultPageSize: Letter\n*DefaultECM: False\n');
    const r = value(
      loadFaxSettings({
        env: { LPFAX_CONFIG: conf },
        queue: { devicePath: '/dev/ttyACM0', query: [['class', '1.0']] },
        ppdPath,
        jobOptions: [{ name: 'ECM', value: 'on' }],
      }),
    );
    expect(r.settings.dialRules).toMatchObject({
      countryCode: '1',
      areaCode: '415',
      internationalPrefix: '011',
    });
    expect(r.settings.dialPolicy.deny).toEqual(['+1900*']);
    expect(r.settings.modem).toMatchObject({ device: '/dev/ttyACM0', modemClass: '1.0' });
    expect(r.settings.page).toMatchObject({ paper: 'letter', ecm: true });
    expect(
      error(loadFaxSettings({ env: { LPFAX_CONFIG: conf }, ppdPath: join(tmp, 'none.ppd') })),
    ).toMatchObject({
      kind: 'missing-file',
      source: 'queue',
    });
  });
});

describe('the environment: LPFAX_LOCK_DIR stands in for the built-in LockDir only', () => {
  const load = (conf: string, env: Record<string, string>, query: [string, string][] = []) =>
    value(loadFaxSettings({ env: { LPFAX_CONFIG: conf, ...env }, queue: { query } }));

  it('is used when neither lpfax.conf nor the queue sets LockDir', () => {
    const conf = join(tmp, 'nolock.conf');
    writeFileSync(conf, 'MaxSpeed: 9600\n');
    const r = load(conf, { LPFAX_LOCK_DIR: '/run/lpfax-test-locks' });
    expect(r.settings.modem.lockDirectory).toBe('/run/lpfax-test-locks');
    expect(r.origins.lockDir).toMatchObject({ source: 'environment', key: 'LPFAX_LOCK_DIR' });
    expect(load(conf, {}).settings.modem.lockDirectory).toBe('/var/lock');
  });

  it('loses to the file (file says X, environment says Y: X) and to the queue', () => {
    const conf = join(tmp, 'lock.conf');
    writeFileSync(conf, 'LockDir: /var/lock/fax\n');
    const env = { LPFAX_LOCK_DIR: '/run/lpfax-test-locks' };
    expect(load(conf, env).settings.modem.lockDirectory).toBe('/var/lock/fax');
    expect(load(conf, env).origins.lockDir).toMatchObject({ source: 'file', line: 1 });
    expect(load(conf, env, [['lockdir', '/srv/locks']]).settings.modem.lockDirectory).toBe('/srv/locks');
  });

  it('is checked like the key: a relative path is an error naming the variable', () => {
    const conf = join(tmp, 'nolock.conf');
    writeFileSync(conf, '');
    expect(error(loadFaxSettings({ env: { LPFAX_CONFIG: conf, LPFAX_LOCK_DIR: 'locks' } }))).toMatchObject({
      kind: 'bad-value',
      source: 'environment',
      key: 'LPFAX_LOCK_DIR',
    });
  });
});

describe('ModemClass', () => {
  it('takes only the two classes lpfax drives, 1 and 1.0; Class 2 in lpfax.conf is a config error', () => {
    for (const other of ['2', '2.0', '2.1', '8']) {
      expect(error(file(`ModemClass: ${other}\n`)).message).toBe(
        `/etc/lpfax/lpfax.conf line 1: ModemClass: "${other}" is not one of 1, 1.0`,
      );
    }
  });
});

describe('SubaddressFallback', () => {
  it('is fail (hold the job) unless the file says send-without; nothing else is accepted', () => {
    expect(settingsOf().subaddressFallback).toBe('fail');
    expect(settingsOf(value(file('SubaddressFallback: send-without\n'))).subaddressFallback).toBe(
      'send-without',
    );
    expect(error(file('SubaddressFallback: maybe\n'))).toMatchObject({ kind: 'bad-value', line: 1 });
  });
});
