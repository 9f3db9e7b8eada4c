# shellcheck shell=bash
# tests/interop/lib.sh — shared harness for the interop tests against real BIRD and GoBGP.
#
# Source it from a test script (bash). Everything the tests touch lives in network
# namespaces created here (named ptr-<pid>-<n>-<name>) and in a temp directory; the
# host's own namespace gets no address, route or firewall rule. Processes are started
# through ptr_spawn, remembered by PID (and start time, against PID reuse), and are the
# only ones ever signalled. Cleanup runs on exit, also after a failure or a signal.
#
#   source lib.sh; ptr_init
#   run_scenario "name" scenario_fn      # scenario_fn runs in a subshell with its own scope:
#                                        # its namespaces and processes go away when it ends
#   ptr_summary                          # prints "N passed, N failed"; non-zero if any failed
#
# Inside a scenario:
#   topo_two_hosts                       # NS_A (A4, A6) <-veth-> NS_B (B4, B6)
#   topo_star N                          # hub NS_R (bridge, R4) + leaves NS_LEAF[i] (LEAF4[i])
#   bird_start NS NAME <<EOF ... EOF     # config body on stdin; log, debug, socket added here
#   gobgpd_start NS NAME PORT <<EOF ... EOF   (or < <(generator); never in a subshell)
#   birdc_q NAME|SOCK CMD...; gobgp_q NAME ARGS...
#   check / require / check_eq / check_wait / require_wait / pass / fail
#
# Polling (wait_until) is fine here: these are interop tests, not unit tests.

# Globals set here are read by the sourcing scripts.
# shellcheck disable=SC2034
set -u
# `producer | gobgpd_start ...` must run gobgpd_start in this shell (it sets globals).
shopt -s lastpipe

# PTR_NS_PREFIX: the first part of every namespace name (default "ptr"), so that test
# runs sharing a machine can keep apart (e.g. PTR_NS_PREFIX=fnh -> fnh-<pid>-...).
PTR_ID="${PTR_NS_PREFIX:-ptr}-$$"
PTR_TMP=""
PTR_SCOPE=""
PTR_SCOPE_SEQ=0
PTR_RESULTS=""
PTR_SCOPE_NAME="main"

declare -gA BIRD_SOCK=() BIRD_PID=() BIRD_NS=() BIRD_CONF=() BIRD_LOG=()
declare -gA GOBGP_PORT=() GOBGP_PID=() GOBGP_NS=() GOBGP_CONF=() GOBGP_LOG=()

# ---------------------------------------------------------------- output, results

ptr_log() { printf '# %s\n' "$*" >&2; }

# Records one result line in the shared results file (subshells write to it too).
ptr_record() { printf '%s\t%s\t%s\n' "$1" "$PTR_SCOPE_NAME" "$2" >>"$PTR_RESULTS"; }

pass() { ptr_record pass "$1"; printf 'ok   - [%s] %s\n' "$PTR_SCOPE_NAME" "$1"; }

# fail MSG [DETAILS...]: records a failure; details are printed indented.
fail() {
  local msg=$1; shift
  ptr_record fail "$msg"
  printf 'FAIL - [%s] %s\n' "$PTR_SCOPE_NAME" "$msg"
  local d
  for d in "$@"; do
    [[ -n $d ]] && printf '%s\n' "$d" | sed 's/^/       | /'
  done
  return 0
}

# check MSG CMD...: runs CMD; records pass or fail (with CMD's output). Returns CMD's status.
check() {
  local msg=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  if (( rc == 0 )); then pass "$msg"; else fail "$msg" "command: $* (exit $rc)" "$out"; fi
  return $rc
}

# require MSG CMD...: like check, but a failure ends the current scenario.
require() { check "$@" || exit 1; }

# check_eq MSG EXPECTED ACTUAL
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1 (= '$3')"; return 0; fi
  fail "$1" "expected: '$2'" "actual:   '$3'"; return 1
}
require_eq() { check_eq "$@" || exit 1; }

# check_wait MSG TIMEOUT CMD...: polls CMD until it succeeds or TIMEOUT seconds pass.
check_wait() {
  local msg=$1 timeout=$2; shift 2
  local t0=$EPOCHREALTIME
  if wait_until "$timeout" "$@"; then
    pass "$msg ($(ptr_elapsed "$t0") s)"; return 0
  fi
  local out; out=$("$@" 2>&1)
  fail "$msg (not within ${timeout} s)" "command: $*" "$out"
  return 1
}
require_wait() { check_wait "$@" || exit 1; }

