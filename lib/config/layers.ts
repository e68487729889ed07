/**
 * Setting layers and their precedence, highest first:
 *
 *   job options (`lp -o`)  >  queue (device URI query, then PPD defaults)  >  lpfax.conf  >  built-in defaults
 *
 * Each layer is validated as it is read, so an error names the place the bad value came from.
 * Two rules refine plain precedence: a job may only lower MaxSpeed, never raise it above what
 * the queue and the file allow; and only the settings that have job option names can come
 * from a job at all (see settings.ts).
 */

import { ConfigError, fail, ok, type ConfigSource, type Result } from './errors.js';
import { isInvalid } from './values.js';
import {
  KEY_INDEX,
  SETTINGS,
  toFaxSettings,
  type FaxSettings,
  type FlatSettings,
  type SettingName,
  type SettingSpec,
} from './settings.js';

/** Where a value came from, for messages and for `lpfax` to explain a setting. */
export interface Origin {
  readonly source: ConfigSource;
  /** lpfax.conf or PPD path, `DEVICE_URI`, `job options`, or `built-in`. */
  readonly file: string;
  readonly line?: number;
  /** The key or option name as written. */
  readonly key: string;
}

export interface LayerEntry {
  readonly value: unknown;
  readonly origin: Origin;
}

export interface ConfigLayer {
  readonly source: ConfigSource;
  readonly entries: ReadonlyMap<SettingName, LayerEntry>;
}

const specOf = (name: SettingName) => SETTINGS[name] as SettingSpec<unknown>;

/** A layer under construction: `set` validates each raw value where it is read. */
export class LayerBuilder {
  private readonly entries = new Map<SettingName, LayerEntry>();

  constructor(readonly source: ConfigSource) {}

  /** Parse `raw` for `name`; a list setting appends when `append` is set. */
  set(name: SettingName, raw: string, origin: Origin, append = false): ConfigError | undefined {
    const spec = specOf(name);
    const value = spec.parse(raw);
    if (isInvalid(value)) {
      return new ConfigError('bad-value', origin.source, origin.file, origin.line, origin.key, value.invalid);
    }
    const previous = this.entries.get(name);
    const merged =
      append && spec.list && previous ? [...(previous.value as string[]), ...(value as string[])] : value;
    this.entries.set(name, { value: merged, origin });
    return undefined;
  }

  get(name: SettingName): LayerEntry | undefined {
    return this.entries.get(name);
  }

  build(): ConfigLayer {
    return { source: this.source, entries: new Map(this.entries) };
  }
}

/** The built-in defaults: lowest precedence, always complete. */
export function defaultsLayer(): ConfigLayer {
  const b = new LayerBuilder('defaults');
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const error = b.set(name, specOf(name).default, {
      source: 'defaults',
      file: 'built-in',
      key: specOf(name).key,
    });
    // A default that fails its own parser is a bug in settings.ts, caught by the tests.
    if (error) throw error;
  }
  return b.build();
}

/**
 * Environment variables that stand in for a built-in default (tests, packaging): LPFAX_LOCK_DIR
 * for LockDir, LPFAX_USERS for UsersFile. Below lpfax.conf, so the file is the truth: `LockDir:` in the file, or the queue's
 * `lockdir=`, wins over the variable.
 */
export const ENVIRONMENT_SETTINGS: Readonly<Record<string, SettingName>> = {
  LPFAX_LOCK_DIR: 'lockDir',
  LPFAX_USERS: 'usersFile',
};

export function environmentLayer(env: Readonly<Record<string, string | undefined>>): Result<ConfigLayer> {
  const b = new LayerBuilder('environment');
  for (const [variable, name] of Object.entries(ENVIRONMENT_SETTINGS)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const e = b.set(name, raw, { source: 'environment', file: 'environment', key: variable });
    if (e) return fail(e);
  }
  return ok(b.build());
}

/** A queue-level source of settings beside the device URI: the PPD's `*Default…` lines. */
export interface PpdDefault {
  readonly keyword: string;
  readonly value: string;
  readonly line: number;
}

export interface QueueInput {
  /** The device path from the device URI (`/dev/ttyS0`), if any. */
  readonly devicePath?: string;
  /** The device URI query parameters, in order. */
  readonly query?: ReadonlyArray<readonly [string, string]>;
  readonly ppd?: { readonly file: string; readonly defaults: readonly PpdDefault[] };
}

