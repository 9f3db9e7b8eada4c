#!/usr/bin/env bash
# scripts/demo.sh — Petrel live on one machine, in network namespaces (needs root):
#
#            tor  (BIRD 2, AS 65000, 10.100.0.1)
#             |  bridge 10.100.0.0/24 — the "fabric", no overlay, no encapsulation
#     +-------+--------+
#   node1    node2    node3      petreld, AS 64512: iBGP full mesh + eBGP to the ToR
#     |        |        |
#   pod1     pod2     pod3       10.244.N.10 in pod CIDR 10.244.N.0/24 (blackholed on its node)
#
# Builds Petrel (scripts/build.sh, which installs what it needs), starts everything,
# prints `petrelc show protocols` and `show route` on node1 and the ToR's view,
# pings pod to pod across nodes, shows the path has no tunnel, and removes every
# namespace and process it made — also on Ctrl-C or an error.
#   bash scripts/demo.sh            # run, print, clean up
#   DEMO_KEEP=1 bash scripts/demo.sh   # keep it running until Enter (then clean up)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# Network namespaces need root: through sudo when we are not.
if (( EUID != 0 )); then
  if command -v sudo >/dev/null 2>&1; then exec sudo DEMO_KEEP="${DEMO_KEEP:-}" bash "$0" "$@"; fi
  echo "demo: needs root (it creates network namespaces), and sudo is not installed" >&2
  exit 1
fi

bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh >/dev/null
PETRELD=$ROOT/build/daemon/petreld
PETRELC=$ROOT/build/shell/petrelc

ID=pdemo$$
WORK=$(mktemp -d "/tmp/petrel-demo.XXXXXX")
PIDS=()
NSES=()

cleanup() {
  trap - EXIT INT TERM
  local pid ns
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything still running inside our namespaces (there should be nothing) goes too.
  for ns in "${NSES[@]}"; do
    pid=$(ip netns pids "$ns" 2>/dev/null) && [[ -n $pid ]] && kill $pid 2>/dev/null || true
  done
  for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
  echo "demo: cleaned up (namespaces and processes removed)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ns() { echo "$ID-$1"; }
addns() {
  ip netns add "$(ns "$1")"
  NSES+=("$(ns "$1")")
  ip -n "$(ns "$1")" link set lo up
}
inns() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }

say "Topology: a ToR (BIRD) and three nodes (petreld) on one bridge; one pod per node"
addns tor
ip -n "$(ns tor)" link add br0 type bridge
ip -n "$(ns tor)" addr add 10.100.0.1/24 dev br0
ip -n "$(ns tor)" link set br0 up
for n in 1 2 3; do
  addns "node$n"
  addns "pod$n"
  ip -n "$(ns tor)" link add "p$n" type veth peer name fabric netns "$(ns "node$n")"
  ip -n "$(ns tor)" link set "p$n" master br0 up
  ip -n "$(ns "node$n")" addr add "10.100.0.1$n/24" dev fabric
  ip -n "$(ns "node$n")" link set fabric up
  inns "node$n" sysctl -qw net.ipv4.ip_forward=1
  # The pod, routed like a Calico workload: a /32 on each end of its veth.
  ip -n "$(ns "node$n")" link add "pod$n" type veth peer name eth0 netns "$(ns "pod$n")"
  ip -n "$(ns "node$n")" addr add "10.244.$n.1/32" dev "pod$n"
  ip -n "$(ns "node$n")" link set "pod$n" up
  ip -n "$(ns "node$n")" route add "10.244.$n.10/32" dev "pod$n" scope link
  ip -n "$(ns "pod$n")" addr add "10.244.$n.10/32" dev eth0
  ip -n "$(ns "pod$n")" link set eth0 up
  ip -n "$(ns "pod$n")" route add "10.244.$n.1" dev eth0 scope link
  ip -n "$(ns "pod$n")" route add default via "10.244.$n.1"
  echo "node$n: fabric 10.100.0.1$n, pod CIDR 10.244.$n.0/24, pod$n at 10.244.$n.10"
done