# check_never MSG DURATION CMD...: CMD must stay false for DURATION seconds.
check_never() {
  local msg=$1 duration=$2; shift 2
  if wait_until "$duration" "$@"; then
    local out; out=$("$@" 2>&1)
    fail "$msg (happened within ${duration} s)" "command: $*" "$out"; return 1
  fi
  pass "$msg (${duration} s)"; return 0
}

ptr_elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ptr_sleep SECONDS: a sleep that a signal interrupts (bash runs traps only between
# foreground commands, `wait` included).
ptr_sleep() { sleep "$1" & wait $!; }

# wait_until TIMEOUT CMD...: polls CMD every 0.2 s; 0 as soon as it succeeds, 1 on timeout.
wait_until() {
  local timeout=$1; shift
  local deadline
  deadline=$(awk -v n="$EPOCHREALTIME" -v t="$timeout" 'BEGIN { printf "%.6f", n + t }')
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    awk -v n="$EPOCHREALTIME" -v d="$deadline" 'BEGIN { exit !(n >= d) }' && return 1
    ptr_sleep 0.2
  done
}

# ptr_summary: prints the "N passed, N failed" line; status 0 only if nothing failed
# and at least one check ran.
ptr_summary() {
  local p f
  p=$(grep -c '^pass' "$PTR_RESULTS" 2>/dev/null); p=${p:-0}
  f=$(grep -c '^fail' "$PTR_RESULTS" 2>/dev/null); f=${f:-0}
  if (( f > 0 )); then
    echo "failed checks:"
    awk -F '\t' '$1 == "fail" { printf "  [%s] %s\n", $2, $3 }' "$PTR_RESULTS"
  fi
  echo "$p passed, $f failed"
  (( f == 0 && p > 0 ))
}

# ---------------------------------------------------------------- setup, scopes, cleanup

# ptr_init: checks prerequisites (exits 77, "skipped", if missing), creates the temp
# dir and installs the cleanup trap.
ptr_init() {
  if (( EUID != 0 )); then ptr_skip "interop tests need root (network namespaces)"; fi
  local tool
  for tool in ip ss awk "$@"; do
    command -v "$tool" >/dev/null 2>&1 || ptr_skip "'$tool' not installed"
  done
  PTR_TMP=$(mktemp -d "/tmp/${PTR_ID}.XXXXXX") || exit 1
  PTR_RESULTS="$PTR_TMP/results"
  : >"$PTR_RESULTS"
  trap ptr_cleanup_all EXIT
  trap 'ptr_on_signal 130' INT
  trap 'ptr_on_signal 143' TERM HUP
  ptr_scope_begin main
}

# A developer without root or the daemons gets "skipped"; CI (CI=true) installs
# everything and runs as root, so there a missing prerequisite is a failure.
ptr_skip() {
  if [[ "${CI:-}" == true ]]; then echo "FAIL: $1 (CI must run interop)"; echo "0 passed, 1 failed"; exit 1; fi
  echo "SKIP: $1"; echo "0 passed, 0 failed"; exit 77
}

# ptr_scope_begin NAME: a new set of namespaces and processes, cleaned up together.
ptr_scope_begin() {
  PTR_SCOPE_SEQ=$((PTR_SCOPE_SEQ + 1))
  PTR_SCOPE_NAME=$1
  PTR_SCOPE="$PTR_TMP/$(printf '%02d' "$PTR_SCOPE_SEQ")-$1"
  mkdir -p "$PTR_SCOPE"
  : >"$PTR_SCOPE/pids"; : >"$PTR_SCOPE/netns"
}

ptr_proc_start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# ptr_is_ours PID: the recorded process (same PID and start time) still exists.
ptr_is_ours() {
  local pid=$1 want
  want=$(awk -v p="$pid" '$1 == p { print $2 }' "$PTR_TMP"/*/pids 2>/dev/null | tail -n1)
  [[ -n $want && "$(ptr_proc_start_time "$pid")" == "$want" ]]
}

# ptr_alive PID: running (not a zombie).
ptr_alive() {
  local st
  st=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# ptr_stop PID: SIGCONT (in case it was stopped), SIGTERM, wait up to 3 s, SIGKILL.
# Only acts on processes this harness started.
ptr_stop() {
  local pid=$1
  ptr_is_ours "$pid" || return 0
  kill -CONT "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null
  wait_until 3 ptr_not_alive "$pid" || { ptr_is_ours "$pid" && kill -KILL "$pid" 2>/dev/null; }
  wait "$pid" 2>/dev/null
  return 0
}
ptr_not_alive() { ! ptr_alive "$1"; }
# ptr_not CMD...: succeeds when CMD fails (for wait_until and check).
ptr_not() { ! "$@"; }

# ptr_scope_end [DIR]: stops the scope's processes (newest first), then deletes its
# namespaces (after stopping anything we started that is still inside them).
ptr_scope_end() {
  local dir=${1:-$PTR_SCOPE} pid ns p
  [[ -d $dir ]] || return 0
  for pid in $(awk '{ print $1 }' "$dir/pids" | tac); do ptr_stop "$pid"; done
  for ns in $(tac "$dir/netns"); do
    ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$ns" || continue
    # Stragglers (e.g. a hung birdc) inside our own namespace: ours by construction.
    for p in $(ip netns pids "$ns" 2>/dev/null); do
      kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null
    done
    ip netns del "$ns" 2>/dev/null || ptr_log "could not delete namespace $ns"
  done
  : >"$dir/pids"; : >"$dir/netns"
}

# On a signal: end the running scenario first (it cleans its own scope), then exit;
# the EXIT trap cleans whatever is left.
PTR_CHILD=""
ptr_on_signal() {
  if [[ -n $PTR_CHILD ]]; then
    kill -TERM "$PTR_CHILD" 2>/dev/null
    wait "$PTR_CHILD" 2>/dev/null
  fi
  exit "$1"
}

ptr_cleanup_all() {
  local rc=$? d
  trap - EXIT INT TERM HUP
  if [[ -n $PTR_TMP && -d $PTR_TMP ]]; then
    for d in $(ls -d "$PTR_TMP"/*/ 2>/dev/null | sort -r); do ptr_scope_end "${d%/}"; done
    if [[ -n ${PTR_KEEP_TMP:-} ]]; then ptr_log "logs kept in $PTR_TMP"; else rm -rf "$PTR_TMP"; fi
  fi
  exit $rc
}

# ptr_dump_logs [DIR]: prints the tail of every log in the scope (on failure).
ptr_dump_logs() {
  local dir=${1:-$PTR_SCOPE} f
  for f in "$dir"/*.log "$dir"/*.out; do
    [[ -s $f ]] || continue
    echo "----- ${f##*/} (last 40 lines)"
    tail -n 40 "$f"
  done
}