/**
 * The PPD choice (and job option value) that sets nothing: "As in lpfax.conf". It is the PPD's
 * default for the options lpfax.conf also sets, so that a queue made from the PPD does not hide
 * the file's value behind a PPD default nobody chose.
 */
export const AS_CONFIGURED = 'config';

/** The queue layer: the device URI's path and query, over the PPD's defaults. */
export function queueLayer(q: QueueInput): Result<ConfigLayer> {
  const b = new LayerBuilder('queue');
  for (const d of q.ppd?.defaults ?? []) {
    const name = jobNameIndex.get(d.keyword.toLowerCase());
    if (name === undefined) continue; // PPDs carry many options that are not lpfax's.
    if (d.value.toLowerCase() === AS_CONFIGURED) continue;
    const e = b.set(name, d.value, {
      source: 'queue',
      file: q.ppd!.file,
      line: d.line,
      key: `*Default${d.keyword}`,
    });
    if (e) return fail(e);
  }
  if (q.devicePath !== undefined) {
    const e = b.set('modemDevice', q.devicePath, { source: 'queue', file: 'DEVICE_URI', key: 'device path' });
    if (e) return fail(e);
  }
  for (const [key, raw] of q.query ?? []) {
    const name = uriNameIndex.get(key.toLowerCase()) ?? KEY_INDEX.get(key.toLowerCase());
    const origin: Origin = { source: 'queue', file: 'DEVICE_URI', key };
    if (name === undefined) {
      return fail(
        new ConfigError('unknown-key', 'queue', 'DEVICE_URI', undefined, key, 'not an lpfax setting'),
      );
    }
    const e = b.set(name, raw, origin);
    if (e) return fail(e);
  }
  return ok(b.build());
}

/**
 * The job layer from the job's options (argv[5], already parsed). Option names are matched
 * case-insensitively, as cupsGetOption does; options that are not lpfax's are ignored.
 */
export function jobLayer(
  options: ReadonlyArray<{ readonly name: string; readonly value: string }>,
): Result<ConfigLayer> {
  const b = new LayerBuilder('job');
  const byName = new Map(options.map((o) => [o.name.toLowerCase(), o] as const));
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    for (const optionName of specOf(name).job ?? []) {
      const option = byName.get(optionName.toLowerCase());
      if (option === undefined) continue;
      if (option.value.toLowerCase() === AS_CONFIGURED) break;
      const e = b.set(name, option.value, { source: 'job', file: 'job options', key: option.name });
      if (e) return fail(e);
      break;
    }
  }
  return ok(b.build());
}

const uriNameIndex = new Map<string, SettingName>(
  (Object.keys(SETTINGS) as SettingName[]).flatMap((n) => (specOf(n).uri ?? []).map((u) => [u, n] as const)),
);
const jobNameIndex = new Map<string, SettingName>(
  (Object.keys(SETTINGS) as SettingName[]).flatMap((n) => {
    const first = specOf(n).job?.[0];
    return first === undefined ? [] : [[first.toLowerCase(), n] as const];
  }),
);

export interface ResolvedSettings {
  readonly settings: FaxSettings;
  /** Where each setting's final value came from. */
  readonly origins: Readonly<Record<SettingName, Origin>>;
}

/** Merge layers given lowest precedence first (defaults, environment, file, queue, job) into FaxSettings. */
export function resolveSettings(layers: readonly ConfigLayer[]): Result<ResolvedSettings> {
  const values = {} as Record<SettingName, unknown>;
  const origins = {} as Record<SettingName, Origin>;
  for (const layer of [defaultsLayer(), ...layers]) {
    for (const [name, entry] of layer.entries) {
      if (
        name === 'maxSpeed' &&
        layer.source === 'job' &&
        (entry.value as number) > (values.maxSpeed as number)
      ) {
        continue; // A job may ask for a slower call, never a faster one than the queue allows.
      }
      values[name] = entry.value;
      origins[name] = entry.origin;
    }
  }
  const flat = values as FlatSettings;
  // `+` patterns compare E.164 forms; a number typed without + has one only with a CountryCode.
  if (flat.countryCode === '') {
    for (const name of ['dialDeny', 'dialAllow'] as const) {
      const plus = flat[name].find((p) => p.startsWith('+'));
      if (plus !== undefined) {
        const o = origins[name];
        return fail(
          new ConfigError(
            'bad-value',
            o.source,
            o.file,
            o.line,
            o.key,
            `"${plus}": a + pattern needs CountryCode`,
          ),
        );
      }
    }
  }
  return ok({ settings: toFaxSettings(flat), origins });
}
