/**
 * The FaxOut attributes of a job (PWG 5100.15) and where its numbers come from: the job name, the
 * phone option and destination-uris must agree; each number goes through the same dial rules
 * and dial policy, whatever its source.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFaxSettings, type FaxSettings } from '../../lib/config/index.js';
import type { IppValue } from '../../lib/ipp/index.js';
import { faxOutAttributes } from '../../lib/job/faxout.js';
import { coverAndTagline } from '../../lib/job/pages.js';
import { jobRecipients, type RecipientSources } from '../../lib/job/recipients.js';

let dir: string;
let settings: FaxSettings;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpfax-faxout-'));
  const conf = join(dir, 'lpfax.conf');
  writeFileSync(
    conf,
    [
      'CountryCode: 1',
      'AreaCode: 415',
      'LongDistancePrefix: 1',
      'InternationalPrefix: 011',
      'DialDeny: 1900*',
      'CoverPage: auto',
    ].join('\n') + '\n',
  );
  const loaded = loadFaxSettings({ env: { LPFAX_CONFIG: conf } });
  if (!loaded.ok) throw loaded.error;
  settings = loaded.value.settings;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options =
  (o: Record<string, string> = {}) =>
  (name: string) =>
    Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

async function recipients(s: Partial<RecipientSources>) {
  try {
    return await jobRecipients({ title: 'Scan 0001', option: options(), jobId: 12, ...s }, settings);
  } catch (e) {
    return { refused: (e as Error).message, kind: (e as { kind?: string }).kind };
  }
}

describe('FaxOut attributes', () => {
  it('reads the collections cupsd holds and the integers and booleans CUPS passes as options', () => {
    const attrs = new Map<string, IppValue[]>([
      [
        'destination-uris',
        [
          { 'destination-uri': ['tel:555-0100'], 'pre-dial-string': ['9'], 't33-subaddress': [42] },
          { 'destination-uri': ['tel:+44-20-7946-0000'], 'post-dial-string': ['12'] },
          { 'print-quality': [5] }, // no destination-uri: not a destination
        ],
      ],
      [
        'cover-sheet-info',
        [{ 'from-name': ['Alice'], 'to-name': ['Bob'], subject: ['Rx'], message: ['Hi'] }],
      ],
    ]);
    // argv[5] as CUPS 2.4.2 builds it for such a job.
    const argv5 = options({
      'number-of-retries': '2',
      'retry-interval': '60',
      'retry-time-out': '120',
      'confirmation-sheet-print': 'false',
    });
    expect(faxOutAttributes(attrs, argv5)).toEqual({
      destinations: [
        { uri: 'tel:555-0100', preDialString: '9', postDialString: undefined, t33Subaddress: '42' },
        {
          uri: 'tel:+44-20-7946-0000',
          preDialString: undefined,
          postDialString: '12',
          t33Subaddress: undefined,
        },
      ],
      coverSheet: {
        fromName: 'Alice',
        toName: 'Bob',
        organizationName: undefined,
        subject: 'Rx',
        message: 'Hi',
      },
      numberOfRetries: 2,
      retryInterval: 60,
      retryTimeOut: 120,
      confirmationSheetPrint: false,
    });
    expect(faxOutAttributes(new Map(), options({ 'number-of-retries': '-1' }))).toEqual({
      destinations: [],
      coverSheet: undefined,
      numberOfRetries: undefined,
      retryInterval: undefined,
      retryTimeOut: undefined,
      confirmationSheetPrint: undefined,
    });
  });
});

describe('the numbers of a job: job name, phone option, destination-uris', () => {
  it('dials destination-uris under the same dial rules as a job-name number', async () => {
    const fromUris = await recipients({
      destinations: [{ uri: 'tel:+1-415-555-0100' }, { uri: 'tel:+44-20-7946-0000', postDialString: '12' }],
      toName: 'Pharmacy',
    });
    const fromTitle = await recipients({ title: 'Pharmacy@+1 415 555 0100;Pharmacy@+44 20 7946 0000,12' });
    expect(fromUris).toEqual(fromTitle);
    expect(fromUris).toEqual([
      { name: 'Pharmacy', number: '+14155550100', dialString: '5550100', subaddress: undefined },
      {
        name: 'Pharmacy',
        number: '+442079460000,12',
        dialString: '011442079460000,12',
        subaddress: undefined,
      },
    ]);
  });

  it('applies the dial policy to destination-uris', async () => {
    expect(await recipients({ destinations: [{ uri: 'tel:1-900-555-0100' }] })).toEqual({
      kind: 'forbidden-number',
      refused: expect.stringMatching(/^Faxes to 19005550100 are not allowed here: /),
    });
  });

  it('accepts sources that agree, naming the recipient from the first that names one', async () => {
    expect(
      await recipients({
        title: 'Pharmacy@555-0100',
        option: options({ phone: '555 0100' }),
        destinations: [{ uri: 'tel:555-0100' }],
        toName: 'Front desk',
      }),
    ).toEqual([{ name: 'Pharmacy', number: '5550100', dialString: '5550100', subaddress: undefined }]);
    // The same number written two ways (national, international) is the same number dialled.
    expect(
      await recipients({ title: '555-0100', destinations: [{ uri: 'tel:+1-415-555-0100' }], toName: 'Desk' }),
    ).toEqual([{ name: 'Desk', number: '5550100', dialString: '5550100', subaddress: undefined }]);
  });

  it('holds a job whose sources give different numbers, naming both', async () => {
    expect(await recipients({ title: 'Pharmacy@555-0100', destinations: [{ uri: 'tel:555-0199' }] })).toEqual(
      {
        kind: 'no-number',
        refused:
          'The job gives two different fax numbers: 5550100 in the job name, 5550199 in destination-uris. ' +
          'Cancel it (cancel 12) and send it again with one number.',
      },
    );
    expect(await recipients({ title: '555-0100', option: options({ phone: '555-0101' }) })).toMatchObject({
      refused: expect.stringMatching(
        /^The job gives two different fax numbers: 5550100 in the job name, 5550101 in the phone option\./,
      ),
    });
    // A different subaddress, or one number more, is a different destination too.
    expect(
      await recipients({ title: '555-0100#1', destinations: [{ uri: 'tel:555-0100;isub=2' }] }),
    ).toMatchObject({ kind: 'no-number' });
    expect(
      await recipients({
        title: '555-0100',
        destinations: [{ uri: 'tel:555-0100' }, { uri: 'tel:555-0101' }],
      }),
    ).toMatchObject({ kind: 'no-number' });
  });

  it('skips a destination that is not a telephone number, with a warning, and holds a job with none', async () => {
    const warnings: string[] = [];
    expect(
      await recipients({
        destinations: [{ uri: 'tel:4055551212' }, { uri: 'ipp://11.22.33.44/ipp/print' }],
        warn: (t) => warnings.push(t),
      }),
    ).toEqual([{ name: undefined, number: '4055551212', dialString: '4055551212', subaddress: undefined }]);
    expect(warnings).toEqual([
      'ipp://11.22.33.44/ipp/print is not a telephone number (tel:): a fax queue sends only to telephone numbers, so it was skipped.',
    ]);
    expect(await recipients({ destinations: [{ uri: 'mailto:a@example.com' }] })).toEqual({
      kind: 'no-number',
      refused:
        "No fax number in the job name. Give the number with: lp -i 12 -o phone='Name@number' -H resume",
    });
    expect(await recipients({ destinations: [{ uri: 'tel:555-0100;isub=desk' }] })).toMatchObject({
      kind: 'no-number',
      refused: expect.stringMatching(/^The fax number is not usable: tel:555-0100;isub=desk: /),
    });
  });
});

describe('cover-sheet-info on the cover page', () => {
  it('asks for a cover page and fills the sender, organisation, subject and message', () => {
    const recipient = { number: '5550100', dialString: '5550100' };
    expect(coverAndTagline(settings, recipient, { sender: 'S' }).cover).toBeUndefined();
    const cover = coverAndTagline(settings, recipient, {
      sender: 'Dr. Alice Chen',
      organisation: 'Riverside Clinic',
      subject: 'Prescription',
      comments: 'Please call',
      asked: true,
    }).cover;
    expect(cover?.fields).toMatchObject({
      fromName: 'Dr. Alice Chen',
      fromOrganisation: 'Riverside Clinic',
      subject: 'Prescription',
      comments: 'Please call',
      toNumber: '5550100',
    });
  });
});