# run_scenario NAME FUNCTION [ARGS...]: runs FUNCTION in a subshell with its own scope;
# a scenario that exits early (require) or fails a check gets its logs printed.
# PTR_ONLY=REGEX runs only the scenarios whose name matches (PTR_KEEP_TMP=1 keeps logs).
run_scenario() {
  local name=$1; shift
  if [[ -n ${PTR_ONLY:-} && ! $name =~ $PTR_ONLY ]]; then return 0; fi
  local before after rc
  before=$(grep -c '^fail' "$PTR_RESULTS")
  echo "=== $name"
  # In the background and waited for, so that a signal to this shell reaches it at once.
  PTR_SCOPE_SEQ=$((PTR_SCOPE_SEQ + 1))   # the subshell's scope number stays unique
  (
    PTR_CHILD=""
    ptr_scope_begin "$name"
    trap 'ptr_scope_end' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    "$@"
  ) &
  PTR_CHILD=$!
  wait "$PTR_CHILD"; rc=$?
  PTR_CHILD=""
  after=$(grep -c '^fail' "$PTR_RESULTS")
  if (( rc != 0 && after == before )); then
    PTR_SCOPE_NAME=$name fail "scenario ended with status $rc"
    after=$((after + 1))
  fi
  if (( after > before )); then
    local dir
    dir=$(ls -d "$PTR_TMP"/*-"$name" 2>/dev/null | tail -n1)
    [[ -n $dir ]] && ptr_dump_logs "$dir" | sed 's/^/    /'
  fi
  PTR_SCOPE_NAME=main
  return 0
}

# ---------------------------------------------------------------- namespaces and links

# ns_add NAME: creates namespace ptr-<pid>-<scope>-NAME with lo up and DAD off; prints
# nothing, sets REPLY to the full name.
ns_add() {
  local ns="${PTR_ID}-${PTR_SCOPE_SEQ}-$1"
  ip netns add "$ns" || { fail "ip netns add $ns"; exit 1; }
  echo "$ns" >>"$PTR_SCOPE/netns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    >/dev/null 2>&1
  ip -n "$ns" link set lo up
  REPLY=$ns
}

# ns_link NS1 IF1 NS2 IF2: a veth pair created directly inside the two namespaces
# (never in the host namespace), both ends up.
ns_link() {
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || { fail "veth $1/$2 - $3/$4"; exit 1; }
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# ns_addr NS IF ADDR/LEN: IPv6 addresses get nodad.
ns_addr() {
  if [[ $3 == *:* ]]; then ip -n "$1" addr add "$3" dev "$2" nodad
  else ip -n "$1" addr add "$3" dev "$2"; fi
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# topo_two_hosts: NS_A (veth0: A4=10.11.0.1/24, A6=fd00:11::1/64) <-> NS_B (veth0:
# B4=10.11.0.2/24, B6=fd00:11::2/64).
topo_two_hosts() {
  ns_add a; NS_A=$REPLY
  ns_add b; NS_B=$REPLY
  IF_A=veth0; IF_B=veth0
  ns_link "$NS_A" "$IF_A" "$NS_B" "$IF_B"
  A4=10.11.0.1; B4=10.11.0.2; A6=fd00:11::1; B6=fd00:11::2
  ns_addr "$NS_A" "$IF_A" "$A4/24"; ns_addr "$NS_A" "$IF_A" "$A6/64"
  ns_addr "$NS_B" "$IF_B" "$B4/24"; ns_addr "$NS_B" "$IF_B" "$B6/64"
  # Link-local addresses come up without DAD too (accept_dad=0 before the veth existed).
  wait_until 5 ns_has_lladdr "$NS_A" "$IF_A" && wait_until 5 ns_has_lladdr "$NS_B" "$IF_B"
}
ns_has_lladdr() { ip -n "$1" -6 addr show dev "$2" scope link 2>/dev/null | grep -q 'inet6 fe80'; }

# topo_star N: a hub namespace NS_R (bridge br0, R4=10.11.0.1/24) and N leaf namespaces
# NS_LEAF[i] (veth0, LEAF4[i]=10.11.0.<i+1>/24), i = 1..N, each linked to the bridge by a
# veth pair (hub end pI). IPv4 only; the bridge lives inside NS_R.
topo_star() {
  local i
  ns_add r; NS_R=$REPLY
  ip -n "$NS_R" link add br0 type bridge || { fail "bridge in $NS_R"; exit 1; }
  ip -n "$NS_R" link set br0 up
  R4=10.11.0.1
  ns_addr "$NS_R" br0 "$R4/24"
  declare -gA NS_LEAF=() LEAF4=()
  for (( i = 1; i <= $1; i++ )); do
    ns_add "l$i"; NS_LEAF[$i]=$REPLY
    ns_link "$NS_R" "p$i" "${NS_LEAF[$i]}" veth0
    ip -n "$NS_R" link set "p$i" master br0
    LEAF4[$i]=10.11.0.$(( i + 1 ))
    ns_addr "${NS_LEAF[$i]}" veth0 "${LEAF4[$i]}/24"
  done
}

# ns_lladdr NS IF: prints the link-local IPv6 address of IF.
ns_lladdr() { ip -n "$1" -6 addr show dev "$2" scope link | awk '/inet6 fe80/ { sub(/\/.*/, "", $2); print $2; exit }'; }

