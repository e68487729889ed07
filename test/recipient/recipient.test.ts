import {
  dialPatternProblem,
  dialStringFor,
  e164Form,
  parseRecipients,
  recipientsForJob,
  recipientsFromOptions,
  type DialPolicy,
  type DialRules,
  type Recipient,
} from '../../lib/recipient/index.js';
import {
  DIAL_STRING_ALPHABET,
  MAX_DIAL_STRING_LENGTH,
  dialStringProblem,
  isDialString,
} from '../../lib/itu/dial-string.js';

/** San Francisco, direct line: the HylaFAX documentation's own example. */
const SF: DialRules = {
  countryCode: '1',
  areaCode: '415',
  longDistancePrefix: '1',
  internationalPrefix: '011',
  outsideLinePrefix: '',
};
const OPEN: DialPolicy = { allow: [], deny: [] };

type Expect =
  | { name?: string; number: string; sub?: string; dial: string }
  | { kind: 'no-number' | 'invalid'; reason: string };

/** Real-world titles, each with what it must yield under the San Francisco rules. */
const TITLES: Array<[string, Expect]> = [
  // The sendfax -d examples and plain numbers.
  ['Sam Leffler@+1.415.555.1212', { name: 'Sam Leffler', number: '+14155551212', dial: '5551212' }],
  ['+1.415.555.1212', { number: '+14155551212', dial: '5551212' }],
  ['555-1212', { number: '5551212', dial: '5551212' }],
  ['5551212', { number: '5551212', dial: '5551212' }],
  ['(415) 555-1212', { number: '4155551212', dial: '4155551212' }],
  ['1 (212) 555-0100', { number: '12125550100', dial: '12125550100' }],
  ['+1 212 555 0100', { number: '+12125550100', dial: '12125550100' }],
  ['Front desk@+1 (212) 555-0100', { name: 'Front desk', number: '+12125550100', dial: '12125550100' }],
  // International.
  ['+44 20 7946 0000', { number: '+442079460000', dial: '011442079460000' }],
  ['Acme Ltd@+44 (0)20 7946 0000', { name: 'Acme Ltd', number: '+442079460000', dial: '011442079460000' }],
  ['+49 30/1234567', { number: '+49301234567', dial: '01149301234567' }],
  ['+33 1 23 45 67 89', { number: '+33123456789', dial: '01133123456789' }],
  ['011 44 20 7946 0000', { number: '011442079460000', dial: '011442079460000' }],
  ['+81-3-1234-5678', { number: '+81312345678', dial: '01181312345678' }],
  // Names: unicode, e-mail addresses, leading blanks (the CUPS octal pitfall).
  ['Zoë Ångström@+46 8 123 456 78', { name: 'Zoë Ångström', number: '+46812345678', dial: '01146812345678' }],
  ['山田太郎@+81 3 1234 5678', { name: '山田太郎', number: '+81312345678', dial: '01181312345678' }],
  ['Dr. O’Brien@555 1212', { name: 'Dr. O’Brien', number: '5551212', dial: '5551212' }],
  ['sam@example.com@555-1212', { name: 'sam@example.com', number: '5551212', dial: '5551212' }],
  [' 0123456', { number: '0123456', dial: '0123456' }],
  ['  Sam @ 555 1212  ', { name: 'Sam', number: '5551212', dial: '5551212' }],
  // Pauses, extensions, subaddresses, vanity letters.
  ['555-1212,,,123', { number: '5551212,,,123', dial: '5551212,,,123' }],
  ['Sales@+1 415 555 1212,,42', { name: 'Sales', number: '+14155551212,,42', dial: '5551212,,42' }],
  ['555-1212,', { number: '5551212', dial: '5551212' }],
  ['Legal@+1 415 555 1212#1234', { name: 'Legal', number: '+14155551212', sub: '1234', dial: '5551212' }],
  ['555 1212 # 12 34', { number: '5551212', sub: '1234', dial: '5551212' }],
  ['1-800-FLOWERS', { number: '18003569377', dial: '18003569377' }],
  ['Pizza@1-800-PIZZA-NOW', { name: 'Pizza', number: '180074992669', dial: '180074992669' }],
  // Several recipients, as LibreOffice joins them.
  ['Ann@555-1212;Bob@+44 20 7946 0000', { name: 'Ann', number: '5551212', dial: '5551212' }],
  ['555-1212; ', { number: '5551212', dial: '5551212' }],
  // Titles that hold no number: the backend holds the job or uses phone=.
  ['', { kind: 'no-number', reason: 'the title is empty' }],
  ['   ', { kind: 'no-number', reason: 'the title is empty' }],
  ['Sam Leffler', { kind: 'no-number', reason: 'the title "Sam Leffler" holds no fax number' }],
  ['Sam Leffler@', { kind: 'no-number', reason: 'the title "Sam Leffler@" holds no fax number' }],
  [
    'Microsoft Word - Rx.docx',
    { kind: 'no-number', reason: 'the title "Microsoft Word - Rx.docx" holds no fax number' },
  ],
  ['2024 Budget.xlsx', { kind: 'no-number', reason: 'the title "2024 Budget.xlsx" holds no fax number' }],
  ['SCAN0001.PDF', { kind: 'no-number', reason: 'the title "SCAN0001.PDF" holds no fax number' }],
  ['20240115.PDF', { kind: 'no-number', reason: 'the title "20240115.PDF" holds no fax number' }],
  ['(stdin)', { kind: 'no-number', reason: 'the title "(stdin)" holds no fax number' }],
  ['Untitled; draft', { kind: 'no-number', reason: 'the title "Untitled; draft" holds no fax number' }],
  ['bob@example.com', { kind: 'no-number', reason: 'the title "bob@example.com" holds no fax number' }],
  // Injection and garbage: rejected, never dialled.
  ['555-1212;ATZ', { kind: 'invalid', reason: 'recipient 2 "ATZ" holds no fax number' }],
  ['555\r\nATH', { kind: 'invalid', reason: 'the title holds a control character U+000D' }],
  ['555-1212\u0000', { kind: 'invalid', reason: 'the title holds a control character U+0000' }],
  ['555-1212\u2028ATH0', { kind: 'invalid', reason: 'the title holds a control character U+2028' }],
  ['Eve\u202e@5551212', { kind: 'invalid', reason: 'the title holds a control character U+202E' }],
  ['555-1212!', { kind: 'invalid', reason: '"555-1212!": \'!\' is not allowed in a fax number' }],
  ['Sam@555-1212x', { kind: 'invalid', reason: '"Sam@555-1212x": \'x\' is not a keypad letter (A–Z)' }],
  ['Sam@555 1212 ATDT', { name: 'Sam', number: '55512122838', dial: '55512122838' }],
  ['Eve@555-1212;ATH', { kind: 'invalid', reason: 'recipient 2 "ATH" holds no fax number' }],
  ['555-12+12', { kind: 'invalid', reason: '"555-12+12": a + may only begin the number' }],
  [
    '+1 415 555 1212 ext. 12',
    { kind: 'no-number', reason: 'the title "+1 415 555 1212 ext. 12" holds no fax number' },
  ],
  [
    '1'.repeat(200),
    { kind: 'invalid', reason: `"${'1'.repeat(57)}…": the number has 200 digits, more than 20` },
  ],
  [
    '+1234567890123456',
    {
      kind: 'invalid',
      reason: '"+1234567890123456": an international number has at most 15 digits (E.164), not 16',
    },
  ],
  [
    '5551212,1900555121',
    {
      kind: 'invalid',
      reason: '"5551212,1900555121": at most 6 digits may follow a pause (an extension), not 10',
    },
  ],
  [',5551212', { kind: 'no-number', reason: 'the title ",5551212" holds no fax number' }],
  ['Sam@,5551212', { kind: 'no-number', reason: 'the title "Sam@,5551212" holds no fax number' }],
  ['555-1212#12a', { kind: 'invalid', reason: '"555-1212#12a": a subaddress after # must be digits' }],
  [
    '555-1212#' + '1'.repeat(21),
    {
      kind: 'invalid',
      reason: `"555-1212#${'1'.repeat(21)}": a subaddress has at most 20 digits (T.30 SUB)`,
    },
  ],
  [
    `${'N'.repeat(101)}@5551212`,
    { kind: 'invalid', reason: `"${'N'.repeat(57)}…": the name is longer than 100 characters` },
  ],
  ['+1', { kind: 'invalid', reason: '"+1": an international number needs a country code and a number' }],
];

