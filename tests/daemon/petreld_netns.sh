#!/usr/bin/env bash
# tests/daemon/petreld_netns.sh — petreld as operators run it, against real BIRD 2 peers in
# network namespaces, checked through Debian's own birdc (as the control-socket client),
# petrelc, and the namespace's kernel routing table.
#
#   bash tests/daemon/petreld_netns.sh BUILD_DIR     (BUILD_DIR/daemon/petreld, BUILD_DIR/shell/petrelc)
#
# Topology (tests/interop/lib.sh topo_star): petreld in the hub namespace (10.11.0.1 on a
# bridge), each BIRD in a leaf namespace (10.11.0.2, .3, ...). Scenarios:
#   birdc     birdc -s petreld's socket: show status, show protocols [all], show route [all],
#             show route for/count/where; enable/disable; the BIRD peer sees the export
#             policy's community; the kernel holds the routes (proto petrel, blackhole);
#             petrelc --json and Petrel's own commands (show fib, show peers counters)
#   reload    `configure` (birdc) with a changed export policy and a new peer: the new
#             session comes up, the others keep their uptime, the peer sees the new
#             community; a broken file is refused and the running configuration kept;
#             `configure timeout` rolls back by itself unless confirmed
#   dynamic   a route reflector with a dynamic-neighbour range: BIRD clients that connect
#             become sessions named RANGE_ADDRESS, routes are reflected between them,
#             and a client that goes away leaves `show protocols`
#   dryrun    a route reflector with fib: {enabled: false}: next hops still resolve through
#             the kernel's table, the default route included; a path with no route towards
#             its next hop is shown unreachable and not reflected, until a default route
#   restart   kill -9 petreld: its routes stay in the kernel; the next petreld adopts
#             them with no delete or re-add in `ip monitor route`; SIGTERM leaves them too
#   nexthop   two BIRD neighbours on two separate veth links announce the same prefix
#             (ECMP, max-paths 2); a link taken down (in petreld's namespace, or the far
#             end's carrier) leaves the kernel route with the other next hop within a
#             second, and a third BIRD peer sees the other path, with no hold timer
#             involved; `show route` shows the path as unreachable; link up reinstalls;
#             a multihop next hop resolves through an IGP route (the kernel route names its
#             gateway, follows it when it moves, goes when it goes)
#             Kernel nexthop objects are the default (fib.nexthop-objects): every route
#             must refer to one (group for ECMP)
#   nexthop-plain  the same with fib: {nexthop-objects: false}: the same link events give
#             the same routes, none with an nhid
#   history   the store (rib/store): a BIRD peer's route flapped three times;
#             `petrelc show route history P` lists the flaps (announce, withdraw x3,
#             announce x3); `mrt dump rib` read by bgpdump agrees with `show route`,
#             `mrt dump history` read by bgpdump shows the same flaps; restarted
#             petreld keeps the journal; a garbage store: a log line, a cold start
#   drain     RFC 8326: petreld originates a pod CIDR and a service IP to an iBGP BIRD (ib)
#             and an eBGP BIRD (eb, honouring GRACEFUL_SHUTDOWN with BIRD's filter); a third
#             BIRD (alt) offers a worse path to the pod CIDR. `petrelc drain`: ib sees
#             (65535,0) and LOCAL_PREF 0, eb the community, both move to alt, the service IP
#             vanishes, no session resets, `show status` says Draining; `drain stop`: back as
#             before; `drain and down 2`: the routes move first, then Cease (`drain stop`
#             cancels a pending one); receiver side: eb's route with (65535,0) gets
#             LOCAL_PREF 0 in petreld and loses to ib's longer path
#   drain-restart  the drain is kept across a restart: `drain`, kill -9, start: the
#             log says still draining, ib and eb see (65535,0) again and the service
#             IP stays withdrawn; `drain stop`: normal, and a restart after it is not
#             draining; without a store the log says a drain is not kept
# Ends with "N passed, N failed".

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$HERE/../interop/lib.sh"
# The BIRD-side helpers (leaf_bird, bird_route_attr, ...) of the RIB interop test.
# shellcheck source=tests/interop/rib_interop.sh
source "$HERE/../interop/rib_interop.sh"

PETREL_AS=64512

# pd_start NS NAME [keep]: petreld with the YAML config on stdin (kept as NAME.yaml.log;
# with `keep`, the file written before is used again); its control socket is
# $PTR_SCOPE/NAME.ctl.
declare -gA PD_PID=() PD_CONF=() PD_SOCK=() PD_LOG=()
pd_start() {
  local ns=$1 name=$2
  PD_CONF[$name]="$PTR_SCOPE/$name.yaml.log"
  PD_SOCK[$name]="$PTR_SCOPE/$name.ctl"
  PD_LOG[$name]="$PTR_SCOPE/$name.petreld.log"
  if [[ ${3:-} != keep ]]; then
    cat >"${PD_CONF[$name]}"
    # The store (route journal) in the test's own directory, never /var/lib/petrel.
    grep -q '^store:' "${PD_CONF[$name]}" || echo "store: {path: $PTR_SCOPE/$name.store}" >>"${PD_CONF[$name]}"
  fi
  ptr_spawn "$ns" "${PD_LOG[$name]}" "$PETRELD" -c "${PD_CONF[$name]}" -s "${PD_SOCK[$name]}" --foreground
  PD_PID[$name]=$PTR_LAST_PID
  wait_until 10 test -S "${PD_SOCK[$name]}" || { fail "petreld $name: no control socket" "$(cat "${PD_LOG[$name]}")"; exit 1; }
}

# pd_birdc NAME ARGS...: Debian's birdc against petreld's socket (greeting line removed).
pd_birdc() {
  local name=$1; shift
  timeout 5 birdc -s "${PD_SOCK[$name]}" "$@" 2>&1 | sed '1{/^Petrel .* ready\.$/d}'
}
pd_petrelc() { local name=$1; shift; timeout 5 "$PETRELC" -s "${PD_SOCK[$name]}" "$@"; }
pd_state() { pd_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $NF; exit }'; }
pd_established() { [[ "$(pd_state "$1" "$2")" == Established ]]; }
pd_since() { pd_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $5 " " $6; exit }'; }
pd_has() { pd_birdc "$1" "${@:3}" | grep -Eq -- "$2"; }
kernel_has() { ip -n "$1" route show "${@:3}" | grep -Eq -- "$2"; }

node_conf() {   # COMMUNITY [EXTRA PEER LINES] [T1 EXTRA KEYS]
  cat <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
control-socket-readonly: $PTR_SCOPE/readonly.ctl
metrics: 127.0.0.1:9469
originate:
  - {prefix: 10.244.1.0/24, blackhole: true, communities: ["64512:100"]}
prefix-sets: {pods: ["10.244.0.0/16 le 26"]}
policies:
  from-tor:
    - {action: accept}
  to-tor:
    - {match: {prefix-set: pods}, set: {communities-add: ["$1"]}, action: accept}
    - {action: reject}
peers:
  - {name: t1, address: ${LEAF4[1]}, remote-as: 65001, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}${3:-}}
${2:-}
EOF
}

# ---------------------------------------------------------------- birdc as the client

