import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IppDecodeError,
  attributeMap,
  decodeMessage,
  encodeMessage,
  getJobAttributes,
  getJobAttributesRequest,
  localScheduler,
} from '../../lib/ipp/index.js';

/**
 * cupsd 2.4.2's answer to our Get-Job-Attributes for a job made by test/cupsd/ipp/faxout-create-job.test
 * (recorded from a private cupsd): destination-uris (1setOf collection), cover-sheet-info, an
 * integer and a boolean; job-name was asked for too and is withheld (private to the owner).
 */
const RECORDED_RESPONSE = Buffer.from(
  'AgAAAAAAAAcBRwASYXR0cmlidXRlcy1jaGFyc2V0AAV1dGYtOEgAG2F0dHJpYnV0ZXMtbmF0dXJhbC1sYW5ndWFnZQACZW4CNAAQZGVzdGluYXRpb24tdXJpcwAASgAAAA9kZXN0aW5hdGlvbi11cmlFAAAADHRlbDo1NTUtMDEwMEoAAAAPcHJlLWRpYWwtc3RyaW5nQQAAAAE5NwAAAAA0AAAAAEoAAAAPZGVzdGluYXRpb24tdXJpRQAAAAx0ZWw6NTU1LTAxMDE3AAAAADQAEGNvdmVyLXNoZWV0LWluZm8AAEoAAAAJZnJvbS1uYW1lQQAAAA5Eci4gQWxpY2UgQ2hlbkoAAAAHdG8tbmFtZUEAAAAIUGhhcm1hY3lKAAAAEW9yZ2FuaXphdGlvbi1uYW1lQQAAABBSaXZlcnNpZGUgQ2xpbmljSgAAAAdzdWJqZWN0QQAAAAxQcmVzY3JpcHRpb25KAAAAB21lc3NhZ2VBAAAAHVBsZWFzZSBjYWxsIHVzIGFib3V0IHJlZmlsbHMuNwAAAAAhABFudW1iZXItb2YtcmV0cmllcwAEAAAAAiIAGGNvbmZpcm1hdGlvbi1zaGVldC1wcmludAABAAM=',
  'base64',
);

describe('IPP encoding (RFC 8010) for Get-Job-Attributes', () => {
  it('decodes cupsd’s answer, collections and all', () => {
    const r = decodeMessage(RECORDED_RESPONSE);
    expect(r.code).toBe(0);
    expect(r.groups.map((g) => g.tag)).toEqual([1, 2]);
    const job = attributeMap(r.groups[1]);
    expect(job.get('destination-uris')).toEqual([
      { 'destination-uri': ['tel:555-0100'], 'pre-dial-string': ['9'] },
      { 'destination-uri': ['tel:555-0101'] },
    ]);
    expect(job.get('cover-sheet-info')).toEqual([
      {
        'from-name': ['Dr. Alice Chen'],
        'to-name': ['Pharmacy'],
        'organization-name': ['Riverside Clinic'],
        subject: ['Prescription'],
        message: ['Please call us about refills.'],
      },
    ]);
    expect(job.get('number-of-retries')).toEqual([2]);
    expect(job.get('confirmation-sheet-print')).toEqual([false]);
    expect(job.has('job-name')).toBe(false);
  });

  it('refuses a truncated or malformed answer', () => {
    for (const cut of [4, 20, RECORDED_RESPONSE.length - 1]) {
      expect(() => decodeMessage(RECORDED_RESPONSE.subarray(0, cut))).toThrow(IppDecodeError);
    }
    const bad = Buffer.from(RECORDED_RESPONSE);
    bad.writeUInt16BE(0xffff, 9 + 1); // attributes-charset's name length runs past the end
    expect(() => decodeMessage(bad)).toThrow(IppDecodeError);
  });

  it('encodes the request as RFC 8010 lays it out', () => {
    const body = encodeMessage({
      ...getJobAttributesRequest(8, 'lp', ['destination-uris', 'cover-sheet-info']),
      requestId: 7,
    });
    // version 2.0, operation 0x0009, request id 7
    expect([...body.subarray(0, 8)]).toEqual([2, 0, 0, 9, 0, 0, 0, 7]);
    // The same layout a response has, so the decoder reads it back (the "status" is the operation).
    const read = decodeMessage(body);
    expect(read.code).toBe(9);
    expect(Object.fromEntries(attributeMap(read.groups[0]))).toEqual({
      'attributes-charset': ['utf-8'],
      'attributes-natural-language': ['en'],
      'job-uri': ['ipp://localhost/jobs/8'],
      'requesting-user-name': ['lp'],
      'requested-attributes': ['destination-uris', 'cover-sheet-info'],
    });
  });
});

describe('the local scheduler', () => {
  it('is where cupsd says: its domain socket, or a host and IPP_PORT', () => {
    expect(localScheduler({})).toBeUndefined();
    expect(localScheduler({ CUPS_SERVER: '/run/cups/cups.sock', IPP_PORT: '631' })).toEqual({
      socketPath: '/run/cups/cups.sock',
    });
    expect(localScheduler({ CUPS_SERVER: 'localhost', IPP_PORT: '8631' })).toEqual({
      host: 'localhost',
      port: 8631,
    });
    expect(localScheduler({ IPP_PORT: '8631' })).toEqual({ host: 'localhost', port: 8631 });
  });

  it('answers Get-Job-Attributes over a domain socket (a server that replays cupsd’s answer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpfax-ipp-'));
    const socket = join(dir, 'cups.sock');
    const requests: Buffer[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push(Buffer.concat(chunks));
        res.writeHead(200, { 'Content-Type': 'application/ipp' }).end(RECORDED_RESPONSE);
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      const attrs = await getJobAttributes({ socketPath: socket }, 8, 'lp', ['destination-uris']);
      expect(attrs.get('number-of-retries')).toEqual([2]);
      expect(attributeMap(decodeMessage(requests[0]).groups[0]).get('job-uri')).toEqual([
        'ipp://localhost/jobs/8',
      ]);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