# ---------------------------------------------------------------- processes

# ptr_spawn NS LOGFILE CMD...: starts CMD inside NS in the background, output to LOGFILE.
# Sets PTR_LAST_PID. `ip netns exec` execs CMD, so the PID is CMD's own.
ptr_spawn() {
  local ns=$1 log=$2; shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
  PTR_LAST_PID=$!
  local st=""
  # Wait until /proc shows the new process (start time is read once it exists).
  wait_until 2 test -e "/proc/$PTR_LAST_PID/stat"
  st=$(ptr_proc_start_time "$PTR_LAST_PID")
  echo "$PTR_LAST_PID ${st:-0} $*" >>"$PTR_SCOPE/pids"
}

# ptr_signal SIGNAL PID: signals a process only if it is one we started.
ptr_signal() {
  ptr_is_ours "$2" || { ptr_log "refusing to signal PID $2 (not ours or gone)"; return 1; }
  kill "-$1" "$2"
}

# ---------------------------------------------------------------- log files

# log_has FILE REGEX (extended regex)
log_has() { grep -Eq -- "$2" "$1" 2>/dev/null; }
log_count() { local n; n=$(grep -Ec -- "$2" "$1" 2>/dev/null); echo "${n:-0}"; }
# log_count_ge FILE REGEX N
log_count_ge() { (( $(log_count "$1" "$2") >= $3 )); }
# log_wait FILE REGEX TIMEOUT
log_wait() { wait_until "$3" log_has "$1" "$2"; }

