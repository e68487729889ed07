/** The line-timed deadlines of a transmission (lib/modem/line-backlog.ts), on a hand-driven clock. */
import { LINE_MARGIN_MS, LineBacklog, lineDeadlineMs, lineTimeMs } from '../../lib/modem/line-backlog.js';

describe('lineTimeMs and lineDeadlineMs', () => {
  test('octets × 8 ÷ bit rate', () => {
    expect(lineTimeMs(600, 4800)).toBe(1000);
    expect(lineTimeMs(300, 2400)).toBe(1000);
    expect(lineTimeMs(1800, 14400)).toBe(1000);
    expect(lineTimeMs(-5, 2400)).toBe(0);
    expect(() => lineTimeMs(1, 0)).toThrow(RangeError);
  });

  test('a 256-frame ECM partial page at 4800 bit/s needs far more than the old fixed 30 s', () => {
    // 256 frames of 256 octets (T.4 Annex A), as the issue measured: about 110 s on the line.
    const partialPage = 256 * 256;
    expect(lineTimeMs(partialPage, 4800)).toBeCloseTo(109_227, 0);
    expect(lineDeadlineMs(partialPage, 4800)).toBe(Math.ceil(109_226.7 + LINE_MARGIN_MS));
    expect(lineDeadlineMs(partialPage, 2400, 0)).toBe(218_454);
  });

  test('the write in progress counts too; the margin is added once', () => {
    expect(lineDeadlineMs(600, 4800, 500, 600)).toBe(2500);
    expect(lineDeadlineMs(0, 4800, 500)).toBe(500);
  });
});

describe('LineBacklog', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1000;
  });

  test('grows with what the port accepted and drains at the bit rate', () => {
    const b = new LineBacklog(4800, clock, 500);
    expect(b.queuedOctets()).toBe(0);
    expect(b.timeoutMs()).toBe(500);
    b.accepted(600); // 1 s of line
    b.accepted(600); // queued behind it: 2 s
    expect(b.queuedOctets()).toBe(1200);
    expect(b.timeoutMs()).toBe(2500);
    expect(b.timeoutMs(300)).toBe(3000);
    now += 500;
    expect(b.queuedOctets()).toBe(900);
    now += 1500;
    expect(b.queuedOctets()).toBe(0);
    expect(b.timeoutMs()).toBe(500);
    expect(b.describe()).toBe('0 octets queued at 4800 bit/s');
  });

  test('after the line ran dry, new data queues from now, not from the past', () => {
    const b = new LineBacklog(2400, clock, 0);
    b.accepted(300);
    now += 10_000; // the modem sent it long ago, then idled
    b.accepted(300);
    expect(b.queuedOctets()).toBe(300);
    expect(b.timeoutMs()).toBe(1000);
  });

  test('a modem that stops leaves a bounded wait: the line time of what was handed over, plus the margin', () => {
    const b = new LineBacklog(2400, clock, 10_000);
    for (let i = 0; i < 80; i++) b.accepted(256); // 20480 octets, as a pty buffer holds
    const wait = b.timeoutMs();
    expect(wait).toBe(Math.ceil(lineTimeMs(20480, 2400) + 10_000));
    // Nothing more is accepted: later waits only get shorter, down to the margin.
    now += wait;
    expect(b.timeoutMs()).toBe(10_000);
  });

  test('rejects a bit rate that is not positive', () => {
    expect(() => new LineBacklog(0, clock)).toThrow(RangeError);
  });
});
