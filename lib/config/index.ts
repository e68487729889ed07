/**
 * lpfax configuration: lpfax.conf, the queue (device URI, PPD) and the job options merged into
 * one validated FaxSettings. Precedence: job > queue > file > built-in defaults (layers.ts).
 */

import { fail, ok, type Result } from './errors.js';
import { loadConfigFile } from './file.js';
import {
  environmentLayer,
  jobLayer,
  queueLayer,
  resolveSettings,
  type QueueInput,
  type ResolvedSettings,
} from './layers.js';
import { readPpdDefaults } from './ppd.js';

export * from './errors.js';
export * from './settings.js';
export * from './layers.js';
export { DEFAULT_CONFIG_PATH, loadConfigFile, parseConfigText, type LoadedConfigFile } from './file.js';
export { ppdDefaults, readPpdDefaults } from './ppd.js';

export interface SettingsInput {
  /**
   * The environment: LPFAX_CONFIG names the config file; LPFAX_LOCK_DIR stands in for the
   * built-in LockDir (below the file, see environmentLayer).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The config file when LPFAX_CONFIG is unset (default /etc/lpfax/lpfax.conf). */
  readonly defaultConfigPath?: string;
  /** The device URI's path and query. */
  readonly queue?: Omit<QueueInput, 'ppd'>;
  /** The queue's PPD file (the `PPD` environment variable), if any. */
  readonly ppdPath?: string;
  /** The job's options (argv[5], parsed). */
  readonly jobOptions?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

/** Everything a job needs: read lpfax.conf and the PPD, then merge all layers. */
export function loadFaxSettings(input: SettingsInput = {}): Result<ResolvedSettings> {
  const env = input.env ?? process.env;
  const environment = environmentLayer(env);
  if (!environment.ok) return environment;
  const file = loadConfigFile(env, input.defaultConfigPath);
  if (!file.ok) return file;
  let ppd: QueueInput['ppd'];
  if (input.ppdPath !== undefined && input.ppdPath !== '') {
    const read = readPpdDefaults(input.ppdPath);
    if (!read.ok) return read;
    ppd = read.value;
  }
  const queue = queueLayer({ ...input.queue, ppd });
  if (!queue.ok) return queue;
  const job = jobLayer(input.jobOptions ?? []);
  if (!job.ok) return job;
  const resolved = resolveSettings([environment.value, file.value.layer, queue.value, job.value]);
  return resolved.ok ? ok(resolved.value) : fail(resolved.error);
}
