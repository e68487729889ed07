/**
 * The pages, server-rendered, usable without script: inbox, sent, send, held, contacts, login.
 * Each form posts to its own route, which does the same as the API and returns to the page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReceivedFax } from '../../lib/archive/index.js';
import { csrfField, html, page, pager, when, type Html, type PageContext } from '../html.js';
import { FOLDERS, WebError, type Folder, type SentItem } from '../actions.js';

const FOLDER_NAMES: Record<Folder, string> = { inbox: 'Inbox', archived: 'Archived', deleted: 'Bin' };
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

function context(req: FastifyRequest, reply: FastifyReply, current: string): PageContext {
  const notice = req.session.notice ?? null;
  if (notice !== null) req.session.notice = undefined;
  return { user: req.user, csrfToken: reply.generateCsrf(), current, notice };
}

function send(reply: FastifyReply, text: string) {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').send(text);
}

/** The path and query of a Referer, never another site's address ('/' when unusable). */
export function localPath(referer: string | undefined): string {
  if (!referer) return '/';
  const url = new URL(referer, 'http://x');
  return url.pathname.startsWith('/') && !url.pathname.startsWith('//') ? url.pathname + url.search : '/';
}

function back(req: FastifyRequest, reply: FastifyReply, to: string, notice?: string) {
  if (notice) req.session.notice = notice;
  return reply.redirect(to, 303);
}

function from(fax: ReceivedFax): Html {
  const who = fax.remoteId || fax.callerName || fax.callerId;
  const caller = fax.callerId && fax.callerId !== who ? html` <small>(${fax.callerId})</small>` : '';
  return html`${who ?? 'unknown'}${caller}`;
}

function receivedRow(fax: ReceivedFax, csrf: string): Html {
  const partial = fax.result === 'partial';
  const thumb = fax.tiff
    ? html`<a href="/api/received/${fax.id}/pdf"
        ><img src="/api/received/${fax.id}/thumbnail" alt="First page of fax ${fax.id}" loading="lazy"
      /></a>`
    : '';
  const action = (what: string, label: string) =>
    html`<form class="inline" method="post" action="/received/${fax.id}/${what}">
      ${csrfField(csrf)}<button>${label}</button>
    </form>`;
  return html`<tr class="${fax.read ? 'read' : 'unread'}" data-fax="${fax.id}">
    <td class="thumb">${thumb}</td>
    <td class="from">${from(fax)}</td>
    <td>${fax.pages}</td>
    <td>${when(fax.receivedAt)}</td>
    <td class="${partial ? 'partial' : fax.result === 'received' ? '' : 'failed'}">
      ${partial ? 'partial' : fax.result}${fax.failureSentence ? html`<br /><small>${fax.failureSentence}</small>` : ''}
    </td>
    <td>
      ${fax.pdf ? html`<a href="/api/received/${fax.id}/pdf" target="_blank" rel="noopener">Open PDF</a>` : ''}
      ${fax.tiff ? html`<a href="/received/${fax.id}">View pages</a>` : ''}
      ${
        fax.deletedAt
          ? action('restore', 'Restore')
          : html`${action(fax.read ? 'unread' : 'read', fax.read ? 'Mark unread' : 'Mark read')}
              ${fax.archived ? '' : action('archive', 'Archive')}
              <a href="/received/${fax.id}/delete">Delete…</a>`
      }
    </td>
  </tr>`;
}

function sentRow({ job, record }: SentItem, csrf: string, resendable: boolean): Html {
  const state = job?.state ?? 'completed';
  const word =
    state === 'completed' ? 'delivered' : state === 'aborted' || state === 'canceled' ? state : state;
  const active = ['pending', 'held', 'processing', 'stopped'].includes(state);
  return html`<tr data-job="${job?.id ?? record?.jobId}">
    <td>${job?.id ?? record?.jobId}</td>
    <td>${job?.name ?? record?.recipientName ?? record?.number}</td>
    <td>${job?.user ?? record?.user}</td>
    <td>${when(job?.createdAt ?? record?.finishedAt ?? null)}</td>
    <td class="state ${word}">${word}</td>
    <td>
      ${job?.message || record?.failureSentence || ''}
      ${
        record?.report
          ? html` <a href="/api/jobs/${record.jobId}/report" target="_blank" rel="noopener">Report</a>`
          : ''
      }
    </td>
    <td>
      ${active ? html`<form class="inline" method="post" action="/jobs/${job?.id}/cancel">${csrfField(csrf)}<button>Cancel</button></form>` : ''}
      ${!active && resendable ? html`<form class="inline" method="post" action="/jobs/${job?.id ?? record?.jobId}/resend">${csrfField(csrf)}<button>Send again</button></form>` : ''}
    </td>
  </tr>`;
}

