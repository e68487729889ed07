#!/usr/bin/env bash
# lpfax installer, for Debian and Ubuntu, run as root. Idempotent: running it again updates the
# installation in place. It prints each step it takes.
#
#   sudo ./install.sh              install everything and send a demo fax when there is no modem
#   sudo ./install.sh --no-demo    install, but send nothing
#   sudo ./install.sh --deps-only  only the system packages, npm ci and the build (what CI needs)
#   sudo ./install.sh --share      also share the Fax queue over IPP (Windows, macOS clients)
#   sudo ./install.sh --udev       also add a udev rule: the first USB fax modem as /dev/faxmodem0
#   sudo ./install.sh --simulated  use the simulated phone line even when a modem is found
#   sudo ./install.sh --uninstall  remove everything this script installed
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/lib/lpfax
confdir=/etc/lpfax
statedir=/var/lib/lpfax
mode=install
demo=1
share=0
udev=0
simulated=0
ppddir=/usr/share/ppd/lpfax
linesimdir=$statedir/linesim
spooldir=/var/spool/lpfax
unitfile=/etc/systemd/system/lpfax.service
for arg in "$@"; do
  case "$arg" in
    --uninstall) mode=uninstall ;;
    --deps-only) mode=deps ;;
    --no-demo) demo=0 ;;
    --share) share=1 ;;
    --udev) udev=1 ;;
    --simulated) simulated=1 ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install.sh: unknown option '$arg' (see --help)" >&2
      exit 2
      ;;
  esac
done

step() { printf '==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run me as root (sudo ./install.sh)" >&2
  exit 1
fi

# The Debian packages lpfax needs at run time and to build and test it.
packages=(
  cups cups-client cups-bsd cups-filters libcups2-dev ghostscript poppler-utils
  libtiff-tools build-essential pkg-config libspandsp-dev efax socat acl
  exim4-daemon-light python3 jbigkit-bin chromium openssl
)
# exim4-daemon-light: the local MTA that mails received faxes and transmission reports. Debian's
# default configuration ("local delivery only", listening on loopback) is what lpfax needs; an
# existing configuration is left alone. python3: the tests parse mailboxes with its email package.
# jbigkit-bin: jbgtopbm and pbmtojbg, the independent T.85 codec the tests check lib/t85 against.
# chromium: the web page's browser tests (test/web/browser.test.ts, through playwright-core).
# openssl: the certificate of the web page's HTTPS test.

cups_serverbin() {
  if command -v cups-config >/dev/null 2>&1; then cups-config --serverbin; else echo /usr/lib/cups; fi
}

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    step "system packages already installed"
    return
  fi
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node() {
  if ! command -v node >/dev/null 2>&1; then
    step "installing Node.js and npm from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 20 ]; then
    echo "install.sh: lpfax needs Node.js 20 or newer; this machine has $(node --version)" >&2
    exit 1
  fi
}

build() {
  step "npm ci"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  step "npm run build"
  (cd "$here" && npm run --silent build)
  if [ -x "$here/test/linesim/build.sh" ]; then
    step "building the simulated phone line (test/linesim)"
    "$here/test/linesim/build.sh"
  fi
}

# The system's scheduler answers on its socket (a private cupsd of a test run does not count; and
# lpstat -r exits 0 either way, so its words are read).
cupsd_up() {
  [ "$(lpstat -r 2>/dev/null)" = "scheduler is running" ]
}

start_cupsd() {
  if cupsd_up; then
    step "cupsd is running"
    return
  fi
  step "starting cupsd"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl start cups
  else
    mkdir -p /run/cups
    cupsd
  fi
  for _ in $(seq 1 50); do
    cupsd_up && return
    sleep 0.2
  done
  echo "install.sh: cupsd did not start; see /var/log/cups/error_log" >&2
  exit 1
}

# The MTA, started the way cupsd is: through systemd where it runs, else the daemon itself
# (as /etc/init.d/exim4 does: listen, and run the queue every 30 minutes). Idempotent.
start_exim4() {
  if pgrep -x exim4 >/dev/null 2>&1; then
    step "exim4 is running"
    return
  fi
  step "starting exim4"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl start exim4
  else
    install -d -o Debian-exim -g Debian-exim -m 750 /run/exim4
    /usr/sbin/exim4 -bd -q30m
  fi
  for _ in $(seq 1 50); do
    pgrep -x exim4 >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "install.sh: exim4 did not start; see /var/log/exim4/mainlog" >&2
  exit 1
}

install_files() {
  local serverbin
  serverbin=$(cups_serverbin)
  step "installing lpfax into $prefix"
  rm -rf "$prefix.new"
  mkdir -p "$prefix.new"
  cp -a "$here/package.json" "$here/package-lock.json" "$here/dist" "$prefix.new/"
  # The packages npm ci just installed (native addons already built for this Node), less the
  # development ones: no second download or compile.
  cp -a "$here/node_modules" "$prefix.new/"
  (cd "$prefix.new" && npm prune --omit=dev --no-audit --no-fund --loglevel=error)
  if [ -x "$here/test/linesim/build/linesim" ]; then
    cp -a "$here/test/linesim/build/linesim" "$prefix.new/linesim"
    install -m 0755 "$here/scripts/linesim-service.sh" "$prefix.new/linesim-service"
  fi
  install -m 0755 "$here/scripts/lpfax-service.sh" "$prefix.new/lpfax-service"
  stop_service
  stop_linesim
  rm -rf "$prefix"
  mv "$prefix.new" "$prefix"
  chown -R root:root "$prefix"
  chmod -R go-w "$prefix"

  if [ -f "$prefix/dist/backend/fax.js" ]; then
    # A link to a file with the "other" execute bit: cupsd runs the backend as user lp, never as
    # root, so documents are never parsed and Ghostscript never runs with root's rights.
    step "installing the CUPS backend $serverbin/backend/fax (runs as lp)"
    ln -sfn "$prefix/dist/backend/fax.js" "$serverbin/backend/fax"
  fi
  if [ -f "$prefix/dist/bin/lpfax.js" ]; then
    step "installing the lpfax command /usr/bin/lpfax"
    ln -sfn "$prefix/dist/bin/lpfax.js" /usr/bin/lpfax
  fi

  mkdir -p "$confdir"
  if [ -f "$here/conf/lpfax.conf" ] && [ ! -f "$confdir/lpfax.conf" ]; then
    step "installing the configuration file $confdir/lpfax.conf"
    install -m 0644 "$here/conf/lpfax.conf" "$confdir/lpfax.conf"
  fi
  step "installing the PPD $ppddir/lpfax.ppd"
  install -d -m 0755 "$ppddir"
  install -m 0644 "$here/ppd/lpfax.ppd" "$ppddir/lpfax.ppd"
  # The backend runs as lp, and cupsd gives it no supplementary group (not dialout): it reaches
  # the modem through an ACL (setup_queue, and the udev rule of --udev), its state folder as owner.
  install -d -m 0750 -o lp -g lp "$statedir"
  # The fax service's archive: the service and the backend both run as lp; private to lp.
  step "creating the fax archive $spooldir (owner lp, 0700)"
  install -d -m 0700 -o lp -g lp "$spooldir"
}

has_systemd() {
  command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]
}

