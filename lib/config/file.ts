/**
 * lpfax.conf: HylaFAX-style `Key: value` lines.
 *
 * Keys are case-insensitive; `#` starts a comment (outside quotes); blank lines are ignored; a
 * value may be enclosed in `"…"` to keep blanks or `#`, with `\"` and `\\` as escapes. A key may
 * appear once, except the lists (DialAllow, DialDeny), which add up. Every error names the file,
 * the line and the key.
 */

import { readFileSync } from 'node:fs';

import { ConfigError, fail, ok, type Result } from './errors.js';
import { LayerBuilder, type ConfigLayer } from './layers.js';
import { KEY_INDEX, SETTINGS } from './settings.js';

export const DEFAULT_CONFIG_PATH = '/etc/lpfax/lpfax.conf';

/** Parse the text of a config file into the file layer. */
export function parseConfigText(text: string, file: string): Result<ConfigLayer> {
  const b = new LayerBuilder('file');
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].replace(/\r$/, '');
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)$/.exec(line);
    if (!m) {
      return fail(new ConfigError('syntax', 'file', file, lineNo, undefined, 'expected "Key: value"'));
    }
    const [, key, rest] = m;
    const value = parseValue(rest);
    if (typeof value !== 'string') {
      return fail(new ConfigError('syntax', 'file', file, lineNo, key, value.syntax));
    }
    const name = KEY_INDEX.get(key.toLowerCase());
    if (name === undefined) {
      const hint = closestKey(key);
      const reason = `unknown key${hint ? ` (did you mean ${hint}?)` : ''}`;
      return fail(new ConfigError('unknown-key', 'file', file, lineNo, key, reason));
    }
    const previous = b.get(name);
    const spec = SETTINGS[name] as { list?: boolean };
    if (previous && !spec.list) {
      return fail(
        new ConfigError(
          'duplicate-key',
          'file',
          file,
          lineNo,
          key,
          `already set on line ${previous.origin.line}`,
        ),
      );
    }
    const error = b.set(name, value, { source: 'file', file, line: lineNo, key }, true);
    if (error) return fail(error);
  }
  return ok(b.build());
}

/** The value after `Key:`: quoted or plain, without its comment and surrounding blanks. */
function parseValue(rest: string): string | { syntax: string } {
  const text = rest.trimStart();
  if (!text.startsWith('"')) {
    const hash = text.indexOf('#');
    return (hash >= 0 ? text.slice(0, hash) : text).trim();
  }
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      out += text[++i];
    } else if (c === '"') {
      const after = text.slice(i + 1).trim();
      if (after !== '' && !after.startsWith('#'))
        return { syntax: 'unexpected text after the closing quote' };
      return out;
    } else {
      out += c;
    }
  }
  return { syntax: 'the quoted value has no closing quote' };
}

/** The known key nearest to a misspelt one (edit distance ≤ 2), for the error message. */
function closestKey(key: string): string | undefined {
  const k = key.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const s of Object.values(SETTINGS)) {
    const d = editDistance(k, s.key.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key: s.key, d };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export interface LoadedConfigFile {
  readonly path: string;
  /** False when the default file does not exist (then the layer is empty: built-in defaults). */
  readonly found: boolean;
  readonly layer: ConfigLayer;
}

/**
 * Read lpfax.conf: `LPFAX_CONFIG` names it, else /etc/lpfax/lpfax.conf. A missing default file
 * means built-in defaults; a missing file that LPFAX_CONFIG names explicitly is an error.
 */
export function loadConfigFile(
  env: Readonly<Record<string, string | undefined>> = process.env,
  defaultPath = DEFAULT_CONFIG_PATH,
): Result<LoadedConfigFile> {
  const explicit = env.LPFAX_CONFIG !== undefined && env.LPFAX_CONFIG !== '';
  const path = explicit ? env.LPFAX_CONFIG! : defaultPath;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) {
      return ok({ path, found: false, layer: new LayerBuilder('file').build() });
    }
    const kind = code === 'ENOENT' ? 'missing-file' : 'unreadable-file';
    const reason =
      code === 'ENOENT' ? 'no such file (named by LPFAX_CONFIG)' : `cannot be read (${code ?? 'error'})`;
    return fail(new ConfigError(kind, 'file', path, undefined, undefined, reason));
  }
  const layer = parseConfigText(text, path);
  return layer.ok ? ok({ path, found: true, layer: layer.value }) : layer;
}
