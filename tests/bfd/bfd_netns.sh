#!/usr/bin/env bash
# tests/bfd/bfd_netns.sh — BFD in petreld against real BIRD 2 peers in network
# namespaces (namespaces named bfd-<pid>-<n>-<name>; tests/interop/lib.sh).
#
#   bash tests/bfd/bfd_netns.sh BUILD_DIR     (BUILD_DIR/daemon/petreld, BUILD_DIR/shell/petrelc)
#
# A "link cut" drops every packet of the leaf's veth in both directions with
# iptables inside the leaf's namespace (this kernel has no sch_netem and no tc
# classifiers; the effect is the same 100 % loss). Scenarios:
#   bfd     petreld with BFD 100 ms x 3 to a BIRD with `protocol bfd` and `bfd on`:
#           both sides show the session Up (birdc on BIRD, petrelc and birdc on
#           petreld, JSON, `show protocols all`); the cut is detected and the BGP
#           session torn down in under 1 s, the route leaves the kernel (each time
#           measured and printed); after the cut is removed both come back;
#           SIGHUP without `bfd:` stops BFD (AdminDown; petreld leaves BGP up,
#           BIRD 2.0.12 does not), and with it again starts it
#   gr      graceful restart on both sides: kill -9 BIRD keeps its routes (BFD goes
#           down too, C bit clear: RFC 5882 §3.4), BIRD comes back (-R) and
#           nothing left the kernel; a link cut on the same session still
#           withdraws at once
#   multihop  multihop BGP (multihop 2) gets multihop BFD (RFC 5883, port 4784)
#           on both sides; a cut ends it in under 1 s too
#   cbit    a scripted BFD peer that sets the C bit (BIRD never does): after its
#           control plane died, its BFD going down ends graceful restart at once
#   ipv6    an IPv6 session with BFD (RFC 5881 over IPv6): Up on both sides; a
#           cut (ip6tables) ends the session in under 1 s
#   dynamic neighbours of a `range` peer each get a BFD session; a cut ends
#           only that neighbour's session, in under 1 s
#   nobfd   the same cut without BFD: the session stays up until the hold timer
#           (9 s) expires; prints that time beside the BFD one
#   ecmp    two BIRDs announce the same prefix, max-paths 2: the kernel route has
#           two next hops; a cut of one link removes its next hop in under 1 s
#           and pings to an address behind both keep going through the other;
#           `show route history` shows the flap (t1, cut: t2, repaired: t1) with
#           the ECMP set's next hops (text and JSON) and
#           bgpdump reads the MRT dumps (RIB: both paths as show route; journal)
#   busy    petreld's event loop busy for over a second (a second BIRD announces
#           BUSY_ROUTES, default 300,000; `petrelc mrt dump rib` and `show route`
#           of that table, then the BIRD disables its session and petreld
#           withdraws them all in one decision) while BFD 100 ms x 3 runs to the
#           first BIRD: its BFD and BGP sessions never go down (petreld's log,
#           birdc), as BFD has its own thread (bfd/service_thread.hpp); prints
#           how long each call held the loop. Then `down`: AdminDown on the wire
#           (tshark) before petreld exits
# PTR_ONLY=REGEX runs only the scenarios whose names match (lib.sh).
# Ends with "N passed, N failed".

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BFD_HERE=$HERE   # rib_interop.sh sets HERE to its own folder
# shellcheck source=tests/interop/lib.sh
source "$HERE/../interop/lib.sh"
# shellcheck source=tests/interop/rib_interop.sh
source "$HERE/../interop/rib_interop.sh"
PTR_ID="${PTR_NS_PREFIX:-bfd}-$$"   # this test's namespace prefix (PTR_NS_PREFIX=bft: bft-<pid>-...)

PETREL_AS=64512
declare -gA PD_PID=() PD_CONF=() PD_SOCK=() PD_LOG=()

# pd_start NS NAME: petreld with the YAML on stdin; control socket $PTR_SCOPE/NAME.ctl.
pd_start() {
  local ns=$1 name=$2
  PD_CONF[$name]="$PTR_SCOPE/$name.yaml.log"
  PD_SOCK[$name]="$PTR_SCOPE/$name.ctl"
  PD_LOG[$name]="$PTR_SCOPE/$name.petreld.log"
  cat >"${PD_CONF[$name]}"
  # The store (route journal) in the test's own directory, never /var/lib/petrel.
  grep -q '^store:' "${PD_CONF[$name]}" || echo "store: {path: $PTR_SCOPE/$name.store}" >>"${PD_CONF[$name]}"
  ptr_spawn "$ns" "${PD_LOG[$name]}" "$PETRELD" -c "${PD_CONF[$name]}" -s "${PD_SOCK[$name]}" --foreground
  PD_PID[$name]=$PTR_LAST_PID
  wait_until 10 test -S "${PD_SOCK[$name]}" || { fail "petreld $name: no control socket" "$(cat "${PD_LOG[$name]}")"; exit 1; }
}
pd_birdc() { local name=$1; shift; timeout 5 birdc -s "${PD_SOCK[$name]}" "$@" 2>&1 | sed '1{/^Petrel .* ready\.$/d}'; }
pd_petrelc() { local name=$1; shift; timeout 5 "$PETRELC" -s "${PD_SOCK[$name]}" "$@"; }
pd_has() { pd_petrelc "$1" "${@:3}" | grep -Eq -- "$2"; }
pd_birdc_has() { pd_birdc "$1" "${@:3}" | grep -Eq -- "$2"; }
pd_state() { pd_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $NF; exit }'; }
pd_established() { [[ "$(pd_state "$1" "$2")" == Established ]]; }
pd_not_established() { ! pd_established "$@"; }
# pd_bfd_state NAME ADDRESS: the State column of petreld's `show bfd sessions` row.
pd_bfd_state() { pd_petrelc "$1" show bfd sessions | awk -v a="$2" '$1 == a { print $3; exit }'; }
pd_bfd_up() { [[ "$(pd_bfd_state "$1" "$2")" == Up ]]; }
pd_bfd_none() { [[ -z "$(pd_bfd_state "$1" "$2")" ]]; }
bird_bfd_state() { birdc_q "$1" show bfd sessions | awk -v a="$2" '$1 == a { print $3; exit }'; }
bird_bfd_up() { [[ "$(bird_bfd_state "$1" "$2")" == Up ]]; }
bird_established() { birdc_q "$1" show protocols petrel | grep -q Established; }
both_established() { pd_established node t1 && bird_established t1; }
bfd_up_to_both() { pd_bfd_up node "${LEAF4[1]}" && pd_bfd_up node "${LEAF4[2]}"; }
nexthops() { ip -n "$1" route show "$2" | grep -c 'nexthop via'; }
two_nexthops() { [[ "$(nexthops "$NS_R" 10.70.0.0/24)" == 2 ]]; }