# ---------------------------------------------------------------- BIRD

# bird_start NS NAME [BIRD ARGS...]: config body on stdin. Adds `log` (NAME.bird.log in the
# scope) and protocol debugging, checks the config with `bird -p`, starts `bird -f` with its
# own control socket and PID file (and BIRD ARGS, e.g. -R), and waits until the socket answers.
bird_start() {
  local ns=$1 name=$2; shift 2
  local conf="$PTR_SCOPE/$name.conf"
  {
    echo "log \"$PTR_SCOPE/$name.bird.log\" all;"
    echo "debug protocols { states, events };"
    echo "timeformat protocol iso long;"
    cat
  } >"$conf"
  BIRD_NS[$name]=$ns; BIRD_CONF[$name]=$conf
  bird_launch "$name" "$@"
}

# bird_launch NAME [BIRD ARGS...]: (re)starts a BIRD configured by bird_start.
bird_launch() {
  local name=$1 ns=${BIRD_NS[$1]} conf=${BIRD_CONF[$1]}; shift
  local sock="$PTR_SCOPE/$name.ctl" out
  out=$(bird -p -c "$conf" 2>&1) || { fail "BIRD config $name invalid" "$out" "$(cat -n "$conf")"; exit 1; }
  rm -f "$sock"
  BIRD_SOCK[$name]=$sock; BIRD_LOG[$name]="$PTR_SCOPE/$name.bird.log"
  ptr_spawn "$ns" "$PTR_SCOPE/$name.stdout.log" bird -c "$conf" -s "$sock" -P "$PTR_SCOPE/$name.pid" -f "$@"
  BIRD_PID[$name]=$PTR_LAST_PID
  if ! wait_until 10 birdc_q "$name" show status; then
    fail "BIRD $name did not come up" "$(cat "$PTR_SCOPE/$name.stdout.log" 2>/dev/null)"; exit 1
  fi
}

# bird_stop NAME: SIGTERM by PID, wait for exit.
bird_stop() {
  local pid=${BIRD_PID[$1]}
  ptr_signal TERM "$pid" || return 0
  wait_until 5 ptr_not_alive "$pid" || ptr_stop "$pid"
  wait "$pid" 2>/dev/null
  return 0
}

ptr_bird_sock() { if [[ -n ${BIRD_SOCK[$1]+x} ]]; then echo "${BIRD_SOCK[$1]}"; else echo "$1"; fi; }

# birdc_q NAME|SOCK CMD...: one command, output without the banner; fails if BIRD
# does not answer within 5 s.
birdc_q() {
  local sock; sock=$(ptr_bird_sock "$1"); shift
  local out rc
  out=$(timeout 5 birdc -s "$sock" "$@" 2>&1); rc=$?
  printf '%s\n' "$out" | sed '1{/^BIRD .* ready\.$/d}'
  (( rc == 0 )) && ! grep -q 'Unable to connect\|^Unknown command\|syntax error' <<<"$out"
}

# bird_proto_state NAME PROTO: prints the BGP state (Established, Active, Connect, ...),
# or the protocol state (down, start) when BIRD shows no BGP state.
bird_proto_state() {
  birdc_q "$1" show protocols "$2" | awk -v p="$2" '$1 == p {
      # columns: Name Proto Table State Since Info...; Since may be "iso long" (2 fields)
      info = ""; for (i = 5; i <= NF; i++) if ($i ~ /^[A-Z][a-zA-Z]+$/) { info = $i; break }
      print (info != "" ? info : $4); exit }'
}
bird_established() { [[ "$(bird_proto_state "$1" "$2")" == Established ]]; }

