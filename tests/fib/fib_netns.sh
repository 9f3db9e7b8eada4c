#!/usr/bin/env bash
# tests/fib/fib_netns.sh PETREL_FIB — the kernel FIB module in network namespaces,
# driven through petrel-fib (tests/tools/petrel_fib_driver.cpp) standing in for petreld.
#
# Topology: NS_H (where petrel-fib runs) has veth1 (10.1.0.1/24, fd00:1::1/64) and
# veth2 (10.2.0.1/24, fd00:2::1/64); their other ends (p1, p2) sit in NS_P, so that
# taking p1 down removes veth1's carrier. Scenarios:
#   install      routes appear with Petrel's protocol, table, next hops, ECMP members,
#                weights, blackholes, source and metric; in another table too
#   others       routes of other protocols stay untouched (at start, on reload, on stop);
#                a stale route of ours is removed at start, not flushed with the rest
#   drift        a route removed with `ip route del`, or changed, comes back
#                (event-driven: the periodic resync is set far away)
#   restart      kill -9 leaves the routes; a restart adopts them: `ip monitor route`
#                shows no delete and no re-add of our prefixes
#   nexthop-objects  kernel nexthop objects (the default, so every scenario above uses
#                them too): every gateway route has one; adopted after kill -9 with
#                nothing in `ip monitor route`, repaired, link down/up, collected
#   plain        --plain-routes: the same routes with their gateways, no object at all
#   nexthop-refused  a real refusal: a gateway connected only in table 100 (objects are
#                checked in table main, the route in its own table). The kernel refuses
#                those objects; their routes (one ECMP) go in plain, the others keep
#                objects; logged once per reason, counted; a restart adopts them all
#   link         carrier lost and back, admin down and up: ECMP shrinks to the members
#                that still forward, single-path routes are withdrawn, all come back
# Namespaces are named pfib-<pid>-… (PTR_NS_PREFIX replaces pfib); everything is removed on exit (lib.sh traps).
set -u
PETREL_FIB=${1:?usage: fib_netns.sh PATH-TO-petrel-fib}
source "$(dirname "$0")/../interop/lib.sh"
# shellcheck disable=SC2034  # read by lib.sh
PTR_ID="${PTR_NS_PREFIX:-pfib}-$$"   # this suite's namespace prefix (PTR_NS_PREFIX: see lib.sh)
ptr_init

PROTO=201

# topo: NS_H and NS_P as described above.
topo() {
  ns_add h; NS_H=$REPLY
  ns_add p; NS_P=$REPLY
  ns_link "$NS_H" veth1 "$NS_P" p1
  ns_link "$NS_H" veth2 "$NS_P" p2
  ns_addr "$NS_H" veth1 10.1.0.1/24; ns_addr "$NS_H" veth1 fd00:1::1/64
  ns_addr "$NS_H" veth2 10.2.0.1/24; ns_addr "$NS_H" veth2 fd00:2::1/64
  ns_addr "$NS_P" p1 10.1.0.2/24; ns_addr "$NS_P" p1 fd00:1::2/64
  ns_addr "$NS_P" p2 10.2.0.2/24; ns_addr "$NS_P" p2 fd00:2::2/64
  # Admin down must not flush IPv6 addresses (the link scenario takes veth1 down).
  nsx "$NS_H" sysctl -qw net.ipv6.conf.veth1.keep_addr_on_down=1 >/dev/null
  ROUTES="$PTR_SCOPE/routes.txt"
  cat >"$ROUTES" <<'ROUTES'
# desired routes
10.50.0.0/24 via 10.1.0.2 via 10.2.0.2
10.51.0.0/24 via 10.1.0.2 metric 20
10.52.0.0/24 via 10.2.0.2 weight 3 via 10.1.0.2
10.244.1.0/24 blackhole
fd00:50::/64 via fd00:1::2 via fd00:2::2
fd00:51::/64 via fd00:1::2 src fd00:1::1
fd00:244::/64 blackhole
ROUTES
}

