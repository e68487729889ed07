#!/bin/sh
# Compile the conformance runner (tsc, into $TMPDIR/lpfax-conformance-js) and print a sender's
# TSB-85 table. Usage: LPFAX_TSB85_XML=PATH sh test/conformance/table.sh [cli.ts options]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="${TMPDIR:-/tmp}/lpfax-conformance-js"
"$root/node_modules/.bin/tsc" --outDir "$out" --rootDir "$here" --module NodeNext --moduleResolution NodeNext \
  --target ES2022 --strict --skipLibCheck --types node "$here/cli.ts"
echo '{"type":"module"}' > "$out/package.json"
LPFAX_CONFORMANCE_DIR="$here" exec node "$out/cli.js" "$@"