# The leaf's BIRD: one BGP session to petreld (hold time 9), static routes; with
# `bfd`, BIRD's BFD protocol at 100 ms x 3 and `bfd on` in the session.
leaf_conf() {  # I ROUTER_ID "PREFIXES" bfd|nobfd [gr|multihop]
  local i=$1 rid=$2 routes=$3 mode=$4 gr=${5:-} r
  echo "router id $rid;"
  echo "protocol device { scan time 10; }"
  echo "protocol static static1 { ipv4;"
  for r in $routes; do echo "  route $r blackhole;"; done
  echo "}"
  [[ $mode == bfd ]] && echo 'protocol bfd { interface "*" { interval 100 ms; multiplier 3; }; multihop { interval 100 ms; multiplier 3; }; }'
  echo "protocol bgp petrel {"
  echo "  local ${LEAF4[$i]} as 6500$i; neighbor $R4 as $PETREL_AS;"
  [[ $gr == multihop ]] && echo "  multihop 2;"
  echo "  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2; error forget time 10;"
  [[ $mode == bfd ]] && echo "  bfd on;"
  [[ $gr == gr ]] && echo "  graceful restart on; graceful restart time 120;"
  echo "  ipv4 { import all; export all; };"
  echo "}"
}

# petreld's configuration: peers t1..tN, with BFD 100 ms x 3 when $2 is "bfd".
node_conf() {  # N bfd|nobfd [gr|multihop]
  local n=$1 mode=$2 i bfd=""
  [[ $mode == bfd ]] && bfd=", bfd: {interval-ms: 100, multiplier: 3}"
  [[ ${3:-} == gr ]] && bfd+=", graceful-restart: {restart-time: 120}"
  [[ ${3:-} == multihop ]] && bfd+=", multihop: 2"
  echo "router-id: $R4"
  echo "local-as: $PETREL_AS"
  echo "listen: [{address: $R4, port: 179}]"
  echo "max-paths: 2"
  echo "multipath-relax: true   # the two leaves have different AS numbers"
  echo "policies:"
  echo "  all:"
  echo "    - {action: accept}"
  echo "peers:"
  for (( i = 1; i <= n; i++ )); do
    echo "  - {name: t$i, address: ${LEAF4[$i]}, remote-as: 6500$i, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: all}, export: {policy: all}$bfd}"
  done
}

# cut I [ip6tables] / uncut I [ip6tables]: 100 % loss on leaf I's link, both
# directions (see the header); IPv4 by default, IPv6 with ip6tables.
cut() {
  local tables=${2:-iptables}
  nsx "${NS_LEAF[$1]}" "$tables" -w -I INPUT -i veth0 -j DROP &&
    nsx "${NS_LEAF[$1]}" "$tables" -w -I OUTPUT -o veth0 -j DROP
}
uncut() {
  local tables=${2:-iptables}
  nsx "${NS_LEAF[$1]}" "$tables" -w -D INPUT -i veth0 -j DROP
  nsx "${NS_LEAF[$1]}" "$tables" -w -D OUTPUT -o veth0 -j DROP
}

# log_time FILE REGEX: the time (Unix seconds, ms) of the first matching line of a
# petreld log ("2026-11-21T23:15:01.123 info ...", local time).
log_time() {
  local ts; ts=$(grep -E -m1 -- "$2" "$1" | awk '{ print $1 }')
  [[ -n $ts ]] && date -d "${ts/T/ }" +%s.%3N
}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# wait_fast TIMEOUT CMD...: polls CMD every 20 ms (for timing what the kernel does).
wait_fast() {
  local deadline; deadline=$(awk -v n="$EPOCHREALTIME" -v t="$1" 'BEGIN { printf "%.6f", n + t }'); shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    awk -v n="$EPOCHREALTIME" -v d="$deadline" 'BEGIN { exit !(n >= d) }' && return 1
    sleep 0.02
  done
}
kernel_has() { ip -n "$1" route show "${@:3}" | grep -Eq -- "$2"; }
kernel_lacks() { ! kernel_has "$@"; }
kernel6_has() { ip -n "$1" -6 route show "${@:3}" | grep -Eq -- "$2"; }
kernel6_lacks() { ! kernel6_has "$@"; }

# ---------------------------------------------------------------- scenarios

RESULTS_FILE=""  # detection times, for the closing comparison

