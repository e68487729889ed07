#!/usr/bin/env bash
# lpfax installer, for Debian and Ubuntu, run as root. Idempotent: running it again updates the
# installation in place. It prints each step it takes.
#
#   sudo ./install.sh              install everything and send a demo fax when there is no modem
#   sudo ./install.sh --no-demo    install, but send nothing
#   sudo ./install.sh --deps-only  only the system packages, npm ci and the build (what CI needs)
#   sudo ./install.sh --share      also share the Fax queue over IPP (Windows, macOS clients)
#   sudo ./install.sh --uninstall  remove everything this script installed
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/lib/lpfax
confdir=/etc/lpfax
statedir=/var/lib/lpfax
mode=install
demo=1
share=0
for arg in "$@"; do
  case "$arg" in
    --uninstall) mode=uninstall ;;
    --deps-only) mode=deps ;;
    --no-demo) demo=0 ;;
    --share) share=1 ;;
    -h | --help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
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
  libtiff-tools build-essential pkg-config libspandsp-dev efax socat
)

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

start_cupsd() {
  if pgrep -x cupsd >/dev/null 2>&1; then
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
    lpstat -r >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "install.sh: cupsd did not start; see /var/log/cups/error_log" >&2
  exit 1
}

install_files() {
  local serverbin
  serverbin=$(cups_serverbin)
  step "installing lpfax into $prefix"
  rm -rf "$prefix.new"
  mkdir -p "$prefix.new"
  cp -a "$here/package.json" "$here/package-lock.json" "$here/dist" "$prefix.new/"
  (cd "$prefix.new" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  if [ -x "$here/test/linesim/build/linesim" ]; then
    cp -a "$here/test/linesim/build/linesim" "$prefix.new/linesim"
  fi
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
  # The backend runs as lp: it needs the modem (group dialout) and its state folder.
  usermod -a -G dialout lp 2>/dev/null || true
  install -d -m 0750 -o lp -g lp "$statedir"
}

uninstall() {
  local serverbin
  serverbin=$(cups_serverbin)
  if command -v lpadmin >/dev/null 2>&1 && lpstat -p Fax >/dev/null 2>&1; then
    step "removing the Fax queue"
    lpadmin -x Fax || true
  fi
  if [ -f "$statedir/linesim.pid" ]; then
    step "stopping the simulated phone line"
    kill "$(cat "$statedir/linesim.pid")" 2>/dev/null || true
  fi
  step "removing $prefix, $serverbin/backend/fax, /usr/bin/lpfax, $statedir"
  rm -rf "$prefix" "$prefix.new" "$statedir"
  rm -f "$serverbin/backend/fax" /usr/bin/lpfax
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
install_files
step "done"
