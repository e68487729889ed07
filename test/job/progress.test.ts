import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressStore, progressFileName } from '../../lib/job/progress.js';

describe('job progress store', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'lpfax-progress-')), 'state');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts fresh, then resumes where the last run stopped', async () => {
    const store = new ProgressStore(dir, 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    const p = await store.load(['5550100', '5550200']);
    expect(p.recipients).toEqual([
      { dialString: '5550100', delivered: false, pagesConfirmed: 0 },
      { dialString: '5550200', delivered: false, pagesConfirmed: 0 },
    ]);
    p.recipients[0] = { dialString: '5550100', delivered: true, pagesConfirmed: 3 };
    p.recipients[1].pagesConfirmed = 1;
    await store.save(p);

    const again = await new ProgressStore(dir, 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427').load([
      '5550100',
      '5550200',
    ]);
    expect(again.recipients[0]).toEqual({ dialString: '5550100', delivered: true, pagesConfirmed: 3 });
    expect(again.recipients[1]).toEqual({ dialString: '5550200', delivered: false, pagesConfirmed: 1 });
  });

  it('keeps its files private', async () => {
    const store = new ProgressStore(dir, '42');
    await store.save({ recipients: [] });
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(statSync(join(dir, progressFileName('42'))).mode & 0o077).toBe(0);
    expect(readdirSync(dir)).toEqual(['job-42.json']);
  });

  it('forgets recipients that changed and is gone after remove()', async () => {
    const store = new ProgressStore(dir, '7');
    await store.save({ recipients: [{ dialString: '5550100', delivered: true, pagesConfirmed: 2 }] });
    const p = await store.load(['5550199']);
    expect(p.recipients).toEqual([{ dialString: '5550199', delivered: false, pagesConfirmed: 0 }]);
    await store.remove();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('makes any job key a safe file name', () => {
    expect(progressFileName('../../etc/passwd')).toBe('job-______etc_passwd.json');
    expect(() => progressFileName('')).toThrow();
  });
});
