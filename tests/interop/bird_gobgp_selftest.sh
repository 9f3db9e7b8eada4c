#!/usr/bin/env bash
# tests/interop/bird_gobgp_selftest.sh — proves the interop harness (lib.sh) with BIRD and
# GoBGP alone: sessions over IPv4 and IPv6, route exchange, TCP-MD5, and the mechanics that
# session_interop.sh relies on (capability parsing, SIGSTOP hold-timer expiry, forced
# connection collisions checked with ss).
#
#   bash tests/interop/bird_gobgp_selftest.sh        (root; ends with "N passed, N failed")

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$HERE/lib.sh"
ptr_init bird birdc gobgpd gobgp iptables

# Timers short enough for a fast test; BIRD's keepalive follows the negotiated hold time.
BIRD_TIMERS='hold time 3; connect retry time 2; connect delay time 1; error wait time 1, 2;'

# gobgp_neighbor ADDR PEER_AS LOCAL_ADDR [EXTRA TOML lines for neighbors.config] — one
# [[neighbors]] block with 3 s hold time; families from GOBGP_FAMILIES (default ipv4).
gobgp_neighbor() {
  local fam
  cat <<EOF
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$1"
    peer-as = $2
${4:-}
  [neighbors.timers.config]
    hold-time = 3
    keepalive-interval = 1
    connect-retry = 2
    idle-hold-time-after-reset = 1
  [neighbors.transport.config]
    local-address = "$3"
EOF
  for fam in ${GOBGP_FAMILIES:-ipv4-unicast}; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$fam"
  done
}

gobgp_global() {
  cat <<EOF
[global.config]
  as = $1
  router-id = "$2"
  port = 179
  local-address-list = [$3]
EOF
}

gobgp_has_route() { gobgp_q "$1" global rib "${@:3}" | grep -q -- "$2"; }

# 1. BIRD (ns A) <-> GoBGP (ns B), one session over IPv4 and one over IPv6; BIRD announces
#    a static route per family. Also checks the parsers used by session_interop.sh.
scenario_sessions() {
  topo_two_hosts
  bird_start "$NS_A" bird <<EOF
router id $A4;
protocol device { scan time 10; }
protocol static s4 { ipv4; route 10.99.0.0/24 blackhole; }
protocol static s6 { ipv6; route fd00:99::/48 blackhole; }
protocol bgp gobgp4 {
  local $A4 as 65001; neighbor $B4 as 65002; $BIRD_TIMERS
  ipv4 { import all; export all; };
}
protocol bgp gobgp6 {
  local $A6 as 65001; neighbor $B6 as 65002; $BIRD_TIMERS
  ipv6 { import all; export all; };
}
EOF
  {
    gobgp_global 65002 "$B4" "\"$B4\", \"$B6\""
    gobgp_neighbor "$A4" 65001 "$B4"
    GOBGP_FAMILIES=ipv6-unicast gobgp_neighbor "$A6" 65001 "$B6"
  } | gobgpd_start "$NS_B" gobgp 50061

  check_wait "BIRD: IPv4 session Established" 20 bird_established bird gobgp4
  check_wait "BIRD: IPv6 session Established" 20 bird_established bird gobgp6
  check_wait "GoBGP: IPv4 neighbor ESTABLISHED" 10 gobgp_established gobgp "$A4"
  check_wait "GoBGP: IPv6 neighbor ESTABLISHED" 10 gobgp_established gobgp "$A6"
  check_wait "GoBGP: BIRD's 10.99.0.0/24 in global rib" 10 gobgp_has_route gobgp 10.99.0.0/24
  check_wait "GoBGP: BIRD's fd00:99::/48 in global rib -a ipv6" 10 gobgp_has_route gobgp fd00:99::/48 -a ipv6

  local caps gcaps
  caps=$(bird_caps bird gobgp4)
  check_eq "bird_caps: state" Established "$(kv_get state <<<"$caps")"
  check_eq "bird_caps: hold time" 3 "$(kv_get hold <<<"$caps")"
  check_eq "bird_caps: keepalive" 1 "$(kv_get keepalive <<<"$caps")"
  check_eq "bird_caps: neighbor AS" 65002 "$(kv_get neighbor-as <<<"$caps")"
  check_eq "bird_caps: AS4 session" yes "$(kv_get as4 <<<"$caps")"
  check_eq "bird_caps: channels" ipv4 "$(kv_get channels <<<"$caps")"
  check "bird_caps: neighbor caps list route refresh and AS4" \
    bash -c '[[ ",$1," == *,route-refresh,* && ",$1," == *,as4,* && ",$1," == *,mp-ipv4,* ]]' _ \
    "$(kv_get neighbor-caps <<<"$caps")"
  gcaps=$(gobgp_caps gobgp "$A4")
  check_eq "gobgp_caps: state" ESTABLISHED "$(kv_get state <<<"$gcaps")"
  check_eq "gobgp_caps: negotiated hold time" 3 "$(kv_get hold <<<"$gcaps")"
  check_eq "gobgp_caps: 4-octet-as" both "$(kv_get cap-4-octet-as <<<"$gcaps")"
  check_eq "gobgp_caps: route-refresh" both "$(kv_get cap-route-refresh <<<"$gcaps")"
  check_eq "gobgp_caps: multiprotocol ipv4-unicast" both "$(kv_get cap-multiprotocol-ipv4-unicast <<<"$gcaps")"
  check_eq "gobgp_caps: enhanced-route-refresh (BIRD only)" received "$(kv_get cap-enhanced-route-refresh <<<"$gcaps")"
}