# fib_start [ARGS...]: starts petrel-fib in NS_H and waits for its "ready" line.
fib_start() {
  FIB_LOG="$PTR_SCOPE/petrel-fib.$((++FIB_RUNS)).log"
  ptr_spawn "$NS_H" "$FIB_LOG" "$PETREL_FIB" --routes "$ROUTES" --protocol "$PROTO" "$@"
  FIB_PID=$PTR_LAST_PID
  require_wait "petrel-fib ready" 10 log_has "$FIB_LOG" '^ready '
}
FIB_RUNS=0

# ours [FAMILY] [TABLE]: our routes, one line each (ECMP members joined), numeric.
ours() {
  local fam=${1:--4} table=${2:-main}
  # "nhid N" (nexthop objects mode) is dropped: the next hops are printed beside it.
  ip -N -o -n "$NS_H" "$fam" route show proto "$PROTO" table "$table" |
    sed -E 's/\\\t/| /g; s/ nhid [0-9]+//; s/  */ /g; s/ $//' | sort
}
# line_of PREFIX [FAMILY] [TABLE]
line_of() { ours "${2:--4}" "${3:-main}" | awk -v p="$1" '$1 == p || ($1 == "6" && $2 == p)'; }
# has_route PREFIX REGEX [FAMILY] [TABLE]: the route's line matches REGEX.
has_route() { line_of "$1" "${3:--4}" "${4:-main}" | grep -Eq -- "$2"; }
no_route() { [[ -z "$(line_of "$1" "${2:--4}" "${3:-main}")" ]]; }

expect_full_set() {
  check "ECMP 10.50.0.0/24: two members" has_route 10.50.0.0/24 \
    '^10.50.0.0/24 \| nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2 dev veth2 weight 1$'
  check "single path with metric 10.51.0.0/24" has_route 10.51.0.0/24 '^10.51.0.0/24 via 10.1.0.2 dev veth1 metric 20$'
  check "weighted ECMP 10.52.0.0/24" has_route 10.52.0.0/24 \
    '^10.52.0.0/24 \| nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2 dev veth2 weight 3$'
  check "IPv4 blackhole 10.244.1.0/24 (type 6)" has_route 10.244.1.0/24 '^6 10.244.1.0/24$'
  check "IPv6 ECMP fd00:50::/64" has_route fd00:50::/64 \
    'nexthop via fd00:1::2 dev veth1 weight 1 \| nexthop via fd00:2::2 dev veth2 weight 1$' -6
  check "IPv6 preferred source fd00:51::/64" has_route fd00:51::/64 \
    '^fd00:51::/64 via fd00:1::2 dev veth1 src fd00:1::1 metric 1024' -6
  check "IPv6 blackhole fd00:244::/64" has_route fd00:244::/64 '^6 fd00:244::/64 ' -6
}

scenario_install() {
  topo
  fib_start --resync-interval 600
  check_eq "IPv4 routes with protocol $PROTO" 4 "$(ours -4 | grep -c .)"
  check_eq "IPv6 routes with protocol $PROTO" 3 "$(ours -6 | grep -c .)"
  expect_full_set
  check "all of them in table main" test "$(ip -N -n "$NS_H" route show table main proto $PROTO | grep -c '^[0-9]')" -eq 4
  ptr_stop "$FIB_PID"

  # Another table: the same routes land in table 100, none in main. (`ip route flush`
  # cannot delete routes with an nhid; deleting our objects deletes those routes.)
  # First without flushing: a writer of table 100 leaves our routes in table main
  # alone, and so the nexthop objects they use (deleting one deletes its routes).
  fib_start --table 100 --resync-interval 600
  check_eq "table 100 writer: its 4 IPv4 routes" 4 "$(ours -4 100 | grep -c .)"
  check_eq "table 100 writer: our 4 IPv4 routes in main untouched" 4 "$(ours -4 main | grep -c .)"
  check_eq "... and 3 of them still on their nexthop objects" 3 \
    "$(ip -N -n "$NS_H" route show table main proto $PROTO | grep -c ' nhid ')"
  ptr_stop "$FIB_PID"
  nsx "$NS_H" ip nexthop flush proto $PROTO >/dev/null 2>&1   # groups go with their members: ENOENT
  nsx "$NS_H" ip route flush proto $PROTO
  nsx "$NS_H" ip -6 route flush proto $PROTO
  check_eq "table main flushed" 0 "$( { ours -4 main; ours -6 main; } | grep -c .)"
  fib_start --table 100 --resync-interval 600
  check_eq "table 100: IPv4 routes" 4 "$(ours -4 100 | grep -c .)"
  check_eq "table 100: IPv6 routes" 3 "$(ours -6 100 | grep -c .)"
  check_eq "table main: none of ours" 0 "$(ours -4 main | grep -c .)"
  check "table 100: ECMP members" has_route 10.50.0.0/24 'nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2' -4 100
}

