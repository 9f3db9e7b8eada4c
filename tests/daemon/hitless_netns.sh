#!/usr/bin/env bash
# tests/daemon/hitless_netns.sh — zero-loss restart evidence (issue 9): continuous UDP
# between pods on two nodes, counted at both ends (tests/tools/petrel_traffic.py),
# while petreld restarts and while the top-of-rack BIRD restarts gracefully.
#
#   bash tests/daemon/hitless_netns.sh BUILD_DIR   (BUILD_DIR/daemon/petreld, BUILD_DIR/shell/petrelc)
#   HIT_RATE=PPS (default 2000, per direction); PTR_ONLY=REGEX runs some scenarios only.
#
# Topology (namespaces hit-<pid>-...): a routed fabric, no shared L2 between nodes, so
# every packet follows routes the BGP speakers installed.
#
#   pod-a 10.244.1.10 ─ node-a (petreld, AS 64601) ─ 10.100.1.0/30 ─┐
#                        10.244.1.0/24                               tor (BIRD 2, AS 65000,
#   pod-b 10.244.2.10 ─ node-b (petreld, AS 64602) ─ 10.100.2.0/30 ─┘  kernel export)
#                        10.244.2.0/24
#
# pod-a -> pod-b: node-a's route 10.244.2.0/24 via the ToR (proto petrel, learnt from the
# ToR), the ToR's 10.244.2.0/24 via node-b (proto bird). pod-b -> pod-a the other way.
# Neither node has any other route off its link: without petreld's routes the packets
# have nowhere to go. Graceful restart (RFC 4724) is configured on both sides.
#
# Scenarios, each with its own traffic (HIT_RATE pps each way, both directions counted):
#   down-twice  `petrelc down`, start; as soon as it has reconverged, SIGTERM, start again
#               (two restarts within the restart time): 0 lost either way
#   kill9       kill -9 petreld, start: 0 lost either way
#   twice-quickly  kill -9 petreld, start; as soon as its log says the ToR session is back
#               (before the End-of-RIB exchange, mostly), kill -9 again, start: 0 lost either way;
#               both starts loaded the warm-restart snapshot and sent it at once
#   bird-gr     `birdc graceful restart` on the ToR, then `bird -R`: 0 lost either way
#   bird-kill9  kill -9 of the ToR's BIRD, then `bird -R`: 0 lost either way
#   control     the negative control: kill -9 petreld, its kernel routes flushed, start:
#               the same counting shows the packets lost while node-a had no route; then
#               one route deleted while petreld is down: R without F, and the log says why
#   down-peer   (mesh topology) node-b's petreld is killed, so node-a's session to it is
#               down when node-a is killed and restarted: selection waits for the ToR only
#               (Established with graceful restart before the restart) and is released on
#               its End-of-RIB, seconds after the start, not at the 60 s deferral timer
# Every case also records `ip monitor route` in the restarted node's namespace (and the
# ToR's) and asserts that no route of petreld's (BIRD's) was deleted or re-added.
# Ends with "N passed, N failed".

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PTR_NS_PREFIX=${PTR_NS_PREFIX:-hit}
# shellcheck source=tests/interop/lib.sh
source "$HERE/../interop/lib.sh"

TRAFFIC="$HERE/../tools/petrel_traffic.py"
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
RATE=${HIT_RATE:-2000}
RESTART_TIME=120
MESH=0   # scenario mesh: node-a and node-b also peer directly over their own link

# ---------------------------------------------------------------- topology