describe('job title → recipient → dial string', () => {
  it.each(TITLES)('%j', (title, expected) => {
    const parsed = parseRecipients(title);
    if ('kind' in expected) {
      expect(parsed).toEqual(expected);
      return;
    }
    expect(parsed.kind).toBe('recipients');
    if (parsed.kind !== 'recipients') return;
    const first = parsed.recipients[0];
    expect(first).toEqual<Recipient>({
      name: expected.name ?? '',
      number: expected.number,
      subaddress: expected.sub ?? '',
      dialPrefix: '',
    });
    expect(dialStringFor(first, SF, OPEN)).toMatchObject({ kind: 'dial', dialString: expected.dial });
  });

  it('has at least 40 real-world titles', () => {
    expect(TITLES.length).toBeGreaterThanOrEqual(40);
  });

  it('keeps every recipient of a ;-separated title, in order', () => {
    const parsed = parseRecipients('Ann@555-1212; Bob@+44 20 7946 0000 ;Cy@+1 212 555 0100');
    expect(parsed.kind === 'recipients' && parsed.recipients.map((r) => [r.name, r.number])).toEqual([
      ['Ann', '5551212'],
      ['Bob', '+442079460000'],
      ['Cy', '+12125550100'],
    ]);
    expect(parseRecipients(Array(21).fill('5551212').join(';'))).toEqual({
      kind: 'invalid',
      reason: 'more than 20 recipients',
    });
  });
});

