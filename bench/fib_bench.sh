#!/usr/bin/env bash
# bench/fib_bench.sh PATH-TO-fib_bench [fib_bench ARGS...] — runs the FIB benchmark in
# a network namespace of its own: pfib-bench-<pid> with veth1 (10.1.0.1/24) whose far
# end (in a second namespace) is 10.1.0.2, the next hop of every route. Both namespaces are
# removed on exit, also after a failure or a signal. Root only. Nothing is changed in
# the host's own namespace.
set -euo pipefail
BENCH=${1:?usage: fib_bench.sh PATH-TO-fib_bench [ARGS...]}
shift
(( EUID == 0 )) || { echo "fib_bench.sh: needs root (network namespaces)" >&2; exit 77; }
NS=${PTR_NS_PREFIX:-pfib}-bench-$$   # PTR_NS_PREFIX: as in tests/interop/lib.sh
PEER=$NS-peer
cleanup() {
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$PEER" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip netns add "$PEER"
ip -n "$NS" link set lo up
ip -n "$NS" link add veth1 type veth peer name p1 netns "$PEER"
ip -n "$NS" link set veth1 up
ip -n "$PEER" link set p1 up
ip -n "$NS" addr add 10.1.0.1/24 dev veth1
ip -n "$PEER" addr add 10.1.0.2/24 dev p1
ip netns exec "$NS" "$BENCH" "$@"