# hit_topology: the namespaces above; sets NS_TOR, NS_NODE[a|b], NS_POD[a|b].
declare -gA NS_NODE=() NS_POD=() NODE_IP=() TOR_IP=() NODE_AS=() POD_IP=() POD_NET=() MESH_IP=()
hit_topology() {
  ns_add tor; NS_TOR=$REPLY
  nsx "$NS_TOR" sysctl -qw net.ipv4.ip_forward=1
  local n i=0
  for n in a b; do
    i=$((i + 1))
    ns_add "node-$n"; NS_NODE[$n]=$REPLY
    ns_add "pod-$n"; NS_POD[$n]=$REPLY
    TOR_IP[$n]=10.100.$i.1; NODE_IP[$n]=10.100.$i.2; NODE_AS[$n]=$((64600 + i))
    POD_IP[$n]=10.244.$i.10; POD_NET[$n]=10.244.$i.0/24
    ns_link "$NS_TOR" "t$n" "${NS_NODE[$n]}" fabric
    ns_addr "$NS_TOR" "t$n" "${TOR_IP[$n]}/30"
    ns_addr "${NS_NODE[$n]}" fabric "${NODE_IP[$n]}/30"
    nsx "${NS_NODE[$n]}" sysctl -qw net.ipv4.ip_forward=1
    # The pod, routed as Calico routes a workload: a /32 at each end of its veth.
    ns_link "${NS_NODE[$n]}" pod "${NS_POD[$n]}" eth0
    ns_addr "${NS_NODE[$n]}" pod "10.244.$i.1/32"
    ip -n "${NS_NODE[$n]}" route add "${POD_IP[$n]}/32" dev pod scope link
    ns_addr "${NS_POD[$n]}" eth0 "${POD_IP[$n]}/32"
    ip -n "${NS_POD[$n]}" route add 10.244.$i.1 dev eth0 scope link
    ip -n "${NS_POD[$n]}" route add default via 10.244.$i.1
  done
  if (( MESH )); then
    # A direct link between the nodes (10.100.3.0/30) and an eBGP session over it:
    # the shorter AS path, so the pods' traffic takes it; the ToR is the backup.
    MESH_IP[a]=10.100.3.1; MESH_IP[b]=10.100.3.2
    ns_link "${NS_NODE[a]}" mesh "${NS_NODE[b]}" mesh
    ns_addr "${NS_NODE[a]}" mesh "${MESH_IP[a]}/30"
    ns_addr "${NS_NODE[b]}" mesh "${MESH_IP[b]}/30"
  fi
}
other_node() { [[ $1 == a ]] && echo b || echo a; }
# node_path N: how node N reaches the other node's pods ("via ADDR dev IF").
node_path() {
  if (( MESH )); then echo "via ${MESH_IP[$(other_node "$1")]} dev mesh"; else echo "via ${TOR_IP[$1]} dev fabric"; fi
}

# tor_bird: BIRD on the ToR, graceful restart on both sessions; its kernel protocol
# keeps its routes through a graceful restart and syncs only after recovery.
tor_bird() {
  bird_start "$NS_TOR" tor <<EOF
router id 10.100.0.1;
protocol device { scan time 10; }
protocol kernel { ipv4 { export all; }; graceful restart on; }
$(for n in a b; do cat <<EON
protocol bgp node_$n {
  local ${TOR_IP[$n]} as 65000; neighbor ${NODE_IP[$n]} as ${NODE_AS[$n]};
  hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2;
  graceful restart on; graceful restart time $RESTART_TIME;
  ipv4 { import all; export all; };
}
EON
done)
EOF
}

# ---------------------------------------------------------------- petreld

# pd_start N: petreld on node N (config written on the first start, kept afterwards);
# each start logs to its own file, NODE.START.petreld.log.
declare -gA PD_PID=() PD_CONF=() PD_SOCK=() PD_LOG=() PD_STARTS=()
pd_start() {
  local n=$1
  PD_CONF[$n]="$PTR_SCOPE/node-$n.yaml.log"
  PD_SOCK[$n]="$PTR_SCOPE/node-$n.ctl"
  PD_STARTS[$n]=$(( ${PD_STARTS[$n]:-0} + 1 ))
  PD_LOG[$n]="$PTR_SCOPE/node-$n.${PD_STARTS[$n]}.petreld.log"
  local o; o=$(other_node "$n")
  [[ -s ${PD_CONF[$n]} ]] || cat >"${PD_CONF[$n]}" <<EOF
router-id: ${NODE_IP[$n]}
local-as: ${NODE_AS[$n]}
listen: [{address: ${NODE_IP[$n]}, port: 179}$( (( MESH )) && echo ", {address: ${MESH_IP[$n]}, port: 179}")]
selection-deferral: 60
originate:
  - {prefix: ${POD_NET[$n]}, blackhole: true}
prefix-sets: {own: ["${POD_NET[$n]}"]}
policies:
  from-tor: [{action: accept}]
  to-tor:
    - {match: {prefix-set: own}, action: accept}
    - {action: reject}
peers:
  - {name: tor, address: ${TOR_IP[$n]}, remote-as: 65000, local-address: ${NODE_IP[$n]}, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}, graceful-restart: {restart-time: $RESTART_TIME}}
