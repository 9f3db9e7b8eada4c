#!/usr/bin/env bash
# tests/policy/policy_k8s_e2e.sh — the real petrel-policy binary in Kubernetes mode
# against the in-suite API server (fake-apiserver, tests/tools/fake_apiserver: HTTPS,
# list+watch, driven through its control socket), without
# touching a kernel: --dry-run, explain and --once's bounded wait. No root needed;
# only loopback traffic. The kernel side in k8s mode is policy_k8s_netns.sh.
#  - the same world served by the API server and written as files gives the same
#    ipsets and rules, byte for byte;
#  - with node-name, only that node's pods are isolated, every pod still feeds the
#    peer sets;
#  - explain answers from the cluster;
#  - --once fails, naming what is missing, when a list never completes (the server
#    started with --without pods).
#   usage: policy_k8s_e2e.sh PETREL_POLICY FAKE_APISERVER
set -u
POLICY=$(realpath "$1")
FAKE=$(realpath "$2")
# shellcheck disable=SC2034
K8S_FAKE_APISERVER=$FAKE   # read by k8s_objects.sh
WORK=$(mktemp -d /tmp/pk8-e2e.XXXXXX) || exit 1
SERVER_PIDS=()
PASSED=0 FAILED=0

cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; shift; local l; for l in "$@"; do echo "$l" | sed 's/^/       /'; done; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# shellcheck source=k8s_objects.sh
source "$(dirname "$0")/k8s_objects.sh"
wait_for() { k8s_wait_for "$@"; }

# start_server DIR [ARGS...]: the API server on 127.0.0.1 (a free port), its kubeconfig
# and control socket in DIR.
start_server() {
  local dir=$1; shift
  mkdir -p "$dir"
  "$FAKE" serve --dir "$dir" "$@" >"$dir/server.log" 2>&1 &
  SERVER_PIDS+=($!)
  wait_for 20 k8s_serving "$dir/server.log" || { fail "API server did not start" "$(cat "$dir/server.log")"; exit 1; }
}

pod() { k8s_pod "$@" || exit 1; }
namespace() { k8s_namespace "$@" || exit 1; }
policy() { k8s_policy "$@" || exit 1; }

# k8s_config DIR [NODE]: petrel-policy's config for the cluster behind DIR/kubeconfig.
k8s_config() {
  local dir=$1 node=${2:-}
  {
    echo "kubernetes:"
    echo "  enabled: true"
    echo "  kubeconfig: kubeconfig"
    [[ -n $node ]] && echo "  node-name: $node"
    echo "  sync-timeout: 3"
    echo "families: [ipv4]"
  } >"$dir/policy.yaml"
}

# ---------------------------------------------------------------- one world, two ways

CL="$WORK/cluster"
start_server "$CL"
namespace "$CL" prod '{"team": "prod"}'
namespace "$CL" dev '{"team": "dev"}'
pod "$CL" web prod 10.10.1.2 node-a '{"app": "web"}' '[{"name": "http", "containerPort": 8080, "protocol": "TCP"}]'
pod "$CL" web2 prod 10.10.1.5 node-b '{"app": "web"}' '[{"name": "http", "containerPort": 9090, "protocol": "TCP"}]'
pod "$CL" client dev 10.10.2.2 node-b '{"app": "client"}'
pod "$CL" other dev 10.10.2.3 node-a '{"app": "other"}'
policy "$CL" prod web '{"podSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "dev"}}, "podSelector": {"matchLabels": {"app": "client"}}}],
               "ports": [{"port": "http"}]}]}'
policy "$CL" dev deny-egress '{"podSelector": {}, "policyTypes": ["Egress"],
  "egress": [{"to": [{"ipBlock": {"cidr": "10.10.0.0/16", "except": ["10.10.9.0/24"]}}]}]}'

# The same world as files (standalone mode).
FILES="$WORK/files"
mkdir -p "$FILES"
cat >"$FILES/policies.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: dev}}, podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: dev}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.10.0.0/16, except: [10.10.9.0/24]}}]}]
YAML
cat >"$FILES/inventory.yaml" <<'YAML'
namespaces: [{name: prod, labels: {team: prod}}, {name: dev, labels: {team: dev}}]
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.10.1.2], ports: [{name: http, containerPort: 8080}]}
- {name: web2, namespace: prod, labels: {app: web}, ips: [10.10.1.5], ports: [{name: http, containerPort: 9090}]}
- {name: client, namespace: dev, labels: {app: client}, ips: [10.10.2.2]}
- {name: other, namespace: dev, labels: {app: other}, ips: [10.10.2.3]}
YAML
printf 'policies: [policies.yaml]\ninventory: inventory.yaml\nfamilies: [ipv4]\n' >"$FILES/policy.yaml"

