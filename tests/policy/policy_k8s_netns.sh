#!/usr/bin/env bash
# tests/policy/policy_k8s_netns.sh — petrel-policy in Kubernetes mode, end to end with
# real traffic in network namespaces.
#
# The in-suite API server (fake-apiserver, tests/tools/fake_apiserver: HTTPS, list+watch,
# driven through its control socket) and petrel-policy
# both run inside one "node" namespace, which routes between "pod" namespaces (veth
# pairs, /32 addresses, Calico-style 169.254.1.1 gateway) as policy_netns.sh does.
# The cluster is changed through the API server only; real TCP connections
# (petrel-probe) must follow:
#  - the first lists enforce, and /readyz turns 200;
#  - node-name: a pod declared on another node is not enforced here, though isolated;
#  - a relabel and a policy delete or add over the watch change what passes;
#  - the API server gone: the rules in force stay, still ready;
#  - petrel-policy stopped: the rules stay (--cleanup removes them).
# Namespaces are named pk8-<pid>-... (PTR_NS_PREFIX replaces pk8, as in lib.sh).
#   usage: policy_k8s_netns.sh PETREL_POLICY PETREL_PROBE FAKE_APISERVER
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../interop/lib.sh
source "$HERE/../interop/lib.sh"
# shellcheck source=k8s_objects.sh
source "$HERE/k8s_objects.sh"
PTR_ID="${PTR_NS_PREFIX:-pk8}-$$"   # this test's namespace prefix (PTR_NS_PREFIX: see lib.sh)

POLICY_BIN=$(realpath "$1")
PROBE_BIN=$(realpath "$2")
FAKE_BIN=$(realpath "$3")
# shellcheck disable=SC2034
K8S_FAKE_APISERVER=$FAKE_BIN   # read by k8s_objects.sh
ptr_init iptables-nft ipset

# name|namespace|IP|node|labels (JSON)|container ports (JSON)
PODS=(
  'web|prod|10.20.1.2|node-a|{"app": "web"}|[{"name": "http", "containerPort": 8080, "protocol": "TCP"}]'
  'client|dev|10.20.2.2|node-a|{"app": "client"}|[]'
  'other|dev|10.20.2.3|node-a|{"app": "other"}|[]'
  'db|prod|10.20.1.9|node-b|{"app": "db"}|[]'
)
declare -gA POD_NS=() POD_IP=()

topo() {
  ns_add node; NODE=$REPLY
  nsx "$NODE" sysctl -qw net.ipv4.ip_forward=1
  local i=0 p name ns ip node labels ports
  for p in "${PODS[@]}"; do
    IFS='|' read -r name ns ip node labels ports <<<"$p"
    i=$((i + 1))
    ns_add "$name"; POD_NS[$name]=$REPLY; POD_IP[$name]=$ip
    ns_link "$NODE" "p$i" "$REPLY" eth0
    ip -n "$NODE" addr add 169.254.1.1/32 dev "p$i"
    ip -n "$NODE" route add "$ip/32" dev "p$i"
    ip -n "$REPLY" addr add "$ip/32" dev eth0
    ip -n "$REPLY" route add 169.254.1.1 dev eth0 scope link
    ip -n "$REPLY" route add default via 169.254.1.1 dev eth0
    ptr_spawn "$REPLY" "$PTR_SCOPE/probe-$name.log" "$PROBE_BIN" serve --tcp 8080,8081
  done
  require_wait "probe servers listen in every pod" 5 all_serving
}
all_serving() {
  local name
  for name in "${!POD_NS[@]}"; do
    nsx "${POD_NS[$name]}" ss -Hltn 'sport = :8081' | grep -q . || return 1
  done
}

flow() { nsx "${POD_NS[$2]}" "$PROBE_BIN" "$1" "${POD_IP[$3]}" "$4" 400; }
denied() { ! flow "$@"; }
set_has() { nsx "$NODE" ipset test "$1" "$2" >/dev/null 2>&1; }
set_lacks() { ! set_has "$@"; }
# probe PATH: the HTTP status line from petrel-policy's metrics address (node namespace).
probe() {
  nsx "$NODE" timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/9470 && printf 'GET $1 HTTP/1.0\r\n\r\n' >&3 && head -1 <&3" |
    tr -d '\r'
}
ready() { [[ $(probe /readyz) == "HTTP/1.0 200 OK" ]]; }

WEB_POLICY='{"podSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "dev"}}, "podSelector": {"matchLabels": {"app": "client"}}}],
               "ports": [{"port": "http"}]}]}'

