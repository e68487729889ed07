// After tsc: make the entry points executable (cupsd runs backend/fax directly) and copy the
// files the code reads at run time next to it.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';

for (const file of ['dist/backend/fax.js', 'dist/bin/lpfax.js']) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
mkdirSync('dist/lib/cover', { recursive: true });
copyFileSync('lib/cover/cover.ps', 'dist/lib/cover/cover.ps');
cpSync('web/static', 'dist/web/static', { recursive: true });