/** London behind a PBX: outside line 9, trunk prefix 0, international 00. */
const LONDON: DialRules = {
  countryCode: '44',
  areaCode: '20',
  longDistancePrefix: '0',
  internationalPrefix: '00',
  outsideLinePrefix: '9,',
};

function dial(title: string, rules: DialRules, policy: DialPolicy = OPEN) {
  const parsed = parseRecipients(title);
  if (parsed.kind !== 'recipients') throw new Error(`no recipient in ${title}: ${parsed.reason}`);
  return dialStringFor(parsed.recipients[0], rules, policy);
}

describe('dial rules', () => {
  it('dials local, national and international numbers from London behind a PBX', () => {
    expect(dial('+44 20 7946 0000', LONDON)).toEqual({
      kind: 'dial',
      dialString: '9,79460000',
      e164: '+442079460000',
    });
    expect(dial('+44 161 496 0000', LONDON)).toMatchObject({ dialString: '9,01614960000' });
    expect(dial('+1 212 555 0100', LONDON)).toMatchObject({ dialString: '9,0012125550100' });
    expect(dial('0161 496 0000', LONDON)).toMatchObject({
      dialString: '9,01614960000',
      e164: '+441614960000',
    });
    expect(dial('7946 0000', LONDON)).toMatchObject({ e164: '+442079460000' });
    expect(dial('00 33 1 23 45 67 89', LONDON)).toMatchObject({ e164: '+33123456789' });
  });

  it('gives the E.164 form only when the country code is known', () => {
    const unknown = { ...SF, countryCode: '' };
    expect(e164Form(false, '5551212', unknown)).toBeUndefined();
    expect(e164Form(true, '442079460000', unknown)).toBe('+442079460000');
    expect(e164Form(false, '5551212', SF)).toBe('+14155551212');
    expect(e164Form(false, '12125550100', SF)).toBe('+12125550100');
  });

  it('never strips the area code when none is configured', () => {
    expect(dial('+1 415 555 1212', { ...SF, areaCode: '' })).toMatchObject({ dialString: '14155551212' });
  });

  it('rejects an international number when no international prefix is set', () => {
    expect(dial('+44 20 7946 0000', { ...SF, internationalPrefix: '' })).toEqual({
      kind: 'invalid',
      reason: 'an international number needs InternationalPrefix in lpfax.conf',
    });
  });

  it('rejects a dial string the modem cannot take', () => {
    const long = { ...SF, outsideLinePrefix: '9,,,,,,,,,,,,,,,,,,,,,,,,' };
    expect(dial('+44 20 7946 0000', long)).toEqual({
      kind: 'invalid',
      reason: `the dial string has 40 characters, more than the ${MAX_DIAL_STRING_LENGTH} a modem accepts`,
    });
  });
});

