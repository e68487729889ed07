/**
 * A small IPP client for the local cupsd (RFC 8011 operations and CUPS' Get-Jobs extensions):
 * one request function over HTTP to cupsd's port or its domain socket, Get-Job-Attributes (the
 * backend reads its own job's FaxOut collections with it), and what the web page needs to submit
 * a fax as a user, list, hold, release and cancel jobs.
 */
import { request } from 'node:http';
import {
  GroupTag,
  ValueTag,
  attributeMap,
  decodeMessage,
  encodeMessage,
  type IppAttribute,
  type IppMessage,
  type IppValue,
} from './encoding.js';

/** RFC 8011 §5.4.15 operation ids. */
export const Operation = {
  printJob: 0x0002,
  cancelJob: 0x0008,
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  holdJob: 0x000c,
  releaseJob: 0x000d,
  setJobAttributes: 0x0014,
} as const;

/** RFC 8011 §5.3.7 job-state. */
export type JobStateName =
  'pending' | 'held' | 'processing' | 'stopped' | 'canceled' | 'aborted' | 'completed';
const JOB_STATES: Record<number, JobStateName> = {
  3: 'pending',
  4: 'held',
  5: 'processing',
  6: 'stopped',
  7: 'canceled',
  8: 'aborted',
  9: 'completed',
};

export interface CupsJob {
  id: number;
  /** job-name: the recipient (`Name@number`) or, from other clients, a document title. */
  name: string;
  user: string;
  state: JobStateName;
  reasons: string[];
  /** What the backend said last (`Sending page 2 of 5`, `Delivered …`, the failure sentence). */
  message: string;
  createdAt: Date | null;
  completedAt: Date | null;
  pages: number | null;
  /** The queue the job is on (the last part of its job-printer-uri), '' when cupsd did not say. */
  queue: string;
}

export interface CupsServer {
  /** host:port, or a socket path (`/run/cups/cups.sock`), as CUPS_SERVER. */
  server: string;
  /** The fax queue (Fax). */
  queue: string;
}

/** Where cupsd listens: its domain socket, or a host and port. */
export type IppServer = { socketPath: string } | { host: string; port: number };

/** CUPS_SERVER's forms: a socket path, `host`, `host:port`, `[v6]:port` (631 when no port). */
export function ippServer(server: string, defaultPort = 631): IppServer {
  if (server.startsWith('/')) return { socketPath: server };
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(server);
  return {
    host: m ? m[1].replace(/^\[|\]$/g, '') : 'localhost',
    port: m?.[2] ? Number(m[2]) : defaultPort,
  };
}

/**
 * The scheduler that runs this backend, as cupsd tells a backend (CUPS_SERVER, IPP_PORT), or
 * undefined when not run by cupsd.
 */
export function localScheduler(env: NodeJS.ProcessEnv): IppServer | undefined {
  const server = env.CUPS_SERVER?.trim();
  const port = Number(env.IPP_PORT);
  if (!server && !Number.isInteger(port)) return undefined;
  const usable = Number.isInteger(port) && port > 0 ? port : 631;
  // cupsd names its domain socket when it has one; a host name reaches it over TCP on IPP_PORT.
  if (server?.startsWith('/')) return { socketPath: server };
  return { host: server ? server.replace(/:\d+$/, '') : 'localhost', port: usable };
}

/** An unsuccessful IPP status (RFC 8011 §B.1), with cupsd's status-message. */
export class IppError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'IppError';
  }
}

/** RFC 8011 §B.1.1: status-code 0x0000-0x00ff is success. */
const successful = (status: number) => status < 0x0100;

let nextRequestId = 1;

/**
 * Sends one IPP request to cupsd (HTTP POST to `path`) and decodes the answer; an unsuccessful
 * status is thrown as an IppError with cupsd's status-message.
 */