# foreign_routes: every route of NS_H (both families, all tables) not of our protocol.
foreign_routes() {
  { ip -N -o -n "$NS_H" -4 route show table all; ip -N -o -n "$NS_H" -6 route show table all; } |
    grep -v " proto $PROTO\b" | sort
}

scenario_others() {
  topo
  nsx "$NS_H" ip route add 10.60.0.0/24 via 10.1.0.2 proto static
  nsx "$NS_H" ip route add 10.61.0.0/24 via 10.2.0.2 proto bird
  nsx "$NS_H" ip route add 10.51.0.0/24 via 10.2.0.2 proto bird metric 20   # the same kernel key as ours
  nsx "$NS_H" ip route add 10.50.0.0/24 via 10.2.0.2 proto static metric 5  # same prefix, other metric
  nsx "$NS_H" ip -6 route add fd00:60::/64 via fd00:1::2 proto static
  nsx "$NS_H" ip route add 10.70.0.0/24 via 10.1.0.2 proto $PROTO           # stale, ours
  local before="$PTR_SCOPE/others.before" after="$PTR_SCOPE/others.after"
  foreign_routes >"$before"
  fib_start --resync-interval 600
  check "stale route of ours removed at start" no_route 10.70.0.0/24
  check "10.50.0.0/24 installed beside the static route of the same prefix" has_route 10.50.0.0/24 'nexthop via 10.1.0.2'
  # 10.51.0.0/24 metric 20 is bird's key: Petrel installs with NLM_F_EXCL, gets EEXIST,
  # counts it and retries with backoff; it never overwrites the other owner's route.
  check "bird's 10.51.0.0/24 metric 20 kept (not replaced by ours)" \
    test -n "$(ip -n "$NS_H" route show 10.51.0.0/24 proto bird metric 20)"
  check "ours for that key not installed" no_route 10.51.0.0/24
  check "the conflict is counted as a failure" log_has "$FIB_LOG" '^ready .* failures=[1-9][0-9]*$'
  foreign_routes >"$after"
  check "other protocols' routes unchanged by the start" diff -u "$before" "$after"
  check "IPv6 proto static untouched" test -n "$(ip -n "$NS_H" -6 route show fd00:60::/64 proto static)"
  ptr_stop "$FIB_PID"
  # The key frees up: the retry installs ours.
  nsx "$NS_H" ip route del 10.51.0.0/24 proto bird metric 20
  fib_start --resync-interval 600
  check "freed key: ours installed" has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$'
  ptr_stop "$FIB_PID"
  # An empty desired state removes ours, never theirs.
  foreign_routes >"$before"
  : >"$ROUTES"
  fib_start --resync-interval 600
  check_eq "empty desired state: no IPv4 route of ours left" 0 "$(ours -4 | grep -c .)"
  check_eq "empty desired state: no IPv6 route of ours left" 0 "$(ours -6 | grep -c .)"
  foreign_routes >"$after"
  check "other protocols' routes unchanged by the removal of ours" diff -u "$before" "$after"
  check "IPv6 proto static still there" test -n "$(ip -n "$NS_H" -6 route show fd00:60::/64 proto static)"
}

