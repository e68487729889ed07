/**
 * The JSON API under /api (issue 16), the same operations as the page: lists are
 * `{items, total}` with offset/limit; field names as `lpfax received --json` / `lpfax sent --json`.
 */
import { constants, createReadStream, openSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { receivedJson, sentJson, type ReceivedFax } from '../../lib/archive/index.js';
import type { CupsJob } from '../../lib/ipp/index.js';
import { WebError, type SentItem } from '../actions.js';
import {
  idOf,
  idParams,
  logIn,
  logOut,
  pageOf,
  pageQuery,
  readUpload,
  userOf,
  type RouteOptions,
} from './common.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `lpfax received --json`, with the files as API addresses instead of spool paths. */
/** A spool file to send: opened without following a link (checked as a plain file before). */
const spoolFile = (path: string) =>
  createReadStream('', { fd: openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW) });

export function receivedItem(fax: ReceivedFax) {
  return {
    ...receivedJson(fax),
    pdf: fax.pdf ? `/api/received/${fax.id}/pdf` : null,
    tiff: null,
    thumbnail: fax.tiff ? `/api/received/${fax.id}/thumbnail` : null,
  };
}

export function jobJson(job: CupsJob) {
  return {
    jobId: job.id,
    title: job.name,
    user: job.user,
    state: job.state,
    stateMessage: job.message,
    createdAt: iso(job.createdAt),
    completedAt: iso(job.completedAt),
  };
}

/** `lpfax sent --json` once the job is filed (the report as an API address), with CUPS' live state. */
export function sentItem({ job, record }: SentItem) {
  const report = record?.report ? `/api/jobs/${record.jobId}/report` : null;
  return { ...(record ? { ...sentJson(record), report } : {}), ...(job ? jobJson(job) : {}) };
}

export async function apiRoutes(app: FastifyInstance, o: RouteOptions): Promise<void> {
  const { actions } = o;
  const minute = { rateLimit: { max: o.loginsPerMinute, timeWindow: 60_000 } };

  app.post('/api/login', {
    config: minute,
    schema: {
      body: {
        type: 'object',
        required: ['username', 'password'],
        properties: { username: { type: 'string' }, password: { type: 'string' } },
      },
    },
    handler: async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const user = await logIn(req, o, username, password);
      if (!user) return reply.code(401).send({ error: 'Wrong user name or password.' });
      return { user, csrfToken: reply.generateCsrf() };
    },
  });

  app.post('/api/logout', async (req, reply) => {
    await logOut(req, reply);
    return { ok: true };
  });

  app.get('/api/session', async (req, reply) => ({ user: userOf(req), csrfToken: reply.generateCsrf() }));

  app.get('/api/received', { schema: { querystring: pageQuery } }, async (req) => {
    const { offset, limit, folder } = pageOf(req);
    const page = actions.receivedList(userOf(req), offset, limit, folder);
    return { items: page.items.map(receivedItem), total: page.total };
  });

  app.get('/api/received/:id', { schema: { params: idParams } }, async (req) =>
    receivedItem(actions.received(userOf(req), idOf(req))),
  );

  app.get('/api/received/:id/pdf', { schema: { params: idParams } }, async (req, reply) => {
    const id = idOf(req);
    const path = actions.pdfPath(userOf(req), id);
    // The browser's own PDF viewer does not run under the page's content security policy.
    reply.removeHeader('content-security-policy');
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="fax-${id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(spoolFile(path));
  });

  app.get('/api/received/:id/thumbnail', { schema: { params: idParams } }, async (req, reply) => {
    const path = await actions.thumbnailPath(userOf(req), idOf(req));
    return reply.type('image/png').header('cache-control', 'private, max-age=86400').send(spoolFile(path));
  });

  app.get(
    '/api/received/:id/pages/:n.png',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'n'],
          properties: { ...idParams.properties, n: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } },
        },
      },
    },
    async (req, reply) => {
      const n = Number((req.params as { n: string }).n);
      const path = await actions.pagePath(userOf(req), idOf(req), n);
      return reply.type('image/png').header('cache-control', 'private, max-age=86400').send(spoolFile(path));
    },
  );

  for (const what of ['read', 'unread', 'archive', 'delete', 'restore'] as const) {
    app.post(`/api/received/:id/${what}`, { schema: { params: idParams } }, async (req) => {
      actions.mark(userOf(req), idOf(req), what);
      return { ok: true };
    });
  }

  app.get('/api/sent', { schema: { querystring: pageQuery } }, async (req) => {
    const { offset, limit } = pageOf(req);
    const page = await actions.sentList(userOf(req), offset, limit);
    return { items: page.items.map(sentItem), total: page.total };
  });

  app.post('/api/send', async (req, reply) => {
    const { fields, files } = await readUpload(req, o.uploadLimit);
    if (files.length === 0) throw new WebError(400, 'Attach a PDF or PostScript document as "file".');
    const jobIds = await actions.send(userOf(req), fields.to, files, {
      cover: fields.cover,
      resolution: fields.resolution,
      note: fields.note,
    });
    return reply.code(201).send({ jobId: jobIds[0], jobIds });
  });

  app.get('/api/held', async (req) => {
    const page = await actions.heldList(userOf(req));
    return { items: page.items.map(jobJson), total: page.total };
  });

  app.post('/api/held/:id/release', { schema: { params: idParams } }, async (req) => {
    const body = (req.body ?? {}) as { to?: unknown };
    await actions.release(userOf(req), idOf(req), body.to);
    return { ok: true };
  });

  app.get('/api/jobs/:id/report', { schema: { params: idParams } }, async (req, reply) => {
    const path = await actions.reportPath(userOf(req), idOf(req));
    reply.removeHeader('content-security-policy');
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="report-${idOf(req)}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(spoolFile(path));
  });

  app.post('/api/jobs/:id/resend', { schema: { params: idParams } }, async (req, reply) => {
    const jobId = await actions.resend(userOf(req), idOf(req));
    return reply.code(201).send({ jobId });
  });

  app.post('/api/jobs/:id/cancel', { schema: { params: idParams } }, async (req) => {
    await actions.cancel(userOf(req), idOf(req));
    return { ok: true };
  });

  app.get('/api/contacts', { schema: { querystring: pageQuery } }, async (req) => {
    const { offset, limit } = pageOf(req);
    const page = actions.contacts(offset, limit);
    return {
      items: page.items.map((c) => ({ id: c.id, name: c.name, number: c.number, note: c.note })),
      total: page.total,
    };
  });

  app.get('/api/contacts.csv', async (_req, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="contacts.csv"')
      .send(actions.contactsCsv()),
  );

  app.post('/api/contacts/import', async (req, reply) => {
    const { file } = await readUpload(req, o.uploadLimit);
    if (!file) throw new WebError(400, 'Attach a CSV file as "file".');
    return reply.code(201).send({ added: actions.importContactsCsv(file.toString('utf8')) });
  });

  app.post('/api/contacts', async (req, reply) => {
    const c = actions.addContact((req.body ?? {}) as Record<string, unknown>);
    return reply.code(201).send({ id: c.id, name: c.name, number: c.number, note: c.note });
  });
}