# The fax service (lpfax serve, as user lp): a systemd unit where systemd runs, else the respawn
# loop lpfax-service in a session of its own, started the way cupsd is started here.
stop_service() {
  if has_systemd && [ -f "$unitfile" ]; then
    systemctl stop lpfax.service 2>/dev/null || true
  fi
  if [ -f "$statedir/service.pid" ]; then
    step "stopping the fax service"
    kill -TERM -- "-$(cat "$statedir/service.pid")" 2>/dev/null || true
    rm -f "$statedir/service.pid"
    sleep 1
  fi
}

start_service() {
  if has_systemd; then
    step "starting the fax service (systemd unit lpfax.service)"
    install -m 0644 "$here/conf/lpfax.service" "$unitfile"
    systemctl daemon-reload
    systemctl enable lpfax.service >/dev/null 2>&1 || true
    systemctl restart lpfax.service
  else
    step "starting the fax service (lpfax serve as lp, restarted after a crash; log /var/log/lpfax-service.log)"
    setsid "$prefix/lpfax-service" </dev/null >>/var/log/lpfax-service.log 2>&1 &
    echo $! >"$statedir/service.pid"
  fi
}

# In simulated mode the service answers the simulated line: one line in lpfax.conf, marked so
# that --uninstall can take it out again. A ReceiveDevices of your own is left alone.
receive_on_simulated_line() {
  local conf=$confdir/lpfax.conf
  if ! grep -qi '^[[:space:]]*ReceiveDevices[[:space:]]*:' "$conf"; then
    step "the fax service answers the simulated line (ReceiveDevices in $conf)"
    printf 'ReceiveDevices: %s  # added by install.sh (simulated line)\n' "$linesimdir/modem" >>"$conf"
  fi
}

stop_linesim() {
  if [ -f "$statedir/linesim.pid" ]; then
    step "stopping the simulated phone line"
    kill -- "-$(cat "$statedir/linesim.pid")" 2>/dev/null || true
    rm -f "$statedir/linesim.pid"
    sleep 0.5
  fi
}

