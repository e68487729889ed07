/**
 * The IPP message encoding (RFC 8010 §3): a version, an operation or status code, a request id,
 * attribute groups each opened by a delimiter tag, the end-of-attributes tag, then the document.
 * Only the value types a fax client needs are decoded as values; others come back as raw bytes.
 */

/** RFC 8010 §3.5.1: delimiter tags. */
export const GroupTag = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  unsupported: 0x05,
} as const;

/** RFC 8010 §3.5.2: value tags. */
export const ValueTag = {
  unsupported: 0x10,
  unknown: 0x12,
  noValue: 0x13,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  begCollection: 0x34,
  endCollection: 0x37,
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
} as const;

export type IppValue = string | number | boolean | Buffer;

export interface IppAttribute {
  tag: number;
  name: string;
  values: IppValue[];
}

export interface IppGroup {
  tag: number;
  attributes: IppAttribute[];
}

export interface IppMessage {
  /** Operation id in a request, status code in a response. */
  code: number;
  requestId: number;
  groups: IppGroup[];
  data?: Buffer;
}

const INTEGER_TAGS = new Set<number>([ValueTag.integer, ValueTag.enum]);
const STRING_TAGS = new Set<number>([
  ValueTag.textWithoutLanguage,
  ValueTag.nameWithoutLanguage,
  ValueTag.keyword,
  ValueTag.uri,
  ValueTag.charset,
  ValueTag.naturalLanguage,
  ValueTag.mimeMediaType,
  ValueTag.memberAttrName,
]);

function encodeValue(tag: number, value: IppValue): Buffer {
  if (INTEGER_TAGS.has(tag)) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Number(value));
    return b;
  }
  if (tag === ValueTag.boolean) return Buffer.from([value ? 1 : 0]);
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(String(value), 'utf8');
}

export function encodeMessage(m: IppMessage): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(8);
  head.writeUInt8(2, 0); // IPP/2.0
  head.writeUInt8(0, 1);
  head.writeUInt16BE(m.code, 2);
  head.writeUInt32BE(m.requestId, 4);
  parts.push(head);
  for (const group of m.groups) {
    parts.push(Buffer.from([group.tag]));
    for (const a of group.attributes) {
      a.values.forEach((v, i) => {
        const name = Buffer.from(i === 0 ? a.name : '', 'utf8');
        const value = encodeValue(a.tag, v);
        if (name.length > 0x7fff || value.length > 0x7fff)
          throw new Error(`IPP attribute ${a.name} too long`);
        const b = Buffer.alloc(5 + name.length + value.length);
        b.writeUInt8(a.tag, 0);
        b.writeUInt16BE(name.length, 1);
        name.copy(b, 3);
        b.writeUInt16BE(value.length, 3 + name.length);
        value.copy(b, 5 + name.length);
        parts.push(b);
      });
    }
  }
  parts.push(Buffer.from([GroupTag.end]));
  if (m.data) parts.push(m.data);
  return Buffer.concat(parts);
}

export function decodeMessage(b: Buffer): IppMessage {
  if (b.length < 9) throw new Error('IPP response too short');
  const m: IppMessage = { code: b.readUInt16BE(2), requestId: b.readUInt32BE(4), groups: [] };
  let at = 8;
  let group: IppGroup | undefined;
  let last: IppAttribute | undefined;
  let depth = 0; // inside a collection: members are skipped (no fax attribute needs them here)
  while (at < b.length) {
    const tag = b[at++];
    if (tag === GroupTag.end) {
      m.data = b.subarray(at);
      return m;
    }
    if (tag < 0x10) {
      group = { tag, attributes: [] };
      m.groups.push(group);
      last = undefined;
      continue;
    }
    if (at + 2 > b.length) break;
    const nameLength = b.readUInt16BE(at);
    const name = b.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const valueLength = b.readUInt16BE(at);
    const raw = b.subarray(at + 2, at + 2 + valueLength);
    at += 2 + valueLength;
    if (tag === ValueTag.endCollection) {
      depth--;
      continue;
    }
    if (tag === ValueTag.begCollection) depth++;
    // A collection's members (and nested collections) are skipped; the collection's own
    // attribute stays, with an empty value.
    if (depth > 1 || (depth === 1 && tag !== ValueTag.begCollection)) continue;
    let value: IppValue;
    if (INTEGER_TAGS.has(tag) && raw.length === 4) value = raw.readInt32BE(0);
    else if (tag === ValueTag.boolean) value = raw[0] === 1;
    else if (STRING_TAGS.has(tag)) value = raw.toString('utf8');
    else value = Buffer.from(raw);
    if (!group) throw new Error('IPP attribute outside a group');
    if (nameLength === 0 && last) last.values.push(value);
    else {
      last = { tag, name, values: [value] };
      group.attributes.push(last);
    }
  }
  throw new Error('IPP response ends before end-of-attributes');
}
