/**
 * `lpfax serve`: the fax service in the foreground (systemd, or install.sh's respawn loop, runs
 * it). A thin adapter: lpfax.conf becomes a service plan (lib/service), SIGTERM/SIGINT stop it
 * cleanly (the call in progress filed as partial, modems hung up and their locks freed), and
 * every event is one line on stderr.
 */
import { FaxArchive } from '../lib/archive/index.js';
import { loadFaxSettings } from '../lib/config/index.js';
import { DeliveryRunner } from '../lib/delivery/index.js';
import { runFaxService, servicePlan } from '../lib/service/index.js';
import { startServiceWeb } from './web.js';

export interface ServeArgs {
  config?: string;
  verbose?: boolean;
}

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export async function serve(argv: ServeArgs): Promise<number> {
  const log = (line: string) => process.stderr.write(`${stamp()} lpfax: ${line}\n`);
  const env = argv.config ? { ...process.env, LPFAX_CONFIG: argv.config } : process.env;
  const loaded = loadFaxSettings({ env });
  if (!loaded.ok) {
    log(loaded.error.message);
    return 78; // EX_CONFIG
  }
  const settings = loaded.value.settings;
  const plan = servicePlan(settings);
  let archive: FaxArchive;
  try {
    archive = new FaxArchive({ spool: plan.spool });
  } catch (e) {
    log(`cannot open the archive in ${plan.spool}: ${e instanceof Error ? e.message : String(e)}`);
    return 73; // EX_CANTCREAT
  }
  const delivery =
    plan.actions.length > 0 ? new DeliveryRunner(archive, { actions: plan.actions, log }) : undefined;
  const stop = new AbortController();
  const onSignal = (name: string) => () => {
    log(`${name}: stopping`);
    stop.abort();
  };
  process.once('SIGTERM', onSignal('SIGTERM'));
  process.once('SIGINT', onSignal('SIGINT'));
  log(
    `service started: spool ${plan.spool}, lines ${plan.devices.join(', ') || 'none'}, ${plan.rings} ring(s)`,
  );
  const web = await startServiceWeb(settings, archive, log);
  try {
    await runFaxService({
      settings,
      archive,
      delivery,
      devices: plan.devices,
      rings: plan.rings,
      log,
      signal: stop.signal,
      trace: argv.verbose ? log : undefined,
      rejectCallers: plan.rejectCallers,
      spool: plan.spool,
      minFreeBytes: plan.minFreeBytes,
    });
  } finally {
    await web?.close();
    archive.close();
  }
  return 0;
}
