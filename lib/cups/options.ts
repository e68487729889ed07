/**
 * The job options string (a backend's argv[5]) parsed exactly as libcups's cupsParseOptions()
 * does, into an option array kept like cupsAddOption() keeps it.
 *
 * Grammar (the PAPI text option syntax CUPS implements): blank-separated `name=value` pairs; a
 * bare `name` is `name=true` and a bare `noname` is `name=false`; in a value, '…' and "…" quote
 * (the quotes are removed), a backslash escapes the next character (and is removed), `{…}` is a
 * collection value kept as text with its braces (backslashes inside are removed too), and
 * commas are ordinary characters. A whole string wrapped in `{…}` is unwrapped first. A name
 * ends at a blank or `=`; an empty name (a string starting with `=`) ends the parse.
 */

export interface CupsOption {
  readonly name: string;
  readonly value: string;
}

/** _cups_isspace(): the C locale's white space. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

const UTF8 = new TextEncoder();

/**
 * _cups_strcasecmp(): ASCII letters folded, other bytes compared as C `char` (signed on the
 * platforms cupsd runs on), so the order of non-ASCII names matches libcups too.
 */
export function cupsStrcasecmp(a: string, b: string): number {
  const x = UTF8.encode(a);
  const y = UTF8.encode(b);
  const fold = (byte: number) => {
    const signed = byte > 127 ? byte - 256 : byte;
    return signed >= 65 && signed <= 90 ? signed + 32 : signed;
  };
  for (let i = 0; i < x.length && i < y.length; i++) {
    const d = fold(x[i]) - fold(y[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length > y.length ? 1 : -1;
}

/**
 * cupsAddOption(): options stay sorted by name (case-insensitively); a name already present keeps
 * its first spelling and takes the new value. An empty name is ignored. `cupsPrintQuality` and
 * `print-quality` replace each other.
 */
export function cupsAddOption(options: readonly CupsOption[], name: string, value: string): CupsOption[] {
  if (name === '') return [...options];
  let list = [...options];
  const rival = cupsStrcasecmp(name, 'cupsPrintQuality') === 0 ? 'print-quality' : undefined;
  const rival2 = cupsStrcasecmp(name, 'print-quality') === 0 ? 'cupsPrintQuality' : undefined;
  const other = rival ?? rival2;
  if (other !== undefined) list = list.filter((o) => cupsStrcasecmp(o.name, other) !== 0);
  const at = list.findIndex((o) => cupsStrcasecmp(name, o.name) <= 0);
  if (at >= 0 && cupsStrcasecmp(name, list[at].name) === 0) {
    list[at] = { name: list[at].name, value };
  } else {
    list.splice(at < 0 ? list.length : at, 0, { name, value });
  }
  return list;
}

/** cupsGetOption(): the value of `name`, matched case-insensitively. */
export function cupsGetOption(options: readonly CupsOption[], name: string): string | undefined {
  return options.find((o) => cupsStrcasecmp(o.name, name) === 0)?.value;
}

/** cupsParseOptions(): parse `arg` and add its options to `options`. */
export function parseCupsOptions(arg: string, options: readonly CupsOption[] = []): CupsOption[] {
  let list = [...options];
  // A C string ends at its first NUL.
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  let i = 0;
  let end = s.length;
  if (s.startsWith('{') && s.length - 1 > 0 && s.endsWith('}')) {
    i = 1;
    end = s.length - 1;
  }
  const at = (k: number) => (k < end ? s[k] : undefined);

  while (isSpace(at(i))) i++;
  while (i < end) {
    const nameStart = i;
    while (i < end && !'\f\n\r\t\v ='.includes(s[i])) i++;
    if (i === nameStart) break;
    const name = s.slice(nameStart, i);
    while (isSpace(at(i))) i++;
    if (at(i) !== '=') {
      // A boolean option: `name` or `noname`.
      list = /^no/i.test(name)
        ? cupsAddOption(list, name.slice(2), 'false')
        : cupsAddOption(list, name, 'true');
      continue;
    }
    i++;

    let value = '';
    while (i < end && !isSpace(s[i])) {
      const c = s[i];
      if (c === ',') {
        value += c;
        i++;
      } else if (c === "'" || c === '"') {
        i++;
        while (i < end && s[i] !== c) {
          if (s[i] === '\\' && i + 1 < end) i++;
          value += s[i++];
        }
        if (i < end) i++;
      } else if (c === '{') {
        for (let depth = 0; i < end; i++) {
          if (s[i] === '{') depth++;
          else if (s[i] === '}') {
            if (--depth === 0) {
              value += s[i++];
              break;
            }
          } else if (s[i] === '\\' && i + 1 < end) i++;
          value += s[i];
        }
      } else {
        while (i < end && !isSpace(s[i])) {
          if (s[i] === '\\' && i + 1 < end) i++;
          value += s[i++];
        }
      }
    }
    if (i < end) i++;
    while (isSpace(at(i))) i++;
    list = cupsAddOption(list, name, value);
  }
  return list;
}
