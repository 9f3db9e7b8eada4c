#!/usr/bin/env bash
# tests/interop/rib_interop.sh — Petrel's RIB (best path, ECMP, route reflection, max-prefix,
# eBGP export policy) against real BIRD 2 peers.
#
#   bash tests/interop/rib_interop.sh PATH/TO/petrel-router      (or PETREL_ROUTER=...)
#
# Topology (lib.sh topo_star): petrel-router in the hub namespace (bridge, 10.11.0.1), each
# BIRD in its own leaf namespace (10.11.0.2, .3, ...) on the same /24. Scenarios (one
# function each, own namespaces):
#   route-reflection  Petrel (AS 64512, cluster id 10.11.0.1) reflects client 1's route to
#                     clients 2 and 3: ORIGINATOR_ID, CLUSTER_LIST, next hop unchanged;
#                     nothing goes back to client 1
#   ecmp              two eBGP peers in AS 65001 announce the same prefix; max-paths 2 puts
#                     both in the ECMP set; withdrawals shrink it, then remove the route
#   max-prefix        limit 10: action restart sends Cease 6/1 (BIRD sees it) and reconnects
#                     only after restart-after (6 s); action block
#                     keeps the session and at most 10 prefixes
#   ebgp-export       an originated prefix reaches the eBGP peer with `export: all` (AS_PATH
#                     64512, next hop self), not the one without export policy (RFC 8212)
#   policy            a YAML export policy lets one prefix through with a community added
#   graceful-restart  helper role (RFC 4724 §4.2): BIRD g1 (restart time 8) is killed -9;
#                     Petrel keeps its routes stale, sweeps the one the restarted BIRD (-R)
#                     no longer announces after its End-of-RIB; killed again and not
#                     restarted, the restart timer removes the rest
#   add-path          two eBGP paths form an ECMP set; a GoBGP route-reflector client with
#                     ADD-PATH receive holds both (gobgp adj-in: two path ids), a BIRD client
#                     without ADD-PATH the best one; the BIRD client's own route reaches
#                     GoBGP reflected (Originator, ClusterList as gobgp prints them)
#   reload            SIGHUP with changed policies, no session reset: y1's import policy
#                     re-run from its stored Adj-RIB-In (soft reconfiguration), y3's by
#                     ROUTE-REFRESH, y2's export policy re-exported (new community, one
#                     more prefix); BIRD's `reload in` is answered from the Adj-RIB-Out;
#                     a broken file keeps the running configuration
#   gr-restarting     restarting-speaker role (RFC 4724 §4.1): petrel-router is killed -9;
#                     BIRD (helper) keeps its route stale; restarted with --restarting it sets
#                     the R bit (BIRD sees it), defers selection until BIRD's End-of-RIB, then
#                     decides and sends its table
#   llgr              long-lived graceful restart, helper (RFC 9494): BIRD l1 (restart time 3,
#                     long-lived stale time 8) is killed -9; after 3 s its route turns
#                     LLGR_STALE and loses to l2's longer path; 8 s later it is removed
# The router's stdout (event lines, see rtr_* below) is the Petrel side of every check.
# Ends with "N passed, N failed".

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$HERE/lib.sh"

PETREL_AS=64512
# BIRD: short timers so that sessions come up and recover quickly.
BIRD_TIMERS='hold time 9; connect retry time 2; connect delay time 1; error wait time 1, 2; error forget time 10;'

# ---------------------------------------------------------------- petrel-router side

declare -gA RTR_PID=() RTR_OUT=()

# rtr_start NS NAME: YAML config on stdin (kept as NAME.yaml.log, so that a failing
# scenario prints it); stdout (the event lines) to NAME.out, stderr to NAME.err.log.
rtr_start() {
  local ns=$1 name=$2
  local conf="$PTR_SCOPE/$name.yaml.log"
  cat >"$conf"
  RTR_OUT[$name]="$PTR_SCOPE/$name.out"
  # shellcheck disable=SC2016
  ptr_spawn "$ns" "$PTR_SCOPE/$name.err.log" bash -c 'exec "$@" >"$0"' "${RTR_OUT[$name]}" \
    "$ROUTER" --config "$conf"
  RTR_PID[$name]=$PTR_LAST_PID
}

rtr_has() { log_has "${RTR_OUT[$1]}" "$2"; }
rtr_count() { log_count "${RTR_OUT[$1]}" "$2"; }
rtr_alive() { ptr_alive "${RTR_PID[$1]}"; }
rtr_lines() { wc -l <"${RTR_OUT[$1]}" | tr -d ' '; }
# rtr_since_has NAME N REGEX: REGEX in the lines after line N.
rtr_since_has() { tail -n "+$(( $2 + 1 ))" "${RTR_OUT[$1]}" | grep -Eq -- "$3"; }
rtr_established() { rtr_has "$1" "^peer $2 established( |\$)"; }

# sort_list "b,a" -> "a,b"
sort_list() { tr ',' '\n' <<<"$1" | grep -v '^$' | sort -u | paste -sd, -; }

# rtr_route NAME PREFIX: what the last `route PREFIX ...` line says: the ECMP set as printed
# ("e1,e2", best first), "withdrawn", or "" when there was none.
rtr_route() {
  awk -v p="$2" '$1 == "route" && $2 == p {
      if ($3 == "via") s = $4; else if ($3 == "withdrawn") s = "withdrawn"; else s = "?" $3 }
    END { print s }' "${RTR_OUT[$1]}"
}
# rtr_route_is NAME PREFIX SET: the last line's set, order ignored, equals SET (or "withdrawn").
rtr_route_is() {
  local got; got=$(rtr_route "$1" "$2")
  [[ $got == withdrawn || $3 == withdrawn ]] && { [[ $got == "$3" ]]; return; }
  [[ -n $got && "$(sort_list "$got")" == "$(sort_list "$3")" ]]
}
# rtr_route_lines NAME PREFIX: every `route PREFIX` line, for failure messages.
rtr_route_lines() { grep -E "^route $2 " "${RTR_OUT[$1]}"; }

