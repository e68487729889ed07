/**
 * A small IPP client for the local cupsd (RFC 8011 operations and CUPS' Get-Jobs extensions):
 * what the web page needs to submit a fax as a user, list, hold, release and cancel jobs.
 * Requests go over HTTP to cupsd's port or its local socket (CUPS_SERVER, as lp uses).
 */
import { request } from 'node:http';
import {
  GroupTag,
  ValueTag,
  decodeMessage,
  encodeMessage,
  type IppAttribute,
  type IppMessage,
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
}

export interface CupsServer {
  /** host:port, or a socket path (`/run/cups/cups.sock`), as CUPS_SERVER. */
  server: string;
  /** The fax queue (Fax). */
  queue: string;
}

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
];

export class CupsClient {
  private requestId = 1;
  private readonly host: string;
  private readonly port: number;
  private readonly socketPath?: string;

  constructor(readonly options: CupsServer) {
    if (options.server.startsWith('/')) {
      this.socketPath = options.server;
      this.host = 'localhost';
      this.port = 631;
    } else {
      const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(options.server);
      this.host = m ? m[1].replace(/^\[|\]$/g, '') : 'localhost';
      this.port = m?.[2] ? Number(m[2]) : 631;
    }
  }

  get printerUri(): string {
    return `ipp://localhost/printers/${encodeURIComponent(this.options.queue)}`;
  }
  jobUri(id: number): string {
    return `ipp://localhost/jobs/${id}`;
  }

  private operationGroup(user: string, extra: IppAttribute[] = []): IppAttribute[] {
    return [
      { tag: ValueTag.charset, name: 'attributes-charset', values: ['utf-8'] },
      { tag: ValueTag.naturalLanguage, name: 'attributes-natural-language', values: ['en'] },
      { tag: ValueTag.uri, name: 'printer-uri', values: [this.printerUri] },
      ...extra,
      { tag: ValueTag.nameWithoutLanguage, name: 'requesting-user-name', values: [user] },
    ];
  }

  async send(code: number, groups: IppMessage['groups'], data?: Buffer, path = '/'): Promise<IppMessage> {
    const body = encodeMessage({ code, requestId: this.requestId++, groups, data });
    const response = await new Promise<Buffer>((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          socketPath: this.socketPath,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/ipp', 'content-length': body.length, host: 'localhost' },
          timeout: 30_000,
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
      req.on('timeout', () => req.destroy(new Error('cupsd did not answer in 30 s')));
      req.on('error', reject);
      req.end(body);
    });
    const m = decodeMessage(response);
    if (!successful(m.code)) {
      const message = m.groups
        .find((g) => g.tag === GroupTag.operation)
        ?.attributes.find((a) => a.name === 'status-message')?.values[0];
      throw new IppError(
        m.code,
        typeof message === 'string' ? message : `IPP status 0x${m.code.toString(16)}`,
      );
    }
    return m;
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
      .map((g) => jobOf(g.attributes))
      .sort((a, b) => b.id - a.id);
  }

  async job(id: number, user = 'root'): Promise<CupsJob | null> {
    try {
      const m = await this.send(Operation.getJobAttributes, [
        {
          tag: GroupTag.operation,
          attributes: this.operationGroup(user, [
            { tag: ValueTag.integer, name: 'job-id', values: [id] },
            { tag: ValueTag.keyword, name: 'requested-attributes', values: JOB_ATTRIBUTES },
          ]),
        },
      ]);
      const group = m.groups.find((g) => g.tag === GroupTag.job);
      return group ? jobOf(group.attributes) : null;
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

function jobOf(attributes: IppAttribute[]): CupsJob {
  const one = (name: string) => attributes.find((a) => a.name === name)?.values[0];
  const text = (name: string) => {
    const v = one(name);
    return typeof v === 'string' ? v : '';
  };
  const time = (name: string) => {
    const v = one(name);
    return typeof v === 'number' && v > 0 ? new Date(v * 1000) : null;
  };
  const pages = one('job-impressions');
  return {
    id: Number(one('job-id')),
    name: text('job-name'),
    user: text('job-originating-user-name'),
    state: JOB_STATES[Number(one('job-state'))] ?? 'pending',
    reasons: (attributes.find((a) => a.name === 'job-state-reasons')?.values ?? []).map(String),
    message: text('job-printer-state-message'),
    createdAt: time('time-at-creation'),
    completedAt: time('time-at-completed'),
    pages: typeof pages === 'number' ? pages : null,
  };
}