scenario_drift() {
  topo
  fib_start --resync-interval 600
  nsx "$NS_H" ip route del 10.51.0.0/24 metric 20
  check_wait "ip route del 10.51.0.0/24: back" 5 has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$'
  nsx "$NS_H" ip -6 route del fd00:50::/64
  check_wait "ip -6 route del fd00:50::/64: back with both members" 5 has_route fd00:50::/64 \
    'nexthop via fd00:1::2 dev veth1 weight 1 \| nexthop via fd00:2::2' -6
  nsx "$NS_H" ip route del 10.244.1.0/24
  check_wait "blackhole deleted: back" 5 has_route 10.244.1.0/24 '^6 10.244.1.0/24$'
  nsx "$NS_H" ip route replace 10.50.0.0/24 via 10.2.0.2 proto $PROTO
  check_wait "ECMP route changed behind our back: repaired" 5 has_route 10.50.0.0/24 \
    'nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2 dev veth2 weight 1$'
  check "petrel-fib logged the drift" log_has "$FIB_LOG" '^drift 10.51.0.0/24: deleted behind our back'
  # SIGHUP reload: a new route appears, a dropped one goes.
  sed -i 's|^10.52.0.0/24.*|10.53.0.0/24 via 10.2.0.2|' "$ROUTES"
  ptr_signal HUP "$FIB_PID"
  check_wait "reload: 10.53.0.0/24 installed" 5 has_route 10.53.0.0/24 'via 10.2.0.2 dev veth2$'
  check_wait "reload: 10.52.0.0/24 removed" 5 no_route 10.52.0.0/24
}

scenario_restart() {
  topo
  fib_start --resync-interval 600
  expect_full_set
  local mon="$PTR_SCOPE/monitor.out"
  ptr_spawn "$NS_H" "$mon" ip monitor route
  local mon_pid=$PTR_LAST_PID
  ptr_sleep 0.3
  require "kill -9 petrel-fib" ptr_signal KILL "$FIB_PID"
  wait_until 5 ptr_not_alive "$FIB_PID"
  ptr_sleep 0.5
  check_eq "after kill -9: IPv4 routes still in the kernel" 4 "$(ours -4 | grep -c .)"
  check_eq "after kill -9: IPv6 routes still in the kernel" 3 "$(ours -6 | grep -c .)"
  fib_start --resync-interval 600
  check "restart adopted all 7 routes with 0 operations" log_has "$FIB_LOG" '^ready routes=7 usable=7 adopted=7 operations=0 '
  ptr_sleep 1
  ptr_stop "$mon_pid"
  check_eq "ip monitor route: no Deleted line for our prefixes" "" \
    "$(grep -E '^Deleted .*(10\.5[0-2]\.0\.0|10\.244\.1\.0|fd00:5[01]::|fd00:244::)' "$mon")"
  check_eq "ip monitor route: no re-add of our prefixes either" "" \
    "$(grep -E '(10\.5[0-2]\.0\.0|10\.244\.1\.0|fd00:5[01]::|fd00:244::)' "$mon")"
  expect_full_set
}

# (check_wait runs its command again and again: conditions are functions, not "$(…)".)
no_objects_of_ours() { [[ -z "$(ip -n "$NS_H" nexthop show proto $PROTO)" ]]; }
# route_matches TABLE REGEX PREFIX [ip route selectors…]: our route's `ip route` text matches.
route_matches() { ip -N -n "$NS_H" route show table "$1" proto $PROTO "${@:3}" | grep -Eq -- "$2"; }
# plain_route TABLE REGEX PREFIX [selectors…]: there, matching, and without an nhid.
plain_route() { local r; r=$(ip -N -n "$NS_H" route show table "$1" proto $PROTO "${@:3}"); [[ -n $r && $r != *nhid* ]] && grep -Eq -- "$2" <<<"$r"; }
no_route_key() { [[ -z "$(ip -N -n "$NS_H" route show table "$1" proto $PROTO "${@:2}")" ]]; }