export async function ippRequest(
  server: IppServer,
  message: Omit<IppMessage, 'requestId'>,
  options: { path?: string; timeoutMs?: number } = {},
): Promise<IppMessage> {
  const body = encodeMessage({ ...message, requestId: nextRequestId++ });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const response = await new Promise<Buffer>((resolve, reject) => {
    const req = request(
      {
        ...server,
        method: 'POST',
        path: options.path ?? '/',
        headers: { 'content-type': 'application/ipp', 'content-length': body.length, host: 'localhost' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new IppError(0x0500, `cupsd answered HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`cupsd did not answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
  const m = decodeMessage(response);
  if (!successful(m.code)) {
    const text = m.groups
      .find((g) => g.tag === GroupTag.operation)
      ?.attributes.find((a) => a.name === 'status-message')?.values[0];
    throw new IppError(m.code, typeof text === 'string' ? text : `IPP status 0x${m.code.toString(16)}`);
  }
  return m;
}

/** The operation attributes every request starts with (RFC 8011 §4.1.4). */
function operationAttributes(target: IppAttribute, user: string, extra: IppAttribute[] = []): IppAttribute[] {
  return [
    { tag: ValueTag.charset, name: 'attributes-charset', values: ['utf-8'] },
    { tag: ValueTag.naturalLanguage, name: 'attributes-natural-language', values: ['en'] },
    target,
    ...extra,
    { tag: ValueTag.nameWithoutLanguage, name: 'requesting-user-name', values: [user] },
  ];
}

/** A Get-Job-Attributes request (RFC 8011 §4.3.4) for job `jobId` of the local cupsd. */
export function getJobAttributesRequest(
  jobId: number,
  user: string,
  requested: readonly string[],
): Omit<IppMessage, 'requestId'> {
  const jobUri = { tag: ValueTag.uri, name: 'job-uri', values: [`ipp://localhost/jobs/${jobId}`] };
  return {
    code: Operation.getJobAttributes,
    groups: [
      {
        tag: GroupTag.operation,
        attributes: operationAttributes(jobUri, user, [
          { tag: ValueTag.keyword, name: 'requested-attributes', values: [...requested] },
        ]),
      },
    ],
  };
}

/**
 * The job's attributes named in `requested`, as cupsd holds them (collections decoded). Anyone
 * local may read a job's public attributes (CUPS's default policy); job-name and phone are
 * private to the owner.
 */
export async function getJobAttributes(
  server: IppServer,
  jobId: number,
  user: string,
  requested: readonly string[],
  timeoutMs = 10_000,
): Promise<Map<string, IppValue[]>> {
  const m = await ippRequest(server, getJobAttributesRequest(jobId, user, requested), { timeoutMs });
  return attributeMap(m.groups.find((g) => g.tag === GroupTag.job));
}

const JOB_ATTRIBUTES = [
  'job-id',
  'job-name',
  'job-originating-user-name',
  'job-state',
  'job-state-reasons',
  'job-printer-state-message',
  'time-at-creation',
  'time-at-completed',
  'job-impressions',
  'job-media-sheets-completed',
  'job-printer-uri',
];

export class CupsClient {
  private readonly where: IppServer;

  constructor(readonly options: CupsServer) {
    this.where = ippServer(options.server);
  }

  get printerUri(): string {
    return `ipp://localhost/printers/${encodeURIComponent(this.options.queue)}`;
  }
  jobUri(id: number): string {
    return `ipp://localhost/jobs/${id}`;
  }
  /**
   * Whether the job is on this client's queue: Get-Job-Attributes and the job operations find
   * a job by id on any queue of the cupsd, so whoever acts for the fax queue checks this first.
   */
  onQueue(job: CupsJob): boolean {
    return job.queue !== '' && job.queue.toLowerCase() === this.options.queue.toLowerCase();
  }

  private operationGroup(user: string, extra: IppAttribute[] = []): IppAttribute[] {
    const printer = { tag: ValueTag.uri, name: 'printer-uri', values: [this.printerUri] };
    return operationAttributes(printer, user, extra);
  }

  send(code: number, groups: IppMessage['groups'], data?: Buffer, path = '/'): Promise<IppMessage> {
    return ippRequest(this.where, { code, groups, data }, { path });
  }

  /** Print-Job to the fax queue as `user`, with the recipient as job name. Returns the job id. */
  async printJob(
    user: string,
    jobName: string,
    document: Buffer,
    format: string,
    /** Job options, as `lp -o name=value` gives them (CUPS hands them to the backend). */
    options: Record<string, string> = {},
  ): Promise<number> {
    const jobGroup = Object.entries(options).map(([name, value]) => ({
      tag: ValueTag.nameWithoutLanguage,
      name,
      values: [value],
    }));
    const m = await this.send(
      Operation.printJob,
      [
        {
          tag: GroupTag.operation,
          attributes: this.operationGroup(user, [
            { tag: ValueTag.nameWithoutLanguage, name: 'job-name', values: [jobName] },
            { tag: ValueTag.mimeMediaType, name: 'document-format', values: [format] },
          ]),
        },
        ...(jobGroup.length > 0 ? [{ tag: GroupTag.job, attributes: jobGroup }] : []),
      ],
      document,
      `/printers/${encodeURIComponent(this.options.queue)}`,
    );
    const id = m.groups.flatMap((g) => g.attributes).find((a) => a.name === 'job-id')?.values[0];
    if (typeof id !== 'number') throw new IppError(0x0500, 'cupsd did not say the job id');
    return id;
  }

  /** The queue's jobs (not-completed, or all those CUPS still remembers), newest first. */
  async jobs(which: 'not-completed' | 'completed' | 'all', user = 'root'): Promise<CupsJob[]> {
    const m = await this.send(Operation.getJobs, [
      {
        tag: GroupTag.operation,
        attributes: this.operationGroup(user, [
          { tag: ValueTag.keyword, name: 'which-jobs', values: [which] },
          { tag: ValueTag.keyword, name: 'requested-attributes', values: JOB_ATTRIBUTES },
        ]),
      },
    ]);
    return m.groups
      .filter((g) => g.tag === GroupTag.job)
      .map((g) => jobOf(attributeMap(g)))
      .sort((a, b) => b.id - a.id);
  }

  async job(id: number, user = 'root'): Promise<CupsJob | null> {
    try {
      const attributes = await getJobAttributes(this.where, id, user, JOB_ATTRIBUTES, 30_000);
      return attributes.size > 0 ? jobOf(attributes) : null;
    } catch (e) {
      if (e instanceof IppError && e.status === 0x0406) return null; // client-error-not-found
      throw e;
    }
  }

  private jobOperation(code: number, id: number, user: string): Promise<IppMessage> {
    return this.send(code, [
      {
        tag: GroupTag.operation,
        attributes: this.operationGroup(user, [{ tag: ValueTag.integer, name: 'job-id', values: [id] }]),
      },
    ]);
  }

  async cancel(id: number, user: string): Promise<void> {
    await this.jobOperation(Operation.cancelJob, id, user);
  }

  /**
   * Gives a held job its recipient and lets it go: the `phone` option (which the backend reads
   * as `lp -o phone=…` sets it; CUPS ignores a new job-name as an operation attribute) and the
   * job-name, then Release-Job.
   */
  async releaseWithNumber(id: number, user: string, to: string): Promise<void> {
    await this.send(Operation.setJobAttributes, [
      {
        tag: GroupTag.operation,
        attributes: this.operationGroup(user, [{ tag: ValueTag.integer, name: 'job-id', values: [id] }]),
      },
      {
        tag: GroupTag.job,
        attributes: [
          { tag: ValueTag.nameWithoutLanguage, name: 'job-name', values: [to] },
          { tag: ValueTag.textWithoutLanguage, name: 'phone', values: [to] },
        ],
      },
    ]);
    await this.jobOperation(Operation.releaseJob, id, user);
  }
}

function jobOf(attributes: ReadonlyMap<string, IppValue[]>): CupsJob {
  const one = (name: string) => attributes.get(name)?.[0];
  const text = (name: string) => {
    const v = one(name);
    return typeof v === 'string' ? v : '';
  };
  const time = (name: string) => {
    const v = one(name);
    return typeof v === 'number' && v > 0 ? new Date(v * 1000) : null;
  };
  const pages = one('job-impressions');
  const printerUri = text('job-printer-uri');
  let queue = '';
  try {
    queue = decodeURIComponent(printerUri.slice(printerUri.lastIndexOf('/') + 1));
  } catch {
    // Not a URI: no queue, so not ours.
  }
  return {
    id: Number(one('job-id')),
    name: text('job-name'),
    user: text('job-originating-user-name'),
    state: JOB_STATES[Number(one('job-state'))] ?? 'pending',
    reasons: (attributes.get('job-state-reasons') ?? []).map(String),
    message: text('job-printer-state-message'),
    createdAt: time('time-at-creation'),
    completedAt: time('time-at-completed'),
    pages: typeof pages === 'number' ? pages : null,
    queue,
  };
}