cluster() {
  topo
  WORK=$PTR_SCOPE
  API="$WORK/api"; mkdir -p "$API"
  ptr_spawn "$NODE" "$WORK/api.log" "$FAKE_BIN" serve --dir "$API"
  local api_pid=$PTR_LAST_PID
  require_wait "API server up (serving, kubeconfig written)" 20 k8s_serving "$WORK/api.log"
  require "kubeconfig written" test -s "$API/kubeconfig"
  k8s_namespace "$API" prod '{"team": "prod"}' || exit 1
  k8s_namespace "$API" dev '{"team": "dev"}' || exit 1
  local p name ns ip node labels ports
  for p in "${PODS[@]}"; do
    IFS='|' read -r name ns ip node labels ports <<<"$p"
    k8s_pod "$API" "$name" "$ns" "$ip" "$node" "$labels" "$ports" || exit 1
  done
  k8s_policy "$API" prod web "$WEB_POLICY" || exit 1
  k8s_policy "$API" prod db-deny-all '{"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"]}' || exit 1

  cat >"$WORK/config.yaml" <<YAML
kubernetes:
  enabled: true
  kubeconfig: api/kubeconfig
  node-name: \${PK8_NODE}
  sync-timeout: 10
families: [ipv4]
iptables-backend: nft
resync-period: 1
resync-after-write: 0.5
metrics: 127.0.0.1:9470
YAML
  ptr_spawn "$NODE" "$WORK/petrel-policy.log" env PK8_NODE=node-a "$POLICY_BIN" -c "$WORK/config.yaml"
  local daemon=$PTR_LAST_PID
  require_wait "first lists enforced: /readyz 200" 10 ready
  check "liveness: /healthz 200" test "$(probe /healthz)" = "HTTP/1.0 200 OK"
  check "the log names the cluster and the node" grep -q "enforcing the pods of node node-a" "$WORK/petrel-policy.log"

  check "dev/client -> prod/web:8080 (http) allowed" flow tcp client web 8080
  check "dev/other -> prod/web:8080 denied" denied tcp other web 8080
  check "dev/client -> prod/web:8081 denied (not the named port)" denied tcp client web 8081
  # prod/db is isolated by a deny-all policy, but it runs on node-b: its node enforces it.
  check "prod/db (on node-b) is not isolated here" set_lacks petrel-iso-ingress 10.20.1.9
  check "dev/client -> prod/db allowed here (node-b's business)" flow tcp client db 8080
  check "prod/web (on node-a) is isolated here" set_has petrel-iso-ingress 10.20.1.2

  local rules_before; rules_before=$(nsx "$NODE" iptables-nft-save -t filter | grep -E '^-A petrel' | md5sum)
  k8s_pod "$API" other dev 10.20.2.3 node-a '{"app": "client"}' || exit 1
  check_wait "watch: dev/other relabelled app=client -> prod/web:8080 allowed" 5 flow tcp other web 8080
  check_eq "watch: a relabel rewrites no rule" "$rules_before" \
    "$(nsx "$NODE" iptables-nft-save -t filter | grep -E '^-A petrel' | md5sum)"

  api "$API" delete networkpolicies prod/web || exit 1
  check_wait "watch: policy deleted -> dev/client -> prod/web:8081 allowed" 5 flow tcp client web 8081
  k8s_policy "$API" prod web "$WEB_POLICY" || exit 1
  check_wait "watch: policy back -> dev/client -> prod/web:8081 denied again" 5 denied tcp client web 8081

  api "$API" drop-watches pods || exit 1
  check "petrel-policy's pods watch was open, and is dropped ($K8S_ANSWER)" grep -qE '^ok [1-9][0-9]* watches$' <<<"$K8S_ANSWER"
  api "$API" compact || exit 1
  k8s_pod "$API" other dev 10.20.2.3 node-a '{"app": "other"}' || exit 1
  check_wait "watch dropped, history compacted (410): the relabel back still arrives" 8 denied tcp other web 8080

  ptr_stop "$api_pid"
  check_wait "API server gone: the error is logged" 5 grep -q 'k8s: connect to .*: Connection refused' "$WORK/petrel-policy.log"
  ptr_sleep 2
  check "API server gone: still enforced (dev/other -> prod/web denied)" denied tcp other web 8080
  check "API server gone: still allowed (dev/client -> prod/web:8080)" flow tcp client web 8080
  check "API server gone: still ready" ready

  ptr_stop "$daemon"
  check "petrel-policy stopped: its rules stay in place" denied tcp other web 8080
  require "cleanup" nsx "$NODE" env PK8_NODE=node-a "$POLICY_BIN" -c "$WORK/config.yaml" --cleanup
  check_eq "cleanup: nothing of ours left" 0 "$(nsx "$NODE" iptables-nft-save | grep -c petrel)"
  check "after cleanup: dev/other -> prod/web allowed" flow tcp other web 8080
}

run_scenario k8s-cluster cluster
ptr_summary
