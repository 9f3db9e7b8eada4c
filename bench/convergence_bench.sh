#!/usr/bin/env bash
# bench/convergence_bench.sh BUILD_DIR [--routes=N] [--rounds=K] — petreld's whole
# convergence path, store on vs store off, in the same run (issue 9's store target:
# "journal and snapshot writes for 1M routes do not slow convergence by more than 10 %").
#
# Topology (network namespaces ${PTR_NS_PREFIX:-pcvb}-<pid>-…, removed on exit, also
# after a failure or a signal; harness tests/interop/lib.sh; root only):
#
#   feeder (BIRD 2, AS 65001, 10.11.0.2) ──┐
#                                          br0 in NS_R: petreld (AS 65000, 10.11.0.1)
#   receiver (BIRD 2, AS 65002, 10.11.0.3) ┘
#
# The feeder announces N /24s (BIRD static protocol, loaded before any clock starts);
# petreld decides, installs them in its namespace's kernel (default FIB settings) and
# advertises them to the receiver. Both BIRDs are passive with graceful restart off,
# so every run begins with petreld connecting out and ends with the receiver dropping
# what it had.
#
# Per run: start petreld (store on: a fresh store directory; off: `enabled: false`);
# the clock starts when petreld logs the feeder session Established and stops, for
#   (a) rib:      petrel_rib_prefixes == N                (metrics endpoint)
#   (b) kernel:   petrel_fib_installs_total >= N and petrel_fib_queue_depth == 0
#                 (checked afterwards against the kernel: N routes of proto 201)
#   (c) receiver: BIRD's "Routes: N imported" on its session to petreld
# polled every 50 ms by bench/convergence_poll.py (one process inside petreld's
# namespace; each time taken just after the read that showed it). Then petreld is stopped (SIGTERM by PID), the kernel's proto 201
# routes flushed and the receiver's table seen empty before the next run. A warm-up
# run first (not counted), then K rounds of two runs in alternating order (on/off,
# off/on, …); the headline is the median over rounds of the paired ratios on/off.
set -u
PTR_NS_PREFIX=${PTR_NS_PREFIX:-pcvb}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/interop/lib.sh
source "$HERE/../tests/interop/lib.sh"

BUILD=${1:?usage: convergence_bench.sh BUILD_DIR [--routes=N] [--rounds=K]}
shift
ROUTES=1000000
ROUNDS=3
for arg in "$@"; do
  case $arg in
    --routes=*) ROUTES=${arg#--routes=} ;;
    --rounds=*) ROUNDS=${arg#--rounds=} ;;
    *) echo "convergence_bench.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[[ $ROUTES =~ ^[1-9][0-9]*$ && $ROUTES -le 4000000 ]] || { echo "--routes: 1..4000000" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: a positive number" >&2; exit 2; }
PETRELD=$(realpath "$BUILD/daemon/petreld" 2>/dev/null)
[[ -x $PETRELD ]] || { echo "convergence_bench.sh: no petreld in $BUILD/daemon" >&2; exit 2; }

ptr_init bird birdc python3
# Generous per-wait limit: 1M routes through BIRD, petreld and the kernel on 2 cores.
LIMIT=${CVB_LIMIT:-$(( 120 + ROUTES / 2000 ))}

# ---------------------------------------------------------------- topology and peers

topo_star 2
NS_FEED=${NS_LEAF[1]}; NS_RECV=${NS_LEAF[2]}
PD_IP=$R4; FEED_IP=${LEAF4[1]}; RECV_IP=${LEAF4[2]}

big_static() {  # N: a static protocol with N /24s from 40.0.0.0 on (as tests/bfd/bfd_netns.sh)
  echo "protocol static big { ipv4;"
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  route %d.%d.%d.0/24 blackhole;\n", 40 + int(i / 65536), int(i / 256) % 256, i % 256 }'
  echo "}"
}
bird_peer() {  # LOCAL_IP AS IMPORT EXPORT
  cat <<EOF
protocol device { scan time 10; }
protocol bgp petrel {
  local $1 as $2; neighbor $PD_IP as 65000;
  passive on; graceful restart off;
  ipv4 { import $3; export $4; };
}
EOF
}
t0=$EPOCHREALTIME   # bird_start returns once BIRD answers: its configuration is parsed
{ echo "router id $FEED_IP;"; bird_peer "$FEED_IP" 65001 none all; big_static "$ROUTES"; } |
  bird_start "$NS_FEED" feeder
{ echo "router id $RECV_IP;"; bird_peer "$RECV_IP" 65002 all none; } | bird_start "$NS_RECV" receiver

