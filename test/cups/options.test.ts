import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  cupsAddOption,
  cupsGetOption,
  cupsStrcasecmp,
  parseCupsOptions,
  type CupsOption,
} from '../../lib/cups/options.js';

const pairs = (options: CupsOption[]) => options.map((o) => [o.name, o.value]);

/** Hand-checked cases: the options string and the option array libcups keeps (sorted by name). */
const CASES: Array<[string, string[][]]> = [
  ['', []],
  ['   ', []],
  ['a=1', [['a', '1']]],
  [
    'b=2 a=1',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  [
    '  a=1\t\nb=2  ',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  ['landscape', [['landscape', 'true']]],
  ['nocollate', [['collate', 'false']]],
  ['NoBanner', [['Banner', 'false']]],
  ['no', []],
  [
    'number-up=2 noduplex',
    [
      ['duplex', 'false'],
      ['number-up', '2'],
    ],
  ],
  [
    'job-name="My Fax" copies=1',
    [
      ['copies', '1'],
      ['job-name', 'My Fax'],
    ],
  ],
  ["title='Sam Leffler@+1 415 555 1212'", [['title', 'Sam Leffler@+1 415 555 1212']]],
  [
    'a="it\'s" b=\'say "hi"\'',
    [
      ['a', "it's"],
      ['b', 'say "hi"'],
    ],
  ],
  ['a="x \\" y"', [['a', 'x " y']]],
  ['a=x\\ y', [['a', 'x y']]],
  ['a=C:\\\\fax', [['a', 'C:\\fax']]],
  [
    'a=pre"quoted part"post',
    [
      ['a', 'pre"quoted'],
      ['part"post', 'true'],
    ],
  ],
  ['a="quoted part"post', [['a', 'quoted partpost']]],
  ['a="unterminated value', [['a', 'unterminated value']]],
  ['media=A4,tray1', [['media', 'A4,tray1']]],
  ['a=,', [['a', ',']]],
  ['a=', [['a', '']]],
  [
    'a= b',
    [
      ['a', ''],
      ['b', 'true'],
    ],
  ],
  ['a =1', [['a', '1']]],
  ['=1 a=2', []],
  ['a=1 =2 b=3', [['a', '1']]],
  [
    'media-col={media-size={x-dimension=21000 y-dimension=29700} media-type=stationery}',
    [['media-col', '{media-size={x-dimension=21000 y-dimension=29700} media-type=stationery}']],
  ],
  [
    'a={x=1 y="2 3"} b=4',
    [
      ['a', '{x=1 y="2 3"}'],
      ['b', '4'],
    ],
  ],
  ['a={x=\\} y}', [['a', '{x=} y}']]],
  ['a={unclosed b=2', [['a', '{unclosed b=2']]],
  [
    '{a=1 b=2}',
    [
      ['a', '1'],
      ['b', '2'],
    ],
  ],
  ['{', [['{', 'true']]],
  ['{}', []],
  ['A=1 a=2', [['A', '2']]],
  [
    'b=1 A=2 c=3 a=4',
    [
      ['A', '4'],
      ['b', '1'],
      ['c', '3'],
    ],
  ],
  ['print-quality=5 cupsPrintQuality=Draft', [['cupsPrintQuality', 'Draft']]],
  ['cupsPrintQuality=High print-quality=3', [['print-quality', '3']]],
  [
    'phone=555-1212 faxPrefix=9 job-uuid=urn:uuid:6f1c',
    [
      ['faxPrefix', '9'],
      ['job-uuid', 'urn:uuid:6f1c'],
      ['phone', '555-1212'],
    ],
  ],
  ['a=1\0b=2', [['a', '1']]],
  [
    'name=Zoë Ångström=x',
    [
      ['Ångström', 'x'],
      ['name', 'Zoë'],
    ],
  ],
  ['trailing\\', [['trailing\\', 'true']]],
  ['a=b\\', [['a', 'b\\']]],
];

describe('cupsParseOptions', () => {
  it.each(CASES)('parses %j', (arg, expected) => {
    expect(pairs(parseCupsOptions(arg))).toEqual(expected);
  });

  it('adds to an existing option array, replacing values', () => {
    const first = parseCupsOptions('Resolution=fine media=a4');
    expect(pairs(parseCupsOptions('resolution=superfine copies=2', first))).toEqual([
      ['copies', '2'],
      ['media', 'a4'],
      ['Resolution', 'superfine'],
    ]);
  });

  it('gets options case-insensitively', () => {
    const options = parseCupsOptions('PageSize=Letter phone=5551212');
    expect(cupsGetOption(options, 'pagesize')).toBe('Letter');
    expect(cupsGetOption(options, 'PHONE')).toBe('5551212');
    expect(cupsGetOption(options, 'faxPrefix')).toBeUndefined();
  });

  it('orders names as _cups_strcasecmp does', () => {
    expect(cupsStrcasecmp('abc', 'ABC')).toBe(0);
    expect(cupsStrcasecmp('a', 'B')).toBe(-1);
    expect(cupsStrcasecmp('ab', 'a')).toBe(1);
    expect(cupsStrcasecmp('_', 'a')).toBe(-1); // '_' (95) sorts before 'a' (97) but after 'A' folded
    expect(cupsStrcasecmp('é', 'z')).toBe(-1); // a UTF-8 lead byte is negative as a C char
    expect(pairs(cupsAddOption([], '', 'x'))).toEqual([]);
  });
});

/** libcups itself, through test/cups/cupsoptions-ref.c: the parser must agree on every input. */
describe('agreement with libcups', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lpfax-cupsopt-'));
  const ref = join(dir, 'cupsoptions-ref');
  execFileSync('cc', ['-o', ref, 'test/cups/cupsoptions-ref.c', '-lcups']);

  function libcups(args: string[]): string[][][] {
    const out = execFileSync(ref, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    return out
      .split('\x1d')
      .slice(0, -1)
      .map((record) =>
        record
          .split('\x1e')
          .slice(0, -1)
          .map((o) => o.split('\x1f')),
      );
  }

  it('on the hand-checked cases', () => {
    const inputs = CASES.map(([arg]) => arg).filter((a) => !a.includes('\0'));
    expect(inputs.map((a) => pairs(parseCupsOptions(a)))).toEqual(libcups(inputs));
  });

  it('on 3000 random strings of the characters that matter', () => {
    // A fixed-seed generator (mulberry32) keeps the corpus the same on every run.
    let seed = 0x1f2e3d4c;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = ['a', 'b', 'N', 'o', 'n', '=', ' ', '\t', '"', "'", '\\', '{', '}', ',', '1', 'é', '\n'];
    const inputs: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const length = 1 + Math.floor(random() * 14);
      let s = '';
      for (let j = 0; j < length; j++) s += alphabet[Math.floor(random() * alphabet.length)];
      inputs.push(s);
    }
    const expected = libcups(inputs);
    const mismatches = inputs.filter(
      (s, k) => JSON.stringify(pairs(parseCupsOptions(s))) !== JSON.stringify(expected[k]),
    );
    expect(mismatches).toEqual([]);
  });
});