# rtr_held_by NAME PEER PREFIX_REGEX: how many prefixes matching PREFIX_REGEX have PEER in
# their current (last printed) ECMP set.
rtr_held_by() {
  awk -v peer="$2" -v re="$3" '$1 == "route" && $2 ~ re {
      s[$2] = ($3 == "via" && index("," $4 ",", "," peer ",") > 0) }
    END { n = 0; for (k in s) n += s[k]; print n }' "${RTR_OUT[$1]}"
}
rtr_holds_some() { (( $(rtr_held_by "$@") > 0 )); }
# rtr_ever_via NAME PEER PREFIX_REGEX: how many distinct such prefixes were ever via PEER.
rtr_ever_via() {
  awk -v peer="$2" -v re="$3" '$1 == "route" && $2 ~ re && $3 == "via" &&
      index("," $4 ",", "," peer ",") > 0 { s[$2] = 1 }
    END { n = 0; for (k in s) n++; print n }' "${RTR_OUT[$1]}"
}

# ---------------------------------------------------------------- BIRD side

# leaf_bird_conf I ROUTER_ID AS PEER_AS ["STATIC PREFIXES" [CHANNEL OPTIONS [GLOBAL LINES
# [PROTOCOL OPTIONS]]]]: the config of a BIRD in leaf namespace I with one BGP session
# (protocol `petrel`) to the hub's R4, and a static protocol `static1` with the given
# blackhole routes (exported to the session).
leaf_bird_conf() {
  local i=$1 rid=$2 as=$3 peer_as=$4 routes=${5:-} chan=${6:-} global=${7:-} proto=${8:-} r
  echo "router id $rid;"
  [[ -n $global ]] && echo "$global"
  echo "protocol device { scan time 10; }"
  if [[ -n $routes ]]; then
    echo "protocol static static1 {"
    echo "  ipv4;"
    for r in $routes; do echo "  route $r blackhole;"; done
    echo "}"
  fi
  cat <<EOF
protocol bgp petrel {
  local ${LEAF4[$i]} as $as; neighbor $R4 as $peer_as;
  direct;   # also for iBGP: next hops on the shared link are used as they are
  $BIRD_TIMERS
  $proto
  ipv4 { import all; export all; $chan };
}
EOF
}

# leaf_bird NAME I ROUTER_ID AS PEER_AS ["STATIC PREFIXES" [CHANNEL OPTIONS]]: starts that BIRD.
leaf_bird() {
  local name=$1; shift
  leaf_bird_conf "$@" | bird_start "${NS_LEAF[$1]}" "$name"
}

# bird_route NAME PREFIX [PROTO]: `show route PREFIX protocol PROTO all` (PROTO: petrel).
bird_route() { birdc_q "$1" show route "$2" protocol "${3:-petrel}" all; }
bird_has_route() { bird_route "$1" "$2" "${3:-petrel}" | grep -q "^${2//./\\.}[[:space:]]"; }
# bird_route_attr NAME PREFIX ATTR [PROTO]: the value of an attribute line ("BGP.as_path").
bird_route_attr() {
  bird_route "$1" "$2" "${4:-petrel}" | awk -v a="$3" '{ sub(/^[ \t]+/, "") }
    index($0, a ":") == 1 { v = substr($0, length(a) + 2); sub(/^[ \t]+/, "", v); print v; exit }'
}
# bird_stat NAME PROTO ROW: the "received" column of a channel statistics row
# ("Import updates", "Import withdraws").
bird_stat() {
  birdc_q "$1" show protocols all "$2" | awk -v r="$3" '{ l = $0; sub(/^[ \t]+/, "", l) }
    index(l, r ":") == 1 { n = split(l, f, /[ \t]+/); print f[split(r, w, " ") + 1]; exit }'
}
# bird_imported NAME PROTO: the "Routes: N imported" count.
bird_imported() {
  birdc_q "$1" show protocols all "$2" | awk '$1 == "Routes:" { print $2; exit }'
}
# bird_last_error NAME PROTO: the "Last error:" line's text.
bird_last_error() {
  birdc_q "$1" show protocols all "$2" | awk '{ l = $0; sub(/^[ \t]+/, "", l) }
    index(l, "Last error:") == 1 { sub(/^Last error:[ \t]*/, "", l); print l; exit }'
}
bird_last_error_has() { [[ "$(bird_last_error "$1" "$2")" == *"$3"* ]]; }

# check_reflected BIRD PREFIX ORIGINATOR_ID CLUSTER_ID NEXT_HOP: the reflected route as an
# iBGP client sees it (RFC 4456: ORIGINATOR_ID, CLUSTER_LIST; next hop and AS_PATH
# untouched).
check_reflected() {
  local b=$1 pfx=$2 orig=$3 cid=$4 nh=$5
  check_wait "$b: has $pfx from the reflector" 15 bird_has_route "$b" "$pfx"
  check_eq "$b: BGP.originator_id is client 1's router id" "$orig" \
    "$(bird_route_attr "$b" "$pfx" BGP.originator_id)"
  local cl; cl=$(bird_route_attr "$b" "$pfx" BGP.cluster_list)
  check "$b: BGP.cluster_list contains $cid ('$cl')" grep -qw -- "${cid//./\\.}" <<<"$cl"
  check_eq "$b: BGP.next_hop unchanged (client 1's address)" "$nh" \
    "$(bird_route_attr "$b" "$pfx" BGP.next_hop)"
  check_eq "$b: BGP.as_path empty (iBGP, reflected)" "" "$(bird_route_attr "$b" "$pfx" BGP.as_path)"
}

# check_nothing_back BIRD PREFIX: the route's originator got nothing from the reflector.
check_nothing_back() {
  local b=$1 pfx=$2
  check "$b: no $pfx from the reflector" ptr_not bird_has_route "$b" "$pfx"
  check_eq "$b: no UPDATE with routes received (Import updates)" 0 "$(bird_stat "$b" petrel "Import updates")"
  # BIRD turns a looped route (its own ORIGINATOR_ID) into a withdrawal: would count here.
  check_eq "$b: no withdrawals received (Import withdraws)" 0 "$(bird_stat "$b" petrel "Import withdraws")"
}

