/** The MIME builder's guards (the round trip through a real MTA and parser is mail.test.ts). */
import { buildMail, encodeHeaderText } from '../../lib/delivery/index.js';

const pdf = { fileName: 'fax 1/../x.pdf', contentType: 'application/pdf', data: Buffer.alloc(1000, 0xab) };

test('addresses from config must be plain addresses', () => {
  for (const bad of ['a@b\nBcc: c@d', 'a@b, c@d', 'Ann <a@b>', '']) {
    expect(() => buildMail({ to: [bad], subject: 's', text: 't', attachments: [] })).toThrow(
      /not a mail address/,
    );
  }
  expect(() => buildMail({ to: [], subject: 's', text: 't', attachments: [] })).toThrow(/at least one/);
});

test('headers are one line each; base64 lines are at most 76 characters; file names are plain', () => {
  const mail = buildMail({ to: ['ann'], subject: 'x\r\nBcc: evil', text: 'hello', attachments: [pdf] });
  const split = mail.indexOf('\n\n');
  const [head, body] = [mail.slice(0, split), mail.slice(split + 2)];
  expect(head.split('\n').map((l) => l.split(':')[0])).toEqual([
    'To',
    'Subject',
    'Date',
    'Message-ID',
    'MIME-Version',
    'Content-Type',
  ]);
  expect(head).toContain('Subject: x Bcc: evil');
  expect(body).toContain('filename="fax_1_.._x.pdf"');
  const base64 = body.split('\n').filter((l) => /^[A-Za-z0-9+/=]+$/.test(l));
  expect(base64.length).toBeGreaterThan(10);
  for (const l of base64) expect(l.length).toBeLessThanOrEqual(76);
});

test('non-ASCII text becomes RFC 2047 encoded words of at most 75 characters', () => {
  const encoded = encodeHeaderText('Fax from Zürich '.repeat(6));
  const words = encoded.split('\n ');
  expect(words.length).toBeGreaterThan(1);
  for (const w of words) {
    expect(w).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    expect(w.length).toBeLessThanOrEqual(75);
  }
  const decoded = words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString()).join('');
  expect(decoded).toBe('Fax from Zürich '.repeat(6).trim());
  expect(encodeHeaderText('plain =?x?= looking')).toMatch(/^=\?UTF-8\?B\?/);
});