# bird_proto_since NAME PROTO: the "Since" column (state change time).
bird_proto_since() {
  birdc_q "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $5 " " $6; exit }'
}

# bird_caps NAME PROTO: parses `show protocols all PROTO` into key=value lines:
#   state= neighbor-as= local-as= hold= keepalive= as4=yes|no
#   local-caps=... neighbor-caps=...   (comma lists: mp-ipv4 mp-ipv6 route-refresh
#     enhanced-refresh as4 gr llgr extended-message add-path-rx-ipv4 add-path-tx-ipv4 ...)
#   channels=ipv4,ipv6   (channels in state UP)
bird_caps() {
  birdc_q "$1" show protocols all "$2" | awk '
    function add(sec, c) { if (sec == "") return; caps[sec] = caps[sec] (caps[sec] == "" ? "" : ",") c }
    function afs(sec, what, line,   n, a, i, f) {
      sub(/^[^:]*:[ \t]*/, "", line); n = split(line, a, /[ \t]+/)
      for (i = 1; i <= n; i++) if (a[i] != "") { f = a[i]; sub(/-.*/, "", f); add(sec, what f) }
    }
    /^[ \t]+BGP state:/        { st = $3 }
    /^[ \t]+Neighbor AS:/      { nas = $3 }
    /^[ \t]+Local AS:/         { las = $3 }
    /^[ \t]+Hold timer:/       { split($3, h, "/"); hold = h[2] }
    /^[ \t]+Keepalive timer:/  { split($3, k, "/"); ka = k[2] }
    /^[ \t]+Session:/          { as4 = ($0 ~ / AS4/) ? "yes" : "no"; sess = $0; sub(/^[ \t]+Session:[ \t]+/, "", sess) }
    /^[ \t]+Local capabilities/    { sec = "local"; addp = ""; next }
    /^[ \t]+Neighbor capabilities/ { sec = "neighbor"; addp = ""; next }
    /^[ \t]+Session:|^[ \t]+Source address:|^[ \t]+Channel / { sec = "" }
    sec != "" && /^[ \t]+AF announced:/        { afs(sec, "mp-", $0); next }
    sec != "" && /^[ \t]+Route refresh$/       { add(sec, "route-refresh"); next }
    sec != "" && /^[ \t]+Enhanced refresh$/    { add(sec, "enhanced-refresh"); next }
    sec != "" && /^[ \t]+4-octet AS numbers$/  { add(sec, "as4"); next }
    sec != "" && /^[ \t]+Extended message$/    { add(sec, "extended-message"); next }
    sec != "" && /^[ \t]+Graceful restart$/    { add(sec, "gr"); next }
    sec != "" && /^[ \t]+Long-lived graceful restart$/ { add(sec, "llgr"); next }
    sec != "" && /^[ \t]+ADD-PATH$/            { add(sec, "add-path"); next }
    sec != "" && /^[ \t]+RX:/                  { afs(sec, "add-path-rx-", $0); next }
    sec != "" && /^[ \t]+TX:/                  { afs(sec, "add-path-tx-", $0); next }
    /^[ \t]+Channel /                          { ch = $2; next }
    ch != "" && /^[ \t]+State:/ { if ($2 == "UP") chans = chans (chans == "" ? "" : ",") ch; ch = "" }
    END {
      print "state=" st; print "neighbor-as=" nas; print "local-as=" las
      print "hold=" hold; print "keepalive=" ka; print "as4=" as4; print "session=" sess
      print "local-caps=" caps["local"]; print "neighbor-caps=" caps["neighbor"]
      print "channels=" chans
    }'
}

# kv_get KEY <<<"k=v lines"  (also accepts "k=v k=v" on one line)
kv_get() { tr ' ' '\n' | awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }'; }

# list_has "a,b,c" ITEM
list_has() { [[ ",$1," == *",$2,"* ]]; }

# ---------------------------------------------------------------- GoBGP