# check_exported BIRD PREFIX AS_PATH NEXT_HOP: an eBGP peer got PREFIX with these attributes.
check_exported() {
  local b=$1 pfx=$2 path=$3 nh=$4
  check_wait "$b: has $pfx" 15 bird_has_route "$b" "$pfx"
  check_eq "$b: BGP.as_path" "$path" "$(bird_route_attr "$b" "$pfx" BGP.as_path)"
  check_eq "$b: BGP.next_hop" "$nh" "$(bird_route_attr "$b" "$pfx" BGP.next_hop)"
}

# ---------------------------------------------------------------- 1. route reflection

RR_CLUSTER=10.11.0.1
# Router ids differ from the addresses: ORIGINATOR_ID must be the BGP Identifier.
RR_CLIENT_ID=(- 10.200.0.1 10.200.0.2 10.200.0.3)

rr_clients() {
  leaf_bird c1 1 "${RR_CLIENT_ID[1]}" $PETREL_AS $PETREL_AS 10.21.0.0/24
  leaf_bird c2 2 "${RR_CLIENT_ID[2]}" $PETREL_AS $PETREL_AS
  leaf_bird c3 3 "${RR_CLIENT_ID[3]}" $PETREL_AS $PETREL_AS
}

rr_checks() {   # the BIRD side, whatever the reflector is
  check_reflected c2 10.21.0.0/24 "${RR_CLIENT_ID[1]}" "$RR_CLUSTER" "${LEAF4[1]}"
  check_reflected c3 10.21.0.0/24 "${RR_CLIENT_ID[1]}" "$RR_CLUSTER" "${LEAF4[1]}"
  ptr_sleep 1   # anything sent back to client 1 would have arrived with the others
  check_nothing_back c1 10.21.0.0/24
}

