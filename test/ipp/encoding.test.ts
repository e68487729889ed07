/**
 * lib/ipp's message encoding (RFC 8010 §3) against bytes written out by hand from the RFC's
 * layout, and a decode of a response with a nested collection and several values per attribute.
 */
import { GroupTag, ValueTag, decodeMessage, encodeMessage, ippServer } from '../../lib/ipp/index.js';

const attr = (tag: number, name: string, value: Buffer) =>
  Buffer.concat([
    Buffer.from([tag]),
    Buffer.from([name.length >> 8, name.length & 0xff]),
    Buffer.from(name),
    Buffer.from([value.length >> 8, value.length & 0xff]),
    value,
  ]);
const int = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

it('encodes a request as RFC 8010 lays it out', () => {
  const bytes = encodeMessage({
    code: 0x000d, // Release-Job
    requestId: 7,
    groups: [
      {
        tag: GroupTag.operation,
        attributes: [
          { tag: ValueTag.charset, name: 'attributes-charset', values: ['utf-8'] },
          { tag: ValueTag.integer, name: 'job-id', values: [42] },
          { tag: ValueTag.keyword, name: 'requested-attributes', values: ['job-id', 'job-state'] },
        ],
      },
    ],
    data: Buffer.from('%PDF-'),
  });
  expect(bytes).toEqual(
    Buffer.concat([
      Buffer.from([2, 0, 0x00, 0x0d, 0, 0, 0, 7, 0x01]),
      attr(0x47, 'attributes-charset', Buffer.from('utf-8')),
      attr(0x21, 'job-id', int(42)),
      attr(0x44, 'requested-attributes', Buffer.from('job-id')),
      attr(0x44, '', Buffer.from('job-state')),
      Buffer.from([0x03]),
      Buffer.from('%PDF-'),
    ]),
  );
});

it('decodes a response: status, groups, additional values, a nested collection', () => {
  const bytes = Buffer.concat([
    Buffer.from([2, 0, 0x04, 0x06, 0, 0, 0, 9, 0x01]), // client-error-not-found
    attr(0x41, 'status-message', Buffer.from('No such job')),
    Buffer.from([0x02]),
    attr(0x21, 'job-id', int(5)),
    attr(0x23, 'job-state', int(4)),
    attr(0x44, 'job-state-reasons', Buffer.from('job-hold-until-specified')),
    attr(0x44, '', Buffer.from('printer-stopped')),
    attr(0x34, 'media-col', Buffer.alloc(0)),
    attr(0x4a, '', Buffer.from('media-size')),
    attr(0x34, '', Buffer.alloc(0)),
    attr(0x4a, '', Buffer.from('x-dimension')),
    attr(0x21, '', int(21000)),
    attr(0x37, '', Buffer.alloc(0)),
    attr(0x37, '', Buffer.alloc(0)),
    attr(0x42, 'job-name', Buffer.from('Pharmacy@555-0100')),
    Buffer.from([0x02]),
    attr(0x21, 'job-id', int(6)),
    Buffer.from([0x03]),
  ]);
  const m = decodeMessage(bytes);
  expect([m.code, m.requestId]).toEqual([0x0406, 9]);
  expect(m.groups.map((g) => g.tag)).toEqual([1, 2, 2]);
  expect(m.groups[1].attributes.map((a) => [a.name, a.values])).toEqual([
    ['job-id', [5]],
    ['job-state', [4]],
    ['job-state-reasons', ['job-hold-until-specified', 'printer-stopped']],
    ['media-col', [{ 'media-size': [{ 'x-dimension': [21000] }] }]],
    ['job-name', ['Pharmacy@555-0100']],
  ]);
  expect(m.data).toEqual(Buffer.alloc(0));
  expect(() => decodeMessage(bytes.subarray(0, bytes.length - 1))).toThrow(/end-of-attributes/);
});

it('reaches cupsd where CUPS_SERVER says: a socket path, host, host:port, [v6]:port', () => {
  expect(ippServer('/run/cups/cups.sock')).toEqual({ socketPath: '/run/cups/cups.sock' });
  expect(ippServer('localhost')).toEqual({ host: 'localhost', port: 631 });
  expect(ippServer('127.0.0.1:8631')).toEqual({ host: '127.0.0.1', port: 8631 });
  expect(ippServer('[::1]:8631')).toEqual({ host: '::1', port: 8631 });
});