describe('phone= and faxPrefix= job options', () => {
  it('reads the number and a one-digit outside-line prefix', () => {
    const r = recipientsFromOptions('555-1212', '9,', 'Sam');
    expect(r).toEqual({
      kind: 'recipients',
      recipients: [{ name: 'Sam', number: '5551212', subaddress: '', dialPrefix: '9,' }],
    });
    if (r.kind !== 'recipients') return;
    expect(dialStringFor(r.recipients[0], SF, OPEN)).toMatchObject({ dialString: '9,5551212' });
    // lpfax.conf's OutsideLinePrefix wins over the job's.
    expect(dialStringFor(r.recipients[0], LONDON, OPEN)).toMatchObject({ dialString: '9,5551212' });
    expect(dialStringFor(r.recipients[0], { ...SF, outsideLinePrefix: '8W' }, OPEN)).toMatchObject({
      dialString: '8W5551212',
    });
  });

  it('rejects a prefix that could dial a number of its own, and non-numbers', () => {
    expect(recipientsFromOptions('5551212', '1900')).toEqual({
      kind: 'invalid',
      reason: 'faxPrefix "1900" is not an outside-line prefix (one or two digits, then pauses)',
    });
    expect(recipientsFromOptions('ATZ')).toEqual({
      kind: 'invalid',
      reason: 'phone "ATZ" is not a fax number',
    });
    expect(recipientsFromOptions('555-1212x')).toEqual({
      kind: 'invalid',
      reason: 'phone "555-1212x": \'x\' is not a keypad letter (A–Z)',
    });
    expect(recipientsFromOptions('555\nATH')).toEqual({
      kind: 'invalid',
      reason: 'the phone option holds a control character U+000A',
    });
    expect(recipientsFromOptions(undefined).kind).toBe('no-number');
    expect(recipientsFromOptions('  ').kind).toBe('no-number');
  });
});

describe('dial policy', () => {
  const premium: DialPolicy = { allow: [], deny: ['1900*', '+1900*', '+1976*'] };

  it('forbids premium numbers in every notation', () => {
    expect(dial('1-900-555-1212', SF, { allow: [], deny: ['1900*'] })).toEqual({
      kind: 'forbidden',
      reason: 'the dial policy forbids 19005551212 (DialDeny pattern 1900*)',
    });
    expect(dial('1-900-555-1212', SF, premium).kind).toBe('forbidden');
    expect(dial('+1 900 555 1212', SF, { allow: [], deny: ['+1900*'] })).toEqual({
      kind: 'forbidden',
      reason: 'the dial policy forbids +19005551212 (DialDeny pattern +1900*)',
    });
    expect(dial('+1 976 555 1212', SF, premium).kind).toBe('forbidden');
    expect(dial('555 1212', SF, premium).kind).toBe('dial');
  });

  it('sees a forbidden number behind a job-supplied prefix', () => {
    const r = recipientsFromOptions('900 555 1212', '1');
    if (r.kind !== 'recipients') throw new Error(r.reason);
    expect(dialStringFor(r.recipients[0], SF, premium)).toEqual({
      kind: 'forbidden',
      reason: 'the dial policy forbids +19005551212 (DialDeny pattern +1900*)',
    });
  });

  it('treats DialAllow as exceptions to DialDeny', () => {
    const ukOnly: DialPolicy = { deny: ['+*'], allow: ['+44*'] };
    expect(dial('+44 20 7946 0000', LONDON, ukOnly).kind).toBe('dial');
    expect(dial('0161 496 0000', LONDON, ukOnly).kind).toBe('dial');
    expect(dial('+33 1 23 45 67 89', LONDON, ukOnly)).toEqual({
      kind: 'forbidden',
      reason: 'the dial policy forbids +33123456789 (DialDeny pattern +*)',
    });
    expect(dial('0033 1 23 45 67 89', LONDON, ukOnly).kind).toBe('forbidden');
  });

  it('checks the digits after a pause against dialled-form patterns', () => {
    const noShort: DialPolicy = { allow: [], deny: ['118*'] };
    expect(dial('555 1212,,118118', SF, noShort)).toEqual({
      kind: 'forbidden',
      reason: 'the dial policy forbids 118118 (DialDeny pattern 118*)',
    });
  });

  it('validates pattern syntax', () => {
    expect(dialPatternProblem('+1900*')).toBeUndefined();
    expect(dialPatternProblem('0??9*')).toBeUndefined();
    expect(dialPatternProblem('+')).toBe('a dial pattern needs a digit, ? or * after +');
    expect(dialPatternProblem('1900.*')).toMatch(/optional \+ followed by digits/);
    expect(dialPatternProblem('')).toMatch(/optional \+ followed by digits/);
  });
});

