/**
 * Just enough IPP (RFC 8010 encoding, RFC 8011 Get-Job-Attributes) for the backend to read its
 * own job from the local cupsd. CUPS 2.4.2 leaves collection attributes out of a backend's
 * options (argv[5]): the FaxOut attributes `destination-uris` and `cover-sheet-info`
 * (PWG 5100.15) reach the backend only by asking the scheduler.
 */
import { request } from 'node:http';

/** RFC 8010 §3.5.2 value tags used here. */
const TAG = {
  operationAttributes: 0x01,
  jobAttributes: 0x02,
  endOfAttributes: 0x03,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  memberAttrName: 0x4a,
  uri: 0x45,
  charset: 0x47,
  naturalLanguage: 0x48,
  keyword: 0x44,
  nameWithoutLanguage: 0x42,
} as const;

export const IPP_OPERATION = { getJobAttributes: 0x0009 } as const;

/** A decoded IPP value: numbers, booleans, strings, collections (name → values). */
export type IppValue = number | boolean | string | IppCollection | null;
export interface IppCollection {
  [member: string]: IppValue[];
}

export interface IppResponse {
  statusCode: number;
  /** Attributes of every group, in one map per group tag. */
  groups: { tag: number; attributes: Map<string, IppValue[]> }[];
}

export class IppDecodeError extends Error {
  override name = 'IppDecodeError';
}

const ENCODER = new TextEncoder();

function attribute(tag: number, name: string, values: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((value, i) => {
    const n = Buffer.from(i === 0 ? name : '', 'utf8');
    const v = Buffer.from(ENCODER.encode(value));
    const head = Buffer.alloc(3);
    head.writeUInt8(tag, 0);
    head.writeUInt16BE(n.length, 1);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(v.length, 0);
    parts.push(head, n, len, v);
  });
  return Buffer.concat(parts);
}

/** A Get-Job-Attributes request (RFC 8011 §4.3.4) for `jobUri`. */
export function encodeGetJobAttributes(o: {
  requestId: number;
  jobUri: string;
  user: string;
  requested: readonly string[];
}): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x0200, 0); // version 2.0
  header.writeUInt16BE(IPP_OPERATION.getJobAttributes, 2);
  header.writeUInt32BE(o.requestId, 4);
  return Buffer.concat([
    header,
    Buffer.from([TAG.operationAttributes]),
    attribute(TAG.charset, 'attributes-charset', ['utf-8']),
    attribute(TAG.naturalLanguage, 'attributes-natural-language', ['en']),
    attribute(TAG.uri, 'job-uri', [o.jobUri]),
    attribute(TAG.nameWithoutLanguage, 'requesting-user-name', [o.user]),
    attribute(TAG.keyword, 'requested-attributes', o.requested),
    Buffer.from([TAG.endOfAttributes]),
  ]);
}

/** Decodes one value of `tag` (RFC 8010 §3.9). */
function decodeValue(tag: number, bytes: Buffer): IppValue {
  if (tag >= 0x10 && tag <= 0x1f) return null; // out-of-band: unknown, no-value …
  switch (tag) {
    case TAG.integer:
    case TAG.enum:
      if (bytes.length !== 4) throw new IppDecodeError('an integer value is not 4 octets');
      return bytes.readInt32BE(0);
    case TAG.boolean:
      if (bytes.length !== 1) throw new IppDecodeError('a boolean value is not 1 octet');
      return bytes[0] !== 0;
    case TAG.textWithLanguage:
    case TAG.nameWithLanguage: {
      // language length, language, text length, text
      if (bytes.length < 4) throw new IppDecodeError('a with-language value is too short');
      const langLength = bytes.readUInt16BE(0);
      const textAt = 2 + langLength;
      if (textAt + 2 > bytes.length) throw new IppDecodeError('a with-language value is too short');
      const textLength = bytes.readUInt16BE(textAt);
      return bytes.subarray(textAt + 2, textAt + 2 + textLength).toString('utf8');
    }
    default:
      // Character strings (0x41–0x49), and octet strings we only need as text.
      if (tag >= 0x40) return bytes.toString('utf8');
      return null; // dateTime, resolution, rangeOfInteger: not needed here
  }
}

