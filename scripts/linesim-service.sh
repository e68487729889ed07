#!/usr/bin/env bash
# The simulated phone line behind the demo Fax queue (installed as /usr/lib/lpfax/linesim-service
# by install.sh when no fax modem is found). It runs test/linesim's program: a pty that behaves as
# a Class 1 fax modem whose far end is a spandsp fax machine. Every fax that arrives is kept in
# $LINESIM_DIR/received as TIFF, with a PNG of each page beside it, and its call report is appended
# to $LINESIM_DIR/calls.jsonl.
set -uo pipefail
dir=${LINESIM_DIR:-/var/lib/lpfax/linesim}
prefix=${LPFAX_PREFIX:-/usr/lib/lpfax}
mkdir -p "$dir/received"

# LINESIM_SEND: a TIFF-F the far end sends, calling in 30 s after each open of the line (the fax
# service's demo call; a dial within those 30 s goes out as usual).
send=()
if [ -n "${LINESIM_SEND:-}" ] && [ -f "$LINESIM_SEND" ]; then
  send=(--send "$LINESIM_SEND" --ring-after 30)
fi

"$prefix/linesim" --link "$dir/modem" --out-dir "$dir/received" --ident "LPFAX DEMO" "${send[@]}" |
  {
    read -r pty
    # cupsd runs the backend as user lp with group lp only (it drops supplementary groups such
    # as dialout): let lp open the modem.
    chgrp lp "$pty" && chmod 0660 "$pty"
    echo "$pty" >"$dir/pty"
    while read -r report; do
      echo "$report" >>"$dir/calls.jsonl"
      tiff=$(node -e 'const r = JSON.parse(process.argv[1]); if (r.tiff) console.log(r.tiff)' "$report" 2>/dev/null)
      if [ -n "$tiff" ] && [ -f "$tiff" ]; then
        node "$prefix/dist/bin/lpfax.js" preview "$tiff" >/dev/null 2>>"$dir/preview-errors.log"
      fi
    done
  }
