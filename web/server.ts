/**
 * The fax web page (issue 16): fastify with sessions, CSRF tokens, a login rate limit, uploads,
 * security headers and the stylesheet; server-rendered pages (routes/pages.ts) and the JSON API
 * under /api (routes/api.ts), both on WebActions. Thin: the rules live in actions.ts.
 *
 * Every page and API call needs a session except the login page, /api/login and /static.
 * Mutating requests need the session's CSRF token (`x-csrf-token`, or the `_csrf` form field).
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import staticFiles from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaxArchive } from '../lib/archive/index.js';
import type { CupsClient } from '../lib/ipp/index.js';
import type { User, UsersFile } from '../lib/users/index.js';
import { WebActions, WebError } from './actions.js';
import { html, page } from './html.js';
import { apiRoutes } from './routes/api.js';
import { localPath, pageRoutes } from './routes/pages.js';
import { BoundedSessionStore, sessionSecret } from './session-store.js';

declare module 'fastify' {
  interface Session {
    user?: User;
    /** A one-time message for the next page (after a form post). */
    notice?: string;
  }
  interface FastifyRequest {
    /** The logged-in user, checked against the users file on every request. */
    user: User | null;
  }
  interface FastifyInstance {
    /** Every route as registered, `[method, url]` (so a test can check each one's guard). */
    routeList: [string, string][];
  }
}

export interface WebOptions {
  archive: FaxArchive;
  users: UsersFile;
  /** The local cupsd's fax queue; null: no sending, no job lists (503). */
  cups?: CupsClient | null;
  /** Default 127.0.0.1; port 0 picks a free one (tests). */
  address?: string;
  port?: number;
  inbox?: 'all' | 'admins';
  /** Largest upload in bytes, all its documents together (default 20 MB). */
  uploadLimit?: number;
  /** Login attempts per minute from one address (default 10). */
  loginsPerMinute?: number;
  tls?: { cert: string; key: string } | null;
  /** Sessions kept in memory at most (default 10 000; the oldest go first). */
  maxSessions?: number;
  /**
   * Keep sessions (and the cookie secret) in the spool's web folder so they survive a restart
   * (default true); false: in memory only, a restart logs everyone out.
   */
  keepSessions?: boolean;
  /** One line per event worth an administrator's eye (never a password). */
  log?: (line: string) => void;
}

export interface WebServer {
  /** http(s)://address:port */
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

const SESSION_MS = 8 * 3600_000;
const PUBLIC = new Set(['/login', '/api/login']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const here = dirname(fileURLToPath(import.meta.url));

/** The CSRF token from the header (scripts), the form field (pages) or, for uploads, the query. */
function csrfToken(req: FastifyRequest): string | undefined {
  const body = req.body as { _csrf?: unknown } | undefined;
  if (body && typeof body._csrf === 'string') return body._csrf;
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const query = req.query as { _csrf?: unknown } | undefined;
  return typeof query?._csrf === 'string' ? query._csrf : undefined;
}

export function isApi(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

export async function buildWeb(o: WebOptions): Promise<FastifyInstance> {
  const log = o.log ?? (() => undefined);
  const tls = o.tls ? { cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) } : null;
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ...(tls ? { https: tls } : {}),
  }) as unknown as FastifyInstance;
  const actions = new WebActions({ archive: o.archive, cups: o.cups, inbox: o.inbox });

  app.decorateRequest('user', null);
  const routeList: [string, string][] = [];
  app.decorate('routeList', routeList);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routeList.push([method, r.url]);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await app.register(helmet, {
    // No inline script or style anywhere; the PDF route drops the policy for the browser's viewer.
    contentSecurityPolicy: { directives: { 'form-action': ["'self'"], 'img-src': ["'self'"] } },
  });
  await app.register(cookie);
  const keep = o.keepSessions ?? true;
  const webDir = join(o.archive.layout.root, 'web');
  const store = new BoundedSessionStore(
    SESSION_MS,
    o.maxSessions,
    keep ? join(webDir, 'sessions.json') : null,
  );
  app.addHook('onClose', async () => store.flush());
  await app.register(session, {
    secret: keep ? sessionSecret(webDir) : randomBytes(32).toString('hex'),
    cookieName: 'lpfax_session',
    saveUninitialized: false,
    store,
    // Secure only with our own TLS: 'auto' would turn SameSite down to Lax over plain HTTP.
    cookie: { httpOnly: true, sameSite: 'strict', secure: tls !== null, path: '/', maxAge: SESSION_MS },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session', getToken: csrfToken });
  await app.register(rateLimit, { global: false });
  const uploadLimit = o.uploadLimit ?? 20 * 1024 * 1024;
  await app.register(multipart, {
    limits: { fileSize: uploadLimit, files: 10, fields: 10, parts: 20 },
  });
  await app.register(staticFiles, {
    root: join(here, 'static'),
    prefix: '/static/',
    index: false,
    list: false,
  });

  // Who is asking: the session's user, still in the users file (a removed user is logged out).
  app.addHook('onRequest', async (req, reply) => {
    const name = req.session.user?.name;
    if (name !== undefined) {
      const now = o.users.find(name);
      if (now) req.user = now;
      else await req.session.destroy();
    }
    const path = req.url.split('?')[0];
    if (req.user || PUBLIC.has(path) || path.startsWith('/static/')) return;
    if (isApi(req)) return reply.code(401).send({ error: 'Log in first.' });
    return reply.redirect('/login', 303);
  });
  // CSRF: every mutating request but the login itself (it has no session yet).
  app.addHook('preHandler', (req, reply, done) => {
    const path = req.url.split('?')[0];
    if (SAFE_METHODS.has(req.method) || PUBLIC.has(path)) return done();
    app.csrfProtection(req, reply, done);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply: FastifyReply) => {
    const status = error instanceof WebError ? error.statusCode : (error.statusCode ?? 500);
    let message = error.message;
    if (error.code === 'FST_REQ_FILE_TOO_LARGE') message = 'The document is larger than the upload limit.';
    else if (error.code?.startsWith('FST_CSRF')) message = 'The form has expired; load the page again.';
    else if (status >= 500 && !(error instanceof WebError)) {
      log(`web: ${req.method} ${req.url.split('?')[0]}: ${error.message}`);
      message = 'Something went wrong on the server.';
    }
    if (isApi(req) || !req.user) return reply.code(status).send({ error: message });
    if (req.method === 'GET') {
      const ctx = { user: req.user, csrfToken: reply.generateCsrf(), notice: null };
      return reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(page('Not here', ctx, html`<p>${message}</p>`));
    }
    // A form post: back to the page it came from, with the sentence.
    req.session.notice = message;
    return reply.redirect(localPath(req.headers.referer), 303);
  });

  const routeOptions = {
    actions,
    users: o.users,
    loginsPerMinute: o.loginsPerMinute ?? 10,
    uploadLimit,
    log,
  };
  await app.register(apiRoutes, routeOptions);
  await app.register(pageRoutes, routeOptions);
  return app;
}

/** Starts the page; `lpfax serve` calls this, and tests with port 0. */
export async function startWeb(o: WebOptions): Promise<WebServer> {
  const app = await buildWeb(o);
  const host = o.address ?? '127.0.0.1';
  await app.listen({ host, port: o.port ?? 8631 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 8631);
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `${o.tls ? 'https' : 'http'}://${shown}:${port}`, port, app, close: () => app.close() };
}