$( (( MESH )) && echo "  - {name: mesh, address: ${MESH_IP[$o]}, remote-as: ${NODE_AS[$o]}, local-address: ${MESH_IP[$n]}, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}, graceful-restart: {restart-time: $RESTART_TIME}}")
EOF
  # The store (route journal) in the test's own directory, never /var/lib/petrel.
  grep -q '^store:' "${PD_CONF[$n]}" || echo "store: {path: $PTR_SCOPE/node-$n.store}" >>"${PD_CONF[$n]}"
  rm -f "${PD_SOCK[$n]}"
  ptr_spawn "${NS_NODE[$n]}" "${PD_LOG[$n]}" "$PETRELD" -c "${PD_CONF[$n]}" -s "${PD_SOCK[$n]}" --foreground
  PD_PID[$n]=$PTR_LAST_PID
  wait_until 10 test -S "${PD_SOCK[$n]}" || { fail "petreld node-$n: no control socket" "$(cat "${PD_LOG[$n]}")"; exit 1; }
}

pd_petrelc() { local n=$1; shift; timeout 5 "$PETRELC" -s "${PD_SOCK[$n]}" "$@"; }
# Every session of node N Established (tor; and mesh in the mesh scenario).
pd_established() {
  local want=$(( 1 + MESH ))
  [[ $(pd_petrelc "$1" show protocols 2>/dev/null | grep -Ec '^(tor|mesh) .* Established') == "$want" ]]
}
# The FIB holds exactly what petreld selected: ROUTES desired, none differs, none queued.
pd_fib_in_sync() { pd_petrelc "$1" show fib 2>/dev/null | grep -q "^$2 desired, 0 differ from the kernel, 0 queued"; }
# pd_reconverged N: session up, selection done (after a restart: released), FIB in sync.
pd_reconverged() {
  pd_established "$1" || return 1
  if log_has "${PD_LOG[$1]}" 'selection waits for End-of-RIB'; then
    log_has "${PD_LOG[$1]}" 'graceful-restart: selection released' || return 1
  fi
  pd_fib_in_sync "$1" 2
}
# The ToR's view of node N's session: Established, and no graceful restart running.
tor_settled() {
  local out
  out=$(birdc_q tor show protocols all "node_$1") || return 1
  grep -q 'BGP state: *Established' <<<"$out" && ! grep -qi 'graceful restart active' <<<"$out" &&
    ! grep -qi 'recovery in progress' <<<"$out"
}
# tor_saw_bits N: what the ToR read in node N's graceful-restart capability on the
# current session: "R F" (Restart State; Forwarding State for IPv4), "R", "F" or "".
tor_saw_bits() {
  local caps
  caps=$(birdc_q tor show protocols all "node_$1" | sed -n '/Neighbor capabilities/,/Session:/p')
  echo "$(grep -q 'Restart recovery' <<<"$caps" && echo R) $(grep -Eq 'AF preserved: +ipv4' <<<"$caps" && echo F)" |
    xargs
}
tor_has_route() { ip -n "$NS_TOR" route show "$1" | grep -q "via ${NODE_IP[$2]//./\\.} .*proto bird"; }
node_has_route() {   # node N has petreld's route towards the other node's pods
  local other=$2
  local path; path=$(node_path "$1")
  ip -n "${NS_NODE[$1]}" route show "${POD_NET[$other]}" | grep -q "${path//./\\.} proto petrel"
}
all_converged() {
  pd_reconverged a && pd_reconverged b && tor_settled a && tor_settled b &&
    node_has_route a b && node_has_route b a && tor_has_route "${POD_NET[a]}" a && tor_has_route "${POD_NET[b]}" b
}

# pd_wait_exit N: petreld's process is gone (after `down`, SIGTERM or SIGKILL).
pd_wait_exit() {
  wait_until 5 ptr_not_alive "${PD_PID[$1]}" || { fail "petreld node-$1 did not exit"; exit 1; }
  wait "${PD_PID[$1]}" 2>/dev/null
  return 0
}

