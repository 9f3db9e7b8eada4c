#!/usr/bin/env bash
# tests/interop/session_interop.sh — Petrel's BGP sessions against real BIRD 2 and GoBGP.
#
#   bash tests/interop/session_interop.sh PATH/TO/petrel-speaker      (or PETREL_SPEAKER=...)
#
# petrel-speaker runs in ns A (10.11.0.1, fd00:11::1, AS 65001), the other daemon in ns B
# (10.11.0.2, fd00:11::2, AS 65002). Scenarios (one function each, own namespaces):
#   bird-sessions / gobgp-sessions   IPv4 and IPv6 sessions with hold time 3: Established,
#                                    stable for 10 s, negotiated capabilities agree
#   md5-same-key / md5-wrong-key     TCP-MD5 (RFC 2385) with --password-file
#   hold-timer                       BIRD stopped (SIGSTOP): Petrel sends NOTIFICATION 4/0
#   backoff                          BIRD killed and restarted: Petrel retries, re-establishes
#   collision-petrel-higher/-lower   RFC 4271 §6.8: the connection initiated by the higher
#                                    BGP Identifier survives
# The speaker's stdout (one event per line, see the contract in the lead's brief, mirrored in
# spk_* below) is the Petrel side of every check. Ends with "N passed, N failed".

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$HERE/lib.sh"

SPEAKER=${1:-${PETREL_SPEAKER:-}}
if [[ -z $SPEAKER ]]; then
  echo "usage: $0 PETREL_SPEAKER_BINARY   (or set PETREL_SPEAKER)" >&2
  exit 2
fi
SPEAKER=$(realpath -- "$SPEAKER" 2>/dev/null || echo "$SPEAKER")
ptr_init bird birdc gobgpd gobgp iptables
if [[ ! -x $SPEAKER ]]; then
  fail "petrel-speaker binary is not executable: $SPEAKER"
  ptr_summary; exit 1
fi

LOCAL_AS=65001
PEER_AS=65002
# BIRD: short timers so that failures are retried quickly.
BIRD_TIMERS='connect retry time 2; connect delay time 1; error wait time 1, 2; error forget time 10;'

# ---------------------------------------------------------------- petrel-speaker side

declare -gA SPK_PID=() SPK_OUT=()

# spk_start NS NAME ARGS...: runs the speaker in NS; stdout (the event lines) goes to
# NAME.out, stderr to NAME.err.log.
spk_start() {
  local ns=$1 name=$2; shift 2
  SPK_OUT[$name]="$PTR_SCOPE/$name.out"
  echo "$SPEAKER $*" >"$PTR_SCOPE/$name.cmdline.log"
  ptr_spawn "$ns" "$PTR_SCOPE/$name.err.log" bash -c 'exec "$@" >"$0"' "${SPK_OUT[$name]}" "$SPEAKER" "$@"
  SPK_PID[$name]=$PTR_LAST_PID
}

# spk_args: after topo_two_hosts, the common part of the command line for a session over
# IPv4 (SPK_V4) and over IPv6 (SPK_V6), A's side of the link.
spk_args() {
  SPK_V4=(--local-as "$LOCAL_AS" --router-id "$A4" --peer "$B4" --remote-as "$PEER_AS" --local-address "$A4")
  SPK_V6=(--local-as "$LOCAL_AS" --router-id "$A4" --peer "$B6" --remote-as "$PEER_AS" --local-address "$A6")
}

spk_has() { log_has "${SPK_OUT[$1]}" "$2"; }
spk_count() { log_count "${SPK_OUT[$1]}" "$2"; }
spk_wait() { log_wait "${SPK_OUT[$1]}" "$2" "$3"; }
spk_lines() { wc -l <"${SPK_OUT[$1]}" | tr -d ' '; }
# spk_since NAME N: the speaker's lines after line N.
spk_since() { tail -n "+$(( $2 + 1 ))" "${SPK_OUT[$1]}"; }
spk_alive() { ptr_alive "${SPK_PID[$1]}"; }
spk_established_count_is() { [[ "$(spk_count "$1" '^established ')" == "$2" ]]; }