scenario_nexthop_objects() {
  topo
  fib_start --resync-interval 600   # objects are the default
  expect_full_set
  check_eq "every gateway route refers to a nexthop object" 5 \
    "$( { ip -N -n "$NS_H" -4 route show proto $PROTO; ip -N -n "$NS_H" -6 route show proto $PROTO; } | grep -c ' nhid ')"
  check "nexthop objects of protocol $PROTO exist" test -n "$(ip -n "$NS_H" nexthop show proto $PROTO)"
  local mon="$PTR_SCOPE/monitor.out" objects_before
  objects_before=$(ip -n "$NS_H" nexthop show proto $PROTO | sort)
  ptr_spawn "$NS_H" "$mon" ip monitor route nexthop
  local mon_pid=$PTR_LAST_PID
  ptr_sleep 0.3
  require "kill -9 petrel-fib" ptr_signal KILL "$FIB_PID"
  wait_until 5 ptr_not_alive "$FIB_PID"
  fib_start --resync-interval 600 --nexthop-objects
  check "restart adopted all 7 routes with 0 operations" log_has "$FIB_LOG" '^ready routes=7 usable=7 adopted=7 operations=0 '
  ptr_sleep 1
  ptr_stop "$mon_pid"
  check_eq "ip monitor route nexthop: nothing changed across the restart" "" "$(cat "$mon")"
  check "no nexthop object refused" ptr_not log_has "$FIB_LOG" 'refused|no nexthop API'
  ptr_signal USR1 "$FIB_PID"
  check_wait "counters: no route fell back to plain" 5 log_has "$FIB_LOG" '^counters .* plain_fallbacks=0 objects_refused=0$'
  check_eq "the same nexthop objects after the restart" "$objects_before" "$(ip -n "$NS_H" nexthop show proto $PROTO | sort)"
  nsx "$NS_H" ip route del 10.51.0.0/24 metric 20
  check_wait "ip route del: back" 5 has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$'
  # A metric change is a new kernel key: the new route goes in before the old one goes,
  # and removing the old one must not release the new one's object (the kernel would
  # delete the route with it). "dev veth1" makes the new route's object its own.
  sed -i 's|^10.51.0.0/24 via 10.1.0.2 metric 20$|10.51.0.0/24 via 10.1.0.2 dev veth1 metric 30|' "$ROUTES"
  ptr_signal HUP "$FIB_PID"
  check_wait "metric 20 -> 30: the new key in, on an object" 5 route_matches main 'nhid [0-9]+ via 10.1.0.2' 10.51.0.0/24 metric 30
  check_wait "metric 20 -> 30: the old key gone" 5 no_route_key main 10.51.0.0/24 metric 20
  ptr_sleep 1
  check "metric 30: still there a second later, on an object" route_matches main 'nhid [0-9]+ via 10.1.0.2' 10.51.0.0/24 metric 30
  sed -i 's|^10.51.0.0/24 via 10.1.0.2 dev veth1 metric 30$|10.51.0.0/24 via 10.1.0.2 metric 20|' "$ROUTES"
  ptr_signal HUP "$FIB_PID"
  check_wait "metric back to 20" 5 has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$'
  nsx "$NS_P" ip link set p1 down
  check_wait "carrier down: ECMP keeps the veth2 member" 5 has_route 10.50.0.0/24 '^10.50.0.0/24 via 10.2.0.2 dev veth2$'
  check_wait "carrier down: 10.51.0.0/24 withdrawn" 5 no_route 10.51.0.0/24
  nsx "$NS_P" ip link set p1 up
  check_wait "carrier back: full set" 8 expect_quiet_full_set
  # The desired state shrinks: objects nobody uses any more are deleted.
  printf '10.244.1.0/24 blackhole\n' >"$ROUTES"
  ptr_signal HUP "$FIB_PID"
  check_wait "reload to a blackhole only: our nexthop objects deleted" 5 no_objects_of_ours
}

scenario_plain() {
  topo
  fib_start --resync-interval 600 --plain-routes
  expect_full_set
  check_eq "no route refers to a nexthop object" 0 \
    "$( { ip -N -n "$NS_H" -4 route show proto $PROTO; ip -N -n "$NS_H" -6 route show proto $PROTO; } | grep -c ' nhid ')"
  check_eq "no nexthop object of protocol $PROTO" "" "$(ip -n "$NS_H" nexthop show proto $PROTO)"
  require "kill -9 petrel-fib" ptr_signal KILL "$FIB_PID"
  wait_until 5 ptr_not_alive "$FIB_PID"
  fib_start --resync-interval 600 --plain-routes
  check "restart adopted all 7 routes with 0 operations" log_has "$FIB_LOG" '^ready routes=7 usable=7 adopted=7 operations=0 '
}