describe('dial string alphabet', () => {
  it('admits only digits, * # , W and at most the modem line length', () => {
    expect(DIAL_STRING_ALPHABET).toBe('0123456789*#,W');
    expect(isDialString('9,W5551212')).toBe(true);
    expect(isDialString('*67#5551212')).toBe(true);
    expect(dialStringProblem('5551212;ATZ')).toBe("the dial string may hold only 0123456789*#,W (found ';')");
    expect(dialStringProblem('555\r')).toBe(
      'the dial string may hold only 0123456789*#,W (found control character U+000D)',
    );
    expect(dialStringProblem('T5551212')).toMatch(/found 'T'/);
    expect(dialStringProblem(',,,')).toBe('the dial string holds no digit');
    expect(dialStringProblem('')).toBe('the dial string is empty');
    expect(isDialString('1'.repeat(MAX_DIAL_STRING_LENGTH))).toBe(true);
    expect(isDialString('1'.repeat(MAX_DIAL_STRING_LENGTH + 1))).toBe(false);
  });
});

describe('recipients of a job: title, then phone= and faxPrefix=', () => {
  const options = (o: Record<string, string>) => (name: string) =>
    Object.entries(o).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

  it('prefers the title and applies faxPrefix to its numbers', () => {
    expect(recipientsForJob('Ann@555-1212', options({ phone: '5550000', faxPrefix: '9,' }))).toEqual({
      kind: 'recipients',
      recipients: [{ name: 'Ann', number: '5551212', subaddress: '', dialPrefix: '9,' }],
    });
  });

  it('falls back to phone= for a document title, keeping a name written as "Name@"', () => {
    expect(recipientsForJob('Microsoft Word - Rx.docx', options({ PHONE: '+1 415 555 1212' }))).toEqual({
      kind: 'recipients',
      recipients: [{ name: '', number: '+14155551212', subaddress: '', dialPrefix: '' }],
    });
    expect(recipientsForJob('Sam Leffler@', options({ phone: '555-1212', faxprefix: '9' }))).toEqual({
      kind: 'recipients',
      recipients: [{ name: 'Sam Leffler', number: '5551212', subaddress: '', dialPrefix: '9' }],
    });
  });

  it('never falls back when the title is a malformed number, and says when nothing is left', () => {
    expect(recipientsForJob('555-1212;ATZ', options({ phone: '5550000' }))).toEqual({
      kind: 'invalid',
      reason: 'recipient 2 "ATZ" holds no fax number',
    });
    expect(recipientsForJob('Report', options({}))).toEqual({
      kind: 'no-number',
      reason: 'the title "Report" holds no fax number, and the job has no phone option',
    });
    expect(recipientsForJob('555-1212', options({ faxPrefix: '1900' }))).toMatchObject({ kind: 'invalid' });
  });
});