scenario_bfd() {
  topo_star 1
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" bfd | bird_start "${NS_LEAF[1]}" t1
  node_conf 1 bfd | pd_start "$NS_R" node
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "petrelc show bfd sessions: ${LEAF4[1]} Up" 15 pd_bfd_up node "${LEAF4[1]}"
  check_wait "BIRD: birdc show bfd sessions: $R4 Up" 10 bird_bfd_up t1 "$R4"
  birdc_q t1 show bfd sessions | sed 's/^/# BIRD birdc: /' >&2
  pd_petrelc node show bfd sessions | sed 's/^/# petrelc: /' >&2
  local a=${LEAF4[1]//./\\.}
  check "petrelc show bfd sessions: BIRD's heading" \
    pd_has node '^IP address +Interface +State +Since +Interval +Timeout$' show bfd sessions
  check "petrelc show bfd sessions: '${LEAF4[1]} br0 Up ... 0.100 0.300'" \
    pd_has node "^$a +br0 +Up +[0-9-]+ [0-9:]+ +0\\.100 +0\\.300$" show bfd sessions
  check "birdc (Debian's) against petreld: show bfd sessions Up" \
    pd_birdc_has node "^$a +br0 +Up" show bfd sessions
  check "petrelc --json show bfd sessions: state Up, peer t1" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' --json show bfd sessions | tr -d ' \n' | grep -q '\"state\":\"Up\".*\"peer\":\"t1\"'"
  check "show protocols all t1: a BFD line" \
    pd_birdc_has node 'BFD session: +Up, interval 0\.100 s, timeout 0\.300 s' show protocols all t1
  require_wait "kernel: 10.60.0.0/24 via ${LEAF4[1]}" 10 kernel_has "$NS_R" "via $a" 10.60.0.0/24

  # The cut.
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link (iptables DROP both ways in its namespace)" cut 1
  check "kernel: 10.60.0.0/24 gone in under 1 s" wait_fast 1 kernel_lacks "$NS_R" "via" 10.60.0.0/24
  local t_route=$EPOCHREALTIME
  check_wait "petreld log: BFD Up -> Down" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD Up -> Down'
  check_wait "petreld log: t1 leaves Established" 5 log_has "${PD_LOG[node]}" 'peer t1 state Established -> '
  grep -E 'peer t1 (BFD|state Established|notification)' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
  local t_bfd t_bgp d_bfd d_bgp d_route
  t_bfd=$(log_time "${PD_LOG[node]}" 'peer t1 BFD Up -> Down')
  t_bgp=$(log_time "${PD_LOG[node]}" 'peer t1 state Established -> ')
  d_bfd=$(secs "$t0" "$t_bfd"); d_bgp=$(secs "$t0" "$t_bgp"); d_route=$(secs "$t0" "$t_route")
  echo "# with BFD 100 ms x 3: BFD down after ${d_bfd} s, BGP session down after ${d_bgp} s, kernel route gone after ${d_route} s" >&2
  echo "bfd $d_bgp" >>"$RESULTS_FILE"
  check "BFD detected the cut in under 1 s (${d_bfd} s)" lt "$d_bfd" 1
  check "the BGP session went down in under 1 s (${d_bgp} s)" lt "$d_bgp" 1
  check "with a NOTIFICATION Cease / BFD Down (RFC 9384)" log_has "${PD_LOG[node]}" 'peer t1 notification-sent 6/10'
  check "petrelc show bfd sessions: Down" test "$(pd_bfd_state node "${LEAF4[1]}")" = Down

  # The link back: BFD and BGP come back, and the route.
  require "remove the cut" uncut 1
  check_wait "BFD Up again (petreld)" 15 pd_bfd_up node "${LEAF4[1]}"
  check_wait "BFD Up again (BIRD)" 15 bird_bfd_up t1 "$R4"
  check_wait "t1 Established again" 20 pd_established node t1
  check_wait "kernel: 10.60.0.0/24 back" 10 kernel_has "$NS_R" "via $a" 10.60.0.0/24

  # Reconfiguration: BFD off (AdminDown to BIRD; BGP stays), then on again.
  node_conf 1 nobfd >"${PD_CONF[node]}"
  require "SIGHUP (bfd removed)" ptr_signal HUP "${PD_PID[node]}"
  check_wait "petreld log: BFD session stopped" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD session stopped'
  check_wait "petrelc show bfd sessions: no session" 5 pd_bfd_none node "${LEAF4[1]}"
  check_wait "BIRD: its BFD session leaves Up (AdminDown from petreld)" 5 ptr_not bird_bfd_up t1 "$R4"
  birdc_q t1 show bfd sessions | sed 's/^/# BIRD birdc after the reload: /' >&2
  # petreld leaves BGP alone (RFC 5882 §3.2: AdminDown is not a failure); BIRD
  # 2.0.12 with `bfd on` takes its peer's AdminDown as "BFD session down" and
  # ends the session itself, then connects again.
  check "petreld sent no NOTIFICATION for the BFD removal" \
    test "$(grep -c 'peer t1 notification-sent' "${PD_LOG[node]}")" = 1
  grep -E 'peer t1 (notification|state)' "${PD_LOG[node]}" | tail -n 3 | sed 's/^/# petreld: /' >&2
  check_wait "t1 Established without BFD" 20 both_established
  node_conf 1 bfd >"${PD_CONF[node]}"
  require "SIGHUP (bfd back)" ptr_signal HUP "${PD_PID[node]}"
  check_wait "BFD Up again after the reload" 15 pd_bfd_up node "${LEAF4[1]}"
  check_wait "BIRD: BFD Up again" 15 bird_bfd_up t1 "$R4"
  check_never "t1 stays Established while BFD comes back" 3 ptr_not both_established
}

# Graceful restart and BFD (RFC 5882 §3.4): a peer whose control plane
# restarts (kill -9 BIRD: its kernel closes the TCP connection, then its BFD
# stops; BIRD sends the C bit clear) keeps its routes through the restart; a
# link cut on the same graceful-restart session withdraws them at once.
scenario_gr() {
  topo_star 1
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" bfd gr | bird_start "${NS_LEAF[1]}" t1
  node_conf 1 bfd gr | pd_start "$NS_R" node
  local a=${LEAF4[1]//./\\.}
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "BFD Up" 15 pd_bfd_up node "${LEAF4[1]}"
  require_wait "kernel: 10.60.0.0/24 via ${LEAF4[1]}" 10 kernel_has "$NS_R" "via $a" 10.60.0.0/24

  # 1. The control plane restarts: routes kept, BFD down does not end the restart.
  gr_kill t1
  check_wait "petreld log: graceful-restart keeping 1 routes" 5 log_has "${PD_LOG[node]}" 'peer t1 graceful-restart keeping 1 routes'
  check_wait "petreld log: BFD Up -> Down" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD Up -> Down'
  check "petreld log: C bit clear, graceful restart goes on" \
    log_has "${PD_LOG[node]}" 'peer t1 BFD down while it restarts; C bit clear: graceful restart goes on'
  check_never "kernel: 10.60.0.0/24 stays while t1 restarts" 3 kernel_lacks "$NS_R" "via $a" 10.60.0.0/24
  grep -E 'peer t1 (BFD|graceful|state Established)' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
  bird_launch t1 -R
  check_wait "t1 Established again" 20 pd_established node t1
  check_wait "BFD Up again" 15 pd_bfd_up node "${LEAF4[1]}"
  check_wait "petreld log: stale routes swept after End-of-RIB" 10 log_has "${PD_LOG[node]}" 'peer t1 stale routes swept'
  check "kernel: 10.60.0.0/24 never left" kernel_has "$NS_R" "via $a" 10.60.0.0/24

  # 2. A link cut on the same session: no graceful-restart wait.
  local kept; kept=$(log_count "${PD_LOG[node]}" 'graceful-restart keeping')
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link" cut 1
  check "kernel: 10.60.0.0/24 gone in under 1 s despite graceful restart" wait_fast 1 kernel_lacks "$NS_R" "via" 10.60.0.0/24
  echo "# graceful restart configured, link cut: kernel route gone after $(secs "$t0" "$EPOCHREALTIME") s" >&2
  check_wait "petreld log: BFD down tears the session down" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD down: tearing down'
  check "no graceful-restart retention for the cut" test "$(log_count "${PD_LOG[node]}" 'graceful-restart keeping')" = "$kept"
  uncut 1
}

# A multihop BGP session (multihop 2 on both sides, over the same link): BFD
# runs multihop too (RFC 5883, UDP 4784), and a cut still ends it in under 1 s.
scenario_multihop() {
  topo_star 1
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" bfd multihop | bird_start "${NS_LEAF[1]}" t1
  node_conf 1 bfd multihop | pd_start "$NS_R" node
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "petrelc show bfd sessions: ${LEAF4[1]} Up" 15 pd_bfd_up node "${LEAF4[1]}"
  check_wait "BIRD: birdc show bfd sessions: $R4 Up" 10 bird_bfd_up t1 "$R4"
  pd_petrelc node show bfd sessions | sed 's/^/# petrelc: /' >&2
  check "petrelc: multihop sessions show no interface ('---')" \
    pd_has node "^${LEAF4[1]//./\\.} +--- +Up" show bfd sessions
  check "petreld log: a multihop session" log_has "${PD_LOG[node]}" 'peer t1 BFD session started \(multihop'
  check "petreld listens on UDP 4784 (RFC 5883)" bash -c "ip netns exec '$NS_R' ss -Huln | grep -q ':4784 '"
  check "petrelc --json: multihop true" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' --json show bfd sessions | tr -d ' \n' | grep -q '\"multihop\":true'"
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link" cut 1
  check_wait "petreld log: BFD Up -> Down" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD Up -> Down'
  local d; d=$(secs "$t0" "$(log_time "${PD_LOG[node]}" 'peer t1 state Established -> ')")
  echo "# multihop BFD: BGP session down after ${d} s" >&2
  check "multihop: the BGP session went down in under 1 s (${d} s)" lt "$d" 1
  uncut 1
  check_wait "multihop: Up again after the cut" 15 pd_bfd_up node "${LEAF4[1]}"
}

# RFC 5882 §3.4 the other way: a peer whose BFD says it does not depend on its
# control plane (C bit set; a scripted peer, tests/bfd/bfd_peer.py, as BIRD
# never sets it). Its control plane restarts (kill -9 BIRD): routes kept stale,
# BFD still Up. Then its BFD goes too: forwarding failed, the restart is
# abandoned and the routes leave at once, not after the 120 s restart time.
scenario_cbit() {
  topo_star 1
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" nobfd gr | bird_start "${NS_LEAF[1]}" t1
  ptr_spawn "${NS_LEAF[1]}" "$PTR_SCOPE/bfd_peer.log" python3 "$BFD_HERE/bfd_peer.py" --local "${LEAF4[1]}" --peer "$R4" --cbit
  local peer_pid=$PTR_LAST_PID
  node_conf 1 bfd gr | pd_start "$NS_R" node
  local a=${LEAF4[1]//./\\.}
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "BFD Up with the scripted peer" 15 pd_bfd_up node "${LEAF4[1]}"
  check "petrelc --json: the peer's C bit is set" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' --json show bfd sessions | tr -d ' \n' | grep -q '\"remote_control_plane_independent\":true'"
  require_wait "kernel: 10.60.0.0/24 via ${LEAF4[1]}" 10 kernel_has "$NS_R" "via $a" 10.60.0.0/24
  gr_kill t1
  check_wait "petreld log: graceful-restart keeping 1 routes" 5 log_has "${PD_LOG[node]}" 'peer t1 graceful-restart keeping 1 routes'
  check_never "kernel: 10.60.0.0/24 stays while only the control plane is gone (BFD Up)" 2 \
    kernel_lacks "$NS_R" "via $a" 10.60.0.0/24
  local t0; t0=$EPOCHREALTIME
  require "the peer's BFD stops (kill -9 the scripted peer)" ptr_signal KILL "$peer_pid"
  { wait "$peer_pid"; } 2>/dev/null
  check "kernel: 10.60.0.0/24 gone in under 1 s (not at the 120 s restart timer)" \
    wait_fast 1 kernel_lacks "$NS_R" "via" 10.60.0.0/24
  echo "# C bit set, BFD down during graceful restart: kernel route gone after $(secs "$t0" "$EPOCHREALTIME") s" >&2
  check_wait "petreld log: graceful restart abandoned" 3 log_has "${PD_LOG[node]}" \
    'peer t1 BFD down with the C bit set: forwarding failed, graceful restart abandoned'
  grep -E 'peer t1 (BFD|graceful|stale|state Established)' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
}

# IPv6 (RFC 5881 over IPv6): an IPv6 BGP session with BFD; both sides show it
# Up, and a cut (ip6tables DROP both ways) ends the session in under 1 s.
scenario_ipv6() {
  topo_star 1
  local r6=fd00:11::1 l6=fd00:11::2
  ns_addr "$NS_R" br0 "$r6/64"
  ns_addr "${NS_LEAF[1]}" veth0 "$l6/64"
  bird_start "${NS_LEAF[1]}" t1 <<EOF
router id 10.200.0.1;
protocol device { scan time 10; }
protocol static static1 { ipv6; route fd00:60::/64 blackhole; }
protocol bfd { interface "*" { interval 100 ms; multiplier 3; }; }
protocol bgp petrel {
  local $l6 as 65001; neighbor $r6 as $PETREL_AS;
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2; error forget time 10;
  bfd on;
  ipv6 { import all; export all; };
}
EOF
  pd_start "$NS_R" node <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: "$r6", port: 179}]
policies:
  all:
    - {action: accept}
peers:
  - {name: t1, address: "$l6", remote-as: 65001, local-address: "$r6", families: [ipv6], hold-time: 9, connect-retry: 2, import: {policy: all}, export: {policy: all}, bfd: {interval-ms: 100, multiplier: 3}}
EOF
  require_wait "t1 Established over IPv6" 20 pd_established node t1
  require_wait "petrelc show bfd sessions: $l6 Up" 15 pd_bfd_up node "$l6"
  check_wait "BIRD: birdc show bfd sessions: $r6 Up" 10 bird_bfd_up t1 "$r6"
  birdc_q t1 show bfd sessions | sed 's/^/# BIRD birdc: /' >&2
  pd_petrelc node show bfd sessions | sed 's/^/# petrelc: /' >&2
  check "petrelc show bfd sessions: '$l6 br0 Up ... 0.100 0.300'" \
    pd_has node "^$l6 +br0 +Up +[0-9-]+ [0-9:]+ +0\\.100 +0\\.300$" show bfd sessions
  require_wait "kernel: fd00:60::/64 via $l6" 10 kernel6_has "$NS_R" "via $l6" fd00:60::/64
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link (ip6tables DROP both ways)" cut 1 ip6tables
  check "kernel: fd00:60::/64 gone in under 1 s" wait_fast 1 kernel6_lacks "$NS_R" "via" fd00:60::/64
  check_wait "petreld log: BFD Up -> Down" 5 log_has "${PD_LOG[node]}" 'peer t1 BFD Up -> Down'
  local d; d=$(secs "$t0" "$(log_time "${PD_LOG[node]}" 'peer t1 state Established -> ')")
  echo "# IPv6 BFD: BGP session down after ${d} s" >&2
  check "IPv6: the BGP session went down in under 1 s (${d} s)" lt "$d" 1
  check "with a NOTIFICATION Cease / BFD Down (RFC 9384)" log_has "${PD_LOG[node]}" 'peer t1 notification-sent 6/10'
  uncut 1 ip6tables
  check_wait "IPv6: BFD Up again after the cut" 15 pd_bfd_up node "$l6"
  check_wait "IPv6: t1 Established again" 20 pd_established node t1
}

# Dynamic neighbours (a `range` peer, as on a route reflector): each neighbour
# that connects gets its own BFD session; a cut ends its session in under 1 s.
both_leaves_established() { bird_established t1 && bird_established t2; }
scenario_dynamic() {
  topo_star 2
  local i
  for i in 1 2; do
    leaf_conf "$i" "10.200.0.$i" "10.6$i.0.0/24" bfd | bird_start "${NS_LEAF[$i]}" "t$i"
  done
  pd_start "$NS_R" node <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
policies:
  all:
    - {action: accept}
peers:
  - {name: leaves, range: 10.11.0.0/24, remote-as: external, hold-time: 9, import: {policy: all}, export: {policy: all}, bfd: {interval-ms: 100, multiplier: 3}}
EOF
  require_wait "both leaves connected (BIRD Established)" 30 both_leaves_established
  require_wait "petrelc show bfd sessions: ${LEAF4[1]} Up" 15 pd_bfd_up node "${LEAF4[1]}"
  require_wait "petrelc show bfd sessions: ${LEAF4[2]} Up" 15 pd_bfd_up node "${LEAF4[2]}"
  check_wait "BIRD t1: BFD Up" 10 bird_bfd_up t1 "$R4"
  check_wait "BIRD t2: BFD Up" 10 bird_bfd_up t2 "$R4"
  pd_petrelc node show bfd sessions | sed 's/^/# petrelc: /' >&2
  local a1=${LEAF4[1]//./\\.} a2=${LEAF4[2]//./\\.}
  require_wait "kernel: 10.61.0.0/24 via ${LEAF4[1]}" 10 kernel_has "$NS_R" "via $a1" 10.61.0.0/24
  require_wait "kernel: 10.62.0.0/24 via ${LEAF4[2]}" 10 kernel_has "$NS_R" "via $a2" 10.62.0.0/24
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link" cut 1
  check "kernel: 10.61.0.0/24 gone in under 1 s" wait_fast 1 kernel_lacks "$NS_R" "via" 10.61.0.0/24
  echo "# dynamic neighbour, link cut: kernel route gone after $(secs "$t0" "$EPOCHREALTIME") s" >&2
  check "kernel: t2's 10.62.0.0/24 stays" kernel_has "$NS_R" "via $a2" 10.62.0.0/24
  check "petrelc: t2's BFD session still Up" pd_bfd_up node "${LEAF4[2]}"
  check_wait "petrelc: t1's BFD session Down or gone" 5 ptr_not pd_bfd_up node "${LEAF4[1]}"
  grep -E 'BFD|state Established' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
  uncut 1
  check_wait "dynamic: t1 back (BIRD Established)" 30 bird_established t1
  check_wait "dynamic: t1's BFD Up again" 15 pd_bfd_up node "${LEAF4[1]}"
}

scenario_nobfd() {
  topo_star 1
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" nobfd | bird_start "${NS_LEAF[1]}" t1
  node_conf 1 nobfd | pd_start "$NS_R" node
  require_wait "t1 Established" 20 pd_established node t1
  check "petrelc show bfd sessions: no session without bfd" pd_bfd_none node "${LEAF4[1]}"
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link" cut 1
  check_never "still Established 2 s after the cut (no BFD)" 2 pd_not_established node t1
  check_wait "petreld log: t1 leaves Established (hold timer)" 12 log_has "${PD_LOG[node]}" 'peer t1 state Established -> '
  grep -E 'peer t1 state Established' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
  local d_bgp; d_bgp=$(secs "$t0" "$(log_time "${PD_LOG[node]}" 'peer t1 state Established -> ')")
  echo "# without BFD: BGP session down after ${d_bgp} s (hold time 9 s)" >&2
  echo "nobfd $d_bgp" >>"$RESULTS_FILE"
  check "the hold timer ended it (${d_bgp} s, more than 3 s)" lt 3 "$d_bgp"
  check "with 'hold timer expired'" log_has "${PD_LOG[node]}" 'peer t1 state Established -> Idle: .*[Hh]old'
  uncut 1
}

scenario_ecmp() {
  topo_star 2
  local i
  for i in 1 2; do
    leaf_conf "$i" "10.200.0.$i" "10.70.0.0/24" bfd | bird_start "${NS_LEAF[$i]}" "t$i"
    # An address behind both leaves that answers pings.
    ip -n "${NS_LEAF[$i]}" addr add 10.70.0.1/32 dev lo
  done
  node_conf 2 bfd | pd_start "$NS_R" node
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "t2 Established" 20 pd_established node t2
  require_wait "BFD Up to both" 15 bfd_up_to_both
  require_wait "kernel: 10.70.0.0/24 with two next hops" 10 two_nexthops
  ip -n "$NS_R" route show 10.70.0.0/24 | sed 's/^/# kernel: /' >&2
  # Best-path changes before the cut (t1 first, or t2 first and then t1 by router
  # id); the last one names the whole ECMP set, the best's next hop first.
  local hist l1=${LEAF4[1]//./\\.} l2=${LEAF4[2]//./\\.}
  hist=$(pd_petrelc node show route history 10.70.0.0/24)
  sed 's/^/# petrelc before the cut: /' <<<"$hist" >&2
  local hist_before; hist_before=$(grep -Ec ' (announce|replace|withdraw) ' <<<"$hist")
  check "show route history before the cut: t1 best, the ECMP set's next hops t1, t2" \
    bash -c "tail -n 1 <<<'$hist' | grep -Eq ' (announce|replace) +t1 $l1 AS65001 +via $l1, $l2 \\[AS65001 i\\]'"
  check_eq "show route history: no two entries in a row say the same (an ECMP change shows)" "" \
    "$(grep -E ' (announce|replace|withdraw) ' <<<"$hist" | sed -E 's/^[^ ]+ [^ ]+ [^ ]+ +//' | uniq -d)"
  # Pings every 10 ms through the cut; the flow hashes to one of the two paths.
  local pinglog="$PTR_SCOPE/ping.out"
  nsx "$NS_R" ping -n -i 0.01 -c 400 -W 1 10.70.0.1 >"$pinglog" 2>&1 &
  local pingpid=$!
  ptr_sleep 0.5
  local t0; t0=$EPOCHREALTIME
  require "cut t1's link" cut 1
  check "kernel: t1's next hop gone in under 1 s" wait_fast 1 ptr_not kernel_has "$NS_R" "${LEAF4[1]//./\\.}" 10.70.0.0/24
  local d_route; d_route=$(secs "$t0" "$EPOCHREALTIME")
  check "kernel: the route stays, via t2" kernel_has "$NS_R" "via ${LEAF4[2]//./\\.}" 10.70.0.0/24
  ip -n "$NS_R" route show 10.70.0.0/24 | sed 's/^/# kernel after the cut: /' >&2
  echo "# ECMP: the dead next hop left the kernel route after ${d_route} s" >&2
  wait "$pingpid"
  local sent recv
  sent=$(awk '/packets transmitted/ { print $1 }' "$pinglog"); recv=$(awk '/packets transmitted/ { print $4 }' "$pinglog")
  tail -n 2 "$pinglog" | sed 's/^/# ping: /' >&2
  echo "# ECMP: ${recv}/${sent} pings answered across the cut (one every 10 ms: a 1 s outage loses ~100)" >&2
  check "pings across the cut: at least $(( ${sent:-400} - 100 )) of ${sent:-?} answered (${recv:-none})" \
    test "${recv:-0}" -ge $(( ${sent:-400} - 100 ))
  check "pings after the cut reach 10.70.0.1 via t2" nsx "$NS_R" ping -n -c 3 -i 0.2 -W 1 10.70.0.1
  uncut 1
  check_wait "kernel: two next hops again" 25 two_nexthops

  # The route history (rib/store) shows this scenario's flap: the cut moved the
  # best path to t2, the repair brought t1 back (lower router id).
  # The repair's entry names both next hops again, t1's first (the best's).
  check_wait "show route history 10.70.0.0/24: t1 best again after the repair, via t1 and t2" 5 \
    bash -c "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show route history 10.70.0.0/24 | tail -n 1 | grep -Eq ' (announce|replace) +t1 $l1 AS65001 +via $l1, $l2 \\[AS65001 i\\]'"
  hist=$(pd_petrelc node show route history 10.70.0.0/24)
  sed 's/^/# petrelc: /' <<<"$hist" >&2
  check_eq "show route history: 2 changes since the cut" $(( hist_before + 2 )) "$(grep -Ec ' (announce|replace|withdraw) ' <<<"$hist")"
  check "show route history: the cut moved the best path to t2" \
    bash -c "tail -n 2 <<<'$hist' | head -n 1 | grep -Eq ' replace +t2 $l2 AS65002 +via $l2 \\[AS65002 i\\]'"
  check_eq "show route history in JSON: the repair's next hops, best first" "[\"${LEAF4[1]}\",\"${LEAF4[2]}\"]" \
    "$(pd_petrelc node --json show route history 10.70.0.0/24 | tr -d ' \n' | grep -o '"next_hops":\[[^]]*\]' | tail -n 1 | sed 's/^"next_hops"://')"

  # MRT: bgpdump reads the RIB dump and agrees with `show route` (both paths);
  # the journal dump holds the same flap as BGP4MP updates.
  if ! command -v bgpdump >/dev/null; then
    fail "bgpdump is not installed (scripts/install-deps.sh installs it)"
    return
  fi
  local rib="$PTR_SCOPE/rib.mrt" journal="$PTR_SCOPE/journal.mrt" from_show from_mrt
  require "petrelc mrt dump rib" pd_petrelc node mrt dump rib "$rib"
  bgpdump -m "$rib" 2>/dev/null | sed 's/^/# bgpdump: /' >&2
  from_show=$(pd_birdc node show route 10.70.0.0/24 all | grep -Eo 'BGP.next_hop: [0-9.]+' | awk '{ print $2 }' | sort | paste -sd' ')
  from_mrt=$(bgpdump -m "$rib" 2>/dev/null | awk -F'|' '$6 == "10.70.0.0/24" { print $9 }' | sort | paste -sd' ')
  check_eq "bgpdump's next hops of 10.70.0.0/24 = show route's" "$from_show" "$from_mrt"
  check_eq "bgpdump: two paths of 10.70.0.0/24 (t1 and t2)" 2 "$(wc -w <<<"$from_mrt")"
  require "petrelc mrt dump history" pd_petrelc node mrt dump history "$journal"
  bgpdump -m "$journal" 2>/dev/null | grep '10.70.0.0/24' | sed 's/^/# bgpdump: /' >&2
  # The journal as BGP4MP: one UPDATE per history entry, the last two the cut (from t2) and the repair (from t1).
  local updates; updates=$(bgpdump -m "$journal" 2>/dev/null | awk -F'|' '$6 == "10.70.0.0/24" { print $3, $4 }')
  check_eq "bgpdump journal: as many updates of 10.70.0.0/24 as history entries" $(( hist_before + 2 )) "$(wc -l <<<"$updates")"
  check_eq "bgpdump journal: the cut and the repair" "A ${LEAF4[2]},A ${LEAF4[1]}" "$(tail -n 2 <<<"$updates" | paste -sd,)"
  # BGP4MP carries the best's NEXT_HOP only (one UPDATE has one): t1's for the repair.
  check_eq "bgpdump journal: the repair's NEXT_HOP is the best's (t1)" "${LEAF4[1]}" \
    "$(bgpdump -m "$journal" 2>/dev/null | awk -F'|' '$6 == "10.70.0.0/24" { print $9 }' | tail -n 1)"
}

# petreld's event loop made busy for over a second (BFD used to run on it: a
# 300 ms detection time then saw every other peer's BFD flap, and their BGP
# sessions with it). t1: BIRD with BFD 100 ms x 3, one route; t2: BIRD without
# BFD announcing BUSY_ROUTES /24s from a static protocol. The loop is held by
# `petrelc mrt dump rib` (the whole table encoded in the handler) and `show
# route` of the whole table (timed: the call's wall time is the handler's), then
# by t2's withdrawal (`birdc disable petrel` on t2: one decision withdraws them
# all, then the FIB hand-over). t1's BFD and BGP must never leave Up/Established.
BUSY_ROUTES=${BUSY_ROUTES:-300000}
big_static() {  # N: a static protocol with N /24s from 40.0.0.0 on
  echo "protocol static big { ipv4;"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  route %d.%d.%d.0/24 blackhole;\n", 40 + int(i / 65536), int(i / 256) % 256, i % 256 }'
  echo "}"
}
pd_imported() {  # NAME PEER: N of "Routes: N imported" in show protocols all PEER
  pd_birdc "$1" show protocols all "$2" | awk '$1 == "Routes:" { print $2; exit }'
}
t2_has_all() { [[ "$(pd_imported node t2)" == "$BUSY_ROUTES" ]]; }
t2_has_none() { local n; n=$(pd_imported node t2); [[ -z $n || $n == 0 ]]; }
t1_flaps() { log_count "${PD_LOG[node]}" 'peer t1 (BFD Up -> |state Established -> )'; }
bird_bfd_since() { birdc_q "$1" show bfd sessions | awk -v a="$2" '$1 == a { print $4, $5; exit }'; }
scenario_busy() {
  topo_star 2
  leaf_conf 1 10.200.0.1 "10.60.0.0/24" bfd | bird_start "${NS_LEAF[1]}" t1
  { leaf_conf 2 10.200.0.2 "" nobfd; big_static "$BUSY_ROUTES"; } | bird_start "${NS_LEAF[2]}" t2
  # t2 gets nothing back: a one-way full table, as from a transit peer.
  pd_start "$NS_R" node <<YAML
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
policies:
  all:
    - {action: accept}
  none:
    - {action: reject}
peers:
  - {name: t1, address: ${LEAF4[1]}, remote-as: 65001, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: all}, export: {policy: all}, bfd: {interval-ms: 100, multiplier: 3}}
  - {name: t2, address: ${LEAF4[2]}, remote-as: 65002, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: all}, export: {policy: none}}
YAML
  require_wait "t1 Established" 20 pd_established node t1
  require_wait "petrelc show bfd sessions: ${LEAF4[1]} Up" 15 pd_bfd_up node "${LEAF4[1]}"
  require_wait "BIRD t1: BFD Up" 10 bird_bfd_up t1 "$R4"
  require_wait "t2 Established" 30 pd_established node t2
  local t0; t0=$EPOCHREALTIME
  require_wait "petreld imported all $BUSY_ROUTES routes of t2" 120 t2_has_all
  echo "# $BUSY_ROUTES routes from t2 imported in $(secs "$t0" "$EPOCHREALTIME") s" >&2
  check "t1 did not flap while the table came in" test "$(t1_flaps)" = 0
  local bird_since bfd_since
  bird_since=$(bird_proto_since t1 petrel)
  bfd_since=$(bird_bfd_since t1 "$R4")

  # 1. The whole table encoded in one handler.
  t0=$EPOCHREALTIME
  require "petrelc mrt dump rib ($BUSY_ROUTES prefixes)" timeout 60 "$PETRELC" -s "${PD_SOCK[node]}" mrt dump rib "$PTR_SCOPE/rib.mrt"
  local d_mrt; d_mrt=$(secs "$t0" "$EPOCHREALTIME")
  echo "# petrelc mrt dump rib held petreld's event loop for ${d_mrt} s (BFD detection time 0.3 s)" >&2
  # 2. show route of the whole table.
  t0=$EPOCHREALTIME
  local lines; lines=$(timeout 60 "$PETRELC" -s "${PD_SOCK[node]}" show route | wc -l)
  local d_show; d_show=$(secs "$t0" "$EPOCHREALTIME")
  echo "# petrelc show route ($lines lines) took ${d_show} s" >&2
  check "show route listed the whole table ($lines lines)" test "$lines" -gt "$BUSY_ROUTES"
  check "one call held the loop for over a second (mrt dump ${d_mrt} s, show route ${d_show} s)" \
    bash -c "awk -v a='$d_mrt' -v b='$d_show' 'BEGIN { exit !(a > 1 || b > 1) }'"
  # 3. t2 goes away: one decision withdraws the whole table, then the FIB.
  t0=$EPOCHREALTIME
  require "birdc disable petrel on t2" birdc_q t2 disable petrel
  require_wait "petreld withdrew all of t2's routes" 60 t2_has_none
  echo "# t2 disabled: its $BUSY_ROUTES routes withdrawn (as petrelc saw it) after $(secs "$t0" "$EPOCHREALTIME") s" >&2
  ptr_sleep 1   # more than a detection time after the last of it
  grep -E 'peer t[12] (BFD|state)' "${PD_LOG[node]}" | sed 's/^/# petreld: /' >&2
  check "petreld log: t1's BFD never left Up, its BGP session never left Established" test "$(t1_flaps)" = 0
  check "petrelc show bfd sessions: ${LEAF4[1]} Up" pd_bfd_up node "${LEAF4[1]}"
  check "t1 Established (petreld)" pd_established node t1
  check "BIRD t1: BGP Established" bird_established t1
  check_eq "BIRD t1: the BGP session's Since unchanged" "$bird_since" "$(bird_proto_since t1 petrel)"
  check_eq "BIRD t1: the BFD session's Since unchanged" "$bfd_since" "$(bird_bfd_since t1 "$R4")"
  check "kernel: t1's 10.60.0.0/24 still there" kernel_has "$NS_R" "via ${LEAF4[1]//./\\.}" 10.60.0.0/24

  # 4. A planned stop (`down`) still says AdminDown (RFC 5880 §6.8.16, diag 7)
  # before petreld exits: the sessions are removed first, the BFD thread stopped
  # last. Seen on t1's wire by tshark (an independent decoder).
  local cap="$PTR_SCOPE/bfd.pcapng"
  ptr_spawn "${NS_LEAF[1]}" "$PTR_SCOPE/tshark.log" tshark -n -i veth0 -f "udp port 3784" -w "$cap"
  local tshark_pid=$PTR_LAST_PID
  require_wait "tshark capturing on t1's veth0" 15 log_has "$PTR_SCOPE/tshark.log" 'Capturing on'
  require "petrelc down" pd_petrelc node down
  check_wait "petreld exited" 10 ptr_not_alive "${PD_PID[node]}"
  ptr_sleep 0.5
  ptr_signal INT "$tshark_pid"
  wait_until 10 ptr_not_alive "$tshark_pid"
  local admin_down
  admin_down=$(tshark -n -r "$cap" -Y "ip.src == $R4 && bfd.sta == 0 && bfd.diag == 7" -T fields -e frame.number 2>/dev/null | wc -l)
  echo "# petrelc down: $admin_down AdminDown packets from petreld on t1's wire" >&2
  check "a planned stop: petreld sent AdminDown (diag 7) before it exited ($admin_down packets)" test "$admin_down" -ge 1
}

# ---------------------------------------------------------------- run

bfd_main() {
  local build=${1:-build}
  PETRELD=$(realpath -- "$build/daemon/petreld" 2>/dev/null)
  PETRELC=$(realpath -- "$build/shell/petrelc" 2>/dev/null)
  ptr_init bird birdc iptables
  if [[ ! -x $PETRELD || ! -x $PETRELC ]]; then
    fail "petreld/petrelc not built under $build"
    ptr_summary; exit 1
  fi
  RESULTS_FILE="$PTR_TMP/times"
  : >"$RESULTS_FILE"
  run_scenario bfd scenario_bfd
  run_scenario gr scenario_gr
  run_scenario multihop scenario_multihop
  run_scenario cbit scenario_cbit
  run_scenario ipv6 scenario_ipv6
  run_scenario dynamic scenario_dynamic
  run_scenario nobfd scenario_nobfd
  run_scenario ecmp scenario_ecmp
  run_scenario busy scenario_busy
  if [[ -s $RESULTS_FILE ]]; then
    echo "link cut -> BGP session down: with BFD (100 ms x 3) $(awk '$1 == "bfd" { print $2 }' "$RESULTS_FILE") s," \
      "without BFD (hold time 9 s) $(awk '$1 == "nobfd" { print $2 }' "$RESULTS_FILE") s"
  fi
  ptr_summary
}

bfd_main "$@"