# ---------------------------------------------------------------- traffic and monitors

# traffic_start CASE: a receiver in each pod, then a sender towards the other pod
# (flow 1: pod-a -> pod-b, flow 2: pod-b -> pod-a), HIT_RATE packets per second each.
declare -gA TR_SEND=() TR_RECV=()
traffic_start() {
  local c=$1 n other flow
  for n in a b; do
    flow=$([[ $n == b ]] && echo 1 || echo 2)
    rm -f "$PTR_SCOPE/$c.recv-$n.ready"
    ptr_spawn "${NS_POD[$n]}" "$PTR_SCOPE/$c.recv-$n.out" "$PYTHON" "$TRAFFIC" recv \
      --bind "${POD_IP[$n]}:47000" --flow "$flow" --out "$PTR_SCOPE/$c.recv-$n.sum" --ready "$PTR_SCOPE/$c.recv-$n.ready"
    TR_RECV[$n]=$PTR_LAST_PID
  done
  for n in a b; do
    wait_until 5 test -e "$PTR_SCOPE/$c.recv-$n.ready" || { fail "$c: receiver in pod-$n did not start"; exit 1; }
  done
  for n in a b; do
    other=$([[ $n == a ]] && echo b || echo a)
    flow=$([[ $n == a ]] && echo 1 || echo 2)
    ptr_spawn "${NS_POD[$n]}" "$PTR_SCOPE/$c.send-$n.out" "$PYTHON" "$TRAFFIC" send \
      --to "${POD_IP[$other]}:47000" --rate "$RATE" --flow "$flow" --out "$PTR_SCOPE/$c.send-$n.sum"
    TR_SEND[$n]=$PTR_LAST_PID
  done
}

# traffic_stop CASE: senders first, then (once the last packets had time to arrive)
# the receivers; each writes its summary. Sets LOST[a->b], LOST[b->a] (-1: no summary).
declare -gA LOST=()
traffic_stop() {
  local c=$1 n other line rc
  for n in a b; do ptr_stop "${TR_SEND[$n]}"; done
  ptr_sleep 0.5
  for n in a b; do ptr_stop "${TR_RECV[$n]}"; done
  for n in a b; do
    other=$([[ $n == a ]] && echo b || echo a)
    line=$("$PYTHON" "$TRAFFIC" compare "$PTR_SCOPE/$c.send-$n.sum" "$PTR_SCOPE/$c.recv-$other.sum" 2>&1); rc=$?
    printf '# %s: pod-%s -> pod-%s: %s\n' "$c" "$n" "$other" "$line" >&2
    echo "$c pod-$n->pod-$other $line" >>"$PTR_TMP/counts"
    if (( rc == 2 )); then LOST[$n-$other]=-1; else LOST[$n-$other]=$(kv_get lost <<<"$line"); fi
    SENT[$n-$other]=$(kv_get sent <<<"$line")
  done
}
declare -gA SENT=()

# The rate the senders kept: at least 1,000 pps each way, or the evidence does not count.
check_rate() {
  local c=$1 n r
  for n in a b; do
    r=$(kv_get rate <"$PTR_SCOPE/$c.send-$n.sum")
    check "$c: pod-$n sent at >= 1000 pps (${r:-?} pps)" test "${r:-0}" -ge 1000
  done
}

# monitor_start NAME NS: `ip monitor route` in NS, to NAME.monitor.log.
declare -gA MON_PID=()
monitor_start() {
  ptr_spawn "$2" "$PTR_SCOPE/$1.monitor.log" ip -ts monitor route
  MON_PID[$1]=$PTR_LAST_PID
}
monitor_stop() { ptr_stop "${MON_PID[$1]}"; sed "s/^/# ip monitor ($1): /" "$PTR_SCOPE/$1.monitor.log" >&2; }
# monitor_clean NAME PROTO: no route of PROTO deleted, none of the pods' prefixes touched.
monitor_clean() {
  local f="$PTR_SCOPE/$1.monitor.log"
  check "ip monitor ($1): no route of proto $2 deleted" ptr_not grep -Eq "Deleted .*proto $2" "$f"
  check "ip monitor ($1): the pod prefixes were neither deleted nor re-added" \
    ptr_not grep -Eq '10\.244\.[12]\.0/24' "$f"
}

