/**
 * A mail message with attachments (RFC 5322 headers, RFC 2045/2046 multipart/mixed, RFC 2047
 * encoded words for text that is not plain ASCII). Header values come from a fax (its TSI is
 * the caller's to choose), so every control character is removed: no value can end its header
 * line and start another.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface MailAttachment {
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface MailMessage {
  to: string[];
  from?: string;
  subject: string;
  text: string;
  attachments: MailAttachment[];
  date?: Date;
  messageId?: string;
}

/** The sendmail interface takes lines ended the local way; the MTA writes CRLF on the wire. */
const EOL = '\n';

/** One line, no control characters. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
}

/** RFC 2047 §4.1 B-encoding when the text is not printable ASCII (or looks like an encoded word). */
export function encodeHeaderText(value: string): string {
  const line = oneLine(value);
  if (/^[\x20-\x7e]*$/.test(line) && !line.includes('=?')) return line;
  // Encoded words at most 75 characters (§2): 45 bytes of UTF-8 each, split on characters.
  const words: string[] = [];
  let chunk = '';
  for (const ch of line) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\n ');
}

/** An address list from config: refuses anything that is not one plain address per entry. */
function addressList(addresses: string[]): string {
  for (const a of addresses) {
    // eslint-disable-next-line no-control-regex
    if (!/^[^\s<>,;:"()\\[\]\x00-\x1f]+$/.test(a))
      throw new Error(`not a mail address: ${JSON.stringify(a)}`);
  }
  return addresses.join(', ');
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(EOL);
}

/** A file name parameter (RFC 2231 would allow more; fax files need no more than ASCII). */
function safeFileName(name: string): string {
  return oneLine(name).replace(/[^A-Za-z0-9+._-]/g, '_') || 'file';
}

/** The whole message, CRLF line ends, ready for `sendmail -t -oi`. */
export function buildMail(message: MailMessage): string {
  if (message.to.length === 0) throw new Error('a mail needs at least one recipient');
  const boundary = `lpfax-${randomBytes(12).toString('hex')}`;
  const headers = [
    `To: ${addressList(message.to)}`,
    ...(message.from ? [`From: ${addressList([message.from])}`] : []),
    `Subject: ${encodeHeaderText(message.subject)}`,
    `Date: ${(message.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${message.messageId ?? `${randomBytes(12).toString('hex')}@${oneLine(hostname()) || 'localhost'}`}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  const parts = [
    [
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(Buffer.from(message.text.replace(/\r?\n/g, EOL))),
    ].join(EOL),
    ...message.attachments.map((a) => {
      const name = safeFileName(a.fileName);
      return [
        `Content-Type: ${a.contentType}; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(a.data),
      ].join(EOL);
    }),
  ];
  return (
    headers.join(EOL) +
    `${EOL}${EOL}This is a MIME message.${EOL}` +
    parts.map((p) => `--${boundary}${EOL}${p}${EOL}`).join('') +
    `--${boundary}--${EOL}`
  );
}
