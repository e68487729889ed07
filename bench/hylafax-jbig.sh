#!/bin/sh
# lpfax → HylaFAX over the simulated line with JBIG (T.85-L0 and T.85), pages compared pixel for
# pixel: see bench/hylafax-jbig.ts. Not part of CI. Needs (as root, once):
#   apt-get install -y hylafax-server jbigkit-bin libtiff-tools ghostscript
# HylaFAX's own daemons are not used: the script runs faxgetty itself on a private copy of
# /var/spool/hylafax (faxgetty -q) and stops it after each call. Run as root (the spool belongs
# to uucp, as Debian's does). Arguments go to the script: --speed F (1), --only off|t85|t85-l0|mmr,
# --mmr (also an MMR call for comparison), --keep (keep the spool, traces and decoded pages).
set -eu
cd "$(dirname "$0")/.."
for tool in faxgetty jbgtopbm tiffinfo gs; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y hylafax-server jbigkit-bin libtiff-tools ghostscript" >&2; exit 2; }
done
npm run build >/dev/null
test/linesim/build.sh >/dev/null
exec node dist/bench/hylafax-jbig.js "$@"