bird_imported() {  # NAME PROTO: N of "Routes: N imported"
  birdc_q "$1" show protocols all "$2" | awk '$1 == "Routes:" { print $2; exit }'
}
feeder_loaded() { [[ "$(bird_imported feeder big)" == "$ROUTES" ]]; }
receiver_count() { local n; n=$(bird_imported receiver petrel); echo "${n:-0}"; }
receiver_empty() { [[ "$(receiver_count)" == 0 ]]; }
kernel_count() { ip -n "$NS_R" route show table main proto 201 | wc -l; }
kernel_empty() { [[ "$(kernel_count)" == 0 ]]; }

wait_until "$LIMIT" feeder_loaded || { fail "feeder BIRD did not load $ROUTES routes"; ptr_dump_logs; exit 1; }
echo "# feeder BIRD loaded $ROUTES static routes in $(ptr_elapsed "$t0") s (before any clock)"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ---------------------------------------------------------------- one run of petreld

PD_PID=""
pd_config() {  # on|off DIR
  cat <<EOF
router-id: $PD_IP
local-as: 65000
listen: [{address: $PD_IP, port: 179}]
metrics: "127.0.0.1:9469"
policies:
  all: [{action: accept}]
  none: [{action: reject}]
peers:
  - {name: feeder, address: $FEED_IP, remote-as: 65001, local-address: $PD_IP, connect-retry: 1, import: {policy: all}, export: {policy: none}}
  - {name: receiver, address: $RECV_IP, remote-as: 65002, local-address: $PD_IP, connect-retry: 1, import: {policy: none}, export: {policy: all}}
EOF
  if [[ $1 == on ]]; then echo "store: {path: $2/store, enabled: true}"
  else echo "store: {enabled: false}"; fi
}
metrics() {
  ip netns exec "$NS_R" python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:9469/metrics", timeout=5).read().decode())' 2>/dev/null
}

# cpu_secs /proc/…/stat: utime + stime in seconds.
cpu_secs() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "$1" 2>/dev/null; }

# run_once LABEL on|off: prints "A B C" (seconds from Established to each condition).
RUN_SEQ=0
run_once() {
  local label=$1 mode=$2
  RUN_SEQ=$((RUN_SEQ + 1))
  local dir="$PTR_SCOPE/run$RUN_SEQ-$mode"
  mkdir -p "$dir"
  pd_config "$mode" "$dir" >"$dir/petreld.yaml"
  local log="$dir/petreld.log"
  if [[ -n ${CVB_PCAP:-} ]]; then   # debugging: the BGP packets of the run
    ptr_spawn "$NS_R" "$dir/tcpdump.log" tshark -i br0 -n -w "$dir/bgp.pcap" -f "tcp port 179"; sleep 1.5
  fi
  ptr_spawn "$NS_R" "$log" "$PETRELD" -c "$dir/petreld.yaml" -s "$dir/ctl" --foreground
  PD_PID=$PTR_LAST_PID
  # The clock and the three times: bench/convergence_poll.py inside petreld's
  # namespace, one process polling every 50 ms (no fork per poll).
  local out ta tb tc interval first
  out=$(ip netns exec "$NS_R" python3 "$HERE/convergence_poll.py" --routes="$ROUTES" --log="$log" \
    --pid="$PD_PID" --receiver="${BIRD_SOCK[receiver]}" --feeder="${BIRD_SOCK[feeder]}" --timeout="$LIMIT") ||
    { fail "$label: no convergence" "$out" "$(tail -n 20 "$log")"; exit 1; }
  read -r ta tb tc interval first <<<"$out"
  # CPU seconds at convergence: petreld's whole process (every thread: the event loop,
  # the FIB writer, the store's) and its main thread (the event loop) alone.
  local cpu_all cpu_loop
  cpu_all=$(cpu_secs "/proc/$PD_PID/stat"); cpu_loop=$(cpu_secs "/proc/$PD_PID/task/$PD_PID/stat")
  local start=$EPOCHREALTIME m now deadline
  # What petreld's counters said, against the kernel itself (outside the clock).
  local kn; kn=$(kernel_count)
  [[ $kn == "$ROUTES" ]] || { fail "$label: the kernel holds $kn routes of proto 201, not $ROUTES"; exit 1; }
  # Store on: how far the store thread had got at convergence, and how long after it caught up
  # (every best-path change written; not part of the target, it runs off the loop).
  local store_line="" w dr td=""
  if [[ $mode == on ]]; then
    m=$(metrics)
    w=$(awk '$1 == "petrel_store_changes_written_total" { print $2 }' <<<"$m")
    store_line=" store: ${w:-?} changes written at convergence"
    deadline=$(awk -v n="$EPOCHREALTIME" -v t="$LIMIT" 'BEGIN { printf "%.6f", n + t }')
    while :; do
      now=$EPOCHREALTIME
      m=$(metrics)
      w=$(awk '$1 == "petrel_store_changes_written_total" { print $2 }' <<<"$m")
      dr=$(awk '$1 == "petrel_store_changes_dropped_total" { print $2 }' <<<"$m")
      (( ${w:-0} + ${dr:-0} >= ROUTES )) && { td=$(secs "$start" "$now"); break; }
      awk -v n="$EPOCHREALTIME" -v d="$deadline" 'BEGIN { exit !(n >= d) }' && break
      sleep 0.1
    done
    store_line+=", all $ROUTES ${td:-never (${w:-?} written)} s later, ${dr:-?} dropped"
  fi
  printf '%-8s store %-3s  (a) rib %7.3f s  (b) kernel %7.3f s  (c) receiver %7.3f s  (polls every %s s from %s s) cpu: petreld %s s, loop %s s [load %s]%s\n' \
    "$label" "$mode" "$ta" "$tb" "$tc" "$interval" "$first" "$cpu_all" "$cpu_loop" "$(cut -d' ' -f1-3 /proc/loadavg)" "$store_line"
  RUN_RESULT="$ta $tb $tc $cpu_all $cpu_loop"
  # Reset for the next run: petreld stopped by PID, the kernel flushed, the receiver empty.
  ptr_stop "$PD_PID"
  # Routes over petreld's nexthop objects (the default) go with their objects;
  # `route flush` refuses them (EINVAL), plain routes go with it.
  ip -n "$NS_R" nexthop flush proto 201 >/dev/null 2>&1
  ip -n "$NS_R" route flush table main proto 201 2>/dev/null
  wait_until 60 kernel_empty || { fail "$label: kernel not flushed ($(kernel_count) left)"; exit 1; }
  wait_until 60 receiver_empty || { fail "$label: receiver still holds $(receiver_count) routes"; exit 1; }
  rm -rf "$dir/store"
}

