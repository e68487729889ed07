/**
 * The pure parts of the service's call screening: the reject list's matching (screen.ts), the
 * free-space watch with an injected statfs (space.ts), and the caller ID lines a modem reports
 * between RINGs (lib/modem/caller-id.ts).
 */
import { parseCallerId } from '../../lib/modem/index.js';
import { freeBytes, rejectedBy, SpaceWatch, type StatFs } from '../../lib/service/index.js';

describe('rejectedBy', () => {
  const list = ['+1 555 0100', 'JUNK*', '*0666', 'Acme Sales'];
  it.each([
    [['+15550100'], '+1 555 0100'],
    [['+1 555  0100 '], '+1 555 0100'],
    [['junk fax ltd'], 'JUNK*'],
    [['5550666'], '*0666'],
    [[undefined, 'ACME  SALES'], 'Acme Sales'],
  ])('%j is refused by %s', (ids, pattern) => {
    expect(rejectedBy(list, ids)).toBe(pattern);
  });
  it.each([[['+1 555 01000']], [['LINESIM']], [['06661']], [[undefined, null, '']], [[]]])(
    '%j is not refused',
    (ids) => {
      expect(rejectedBy(list, ids)).toBeUndefined();
    },
  );
  it('a pattern is text, not a regular expression', () => {
    expect(rejectedBy(['5.5'], ['5x5'])).toBeUndefined();
    expect(rejectedBy(['5.5'], ['5.5'])).toBe('5.5');
  });
});

describe('SpaceWatch', () => {
  function disk(bytes: { free: number }): StatFs {
    return () => ({ bavail: BigInt(Math.floor(bytes.free / 4096)), bsize: 4096 });
  }
  it('refuses below the minimum, logs once when short and once when the room is back', () => {
    const bytes = { free: 100e6 };
    const log: string[] = [];
    const watch = new SpaceWatch('/spool', 20e6, (l) => log.push(l), disk(bytes));
    expect(watch.roomToAnswer()).toBe(true);
    bytes.free = 5e6;
    expect([watch.roomToAnswer(), watch.roomToAnswer(), watch.roomToAnswer()]).toEqual([false, false, false]);
    bytes.free = 30e6;
    expect(watch.roomToAnswer()).toBe(true);
    expect(watch.roomToAnswer()).toBe(true);
    expect(log).toEqual([
      expect.stringMatching(/^not answering: 5\.0 MB free in \/spool, below MinFreeSpace 20\.0 MB/),
      expect.stringMatching(/^answering again: 30\.0 MB free in \/spool$/),
    ]);
  });
  it('a spool that cannot be examined counts as short', () => {
    const log: string[] = [];
    const watch = new SpaceWatch(
      '/nowhere',
      1,
      (l) => log.push(l),
      () => {
        throw new Error('ENOENT');
      },
    );
    expect(watch.roomToAnswer()).toBe(false);
    expect(log).toEqual([expect.stringMatching(/\/nowhere cannot be examined \(ENOENT\)/)]);
  });
  it('0 turns the check off', () => {
    const watch = new SpaceWatch('/spool', 0, () => undefined, disk({ free: 0 }));
    expect(watch.roomToAnswer()).toBe(true);
  });
  it('freeBytes of a real folder is statfs(2): blocks available times block size', () => {
    expect(freeBytes('/tmp')).toBeGreaterThan(0);
    expect(freeBytes('/tmp', () => ({ bavail: 10, bsize: 512 }))).toBe(5120);
  });
});

describe('parseCallerId', () => {
  it('reads DATE, TIME, NMBR and NAME, with or without blanks around =', () => {
    expect(parseCallerId(['DATE=1207', 'TIME = 2120', 'NMBR = 5551234', 'NAME=ACME Corp'])).toEqual({
      date: '1207',
      time: '2120',
      number: '5551234',
      name: 'ACME Corp',
    });
  });
  it('a withheld (P) or unavailable (O) number or name is no caller ID; other lines are ignored', () => {
    expect(parseCallerId(['DATE=1207', 'NMBR=P', 'NAME=O'])).toEqual({ date: '1207' });
    expect(parseCallerId(['OK', '+FCERROR'])).toBeUndefined();
    expect(parseCallerId([])).toBeUndefined();
  });
  it('DDN_NMBR when there is no NMBR', () => {
    expect(parseCallerId(['DDN_NMBR=5550000'])).toEqual({ number: '5550000' });
    expect(parseCallerId(['NMBR=1', 'DDN_NMBR=2'])).toEqual({ number: '1' });
  });
});