scenario_birdc() {
  topo_star 1
  leaf_bird t1 1 10.200.0.1 65001 $PETREL_AS "10.60.0.0/24 10.61.0.0/24"
  node_conf 64512:200 | pd_start "$NS_R" node
  check_wait "birdc show protocols: t1 Established" 20 pd_established node t1
  pd_birdc node show protocols | sed 's/^/# birdc: /' >&2
  check "birdc show protocols: BIRD's heading" pd_has node '^Name +Proto +Table +State +Since +Info$' show protocols
  check "birdc show protocols: 't1 BGP --- up'" pd_has node '^t1 +BGP +--- +up +[0-9-]+ [0-9:]+ +Established' show protocols
  check "birdc show status: router id and 'Daemon is up and running'" \
    bash -c "timeout 5 birdc -s '${PD_SOCK[node]}' show status | grep -q 'Router ID is $R4' &&
             timeout 5 birdc -s '${PD_SOCK[node]}' show status | grep -q 'Daemon is up and running'"
  check_wait "birdc show protocols all t1: 'Routes: 2 imported, 1 exported'" 10 \
    pd_has node 'Routes: +2 imported, 1 exported' show protocols all t1
  check "birdc show protocols all t1: Neighbor AS 65001" pd_has node 'Neighbor AS: +65001' show protocols all t1
  pd_birdc node show route all | sed 's/^/# birdc: /' >&2
  check "birdc show route: 10.60.0.0/24 unicast [t1 ...] * (100) [AS65001i]" \
    pd_has node '^10\.60\.0\.0/24 +unicast \[t1 [0-9:.]+\] \* \(100\) \[AS65001i\]' show route
  check "birdc show route: via ${LEAF4[1]} on br0" pd_has node "via ${LEAF4[1]//./\\.} on br0" show route
  check "birdc show route: 10.244.1.0/24 blackhole [static ...]" \
    pd_has node '^10\.244\.1\.0/24 +blackhole \[static ' show route
  check "birdc show route all: BGP.as_path: 65001" pd_has node 'BGP\.as_path: 65001' show route all
  check "birdc show route for 10.61.0.77: 10.61.0.0/24" pd_has node '^10\.61\.0\.0/24' show route for 10.61.0.77
  check "birdc show route for 10.62.0.1: Network not found" pd_has node 'Network not found' show route for 10.62.0.1
  check "birdc show route count: 3 of 3 routes" pd_has node 'Total: 3 of 3 routes for 3 networks' show route count
  check "birdc show route where bgp_community ~ [(64512,100)]: only the originated prefix" \
    test "$(pd_birdc node show route where 'bgp_community ~ [(64512,100)]' | grep -c '/24')" = 1
  check_wait "t1 (BIRD) receives 10.244.1.0/24 with (64512,100) (64512,200)" 10 \
    test_eq_cmd "(64512,100) (64512,200)" bird_route_attr t1 10.244.1.0/24 BGP.community
  check_never "t1 never receives t1's own routes back or anything the policy rejects" 2 bird_has_route t1 10.60.0.0/24
  check "kernel: 10.60.0.0/24 via ${LEAF4[1]} proto petrel" kernel_has "$NS_R" "via ${LEAF4[1]//./\\.} dev br0 proto petrel" 10.60.0.0/24
  check "kernel: blackhole 10.244.1.0/24 proto petrel" kernel_has "$NS_R" '^blackhole 10\.244\.1\.0/24 proto petrel' 10.244.1.0/24
  ip -n "$NS_R" route | sed 's/^/# kernel: /' >&2

  # Petrel's own commands, through petrelc (birdc refuses commands it does not know).
  check "petrelc show fib: in sync, nothing marked" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show fib | tee /dev/stderr | grep -q '3 desired, 0 differ from the kernel'"
  check "petrelc --json show protocols: t1 Established" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' --json show protocols | grep -q '\"bgp_state\": *\"Established\"'"
  check "petrelc s pe c: counters row for t1" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' s pe c | grep -Eq '^t1 +[0-9]+ +[0-9]+'"

  # Prometheus metrics on the configured address (inside the node's namespace).
  local m; m=$(http_get "$NS_R" 9469 /metrics)
  grep -E '^petrel_bgp_peer_(up|prefixes_accepted)' <<<"$m" | sed 's/^/# metrics: /' >&2
  check "metrics: petrel_bgp_peer_up{peer=\"t1\"} 1" grep -Eq '^petrel_bgp_peer_up\{[^}]*peer="t1"[^}]*\} 1$' <<<"$m"
  check "metrics: 2 prefixes accepted from t1" grep -Eq '^petrel_bgp_peer_prefixes_accepted\{[^}]*peer="t1"[^}]*\} 2$' <<<"$m"
  check "metrics: RIB prefixes 3" grep -Eq '^petrel_rib_prefixes 3$' <<<"$m"
  check "metrics: /healthz ok" grep -q '^ok' <<<"$(http_get "$NS_R" 9469 /healthz)"
  check "metrics: /readyz ok (the DaemonSet's readiness probe)" grep -q '^ok' <<<"$(http_get "$NS_R" 9469 /readyz)"

  # The read-only socket: shows, but refuses changes.
  check "read-only socket: show protocols works" bash -c \
    "timeout 5 birdc -s '$PTR_SCOPE/readonly.ctl' show protocols | grep -q '^t1 '"
  check "read-only socket: disable refused with 'Access restricted'" bash -c \
    "timeout 5 birdc -s '$PTR_SCOPE/readonly.ctl' disable t1 | grep -q 'Access restricted'"
  check "read-only socket: t1 still up" pd_established node t1
  check "control sockets are mode 0660" test "$(stat -c %a "${PD_SOCK[node]}")/$(stat -c %a "$PTR_SCOPE/readonly.ctl")" = 660/660

  # Actions.
  check "birdc disable t1: 't1: disabled'" pd_has node '^t1: disabled$' disable t1
  check_wait "t1 down (BIRD sees the Cease)" 10 test_eq_cmd down pd_state_col node t1
  check "birdc disable t1 again: 'already disabled'" pd_has node 'already disabled' disable t1
  check "birdc enable t1: 't1: enabled'" pd_has node '^t1: enabled$' enable t1
  check_wait "t1 Established again" 20 pd_established node t1
  check "birdc show protocols nosuch: 'No protocols match'" pd_has node 'No protocols match' show protocols nosuch
  check "petreld still running" ptr_alive "${PD_PID[node]}"
}
# http_get NS PORT PATH: the body of a plain HTTP/1.0 GET to 127.0.0.1:PORT inside NS.
http_get() {
  ip netns exec "$1" timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$2"'; printf "GET %s HTTP/1.0\r\nHost: x\r\n\r\n" "'"$3"'" >&3; cat <&3' |
    tr -d '\r' | sed '1,/^$/d'
}
pd_state_col() { pd_birdc "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $4; exit }'; }

# ---------------------------------------------------------------- reload

scenario_reload() {
  topo_star 3
  leaf_bird t1 1 10.200.0.1 65001 $PETREL_AS "10.60.0.0/24"
  leaf_bird t2 2 10.200.0.2 65002 $PETREL_AS "10.70.0.0/24"
  leaf_bird t3 3 10.200.0.3 65003 $PETREL_AS "10.80.0.0/24"
  local t2line="  - {name: t2, address: ${LEAF4[2]}, remote-as: 65002, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}}"
  local t3line="  - {name: t3, address: ${LEAF4[3]}, remote-as: 65003, local-address: $R4, hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}}"
  node_conf 64512:200 "$t2line" | pd_start "$NS_R" node
  check_wait "t1 Established" 20 pd_established node t1
  check_wait "t2 Established" 20 pd_established node t2
  check_wait "t1 sees (64512,200)" 10 test_eq_cmd "(64512,100) (64512,200)" bird_route_attr t1 10.244.1.0/24 BGP.community
  local s1 s2 b1 b2
  s1=$(pd_since node t1); s2=$(pd_since node t2)
  b1=$(bird_proto_since t1 petrel); b2=$(bird_proto_since t2 petrel)
  ptr_sleep 1.5   # 'since' is printed to the second

  node_conf 64512:300 "$t2line"$'\n'"$t3line" >"${PD_CONF[node]}"
  local out; out=$(pd_birdc node configure)
  printf '%s\n' "$out" | sed 's/^/# birdc configure: /' >&2
  check "birdc configure: 'Reconfigured'" grep -q '^Reconfigured$' <<<"$out"
  check "birdc configure: says t3 was added" grep -q 'peer t3 added' <<<"$out"
  check_wait "t3 Established (new peer)" 20 pd_established node t3
  check_wait "t1 sees the new community (64512,300)" 10 \
    test_eq_cmd "(64512,100) (64512,300)" bird_route_attr t1 10.244.1.0/24 BGP.community
  check_eq "t1: petreld's 'since' unchanged" "$s1" "$(pd_since node t1)"
  check_eq "t2: petreld's 'since' unchanged" "$s2" "$(pd_since node t2)"
  check_eq "t1: BIRD's 'since' unchanged (no reset)" "$b1" "$(bird_proto_since t1 petrel)"
  check_eq "t2: BIRD's 'since' unchanged (no reset)" "$b2" "$(bird_proto_since t2 petrel)"
  check_wait "the kernel learned t3's 10.80.0.0/24" 10 kernel_has "$NS_R" 'proto petrel' 10.80.0.0/24

  # A broken file: refused, with the place and the key; the running configuration stays.
  cp "${PD_CONF[node]}" "$PTR_SCOPE/good.yaml.log"
  sed -i 's/hold-time: 9, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}}$/hold-time: 2, connect-retry: 2, import: {policy: from-tor}, export: {policy: to-tor}}/' "${PD_CONF[node]}"
  out=$(pd_birdc node configure check)
  printf '%s\n' "$out" | sed 's/^/# birdc configure check: /' >&2
  check "configure check: the error names the file, line and key" grep -Eq 'yaml\.log:[0-9]+:[0-9]+: peers\[[0-9]\]\.hold-time' <<<"$out"
  out=$(pd_birdc node configure)
  check "configure (broken file): refused" ptr_not grep -q '^Reconfigured' <<<"$out"
  check "t1 still Established after the refused file" pd_established node t1
  check_eq "t1: 'since' still unchanged" "$s1" "$(pd_since node t1)"

  # configure timeout: applied, then rolled back by itself without `configure confirm`.
  node_conf 64512:400 "$t2line"$'\n'"$t3line" >"${PD_CONF[node]}"
  out=$(pd_birdc node configure timeout 3)
  printf '%s\n' "$out" | sed 's/^/# birdc configure timeout: /' >&2
  check_wait "configure timeout: t1 sees (64512,400)" 10 \
    test_eq_cmd "(64512,100) (64512,400)" bird_route_attr t1 10.244.1.0/24 BGP.community
  check_wait "not confirmed: rolled back to (64512,300)" 10 \
    test_eq_cmd "(64512,100) (64512,300)" bird_route_attr t1 10.244.1.0/24 BGP.community
  check "petreld log: the rollback" log_has "${PD_LOG[node]}" 'configure timeout: not confirmed, rolling back'
  check "petreld still running" ptr_alive "${PD_PID[node]}"
}

# ---------------------------------------------------------------- dynamic neighbours

scenario_dynamic() {
  topo_star 2
  leaf_bird c1 1 10.200.0.1 $PETREL_AS $PETREL_AS "10.21.0.0/24"
  leaf_bird c2 2 10.200.0.2 $PETREL_AS $PETREL_AS
  pd_start "$NS_R" rr <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
fib: {enabled: false}
peers:
  - {name: clients, range: 10.11.0.0/24, remote-as: internal, route-reflector-client: true, hold-time: 9}
EOF
  check_wait "clients_10_11_0_2 (c1) Established" 20 pd_established rr clients_10_11_0_2
  check_wait "clients_10_11_0_3 (c2) Established" 20 pd_established rr clients_10_11_0_3
  pd_birdc rr show protocols | sed 's/^/# birdc: /' >&2
  check_wait "c2 receives c1's 10.21.0.0/24, reflected (ORIGINATOR_ID c1)" 15 \
    test_eq_cmd 10.200.0.1 bird_route_attr c2 10.21.0.0/24 BGP.originator_id
  check "petreld: show protocols all names the range's settings (internal route-reflector)" \
    pd_has rr 'Session: +internal route-reflector' show protocols all clients_10_11_0_3
  require "c1: disable its session" birdc_q c1 disable petrel
  check_wait "the dynamic neighbour c1 leaves show protocols" 15 \
    ptr_not pd_has rr '^clients_10_11_0_2 ' show protocols
  check_wait "c2 loses 10.21.0.0/24" 10 ptr_not bird_has_route c2 10.21.0.0/24
  require "c1: enable its session again" birdc_q c1 enable petrel
  check_wait "c1 comes back as a new dynamic neighbour" 20 pd_established rr clients_10_11_0_2
  check "petreld still running" ptr_alive "${PD_PID[rr]}"
}

# ---------------------------------------------------------------- dry run: resolution still by the kernel table

# A route reflector with `fib: {enabled: false}`: nothing is installed, but next hops
# still resolve through the kernel's table, where (in dry run only) the default route
# counts. c1's route has a next hop on no connected subnet of the reflector: it is
# reflected only while the reflector's kernel has a route towards it.
scenario_dryrun() {
  topo_star 2
  leaf_bird c1 1 10.200.0.1 $PETREL_AS $PETREL_AS "10.22.0.0/24" "next hop address 10.250.0.1;"
  leaf_bird c2 2 10.200.0.2 $PETREL_AS $PETREL_AS
  pd_start "$NS_R" rr <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
fib: {enabled: false}
peers:
  - {name: c1, address: ${LEAF4[1]}, remote-as: internal, route-reflector-client: true, hold-time: 9, connect-retry: 2}
  - {name: c2, address: ${LEAF4[2]}, remote-as: internal, route-reflector-client: true, hold-time: 9, connect-retry: 2}
EOF
  require_wait "c1 and c2 Established" 20 bash -c \
    "timeout 5 birdc -s '${PD_SOCK[rr]}' show protocols | grep -c ' Established' | grep -qx 2"
  check_wait "no route towards 10.250.0.1: c1's path is unreachable at the reflector" 10 \
    pd_has rr '^10\.22\.0\.0/24 +unreachable \[c1 ' show route 10.22.0.0/24
  check_never "c2 is not sent a path the reflector cannot resolve (show route export c2)" 2 \
    pd_has rr '^10\.22\.0\.0/24' show route export c2
  require "ip route add default via ${LEAF4[2]} (the reflector's only way out)" \
    ip -n "$NS_R" route add default via "${LEAF4[2]}"
  check_wait "dry run: the default route resolves it; reflected to c2 (show route export c2)" 5 \
    pd_has rr '^10\.22\.0\.0/24' show route export c2
  # c2's BIRD (gateway direct) refuses the next hop itself, which shows it got the UPDATE.
  check_wait "c2 (BIRD) received it: 'Invalid NEXT_HOP attribute - address 10.250.0.1 not directly reachable'" 5 \
    log_has "${BIRD_LOG[c2]}" 'Invalid NEXT_HOP attribute - address 10\.250\.0\.1'
  check "dry run: nothing of ours in the kernel" test_eq_cmd 0 kernel_count "$NS_R"
  require "ip route del default" ip -n "$NS_R" route del default
  check_wait "default route gone: withdrawn from c2 (show route export c2)" 5 \
    ptr_not pd_has rr '^10\.22\.0\.0/24' show route export c2
  check "petreld still running" ptr_alive "${PD_PID[rr]}"
}

# ---------------------------------------------------------------- restart keeps forwarding

scenario_restart() {
  topo_star 1
  # Graceful restart on both sides (as for any hitless restart): BIRD keeps petreld's
  # routes while it is gone, and petreld's selection waits for BIRD's End-of-RIB.
  leaf_bird_conf 1 10.200.0.1 65001 "$PETREL_AS" "10.60.0.0/24 10.61.0.0/24" "" "" \
    "graceful restart on; graceful restart time 60;" | bird_start "${NS_LEAF[1]}" t1
  node_conf 64512:200 "" ", graceful-restart: {restart-time: 60}" | pd_start "$NS_R" node
  check_wait "t1 Established" 20 pd_established node t1
  check_wait "kernel: 3 petrel routes" 10 test_eq_cmd 3 kernel_count "$NS_R"
  local mon="$PTR_SCOPE/monitor.log"
  ptr_spawn "$NS_R" "$mon" ip monitor route
  local monpid=$PTR_LAST_PID
  ptr_sleep 0.5
  require "kill -9 petreld" ptr_signal KILL "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null
  ptr_sleep 1
  check_eq "kernel: the 3 routes stay while petreld is gone" 3 "$(kernel_count "$NS_R")"
  pd_start "$NS_R" node keep
  check_wait "restarted: t1 Established" 20 pd_established node t1
  check_wait "restarted: show fib in sync" 10 bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show fib | grep -q '3 desired, 0 differ'"
  check "petreld log: adopted 3 routes" log_has "${PD_LOG[node]}" 'FIB: 3 routes of protocol 201 .* kept from before'
  check "petreld log: selection waited for End-of-RIB" \
    log_has "${PD_LOG[node]}" 'graceful-restart: selection released \(all End-of-RIB\)'
  check "t1 (BIRD) saw petreld's Restart State and Forwarding State bits" \
    bash -c "timeout 5 birdc -s '${BIRD_SOCK[t1]:-t1}' show protocols all petrel | sed -n '/Neighbor capabilities/,/Session:/p' | tee /dev/stderr | grep -q 'Restart recovery' &&
             timeout 5 birdc -s '${BIRD_SOCK[t1]:-t1}' show protocols all petrel | sed -n '/Neighbor capabilities/,/Session:/p' | grep -Eq 'AF preserved: +ipv4'"
  ptr_sleep 1
  ptr_stop "$monpid"
  sed 's/^/# ip monitor: /' "$mon" >&2
  check "ip monitor: no route deleted across the restart" ptr_not grep -q '^Deleted' "$mon"
  check "ip monitor: no route re-added across the restart" ptr_not grep -Eq '(10\.60|10\.61|10\.244)' "$mon"
  # SIGTERM: a planned stop leaves forwarding in place too.
  require "SIGTERM petreld" ptr_signal TERM "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null
  check_eq "kernel: the 3 routes stay after SIGTERM" 3 "$(kernel_count "$NS_R")"
}
kernel_count() { ip -n "$1" route show proto petrel | wc -l | tr -d ' '; }

# ---------------------------------------------------------------- next hops follow the links

# nh_bird NAME NS LOCAL PEER AS ["PREFIXES" [CHANNEL OPTIONS]]: a BIRD with one eBGP
# session to petreld (AS 64512) and static blackhole routes to announce. `multihop`: BIRD then does not
# close the session itself when its link goes down, so that what the test sees is
# petreld's next-hop tracking, not a session going down.
nh_bird() {
  local name=$1 ns=$2 local_ip=$3 peer_ip=$4 as=$5 routes=${6:-} chan=${7:-} r
  {
    echo "router id $local_ip;"
    echo "protocol device { scan time 10; }"
    if [[ -n $routes ]]; then
      echo "protocol static static1 { ipv4;"
      for r in $routes; do echo "  route $r blackhole;"; done
      echo "}"
    fi
    cat <<EOF
protocol bgp petrel {
  local $local_ip as $as; neighbor $peer_ip as $PETREL_AS;
  multihop; hold time 90; connect retry time 2; connect delay time 1; error wait time 1, 2;
  ipv4 { import all; export all; $chan };
}
EOF
  } | bird_start "$ns" "$name"
}

# The kernel's route for PREFIX in NS, as `ip route` prints it, on one line.
# The kernel route of a prefix on one line; "nhid N" (fib.nexthop-objects) is left
# out, the next hops are printed beside it. NH_OBJECTS=1 requires an nhid,
# NH_OBJECTS=plain requires none.
nh_kernel_route() {
  local r; r=$(ip -n "$1" route show "$2" | tr -s ' \t\n' ' ' | sed 's/ $//')
  if [[ ${NH_OBJECTS:-0} == 1 && -n $r ]]; then
    [[ $r == *" nhid "* ]] || { echo "(no nhid) $r"; return; }
  fi
  if [[ ${NH_OBJECTS:-0} == plain && $r == *" nhid "* ]]; then
    echo "(nhid) $r"; return
  fi
  sed -E 's/ nhid [0-9]+//' <<<"$r"
}
nh_kernel_is() { [[ "$(nh_kernel_route "$1" "$2")" == "$3" ]]; }

# scenario_nexthop [plain]: petreld's default config uses kernel nexthop objects and
# every route must refer to one; with `plain` (fib: {nexthop-objects: false}) none may.
scenario_nexthop() {
  local fib_line=""
  NH_OBJECTS=1
  if [[ ${1:-} == plain ]]; then
    NH_OBJECTS=plain
    fib_line="fib: {nexthop-objects: false}"
  fi
  ns_add node; local node=$REPLY
  ns_add t1; local t1ns=$REPLY
  ns_add t2; local t2ns=$REPLY
  ns_add obs; local obsns=$REPLY
  ns_link "$node" n1 "$t1ns" veth0
  ns_link "$node" n2 "$t2ns" veth0
  ns_link "$node" n3 "$obsns" veth0
  ns_addr "$node" n1 10.31.1.1/24; ns_addr "$t1ns" veth0 10.31.1.2/24
  ns_addr "$node" n2 10.31.2.1/24; ns_addr "$t2ns" veth0 10.31.2.2/24
  ns_addr "$node" n3 10.31.3.1/24; ns_addr "$obsns" veth0 10.31.3.2/24
  # t1 and t2 in different ASes announce 10.60.0.0/24: one ECMP route (multipath-relax).
  nh_bird t1 "$t1ns" 10.31.1.2 10.31.1.1 65001 "10.60.0.0/24"
  nh_bird t2 "$t2ns" 10.31.2.2 10.31.2.1 65002 "10.60.0.0/24"
  # obs also announces 10.70.0.0/24 with a third-party next hop behind an IGP route
  # (a multihop session for petreld: resolved recursively through the kernel table).
  nh_bird obs "$obsns" 10.31.3.2 10.31.3.1 65003 "10.70.0.0/24" "next hop address 10.99.0.5;"
  pd_start "$node" node <<EOF
router-id: 10.31.3.1
local-as: $PETREL_AS
max-paths: 2
multipath-relax: true
$fib_line
policies:
  all: [{action: accept}]
peers:
  - {name: t1, address: 10.31.1.2, remote-as: 65001, local-address: 10.31.1.1, hold-time: 90, connect-retry: 2, import: {policy: all}, export: {policy: all}}
  - {name: t2, address: 10.31.2.2, remote-as: 65002, local-address: 10.31.2.1, hold-time: 90, connect-retry: 2, import: {policy: all}, export: {policy: all}}
  - {name: obs, address: 10.31.3.2, remote-as: 65003, local-address: 10.31.3.1, hold-time: 90, connect-retry: 2, multihop: 2, import: {policy: all}, export: {policy: all}}
EOF
  local p=10.60.0.0/24
  local ecmp="$p proto petrel nexthop via 10.31.1.2 dev n1 weight 1 nexthop via 10.31.2.2 dev n2 weight 1"
  local via1="$p via 10.31.1.2 dev n1 proto petrel"
  local via2="$p via 10.31.2.2 dev n2 proto petrel"
  local before_t1 before_t2
  require_wait "t1, t2, obs Established" 20 bash -c \
    "timeout 5 birdc -s '${PD_SOCK[node]}' show protocols | grep -c ' Established' | grep -qx 3"
  check_wait "kernel: one ECMP route through both links: '$ecmp'" 10 nh_kernel_is "$node" "$p" "$ecmp"
  check_wait "obs (BIRD) gets $p through t1 (AS path 64512 65001)" 10 \
    test_eq_cmd "64512 65001" bird_route_attr obs "$p" BGP.as_path
  before_t1=$(pd_since node t1); before_t2=$(pd_since node t2)

  # 1. petreld's own interface goes down.
  local t0=$EPOCHREALTIME
  require "ip link set n1 down (petreld's namespace)" ip -n "$node" link set n1 down
  check_wait "kernel within 1 s: only the next hop on n2 is left: '$via2'" 1 nh_kernel_is "$node" "$p" "$via2"
  check_wait "obs sees the path through t2 (64512 65002)" 5 \
    test_eq_cmd "64512 65002" bird_route_attr obs "$p" BGP.as_path
  ptr_log "n1 down -> obs switched in $(ptr_elapsed "$t0") s"
  pd_birdc node show route all "$p" | sed 's/^/# birdc: /' >&2
  check "show route: t1's path is 'unreachable'" pd_has node "unreachable \[t1 " show route "$p"
  check "show route all: Petrel.next_hop: unreachable" pd_has node 'Petrel\.next_hop: unreachable' show route all "$p"
  check "petrelc show route: t2's path is the primary" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show route $p | grep -Eq 'unicast \[t2 [^]]*\] \*'"
  check_eq "no hold timer involved: t1's 'since' unchanged" "$before_t1" "$(pd_since node t1)"
  check "petreld log: next hop 10.31.1.2 unreachable" log_has "${PD_LOG[node]}" 'next hop 10\.31\.1\.2: unreachable'
  require "ip link set n1 up" ip -n "$node" link set n1 up
  check_wait "link up: the ECMP route is back: '$ecmp'" 3 nh_kernel_is "$node" "$p" "$ecmp"
  check_wait "obs sees the path through t1 again" 5 test_eq_cmd "64512 65001" bird_route_attr obs "$p" BGP.as_path

  # 2. The far end's carrier goes (t2 takes its end down): n2 stays up but not running.
  require "ip -n t2 link set veth0 down (carrier loss on n2)" ip -n "$t2ns" link set veth0 down
  check_wait "kernel within 1 s: only the next hop on n1 is left: '$via1'" 1 nh_kernel_is "$node" "$p" "$via1"
  check "show route: t2's path is 'unreachable'" pd_has node "unreachable \[t2 " show route "$p"
  check "t2's session still Established (hold time 90 s)" pd_established node t2
  check_eq "t2: 'since' unchanged" "$before_t2" "$(pd_since node t2)"
  require "ip -n t2 link set veth0 up" ip -n "$t2ns" link set veth0 up
  check_wait "carrier back: the ECMP route is back: '$ecmp'" 3 nh_kernel_is "$node" "$p" "$ecmp"
  check_wait "show route: no path unreachable any more" 3 ptr_not pd_has node unreachable show route "$p"
  ip -n "$node" route | sed 's/^/# kernel: /' >&2

  # 3. Both links down: the prefix leaves the kernel and obs; both links up: back.
  require "ip link set n1 down; ip link set n2 down" bash -c "ip -n '$node' link set n1 down && ip -n '$node' link set n2 down"
  check_wait "kernel within 1 s: $p gone" 1 test_eq_cmd "" nh_kernel_route "$node" "$p"
  check_wait "obs: $p withdrawn" 5 ptr_not bird_has_route obs "$p"
  require "ip link set n1 up; ip link set n2 up" bash -c "ip -n '$node' link set n1 up && ip -n '$node' link set n2 up"
  check_wait "both links up: the ECMP route is reinstalled" 3 nh_kernel_is "$node" "$p" "$ecmp"
  check_wait "obs has $p again" 5 bird_has_route obs "$p"

  # 4. A multihop next hop (10.99.0.5, from obs) resolves recursively through an IGP
  # route: the kernel route names the on-link gateway, and follows that route.
  local m=10.70.0.0/24
  check "no IGP route to 10.99.0.5 yet: $m is unreachable, not in the kernel" \
    bash -c "timeout 5 birdc -s '${PD_SOCK[node]}' show route $m | grep -q 'unreachable \[obs ' && [[ -z \$(ip -n '$node' route show $m) ]]"
  require "ip route add 10.99.0.0/16 via 10.31.2.2 (an IGP route, proto static)" \
    ip -n "$node" route add 10.99.0.0/16 via 10.31.2.2 proto static
  check_wait "kernel within 1 s: '$m via 10.31.2.2 dev n2 proto petrel'" 1 \
    nh_kernel_is "$node" "$m" "$m via 10.31.2.2 dev n2 proto petrel"
  require "ip route replace 10.99.0.0/16 via 10.31.1.2" ip -n "$node" route replace 10.99.0.0/16 via 10.31.1.2 proto static
  check_wait "the IGP route moved: '$m via 10.31.1.2 dev n1 proto petrel'" 1 \
    nh_kernel_is "$node" "$m" "$m via 10.31.1.2 dev n1 proto petrel"
  require "ip link set n1 down (the IGP route's link)" ip -n "$node" link set n1 down
  check_wait "kernel within 1 s: $m gone (its gateway's link is down)" 1 test_eq_cmd "" nh_kernel_route "$node" "$m"
  require "ip link set n1 up; the IGP route again" bash -c \
    "ip -n '$node' link set n1 up && sleep 0.5 && ip -n '$node' route replace 10.99.0.0/16 via 10.31.1.2 proto static"
  check_wait "back: '$m via 10.31.1.2 dev n1 proto petrel'" 3 nh_kernel_is "$node" "$m" "$m via 10.31.1.2 dev n1 proto petrel"
  require "ip route del 10.99.0.0/16" ip -n "$node" route del 10.99.0.0/16
  check_wait "IGP route gone: $m leaves the kernel" 1 test_eq_cmd "" nh_kernel_route "$node" "$m"
  check "show route: obs's path to $m is unreachable" pd_has node "unreachable \[obs " show route "$m"
  if [[ $NH_OBJECTS == 1 ]]; then
    ip -n "$node" nexthop show | sed 's/^/# kernel nexthop objects: /' >&2
    check "nexthop objects of protocol 201 (petrel) in the kernel" test -n "$(ip -n "$node" nexthop show proto 201)"
  else
    check "no nexthop object of protocol 201 (petrel) in the kernel" test -z "$(ip -n "$node" nexthop show proto 201)"
  fi
  check "petreld still running" ptr_alive "${PD_PID[node]}"
  NH_OBJECTS=0
}

# ---------------------------------------------------------------- route history and MRT

# The lines of `show route history P` (petrelc) with this change word.
hist_count() { pd_petrelc "$1" show route history "$2" | grep -Ec " $3 +t1 "; }
# bgpdump -m FILE: its lines, sorted.
mrt_lines() { bgpdump -m "$1" 2>/dev/null | sort; }

scenario_history() {
  command -v bgpdump >/dev/null || { fail "bgpdump is not installed (scripts/install-deps.sh installs it)"; return; }
  topo_star 1
  # A second static protocol `flap` in BIRD carries the prefix that flaps.
  leaf_bird t1 1 10.200.0.1 65001 $PETREL_AS "10.60.0.0/24 10.61.0.0/24" "" \
    "protocol static flap { ipv4; route 10.62.0.0/24 blackhole; }"
  node_conf 64512:200 | pd_start "$NS_R" node
  check_wait "t1 Established" 20 pd_established node t1
  check_wait "10.62.0.0/24 from t1 in the RIB" 10 pd_has node '^10\.62\.0\.0/24 +unicast \[t1 ' show route 10.62.0.0/24
  check "petreld log: the store was created in the test's directory" \
    log_has "${PD_LOG[node]}" "store $PTR_SCOPE/node.store: no database yet, creating one"
  local i
  for i in 1 2 3; do
    require "flap $i: birdc disable flap" birdc_q t1 disable flap
    check_wait "flap $i: 10.62.0.0/24 withdrawn at petreld" 10 ptr_not pd_has node '^10\.62\.0\.0/24' show route 10.62.0.0/24
    require "flap $i: birdc enable flap" birdc_q t1 enable flap
    check_wait "flap $i: 10.62.0.0/24 back at petreld" 10 pd_has node '^10\.62\.0\.0/24 +unicast' show route 10.62.0.0/24
  done
  pd_petrelc node show route history 10.62.0.0/24 | sed 's/^/# petrelc: /' >&2
  check_wait "show route history 10.62.0.0/24: 3 withdraws by t1" 5 test_eq_cmd 3 hist_count node 10.62.0.0/24 withdraw
  check "show route history 10.62.0.0/24: 4 announces by t1" test_eq_cmd 4 hist_count node 10.62.0.0/24 announce
  check "show route history: the attribute summary (via ${LEAF4[1]}, AS path 65001)" \
    bash -c "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show route history 10.62.0.0/24 | grep -q 'via ${LEAF4[1]} \[AS65001 i\]'"
  check "show route history 10.60.0.0/24: one announce, no flap" test_eq_cmd 1 hist_count node 10.60.0.0/24 announce
  check "json show route history: 7 changes" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' --json show route history 10.62.0.0/24 | grep -o '\"change\"' | wc -l | grep -qx 7"
  check "show route history 10.99.0.0/24: 'No route history'" \
    bash -c "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show route history 10.99.0.0/24 2>&1 | grep -q 'No route history for 10.99.0.0/24'"

  # MRT: the RIB as TABLE_DUMP_V2, read by bgpdump, agrees with `show route`.
  local rib="$PTR_SCOPE/rib.mrt" journal="$PTR_SCOPE/journal.mrt"
  require "petrelc mrt dump rib $rib" bash -c "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' mrt dump rib '$rib' | tee /dev/stderr | grep -q 'paths of 4 prefixes'"
  mrt_lines "$rib" | sed 's/^/# bgpdump: /' >&2
  local from_show from_mrt
  from_show=$(pd_birdc node show route | awk '$1 ~ /^[0-9.]+\/[0-9]+$/ { print $1 }' | sort | paste -sd' ')
  from_mrt=$(mrt_lines "$rib" | awk -F'|' '{ print $6 }' | sort -u | paste -sd' ')
  check_eq "bgpdump's prefixes = show route's" "$from_show" "$from_mrt"
  local p
  for p in 10.60.0.0/24 10.61.0.0/24 10.62.0.0/24; do
    check "bgpdump: $p from ${LEAF4[1]} AS65001, path 65001, next hop ${LEAF4[1]} (as show route says)" \
      bash -c "bgpdump -m '$rib' 2>/dev/null | grep -q '^TABLE_DUMP2|[0-9]*|B|${LEAF4[1]}|65001|$p|65001|IGP|${LEAF4[1]}|'"
  done
  check "bgpdump: 10.244.1.0/24 is ours (local AS, community 64512:100)" \
    bash -c "bgpdump -m '$rib' 2>/dev/null | grep -q '^TABLE_DUMP2|[0-9]*|B|0.0.0.0|$PETREL_AS|10.244.1.0/24|.*|64512:100|'"

  # MRT: the journal as BGP4MP, read by bgpdump: the same flaps.
  require "petrelc mrt dump history $journal" bash -c "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' mrt dump history '$journal'"
  mrt_lines "$journal" | grep '10.62.0.0/24' | sed 's/^/# bgpdump: /' >&2
  check_eq "bgpdump journal: 3 withdraws of 10.62.0.0/24 from ${LEAF4[1]}" 3 \
    "$(bgpdump -m "$journal" 2>/dev/null | grep -c "^BGP4MP|[0-9]*|W|${LEAF4[1]}|65001|10.62.0.0/24$")"
  check_eq "bgpdump journal: 4 announcements of 10.62.0.0/24" 4 \
    "$(bgpdump -m "$journal" 2>/dev/null | grep -c "^BGP4MP|[0-9]*|A|${LEAF4[1]}|65001|10.62.0.0/24|65001|IGP|${LEAF4[1]}|")"
  local m; m=$(http_get "$NS_R" 9469 /metrics)
  grep -E '^petrel_store_' <<<"$m" | sed 's/^/# metrics: /' >&2
  check "metrics: petrel_store_enabled 1" grep -Eq '^petrel_store_enabled 1$' <<<"$m"
  check "metrics: nothing dropped" grep -Eq '^petrel_store_changes_dropped_total 0$' <<<"$m"
  check "metrics: journal entries (4 announces of the start, 6 of the flaps)" \
    grep -Eq '^petrel_store_journal_entries 10$' <<<"$m"
  check "read-only socket: mrt dump refused (it writes files)" bash -c \
    "timeout 5 birdc -s '$PTR_SCOPE/readonly.ctl' mrt dump rib /tmp/x.mrt | grep -q 'Access restricted'"

  # The journal survives a restart; the new petreld adds to it.
  require "SIGTERM petreld" ptr_signal TERM "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null
  pd_start "$NS_R" node keep
  check_wait "restarted: t1 Established" 20 pd_established node t1
  check_wait "restarted: history kept, and the new announce journalled (5 announces)" 10 \
    test_eq_cmd 5 hist_count node 10.62.0.0/24 announce
  require "SIGTERM petreld" ptr_signal TERM "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null

  # A garbage store: a log line and a cold start; routes and sessions as usual.
  rm -rf "$PTR_SCOPE/node.store"
  printf 'not a database\n' >"$PTR_SCOPE/node.store"
  pd_start "$NS_R" node keep
  check_wait "garbage store: t1 Established anyway" 20 pd_established node t1
  check "petreld log: the garbage was moved aside, cold start" \
    log_has "${PD_LOG[node]}" "store $PTR_SCOPE/node.store: not a directory; moved it aside to .*\.bad-[0-9]+, starting with an empty store \(cold start\)"
  check_wait "garbage store: a new journal (1 announce)" 10 test_eq_cmd 1 hist_count node 10.62.0.0/24 announce
  check "kernel: t1's routes installed as usual" kernel_has "$NS_R" "proto petrel" 10.62.0.0/24
  check "petreld still running" ptr_alive "${PD_PID[node]}"
}

# ---------------------------------------------------------------- drain (RFC 8326)

# bird_best NAME PREFIX: the protocol of BIRD's best route for PREFIX ("petrel", "alt").
bird_best() {
  birdc_q "$1" show route "$2" | awk '/\] \*/ { if (match($0, /\[[A-Za-z0-9_]+ /)) { print substr($0, RSTART + 1, RLENGTH - 2); exit } }'
}
drain_service_ip_at_both() { bird_has_route ib 10.96.0.10/32 && bird_has_route eb 10.96.0.10/32; }

drain_birds() {
  # ib: iBGP (AS 64512) to petreld and to alt; eb: eBGP (AS 65001) to both, honouring
  # GRACEFUL_SHUTDOWN as RFC 8326 §4.1 asks of receivers (BIRD needs the filter).
  # For petreld as the receiver: both announce 10.70.0.0/24 and 10.71.0.0/24 to it, ib's
  # with a longer AS_PATH (eb's path wins), eb's 10.70.0.0/24 with GRACEFUL_SHUTDOWN.
  bird_start "${NS_LEAF[1]}" ib <<EOF
router id 10.200.0.1;
protocol device { scan time 10; }
protocol static static1 { ipv4; route 10.70.0.0/24 blackhole; route 10.71.0.0/24 blackhole; }
protocol bgp petrel { local ${LEAF4[1]} as $PETREL_AS; neighbor $R4 as $PETREL_AS; direct; $BIRD_TIMERS
  ipv4 { import all; export filter { if proto != "static1" then reject; bgp_path.prepend(64999); bgp_path.prepend(64998); accept; }; }; }
protocol bgp alt { local ${LEAF4[1]} as $PETREL_AS; neighbor ${LEAF4[3]} as $PETREL_AS; direct; $BIRD_TIMERS
  ipv4 { import all; export none; }; }
EOF
  bird_start "${NS_LEAF[2]}" eb <<EOF
router id 10.200.0.2;
protocol device { scan time 10; }
filter gshut { if (65535, 0) ~ bgp_community then bgp_local_pref = 0; accept; }
protocol static static1 { ipv4; route 10.70.0.0/24 blackhole; route 10.71.0.0/24 blackhole; }
protocol bgp petrel { local ${LEAF4[2]} as 65001; neighbor $R4 as $PETREL_AS; $BIRD_TIMERS
  ipv4 { import filter gshut;
         export filter { if proto != "static1" then reject; if net = 10.70.0.0/24 then bgp_community.add((65535, 0)); accept; }; }; }
protocol bgp alt { local ${LEAF4[2]} as 65001; neighbor ${LEAF4[3]} as $PETREL_AS; $BIRD_TIMERS
  ipv4 { import filter gshut; export none; }; }
EOF
  # alt: the same pod CIDR, worse: LOCAL_PREF 50 to ib, a longer AS_PATH to eb.
  bird_start "${NS_LEAF[3]}" alt <<EOF
router id 10.200.0.3;
protocol device { scan time 10; }
protocol static static1 { ipv4; route 10.244.1.0/24 blackhole; }
protocol bgp ib { local ${LEAF4[3]} as $PETREL_AS; neighbor ${LEAF4[1]} as $PETREL_AS; direct; $BIRD_TIMERS
  ipv4 { import none; export filter { bgp_local_pref = 50; accept; }; }; }
protocol bgp eb { local ${LEAF4[3]} as $PETREL_AS; neighbor ${LEAF4[2]} as 65001; $BIRD_TIMERS
  ipv4 { import none; export filter { bgp_path.prepend($PETREL_AS); accept; }; }; }
EOF
}

drain_conf() {
  cat <<EOF
router-id: $R4
local-as: $PETREL_AS
listen: [{address: $R4, port: 179}]
metrics: 127.0.0.1:9469
fib: {enabled: false}
originate:
  - {prefix: 10.244.1.0/24, blackhole: true}
  - {prefix: 10.96.0.10/32, blackhole: false}
policies:
  all: [{action: accept}]
peers:
  - {name: ib, address: ${LEAF4[1]}, remote-as: internal, hold-time: 9, connect-retry: 2}
  - {name: eb, address: ${LEAF4[2]}, remote-as: 65001, hold-time: 9, connect-retry: 2, import: {policy: all}, export: {policy: all}}
EOF
}

# drain_normal WHEN: what the peers see with no drain (petreld's path best, service IP present).
drain_normal() {
  local when=$1
  check_wait "$when: ib's best path to 10.244.1.0/24 is petreld's" 10 test_eq_cmd petrel bird_best ib 10.244.1.0/24
  check_wait "$when: eb's best path to 10.244.1.0/24 is petreld's" 10 test_eq_cmd petrel bird_best eb 10.244.1.0/24
  check "$when: ib: LOCAL_PREF 100, no community" \
    test "$(bird_route_attr ib 10.244.1.0/24 BGP.local_pref)/$(bird_route_attr ib 10.244.1.0/24 BGP.community)" = 100/
  check "$when: eb: no community" test_eq_cmd "" bird_route_attr eb 10.244.1.0/24 BGP.community
  check_wait "$when: ib and eb have the service IP 10.96.0.10/32" 10 drain_service_ip_at_both
}

# The drain scenarios' start: three BIRDs around node, every session up, the
# routes as they are without a drain.
drain_start_up() {
  topo_star 3
  drain_birds
  drain_conf | pd_start "$NS_R" node
  check_wait "ib and eb Established" 20 bash -c \
    "timeout 5 birdc -s '${PD_SOCK[node]}' show protocols | grep -c ' Established' | grep -qx 2"
  check_wait "alt's sessions to ib and eb Established" 20 \
    bash -c "[[ \$(timeout 5 birdc -s '${BIRD_SOCK[alt]}' show protocols | grep -c Established) == 2 ]]"
  drain_normal "before"
}

scenario_drain() {
  drain_start_up

  # Receiver side (RFC 8326 §4.1, on by default): eb's 10.70.0.0/24 carries
  # GRACEFUL_SHUTDOWN, so petreld gives it LOCAL_PREF 0 and prefers ib's longer path;
  # 10.71.0.0/24, the same without the community, goes to eb's shorter path.
  check_wait "receiver: petreld has both paths to 10.70.0.0/24" 10 \
    test_eq_cmd 2 bash -c "timeout 5 birdc -s '${PD_SOCK[node]}' show route 10.70.0.0/24 | grep -c unicast"
  pd_birdc node show route 10.70.0.0/24 all | sed 's/^/# petreld: /' >&2
  check "receiver: eb's path with (65535,0) has LOCAL_PREF 0 at petreld" bash -c \
    "timeout 5 birdc -s '${PD_SOCK[node]}' show route 10.70.0.0/24 protocol eb all | grep -q 'BGP.local_pref: 0'"
  check "receiver: 10.70.0.0/24: ib's path is best (won on LOCAL_PREF)" \
    pd_has node '^10\.70\.0\.0/24 +unicast \[ib [^]]*\] \*' show route 10.70.0.0/24
  check "receiver: show route all says why: 'Petrel.best_path: won on LOCAL_PREF'" \
    pd_has node 'Petrel\.best_path: won on LOCAL_PREF' show route 10.70.0.0/24 all
  check "receiver: 10.71.0.0/24 (no community): eb's shorter path is best" \
    pd_has node '^10\.71\.0\.0/24 +unicast \[eb [^]]*\] \*' show route 10.71.0.0/24
  local since_ib since_eb; since_ib=$(pd_since node ib); since_eb=$(pd_since node eb)

  local out; out=$(pd_petrelc node drain)
  printf '# petrelc drain: %s\n' "$out" >&2
  check "petrelc drain: 'Draining: … 1 service IPs withdrawn'" \
    grep -q 'Draining: routes sent with GRACEFUL_SHUTDOWN.*1 service IPs withdrawn' <<<"$out"
  check_wait "drain: ib sees (65535,0) on petreld's route" 5 test_eq_cmd "(65535,0)" bird_route_attr ib 10.244.1.0/24 BGP.community
  check "drain: ib sees LOCAL_PREF 0 (iBGP)" test_eq_cmd 0 bird_route_attr ib 10.244.1.0/24 BGP.local_pref
  check_wait "drain: eb sees (65535,0) on petreld's route" 5 test_eq_cmd "(65535,0)" bird_route_attr eb 10.244.1.0/24 BGP.community
  check "drain: eb's filter gave it LOCAL_PREF 0" test_eq_cmd 0 bird_route_attr eb 10.244.1.0/24 BGP.local_pref
  birdc_q ib show route 10.244.1.0/24 all | sed 's/^/# ib: /' >&2
  birdc_q eb show route 10.244.1.0/24 all | sed 's/^/# eb: /' >&2
  check_wait "drain: ib's best path moved to alt" 5 test_eq_cmd alt bird_best ib 10.244.1.0/24
  check_wait "drain: eb's best path moved to alt" 5 test_eq_cmd alt bird_best eb 10.244.1.0/24
  check_wait "drain: the service IP 10.96.0.10/32 vanished from ib" 5 ptr_not bird_has_route ib 10.96.0.10/32
  check_wait "drain: the service IP 10.96.0.10/32 vanished from eb" 5 ptr_not bird_has_route eb 10.96.0.10/32
  check "drain: petrelc show status says Draining" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show status | grep -q 'Draining: routes sent with GRACEFUL_SHUTDOWN'"
  check "drain: metrics petrel_draining 1" grep -q '^petrel_draining 1$' <<<"$(http_get "$NS_R" 9469 /metrics)"
  check "drain: petreld keeps the service IP itself (show route)" pd_has node '^10\.96\.0\.10/32 ' show route
  check "drain: no session reset (ib and eb keep their uptime)" \
    test "$(pd_since node ib)/$(pd_since node eb)" = "$since_ib/$since_eb"
  check "drain again: 'Already draining'" grep -q 'Already draining' <<<"$(pd_petrelc node drain)"

  out=$(pd_petrelc node drain stop)
  printf '# petrelc drain stop: %s\n' "$out" >&2
  check "petrelc drain stop: 'Drain stopped'" grep -q 'Drain stopped: routes sent as before' <<<"$out"
  drain_normal "drain stop"
  check "drain stop: show status no longer says Draining" bash -c \
    "! timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show status | grep -q Draining"
  check "drain stop: metrics petrel_draining 0" grep -q '^petrel_draining 0$' <<<"$(http_get "$NS_R" 9469 /metrics)"
  check "drain stop: no session reset" test "$(pd_since node ib)/$(pd_since node eb)" = "$since_ib/$since_eb"

  # A pending `drain and down` is cancelled by `drain stop`.
  out=$(pd_petrelc node drain and down 3)
  check "drain and down 3: 'Shutdown in 3 s'" grep -q 'Shutdown in 3 s' <<<"$out"
  out=$(pd_petrelc node drain stop)
  printf '# petrelc drain stop: %s\n' "$out" >&2
  check "drain stop: 'pending shutdown cancelled'" grep -q 'Drain stopped: routes sent as before; pending shutdown cancelled' <<<"$out"
  check_never "drain stop: petreld does not shut down" 4 ptr_not_alive "${PD_PID[node]}"
  drain_normal "cancelled"

  out=$(pd_petrelc node drain and down 2)
  printf '# petrelc drain and down 2: %s\n' "$out" >&2
  check "petrelc drain and down 2: 'Shutdown in 2 s'" grep -q 'Shutdown in 2 s' <<<"$out"
  check_wait "drain and down: ib's best path moves to alt first" 1.5 test_eq_cmd alt bird_best ib 10.244.1.0/24
  check "drain and down: eb's best path moved to alt too" test_eq_cmd alt bird_best eb 10.244.1.0/24
  check "drain and down: ib's session to petreld still Established while the traffic moves" \
    test_eq_cmd Established bird_proto_state ib petrel
  check_wait "drain and down: then Cease (ib's BIRD: 'Received: Administrative shutdown')" 8 \
    log_has "${BIRD_LOG[ib]}" 'petrel: Received: Administrative shutdown'
  check_wait "drain and down: eb got the Cease too" 3 log_has "${BIRD_LOG[eb]}" 'petrel: Received: Administrative shutdown'
  check_wait "drain and down: petreld has exited" 5 ptr_not_alive "${PD_PID[node]}"
  check "drain and down: petreld logged it" log_has "${PD_LOG[node]}" 'stopping \(drain and down\)'
}

drain_service_ip_at_either() { bird_has_route ib 10.96.0.10/32 || bird_has_route eb 10.96.0.10/32; }
drain_ib_has_petrel_route() { birdc_q ib show route 10.244.1.0/24 protocol petrel | grep -q unicast; }

# drain_marked WHEN: what the peers see while petreld drains (GRACEFUL_SHUTDOWN on
# its route, LOCAL_PREF 0 to iBGP, both moved to alt, no service IP).
drain_marked() {
  local when=$1
  check_wait "$when: ib sees (65535,0) on petreld's route" 10 test_eq_cmd "(65535,0)" bird_route_attr ib 10.244.1.0/24 BGP.community
  check "$when: ib sees LOCAL_PREF 0 (iBGP)" test_eq_cmd 0 bird_route_attr ib 10.244.1.0/24 BGP.local_pref
  check_wait "$when: eb sees (65535,0) on petreld's route" 10 test_eq_cmd "(65535,0)" bird_route_attr eb 10.244.1.0/24 BGP.community
  check_wait "$when: ib's best path is alt's" 5 test_eq_cmd alt bird_best ib 10.244.1.0/24
  check_wait "$when: eb's best path is alt's" 5 test_eq_cmd alt bird_best eb 10.244.1.0/24
  check_wait "$when: the service IP 10.96.0.10/32 is not at ib" 5 ptr_not bird_has_route ib 10.96.0.10/32
  check_wait "$when: the service IP 10.96.0.10/32 is not at eb" 5 ptr_not bird_has_route eb 10.96.0.10/32
  check "$when: petrelc show status says Draining" bash -c \
    "timeout 5 '$PETRELC' -s '${PD_SOCK[node]}' show status | grep -q '^Draining: routes sent with GRACEFUL_SHUTDOWN'"
}

# A drain lasts until `drain stop`, across a kill -9 (the store keeps it); a
# `drain stop` is kept too. Without a store, the log says the drain is not kept.
scenario_drain_restart() {
  drain_start_up
  # Through the JSON extension: an action's one shape (daemon/control_reply.hpp).
  local out; out=$(pd_petrelc node --json drain | tr -d ' \n')
  printf '# petrelc --json drain: %s\n' "$out" >&2
  check "petrelc --json drain: {result: ok, code: 30, message: Draining: ...}" \
    grep -q '^{"result":"ok","code":30,"message":"Draining:' <<<"$out"
  drain_marked "drain"
  check "petreld log: the drain is recorded in the store" log_has "${PD_LOG[node]}" 'draining recorded'

  # kill -9 while draining; the restarted petreld drains before any session is up.
  require "kill -9 petreld (draining)" ptr_signal KILL "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null
  cp "${PD_LOG[node]}" "$PTR_SCOPE/node.petreld.1.log"
  check_wait "BIRD ib: the session to the killed petreld is down" 15 ptr_not test_eq_cmd Established bird_proto_state ib petrel
  pd_start "$NS_R" node keep
  check_wait "restarted: ib and eb Established" 30 bash -c \
    "timeout 5 birdc -s '${PD_SOCK[node]}' show protocols | grep -c ' Established' | grep -qx 2"
  check "restarted: petreld log: 'drained before the restart: still draining; \`drain stop\` ends it'" \
    log_has "${PD_LOG[node]}" 'drained before the restart: still draining; `drain stop` ends it'
  check_wait "restarted: ib has petreld's route again" 10 drain_ib_has_petrel_route
  drain_marked "restarted"
  check_never "restarted: the service IP stays withdrawn (ib, eb)" 3 drain_service_ip_at_either
  check "restarted: metrics petrel_draining 1" grep -q '^petrel_draining 1$' <<<"$(http_get "$NS_R" 9469 /metrics)"

  # `drain stop` ends it, and a restart after it is not draining.
  out=$(pd_petrelc node --json drain stop | tr -d '\n')
  printf '# petrelc --json drain stop: %s\n' "$out" >&2
  check "petrelc --json drain stop: 'Drain stopped'" grep -q '"message": "Drain stopped: routes sent as before"' <<<"$out"
  drain_normal "drain stop"
  require "kill -9 petreld (not draining)" ptr_signal KILL "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null
  cp "${PD_LOG[node]}" "$PTR_SCOPE/node.petreld.2.log"
  pd_start "$NS_R" node keep
  check_wait "restarted again: ib and eb Established" 30 bash -c \
    "timeout 5 birdc -s '${PD_SOCK[node]}' show protocols | grep -c ' Established' | grep -qx 2"
  drain_normal "restarted after drain stop"
  check "restarted after drain stop: no 'drained before the restart' in the log" \
    ptr_not log_has "${PD_LOG[node]}" 'drained before the restart'
  require "SIGTERM petreld" ptr_signal TERM "${PD_PID[node]}"
  wait "${PD_PID[node]}" 2>/dev/null

  # Without a store: a drain says in the log that a restart forgets it.
  { drain_conf; echo "store: {enabled: false}"; } | pd_start "$NS_R" nostore
  require "petrelc drain (no store)" pd_petrelc nostore drain
  check "no store: petreld log: the drain is not kept" \
    log_has "${PD_LOG[nostore]}" 'drain is not kept across a restart: a restarted petreld is not draining'
  require "SIGTERM petreld (no store)" ptr_signal TERM "${PD_PID[nostore]}"
  wait "${PD_PID[nostore]}" 2>/dev/null
}

# ---------------------------------------------------------------- run

petreld_main() {
  local build=${1:-build}
  PETRELD=$(realpath -- "$build/daemon/petreld" 2>/dev/null)
  PETRELC=$(realpath -- "$build/shell/petrelc" 2>/dev/null)
  ptr_init bird birdc
  if [[ ! -x $PETRELD || ! -x $PETRELC ]]; then
    fail "petreld/petrelc not built under $build"
    ptr_summary; exit 1
  fi
  run_scenario birdc scenario_birdc
  run_scenario reload scenario_reload
  run_scenario dynamic scenario_dynamic
  run_scenario dryrun scenario_dryrun
  run_scenario restart scenario_restart
  run_scenario nexthop scenario_nexthop
  run_scenario nexthop-plain scenario_nexthop plain
  run_scenario history scenario_history
  run_scenario drain scenario_drain
  run_scenario drain-restart scenario_drain_restart
  ptr_summary
}

petreld_main "$@"