cat >"$WORK/tor.conf" <<EOF
router id 10.100.0.1;
protocol device { scan time 10; }
$(for n in 1 2 3; do cat <<EON
protocol bgp node$n {
  local 10.100.0.1 as 65000; neighbor 10.100.0.1$n as 64512;
  hold time 9; connect retry time 2;
  ipv4 { import all; export all; };
}
EON
done)
EOF
# `ip netns exec` execs the program, so $! is the daemon's own PID (a shell
# function in the background would be a subshell, and killing it would not stop it).
ip netns exec "$(ns tor)" bird -f -c "$WORK/tor.conf" -s "$WORK/tor.ctl" >"$WORK/tor.log" 2>&1 &
PIDS+=($!)

for n in 1 2 3; do
  {
    cat <<EOF
router-id: 10.100.0.1$n
local-as: 64512
listen: [{address: 10.100.0.1$n, port: 179}]
control-socket: $WORK/node$n.ctl
store: {path: $WORK/node$n.store}
originate:
  - {prefix: 10.244.$n.0/24, blackhole: true, communities: ["64512:$n"]}
prefix-sets: {pods: ["10.244.0.0/16 le 26"]}
policies:
  from-tor: [{action: accept}]
  to-tor:
    - {match: {prefix-set: pods}, action: accept}
    - {action: reject}
peers:
  - {name: tor, address: 10.100.0.1, remote-as: 65000, local-address: 10.100.0.1$n, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}}
EOF
    for m in 1 2 3; do
      (( m == n )) && continue
      echo "  - {name: node$m, address: 10.100.0.1$m, remote-as: 64512, local-address: 10.100.0.1$n, hold-time: 9, connect-retry: 2}"
    done
  } >"$WORK/node$n.yaml"
  ip netns exec "$(ns "node$n")" "$PETRELD" -c "$WORK/node$n.yaml" --foreground >"$WORK/node$n.log" 2>&1 &
  PIDS+=($!)
done

say "Waiting for the sessions (iBGP mesh + eBGP to the ToR)"
established() { "$PETRELC" -s "$WORK/node$1.ctl" show protocols 2>/dev/null | grep -c ' Established' || true; }
for _ in $(seq 1 60); do
  ok=0
  for n in 1 2 3; do (( $(established "$n") == 3 )) && ok=$((ok + 1)); done
  (( ok == 3 )) && break
  sleep 0.5
done
for n in 1 2 3; do echo "node$n: $(established "$n") of 3 sessions Established"; done
sleep 1

say "node1: petrelc show protocols"
"$PETRELC" -s "$WORK/node1.ctl" show protocols
say "node1: petrelc show route"
"$PETRELC" -s "$WORK/node1.ctl" show route
say "node1: petrelc show route for 10.244.3.10 all   (attributes; with several paths, the step that chose the best)"
"$PETRELC" -s "$WORK/node1.ctl" show route for 10.244.3.10 all
say "node1: the kernel's routes (proto petrel = installed by petreld)"
ip -n "$(ns node1)" route
say "ToR (BIRD): birdc show route — the fabric knows every pod CIDR"
birdc -s "$WORK/tor.ctl" show route | sed '1d'

say "Pod to pod across nodes, no encapsulation"
for pair in "1 2" "1 3" "2 3"; do
  set -- $pair
  echo "pod$1 (10.244.$1.10) -> pod$2 (10.244.$2.10):"
  inns "pod$1" ping -c 3 -i 0.2 -W 2 "10.244.$2.10" | sed -n 's/^/    /; /bytes from\|packets transmitted/p'
done
echo "path pod1 -> pod3 as node1's kernel routes it:"
inns node1 ip route get 10.244.3.10 | sed 's/^/    /'
echo "tunnel devices on node1 (none: the packets travel as they are):"
inns node1 ip -d link show | grep -Ei 'vxlan|ipip|gre|geneve|wireguard' | sed 's/^/    /' || echo "    (none)"

if [[ -n ${DEMO_KEEP:-} ]]; then
  say "Running. Try: $PETRELC -s $WORK/node1.ctl   (interactive shell)   — press Enter to stop"
  read -r _
fi
say "Done"
