// Makes the built entry points executable (cupsd runs backend/fax directly).
import { chmodSync, existsSync } from 'node:fs';

for (const file of ['dist/backend/fax.js', 'dist/bin/lpfax.js']) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
