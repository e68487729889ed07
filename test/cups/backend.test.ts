import { CupsBackendStatus, cupsLine, stderrReporter } from '../../lib/cups/backend.js';

describe('CUPS backend interface', () => {
  it('uses the exit codes of cups/backend.h', () => {
    expect(CupsBackendStatus.OK).toBe(0);
    expect(CupsBackendStatus.HOLD).toBe(3);
    expect(CupsBackendStatus.CANCEL).toBe(5);
    expect(CupsBackendStatus.RETRY).toBe(6);
  });

  it('never lets job text start a new directive line', () => {
    expect(cupsLine('INFO', 'Dialing Evil\nSTATE: +x')).toBe('INFO: Dialing Evil STATE: +x\n');
  });

  it('formats STATE, ATTR and PAGE lines', () => {
    const lines: string[] = [];
    const r = stderrReporter((s) => lines.push(s));
    r.state('+connecting-to-device');
    r.attr('job-media-progress', 40);
    r.page(2);
    expect(lines).toEqual(['STATE: +connecting-to-device\n', 'ATTR: job-media-progress=40\n', 'PAGE: 2 1\n']);
  });
});
