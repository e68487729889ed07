#!/bin/sh
# Build the TSB-85 tester (test/conformance/build/tsb85tester): this folder's sources plus
# linesim's host_port.c, line.c, modem.c and clock.c, compiled in unchanged (this program supplies the
# far_end_* functions and main). Idempotent: rebuilds only when a source is newer.
# Usage: test/conformance/build.sh [--force]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
linesim="$here/../linesim/src"
out="$here/build/tsb85tester"
cc=${CC:-cc}

if [ "${1:-}" != "--force" ] && [ -x "$out" ]; then
  stale=$(find "$here/src" "$here/build.sh" "$linesim/host_port.c" "$linesim/line.c" "$linesim/modem.c" "$linesim/clock.c" "$linesim/linesim.h" \
    -newer "$out" -type f | head -n 1)
  [ -z "$stale" ] && exit 0
fi
if ! pkg-config --exists spandsp && [ ! -f /usr/include/spandsp.h ]; then
  echo "tsb85tester: spandsp headers are missing (apt-get install libspandsp-dev libtiff-dev)" >&2
  exit 1
fi
mkdir -p "$here/build"
flags=$(pkg-config --cflags --libs spandsp 2>/dev/null || echo "-lspandsp -ltiff -lm")
# shellcheck disable=SC2086
$cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -o "$out.$$.tmp" "$here"/src/*.c \
  "$linesim/host_port.c" "$linesim/line.c" "$linesim/modem.c" "$linesim/clock.c" $flags -ltiff -lm
mv "$out.$$.tmp" "$out"
echo "tsb85tester: built $out" >&2
