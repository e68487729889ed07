/**
 * Who a job goes to: the title (`Name@number`), else the `phone=`/`faxPrefix=` options, else a
 * number written in the document itself (`Fax: Name@number` or `###Name@number###`, for Windows
 * and other IPP clients that send the document title as the job name); then each number through
 * the dial rules and the dial policy. A job with no usable number is held, never failed, with the
 * command that releases it.
 */
import type { FaxSettings } from '../config/index.js';
import { dialStringFor, parseRecipients, recipientsForJob, type Recipient } from '../recipient/index.js';
import { FaxJobError } from './outcome.js';
import type { JobRecipient } from './run.js';

export interface RecipientSources {
  title: string;
  option(name: string): string | undefined;
  /** The recipient text found in the document, looked for only when the title and options give none. */
  fromDocument?: () => Promise<string | undefined>;
  /** For the message that tells the user how to give a number. */
  jobId?: number;
}

function howToGiveNumber(jobId: number | undefined): string {
  const job = jobId === undefined ? 'JOB' : String(jobId);
  // Not `lp -i JOB -t …`: lp sends job-name as an operation attribute, which Set-Job-Attributes
  // ignores (CUPS 2.4), so the backend would see the old title. The phone option reaches it.
  return `Give the number with: lp -i ${job} -o phone='Name@number' -H resume`;
}

export async function jobRecipients(
  sources: RecipientSources,
  settings: FaxSettings,
): Promise<JobRecipient[]> {
  let found = recipientsForJob(sources.title, sources.option);
  if (found.kind === 'no-number' && sources.fromDocument) {
    const text = await sources.fromDocument().catch(() => undefined);
    if (text) {
      const fromDocument = parseRecipients(text);
      if (fromDocument.kind === 'recipients') found = fromDocument;
    }
  }
  if (found.kind === 'no-number') {
    throw new FaxJobError('no-number', `No fax number in the job name. ${howToGiveNumber(sources.jobId)}`);
  }
  if (found.kind !== 'recipients') {
    throw new FaxJobError(
      'no-number',
      `The fax number is not usable: ${found.reason}. ${howToGiveNumber(sources.jobId)}`,
    );
  }
  return found.recipients.map((r: Recipient) => {
    const dial = dialStringFor(r, settings.dialRules, settings.dialPolicy);
    const number = r.dialPrefix ? `${r.dialPrefix} ${r.number}` : r.number;
    if (dial.kind === 'forbidden') {
      throw new FaxJobError('forbidden-number', `Faxes to ${number} are not allowed here: ${dial.reason}.`);
    }
    if (dial.kind === 'invalid') {
      throw new FaxJobError(
        'no-number',
        `The fax number ${number} is not usable: ${dial.reason}. ${howToGiveNumber(sources.jobId)}`,
      );
    }
    return {
      name: r.name || undefined,
      number: r.number,
      dialString: dial.dialString,
      subaddress: r.subaddress || undefined,
    };
  });
}