# ---------------------------------------------------------------- the scenarios

setup_fabric() {
  hit_topology
  tor_bird
  pd_start a
  pd_start b
  require_wait "both sessions up, routes in all three kernels" 30 all_converged
  ip -n "${NS_NODE[a]}" route | sed 's/^/# node-a kernel: /' >&2
  ip -n "$NS_TOR" route | sed 's/^/# tor kernel: /' >&2
  check "node-a forwards to pod-b through petreld's route ($(node_path a))" bash -c \
    "ip -n '${NS_NODE[a]}' route get ${POD_IP[b]} | grep -q '$(node_path a)'"
  check "node-b forwards to pod-a through petreld's route ($(node_path b))" bash -c \
    "ip -n '${NS_NODE[b]}' route get ${POD_IP[a]} | grep -q '$(node_path b)'"
  check "node-a has no other way off its link (no default route)" \
    test -z "$(ip -n "${NS_NODE[a]}" route show default)"
}

# run_case CASE ACTION...: traffic both ways, monitors on node-a and the ToR, ACTION
# (which returns once everything has reconverged), then the counts: 0 lost.
run_case() {
  local c=$1; shift
  monitor_start "$c.node-a" "${NS_NODE[a]}"
  monitor_start "$c.node-b" "${NS_NODE[b]}"
  monitor_start "$c.tor" "$NS_TOR"
  traffic_start "$c"
  ptr_sleep 1
  "$@"
  ptr_sleep 1
  traffic_stop "$c"
  monitor_stop "$c.node-a"
  monitor_stop "$c.node-b"
  monitor_stop "$c.tor"
  check_rate "$c"
  monitor_clean "$c.node-a" petrel
  monitor_clean "$c.node-b" petrel
  monitor_clean "$c.tor" bird
  check_eq "$c: pod-a -> pod-b: 0 lost of ${SENT[a-b]:-?}" 0 "${LOST[a-b]}"
  check_eq "$c: pod-b -> pod-a: 0 lost of ${SENT[b-a]:-?}" 0 "${LOST[b-a]}"
}

restart_down_then_term() {
  require "restart 1: petrelc down" pd_petrelc a down
  pd_wait_exit a
  check "node-a kept petreld's route while it was down" node_has_route a b
  check "the ToR kept node-a's route (graceful-restart helper)" tor_has_route "${POD_NET[a]}" a
  pd_start a
  require_wait "restart 1: reconverged (session up, End-of-RIB, FIB in sync, ToR settled)" 30 all_converged
  check "restart 1: petreld adopted its 2 kernel routes" log_has "${PD_LOG[a]}" 'FIB: 2 routes of protocol 201 .* kept from before'
  # At once, well within the restart time of the first.
  require "restart 2: SIGTERM" ptr_signal TERM "${PD_PID[a]}"
  pd_wait_exit a
  pd_start a
  require_wait "restart 2: reconverged" 30 all_converged
  check "restart 2: petreld adopted its 2 kernel routes" log_has "${PD_LOG[a]}" 'FIB: 2 routes of protocol 201 .* kept from before'
  check "restart 2: selection waited for the ToR's End-of-RIB" \
    log_has "${PD_LOG[a]}" 'graceful-restart: selection released \(all End-of-RIB\)'
  check_eq "restart 2: the ToR read the Restart State and Forwarding State bits" "R F" "$(tor_saw_bits a)"
  check "restart 2: F because the kernel held all 2 routes the store had seen confirmed" \
    log_has "${PD_LOG[a]}" 'graceful restart: IPv4 forwarding state preserved: the kernel holds 2 of 2 routes installed before the restart'
}

restart_kill9() {
  require "kill -9 petreld" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  pd_start a
  require_wait "reconverged after kill -9" 30 all_converged
  check "petreld adopted its 2 kernel routes" log_has "${PD_LOG[a]}" 'FIB: 2 routes of protocol 201 .* kept from before'
  check "kill -9: the kernel held all 2 routes installed before (forwarding state preserved)" \
    log_has "${PD_LOG[a]}" 'graceful restart: IPv4 forwarding state preserved: the kernel holds 2 of 2 routes installed before the restart'
  check_eq "kill -9: the ToR read the Restart State and Forwarding State bits" "R F" "$(tor_saw_bits a)"
}

