/**
 * A backend invocation as cupsd makes it (CUPS backend(7)):
 *
 *   fax                                      device discovery (no arguments)
 *   fax JOB-ID USER TITLE COPIES OPTIONS [FILE]   print a job; no FILE: the document is on stdin
 *
 * with the environment DEVICE_URI (`fax:/dev/ttyS0?speed=9600&class=1` or `fax:///dev/ttyS0`),
 * CONTENT_TYPE, FINAL_CONTENT_TYPE, PPD, PRINTER and TMPDIR. The device URI's query carries the
 * queue-level settings that lib/config merges under the job's options.
 */

import { tmpdir } from 'node:os';

import { CupsBackendStatus } from './backend.js';
import { cupsGetOption, parseCupsOptions, type CupsOption } from './options.js';

/** The device URI scheme, and the backend's name in /usr/lib/cups/backend. */
export const FAX_SCHEME = 'fax';

export interface FaxDeviceUri {
  /** The URI as given. */
  readonly uri: string;
  /** The modem's device path, percent-decoded: `/dev/ttyS0`. */
  readonly devicePath: string;
  /** Query parameters in order, percent-decoded (`+` is kept: AT commands use it). */
  readonly query: ReadonlyArray<readonly [string, string]>;
}

export interface FaxJob {
  readonly jobId: number;
  readonly user: string;
  /** The job title (job-name): where recipients are written. */
  readonly title: string;
  /** Copies to make; CUPS asks a backend to make them only when it names a file. */
  readonly copies: number;
  /** The options string (argv[5]) as given, and parsed as cupsParseOptions does. */
  readonly optionsText: string;
  readonly options: readonly CupsOption[];
  /** The document file, or undefined when the document comes on standard input. */
  readonly file: string | undefined;
  readonly device: FaxDeviceUri;
  readonly contentType: string | undefined;
  readonly finalContentType: string | undefined;
  /** The queue's PPD file. */
  readonly ppd: string | undefined;
  /** The queue's name. */
  readonly printer: string | undefined;
  /** Where the backend may write temporary files (TMPDIR, set per job by cupsd). */
  readonly tmpDir: string;
  /** The job's UUID (`urn:uuid:…`), from the job-uuid option or CUPS_JOB_UUID. */
  readonly uuid: string | undefined;
}

export type BackendInvocation =
  { readonly kind: 'discover' } | { readonly kind: 'job'; readonly job: FaxJob };

export type BackendArgsError = {
  /** The exit status to end with: such a job can never work as invoked. */
  readonly exitStatus: CupsBackendStatus.FAILED;
  readonly message: string;
} & (
  | { readonly kind: 'usage'; readonly usage: string; readonly argc: number }
  | { readonly kind: 'bad-argument'; readonly argument: 'job-id' | 'copies' | 'file' }
  | { readonly kind: 'bad-device-uri'; readonly uri: string | undefined }
);

export type Result<T, E> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** The usage line CUPS backends print for a wrong argument count. */
export function usageLine(program = FAX_SCHEME): string {
  return `Usage: ${program} job-id user title copies options [file]`;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parse a backend invocation. `args` are the arguments after the program name; `argv0` is the
 * program's own argv[0], which cupsd sets to the device URI (used when DEVICE_URI is unset, as
 * cupsBackendDeviceURI() does).
 */
