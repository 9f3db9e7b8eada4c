#!/usr/bin/env bash
# Installs exactly the Debian 12 packages Petrel needs to build and test.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when nothing is missing. Run as root (CI does); otherwise it uses sudo.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
  libboost-system1.81-dev
  libnl-3-dev libnl-route-3-dev
  libssl-dev libyaml-cpp-dev librocksdb-dev
  doctest-dev libspdlog-dev libfmt-dev libedit-dev
)
test_pkgs=(
  clang-14 libclang-rt-14-dev   # libFuzzer and sanitizers
  libbenchmark-dev              # bench/
  tshark                        # independent decoder for codec tests
  python3-prometheus-client     # independent parser of the metrics text format
  bird2 gobgpd                  # interop peers
  bgpdump                       # independent reader of the MRT export (rib/store)
  iproute2 iptables ipset iputils-ping
)

# Petrel marks its kernel routes with route protocol 201 (fib/README.md says why);
# naming it lets `ip route` print "proto petrel". Only a name: no route is changed.
name_route_protocol() {
  local conf=/etc/iproute2/rt_protos.d/petrel.conf
  local want_line="201	petrel"
  [[ -d /etc/iproute2 ]] || return 0
  if [[ -f $conf ]] && grep -qx "$want_line" "$conf"; then return 0; fi
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo mkdir -p /etc/iproute2/rt_protos.d
  printf '# Petrel (fib/README.md): routes it installs carry this protocol number.\n%s\n' "$want_line" |
    $sudo tee "$conf" >/dev/null
  echo "install-deps: named route protocol 201 'petrel' in $conf"
}
name_route_protocol

want=("${build_pkgs[@]}")
if [[ "${1:-}" != "--build-only" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# bird2 and gobgpd ship services that start on install; Petrel's tests run their own.
for svc in bird gobgpd; do
  $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
echo "install-deps: done"