# Two restarts in a row, the second a few hundred ms after the session came back:
# without the snapshot, the ToR's End-of-RIB sweep after the short session flushed
# node-a's route (petreld had sent nothing yet) and pod-b -> pod-a lost ~0.66 s.
restart_twice_quickly() {
  require "restart 1: kill -9 petreld" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  pd_start a
  local first_log=${PD_LOG[a]} t0=$EPOCHREALTIME
  # Watch the log, not the shell: the second kill should come before the End-of-RIB
  # exchange (tens of ms after the session is up) settles selection.
  until grep -q 'peer tor established' "$first_log"; do
    awk -v n="$EPOCHREALTIME" -v t="$t0" 'BEGIN { exit !(n - t > 15) }' && { fail "restart 1: no session with the ToR"; exit 1; }
    ptr_sleep 0.01
  done
  require "restart 2: kill -9 petreld, at once after the session's return" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  check "restart 1 loaded the warm-restart snapshot (2 prefixes, every path: 2)" \
    log_has "$first_log" 'warm restart: snapshot of 2 prefixes, 2 paths loaded'
  check "restart 1 sent the snapshot's paths at once (2 paths from 2 sources)" \
    log_has "$first_log" 'warm restart: 2 snapshot paths from 2 sources stand in'
  check "the ToR kept node-a's route through both restarts" tor_has_route "${POD_NET[a]}" a
  echo "# twice-quickly: restart 1's selection released before the second kill: $(log_has "$first_log" 'selection released' && echo yes || echo no)" >&2
  pd_start a
  require_wait "restart 2: reconverged" 30 all_converged
  check "restart 2 loaded the same snapshot (2 prefixes, 2 paths)" \
    log_has "${PD_LOG[a]}" 'warm restart: snapshot of 2 prefixes, 2 paths loaded'
  check "restart 2: the snapshot's paths swept at the release, the live ones decided" \
    log_has "${PD_LOG[a]}" 'warm restart: 2 snapshot paths swept'
  check_eq "restart 2: the ToR read the Restart State and Forwarding State bits" "R F" "$(tor_saw_bits a)"
}

restart_bird() {
  require "birdc graceful restart" birdc_q tor graceful restart
  wait_until 10 ptr_not_alive "${BIRD_PID[tor]}" || { fail "BIRD did not stop"; exit 1; }
  wait "${BIRD_PID[tor]}" 2>/dev/null
  check "ToR kept its routes while BIRD was gone" tor_has_route "${POD_NET[b]}" b
  check_wait "node-a keeps the ToR's routes (stale, graceful-restart helper)" 5 \
    log_has "${PD_LOG[a]}" 'peer tor graceful-restart keeping 1 routes'
  bird_launch tor -R
  require_wait "reconverged after BIRD's graceful restart" 60 all_converged
  check_wait "node-a: the recovered ToR's End-of-RIB, nothing stale left to sweep" 5 \
    log_has "${PD_LOG[a]}" 'peer tor stale routes swept: 0 \(End-of-RIB\)'
}

# A crash of the ToR's BIRD: its kernel routes stay (nobody removes them), the
# sessions end without a NOTIFICATION, the nodes keep its routes as helpers; the next
# BIRD starts in recovery (-R) and syncs its kernel table only once recovered.
restart_bird_kill9() {
  require "kill -9 bird" ptr_signal KILL "${BIRD_PID[tor]}"
  wait_until 5 ptr_not_alive "${BIRD_PID[tor]}" || { fail "BIRD did not die"; exit 1; }
  wait "${BIRD_PID[tor]}" 2>/dev/null
  check "ToR kept its routes while BIRD was gone" tor_has_route "${POD_NET[b]}" b
  check_wait "node-a keeps the ToR's routes (stale, graceful-restart helper)" 5 \
    log_count_ge "${PD_LOG[a]}" 'peer tor graceful-restart keeping 1 routes' 2
  bird_launch tor -R
  require_wait "reconverged after BIRD's crash and recovery" 60 all_converged
  check_wait "node-a: the recovered ToR's End-of-RIB, nothing stale left to sweep" 5 \
    log_count_ge "${PD_LOG[a]}" 'peer tor stale routes swept: 0 \(End-of-RIB\)' 2
}

