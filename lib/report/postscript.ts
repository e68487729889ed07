/**
 * Values for PostScript templates. Everything that comes from a job or a fax enters a template as
 * a hex string (PLRM §3.2.2: `<` hex digits `>`), which cannot close itself or run code, whatever
 * the text holds. Numbers are formatted here from numbers, never from text.
 */

/** Text as a hex string in ISO Latin-1 (the template's fonts are re-encoded so); others become '?'. */
export function psText(text: string): string {
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    bytes.push(code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0x20 : code > 0xff ? 0x3f : code);
  }
  return psBytes(Buffer.from(bytes));
}

/** Raw bytes (image samples) as a hex string, 64 digits a line. */
export function psBytes(data: Buffer): string {
  const hex = data.toString('hex');
  return `<${(hex.match(/.{1,64}/g) ?? []).join('\n')}>`;
}

export function psNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a number for PostScript: ${value}`);
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

/** Fills @@NAME@@ placeholders; an unknown or unused one is an error, so a broken template fails loudly. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const out = template.replace(/@@([A-Z_]+)@@/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`PostScript template: unknown field @@${name}@@`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`PostScript template: fields not in the template: ${unused.join(', ')}`);
  return out;
}