start_linesim() {
  step "starting the simulated phone line (received faxes go to $linesimdir/received)"
  install -d -m 0755 "$linesimdir" "$linesimdir/received"
  touch "$linesimdir/calls.jsonl"
  rm -f "$linesimdir/pty"
  # The far end also calls in, 30 s after the line is opened, and sends a one-page fax.
  # Rendered as lp (documents are never parsed as root), in a private folder of lp's.
  rm -f "$linesimdir/incoming.tif"
  local incoming=/usr/share/cups/data/default-testpage.pdf tmp
  if [ -f "$incoming" ]; then
    tmp=$(mktemp -d)
    chown lp:lp "$tmp"
    if (cd "$tmp" && setpriv --reuid=lp --regid=lp --init-groups -- \
      node "$prefix/dist/bin/lpfax.js" render "$incoming" -o "$tmp/incoming.tif" >/dev/null 2>&1); then
      install -m 0644 "$tmp/incoming.tif" "$linesimdir/incoming.tif"
    fi
    rm -rf "$tmp"
  fi
  # In a session of its own, so that stop_linesim can end the whole pipeline.
  LINESIM_DIR=$linesimdir LINESIM_SEND=$linesimdir/incoming.tif setsid "$prefix/linesim-service" </dev/null >>"$linesimdir/service.log" 2>&1 &
  echo $! >"$statedir/linesim.pid"
  for _ in $(seq 1 50); do
    [ -s "$linesimdir/pty" ] && return
    sleep 0.1
  done
  echo "install.sh: the simulated phone line did not start; see $linesimdir/service.log" >&2
  exit 1
}

default_paper() {
  # The queue's default paper follows the machine's (libpaper, then the locale); A4 elsewhere.
  local paper
  paper=$(paperconf 2>/dev/null || true)
  if [ -z "$paper" ] && [ "$(locale -k LC_PAPER 2>/dev/null | sed -n 's/^height=//p')" = 279 ]; then paper=letter; fi
  case "$paper" in
    letter) echo Letter ;;
    legal) echo Legal ;;
    *) echo A4 ;;
  esac
}