# spk_established NAME: the last `established k=v ...` line, without the word.
spk_established() { grep -E '^established ' "${SPK_OUT[$1]}" | tail -n1 | sed 's/^established //'; }

# norm_list "b,a" -> "a,b"; "none", "-" and "" -> "".
norm_list() {
  local v=$1
  [[ $v == none || $v == - ]] && v=""
  tr ',' '\n' <<<"$v" | grep -v '^$' | sort -u | paste -sd, -
}

# ss's "LOCAL PEER" lines as "LOCAL -> PEER" with ip:port (brackets and %iface dropped),
# the form of Petrel's `connection` lines after norm_conn_line.
ss_as_arrows() { sed -E 's/[][]//g; s/%[^: ]*:/:/g; s/ / -> /'; }
norm_conn_line() { sed -E 's/^connection (incoming|outgoing) //; s/[][]//g; s/%[^: ]*:/:/g'; }
# spk_conn_lines NAME KIND-REGEX: Petrel's `connection` lines of that kind, normalized.
spk_conn_lines() { grep -E "^connection $2 " "${SPK_OUT[$1]}" | norm_conn_line; }

yes_no() { if "$@"; then echo yes; else echo no; fi; }

# ---------------------------------------------------------------- BIRD side

# bird_peer_conf BIRD_ROUTER_ID LOCAL_ADDR NEIGHBOR_ADDR HOLD EXTRA_OPTIONS CHANNELS
bird_peer_conf() {
  cat <<EOF
router id $1;
protocol device { scan time 10; }
protocol bgp petrel {
  local $2 as $PEER_AS; neighbor $3 as $LOCAL_AS;
  hold time $4; $BIRD_TIMERS
  $5
  $6
}
EOF
}

# compare_with_bird SPK BIRD PROTO EXPECT_FAMILIES EXPECT_ADDPATH_RX EXPECT_GR
# Petrel's `established` line against `birdc show protocols all PROTO`.
compare_with_bird() {
  local spk=$1 bird=$2 proto=$3 exp_fam=$4 exp_aprx=$5 exp_gr=$6
  local est caps lc nc f
  est=$(spk_established "$spk")
  caps=$(bird_caps "$bird" "$proto")
  lc=$(kv_get local-caps <<<"$caps"); nc=$(kv_get neighbor-caps <<<"$caps")
  both() { list_has "$lc" "$1" && list_has "$nc" "$1"; }
  local aprx="" aptx=""
  for f in ipv4 ipv6; do
    list_has "$lc" "add-path-tx-$f" && list_has "$nc" "add-path-rx-$f" && aprx+="$f,"
    list_has "$lc" "add-path-rx-$f" && list_has "$nc" "add-path-tx-$f" && aptx+="$f,"
  done
  p() { kv_get "$1" <<<"$est"; }
  check_eq "$proto: peer-as (BIRD's AS)" $PEER_AS "$(p peer-as)"
  check_eq "$proto: BIRD's Neighbor AS" $LOCAL_AS "$(kv_get neighbor-as <<<"$caps")"
  check_eq "$proto: hold time, Petrel vs BIRD 'Hold timer'" "$(kv_get hold <<<"$caps")" "$(p hold)"
  check_eq "$proto: hold time negotiated to 3" 3 "$(p hold)"
  check_eq "$proto: keepalive, Petrel vs BIRD 'Keepalive timer'" "$(kv_get keepalive <<<"$caps")" "$(p keepalive)"
  check_eq "$proto: four-octet-as vs BIRD session AS4" "$(kv_get as4 <<<"$caps")" "$(p four-octet-as)"
  check_eq "$proto: route-refresh vs BIRD caps" "$(yes_no both route-refresh)" "$(p route-refresh)"
  check_eq "$proto: enhanced-route-refresh vs BIRD caps" "$(yes_no both enhanced-refresh)" "$(p enhanced-route-refresh)"
  check_eq "$proto: extended-message vs BIRD caps" "$(yes_no both extended-message)" "$(p extended-message)"
  check_eq "$proto: graceful-restart vs BIRD caps" "$(yes_no both gr)" "$(p graceful-restart)"
  check_eq "$proto: graceful-restart as configured" "$exp_gr" "$(p graceful-restart)"
  check_eq "$proto: families vs BIRD channels UP" "$(norm_list "$(kv_get channels <<<"$caps")")" "$(norm_list "$(p families)")"
  check_eq "$proto: families as configured" "$exp_fam" "$(norm_list "$(p families)")"
  check_eq "$proto: add-path-rx vs BIRD caps (BIRD TX, Petrel RX)" "$(norm_list "$aprx")" "$(norm_list "$(p add-path-rx)")"
  check_eq "$proto: add-path-rx as configured" "$exp_aprx" "$(norm_list "$(p add-path-rx)")"
  check_eq "$proto: add-path-tx vs BIRD caps" "$(norm_list "$aptx")" "$(norm_list "$(p add-path-tx)")"
}