# scenario_nexthop_refused: veth3 (10.9.0.1/24, noprefixroute) whose connected route
# lives only in table 100. A plain route in table 100 via 10.9.0.2 is fine (the kernel
# checks its gateway in table 100); a nexthop object via 10.9.0.2 is not (objects are
# checked in table main): "Device attribute required" (EINVAL, the sink's route lookup
# finds no device) or "Nexthop has invalid gateway" (ENETUNREACH, with dev veth3).
scenario_nexthop_refused() {
  topo
  ns_link "$NS_H" veth3 "$NS_P" p3
  nsx "$NS_H" ip addr add 10.9.0.1/24 dev veth3 noprefixroute
  ns_addr "$NS_P" p3 10.9.0.2/24
  nsx "$NS_H" ip route add 10.9.0.0/24 dev veth3 table 100 scope link
  check "the kernel itself refuses such an object" ptr_not nsx "$NS_H" ip nexthop add id 7 via 10.9.0.2 dev veth3
  cat >"$ROUTES" <<'ROUTES'
10.90.0.0/24 via 10.9.0.2
10.91.0.0/24 via 10.9.0.2 dev veth3
10.92.0.0/24 via 10.9.0.2 via 10.1.0.2
10.93.0.0/24 via 10.1.0.2
ROUTES
  fib_start --table 100 --resync-interval 600
  check "ready: all 4 installed, none failed" log_has "$FIB_LOG" '^ready routes=4 usable=4 adopted=0 operations=4 failures=0$'
  check "10.90.0.0/24 installed plain (no nhid)" \
    test -n "$(ip -N -n "$NS_H" route show table 100 proto $PROTO 10.90.0.0/24 | grep -v nhid | grep 'via 10.9.0.2 dev veth3')"
  check "10.91.0.0/24 (dev veth3) installed plain" \
    test -n "$(ip -N -n "$NS_H" route show table 100 proto $PROTO 10.91.0.0/24 | grep -v nhid | grep 'via 10.9.0.2 dev veth3')"
  check "ECMP 10.92.0.0/24 with a refused member installed plain, both members" has_route 10.92.0.0/24 \
    '^10.92.0.0/24 \| nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.9.0.2 dev veth3 weight 1$' -4 100
  check "ECMP 10.92.0.0/24 has no nhid" \
    test -z "$(ip -N -n "$NS_H" route show table 100 proto $PROTO 10.92.0.0/24 | grep nhid)"
  check "10.93.0.0/24 (gateway in table main) keeps its nexthop object" \
    test -n "$(ip -N -n "$NS_H" route show table 100 proto $PROTO 10.93.0.0/24 | grep 'nhid [0-9]')"
  check_eq "one nexthop object of ours: via 10.1.0.2" 1 "$(ip -n "$NS_H" nexthop show proto $PROTO | grep -c 'via 10.1.0.2 dev veth1')"
  check_eq "and no other" 1 "$(ip -n "$NS_H" nexthop show proto $PROTO | grep -c .)"
  check "refusal with EINVAL logged" log_has "$FIB_LOG" 'refused a nexthop object \(Invalid argument\)'
  check "refusal with ENETUNREACH logged" log_has "$FIB_LOG" 'refused a nexthop object \(Network is unreachable\)'
  check "objects stay on (not taken for a missing API)" ptr_not log_has "$FIB_LOG" 'no nexthop API'
  ptr_signal USR1 "$FIB_PID"
  # 10.90 and 10.91 refused, and the group of 10.92 (plus its refused member, the same
  # object as 10.90's): 3 objects refused, 3 routes plain.
  check_wait "counters: 3 routes plain, 3 objects refused" 5 log_has "$FIB_LOG" '^counters .* plain_fallbacks=3 objects_refused=3$'
  # A change needs the objects again: refused again, counted, not logged again.
  sed -i 's|^10.90.0.0/24 via 10.9.0.2$|10.90.0.0/24 via 10.9.0.2 metric 7|; s|^10.91.0.0/24 .*|10.91.0.0/24 via 10.9.0.2 dev veth3 src 10.9.0.1|' "$ROUTES"
  ptr_signal HUP "$FIB_PID"
  check_wait "reload: 10.90.0.0/24 metric 7 in, plain" 5 plain_route 100 'via 10.9.0.2' 10.90.0.0/24 metric 7
  check_wait "reload: 10.91.0.0/24 src 10.9.0.1, plain" 5 plain_route 100 'src 10.9.0.1' 10.91.0.0/24
  check_wait "reload: 10.90.0.0/24 old metric removed" 5 no_route_key 100 10.90.0.0/24 metric 0
  ptr_signal USR1 "$FIB_PID"
  check_wait "counters: 2 more routes plain, 2 more refusals" 5 log_has "$FIB_LOG" '^counters .* plain_fallbacks=5 objects_refused=5$'
  check_eq "each reason logged once" "1 1" \
    "$(log_count "$FIB_LOG" 'refused a nexthop object \(Invalid argument\)') $(log_count "$FIB_LOG" 'refused a nexthop object \(Network is unreachable\)')"
  # A restart adopts the plain routes and the object route as they are.
  require "kill -9 petrel-fib" ptr_signal KILL "$FIB_PID"
  wait_until 5 ptr_not_alive "$FIB_PID"
  fib_start --table 100 --resync-interval 600
  check "restart adopted all 4 routes with 0 operations" log_has "$FIB_LOG" '^ready routes=4 usable=4 adopted=4 operations=0 '
}