setup_queue() {
  local uri=""
  if [ "$simulated" -eq 0 ]; then
    step "looking for a fax modem"
    uri=$("$(cups_serverbin)/backend/fax" 2>/dev/null | sed -n 's/^direct \(fax:\/[^ ]*\) .*/\1/p' | head -n 1)
  fi
  if [ -n "$uri" ]; then
    step "found a fax modem: $uri; letting user lp use it (setfacl -m u:lp:rw)"
    setfacl -m u:lp:rw "$(readlink -f "${uri#fax:}")"
    stop_linesim
  elif [ -x "$prefix/linesim-service" ]; then
    start_linesim
    receive_on_simulated_line
    uri="fax:$linesimdir/modem"
  else
    echo "install.sh: no fax modem found, and the simulated line was not built" >&2
    exit 1
  fi
  step "creating the queue Fax on $uri"
  lpadmin -p Fax -E -v "$uri" -P "$ppddir/lpfax.ppd" -D "Fax" -L "lpfax" -o "PageSize=$(default_paper)"
  # A fax queue retries a busy line: every 5 minutes, 5 times (JobRetryInterval, JobRetryLimit).
  step "setting the retry policy for fax jobs: every 300 s, 5 times"
  cupsctl JobRetryInterval=300 JobRetryLimit=5
  if [ "$share" -eq 1 ]; then
    step "sharing the Fax queue over IPP"
    lpadmin -p Fax -o printer-is-shared=true
    cupsctl --share-printers
  fi
  if [ "$udev" -eq 1 ]; then
    step "installing /etc/udev/rules.d/60-lpfax.rules (the first USB modem becomes /dev/faxmodem0)"
    cat >/etc/udev/rules.d/60-lpfax.rules <<'RULES'
# lpfax: a stable name for USB fax modems (CDC ACM and USB serial adapters), and access for
# user lp, whom cupsd runs the fax backend as (without supplementary groups such as dialout).
SUBSYSTEM=="tty", KERNEL=="ttyACM[0-9]*", SYMLINK+="faxmodem%n", RUN+="/usr/bin/setfacl -m u:lp:rw $env{DEVNAME}"
SUBSYSTEM=="tty", KERNEL=="ttyUSB[0-9]*", SYMLINK+="faxmodem%n", RUN+="/usr/bin/setfacl -m u:lp:rw $env{DEVNAME}"
RULES
    udevadm control --reload 2>/dev/null || true
  fi
}

run_demo() {
  local testpage=/usr/share/cups/data/default-testpage.pdf
  [ -f "$testpage" ] || testpage="$here/README.md"
  step "sending a demo fax over the simulated line: lp -d Fax -t 'lpfax demo@555-0100' $testpage"
  local before job
  before=$(wc -l <"$linesimdir/calls.jsonl")
  job=$(lp -d Fax -t 'lpfax demo@555-0100' "$testpage" | sed -n 's/^request id is \(Fax-[0-9]*\).*/\1/p')
  for _ in $(seq 1 180); do
    local now
    now=$(wc -l <"$linesimdir/calls.jsonl")
    if [ "$now" -gt "$before" ]; then
      sleep 1 # the PNG previews follow the call report
      local report
      report=$(tail -n 1 "$linesimdir/calls.jsonl")
      step "the far end says: $report"
      step "lpstat: $(lpstat -W completed -o Fax | grep "^$job " || echo "$job not completed")"
      step "received fax and page previews:"
      ls -1 "$linesimdir"/received/* | tail -n 8 | sed 's/^/    /'
      demo_archive
      return
    fi
    sleep 1
  done
  echo "install.sh: the demo fax did not arrive within 3 minutes; see lpstat -l -o Fax" >&2
  exit 1
}

# The service got the line back after the demo send: the far end calls in and its fax is filed.
demo_archive() {
  [ -s "$linesimdir/incoming.tif" ] || return 0 # no document for the far end to send
  step "waiting for the fax service to receive the far end's call (lpfax received)"
  for _ in $(seq 1 180); do
    if [ "$(lpfax received --json 2>/dev/null | grep -c '"id"')" -gt 0 ]; then
      step "lpfax received:"
      lpfax received | sed 's/^/    /'
      step "lpfax sent:"
      lpfax sent | sed 's/^/    /'
      return
    fi
    sleep 1
  done
  echo "install.sh: the fax service filed no fax within 3 minutes; see $( has_systemd && echo 'journalctl -u lpfax' || echo /var/log/lpfax-service.log)" >&2
  exit 1
}

uninstall() {
  local serverbin
  serverbin=$(cups_serverbin)
  if command -v lpadmin >/dev/null 2>&1 && lpstat -p Fax >/dev/null 2>&1; then
    step "removing the Fax queue"
    lpadmin -x Fax || true
  fi
  stop_service
  if has_systemd && [ -f "$unitfile" ]; then
    step "removing the systemd unit lpfax.service"
    systemctl disable lpfax.service >/dev/null 2>&1 || true
    rm -f "$unitfile"
    systemctl daemon-reload
  fi
  stop_linesim
  if [ -f "$confdir/lpfax.conf" ]; then
    sed -i '/# added by install.sh (simulated line)$/d' "$confdir/lpfax.conf"
  fi
  if [ -d "$spooldir" ]; then
    step "keeping the fax archive $spooldir (received and sent faxes); remove it yourself if unwanted"
  fi
  step "removing $prefix, $serverbin/backend/fax, /usr/bin/lpfax, $ppddir, $statedir"
  rm -rf "$prefix" "$prefix.new" "$statedir" "$ppddir"
  rm -f "$serverbin/backend/fax" /usr/bin/lpfax /etc/udev/rules.d/60-lpfax.rules
  if [ -f "$confdir/lpfax.conf" ] && [ -f "$here/conf/lpfax.conf" ] && cmp -s "$confdir/lpfax.conf" "$here/conf/lpfax.conf"; then
    rm -f "$confdir/lpfax.conf"
    rmdir "$confdir" 2>/dev/null || true
  elif [ -d "$confdir" ]; then
    step "keeping $confdir: it holds your changes"
  fi
  step "lpfax is uninstalled (the Debian packages stay)"
}

case "$mode" in
  uninstall)
    uninstall
    exit 0
    ;;
  deps)
    install_packages
    ensure_node
    build
    exit 0
    ;;
esac

install_packages
ensure_node
build
start_cupsd
start_exim4
install_files
setup_queue
start_service
if [ "$demo" -eq 1 ] && [ -f "$statedir/linesim.pid" ]; then run_demo; fi
step "done: print with  lp -d Fax -t 'Name@number' FILE"
if [ ! -f "$confdir/users" ]; then
  step "the web page (http://127.0.0.1:8631/, WebAddress/WebPort in lpfax.conf) starts once it has a user:"
  step "  sudo lpfax user add NAME --admin && sudo systemctl restart lpfax   (or restart lpfax serve)"
fi
