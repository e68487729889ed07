/**
 * The little of a PPD file the backend needs: the queue's option defaults (`*DefaultResolution:
 * 204x196dpi`), which rank below job options and above the config file (see lib/config).
 * PPD syntax: Adobe PPD 4.3 §3; CUPS keeps the administrator's choices as `*Default…` lines.
 */
import { readFile } from 'node:fs/promises';

/** Main keywords of the options lpfax reads from the PPD. */
const QUEUE_OPTIONS = ['PageSize', 'Resolution', 'FaxCover', 'FaxTagline', 'FaxECM'] as const;
export type PpdOption = (typeof QUEUE_OPTIONS)[number];

/** Parses the `*DefaultKeyword: value` lines of the options lpfax knows. */
export function parsePpdDefaults(text: string): Partial<Record<PpdOption, string>> {
  const defaults: Partial<Record<PpdOption, string>> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\*Default([A-Za-z0-9]+):\s*(\S+)\s*$/.exec(line);
    if (m && (QUEUE_OPTIONS as readonly string[]).includes(m[1])) defaults[m[1] as PpdOption] = m[2];
  }
  return defaults;
}

/** Reads the queue's PPD (the `PPD` environment variable cupsd sets); no PPD gives no defaults. */
export async function readPpdDefaults(path: string | undefined): Promise<Partial<Record<PpdOption, string>>> {
  if (!path) return {};
  try {
    return parsePpdDefaults(await readFile(path, 'latin1'));
  } catch {
    return {};
  }
}
