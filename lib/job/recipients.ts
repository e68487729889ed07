/**
 * Who a job goes to. A number may come from three places: the job name (`Name@number`), the
 * `phone=`/`faxPrefix=` options, and the IPP FaxOut attribute `destination-uris` (tel: URIs,
 * PWG 5100.15). Any of them may carry it; when several do, they must name the same numbers in the
 * same order (after the dial rules), else the job is held: a conflict is the user's to settle,
 * never guessed. The name on the cover page is the first one given (job name, phone option,
 * cover-sheet-info's to-name). With no number anywhere, a number written in the document
 * (`Fax: Name@number`) is used; then each number goes through the dial rules and the dial policy.
 * A job with no usable number is held, never failed, with the command that releases it.
 */
import type { FaxSettings } from '../config/index.js';
import {
  dialStringFor,
  parseRecipients,
  recipientFromDestination,
  recipientsForJob,
  recipientsFromOptions,
  type FaxDestination,
  type Recipient,
} from '../recipient/index.js';
import { FaxJobError } from './outcome.js';
import type { JobRecipient } from './run.js';

export interface RecipientSources {
  title: string;
  option(name: string): string | undefined;
  /** The recipient text found in the document, looked for only when no other source gives one. */
  fromDocument?: () => Promise<string | undefined>;
  /** For the message that tells the user how to give a number. */
  jobId?: number;
  /** The job's destination-uris (IPP FaxOut). */
  destinations?: readonly FaxDestination[];
  /** cover-sheet-info's to-name: the name of a recipient no other source names. */
  toName?: string;
  /** Something the user should know that does not stop the fax. */
  warn?: (text: string) => void;
}

function howToGiveNumber(jobId: number | undefined): string {
  const job = jobId === undefined ? 'JOB' : String(jobId);
  // Not `lp -i JOB -t …`: lp sends job-name as an operation attribute, which Set-Job-Attributes
  // ignores (CUPS 2.4), so the backend would see the old title. The phone option reaches it.
  return `Give the number with: lp -i ${job} -o phone='Name@number' -H resume`;
}

interface Source {
  /** Where the numbers came from, for the conflict sentence. */
  where: string;
  recipients: readonly Recipient[];
}

function unusable(reason: string, jobId: number | undefined): FaxJobError {
  return new FaxJobError('no-number', `The fax number is not usable: ${reason}. ${howToGiveNumber(jobId)}`);
}

/** The sources that carry a number; throws on one that tries and fails. */
function numberSources(sources: RecipientSources): Source[] {
  const found: Source[] = [];
  const { title, option, jobId } = sources;
  // The job name, with faxPrefix applied to its numbers.
  const fromTitle = recipientsForJob(title, (name) =>
    name.toLowerCase() === 'faxprefix' ? option(name) : undefined,
  );
  if (fromTitle.kind === 'invalid') throw unusable(fromTitle.reason, jobId);
  if (fromTitle.kind === 'recipients')
    found.push({ where: 'the job name', recipients: fromTitle.recipients });

  const phone = option('phone');
  if (phone !== undefined && phone.trim() !== '') {
    // "Sam Leffler@" names the recipient whose number is in the phone option.
    const named = /^([^;@]+)@\s*$/.exec(title.trim());
    const fromPhone = recipientsFromOptions(phone, option('faxPrefix'), named ? named[1].trim() : '');
    if (fromPhone.kind !== 'recipients') throw unusable(fromPhone.reason, jobId);
    found.push({ where: 'the phone option', recipients: fromPhone.recipients });
  }

  const fromUris: Recipient[] = [];
  for (const destination of sources.destinations ?? []) {
    const r = recipientFromDestination(destination, sources.toName ?? '');
    if (r.kind === 'not-tel')
      sources.warn?.(`${r.reason}: a fax queue sends only to telephone numbers, so it was skipped.`);
    else if (r.kind === 'invalid') throw unusable(r.reason, jobId);
    else fromUris.push(r.recipient);
  }
  if (fromUris.length > 0) found.push({ where: 'destination-uris', recipients: fromUris });
  return found;
}

export async function jobRecipients(
  sources: RecipientSources,
  settings: FaxSettings,
): Promise<JobRecipient[]> {
  let found = numberSources(sources);
  if (found.length === 0 && sources.fromDocument) {
    const text = await sources.fromDocument().catch(() => undefined);
    const fromDocument = text ? parseRecipients(text) : undefined;
    if (fromDocument?.kind === 'recipients')
      found = [{ where: 'the document', recipients: fromDocument.recipients }];
  }
  if (found.length === 0) {
    throw new FaxJobError('no-number', `No fax number in the job name. ${howToGiveNumber(sources.jobId)}`);
  }
  const dialled = found.map((source) => ({
    ...source,
    recipients: source.recipients.map((r) => dial(r, settings, sources.jobId)),
  }));
  const [first, ...others] = dialled;
  const key = (rs: JobRecipient[]) => rs.map((r) => `${r.dialString}#${r.subaddress ?? ''}`).join(';');
  const other = others.find((s) => key(s.recipients) !== key(first.recipients));
  if (other) {
    const numbers = (s: (typeof dialled)[number]) => s.recipients.map((r) => r.number).join(', ');
    throw new FaxJobError(
      'no-number',
      `The job gives two different fax numbers: ${numbers(first)} in ${first.where}, ${numbers(other)} in ${other.where}. ` +
        `Cancel it (cancel ${sources.jobId ?? 'JOB'}) and send it again with one number.`,
    );
  }
  return first.recipients.map((r, i) => ({
    ...r,
    name:
      r.name ??
      others.map((s) => s.recipients[i].name).find((n) => n !== undefined) ??
      (sources.toName || undefined),
  }));
}

/** One recipient through the dial rules and the dial policy. */
function dial(r: Recipient, settings: FaxSettings, jobId: number | undefined): JobRecipient {
  const result = dialStringFor(r, settings.dialRules, settings.dialPolicy);
  const number = r.dialPrefix ? `${r.dialPrefix} ${r.number}` : r.number;
  if (result.kind === 'forbidden') {
    throw new FaxJobError('forbidden-number', `Faxes to ${number} are not allowed here: ${result.reason}.`);
  }
  if (result.kind === 'invalid') {
    throw new FaxJobError(
      'no-number',
      `The fax number ${number} is not usable: ${result.reason}. ${howToGiveNumber(jobId)}`,
    );
  }
  return {
    name: r.name || undefined,
    number: r.number,
    dialString: result.dialString,
    subaddress: r.subaddress || undefined,
  };
}
