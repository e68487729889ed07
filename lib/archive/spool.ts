/**
 * The spool: one private folder tree owned by the service user. Every folder is 0700 and every
 * file 0600, whatever the umask, so no other local user reads a fax.
 *
 *   <spool>/archive.db          the database (with -wal and -shm beside it)
 *   <spool>/received/<id>/      one folder per received call: fax.tif, fax.pdf
 *   <spool>/sent/<id>/          one folder per sent job: report.pdf
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_SPOOL = '/var/spool/lpfax';
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates the folder (and missing parents below `root`) 0700; an existing one is made 0700. */
export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
  if ((statSync(path).mode & 0o777) !== DIR_MODE) chmodSync(path, DIR_MODE);
  return path;
}

/** Creates the file empty if missing, and makes it 0600. */
export function privateFile(path: string): string {
  closeSync(openSync(path, 'a', FILE_MODE));
  if ((statSync(path).mode & 0o777) !== FILE_MODE) chmodSync(path, FILE_MODE);
  return path;
}

/**
 * Writes the file whole and private: a new 0600 temp file beside it (O_EXCL, so never through a
 * link or into a left-over file with other modes), then renamed over `path` (replacing a link
 * there rather than following it).
 */
export function writePrivateFile(path: string, data: string | Buffer): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.new`;
  try {
    writeFileSync(temp, data, { mode: FILE_MODE, flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

export class SpoolLayout {
  constructor(readonly root: string = DEFAULT_SPOOL) {}

  get database(): string {
    return join(this.root, 'archive.db');
  }
  get receivedRoot(): string {
    return join(this.root, 'received');
  }
  get sentRoot(): string {
    return join(this.root, 'sent');
  }
  receivedDir(id: number): string {
    return join(this.receivedRoot, String(id));
  }
  sentDir(id: number): string {
    return join(this.sentRoot, String(id));
  }

  /** Makes the tree (0700) and the database file (0600, so its -wal and -shm inherit 0600). */
  create(): void {
    privateDir(this.root);
    privateDir(this.receivedRoot);
    privateDir(this.sentRoot);
    privateFile(this.database);
  }
}