scenario_hitless() {
  setup_fabric
  run_case down-twice restart_down_then_term
  run_case kill9 restart_kill9
  run_case twice-quickly restart_twice_quickly
  run_case bird-gr restart_bird
  run_case bird-kill9 restart_bird_kill9
  check "petreld node-b still running" ptr_alive "${PD_PID[b]}"
}

# node-b as the helper of a restarting node-a over the direct session (both petreld,
# both with the N bit): `down` and SIGTERM send Cease / Administrative Reset, which
# node-b takes as a graceful restart (RFC 8538) and keeps node-a's route; node-b's
# kernel route towards pod-a never moves to the ToR path (its monitor is checked).
scenario_mesh() {
  MESH=1
  setup_fabric
  run_case mesh-down-twice restart_down_then_term
  check "node-b received Cease / Administrative Reset (6/4) from node-a, twice" \
    log_count_ge "${PD_LOG[b]}" 'peer mesh notification-received 6/4' 2
  check "node-b kept node-a's route as helper, twice" \
    log_count_ge "${PD_LOG[b]}" 'peer mesh graceful-restart keeping 1 routes' 2
  run_case mesh-kill9 restart_kill9
  check "node-b kept node-a's route after the kill -9 too" \
    log_count_ge "${PD_LOG[b]}" 'peer mesh graceful-restart keeping 1 routes' 3
}

# ---------------------------------------------------------------- negative control

# The same counting must see a loss when petreld's routes are not there: kill -9,
# flush proto petrel on node-a, start again (a cold start: it learns and installs the
# route anew after its session comes up).
# flush_petrel_routes NS: deletes every IPv4 route of proto petrel, one `ip route del`
# each. (`ip route flush` answers EINVAL for a route with an nhid — petreld's routes
# refer to nexthop objects by default —, and deleting the objects would take their
# routes with no RTM_DELROUTE for `ip monitor` to see.)
flush_petrel_routes() {
  local ns=$1 first second rest
  ip -n "$ns" -o route show proto petrel | while read -r first second rest; do
    if [[ $first == blackhole ]]; then
      ip -n "$ns" route del blackhole "$second" proto petrel
    else
      ip -n "$ns" route del "$first" proto petrel
    fi
  done
  [[ -z "$(ip -n "$ns" route show proto petrel)" ]]
}
restart_flushed() {
  require "kill -9 petreld" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  require "flush node-a's routes of proto petrel" flush_petrel_routes "${NS_NODE[a]}"
  ptr_sleep 0.5
  pd_start a
  require_wait "reconverged after the flushed restart" 30 all_converged
  # F is honest: nothing of ours was in the kernel, so nothing was preserved.
  check_eq "flushed restart: the ToR read no Forwarding State bit (cold start)" "" "$(tor_saw_bits a)"
  check "flushed restart: the log says why (the store's kernel set against the kernel)" \
    log_has "${PD_LOG[a]}" 'cold start: IPv4 forwarding state not preserved: the kernel holds 0 of 2 routes installed before the restart \(flushed\)'
}

# One of node-a's two routes (the one towards pod-b) deleted while petreld is down:
# the blackhole stays, so petreld restarts gracefully (R), but the kernel no longer
# forwards as before: the F bit is clear, and the log says which routes were missing.
restart_one_route_lost() {
  require "kill -9 petreld" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  require "delete node-a's route towards pod-b" ip -n "${NS_NODE[a]}" route del "${POD_NET[b]}" proto petrel
  pd_start a
  require_wait "reconverged after the restart with a route lost" 30 all_converged
  check "one route lost: the log says forwarding was not preserved (1 of 2 held)" \
    log_has "${PD_LOG[a]}" 'graceful restart: IPv4 forwarding state not preserved: the kernel holds 1 of 2 routes installed before the restart \(1 lost or changed\)'
  check_eq "one route lost: the ToR read the Restart State bit, no Forwarding State bit" "R" "$(tor_saw_bits a)"
}
scenario_control() {
  setup_fabric
  monitor_start control.node-a "${NS_NODE[a]}"
  traffic_start control
  ptr_sleep 1
  restart_flushed
  ptr_sleep 1
  traffic_stop control
  monitor_stop control.node-a
  check "control: pod-a -> pod-b lost packets while node-a had no route (lost ${LOST[a-b]} of ${SENT[a-b]})" \
    test "${LOST[a-b]}" -gt 0
  check "control: the monitor saw petreld's route deleted" grep -Eq "Deleted .*10\.244\.2\.0/24.*proto petrel" \
    "$PTR_SCOPE/control.node-a.monitor.log"
  restart_one_route_lost
}