/** Decodes an IPP response (RFC 8010 §3.1), collections included (§3.1.6). */
export function decodeIppResponse(data: Buffer): IppResponse {
  if (data.length < 9) throw new IppDecodeError('the IPP response is shorter than its header');
  let at = 8;
  const groups: IppResponse['groups'] = [];
  const read = (n: number) => {
    if (at + n > data.length) throw new IppDecodeError('the IPP response ends inside an attribute');
    const slice = data.subarray(at, at + n);
    at += n;
    return slice;
  };
  // One attribute: tag, name, value; `name` '' means another value of the previous attribute.
  const readAttribute = () => {
    const tag = read(1)[0];
    const name = read(read(2).readUInt16BE(0)).toString('utf8');
    const value = read(read(2).readUInt16BE(0));
    return { tag, name, value };
  };
  // The members of a collection, after its begCollection (RFC 8010 §3.1.6).
  const readCollection = (depth: number): IppCollection => {
    if (depth > 8) throw new IppDecodeError('collections nest too deeply');
    const members: IppCollection = {};
    let member = '';
    for (;;) {
      const a = readAttribute();
      if (a.tag === TAG.endCollection) return members;
      if (a.tag === TAG.memberAttrName) {
        member = a.value.toString('utf8');
        members[member] = [];
        continue;
      }
      if (!member) throw new IppDecodeError('a collection value comes before its member name');
      members[member].push(
        a.tag === TAG.begCollection ? readCollection(depth + 1) : decodeValue(a.tag, a.value),
      );
    }
  };
  let current: Map<string, IppValue[]> | undefined;
  let last: IppValue[] | undefined;
  for (;;) {
    if (at >= data.length) throw new IppDecodeError('the IPP response has no end-of-attributes tag');
    const tag = data[at];
    if (tag === TAG.endOfAttributes) break;
    if (tag < 0x10) {
      at++;
      current = new Map();
      groups.push({ tag, attributes: current });
      last = undefined;
      continue;
    }
    if (!current) throw new IppDecodeError('an attribute comes before any group');
    const a = readAttribute();
    const value = a.tag === TAG.begCollection ? readCollection(0) : decodeValue(a.tag, a.value);
    if (a.name === '') {
      if (!last) throw new IppDecodeError('an additional value has no attribute');
      last.push(value);
    } else {
      last = [value];
      current.set(a.name, last);
    }
  }
  return { statusCode: data.readUInt16BE(2), groups };
}

/** Where the local scheduler listens, as cupsd tells a backend (CUPS_SERVER, IPP_PORT). */
export interface LocalScheduler {
  /** A domain socket path, or a host name. */
  server: string;
  port: number;
}

/** The scheduler that runs this backend, or undefined when not run by cupsd. */
export function localScheduler(env: NodeJS.ProcessEnv): LocalScheduler | undefined {
  const server = env.CUPS_SERVER?.trim();
  const port = Number(env.IPP_PORT);
  if (!server && !Number.isInteger(port)) return undefined;
  const usable = Number.isInteger(port) && port > 0 ? port : 631;
  // cupsd names its domain socket when it has one; a host name reaches it over TCP.
  if (server && !server.startsWith('/')) return { server: server.replace(/:\d+$/, ''), port: usable };
  return { server: server || 'localhost', port: usable };
}

/** Sends one IPP request to the local scheduler and decodes the answer. */
export function ippRequest(
  scheduler: LocalScheduler,
  body: Buffer,
  timeoutMs = 10_000,
): Promise<IppResponse> {
  return new Promise((resolve, reject) => {
    const where = scheduler.server.startsWith('/')
      ? { socketPath: scheduler.server }
      : { host: scheduler.server, port: scheduler.port };
    const req = request(
      {
        ...where,
        method: 'POST',
        path: '/',
        headers: { 'Content-Type': 'application/ipp', 'Content-Length': body.length, Host: 'localhost' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`the scheduler answered HTTP ${res.statusCode}`));
            return;
          }
          try {
            resolve(decodeIppResponse(Buffer.concat(chunks)));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the scheduler did not answer in time')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The job's attributes named in `requested`, as the local cupsd holds them. Anyone local may read
 * a job's public attributes (CUPS's default policy); job-name and phone are private to the owner,
 * which is why the backend reads those from its arguments instead.
 */
export async function getJobAttributes(
  scheduler: LocalScheduler,
  jobId: number,
  user: string,
  requested: readonly string[],
): Promise<Map<string, IppValue[]>> {
  const response = await ippRequest(
    scheduler,
    encodeGetJobAttributes({ requestId: 1, jobUri: `ipp://localhost/jobs/${jobId}`, user, requested }),
  );
  if (response.statusCode >= 0x0100) {
    throw new Error(`Get-Job-Attributes failed with IPP status 0x${response.statusCode.toString(16)}`);
  }
  return response.groups.find((g) => g.tag === TAG.jobAttributes)?.attributes ?? new Map();
}