# ---------------------------------------------------------------- the rounds

echo "# convergence_bench: $ROUTES routes, $ROUNDS rounds, petreld $PETRELD"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run_once warm-up on; echo "# (warm-up, not counted)"
declare -a RA=() RB=() RC=() RCPU=() RLOOP=()
for (( r = 1; r <= ROUNDS; r++ )); do
  if (( r % 2 == 1 )); then order="on off"; else order="off on"; fi
  declare -A res=()
  for mode in $order; do
    run_once "round$r" "$mode"
    res[$mode]=$RUN_RESULT
  done
  read -r on_a on_b on_c on_cpu on_loop <<<"${res[on]}"
  read -r off_a off_b off_c off_cpu off_loop <<<"${res[off]}"
  RCPU+=("$(awk -v a="$on_cpu" -v b="$off_cpu" 'BEGIN { printf "%.4f", a / b }')")
  RLOOP+=("$(awk -v a="$on_loop" -v b="$off_loop" 'BEGIN { printf "%.4f", a / b }')")
  RA+=("$(awk -v a="$on_a" -v b="$off_a" 'BEGIN { printf "%.4f", a / b }')")
  RB+=("$(awk -v a="$on_b" -v b="$off_b" 'BEGIN { printf "%.4f", a / b }')")
  RC+=("$(awk -v a="$on_c" -v b="$off_c" 'BEGIN { printf "%.4f", a / b }')")
  echo "# round $r ratios on/off: (a) ${RA[-1]} (b) ${RB[-1]} (c) ${RC[-1]}"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
verdict() {  # NAME RATIOS...
  local name=$1; shift
  local med; med=$(median "$@")
  awk -v n="$name" -v m="$med" 'BEGIN { p = (m - 1) * 100
    printf "%-14s median on/off %.3f (%+.1f %%)  target <= +10 %%: %s\n", n, m, p, (p <= 10 ? "met" : "NOT met") }'
}
echo "== convergence, store on vs off: $ROUTES routes, $ROUNDS rounds (median of paired ratios)"
verdict "(a) rib" "${RA[@]}"
verdict "(b) kernel" "${RB[@]}"
verdict "(c) receiver" "${RC[@]}"
median "${RCPU[@]}" | awk '{ printf "# petreld CPU seconds at convergence, median on/off %.3f (%+.1f %%): every thread (the store thread included)\n", $1, ($1 - 1) * 100 }'
median "${RLOOP[@]}" | awk '{ printf "# event-loop thread CPU seconds, median on/off %.3f (%+.1f %%): the loop'"'"'s own share of the store\n", $1, ($1 - 1) * 100 }'
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
