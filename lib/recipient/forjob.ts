/**
 * The recipients of one print job: the title first, then the `phone=` and `faxPrefix=` job
 * options (the names CUPS fax queues and fax clients use) when the title holds no number.
 */

import { parseRecipients, recipientsFromOptions, type RecipientsResult } from './title.js';

/**
 * `option` looks a job option up by name (case-insensitively, like cupsGetOption). A title that
 * tries to be a number and fails is rejected, never replaced by the options. A `faxPrefix`
 * applies to the title's numbers too.
 */
export function recipientsForJob(
  title: string,
  option: (name: string) => string | undefined,
): RecipientsResult {
  const fromTitle = parseRecipients(title);
  const faxPrefix = option('faxPrefix');
  if (fromTitle.kind === 'invalid') return fromTitle;
  if (fromTitle.kind === 'recipients') {
    if (faxPrefix === undefined || faxPrefix.trim() === '') return fromTitle;
    // Borrow the option parser's prefix check with a harmless number.
    const probe = recipientsFromOptions('0', faxPrefix);
    if (probe.kind !== 'recipients') return probe;
    const dialPrefix = probe.recipients[0].dialPrefix;
    return { kind: 'recipients', recipients: fromTitle.recipients.map((r) => ({ ...r, dialPrefix })) };
  }
  const phone = option('phone');
  if (phone === undefined || phone.trim() === '') {
    return { kind: 'no-number', reason: `${fromTitle.reason}, and the job has no phone option` };
  }
  // "Sam Leffler@" names the recipient whose number is in the phone option.
  const named = /^([^;@]+)@\s*$/.exec(title.trim());
  return recipientsFromOptions(phone, faxPrefix, named ? named[1].trim() : '');
}