# gobgpd_start NS NAME API_PORT: TOML config on stdin; gRPC API on 127.0.0.1:API_PORT
# inside NS (its own loopback). Waits until `gobgp global` answers.
gobgpd_start() {
  local ns=$1 name=$2 port=$3
  local conf="$PTR_SCOPE/$name.toml" out
  cat >"$conf"
  out=$(gobgpd -d -f "$conf" 2>&1) || { fail "GoBGP config $name invalid" "$out" "$(cat -n "$conf")"; exit 1; }
  GOBGP_NS[$name]=$ns; GOBGP_PORT[$name]=$port; GOBGP_CONF[$name]=$conf
  GOBGP_LOG[$name]="$PTR_SCOPE/$name.gobgpd.log"
  ptr_spawn "$ns" "${GOBGP_LOG[$name]}" gobgpd -f "$conf" --api-hosts "127.0.0.1:$port" -p --pprof-disable
  GOBGP_PID[$name]=$PTR_LAST_PID
  if ! wait_until 10 gobgp_q "$name" global; then
    fail "gobgpd $name did not come up" "$(tail -n 20 "${GOBGP_LOG[$name]}")"; exit 1
  fi
}

# gobgp_q NAME ARGS...: the gobgp CLI against NAME's API, run inside its namespace.
gobgp_q() {
  local name=$1; shift
  timeout 5 ip netns exec "${GOBGP_NS[$name]}" gobgp -u 127.0.0.1 -p "${GOBGP_PORT[$name]}" "$@"
}

# gobgp_state NAME PEER: the session state as the text output says it ("BGP state = X").
gobgp_state() {
  gobgp_q "$1" neighbor "$2" | awk -F'[=,]' '/BGP state =/ { gsub(/ /, "", $2); print $2; exit }'
}
gobgp_established() { [[ "$(gobgp_state "$1" "$2")" == ESTABLISHED ]]; }

# gobgp_caps NAME PEER: key=value lines from `gobgp neighbor PEER` (text output):
#   state=ESTABLISHED hold=3 keepalive=1 (negotiated; "Hold time is 3, keepalive interval
#   is 1 seconds") hold-config= keepalive-config=
#   cap-NAME=both|advertised|received        ("advertised and received" -> both)
#   cap-multiprotocol-ipv4-unicast=both ...  (per-family sub-lines)
#   cap-add-path-local-ipv4-unicast=receive, cap-add-path-remote-ipv4-unicast=send
gobgp_caps() {
  gobgp_q "$1" neighbor "$2" | awk '
    function norm(v) {
      if (v ~ /advertised and received/) return "both"
      if (v ~ /^advertised/) return "advertised"
      if (v ~ /^received/) return "received"
      gsub(/[ \t]+/, "", v); return v
    }
    { gsub(/\t/, "        ") }
    /BGP state =/ { s = $0; sub(/.*BGP state = /, "", s); sub(/[ ,].*/, "", s); print "state=" s }
    /^  Hold time is / { split($0, w, /[ ,]+/); print "hold=" w[5]; print "keepalive=" w[9] }
    /^  Configured hold time is / { split($0, w, /[ ,]+/); print "hold-config=" w[6]; print "keepalive-config=" w[10] }
    /^  Neighbor capabilities:/ { incap = 1; next }
    incap && /^  [^ ]/ { incap = 0 }
    !incap { next }
    {
      match($0, /^ */); ind = RLENGTH
      line = substr($0, ind + 1)
      name = line; sub(/:.*/, "", name); gsub(/ /, "-", name)
      val = ""; if (index(line, ":")) { val = line; sub(/^[^:]*:[ ]*/, "", val) }
    }
    ind == 4 { cap = name; sub_ = ""; if (val != "") print "cap-" cap "=" norm(val); next }
    ind == 6 && (name == "Local" || name == "Remote") && val == "" { sub_ = tolower(name); next }
    ind >= 8 && val != "" && name ~ /^(ipv4|ipv6|l2vpn|l3vpn)/ {
      print "cap-" cap (sub_ != "" ? "-" sub_ : "") "-" name "=" norm(val)
    }'
}

# ---------------------------------------------------------------- TCP connections, gate