# 2./3. TCP-MD5: same password establishes; different passwords never do.
md5_pair() {
  local bird_pw=$1 gobgp_pw=$2
  topo_two_hosts
  bird_start "$NS_A" bird <<EOF
router id $A4;
protocol device { scan time 10; }
protocol bgp gobgp4 {
  local $A4 as 65001; neighbor $B4 as 65002; $BIRD_TIMERS
  password "$bird_pw";
  ipv4 { import all; export all; };
}
EOF
  {
    gobgp_global 65002 "$B4" "\"$B4\""
    gobgp_neighbor "$A4" 65001 "$B4" "    auth-password = \"$gobgp_pw\""
  } | gobgpd_start "$NS_B" gobgp 50062
}

scenario_md5_same() {
  md5_pair "petrel-md5-key" "petrel-md5-key"
  check_wait "MD5 same key: BIRD Established" 20 bird_established bird gobgp4
  check_wait "MD5 same key: GoBGP ESTABLISHED" 10 gobgp_established gobgp "$A4"
}

scenario_md5_different() {
  md5_pair "petrel-md5-key" "another-key"
  check_never "MD5 different keys: BIRD never Established" 10 bird_established bird gobgp4
  check "MD5 different keys: GoBGP not ESTABLISHED" bash -c "! [[ \$1 == ESTABLISHED ]]" _ \
    "$(gobgp_state gobgp "$A4")"
}

# 4. SIGSTOP: a stopped BIRD makes GoBGP's 3 s hold timer expire; SIGCONT, and they
#    establish again (the mechanics of session_interop.sh's hold-timer scenario).
scenario_sigstop() {
  topo_two_hosts
  bird_start "$NS_A" bird <<EOF
router id $A4;
protocol device { scan time 10; }
protocol bgp gobgp4 {
  local $A4 as 65001; neighbor $B4 as 65002; $BIRD_TIMERS
  ipv4 { import all; export all; };
}
EOF
  { gobgp_global 65002 "$B4" "\"$B4\""; gobgp_neighbor "$A4" 65001 "$B4"; } |
    gobgpd_start "$NS_B" gobgp 50063
  require_wait "Established before SIGSTOP" 20 gobgp_established gobgp "$A4"
  local t0=$EPOCHREALTIME
  require "SIGSTOP BIRD" ptr_signal STOP "${BIRD_PID[bird]}"
  check_wait "GoBGP leaves ESTABLISHED (hold timer)" 8 ptr_not gobgp_established gobgp "$A4"
  check_wait "GoBGP log: hold timer expired" 3 log_has "${GOBGP_LOG[gobgp]}" '[Hh]old.?[Tt]imer'
  ptr_log "hold timer noticed after $(ptr_elapsed "$t0") s"
  require "SIGCONT BIRD" ptr_signal CONT "${BIRD_PID[bird]}"
  check_wait "re-established after SIGCONT" 25 gobgp_established gobgp "$A4"
}

# 5. Forced collision between two BIRDs (force_collision in lib.sh): bird_a resumes first
#    and resolves the collision; the connection initiated by the higher router id must
#    survive. EXPECT is the initiator as seen from ns A (local|remote).
scenario_collision() {
  local rid_a=$1 rid_b=$2 expect=$3
  topo_two_hosts
  require "gate closed in ns A" gate_close "$NS_A"
  local side ns id me peer las ras
  for side in a b; do
    if [[ $side == a ]]; then ns=$NS_A id=$rid_a me=$A4 peer=$B4 las=65001 ras=65002
    else ns=$NS_B id=$rid_b me=$B4 peer=$A4 las=65002 ras=65001; fi
    bird_start "$ns" "bird_$side" <<EOF
router id $id;
protocol device { scan time 10; }
protocol bgp peer {
  local $me as $las; neighbor $peer as $ras; ${BIRD_TIMERS/hold time 3;/hold time 9;}
  ipv4 { import all; export all; };
}
EOF
  done
  force_collision "$NS_A" "${BIRD_PID[bird_a]}" "$NS_B" "${BIRD_PID[bird_b]}"
  check_wait "bird_a Established" 15 bird_established bird_a peer
  check_wait "bird_b Established" 5 bird_established bird_b peer
  check_wait "one TCP connection left" 10 bgp_conn_count_is "$NS_A" 1
  local conn; conn=$(bgp_conns "$NS_A")
  check "surviving connection is one of the colliding pair" grep -qxF -- "$conn" <<<"$COLLISION_CONNS"
  check_eq "surviving connection initiated by the higher router id" "$expect" "$(conn_initiator "$NS_A" "$conn")"
  check "bird_a resolved the collision" log_has "${BIRD_LOG[bird_a]}" 'Connection collision'
}

run_scenario sessions scenario_sessions
run_scenario md5-same scenario_md5_same
run_scenario md5-different scenario_md5_different
run_scenario sigstop scenario_sigstop
run_scenario collision-b-higher scenario_collision 10.11.0.1 10.11.0.2 remote
run_scenario collision-a-higher scenario_collision 10.11.0.9 10.11.0.2 local
ptr_summary