# ---------------------------------------------------------------- a peer down before the restart

# Selection deferral after a restart waits for exactly the peers that were
# Established with graceful restart when petreld stopped (the store keeps their
# state): node-b's session is down (its petreld killed) when node-a restarts, so
# node-a's selection is released on the ToR's End-of-RIB, not at the deferral
# timer (60 s here) that a wait for the mesh session would run into.
scenario_down_peer() {
  MESH=1
  setup_fabric
  require "kill -9 node-b's petreld" ptr_signal KILL "${PD_PID[b]}"
  pd_wait_exit b
  require_wait "node-a: its session to node-b is down" 20 bash -c \
    "! timeout 5 '$PETRELC' -s '${PD_SOCK[a]}' show protocols | grep -Eq '^mesh .* Established'"
  ptr_sleep 0.5  # the store thread writes the session's state (it settles 50 ms)
  require "kill -9 node-a's petreld" ptr_signal KILL "${PD_PID[a]}"
  pd_wait_exit a
  pd_start a
  local log=${PD_LOG[a]}
  require_wait "node-a: selection released" 30 log_has "$log" 'graceful-restart: selection released'
  check "down-peer: selection waits for the ToR (Established with graceful restart before the restart)" \
    log_has "$log" 'graceful restart: selection waits for peer tor: Established with graceful restart before the restart'
  check "down-peer: selection does not wait for node-b (its session was down before the restart)" \
    log_has "$log" 'graceful restart: selection does not wait for peer mesh: not Established before the restart'
  check "down-peer: released on the End-of-RIB awaited, not at the deadline" \
    log_has "$log" 'graceful-restart: selection released \(all End-of-RIB\)'
  # The time from petreld's start to the release, from its own log's timestamps.
  local t_start t_release secs
  t_start=$(head -1 "$log" | cut -d' ' -f1)  # petreld's first log line
  t_release=$(grep -m1 'graceful-restart: selection released' "$log" | cut -d' ' -f1)
  secs=$("$PYTHON" -c "import datetime,sys; f=lambda s: datetime.datetime.fromisoformat(s); print(f'{(f(sys.argv[2]) - f(sys.argv[1])).total_seconds():.2f}')" "$t_start" "$t_release")
  echo "# down-peer: selection released ${secs} s after the start (selection-deferral: 60 s)" >&2
  check "down-peer: released ${secs} s after the start, well before the 60 s deferral timer" \
    "$PYTHON" -c "import sys; sys.exit(0 if float(sys.argv[1]) < 15 else 1)" "$secs"
  local all
  all=$(pd_petrelc a show protocols all mesh)
  check "down-peer: show protocols all mesh says it was not waited for" \
    grep -q 'Graceful restart: waited for at restart: no (not Established before the restart)' <<<"$all"
  all=$(pd_petrelc a show protocols all tor)
  check "down-peer: show protocols all tor says it was waited for" \
    grep -q 'Graceful restart: waited for at restart: yes (Established with graceful restart before the restart)' <<<"$all"
}

# ---------------------------------------------------------------- run

hitless_main() {
  local build=${1:-build}
  PETRELD=$(realpath -- "$build/daemon/petreld" 2>/dev/null)
  PETRELC=$(realpath -- "$build/shell/petrelc" 2>/dev/null)
  ptr_init bird birdc "$PYTHON"
  if [[ ! -x $PETRELD || ! -x $PETRELC ]]; then
    fail "petreld/petrelc not built under $build"
    ptr_summary; exit 1
  fi
  : >"$PTR_TMP/counts"
  run_scenario hitless scenario_hitless
  run_scenario mesh scenario_mesh
  run_scenario control scenario_control
  run_scenario down-peer scenario_down_peer
  echo "counts (sent/received at both ends):"
  sed 's/^/  /' "$PTR_TMP/counts"
  ptr_summary
}

hitless_main "$@"