# stable_for SECONDS SPK BIRD PROTO [SPK BIRD PROTO]...: each session stays Established —
# BIRD's "since" unchanged, no new `state` line from Petrel, Petrel still running.
stable_for() {
  local secs=$1; shift
  local -a spks=() birds=() protos=() since=() nstate=()
  while (( $# >= 3 )); do spks+=("$1"); birds+=("$2"); protos+=("$3"); shift 3; done
  local i
  for i in "${!spks[@]}"; do
    since[$i]=$(bird_proto_since "${birds[$i]}" "${protos[$i]}")
    nstate[$i]=$(spk_count "${spks[$i]}" '^state ')
  done
  ptr_sleep "$secs"
  for i in "${!spks[@]}"; do
    local s=${spks[$i]} pr=${protos[$i]} bird=${birds[$i]}
    check "$pr: BIRD still Established after ${secs} s" bird_established "$bird" "$pr"
    check_eq "$pr: BIRD 'since' unchanged after ${secs} s" "${since[$i]}" "$(bird_proto_since "$bird" "$pr")"
    check_eq "$pr: no new Petrel state line in ${secs} s" "${nstate[$i]}" "$(spk_count "$s" '^state ')"
    check "$pr: petrel-speaker still running" spk_alive "$s"
  done
}

# ---------------------------------------------------------------- a. BIRD, IPv4 and IPv6

# IPv4 session: ipv4+ipv6 families, ADD-PATH (BIRD sends, Petrel receives) for ipv4,
# graceful restart and extended messages configured on both. IPv6 session: ipv6 only,
# nothing optional (BIRD's graceful restart off).
scenario_bird_sessions() {
  topo_two_hosts; spk_args
  bird_start "$NS_B" bird <<EOF
router id $B4;
protocol device { scan time 10; }
protocol bgp petrel4 {
  local $B4 as $PEER_AS; neighbor $A4 as $LOCAL_AS;
  hold time 3; $BIRD_TIMERS
  graceful restart on; enable extended messages on;
  ipv4 { import all; export none; add paths tx; };
  ipv6 { import all; export none; };
}
protocol bgp petrel6 {
  local $B6 as $PEER_AS; neighbor $A6 as $LOCAL_AS;
  hold time 3; $BIRD_TIMERS
  graceful restart off;
  ipv6 { import all; export none; };
}
EOF
  spk_start "$NS_A" petrel4 "${SPK_V4[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 \
    --family ipv4 --family ipv6 --add-path-receive ipv4 --graceful-restart 120
  spk_start "$NS_A" petrel6 "${SPK_V6[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 \
    --family ipv6

  check_wait "petrel4: Petrel prints established" 20 spk_has petrel4 '^established '
  check_wait "petrel4: BIRD shows Established" 5 bird_established bird petrel4
  check_wait "petrel6: Petrel prints established" 20 spk_has petrel6 '^established '
  check_wait "petrel6: BIRD shows Established" 5 bird_established bird petrel6
  local s conns
  conns=$(bgp_conns "$NS_A" | ss_as_arrows)
  for s in petrel4 petrel6; do
    check "$s: Petrel's last state line is '-> Established'" \
      bash -c 'grep "^state " "$1" | tail -n1 | grep -q -- "-> Established:"' _ "${SPK_OUT[$s]}"
    check "$s: Petrel's last 'connection' line is the live TCP connection (ss)" \
      grep -qxF -- "$(spk_conn_lines "$s" '(incoming|outgoing)' | tail -n1)" <<<"$conns"
  done
  ptr_sleep 1   # let anything racing with the establishment (e.g. a collision) settle
  stable_for 10 petrel4 bird petrel4 petrel6 bird petrel6
  compare_with_bird petrel4 bird petrel4 "ipv4,ipv6" "ipv4" yes
  compare_with_bird petrel6 bird petrel6 "ipv6" "" no
  # The contract: runs until SIGTERM, then goes away (and BIRD sees the session end).
  require "SIGTERM petrel4" ptr_signal TERM "${SPK_PID[petrel4]}"
  check_wait "petrel-speaker exits on SIGTERM" 5 ptr_not_alive "${SPK_PID[petrel4]}"
  check_wait "BIRD's session to it leaves Established" 5 ptr_not bird_established bird petrel4
}

# ---------------------------------------------------------------- b. GoBGP, IPv4 and IPv6

gobgp_neighbor_block() {   # ADDR LOCAL_ADDR FAMILIES [EXTRA-after-afi-safi...]
  local fam
  cat <<EOF
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$1"
    peer-as = $LOCAL_AS
  [neighbors.timers.config]
    hold-time = 3
    keepalive-interval = 1
    connect-retry = 2
    idle-hold-time-after-reset = 1
  [neighbors.transport.config]
    local-address = "$2"
EOF
  for fam in $3; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s-unicast"\n' "$fam"
    if [[ $fam == ipv4 && -n ${GOBGP_ADDPATH:-} ]]; then
      printf '    [neighbors.afi-safis.add-paths.config]\n      send-max = 4\n'
    fi
  done
  if [[ -n ${GOBGP_GR:-} ]]; then
    printf '  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n'
  fi
}

# compare_with_gobgp SPK GOBGP PEER_ADDR EXPECT_FAMILIES EXPECT_ADDPATH_RX EXPECT_GR
compare_with_gobgp() {
  local spk=$1 gb=$2 peer=$3 exp_fam=$4 exp_aprx=$5 exp_gr=$6
  local est caps f fams="" aprx="" aptx="" lab="gobgp $3"
  est=$(spk_established "$spk")
  caps=$(gobgp_caps "$gb" "$peer")
  g() { kv_get "$1" <<<"$caps"; }
  p() { kv_get "$1" <<<"$est"; }
  neg() { [[ "$(g "$1")" == both ]]; }
  for f in ipv4 ipv6; do
    neg "cap-multiprotocol-$f-unicast" && fams+="$f,"
    [[ "$(g "cap-add-path-local-$f-unicast")" == *send* && "$(g "cap-add-path-remote-$f-unicast")" == *receive* ]] && aprx+="$f,"
    [[ "$(g "cap-add-path-local-$f-unicast")" == *receive* && "$(g "cap-add-path-remote-$f-unicast")" == *send* ]] && aptx+="$f,"
  done
  check_eq "$lab: peer-as" $PEER_AS "$(p peer-as)"
  check_eq "$lab: hold time, Petrel vs 'Hold time is'" "$(g hold)" "$(p hold)"
  check_eq "$lab: hold time negotiated to 3" 3 "$(p hold)"
  check_eq "$lab: keepalive, Petrel vs GoBGP" "$(g keepalive)" "$(p keepalive)"
  check_eq "$lab: four-octet-as vs 4-octet-as" "$(yes_no neg cap-4-octet-as)" "$(p four-octet-as)"
  check_eq "$lab: route-refresh vs GoBGP" "$(yes_no neg cap-route-refresh)" "$(p route-refresh)"
  check_eq "$lab: enhanced-route-refresh vs GoBGP" "$(yes_no neg cap-enhanced-route-refresh)" "$(p enhanced-route-refresh)"
  check_eq "$lab: extended-message vs GoBGP" "$(yes_no neg cap-extended-message)" "$(p extended-message)"
  check_eq "$lab: graceful-restart vs GoBGP" "$(yes_no neg cap-graceful-restart)" "$(p graceful-restart)"
  check_eq "$lab: graceful-restart as configured" "$exp_gr" "$(p graceful-restart)"
  check_eq "$lab: families vs multiprotocol 'advertised and received'" "$(norm_list "$fams")" "$(norm_list "$(p families)")"
  check_eq "$lab: families as configured" "$exp_fam" "$(norm_list "$(p families)")"
  check_eq "$lab: add-path-rx vs GoBGP (GoBGP send, Petrel receive)" "$(norm_list "$aprx")" "$(norm_list "$(p add-path-rx)")"
  check_eq "$lab: add-path-rx as configured" "$exp_aprx" "$(norm_list "$(p add-path-rx)")"
  check_eq "$lab: add-path-tx vs GoBGP" "$(norm_list "$aptx")" "$(norm_list "$(p add-path-tx)")"
}

gobgp_flops() { gobgp_q "$1" neighbor "$2" | sed -n 's/.*Flops = \([0-9]*\).*/\1/p'; }

scenario_gobgp_sessions() {
  topo_two_hosts; spk_args
  gobgpd_start "$NS_B" gobgp 50071 < <(
    printf '[global.config]\n  as = %s\n  router-id = "%s"\n  port = 179\n  local-address-list = ["%s", "%s"]\n' \
      $PEER_AS "$B4" "$B4" "$B6"
    GOBGP_ADDPATH=1 GOBGP_GR=1 gobgp_neighbor_block "$A4" "$B4" "ipv4 ipv6"
    gobgp_neighbor_block "$A6" "$B6" "ipv6"
  )
  spk_start "$NS_A" petrel4 "${SPK_V4[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 \
    --family ipv4 --family ipv6 --add-path-receive ipv4 --graceful-restart 120
  spk_start "$NS_A" petrel6 "${SPK_V6[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 \
    --family ipv6

  check_wait "gobgp $A4: Petrel prints established" 20 spk_has petrel4 '^established '
  check_wait "gobgp $A4: GoBGP 'BGP state = ESTABLISHED'" 5 gobgp_established gobgp "$A4"
  check_wait "gobgp $A6: Petrel prints established" 20 spk_has petrel6 '^established '
  check_wait "gobgp $A6: GoBGP 'BGP state = ESTABLISHED'" 5 gobgp_established gobgp "$A6"
  ptr_sleep 1
  local f4 f6 n4 n6
  f4=$(gobgp_flops gobgp "$A4"); f6=$(gobgp_flops gobgp "$A6")
  n4=$(spk_count petrel4 '^state '); n6=$(spk_count petrel6 '^state ')
  ptr_sleep 10
  local addr s n f
  for addr in "$A4" "$A6"; do
    if [[ $addr == "$A4" ]]; then s=petrel4 n=$n4 f=$f4; else s=petrel6 n=$n6 f=$f6; fi
    check "gobgp $addr: still ESTABLISHED after 10 s" gobgp_established gobgp "$addr"
    check_eq "gobgp $addr: Flops unchanged after 10 s" "$f" "$(gobgp_flops gobgp "$addr")"
    check_eq "gobgp $addr: no new Petrel state line in 10 s" "$n" "$(spk_count "$s" '^state ')"
    check "gobgp $addr: petrel-speaker still running" spk_alive "$s"
  done
  compare_with_gobgp petrel4 gobgp "$A4" "ipv4,ipv6" "ipv4" yes
  compare_with_gobgp petrel6 gobgp "$A6" "ipv6" "" no
}

# ---------------------------------------------------------------- c. TCP-MD5

md5_setup() {   # BIRD_PASSWORD PETREL_PASSWORD
  topo_two_hosts; spk_args
  bird_start "$NS_B" bird < <(bird_peer_conf "$B4" "$B4" "$A4" 3 "password \"$1\";" \
    'ipv4 { import all; export none; };')
  printf '%s' "$2" >"$PTR_SCOPE/md5.key"
  chmod 600 "$PTR_SCOPE/md5.key"
  spk_start "$NS_A" petrel "${SPK_V4[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 \
    --family ipv4 --password-file "$PTR_SCOPE/md5.key"
}

scenario_md5_same() {
  md5_setup "petrel-md5-s3cret" "petrel-md5-s3cret"
  check_wait "same key: Petrel prints established" 20 spk_has petrel '^established '
  check_wait "same key: BIRD shows Established" 5 bird_established bird petrel
}

scenario_md5_wrong() {
  md5_setup "petrel-md5-s3cret" "petrel-md5-wrong"
  check_never "wrong key: no Established on either side" 10 md5_either_established
  check "wrong key: BIRD not Established" ptr_not bird_established bird petrel
  check_eq "wrong key: Petrel never printed established" 0 "$(spk_count petrel '^established ')"
  check "wrong key: petrel-speaker still running" spk_alive petrel
}
md5_either_established() { spk_has petrel '^established ' || bird_established bird petrel; }

# ---------------------------------------------------------------- d. hold timer

scenario_hold_timer() {
  topo_two_hosts; spk_args
  bird_start "$NS_B" bird < <(bird_peer_conf "$B4" "$B4" "$A4" 3 "" 'ipv4 { import all; export none; };')
  spk_start "$NS_A" petrel "${SPK_V4[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 --family ipv4
  require_wait "Established before SIGSTOP" 20 spk_has petrel '^established '
  require_wait "BIRD Established before SIGSTOP" 5 bird_established bird petrel
  ptr_sleep 1
  local n0 t0; n0=$(spk_lines petrel); t0=$EPOCHREALTIME
  require "SIGSTOP BIRD (PID ${BIRD_PID[bird]})" ptr_signal STOP "${BIRD_PID[bird]}"
  check_wait "Petrel prints notification-sent 4/0 (hold timer expired)" 6 \
    bash -c 'tail -n "+$(( $2 + 1 ))" "$1" | grep -Eq "^notification-sent 4/0( |$)"' _ "${SPK_OUT[petrel]}" "$n0"
  local dt; dt=$(ptr_elapsed "$t0")
  check "hold timer expired 1.5-5.5 s after SIGSTOP (took $dt s)" \
    awk -v d="$dt" 'BEGIN { exit !(d >= 1.5 && d <= 5.5) }'
  check_wait "Petrel leaves Established" 2 \
    bash -c 'tail -n "+$(( $2 + 1 ))" "$1" | grep -Eq "^state Established -> "' _ "${SPK_OUT[petrel]}" "$n0"
  check_eq "Petrel received no NOTIFICATION (BIRD was stopped)" 0 \
    "$(spk_since petrel "$n0" | grep -c '^notification-received')"
  require "SIGCONT BIRD" ptr_signal CONT "${BIRD_PID[bird]}"
  check_wait "re-established after SIGCONT" 25 spk_established_count_is petrel 2
  check_wait "BIRD Established again" 5 bird_established bird petrel
}

# ---------------------------------------------------------------- e. backoff

scenario_backoff() {
  topo_two_hosts; spk_args
  bird_start "$NS_B" bird < <(bird_peer_conf "$B4" "$B4" "$A4" 3 "" 'ipv4 { import all; export none; };')
  spk_start "$NS_A" petrel "${SPK_V4[@]}" --hold-time 3 --connect-retry 2 --idle-hold 1 --family ipv4
  require_wait "Established with BIRD" 20 spk_has petrel '^established '
  require_wait "BIRD Established" 5 bird_established bird petrel
  ptr_sleep 1
  local n0; n0=$(spk_lines petrel)
  bird_stop bird
  check_wait "Petrel leaves Established after BIRD's SIGTERM" 5 \
    bash -c 'tail -n "+$(( $2 + 1 ))" "$1" | grep -q "^state Established -> "' _ "${SPK_OUT[petrel]}" "$n0"
  ptr_sleep 7   # BIRD down: Petrel retries meanwhile
  local down holds connects
  down=$(spk_since petrel "$n0")
  holds=$(grep -E '^idle-hold [0-9]+' <<<"$down" | awk '{ print $2 }' | paste -sd' ' -)
  connects=$(grep -Ec '^state [A-Za-z]+ -> Connect' <<<"$down")
  ptr_log "while BIRD was down: idle-hold values [$holds], $connects transitions to Connect"
  local nholds; nholds=$(wc -w <<<"$holds")
  if (( nholds >= 2 )); then
    check "idle-hold values grow while BIRD is down ($holds)" \
      awk -v s="$holds" 'BEGIN { n = split(s, v, " "); for (i = 2; i <= n; i++) if (v[i] + 0 < v[i-1] + 0) exit 1; exit !(v[n] + 0 > v[1] + 0) }'
  else
    check "Petrel retries with connect-retry while BIRD is down ($connects connects, idle-hold [$holds])" \
      test "$connects" -ge 2
  fi
  check "Petrel did not establish while BIRD was down" \
    bash -c '! grep -q "^established " <<<"$1"' _ "$down"
  check "petrel-speaker still running" spk_alive petrel
  bird_launch bird
  check_wait "re-established after BIRD returns" 25 spk_established_count_is petrel 2
  check_wait "BIRD Established again" 5 bird_established bird petrel
}

# ---------------------------------------------------------------- f. collision

# Both sides connect actively; force_collision (lib.sh) holds the four OPENs until both
# connections exist, then lets Petrel read them first, so Petrel must resolve the
# collision. EXPECT: who must have initiated the surviving connection (local = Petrel).
scenario_collision() {
  local petrel_id=$1 bird_id=$2 expect=$3
  topo_two_hosts; spk_args
  require "gate closed in ns A" gate_close "$NS_A"
  bird_start "$NS_B" bird < <(bird_peer_conf "$bird_id" "$B4" "$A4" 9 "" 'ipv4 { import all; export none; };')
  spk_start "$NS_A" petrel --local-as $LOCAL_AS --router-id "$petrel_id" --peer "$B4" \
    --remote-as $PEER_AS --local-address "$A4" --listen "$A4" --hold-time 9 --connect-retry 2 \
    --idle-hold 1 --family ipv4
  force_collision "$NS_A" "${SPK_PID[petrel]}" "$NS_B" "${BIRD_PID[bird]}"
  check_wait "Petrel prints established" 15 spk_has petrel '^established '
  check_wait "BIRD shows Established" 5 bird_established bird petrel
  check_wait "exactly one BGP TCP connection left" 10 bgp_conn_count_is "$NS_A" 1
  ptr_sleep 2
  local conn; conn=$(bgp_conns "$NS_A")
  check_eq "still one connection 2 s later" 1 "$(bgp_conn_count "$NS_A")"
  check "surviving connection is one of the colliding pair" grep -qxF -- "$conn" <<<"$COLLISION_CONNS"
  check_eq "surviving connection initiated by the higher BGP Identifier ($conn)" \
    "$expect" "$(conn_initiator "$NS_A" "$conn")"
  local kept=outgoing; [[ $expect == remote ]] && kept=incoming
  check_wait "Petrel prints 'collision kept $kept'" 2 spk_has petrel "^collision kept $kept\$"
  check_eq "Petrel printed no contrary collision decision" "$(spk_count petrel '^collision kept')" \
    "$(spk_count petrel "^collision kept $kept\$")"
  check_eq "exactly one established line" 1 "$(spk_count petrel '^established ')"
  local before; before=$(ss_as_arrows <<<"$COLLISION_CONNS")
  check "Petrel printed 'connection outgoing' for its colliding connection" \
    grep -qxF -- "$(spk_conn_lines petrel outgoing | head -n1)" <<<"$before"
  check "Petrel printed 'connection incoming' for BIRD's colliding connection" \
    grep -qxF -- "$(spk_conn_lines petrel incoming | head -n1)" <<<"$before"
  check "BIRD still Established" bird_established bird petrel
}

# ---------------------------------------------------------------- run

run_scenario bird-sessions scenario_bird_sessions
run_scenario gobgp-sessions scenario_gobgp_sessions
run_scenario md5-same-key scenario_md5_same
run_scenario md5-wrong-key scenario_md5_wrong
run_scenario hold-timer scenario_hold_timer
run_scenario backoff scenario_backoff
run_scenario collision-petrel-higher scenario_collision 10.11.0.200 10.11.0.100 local
run_scenario collision-petrel-lower scenario_collision 10.11.0.50 10.11.0.100 remote
ptr_summary
