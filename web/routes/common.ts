/** Shared pieces of the routes: schemas for ids and pages, the upload reader, login. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User, UsersFile } from '../../lib/users/index.js';
import { WebError, type Folder, type WebActions } from '../actions.js';

export interface RouteOptions {
  actions: WebActions;
  users: UsersFile;
  loginsPerMinute: number;
  /** Largest upload in bytes: each document, and all of one request's together. */
  uploadLimit: number;
  log: (line: string) => void;
}

/** A record or job id: digits only, so no path or other text reaches a lookup. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

export const pageQuery = {
  type: 'object',
  properties: {
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    folder: { type: 'string', enum: ['inbox', 'archived', 'deleted'], default: 'inbox' },
    _csrf: { type: 'string' },
  },
} as const;

export function idOf(req: FastifyRequest): number {
  return Number((req.params as { id: string }).id);
}

export function pageOf(req: FastifyRequest): { offset: number; limit: number; folder: Folder } {
  const q = req.query as { offset?: number; limit?: number; folder?: Folder };
  return { offset: q.offset ?? 0, limit: q.limit ?? 50, folder: q.folder ?? 'inbox' };
}

export function userOf(req: FastifyRequest): User {
  if (!req.user) throw new Error('no user on an authenticated route');
  return req.user;
}

/**
 * The upload's `file` parts (each size-limited by the multipart plugin, all together by
 * `limit` here: 413; `file` is the first, `files` all of them in order) and its text fields.
 */
export async function readUpload(
  req: FastifyRequest,
  limit: number,
): Promise<{ fields: Record<string, string>; file: Buffer | null; files: Buffer[] }> {
  const fields: Record<string, string> = {};
  const files: Buffer[] = [];
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      total += data.length;
      if (total > limit) throw new WebError(413, 'The documents are larger than the upload limit together.');
      if (part.fieldname === 'file' && data.length > 0) files.push(data);
    } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
  }
  return { fields, file: files[0] ?? null, files };
}

/** Checks the password; on success a fresh session (no fixation) holds the user. */
export async function logIn(
  req: FastifyRequest,
  o: RouteOptions,
  username: unknown,
  password: unknown,
): Promise<User | null> {
  if (
    typeof username !== 'string' ||
    typeof password !== 'string' ||
    username.length > 64 ||
    password.length > 1024
  )
    return null;
  const user = await o.users.verify(username, password);
  if (!user) {
    o.log(`web: failed login for "${username.replace(/[^\x20-\x7e]/g, '?')}" from ${req.ip}`);
    return null;
  }
  await req.session.regenerate();
  req.session.user = user;
  req.user = user;
  return user;
}

export async function logOut(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  await req.session.destroy();
  req.user = null;
  void reply;
}
