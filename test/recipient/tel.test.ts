import { recipientFromDestination } from '../../lib/recipient/index.js';

const tel = (uri: string, more: Record<string, string> = {}, name = '') =>
  recipientFromDestination({ uri, ...more }, name);

describe('tel: URIs as recipients (RFC 3966, PWG 5100.15 destination-uris)', () => {
  it('drops visual separators and keeps a global number international', () => {
    expect(tel('tel:+1-405-555-1212')).toEqual({
      kind: 'recipient',
      recipient: { name: '', number: '+14055551212', subaddress: '', dialPrefix: '' },
    });
    expect(tel('TEL:(405)555.1212')).toMatchObject({
      kind: 'recipient',
      recipient: { number: '4055551212' },
    });
  });

  it('dials ;postd= and ;ext= after a pause, p and w as pauses', () => {
    expect(tel('tel:555-0100;postd=pp123')).toMatchObject({ recipient: { number: '5550100,,123' } });
    expect(tel('tel:555-0100;ext=42')).toMatchObject({ recipient: { number: '5550100,42' } });
    expect(tel('tel:555-0100', { postDialString: '77' })).toMatchObject({
      recipient: { number: '5550100,77' },
    });
    expect(tel('tel:555-0100;postd=1234567')).toEqual({
      kind: 'invalid',
      reason: 'tel:555-0100;postd=1234567: at most 6 digits may follow a pause (an extension), not 7',
    });
    expect(tel('tel:555-0100;postd=*9')).toMatchObject({ kind: 'invalid' });
  });

  it('takes the subaddress from ;isub= or t33-subaddress, and refuses two different ones', () => {
    expect(tel('tel:555-0100;isub=1234')).toMatchObject({ recipient: { subaddress: '1234' } });
    expect(tel('tel:555-0100', { t33Subaddress: '42' })).toMatchObject({ recipient: { subaddress: '42' } });
    expect(tel('tel:555-0100;isub=42', { t33Subaddress: '42' })).toMatchObject({ kind: 'recipient' });
    expect(tel('tel:555-0100;isub=41', { t33Subaddress: '42' })).toEqual({
      kind: 'invalid',
      reason: 'tel:555-0100;isub=41: ;isub=41 and t33-subaddress 42 disagree',
    });
    expect(tel('tel:555-0100;isub=desk')).toMatchObject({ kind: 'invalid' });
  });

  it('makes the pre-dial string the dial prefix, checked like faxPrefix', () => {
    expect(tel('tel:555-0100', { preDialString: '9' })).toMatchObject({
      recipient: { number: '5550100', dialPrefix: '9' },
    });
    expect(tel('tel:555-0100', { preDialString: '9p' })).toMatchObject({ recipient: { dialPrefix: '9,' } });
    expect(tel('tel:555-0100', { preDialString: '1234' })).toEqual({
      kind: 'invalid',
      reason:
        'tel:555-0100: pre-dial-string "1234" is not an outside-line prefix (one or two digits, then pauses)',
    });
  });

  it('dials a local number with a global phone-context as that global number', () => {
    expect(tel('tel:555-0100;phone-context=+1-405')).toMatchObject({ recipient: { number: '+14055550100' } });
    expect(tel('tel:555-0100;phone-context=example.com')).toMatchObject({ recipient: { number: '5550100' } });
  });

  it('carries a name, percent-decodes, and rejects what is not a number', () => {
    expect(tel('tel:%2B44-20-7946-0000', {}, 'Desk')).toMatchObject({
      recipient: { name: 'Desk', number: '+442079460000' },
    });
    expect(tel('ipp://printer.example/ipp/print')).toEqual({
      kind: 'not-tel',
      reason: 'ipp://printer.example/ipp/print is not a telephone number (tel:)',
    });
    expect(tel('mailto:fax@example.com')).toMatchObject({ kind: 'not-tel' });
    expect(tel('tel:555 0100')).toMatchObject({ kind: 'invalid' });
    expect(tel('tel:1-800-FLOWERS')).toMatchObject({ kind: 'invalid' });
    expect(tel('tel:')).toMatchObject({ kind: 'invalid' });
    expect(tel('tel:555-0100;isub=1;isub=2')).toMatchObject({ kind: 'invalid' });
    expect(tel('tel:555%ZZ')).toMatchObject({ kind: 'invalid' });
  });
});