# bgp_conns NS: established TCP connections with port 179 on either side, one per line:
#   "LOCAL PEER" (ip:port, IPv6 in brackets), sorted.
bgp_conns() {
  ip netns exec "$1" ss -Htn state established '( sport = :179 or dport = :179 )' 2>/dev/null |
    awk '{ print $(NF-1), $NF }' | sort
}
bgp_conn_count() { bgp_conns "$1" | grep -c .; }

# bgp_conn_queues NS: "RECVQ SENDQ LOCAL PEER" per established port-179 connection.
bgp_conn_queues() {
  ip netns exec "$1" ss -Htn state established '( sport = :179 or dport = :179 )' 2>/dev/null |
    awk '{ print $1, $2, $(NF-1), $NF }'
}
# conns_opens_held NS N: N connections, each with unacknowledged data (its OPEN, held
# back by the gate).
conns_opens_held() {
  bgp_conn_queues "$1" | awk -v n="$2" '$2 > 0 { c++ } END { exit !(NR == n && c == n) }'
}
# conns_opens_delivered NS N: N connections, nothing unacknowledged, something unread
# (the peer's OPEN, waiting for a stopped process).
conns_opens_delivered() {
  bgp_conn_queues "$1" | awk -v n="$2" '$1 > 0 && $2 == 0 { c++ } END { exit !(NR == n && c == n) }'
}
bgp_conn_count_is() { [[ "$(bgp_conn_count "$1")" == "$2" ]]; }

# conn_initiator NS "LOCAL PEER": "local" if NS's side initiated it (its port is not 179,
# the peer's is), "remote" if the other side did.
conn_initiator() {
  local l=${2%% *} r=${2##* }
  if [[ ${l##*:} == 179 && ${r##*:} != 179 ]]; then echo remote
  elif [[ ${r##*:} == 179 && ${l##*:} != 179 ]]; then echo local
  else echo unknown; fi
}

# gate_close NS: inside NS only, drops every TCP segment on port 179 that carries data
# (IPv4 length > 64: handshakes pass, BGP messages do not). Used to hold two colliding
# connections in OpenSent until both exist. gate_open NS lets everything through again.
gate_close() {
  ip netns exec "$1" iptables -N PTR-GATE 2>/dev/null
  ip netns exec "$1" iptables -F PTR-GATE
  ip netns exec "$1" iptables -A PTR-GATE -p tcp --sport 179 -m length --length 65:65535 -j DROP &&
  ip netns exec "$1" iptables -A PTR-GATE -p tcp --dport 179 -m length --length 65:65535 -j DROP &&
  ip netns exec "$1" iptables -I INPUT -j PTR-GATE &&
  ip netns exec "$1" iptables -I OUTPUT -j PTR-GATE
}
gate_open() { ip netns exec "$1" iptables -F PTR-GATE; }

# force_collision NS_X PID_X NS_Y PID_Y: makes an RFC 4271 §6.8 collision deterministic.
# Precondition: gate_close NS_X before either speaker started, both speakers active.
#  1. waits until both namespaces hold two connections whose OPENs are unacknowledged
#     (each side connected actively and accepted the other's connection);
#  2. stops both processes (SIGSTOP, by PID), opens the gate and waits until every OPEN
#     is delivered into the stopped peer's socket;
#  3. resumes PID_X first, so X reads both OPENs, sees both connections in OpenSent/
#     OpenConfirm and must resolve the collision itself; resumes PID_Y 0.5 s later.
# Sets COLLISION_CONNS: the two connections as seen from NS_X ("LOCAL PEER" lines).
force_collision() {
  local nsx=$1 pidx=$2 nsy=$3 pidy=$4
  require_wait "collision: two connections, OPENs held back, in both namespaces" 15 \
    both_ns "$nsx" "$nsy" conns_opens_held 2
  COLLISION_CONNS=$(bgp_conns "$nsx")
  require "collision: SIGSTOP both speakers" ptr_signal STOP "$pidx"
  require "collision: SIGSTOP second speaker" ptr_signal STOP "$pidy"
  gate_open "$nsx"
  require_wait "collision: all four OPENs delivered to the stopped speakers" 10 \
    both_ns "$nsx" "$nsy" conns_opens_delivered 2
  ptr_signal CONT "$pidx"
  ptr_sleep 0.5
  ptr_signal CONT "$pidy"
}
both_ns() { local a=$1 b=$2 fn=$3; shift 3; "$fn" "$a" "$@" && "$fn" "$b" "$@"; }
