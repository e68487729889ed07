import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullNameOf } from '../../lib/job/backend-job.js';

describe('the sender on the cover page', () => {
  it("is the job user's full name from the GECOS field, when there is one", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpfax-passwd-'));
    try {
      const passwd = join(dir, 'passwd');
      writeFileSync(
        passwd,
        [
          'root:x:0:0:root:/root:/bin/bash',
          'alice:x:1000:1000:Dr. Alice Müller,Room 12,555-0100,:/home/alice:/bin/bash',
          'bob:x:1001:1001::/home/bob:/bin/sh',
          '',
        ].join('\n'),
      );
      expect(await fullNameOf('alice', passwd)).toBe('Dr. Alice Müller');
      expect(await fullNameOf('bob', passwd)).toBeUndefined();
      expect(await fullNameOf('carol', passwd)).toBeUndefined();
      expect(await fullNameOf('alice', join(dir, 'missing'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
