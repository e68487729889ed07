/**
 * The IPP message encoding (RFC 8010 §3): a version, an operation or status code, a request id,
 * attribute groups each opened by a delimiter tag, the end-of-attributes tag, then the document.
 * Integers, booleans, strings (with or without language) and collections (§3.1.6) are decoded as
 * values; out-of-band values are null; other types (dateTime, resolution …) come back as raw bytes.
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

/** A decoded IPP value: numbers, booleans, strings, collections (member name → values), raw bytes. */
export type IppValue = string | number | boolean | Buffer | IppCollection | null;
export interface IppCollection {
  [member: string]: IppValue[];
}

export interface IppAttribute {
  /** The value tag of the first value (begCollection for a collection). */
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

export class IppDecodeError extends Error {
  override name = 'IppDecodeError';
}

/** A collection value, or undefined for any other. */
export function ippCollection(value: IppValue | undefined): IppCollection | undefined {
  return value !== null && typeof value === 'object' && !Buffer.isBuffer(value) ? value : undefined;
}

/** A group's attributes by name. */
export function attributeMap(group: IppGroup | undefined): Map<string, IppValue[]> {
  return new Map((group?.attributes ?? []).map((a) => [a.name, a.values]));
}

const INTEGER_TAGS = new Set<number>([ValueTag.integer, ValueTag.enum]);

function encodeValue(tag: number, value: IppValue): Buffer {
  if (INTEGER_TAGS.has(tag)) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Number(value));
    return b;
  }
  if (tag === ValueTag.boolean) return Buffer.from([value ? 1 : 0]);
  if (Buffer.isBuffer(value)) return value;
  if (value === null || typeof value === 'object') {
    throw new Error('lpfax does not encode IPP collections or out-of-band values');
  }
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

/** Decodes one value of `tag` (RFC 8010 §3.9). */
function decodeValue(tag: number, bytes: Buffer): IppValue {
  if (tag >= 0x10 && tag <= 0x1f) return null; // out-of-band: unsupported, unknown, no-value …
  switch (tag) {
    case ValueTag.integer:
    case ValueTag.enum:
      if (bytes.length !== 4) throw new IppDecodeError('an integer value is not 4 octets');
      return bytes.readInt32BE(0);
    case ValueTag.boolean:
      if (bytes.length !== 1) throw new IppDecodeError('a boolean value is not 1 octet');
      return bytes[0] !== 0;
    case ValueTag.textWithLanguage:
    case ValueTag.nameWithLanguage: {
      // language length, language, text length, text
      if (bytes.length < 4) throw new IppDecodeError('a with-language value is too short');
      const textAt = 2 + bytes.readUInt16BE(0);
      if (textAt + 2 > bytes.length) throw new IppDecodeError('a with-language value is too short');
      return bytes.toString('utf8', textAt + 2, textAt + 2 + bytes.readUInt16BE(textAt));
    }
    default:
      // Character strings (0x41–0x49) as text; octetString, dateTime, resolution … as bytes.
      if (tag >= 0x40) return bytes.toString('utf8');
      return Buffer.from(bytes);
  }
}

/** Decodes an IPP message (RFC 8010 §3.1), collections included (§3.1.6). */
export function decodeMessage(data: Buffer): IppMessage {
  if (data.length < 9) throw new IppDecodeError('the IPP message is shorter than its header');
  const m: IppMessage = { code: data.readUInt16BE(2), requestId: data.readUInt32BE(4), groups: [] };
  let at = 8;
  const read = (n: number) => {
    if (at + n > data.length) throw new IppDecodeError('the IPP message ends inside an attribute');
    const slice = data.subarray(at, at + n);
    at += n;
    return slice;
  };
  // One attribute: tag, name, value; `name` '' means another value of the previous attribute.
  const readAttribute = () => {
    const tag = read(1)[0];
    const name = read(read(2).readUInt16BE(0)).toString('utf8');
    const value = read(read(2).readUInt16BE(0));
    return { tag, name, value };
  };
  // The members of a collection, after its begCollection (RFC 8010 §3.1.6).
  const readCollection = (depth: number): IppCollection => {
    if (depth > 8) throw new IppDecodeError('collections nest too deeply');
    const members: IppCollection = {};
    let member = '';
    for (;;) {
      const a = readAttribute();
      if (a.tag === ValueTag.endCollection) return members;
      if (a.tag === ValueTag.memberAttrName) {
        member = a.value.toString('utf8');
        members[member] = [];
        continue;
      }
      if (!member) throw new IppDecodeError('a collection value comes before its member name');
      members[member].push(
        a.tag === ValueTag.begCollection ? readCollection(depth + 1) : decodeValue(a.tag, a.value),
      );
    }
  };
  let group: IppGroup | undefined;
  let last: IppAttribute | undefined;
  for (;;) {
    if (at >= data.length) throw new IppDecodeError('the IPP message has no end-of-attributes tag');
    const tag = data[at];
    if (tag === GroupTag.end) {
      m.data = data.subarray(at + 1);
      return m;
    }
    if (tag < 0x10) {
      at++;
      group = { tag, attributes: [] };
      m.groups.push(group);
      last = undefined;
      continue;
    }
    if (!group) throw new IppDecodeError('an attribute comes before any group');
    const a = readAttribute();
    const value = a.tag === ValueTag.begCollection ? readCollection(0) : decodeValue(a.tag, a.value);
    if (a.name === '') {
      if (!last) throw new IppDecodeError('an additional value has no attribute');
      last.values.push(value);
    } else {
      last = { tag: a.tag, name: a.name, values: [value] };
      group.attributes.push(last);
    }
  }
}