k8s_config "$CL"
"$POLICY" -c "$CL/policy.yaml" --dry-run >"$WORK/k8s.out" 2>"$WORK/k8s.err"
rc=$?
"$POLICY" -c "$FILES/policy.yaml" --dry-run >"$WORK/files.out" 2>"$WORK/files.err"
check "--dry-run from the cluster exits 0" test "$rc" -eq 0
if cmp -s "$WORK/k8s.out" "$WORK/files.out" && grep -q '^add petrel-iso-ingress 10.10.1.5$' "$WORK/k8s.out"; then
  pass "the cluster and the same world as files give the same ipsets and rules"
else
  fail "the cluster and the same world as files give the same ipsets and rules" \
    "$(diff "$WORK/files.out" "$WORK/k8s.out" | head -20)" "$(tail -5 "$WORK/k8s.err")"
fi

# ---------------------------------------------------------------- node-name

k8s_config "$CL" node-a
"$POLICY" -c "$CL/policy.yaml" --dry-run >"$WORK/node-a.out" 2>"$WORK/node-a.err"
iso_in=$(grep '^add petrel-iso-ingress ' "$WORK/node-a.out" | awk '{print $3}' | sort | xargs)
iso_out=$(grep '^add petrel-iso-egress ' "$WORK/node-a.out" | awk '{print $3}' | sort | xargs)
check "node-a: only its pods are isolated for ingress (web, not web2 on node-b)" test "$iso_in" = "10.10.1.2"
check "node-a: only its pods are isolated for egress (dev/other, not dev/client on node-b)" test "$iso_out" = "10.10.2.3"
check "node-a: the remote web2 still feeds the policy's pod set and the named-port set" \
  grep -q ' 10.10.1.5,tcp:9090$' "$WORK/node-a.out"
check "node-a: the remote client still feeds the peer set" grep -qE '^add petrel-s-[0-9a-f]+ 10.10.2.2$' "$WORK/node-a.out"

# ---------------------------------------------------------------- explain from the cluster

k8s_config "$CL"
"$POLICY" -c "$CL/policy.yaml" explain --from 10.10.2.2 --to 10.10.1.2 --port 8080 >"$WORK/explain1" 2>&1
check "explain: dev/client -> prod/web:8080 allowed (exit 0)" test $? -eq 0
"$POLICY" -c "$CL/policy.yaml" explain --from 10.10.2.3 --to 10.10.1.2 --port 8080 >"$WORK/explain2" 2>&1
rc=$?
check "explain: dev/other -> prod/web:8080 denied (exit 1) by prod/web" \
  bash -c "[[ $rc == 1 ]] && grep -q 'isolated for ingress by prod/web' '$WORK/explain2'"

# ---------------------------------------------------------------- a watch change, then --dry-run again

pod "$CL" other dev 10.10.2.3 node-a '{"app": "client"}'
api "$CL" delete networkpolicies dev/deny-egress || exit 1
"$POLICY" -c "$CL/policy.yaml" --dry-run >"$WORK/k8s2.out" 2>&1
check "after a relabel, dev/other is in the client peer set" \
  bash -c "grep -E '^add petrel-s-[0-9a-f]+ 10.10.2.3$' '$WORK/k8s2.out' | grep -q ."
check "after the delete, nothing is isolated for egress" bash -c "! grep -q '^add petrel-iso-egress ' '$WORK/k8s2.out'"

# ---------------------------------------------------------------- no complete list: bounded wait, precise error

NOPODS="$WORK/nopods"
start_server "$NOPODS" --without pods
k8s_config "$NOPODS"
start=$SECONDS
"$POLICY" -c "$NOPODS/policy.yaml" --dry-run >"$WORK/nopods.out" 2>&1
rc=$?
check "--dry-run without a pods list fails (exit 1) after sync-timeout" \
  bash -c "[[ $rc == 1 ]] && (( $SECONDS - $start <= 15 ))"
check "the error names the sync-timeout and the missing list" \
  grep -q 'not synced within 3.* s (sync-timeout): pods: not listed yet' "$WORK/nopods.out"
"$POLICY" -c "$NOPODS/policy.yaml" --once >"$WORK/nopods-once.out" 2>&1
rc=$?
check "--once without a pods list fails (exit 1) before touching the kernel" \
  bash -c "[[ $rc == 1 ]] && grep -q 'pods: not listed yet' '$WORK/nopods-once.out' && ! grep -q 'iptables backend' '$WORK/nopods-once.out'"

echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 && PASSED > 0 ))