export async function pageRoutes(app: FastifyInstance, o: RouteOptions): Promise<void> {
  const { actions } = o;
  const minute = { rateLimit: { max: o.loginsPerMinute, timeWindow: 60_000 } };

  app.get('/login', async (req, reply) => {
    if (req.user) return reply.redirect('/', 303);
    const ctx = context(req, reply, '/login');
    return send(
      reply,
      page(
        'Log in',
        ctx,
        html`<form class="stack" method="post" action="/login">
          <label>User <input name="username" autocomplete="username" required autofocus /></label>
          <label
            >Password <input name="password" type="password" autocomplete="current-password" required
          /></label>
          <button>Log in</button>
        </form>`,
      ),
    );
  });

  app.post('/login', { config: minute }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await logIn(req, o, body.username, body.password);
    if (!user) return back(req, reply, '/login', 'Wrong user name or password.');
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (req, reply) => {
    await logOut(req, reply);
    return reply.redirect('/login', 303);
  });

  app.get('/', { schema: { querystring: pageQuery } }, async (req, reply) => {
    const ctx = context(req, reply, '/');
    const { offset, limit, folder } = pageOf(req);
    const user = userOf(req);
    if (!actions.mayReadInbox(user))
      return send(reply, page('Inbox', ctx, html`<p>Received faxes are shown to admins only.</p>`));
    const list = actions.receivedList(user, offset, limit, folder);
    const folders = FOLDERS.filter((f) => f !== 'deleted' || user.admin).map(
      (f) =>
        html`<a href="/?folder=${f}" ${f === folder ? html` aria-current="page"` : ''}
          >${FOLDER_NAMES[f]}</a
        > `,
    );
    return send(
      reply,
      page(
        FOLDER_NAMES[folder],
        ctx,
        html`<p class="folders">${folders}</p>
          <table class="inbox">
            <thead>
              <tr>
                <th></th>
                <th>From</th>
                <th>Pages</th>
                <th>Received</th>
                <th>Result</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${list.items.map((f) => receivedRow(f, ctx.csrfToken))}
            </tbody>
          </table>
          ${pager(`/?folder=${folder}`, offset, limit, list.total)}`,
      ),
    );
  });

  const done: Record<string, string> = {
    delete: 'moved to the bin',
    restore: 'restored to the inbox',
    archive: 'archived',
  };
  for (const what of ['read', 'unread', 'archive', 'delete', 'restore'] as const) {
    app.post(`/received/:id/${what}`, { schema: { params: idParams } }, async (req, reply) => {
      actions.mark(userOf(req), idOf(req), what);
      const to = what === 'restore' ? '/?folder=deleted' : localPath(req.headers.referer);
      return back(req, reply, to, done[what] && `Fax ${idOf(req)} ${done[what]}.`);
    });
  }

  app.get('/received/:id', { schema: { params: idParams } }, async (req, reply) => {
    const user = userOf(req);
    const fax = actions.received(user, idOf(req));
    if (!fax.read) actions.mark(user, fax.id, 'read');
    const ctx = context(req, reply, '/');
    const pages = Array.from({ length: fax.pages }, (_, i) => i + 1);
    return send(
      reply,
      page(
        `Fax ${fax.id}`,
        ctx,
        html`<p>
            From ${from(fax)}, received ${when(fax.receivedAt)}, ${fax.pages} pages.
            ${fax.pdf ? html`<a href="/api/received/${fax.id}/pdf" target="_blank" rel="noopener">Open PDF</a>` : ''}
          </p>
          <div class="pages">
            ${pages.map(
              (n) =>
                html`<figure>
                  <img
                    src="/api/received/${fax.id}/pages/${n}.png"
                    alt="Page ${n} of fax ${fax.id}"
                    loading="lazy"
                    width="850"
                  />
                  <figcaption>Page ${n} of ${fax.pages}</figcaption>
                </figure>`,
            )}
          </div>`,
      ),
    );
  });

  app.get('/received/:id/delete', { schema: { params: idParams } }, async (req, reply) => {
    const fax = actions.received(userOf(req), idOf(req));
    const ctx = context(req, reply, '/');
    return send(
      reply,
      page(
        'Delete fax',
        ctx,
        html`<p>
            Delete fax ${fax.id} from ${from(fax)}, received ${when(fax.receivedAt)} (${fax.pages} pages)? An
            admin can restore it until the bin is emptied.
          </p>
          <form method="post" action="/received/${fax.id}/delete">
            ${csrfField(ctx.csrfToken)}<button>Delete</button> <a href="/">Keep it</a>
          </form>`,
      ),
    );
  });

  app.get('/sent', { schema: { querystring: pageQuery } }, async (req, reply) => {
    const ctx = context(req, reply, '/sent');
    const { offset, limit } = pageOf(req);
    const list = await actions.sentList(userOf(req), offset, limit);
    const active = list.items.some((i) => i.job && ['pending', 'processing'].includes(i.job.state));
    if (active) ctx.refreshSeconds = 3;
    return send(
      reply,
      page(
        'Sent',
        ctx,
        html`<table class="sent">
            <thead>
              <tr>
                <th>Job</th>
                <th>To</th>
                <th>User</th>
                <th>Time</th>
                <th>State</th>
                <th>Details</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${list.items.map((i) =>
                sentRow(i, ctx.csrfToken, actions.resendable(i.job?.id ?? i.record?.jobId ?? 0)),
              )}
            </tbody>
          </table>
          ${pager('/sent', offset, limit, list.total)}`,
      ),
    );
  });

  app.get('/send', async (req, reply) => {
    const ctx = context(req, reply, '/send');
    const contacts = actions.contacts(0, 500).items;
    return send(
      reply,
      page(
        'Send a fax',
        ctx,
        html`<form
          class="stack"
          method="post"
          action="/send?_csrf=${encodeURIComponent(ctx.csrfToken)}"
          enctype="multipart/form-data"
        >
          <label>To (a number, or Name@number) <input name="to" list="contacts" required /></label>
          <datalist id="contacts">
            ${contacts.map((c) => html`<option value="${c.name}@${c.number}">${c.note}</option>`)}
          </datalist>
          <label
            >Document (PDF or PostScript)
            <input
              name="file"
              type="file"
              accept="application/pdf,application/postscript,.pdf,.ps"
              multiple
              required
          /></label>
          <label
            >Cover page
            <select name="cover">
              <option value="auto">When the recipient has a name</option>
              <option value="on">Always</option>
              <option value="off">None</option>
            </select></label
          >
          <label>Note on the cover page <input name="note" maxlength="255" /></label>
          <label
            >Resolution
            <select name="resolution">
              <option value="fine">Fine (text)</option>
              <option value="standard">Standard (faster)</option>
              <option value="superfine">Superfine (small print)</option>
            </select></label
          >
          <button>Send</button>
        </form>`,
      ),
    );
  });

  app.post('/send', async (req, reply) => {
    const { fields, files } = await readUpload(req, o.uploadLimit);
    if (files.length === 0) throw new WebError(400, 'Choose a PDF or PostScript document.');
    const jobIds = await actions.send(userOf(req), fields.to, files, {
      cover: fields.cover,
      resolution: fields.resolution,
      note: fields.note,
    });
    const jobs = jobIds.length === 1 ? `Job ${jobIds[0]} is` : `Jobs ${jobIds.join(', ')} are`;
    return back(req, reply, '/sent', `${jobs} queued for ${fields.to.trim()}.`);
  });

  app.get('/held', async (req, reply) => {
    const ctx = context(req, reply, '/held');
    const held = await actions.heldList(userOf(req));
    return send(
      reply,
      page(
        'Held jobs',
        ctx,
        html`<p>Jobs printed without a fax number wait here. Enter the number to send them.</p>
          <table class="held">
            <thead>
              <tr>
                <th>Job</th>
                <th>Title</th>
                <th>Owner</th>
                <th>Time</th>
                <th>Why</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${held.items.map(
                (j) =>
                  html`<tr data-job="${j.id}">
                    <td>${j.id}</td>
                    <td>${j.name}</td>
                    <td>${j.user}</td>
                    <td>${when(j.createdAt)}</td>
                    <td>${j.message}</td>
                    <td>
                      <form class="inline" method="post" action="/held/${j.id}/release">
                        ${csrfField(ctx.csrfToken)}<input
                          name="to"
                          placeholder="Name@number"
                          aria-label="Fax number for job ${j.id}"
                          required
                        />
                        <button>Send</button>
                      </form>
                      <form class="inline" method="post" action="/jobs/${j.id}/cancel">
                        ${csrfField(ctx.csrfToken)}<button>Cancel</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${held.total === 0 ? html`<p>None.</p>` : ''}`,
      ),
    );
  });

  app.post('/held/:id/release', { schema: { params: idParams } }, async (req, reply) => {
    const body = (req.body ?? {}) as { to?: unknown };
    await actions.release(userOf(req), idOf(req), body.to);
    return back(req, reply, '/sent', `Job ${idOf(req)} released.`);
  });

  app.post('/jobs/:id/resend', { schema: { params: idParams } }, async (req, reply) => {
    const jobId = await actions.resend(userOf(req), idOf(req));
    return back(req, reply, '/sent', `Job ${idOf(req)} is sent again as job ${jobId}.`);
  });

  app.post('/jobs/:id/cancel', { schema: { params: idParams } }, async (req, reply) => {
    await actions.cancel(userOf(req), idOf(req));
    return back(req, reply, '/sent', `Job ${idOf(req)} cancelled.`);
  });

  app.get('/contacts', { schema: { querystring: pageQuery } }, async (req, reply) => {
    const ctx = context(req, reply, '/contacts');
    const { offset, limit } = pageOf(req);
    const list = actions.contacts(offset, limit);
    return send(
      reply,
      page(
        'Contacts',
        ctx,
        html`<table class="contacts">
            <thead>
              <tr>
                <th>Name</th>
                <th>Number</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              ${list.items.map(
                (c) =>
                  html`<tr>
                    <td>${c.name}</td>
                    <td>${c.number}</td>
                    <td>${c.note}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          ${pager('/contacts', offset, limit, list.total)}
          <h2>Add a contact</h2>
          <form class="stack" method="post" action="/contacts">
            ${csrfField(ctx.csrfToken)}
            <label>Name <input name="name" required /></label>
            <label>Fax number <input name="number" required /></label>
            <label>Note <input name="note" /></label>
            <button>Add</button>
          </form>
          <h2>Import and export</h2>
          <form
            class="stack"
            method="post"
            action="/contacts/import?_csrf=${encodeURIComponent(ctx.csrfToken)}"
            enctype="multipart/form-data"
          >
            <label
              >CSV file (name,number,note) <input name="file" type="file" accept=".csv,text/csv" required
            /></label>
            <button>Import</button>
          </form>
          <p><a href="/api/contacts.csv">Download the address book as CSV</a></p>`,
      ),
    );
  });

  app.post('/contacts/import', async (req, reply) => {
    const { file } = await readUpload(req, o.uploadLimit);
    if (!file) throw new WebError(400, 'Choose a CSV file.');
    return back(
      req,
      reply,
      '/contacts',
      `Added ${actions.importContactsCsv(file.toString('utf8'))} contacts.`,
    );
  });

  app.post('/contacts', async (req, reply) => {
    const c = actions.addContact((req.body ?? {}) as Record<string, unknown>);
    return back(req, reply, '/contacts', `Added ${c.name}.`);
  });
}
