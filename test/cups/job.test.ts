import { loadFaxSettings } from '../../lib/config/index.js';
import { CupsBackendStatus } from '../../lib/cups/backend.js';
import {
  parseBackendInvocation,
  parseFaxDeviceUri,
  usageLine,
  type BackendArgsError,
  type FaxJob,
  type Result,
} from '../../lib/cups/job.js';

const ENV = {
  DEVICE_URI: 'fax:/dev/faxmodem0?speed=9600&class=1',
  CONTENT_TYPE: 'application/pdf',
  FINAL_CONTENT_TYPE: 'application/vnd.cups-pdf',
  PPD: '/etc/cups/ppd/Fax.ppd',
  PRINTER: 'Fax',
  TMPDIR: '/var/spool/cups/tmp',
};

function job(r: Result<unknown, BackendArgsError>): FaxJob {
  if (!r.ok) throw new Error(r.error.message);
  const v = r.value as { kind: string; job?: FaxJob };
  if (v.kind !== 'job' || !v.job) throw new Error(`not a job: ${v.kind}`);
  return v.job;
}
function error<T>(r: Result<T, BackendArgsError>): BackendArgsError {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('backend invocation', () => {
  it('parses a job read from standard input', () => {
    const j = job(
      parseBackendInvocation(
        ['42', 'sam', 'Sam Leffler@+1.415.555.1212', '1', 'job-uuid=urn:uuid:0b1c Resolution=fine noECM'],
        ENV,
      ),
    );
    expect(j).toEqual<FaxJob>({
      jobId: 42,
      user: 'sam',
      title: 'Sam Leffler@+1.415.555.1212',
      copies: 1,
      optionsText: 'job-uuid=urn:uuid:0b1c Resolution=fine noECM',
      options: [
        { name: 'ECM', value: 'false' },
        { name: 'job-uuid', value: 'urn:uuid:0b1c' },
        { name: 'Resolution', value: 'fine' },
      ],
      file: undefined,
      device: {
        uri: 'fax:/dev/faxmodem0?speed=9600&class=1',
        devicePath: '/dev/faxmodem0',
        query: [
          ['speed', '9600'],
          ['class', '1'],
        ],
      },
      contentType: 'application/pdf',
      finalContentType: 'application/vnd.cups-pdf',
      ppd: '/etc/cups/ppd/Fax.ppd',
      printer: 'Fax',
      tmpDir: '/var/spool/cups/tmp',
      uuid: 'urn:uuid:0b1c',
    });
  });

  it('parses a job with a file, and takes the UUID from CUPS_JOB_UUID when no option has it', () => {
    const j = job(
      parseBackendInvocation(['7', 'root', ' 0123456', '3', '', '/tmp/doc.pdf'], {
        DEVICE_URI: 'fax:///dev/ttyS0',
        CUPS_JOB_UUID: 'urn:uuid:77',
      }),
    );
    expect([j.file, j.copies, j.title, j.options, j.device.devicePath, j.device.query, j.uuid]).toEqual([
      '/tmp/doc.pdf',
      3,
      ' 0123456',
      [],
      '/dev/ttyS0',
      [],
      'urn:uuid:77',
    ]);
    expect([j.contentType, j.ppd, j.printer]).toEqual([undefined, undefined, undefined]);
    expect(j.tmpDir.length).toBeGreaterThan(0);
  });

  it('runs device discovery with no arguments', () => {
    expect(parseBackendInvocation([], {})).toEqual({ ok: true, value: { kind: 'discover' } });
  });

  it.each([[['1']], [['1', 'u', 't', '1']], [['1', 'u', 't', '1', '', 'f', 'extra']]])(
    'rejects %j with the usage line CUPS prints',
    (args) => {
      expect(error(parseBackendInvocation(args, ENV))).toEqual({
        kind: 'usage',
        usage: 'Usage: fax job-id user title copies options [file]',
        message: 'Usage: fax job-id user title copies options [file]',
        argc: args.length + 1,
        exitStatus: CupsBackendStatus.FAILED,
      });
    },
  );

  it('rejects bad job ids, copies and file names', () => {
    const run = (id: string, copies: string, file?: string) =>
      error(
        parseBackendInvocation(['' + id, 'u', 't', copies, '', ...(file === undefined ? [] : [file])], ENV),
      );
    expect(run('abc', '1')).toMatchObject({
      kind: 'bad-argument',
      argument: 'job-id',
      message: 'job-id "abc" is not a job number',
    });
    expect(run('0', '1')).toMatchObject({ argument: 'job-id' });
    expect(run('-3', '1')).toMatchObject({ argument: 'job-id' });
    expect(run('99999999999', '1')).toMatchObject({ argument: 'job-id' });
    expect(run('5', '0')).toMatchObject({ argument: 'copies', message: 'copies "0" is not a count' });
    expect(run('5', '1.5')).toMatchObject({ argument: 'copies' });
    expect(run('5', '1', '')).toMatchObject({ argument: 'file', exitStatus: CupsBackendStatus.FAILED });
  });

  it('falls back to argv[0] for the device URI, as cupsBackendDeviceURI does', () => {
    const args = ['1', 'u', 't', '1', ''];
    expect(job(parseBackendInvocation(args, {}, 'fax:/dev/ttyUSB1')).device.devicePath).toBe('/dev/ttyUSB1');
    expect(error(parseBackendInvocation(args, {}, '/usr/lib/cups/backend/fax'))).toEqual({
      kind: 'bad-device-uri',
      uri: undefined,
      message: 'DEVICE_URI is not set',
      exitStatus: CupsBackendStatus.FAILED,
    });
  });
});

describe('fax device URI', () => {
  const ok = (uri: string) => {
    const r = parseFaxDeviceUri(uri);
    if (!r.ok) throw new Error(r.error.message);
    return [r.value.devicePath, r.value.query];
  };
  const bad = (uri: string) => error(parseFaxDeviceUri(uri)).message;

  it('accepts the one-slash, three-slash and localhost forms', () => {
    expect(ok('fax:/dev/ttyS0')).toEqual(['/dev/ttyS0', []]);
    expect(ok('fax:///dev/ttyS0')).toEqual(['/dev/ttyS0', []]);
    expect(ok('FAX://localhost/dev/ttyACM0')).toEqual(['/dev/ttyACM0', []]);
    expect(ok('fax:/dev/serial/by-id/usb-U.S._Robotics%20Modem-if00')).toEqual([
      '/dev/serial/by-id/usb-U.S._Robotics Modem-if00',
      [],
    ]);
  });

  it('decodes the query, keeping + as AT commands need it', () => {
    expect(ok('fax:/dev/ttyS0?init=AT%26F%2BFCLASS=1&speed=9600&&dial=pulse')).toEqual([
      '/dev/ttyS0',
      [
        ['init', 'AT&F+FCLASS=1'],
        ['speed', '9600'],
        ['dial', 'pulse'],
      ],
    ]);
    expect(ok('fax:/dev/ttyS0?init=AT+FCLASS=1')[1]).toEqual([['init', 'AT+FCLASS=1']]);
  });

  it('rejects malformed URIs with a reason', () => {
    expect(bad('serial:/dev/ttyS0')).toBe('device URI "serial:/dev/ttyS0": the scheme is not fax:');
    expect(bad('fax://dev/ttyS0')).toBe(
      'device URI "fax://dev/ttyS0": it names the host "dev"; write fax:/dev/… or fax:///dev/…',
    );
    expect(bad('fax:')).toBe('device URI "fax:": it names no device path such as /dev/ttyS0');
    expect(bad('fax:ttyS0')).toMatch(/no device path/);
    expect(bad('fax:/dev/ttyS0#x')).toMatch(/# must be written %23/);
    expect(bad('fax:/dev/tty S0')).toMatch(/blanks and control characters/);
    expect(bad('fax:/dev/ttyS0\n')).toMatch(/blanks and control characters/);
    expect(bad('fax:/dev/%E0%A4%A')).toMatch(/malformed %-escape in the path/);
    expect(bad('fax:/dev/tty%0AS0')).toMatch(/control character/);
    expect(bad('fax:/dev/ttyS0?speed')).toMatch(/"speed" has no value/);
    expect(bad('fax:/dev/ttyS0?=9600')).toMatch(/has no name/);
    expect(bad('not a uri')).toMatch(/blanks/);
    expect(bad('/dev/ttyS0')).toMatch(/not a URI/);
  });
});

describe('a job and its queue feed the settings precedence', () => {
  it('device URI query over lpfax.conf, job options over both', () => {
    const j = job(
      parseBackendInvocation(['9', 'u', 't', '1', 'speed=4800 Resolution=superfine'], {
        DEVICE_URI: 'fax:/dev/ttyUSB0?speed=9600&resolution=standard&class=1.0',
      }),
    );
    const r = loadFaxSettings({
      env: {},
      defaultConfigPath: '/nonexistent/lpfax.conf',
      queue: j.device,
      jobOptions: j.options,
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.settings.modem).toMatchObject({
      device: '/dev/ttyUSB0',
      maxSpeed: 4800,
      modemClass: '1.0',
    });
    expect(r.value.settings.page.resolution).toBe('superfine');
    expect(usageLine('fax')).toBe('Usage: fax job-id user title copies options [file]');
  });
});
