/**
 * Mail delivery through a real local MTA (Debian exim4, local delivery only; install.sh installs
 * and starts it): the fax goes in through `sendmail -t -oi`, lands in a local user's mailbox
 * (/var/mail/USER), and Python's email package (an independent MIME parser) reads it back.
 * The mailbox user is created when missing (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryRunner, sendMail } from '../../lib/delivery/index.js';
import { writeTransmissionReport } from '../../lib/report/index.js';
import { fileFax, pdfPages, scratchArchive, type Scratch } from './fixtures.js';

const USER = process.env.LPFAX_TEST_MAIL_USER ?? 'lpfaxmail';
const MAILBOX = `/var/mail/${USER}`;

const PARSE = `
import email, email.header, email.policy, json, mailbox, sys
token, outdir = sys.argv[2], sys.argv[3]
found = []
for msg in mailbox.mbox(sys.argv[1], factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default)):
    if token not in str(msg['subject']):
        continue
    atts = []
    for i, part in enumerate(msg.iter_attachments()):
        path = f"{outdir}/attachment-{i}"
        open(path, 'wb').write(part.get_content())
        atts.append({'filename': part.get_filename(), 'type': part.get_content_type(), 'path': path})
    body = msg.get_body(preferencelist=('plain',))
    found.append({'subject': str(msg['subject']), 'to': str(msg['to']), 'headers': list(msg.keys()),
                  'text': body.get_content() if body else None, 'attachments': atts})
print(json.dumps(found))
`;

interface Parsed {
  subject: string;
  to: string;
  headers: string[];
  text: string | null;
  attachments: { filename: string; type: string; path: string }[];
}

function ensureMailUser(): void {
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    // A system user with / as home: exim's mail_spool transport changes to the home folder.
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/',
      '--shell',
      '/usr/sbin/nologin',
      USER,
    ]);
  }
}

/** Waits for exim's delivery (it runs in the background of sendmail) and parses the message. */
async function readMailbox(token: string, dir: string): Promise<Parsed[]> {
  for (let i = 0; ; i++) {
    if (existsSync(MAILBOX)) {
      const out = execFileSync('/usr/bin/python3', ['-c', PARSE, MAILBOX, token, dir]).toString();
      const parsed = JSON.parse(out) as Parsed[];
      if (parsed.length > 0) return parsed;
    }
    if (i > 300)
      throw new Error(
        `no mail with ${token} in ${MAILBOX}; exim says: ${execFileSync('exim4', ['-bp']).toString()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

let s: Scratch;
beforeAll(() => ensureMailUser());
beforeEach(() => (s = scratchArchive()));
afterEach(() => s.remove());

test('the fax arrives in the mailbox: subject with sender id and pages, the PDF attached and readable', async () => {
  const token = randomBytes(4).toString('hex');
  const fax = fileFax(s.archive, { pages: 3, remoteId: `+1 555 ${token}`, subaddress: '12' });
  const log: string[] = [];
  const runner = new DeliveryRunner(s.archive, {
    actions: [{ kind: 'mail', to: [USER] }],
    log: (l) => log.push(l),
  });
  const detail = await runner.deliver(fax.id);
  expect(detail.actions[0]).toMatchObject({ ok: true, done: `mailed to ${USER}` });
  expect(s.archive.received(fax.id)?.delivery.status).toBe('delivered');

  const [mail, ...more] = await readMailbox(token, s.dir);
  expect(more).toEqual([]);
  expect(mail.subject).toBe(`Fax from +1 555 ${token}, 3 pages`);
  expect(mail.to).toMatch(new RegExp(`^${USER}(@|$)`));
  expect(mail.text).toMatch(new RegExp(`^From: \\+1 555 ${token}$`, 'm'));
  expect(mail.text).toMatch(/^Pages: 3 pages$/m);
  expect(mail.text).toMatch(/^Subaddress: 12$/m);
  expect(mail.attachments).toHaveLength(1);
  expect(mail.attachments[0]).toMatchObject({ filename: `fax-${fax.id}.pdf`, type: 'application/pdf' });
  expect(pdfPages(mail.attachments[0].path)).toBe(3);
});

test('a hostile or non-ASCII sender id stays inside the subject', async () => {
  const token = randomBytes(4).toString('hex');
  const fax = fileFax(s.archive, {
    pages: 1,
    result: 'partial',
    remoteId: `Zürich ${token}\r\nBcc: root\r\n\r\nforged body`,
  });
  const runner = new DeliveryRunner(s.archive, { actions: [{ kind: 'mail', to: [USER] }] });
  expect((await runner.deliver(fax.id)).actions[0].ok).toBe(true);
  const [mail] = await readMailbox(token, s.dir);
  expect(mail.subject).toBe(`Partial fax from Zürich ${token} Bcc: root forged body, 1 page`);
  expect(mail.headers.map((h) => h.toLowerCase())).not.toContain('bcc');
  expect(pdfPages(mail.attachments[0].path)).toBe(1);
});

test('an MTA that fails leaves the delivery pending with the reason', async () => {
  const fax = fileFax(s.archive, { pages: 1 });
  const runner = new DeliveryRunner(s.archive, {
    actions: [{ kind: 'mail', to: [USER], sendmail: join(s.dir, 'no-sendmail') }],
  });
  const detail = await runner.deliver(fax.id);
  expect(detail.actions[0]).toMatchObject({ ok: false, lastError: { kind: 'mail-failed' } });
  expect(s.archive.received(fax.id)?.delivery.status).toBe('pending');
});

test("a transmission report mailed to the job's owner arrives readable", async () => {
  const token = randomBytes(4).toString('hex');
  const report = await writeTransmissionReport(
    {
      jobId: 9,
      user: USER,
      recipientName: `Clinic ${token}`,
      number: '5550199',
      remoteCsi: null,
      startedAt: null,
      finishedAt: new Date(),
      durationSeconds: 31,
      pages: 2,
      pagesConfirmed: 2,
      bitRate: 9600,
      coding: 'MR',
      ecm: false,
      resolution: 'standard',
      attempts: 1,
      resultSentence: 'All 2 pages were sent.',
    },
    null,
    join(s.dir, 'report.pdf'),
  );
  await sendMail({
    to: [USER],
    subject: `Fax to Clinic ${token} (5550199): sent`,
    text: 'All 2 pages were sent.\n',
    attachments: [{ fileName: 'report.pdf', contentType: 'application/pdf', data: readFileSync(report) }],
  });
  const [mail] = await readMailbox(token, s.dir);
  expect(mail.subject).toBe(`Fax to Clinic ${token} (5550199): sent`);
  expect(mail.attachments.map((a) => a.filename)).toEqual(['report.pdf']);
  const text = execFileSync('pdftotext', [mail.attachments[0].path, '-']).toString();
  expect(text).toContain(`Clinic ${token}`);
  expect(text).toContain('All 2 pages were sent.');
});