export function parseBackendInvocation(
  args: readonly string[],
  env: Env = process.env,
  argv0?: string,
): Result<BackendInvocation, BackendArgsError> {
  if (args.length === 0) return { ok: true, value: { kind: 'discover' } };
  if (args.length !== 5 && args.length !== 6) {
    const usage = usageLine();
    return failed({ kind: 'usage', usage, argc: args.length + 1, message: usage });
  }
  const [jobIdText, user, title, copiesText, optionsText, file] = args;
  const jobId = positiveInteger(jobIdText);
  if (jobId === undefined) {
    return failed({
      kind: 'bad-argument',
      argument: 'job-id',
      message: `job-id "${jobIdText}" is not a job number`,
    });
  }
  const copies = positiveInteger(copiesText);
  if (copies === undefined) {
    return failed({
      kind: 'bad-argument',
      argument: 'copies',
      message: `copies "${copiesText}" is not a count`,
    });
  }
  if (file === '')
    return failed({ kind: 'bad-argument', argument: 'file', message: 'the file name is empty' });

  const uriText = nonEmpty(env.DEVICE_URI) ?? (argv0?.includes(':') ? argv0 : undefined);
  if (uriText === undefined) {
    return failed({ kind: 'bad-device-uri', uri: undefined, message: 'DEVICE_URI is not set' });
  }
  const device = parseFaxDeviceUri(uriText);
  if (!device.ok) return device;

  const options = parseCupsOptions(optionsText);
  return {
    ok: true,
    value: {
      kind: 'job',
      job: {
        jobId,
        user,
        title,
        copies,
        optionsText,
        options,
        file,
        device: device.value,
        contentType: nonEmpty(env.CONTENT_TYPE),
        finalContentType: nonEmpty(env.FINAL_CONTENT_TYPE),
        ppd: nonEmpty(env.PPD),
        printer: nonEmpty(env.PRINTER),
        tmpDir: nonEmpty(env.TMPDIR) ?? tmpdir(),
        uuid: nonEmpty(cupsGetOption(options, 'job-uuid')) ?? nonEmpty(env.CUPS_JOB_UUID),
      },
    },
  };
}

/**
 * Parse a fax device URI: `fax:/dev/ttyS0`, `fax:///dev/ttyS0` or `fax://localhost/dev/ttyS0`,
 * with an optional `?name=value&…` query of queue settings.
 */
export function parseFaxDeviceUri(uri: string): Result<FaxDeviceUri, BackendArgsError> {
  const bad = (why: string) =>
    failed<FaxDeviceUri>({ kind: 'bad-device-uri', uri, message: `device URI "${uri}": ${why}` });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(uri)) return bad('blanks and control characters must be %-encoded');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(#.*)?$/.exec(uri);
  if (!m) return bad('not a URI');
  const [, scheme, authority, rawPath, rawQuery, fragment] = m;
  if (scheme.toLowerCase() !== FAX_SCHEME) return bad(`the scheme is not ${FAX_SCHEME}:`);
  if (fragment !== undefined) return bad('# must be written %23');
  if (authority !== undefined && authority !== '' && authority.toLowerCase() !== 'localhost') {
    return bad(`it names the host "${authority}"; write ${FAX_SCHEME}:/dev/… or ${FAX_SCHEME}:///dev/…`);
  }
  const devicePath = decode(rawPath);
  if (devicePath === undefined) return bad('malformed %-escape in the path');
  if (!devicePath.startsWith('/') || devicePath.length < 2)
    return bad('it names no device path such as /dev/ttyS0');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(devicePath)) return bad('the device path holds a control character');

  const query: Array<readonly [string, string]> = [];
  for (const part of (rawQuery ?? '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq >= 0 ? part.slice(0, eq) : part);
    const value = decode(eq >= 0 ? part.slice(eq + 1) : '');
    if (name === undefined || value === undefined) return bad(`malformed %-escape in "${part}"`);
    if (name === '') return bad(`"${part}" has no name`);
    if (eq < 0) return bad(`"${part}" has no value (write ${name}=…)`);
    query.push([name, value]);
  }
  return { ok: true, value: { uri, devicePath, query } };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function positiveInteger(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 0x7fffffff ? n : undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

type ErrorBody = BackendArgsError extends infer E
  ? E extends unknown
    ? Omit<E, 'exitStatus'>
    : never
  : never;

function failed<T = never>(error: ErrorBody): Result<T, BackendArgsError> {
  return { ok: false, error: { ...error, exitStatus: CupsBackendStatus.FAILED } as BackendArgsError };
}
