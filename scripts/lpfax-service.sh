#!/usr/bin/env bash
# The fax service's supervisor where systemd does not run (containers, CI): installed as
# /usr/lib/lpfax/lpfax-service by install.sh, started in a session of its own (setsid) the way
# install.sh starts cupsd. It runs `lpfax serve` as user lp (the spool's owner, like the CUPS
# backend) and starts it again after a crash, after a pause that grows while it keeps crashing.
# SIGTERM to this script stops the service cleanly (its call in progress filed, modems hung up)
# and then this script.
set -uo pipefail
prefix=${LPFAX_PREFIX:-/usr/lib/lpfax}
user=${LPFAX_SERVICE_USER:-lp}
child=0
stopping=0
stop() {
  stopping=1
  if [ "$child" -ne 0 ]; then kill -TERM "$child" 2>/dev/null; fi
}
trap stop TERM INT
pause=1
while [ "$stopping" -eq 0 ]; do
  started=$(date +%s)
  setpriv --reuid="$user" --regid="$user" --init-groups -- node "$prefix/dist/bin/lpfax.js" serve &
  child=$!
  wait "$child"
  status=$?
  # A signal interrupts the first wait: wait for the service to finish stopping.
  if [ "$stopping" -eq 1 ]; then
    wait "$child" 2>/dev/null
    break
  fi
  child=0
  echo "lpfax-service: lpfax serve ended with status $status; starting it again in $pause s" >&2
  sleep "$pause" &
  wait $! # (a trap runs during wait, not during a foreground sleep)
  if [ $(($(date +%s) - started)) -gt 60 ]; then pause=1; elif [ "$pause" -lt 60 ]; then pause=$((pause * 2)); fi
done