scenario_route_reflection() {
  topo_star 3
  rr_clients
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
cluster-id: $RR_CLUSTER
listen: [$R4]
peers:
$(for i in 1 2 3; do printf '  - {name: c%s, address: %s, remote-as: %s, local-address: %s, route-reflector-client: true, hold-time: 9, connect-retry: 2}\n' \
    "$i" "${LEAF4[$i]}" $PETREL_AS "$R4"; done)
EOF
  local i
  for i in 1 2 3; do
    check_wait "Petrel: c$i established" 20 rtr_established petrel "c$i"
    check_wait "c$i: BIRD Established" 5 bird_established "c$i" petrel
  done
  check_wait "Petrel prints 'route 10.21.0.0/24 via c1'" 10 \
    rtr_has petrel '^route 10\.21\.0\.0/24 via c1( |$)'
  rr_checks
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- 2. ECMP

scenario_ecmp() {
  topo_star 2
  # Same neighbour AS, equal attributes, different router ids: equal up to the tie-breakers.
  leaf_bird e1 1 10.200.0.11 65001 $PETREL_AS 10.22.0.0/24
  leaf_bird e2 2 10.200.0.12 65001 $PETREL_AS 10.22.0.0/24
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
max-paths: 2
policies: {all: [{action: accept}]}
peers:
  - {name: e1, address: ${LEAF4[1]}, remote-as: 65001, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: e2, address: ${LEAF4[2]}, remote-as: 65001, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
  check_wait "Petrel: e1 established" 20 rtr_established petrel e1
  check_wait "Petrel: e2 established" 20 rtr_established petrel e2
  check_wait "Petrel prints 'route 10.22.0.0/24 via e1,e2' (ECMP set of both)" 15 \
    rtr_route_is petrel 10.22.0.0/24 e1,e2
  rtr_route_lines petrel '10\.22\.0\.0/24' | sed 's/^/# petrel: /' >&2

  local n
  n=$(rtr_lines petrel)
  require "e2: disable its static protocol (withdraws 10.22.0.0/24)" birdc_q e2 disable static1
  check_wait "Petrel prints 'route 10.22.0.0/24 via e1' after e2's withdrawal" 10 \
    rtr_route_is petrel 10.22.0.0/24 e1
  check "... in a new line" rtr_since_has petrel "$n" '^route 10\.22\.0\.0/24 via e1( |$)'
  check "e2: session still Established (a withdrawal, not a reset)" bird_established e2 petrel
  check "Petrel: e2 stayed established" ptr_not rtr_has petrel '^peer e2 state Established ->'

  require "e1: disable its static protocol" birdc_q e1 disable static1
  check_wait "Petrel prints 'route 10.22.0.0/24 withdrawn' after e1's withdrawal too" 10 \
    rtr_route_is petrel 10.22.0.0/24 withdrawn
  rtr_route_lines petrel '10\.22\.0\.0/24' | sed 's/^/# petrel: /' >&2
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- 3. max-prefix

MP_ROUTES_R=$(for i in $(seq 0 19); do printf '10.30.%s.0/24 ' "$i"; done)
MP_ROUTES_B=$(for i in $(seq 0 19); do printf '10.31.%s.0/24 ' "$i"; done)

scenario_max_prefix() {
  topo_star 2
  leaf_bird mr 1 10.200.0.21 65003 $PETREL_AS "$MP_ROUTES_R"
  leaf_bird mb 2 10.200.0.22 65004 $PETREL_AS "$MP_ROUTES_B"
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
policies: {all: [{action: accept}]}
peers:
  - name: mr
    address: ${LEAF4[1]}
    remote-as: 65003
    local-address: $R4
    hold-time: 9
    connect-retry: 2
    import: {policy: all, limit: {max: 10, action: restart, restart-after: 6}}
  - name: mb
    address: ${LEAF4[2]}
    remote-as: 65004
    local-address: $R4
    hold-time: 9
    connect-retry: 2
    import: {policy: all, limit: {max: 10, action: block}}
EOF
  # restart: 20 prefixes > 10 -> Cease, "Maximum Number of Prefixes Reached" (RFC 4486).
  check_wait "Petrel: mr established" 20 rtr_established petrel mr
  check_wait "Petrel prints 'peer mr notification-sent 6/1'" 15 \
    rtr_has petrel '^peer mr notification-sent 6/1( |$)'
  check_wait "mr: BIRD 'Last error' says maximum number of prefixes" 10 \
    bird_last_error_has mr petrel 'Maximum number of prefixes'
  ptr_log "mr: BIRD last error: '$(bird_last_error mr petrel)'"
  check_wait "Petrel: mr left Established" 5 rtr_has petrel '^peer mr state Established -> '
  local left; left=$(rtr_lines petrel)
  check_never "Petrel: mr held down (restart-after 6): no reconnect within 4 s" 4 \
    rtr_since_has petrel "$left" '^peer mr state Idle -> '
  check_wait "Petrel: mr reconnects after the hold-down" 8 rtr_since_has petrel "$left" '^peer mr state Idle -> '

  # block: the session stays, at most 10 of the 20 prefixes are kept.
  check_wait "Petrel: mb established" 20 rtr_established petrel mb
  check_wait "mb: BIRD Established" 5 bird_established mb petrel
  check_wait "Petrel holds some of mb's prefixes" 10 \
    rtr_holds_some petrel mb '^10\.31\.'
  local since; since=$(bird_proto_since mb petrel)
  ptr_sleep 4
  local held ever
  held=$(rtr_held_by petrel mb '^10\.31\.')
  ever=$(rtr_ever_via petrel mb '^10\.31\.')
  ptr_log "mb: Petrel holds $held of 20 prefixes ($ever distinct ever printed via mb)"
  check "Petrel holds at most 10 of mb's 20 prefixes (holds $held)" test "$held" -le 10
  check "Petrel never printed more than 10 distinct prefixes via mb ($ever)" test "$ever" -le 10
  check "mb: no NOTIFICATION sent" ptr_not rtr_has petrel '^peer mb notification-sent'
  check "Petrel: mb never left Established" ptr_not rtr_has petrel '^peer mb state Established ->'
  check "mb: BIRD still Established" bird_established mb petrel
  check_eq "mb: BIRD 'since' unchanged" "$since" "$(bird_proto_since mb petrel)"
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- 4. eBGP export policy

# export_checks: x1 (export: all) gets 10.99.0.0/24 with AS_PATH 64512 and next hop R4;
# x2 (no export policy, RFC 8212) gets nothing.
export_checks() {
  check_exported x1 10.99.0.0/24 "$PETREL_AS" "$R4"
  check_never "x2 (no export policy): no 10.99.0.0/24" 3 bird_has_route x2 10.99.0.0/24
  check_eq "x2: no UPDATE with routes received (Import updates)" 0 "$(bird_stat x2 petrel "Import updates")"
  check_eq "x2: nothing imported" 0 "$(bird_imported x2 petrel)"
}

scenario_ebgp_export() {
  topo_star 2
  leaf_bird x1 1 10.200.0.31 65010 $PETREL_AS "" "export none;"
  leaf_bird x2 2 10.200.0.32 65020 $PETREL_AS "" "export none;"
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
originate: [10.99.0.0/24]
policies: {all: [{action: accept}]}
peers:
  - {name: x1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, export: {policy: all}, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: x2, address: ${LEAF4[2]}, remote-as: 65020, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
  check_wait "Petrel: x1 established" 20 rtr_established petrel x1
  check_wait "Petrel: x2 established" 20 rtr_established petrel x2
  check_wait "x1: BIRD Established" 5 bird_established x1 petrel
  check_wait "x2: BIRD Established" 5 bird_established x2 petrel
  export_checks
  check "petrel-router still running" rtr_alive petrel
}

# A routing policy from the YAML file: the export policy to y2 lets one of y1's two
# prefixes through with a community added, and rejects everything else.
scenario_policy() {
  topo_star 2
  leaf_bird y1 1 10.200.0.41 65010 $PETREL_AS "10.31.1.0/24 10.31.2.0/24"
  leaf_bird y2 2 10.200.0.42 65020 $PETREL_AS "" "export none;"
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
prefix-sets:
  only1: ["10.31.1.0/24"]
policies:
  all: [{action: accept}]
  to-y2:
    - {match: {prefix-set: only1}, set: {communities-add: ["64512:200"]}, action: accept}
    - {action: reject}
peers:
  - {name: y1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: y2, address: ${LEAF4[2]}, remote-as: 65020, local-address: $R4, export: {policy: to-y2}, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
  check_wait "Petrel: y1 established" 20 rtr_established petrel y1
  check_wait "Petrel: y2 established" 20 rtr_established petrel y2
  check_wait "Petrel learned 10.31.1.0/24 from y1" 10 rtr_route_is petrel 10.31.1.0/24 y1
  check_wait "y2 receives 10.31.1.0/24" 10 bird_has_route y2 10.31.1.0/24
  check_eq "y2 sees the community the policy added (BGP.community)" "(64512,200)" \
    "$(bird_route_attr y2 10.31.1.0/24 BGP.community)"
  check_eq "y2 sees AS_PATH 64512 65010" "$PETREL_AS 65010" "$(bird_route_attr y2 10.31.1.0/24 BGP.as_path)"
  check_never "y2 never receives 10.31.2.0/24 (rejected by policy)" 3 bird_has_route y2 10.31.2.0/24
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- 6. graceful restart (helper)

GR_TIME=8   # the restart time g1 (BIRD) advertises; Petrel's own (30) must not be used

# gr_bird NAME "STATIC PREFIXES" [BIRD ARGS...]: BIRD in leaf 1 (AS 65010, eBGP to Petrel)
# with graceful restart on (restart time GR_TIME), announcing the given prefixes. A BIRD
# started with -R (graceful restart recovery) sets the Restart State bit and, per address
# family, the Forwarding State bit: what a restarting speaker that kept its forwarding
# state sends (RFC 4724 §4.2: without F the helper must drop the stale routes at once).
# `graceful restart wait` bounds how long its recovery may hold back its own exports.
gr_bird() {
  local name=$1 routes=$2; shift 2
  leaf_bird_conf 1 10.200.0.51 65010 "$PETREL_AS" "$routes" "" "graceful restart wait 4;" \
    "graceful restart on; graceful restart time $GR_TIME;" | bird_start "${NS_LEAF[1]}" "$name" "$@"
}

# gr_kill NAME: kill -9 of a BIRD we started (by PID): its kernel closes the TCP
# connection, no NOTIFICATION goes out.
gr_kill() {
  local pid=${BIRD_PID[$1]}
  require "$1: kill -9 BIRD (PID $pid)" ptr_signal KILL "$pid"
  wait "$pid" 2>/dev/null
  check "$1: BIRD gone" ptr_not_alive "$pid"
}

gr_no_withdraw() { ! rtr_has petrel "^route $1 withdrawn"; }
gr_show() {
  grep -E '^(peer g1 (graceful|stale|established|notification)|route 10\.41\.)' "${RTR_OUT[petrel]}" |
    sed 's/^/# petrel: /' >&2
}

scenario_graceful_restart() {
  topo_star 1
  gr_bird g1 "10.41.1.0/24 10.41.2.0/24"
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
policies: {all: [{action: accept}]}
peers:
  - {name: g1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, graceful-restart: {restart-time: 30}, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
  require_wait "Petrel: g1 established" 20 rtr_established petrel g1
  check_wait "g1: BIRD Established" 5 bird_established g1 petrel
  local caps; caps=$(birdc_q g1 show protocols all petrel)
  sed -n '/Local capabilities/,/Session:/p' <<<"$caps" | sed 's/^/# g1: /' >&2
  check "g1: BIRD sees Petrel's graceful restart capability" \
    grep -q 'Graceful restart' <<<"$(sed -n '/Neighbor capabilities/,/Session:/p' <<<"$caps")"
  check_wait "Petrel prints 'route 10.41.1.0/24 via g1'" 10 rtr_route_is petrel 10.41.1.0/24 g1
  check_wait "Petrel prints 'route 10.41.2.0/24 via g1'" 10 rtr_route_is petrel 10.41.2.0/24 g1

  # 1. The peer dies without a NOTIFICATION: its routes stay, stale.
  local n t0
  n=$(rtr_lines petrel)
  gr_kill g1
  check_wait "Petrel prints 'peer g1 graceful-restart keeping 2 routes for $GR_TIME seconds'" 5 \
    rtr_since_has petrel "$n" "^peer g1 graceful-restart keeping 2 routes for $GR_TIME seconds( |\$)"
  check_never "Petrel prints no 'route 10.41.x.0/24 withdrawn' while g1 restarts" 3 \
    rtr_since_has petrel "$n" '^route 10\.41\.[12]\.0/24 withdrawn'
  check "Petrel: still 'route 10.41.1.0/24 via g1'" rtr_route_is petrel 10.41.1.0/24 g1
  check "Petrel: still 'route 10.41.2.0/24 via g1'" rtr_route_is petrel 10.41.2.0/24 g1

  # 2. It comes back within the restart time without 10.41.2.0/24: that one is swept after
  # its End-of-RIB, 10.41.1.0/24 stays.
  n=$(rtr_lines petrel)
  gr_bird g1-restarted "10.41.1.0/24" -R
  check_wait "Petrel: g1 established again" 6 rtr_since_has petrel "$n" '^peer g1 established( |$)'
  check_wait "Petrel prints 'peer g1 stale routes swept: 1'" 8 \
    rtr_since_has petrel "$n" '^peer g1 stale routes swept: 1( |$)'
  check_wait "Petrel prints 'route 10.41.2.0/24 withdrawn'" 3 rtr_route_is petrel 10.41.2.0/24 withdrawn
  check "Petrel: 'route 10.41.1.0/24 via g1' (last line for it)" rtr_route_is petrel 10.41.1.0/24 g1
  check "Petrel never printed 'route 10.41.1.0/24 withdrawn'" gr_no_withdraw '10\.41\.1\.0/24'
  check "Petrel: no timer expiry (g1 came back in time)" \
    ptr_not rtr_has petrel '^peer g1 graceful-restart timer expired'
  gr_show

  # 3. It dies again and stays away: the restart timer removes the stale route.
  check_wait "g1-restarted: BIRD Established" 5 bird_established g1-restarted petrel
  n=$(rtr_lines petrel)
  t0=$EPOCHREALTIME
  gr_kill g1-restarted
  check_wait "Petrel prints 'peer g1 graceful-restart keeping 1 routes for $GR_TIME seconds'" 5 \
    rtr_since_has petrel "$n" "^peer g1 graceful-restart keeping 1 routes for $GR_TIME seconds( |\$)"
  check_never "no timer expiry and no withdrawal until ~6 s after the kill" \
    "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { t = 6 - (b - a); printf "%.1f", (t > 0 ? t : 0) }')" \
    rtr_since_has petrel "$n" '^(peer g1 graceful-restart timer expired|route 10\.41\.1\.0/24 withdrawn)'
  check_wait "Petrel prints 'peer g1 graceful-restart timer expired: 1 stale routes removed' (by ~12 s)" 6 \
    rtr_since_has petrel "$n" '^peer g1 graceful-restart timer expired: 1 stale routes removed( |$)'
  ptr_log "timer expiry seen by $(ptr_elapsed "$t0") s after the kill"
  check_wait "Petrel prints 'route 10.41.1.0/24 withdrawn'" 2 rtr_route_is petrel 10.41.1.0/24 withdrawn
  check_eq "Petrel printed 'route 10.41.1.0/24 withdrawn' once" 1 \
    "$(rtr_count petrel '^route 10\.41\.1\.0/24 withdrawn')"
  gr_show
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- ADD-PATH send

gobgp_paths() {   # NAME NEIGHBOR PREFIX: how many paths of PREFIX GoBGP holds from NEIGHBOR
  gobgp_q "$1" neighbor "$2" adj-in "$3" -a ipv4 2>/dev/null | grep -c -- "$3"
}

scenario_add_path() {
  topo_star 4
  leaf_bird e1 1 10.200.0.61 65001 $PETREL_AS 10.23.0.0/24
  leaf_bird e2 2 10.200.0.62 65001 $PETREL_AS 10.23.0.0/24
  leaf_bird b3 3 10.200.0.63 $PETREL_AS $PETREL_AS 10.24.0.0/24
  gobgpd_start "${NS_LEAF[4]}" g4 50081 <<EOF
[global.config]
  as = $PETREL_AS
  router-id = "10.200.0.64"
  port = 179
  local-address-list = ["${LEAF4[4]}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$R4"
    peer-as = $PETREL_AS
  [neighbors.timers.config]
    hold-time = 9
    connect-retry = 2
  [neighbors.transport.config]
    local-address = "${LEAF4[4]}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
EOF
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
max-paths: 2
policies: {all: [{action: accept}]}
peers:
  - {name: e1, address: ${LEAF4[1]}, remote-as: 65001, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: e2, address: ${LEAF4[2]}, remote-as: 65001, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: b3, address: ${LEAF4[3]}, remote-as: $PETREL_AS, local-address: $R4, route-reflector-client: true, hold-time: 9, connect-retry: 2}
  - {name: g4, address: ${LEAF4[4]}, remote-as: $PETREL_AS, local-address: $R4, route-reflector-client: true, add-path: send, hold-time: 9, connect-retry: 2}
EOF
  local p
  for p in e1 e2 b3 g4; do check_wait "Petrel: $p established" 20 rtr_established petrel "$p"; done
  check_wait "GoBGP: ESTABLISHED" 10 gobgp_established g4 "$R4"
  local caps; caps=$(gobgp_caps g4 "$R4")
  check_eq "GoBGP: ADD-PATH negotiated (we send, it receives)" "send/receive" \
    "$(kv_get cap-add-path-remote-ipv4-unicast <<<"$caps")/$(kv_get cap-add-path-local-ipv4-unicast <<<"$caps")"
  check_wait "Petrel: 'route 10.23.0.0/24 via e1,e2'" 15 rtr_route_is petrel 10.23.0.0/24 e1,e2
  check_wait "GoBGP holds two paths of 10.23.0.0/24 from Petrel (adj-in)" 15 \
    test_eq_cmd 2 gobgp_paths g4 "$R4" 10.23.0.0/24
  gobgp_q g4 neighbor "$R4" adj-in 10.23.0.0/24 -a ipv4 2>&1 | sed 's/^/# gobgp: /' >&2
  local hops; hops=$(gobgp_q g4 neighbor "$R4" adj-in 10.23.0.0/24 -a ipv4 | grep -oE '10\.11\.0\.[23]' | sort -u | paste -sd,)
  check_eq "GoBGP: the two paths' next hops are e1's and e2's" "${LEAF4[1]},${LEAF4[2]}" "$hops"
  check_wait "b3 (no ADD-PATH): has 10.23.0.0/24" 10 bird_has_route b3 10.23.0.0/24
  check_eq "b3: one path" 1 "$(bird_route b3 10.23.0.0/24 | grep -c 'via 10\.11\.0\.')"
  # Reflection seen by GoBGP: client b3's route with ORIGINATOR_ID and CLUSTER_LIST.
  check_wait "GoBGP: has b3's 10.24.0.0/24, reflected" 10 test_eq_cmd 1 gobgp_paths g4 "$R4" 10.24.0.0/24
  local attrs; attrs=$(gobgp_q g4 neighbor "$R4" adj-in 10.24.0.0/24 -a ipv4)
  sed 's/^/# gobgp: /' <<<"$attrs" >&2
  check "GoBGP: {Originator: 10.200.0.63} (b3's router id)" grep -q '{Originator: 10.200.0.63}' <<<"$attrs"
  check "GoBGP: {ClusterList: [$R4]} (Petrel's cluster id)" grep -qF "{ClusterList: [$R4]}" <<<"$attrs"
  check "GoBGP: next hop b3's address, unchanged" grep -qF "${LEAF4[3]}" <<<"$attrs"

  require "e2: disable its static protocol" birdc_q e2 disable static1
  check_wait "GoBGP: one path left" 15 test_eq_cmd 1 gobgp_paths g4 "$R4" 10.23.0.0/24
  check "GoBGP: still ESTABLISHED" gobgp_established g4 "$R4"
  check "petrel-router still running" rtr_alive petrel
}

# bird_has_routes NAME PREFIX...: NAME has every PREFIX from Petrel.
bird_has_routes() { local b=$1 p; shift; for p; do bird_has_route "$b" "$p" || return 1; done; }

# test_eq_cmd EXPECTED CMD...: CMD prints EXPECTED.
test_eq_cmd() { local want=$1; shift; [[ "$("$@")" == "$want" ]]; }

# ---------------------------------------------------------------- reload without reset

reload_conf() {   # IMPORT_Y1_REJECT_2 (yes|no) Y3_ACCEPT (yes|no) COMMUNITY Y2_SET
  cat <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
prefix-sets:
  two: ["10.31.2.0/24"]
  to-y2: [$4]
policies:
  all: [{action: accept}]
  from-y1:
$( [[ $1 == yes ]] && echo '    - {match: {prefix-set: two}, action: reject}' )
    - {action: accept}
  from-y3:
    - {action: $( [[ $2 == yes ]] && echo accept || echo reject )}
  to-y2:
    - {match: {prefix-set: to-y2}, set: {communities-add: ["$3"]}, action: accept}
    - {action: reject}
peers:
  - {name: y1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, soft-reconfiguration: true, import: {policy: from-y1}, hold-time: 9, connect-retry: 2}
  - {name: y2, address: ${LEAF4[2]}, remote-as: 65020, local-address: $R4, export: {policy: to-y2}, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: y3, address: ${LEAF4[3]}, remote-as: 65030, local-address: $R4, import: {policy: from-y3}, hold-time: 9, connect-retry: 2}
EOF
}

scenario_reload() {
  topo_star 3
  leaf_bird y1 1 10.200.0.71 65010 $PETREL_AS "10.31.1.0/24 10.31.2.0/24"
  leaf_bird y2 2 10.200.0.72 65020 $PETREL_AS "" "export none;"
  leaf_bird y3 3 10.200.0.73 65030 $PETREL_AS "10.33.1.0/24"
  reload_conf yes no 64512:200 '"10.31.1.0/24"' | rtr_start "$NS_R" petrel
  local conf="$PTR_SCOPE/petrel.yaml.log" p
  for p in y1 y2 y3; do
    check_wait "Petrel: $p established" 20 rtr_established petrel "$p"
    check_wait "$p: BIRD Established" 5 bird_established "$p" petrel
  done
  check_wait "Petrel learned 10.31.1.0/24 from y1" 10 rtr_route_is petrel 10.31.1.0/24 y1
  check_wait "y2 has 10.31.1.0/24 with community (64512,200)" 10 \
    test_eq_cmd "(64512,200)" bird_route_attr y2 10.31.1.0/24 BGP.community
  check_never "Petrel: 10.31.2.0/24 rejected by y1's import policy" 2 rtr_has petrel '^route 10\.31\.2\.0/24 via'
  check "Petrel: 10.33.1.0/24 rejected by y3's import policy" ptr_not rtr_has petrel '^route 10\.33\.1\.0/24 via'
  local since1 since2 since3
  since1=$(bird_proto_since y1 petrel); since2=$(bird_proto_since y2 petrel); since3=$(bird_proto_since y3 petrel)
  ptr_sleep 1.5   # BIRD prints 'since' to the second

  reload_conf no yes 64512:300 '"10.31.1.0/24", "10.31.2.0/24", "10.33.1.0/24"' >"$conf"
  require "SIGHUP petrel-router" ptr_signal HUP "${RTR_PID[petrel]}"
  check_wait "Petrel: 'reload: ok'" 10 rtr_has petrel '^reload: ok$'
  check_wait "Petrel: y1 re-evaluated from its stored routes" 5 \
    rtr_has petrel '^peer y1 soft-reconfiguration: 2 routes re-evaluated'
  check "Petrel: y3 asked with ROUTE-REFRESH" rtr_has petrel '^peer y3 route-refresh sent$'
  check_wait "Petrel learned 10.31.2.0/24 from y1 (soft reconfiguration)" 10 rtr_route_is petrel 10.31.2.0/24 y1
  check_wait "Petrel learned 10.33.1.0/24 from y3 (route refresh)" 10 rtr_route_is petrel 10.33.1.0/24 y3
  check_wait "y2: 10.31.1.0/24 now carries (64512,300)" 10 \
    test_eq_cmd "(64512,300)" bird_route_attr y2 10.31.1.0/24 BGP.community
  check_wait "y2: receives 10.31.2.0/24 and 10.33.1.0/24 now" 10 \
    bird_has_routes y2 10.31.2.0/24 10.33.1.0/24
  check_eq "y1: BIRD 'since' unchanged (no reset)" "$since1" "$(bird_proto_since y1 petrel)"
  check_eq "y2: BIRD 'since' unchanged (no reset)" "$since2" "$(bird_proto_since y2 petrel)"
  check_eq "y3: BIRD 'since' unchanged (no reset)" "$since3" "$(bird_proto_since y3 petrel)"
  check "Petrel: no session left Established" ptr_not rtr_has petrel '^peer y[123] state Established ->'

  # Route refresh in: BIRD asks again (it keeps no import table), Petrel answers.
  require "y2: birdc reload in petrel" birdc_q y2 reload in petrel
  check_wait "Petrel: 'peer y2 route-refresh received ipv4'" 10 \
    rtr_has petrel '^peer y2 route-refresh received ipv4'
  check "y2: still has 10.31.1.0/24" bird_has_route y2 10.31.1.0/24

  # A broken file: said so, the running configuration stays.
  sed -i 's/{action: reject}/{action: maybe}/' "$conf"
  require "SIGHUP petrel-router (broken file)" ptr_signal HUP "${RTR_PID[petrel]}"
  check_wait "Petrel: 'reload failed: ...'" 10 rtr_has petrel '^reload failed: '
  grep '^reload failed' "${RTR_OUT[petrel]}" | sed 's/^/# petrel: /' >&2
  ptr_sleep 1
  check "y2: still has 10.31.2.0/24" bird_has_route y2 10.31.2.0/24
  check_eq "y2: BIRD 'since' still unchanged" "$since2" "$(bird_proto_since y2 petrel)"
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- GR, restarting speaker

gr_rtr_conf() {
  cat <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
selection-deferral: 20
originate: [10.46.0.0/24]
policies: {all: [{action: accept}]}
peers:
  - {name: r1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, export: {policy: all}, graceful-restart: {restart-time: 30}, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
}

# rtr_line_no NAME REGEX: the number of the first line matching REGEX (0 when none).
rtr_line_no() { grep -nE -- "$2" "${RTR_OUT[$1]}" | head -n1 | cut -d: -f1 | grep . || echo 0; }

scenario_gr_restarting() {
  topo_star 1
  leaf_bird_conf 1 10.200.0.81 65010 "$PETREL_AS" "10.45.0.0/24" "" "" \
    "graceful restart on; graceful restart time 30;" | bird_start "${NS_LEAF[1]}" r1
  gr_rtr_conf | rtr_start "$NS_R" petrel
  check_wait "Petrel: r1 established" 20 rtr_established petrel r1
  check_wait "r1: has 10.46.0.0/24 from Petrel" 10 bird_has_route r1 10.46.0.0/24
  local pid=${RTR_PID[petrel]}
  require "kill -9 petrel-router (PID $pid)" ptr_signal KILL "$pid"
  wait "$pid" 2>/dev/null
  check_wait "r1: session down" 15 ptr_not bird_established r1 petrel
  check "r1 (helper): still has 10.46.0.0/24 while Petrel restarts" bird_has_route r1 10.46.0.0/24

  gr_rtr_conf >"$PTR_SCOPE/petrel2.yaml.log"
  RTR_OUT[petrel2]="$PTR_SCOPE/petrel2.out"
  # shellcheck disable=SC2016
  ptr_spawn "$NS_R" "$PTR_SCOPE/petrel2.err.log" bash -c 'exec "$@" >"$0"' "${RTR_OUT[petrel2]}" \
    "$ROUTER" --config "$PTR_SCOPE/petrel2.yaml.log" --restarting
  RTR_PID[petrel2]=$PTR_LAST_PID
  check_wait "Petrel (restarted): r1 established" 20 rtr_established petrel2 r1
  check_wait "Petrel: selection deferred until r1's End-of-RIB" 5 \
    rtr_has petrel2 '^graceful-restart: selection deferred until End-of-RIB from 1 '
  check_wait "Petrel: selection released after all End-of-RIB (not the 20 s deadline)" 15 \
    rtr_has petrel2 '^graceful-restart: selection released \(all End-of-RIB\)'
  local released route
  released=$(rtr_line_no petrel2 '^graceful-restart: selection released')
  route=$(rtr_line_no petrel2 '^route 10\.45\.0\.0/24 via r1')
  check "Petrel: r1's route decided only after the release (line $route > $released)" test "$route" -gt "$released"
  check "Petrel: no route decided before the release" ptr_not bash -c "head -n $released '${RTR_OUT[petrel2]}' | grep -q '^route '"
  check_wait "r1: has 10.46.0.0/24 again" 10 bird_has_route r1 10.46.0.0/24
  local caps; caps=$(birdc_q r1 show protocols all petrel)
  local ncaps; ncaps=$(sed -n '/Neighbor capabilities/,/Session:/p' <<<"$caps")
  sed 's/^/# r1: /' <<<"$ncaps" >&2
  check "r1: BIRD shows Petrel's Restart State bit ('Restart recovery')" grep -q 'Restart recovery' <<<"$ncaps"
  check "r1: and no Forwarding State bit (no FIB kept: 'AF preserved:' empty)" \
    grep -Eq '^[[:space:]]*AF preserved:[[:space:]]*$' <<<"$ncaps"
  grep -E '^(graceful|route|peer r1 established)' "${RTR_OUT[petrel2]}" | sed 's/^/# petrel: /' >&2
  check "petrel-router still running" rtr_alive petrel2
}

# ---------------------------------------------------------------- long-lived GR, helper

scenario_llgr() {
  topo_star 2
  leaf_bird_conf 1 10.200.0.91 65010 "$PETREL_AS" "10.47.0.0/24" "" "" \
    "graceful restart on; graceful restart time 3; long lived graceful restart on; long lived stale time 8;" |
    bird_start "${NS_LEAF[1]}" l1
  leaf_bird_conf 2 10.200.0.92 65020 "$PETREL_AS" "10.47.0.0/24" "export filter { bgp_path.prepend(65020); bgp_path.prepend(65020); accept; };" |
    bird_start "${NS_LEAF[2]}" l2
  rtr_start "$NS_R" petrel <<EOF
local-as: $PETREL_AS
router-id: $R4
listen: [$R4]
policies: {all: [{action: accept}]}
peers:
  - {name: l1, address: ${LEAF4[1]}, remote-as: 65010, local-address: $R4, graceful-restart: {restart-time: 30}, import: {policy: all}, hold-time: 9, connect-retry: 2}
  - {name: l2, address: ${LEAF4[2]}, remote-as: 65020, local-address: $R4, import: {policy: all}, hold-time: 9, connect-retry: 2}
EOF
  check_wait "Petrel: l1 established" 20 rtr_established petrel l1
  check_wait "Petrel: l2 established" 20 rtr_established petrel l2
  check_wait "Petrel: 10.47.0.0/24 via l1 (shorter AS path)" 10 rtr_route_is petrel 10.47.0.0/24 l1
  gr_kill l1
  check_wait "Petrel keeps l1's routes stale" 15 rtr_has petrel '^peer l1 graceful-restart keeping 1 routes for 3 seconds'
  check "Petrel: still via l1 while plain stale" rtr_route_is petrel 10.47.0.0/24 l1
  check_wait "Petrel: after 3 s, l1's route is LLGR_STALE for 8 s" 8 \
    rtr_has petrel '^peer l1 long-lived graceful restart: 1 routes LLGR_STALE for 8 seconds'
  check_wait "Petrel: 10.47.0.0/24 now via l2, reason LLGR stale" 5 \
    rtr_has petrel '^route 10\.47\.0\.0/24 via l2 reason LLGR stale$'
  check_never "Petrel: l1's stale route not removed before the long-lived stale time" 5 \
    rtr_has petrel '^peer l1 long-lived stale timer expired'
  check_wait "Petrel: removed when the long-lived stale time ends" 8 \
    rtr_has petrel '^peer l1 long-lived stale timer expired: 1 stale routes removed'
  check "Petrel: 10.47.0.0/24 still via l2" rtr_route_is petrel 10.47.0.0/24 l2
  grep -E '^(peer l1 (graceful|long|stale)|route 10\.47\.)' "${RTR_OUT[petrel]}" | sed 's/^/# petrel: /' >&2
  check "petrel-router still running" rtr_alive petrel
}

# ---------------------------------------------------------------- run

rib_main() {
  ROUTER=${1:-${PETREL_ROUTER:-}}
  if [[ -z $ROUTER ]]; then
    echo "usage: $0 PETREL_ROUTER_BINARY   (or set PETREL_ROUTER)" >&2
    exit 2
  fi
  ROUTER=$(realpath -- "$ROUTER" 2>/dev/null || echo "$ROUTER")
  ptr_init bird birdc gobgpd gobgp
  if [[ ! -x $ROUTER ]]; then
    fail "petrel-router binary is not executable: $ROUTER"
    ptr_summary; exit 1
  fi
  run_scenario route-reflection scenario_route_reflection
  run_scenario ecmp scenario_ecmp
  run_scenario max-prefix scenario_max_prefix
  run_scenario ebgp-export scenario_ebgp_export
  run_scenario policy scenario_policy
  run_scenario graceful-restart scenario_graceful_restart
  run_scenario add-path scenario_add_path
  run_scenario reload scenario_reload
  run_scenario gr-restarting scenario_gr_restarting
  run_scenario llgr scenario_llgr
  ptr_summary
}

# Sourced (e.g. by a stand-in check of the BIRD side): only the definitions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then rib_main "$@"; fi
