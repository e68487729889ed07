/**
 * Parsing of identification and capability answers (V.250 §6.1, T.31 §8.2 / §8.3).
 * Pure: the lines come from AtChannel.
 */
import {
  isModulationCode,
  V21_HDLC,
  type HdlcModulationCode,
  type ModulationCode,
} from '../itu/modulation.js';

export interface ModemIdentity {
  manufacturer?: string;
  model?: string;
  revision?: string;
  /** The lines of ATI (often the only identification of older modems). */
  ati: string[];
}

export interface Class1Capabilities {
  /** Service classes from AT+FCLASS=? ("0", "1", "1.0", "2", "2.0", "8" …). */
  classes: string[];
  /** Modulations for +FTM (T.31 Table 3). */
  transmit: ModulationCode[];
  /** Modulations for +FRM. */
  receive: ModulationCode[];
  /** HDLC modulations for +FRH. */
  hdlcReceive: HdlcModulationCode[];
}

/** The text of an information answer without its "+GMI:" style prefix, lines joined. */
export function infoText(lines: string[]): string | undefined {
  const text = lines
    .map((l) => l.replace(/^\+[A-Z]+:\s*/i, '').trim())
    .filter((l) => l !== '')
    .join(' ')
    .replace(/^"(.*)"$/, '$1')
    .trim();
  return text === '' ? undefined : text;
}

/** Items of a V.250 range answer: "0,1,1.0,2" or "(0,1,2)" or "0-2" (ranges of integers). */
export function parseList(lines: string[]): string[] {
  const text = infoText(lines) ?? '';
  const out: string[] = [];
  for (const raw of text.replace(/[()]/g, '').split(/[,\s]+/)) {
    const item = raw.trim();
    if (item === '') continue;
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      for (let n = a; n <= b && n - a < 256; n++) out.push(String(n));
    } else out.push(item);
  }
  return out;
}

export function parseModulations(lines: string[]): ModulationCode[] {
  const mods = parseList(lines)
    .map(Number)
    .filter((n): n is ModulationCode => isModulationCode(n));
  return [...new Set(mods)];
}

export function parseHdlcModulations(lines: string[]): HdlcModulationCode[] {
  const codes = parseList(lines)
    .map(Number)
    .filter((n): n is HdlcModulationCode => n === V21_HDLC || isModulationCode(n));
  return [...new Set(codes)];
}