scenario_link() {
  topo
  fib_start --resync-interval 600
  expect_full_set
  # Carrier lost on veth1 (its peer end goes down).
  nsx "$NS_P" ip link set p1 down
  check_wait "carrier down: ECMP 10.50.0.0/24 keeps only the veth2 member" 5 has_route 10.50.0.0/24 '^10.50.0.0/24 via 10.2.0.2 dev veth2$'
  check_wait "carrier down: 10.51.0.0/24 (only via veth1) withdrawn" 5 no_route 10.51.0.0/24
  check_wait "carrier down: IPv6 ECMP keeps the veth2 member" 5 has_route fd00:50::/64 '^fd00:50::/64 via fd00:2::2 dev veth2 ' -6
  check_wait "carrier down: fd00:51::/64 withdrawn" 5 no_route fd00:51::/64 -6
  check "carrier down: blackholes stay" has_route 10.244.1.0/24 '^6 10.244.1.0/24$'
  nsx "$NS_P" ip link set p1 up
  check_wait "carrier back: 10.51.0.0/24 reinstalled" 5 has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$'
  check_wait "carrier back: ECMP 10.50.0.0/24 has both members again" 5 has_route 10.50.0.0/24 \
    'nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2 dev veth2 weight 1$'
  check_wait "carrier back: fd00:51::/64 reinstalled" 5 has_route fd00:51::/64 'via fd00:1::2 dev veth1 src fd00:1::1' -6
  # Administratively down (the kernel itself drops IPv4 routes through veth1).
  nsx "$NS_H" ip link set veth1 down
  check_wait "admin down: 10.52.0.0/24 keeps only the veth2 member" 5 has_route 10.52.0.0/24 '^10.52.0.0/24 via 10.2.0.2 dev veth2$'
  check_wait "admin down: 10.51.0.0/24 withdrawn" 5 no_route 10.51.0.0/24
  nsx "$NS_H" ip link set veth1 up
  check_wait "admin up: full set back" 8 expect_quiet_full_set
  expect_full_set
  check "petrel-fib reported the next hops going down and up" log_has "$FIB_LOG" 'nexthops changed: .*10.1.0.2=up'
}
expect_quiet_full_set() {
  has_route 10.50.0.0/24 'nexthop via 10.1.0.2 dev veth1 weight 1 \| nexthop via 10.2.0.2' &&
    has_route 10.51.0.0/24 'via 10.1.0.2 dev veth1 metric 20$' &&
    has_route fd00:50::/64 'nexthop via fd00:1::2 dev veth1 weight 1 \| nexthop via fd00:2::2' -6 &&
    has_route fd00:51::/64 'via fd00:1::2 dev veth1 src fd00:1::1' -6
}

run_scenario install scenario_install
run_scenario others scenario_others
run_scenario drift scenario_drift
run_scenario restart scenario_restart
run_scenario link scenario_link
run_scenario nexthop-objects scenario_nexthop_objects
run_scenario plain scenario_plain
run_scenario nexthop-refused scenario_nexthop_refused
ptr_summary
