/**
 * A private cupsd for tests: its own ServerRoot, spool, logs and a TCP port on loopback, with the
 * system's filters and our backend, so tests print through a real scheduler without touching the
 * machine's CUPS. As root (CI) it runs jobs as `lp`, exactly as an installed queue would.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SYSTEM_SERVERBIN = '/usr/lib/cups';

export interface PrivateCupsd {
  dir: string;
  port: number;
  /** Environment for lp, lpstat, lpadmin … so they talk to this cupsd. */
  env: NodeJS.ProcessEnv;
  cups(command: string, args: string[]): Promise<string>;
  errorLog(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface CupsdOptions {
  /** Backend name → executable: the backend/ folder of the private ServerBin. */
  backends: Record<string, string>;
  /** Seconds between retries of a fax job (JobRetryInterval). */
  retryInterval?: number;
  /** Environment for filters and backends (cupsd.conf SetEnv). */
  setEnv?: Record<string, string>;
}

export async function startCupsd(options: CupsdOptions): Promise<PrivateCupsd> {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-cupsd-'));
  chmodSync(dir, 0o755); // jobs run as lp and must reach the spool below
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const bin = join(dir, 'bin');
  mkdirSync(join(bin, 'backend'), { recursive: true });
  for (const sub of ['filter', 'cgi-bin', 'daemon', 'driver', 'monitor', 'notifier']) {
    symlinkSync(join(SYSTEM_SERVERBIN, sub), join(bin, sub));
  }
  for (const [name, path] of Object.entries(options.backends)) symlinkSync(path, join(bin, 'backend', name));
  for (const sub of ['spool/tmp', 'cache', 'state', 'log', 'ppd'])
    mkdirSync(join(dir, sub), { recursive: true });

  writeFileSync(
    join(dir, 'cupsd.conf'),
    [
      'LogLevel debug',
      `Listen 127.0.0.1:${port}`,
      'Browsing Off',
      'WebInterface No',
      'DefaultAuthType None',
      `JobRetryInterval ${options.retryInterval ?? 5}`,
      'JobRetryLimit 3',
      'PreserveJobHistory Yes',
      '<Location />',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '<Policy default>',
      '  <Limit All>',
      '    Order deny,allow',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );
  const user = asRoot ? 'lp' : userInfo().username;
  writeFileSync(
    join(dir, 'cups-files.conf'),
    [
      `ServerRoot ${dir}`,
      `ServerBin ${bin}`,
      'DataDir /usr/share/cups',
      'DocumentRoot /usr/share/cups/doc-root',
      `RequestRoot ${dir}/spool`,
      `TempDir ${dir}/spool/tmp`,
      `CacheDir ${dir}/cache`,
      `StateDir ${dir}/state`,
      `AccessLog ${dir}/log/access_log`,
      `ErrorLog ${dir}/log/error_log`,
      `PageLog ${dir}/log/page_log`,
      `User ${user}`,
      `Group ${asRoot ? 'lp' : userInfo().username}`,
      `SystemGroup ${asRoot ? 'root' : userInfo().username}`,
      'FileDevice Yes',
      'Sandboxing Relaxed',
      // CUPS 2.4 takes SetEnv here: in cupsd.conf it only logs "Please move" and passes nothing.
      ...Object.entries(options.setEnv ?? {}).map(([k, v]) => `SetEnv ${k} ${v}`),
      '',
    ].join('\n'),
  );

  const daemon: ChildProcess = spawn(
    'cupsd',
    ['-f', '-c', join(dir, 'cupsd.conf'), '-s', join(dir, 'cups-files.conf')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let daemonErr = '';
  daemon.stderr?.on('data', (d: Buffer) => (daemonErr += d.toString()));
  const env = { ...process.env, CUPS_SERVER: `127.0.0.1:${port}`, LANG: 'C' };
  const cups = async (command: string, args: string[]) => (await run(command, args, { env })).stdout;

  for (let i = 0; ; i++) {
    try {
      await cups('lpstat', ['-r']);
      break;
    } catch {
      if (i > 100 || daemon.exitCode !== null) {
        daemon.kill();
        throw new Error(`private cupsd did not start: ${daemonErr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    dir,
    port,
    env,
    cups,
    errorLog: () => readFileSync(join(dir, 'log/error_log'), 'utf8'),
    async stop() {
      if (daemon.exitCode === null) {
        const exited = new Promise((r) => daemon.once('exit', r));
        daemon.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
