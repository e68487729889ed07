/**
 * The web page's start inside `lpfax serve` (issue 16): on WebAddress:WebPort once the users
 * file exists (no user, no page: nobody could log in) and is not world-readable, talking to the
 * local cupsd's Fax queue (CUPS_SERVER as lp reads it, else localhost:631). A page that cannot start is logged; the
 * service answers faxes all the same.
 */
import { existsSync, statSync } from 'node:fs';
import type { FaxArchive } from '../lib/archive/index.js';
import type { FaxSettings } from '../lib/config/index.js';
import { CupsClient } from '../lib/ipp/index.js';
import { UsersFile } from '../lib/users/index.js';
import { startWeb, type WebServer } from '../web/server.js';

export async function startServiceWeb(
  settings: FaxSettings,
  archive: FaxArchive,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WebServer | null> {
  const w = settings.web;
  if (w.port === 0) return null;
  if (!existsSync(w.usersFile)) {
    log(
      `web page off: no users file ${w.usersFile} (create the first user with: lpfax user add NAME --admin)`,
    );
    return null;
  }
  if ((statSync(w.usersFile).mode & 0o004) !== 0) {
    // Its scrypt hashes would be open to every local user to crack offline.
    log(
      `web page off: the users file ${w.usersFile} is readable by every user (make it private: chmod 600 ${w.usersFile})`,
    );
    return null;
  }
  if ((w.tlsCertificate === '') !== (w.tlsKey === '')) {
    log('web page off: WebTlsCertificate and WebTlsKey go together');
    return null;
  }
  try {
    const server = await startWeb({
      archive,
      users: new UsersFile(w.usersFile),
      cups: new CupsClient({ server: env.CUPS_SERVER || 'localhost:631', queue: env.LPFAX_QUEUE || 'Fax' }),
      address: w.address,
      port: w.port,
      inbox: w.inbox,
      uploadLimit: w.uploadLimitMb * 1024 * 1024,
      tls: w.tlsCertificate ? { cert: w.tlsCertificate, key: w.tlsKey } : null,
      log,
    });
    log(`web page on ${server.url}`);
    return server;
  } catch (e) {
    log(`web page off: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
