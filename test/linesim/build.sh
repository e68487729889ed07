#!/bin/sh
# Build the simulated phone line (test/linesim/build/linesim) with the system compiler
# against spandsp 0.0.6 (Debian libspandsp-dev) and libtiff. Idempotent: rebuilds only
# when a source is newer than the binary. Usage: test/linesim/build.sh [--force]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/build/linesim"
src="$here/src"
cc=${CC:-cc}

if [ "${1:-}" != "--force" ] && [ -x "$out" ]; then
  stale=$(find "$src" "$here/build.sh" -newer "$out" -type f | head -n 1)
  [ -z "$stale" ] && exit 0
fi
if ! pkg-config --exists spandsp && [ ! -f /usr/include/spandsp.h ]; then
  echo "linesim: spandsp headers are missing (apt-get install libspandsp-dev libtiff-dev)" >&2
  exit 1
fi
mkdir -p "$here/build"
flags=$(pkg-config --cflags --libs spandsp 2>/dev/null || echo "-lspandsp -ltiff -lm")
# shellcheck disable=SC2086
$cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -o "$out.$$.tmp" "$src"/*.c $flags -ltiff -lm
mv "$out.$$.tmp" "$out"
echo "linesim: built $out" >&2
