#!/usr/bin/env bash
# tests/policy/policy_netns.sh — petrel-policy end to end, in network namespaces.
#
# One "node" namespace routes between "pod" namespaces (a veth pair each, /32 pod
# addresses, Calico-style 169.254.1.1 gateway). petrel-policy runs inside the node
# namespace only; every iptables rule and ipset lives there. Real TCP and UDP
# connections (petrel-probe) must succeed or fail exactly as NetworkPolicy says, and
# `petrel-policy explain` (the pure evaluator) must give the same answer as the kernel.
#   usage: policy_netns.sh PETREL_POLICY PETREL_PROBE
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../interop/lib.sh
source "$HERE/../interop/lib.sh"
PTR_ID="${PTR_NS_PREFIX:-ppol}-$$"   # this test's namespace prefix (PTR_NS_PREFIX: see lib.sh)

POLICY_BIN=$(realpath "$1")
PROBE_BIN=$(realpath "$2")
ptr_init iptables-nft ip6tables-nft ipset

# ---------------------------------------------------------------- topology

# name|namespace|IPv4|IPv6|labels (flow YAML)|container ports (YAML)
PODS=(
  "web|prod|10.10.1.2|fd00:10:1::2|{app: web}|[{name: http, containerPort: 8080}]"
  "db|prod|10.10.1.3|fd00:10:1::3|{app: db}|[]"
  "pclient|prod|10.10.1.4|fd00:10:1::4|{app: client}|[]"
  "dclient|dev|10.10.2.2|fd00:10:2::2|{app: client}|[]"
  "dother|dev|10.10.2.3|fd00:10:2::3|{app: other}|[]"
  "dns|kube-system|10.10.3.2|fd00:10:3::2|{app: dns}|[{name: dns, containerPort: 53, protocol: UDP}]"
)
EXT_IP=10.10.9.2 EXT_IP6=fd00:10:9::2   # a host that is not a pod (for ipBlock)
declare -gA POD_NS=() POD_IP=() POD_IP6=()

# write_inventory FILE [OVERRIDE_NAME OVERRIDE_LABELS]
write_inventory() {
  local file=$1 over=${2:-} over_labels=${3:-} p name ns ip ip6 labels ports
  {
    echo "namespaces:"
    echo "  - {name: prod, labels: {team: prod}}"
    echo "  - {name: dev, labels: {team: dev}}"
    echo "  - {name: kube-system}"
    echo "pods:"
    for p in "${PODS[@]}"; do
      IFS='|' read -r name ns ip ip6 labels ports <<<"$p"
      [[ $name == "$over" ]] && labels=$over_labels
      echo "  - {name: $name, namespace: $ns, labels: $labels, ips: [$ip, \"$ip6\"], ports: $ports}"
    done
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

# topo_cluster: NODE namespace plus one namespace per pod and the external host. Each
# pod has a /32 and a /128 on eth0 and routes everything through the node (gateways
# 169.254.1.1 and fd00:ff::1 on every node-side veth); the node routes each pod
# address to its veth.
topo_cluster() {
  ns_add node; NODE=$REPLY
  nsx "$NODE" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  local i=0 p name ns ip ip6 labels ports
  for p in "${PODS[@]}" "ext|-|$EXT_IP|$EXT_IP6||"; do
    IFS='|' read -r name ns ip ip6 labels ports <<<"$p"
    i=$((i + 1))
    ns_add "$name"; POD_NS[$name]=$REPLY; POD_IP[$name]=$ip; POD_IP6[$name]=$ip6
    ns_link "$NODE" "p$i" "$REPLY" eth0
    ip -n "$NODE" addr add 169.254.1.1/32 dev "p$i"
    ip -n "$NODE" route add "$ip/32" dev "p$i"
    ns_addr "$NODE" "p$i" fd00:ff::1/128
    ip -n "$NODE" -6 route add "$ip6/128" dev "p$i"
    ip -n "$REPLY" addr add "$ip/32" dev eth0
    ip -n "$REPLY" route add 169.254.1.1 dev eth0 scope link
    ip -n "$REPLY" route add default via 169.254.1.1 dev eth0
    ns_addr "$REPLY" eth0 "$ip6/128"
    ip -n "$REPLY" -6 route add fd00:ff::1 dev eth0
    ip -n "$REPLY" -6 route add default via fd00:ff::1 dev eth0
    ptr_spawn "$REPLY" "$PTR_SCOPE/probe-$name.log" "$PROBE_BIN" serve \
      --tcp 53,5050,6000,7000,8080,8081 --udp 53,5050,8080
  done
  WORK=$PTR_SCOPE
  write_inventory "$WORK/inventory.yaml"
  require_wait "probe servers listen in every pod" 5 all_serving
}
all_serving() {
  local name
  for name in "${!POD_NS[@]}"; do
    nsx "${POD_NS[$name]}" ss -Hltn 'sport = :8081' | grep -q . || return 1
  done
}

# write_config BACKEND [extra yaml lines...]
write_config() {
  local backend=$1; shift
  {
    echo "policies: [policies.yaml]"
    echo "inventory: inventory.yaml"
    echo "iptables-backend: $backend"
    echo "resync-period: 1"
    echo "resync-after-write: 0.5"
    printf '%s\n' "$@"
  } >"$WORK/config.yaml"
}

policy_once() { nsx "$NODE" "$POLICY_BIN" -c "$WORK/config.yaml" --once; }
explain() { "$POLICY_BIN" -c "$WORK/config.yaml" explain "$@"; }

# flow PROTO FROM_POD TO_POD|IP PORT: 0 when the connection works (kernel truth).
flow() {
  local proto=$1 from=$2 to=$3 port=$4
  local ip=${POD_IP[$to]:-$to}
  nsx "${POD_NS[$from]}" "$PROBE_BIN" "$proto" "$ip" "$port" 400
}

# expect allow|deny PROTO FROM TO PORT: the kernel and the evaluator must both agree.
# PROTO tcp or udp over IPv4; tcp6 or udp6 over IPv6.
expect() {
  local want=$1 proto=$2 from=$3 to=$4 port=$5 got ev src dst
  if [[ $proto == *6 ]]; then
    proto=${proto%6}; src=${POD_IP6[$from]}; dst=${POD_IP6[$to]}
  else
    src=${POD_IP[$from]}; dst=${POD_IP[$to]}
  fi
  if nsx "${POD_NS[$from]}" "$PROBE_BIN" "$proto" "$dst" "$port" 400; then got=allow; else got=deny; fi
  if explain --from "$src" --to "$dst" --port "$port" --proto "$proto" >/dev/null; then ev=allow
  else ev=deny; fi
  local what="$CASE: $proto $from -> $to:$port ($src -> $dst)"
  if [[ $got == "$want" && $ev == "$want" ]]; then pass "$what $want (kernel and explain)"
  else fail "$what: expected $want, kernel says $got, explain says $ev" \
    "$(explain --from "$src" --to "$dst" --port "$port" --proto "$proto")"; fi
}

# set_case NAME: the policies (YAML on stdin) become the only ones, applied with --once.
set_case() {
  CASE=$1
  cat >"$WORK/policies.yaml"
  local out
  if ! out=$(policy_once 2>&1); then fail "$CASE: petrel-policy --once failed" "$out"; return 1; fi
}

np_header() {  # np_header NAME NAMESPACE
  printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: %s, namespace: %s}\nspec:\n' "$1" "$2"
}

# ---------------------------------------------------------------- the matrix

matrix() {
  local backend=$1
  topo_cluster
  write_config "$backend"

  set_case "no policy" </dev/null
  expect allow tcp dclient web 8080
  expect allow tcp pclient web 8080
  expect allow udp dclient dns 53
  expect allow tcp web dother 7000
  expect allow tcp6 dclient web 8080
  expect allow udp6 dclient dns 53

  set_case "default deny ingress" <<EOF
$(np_header default-deny prod)
  podSelector: {}
  policyTypes: [Ingress]
EOF
  expect deny tcp dclient web 8080
  expect deny tcp pclient db 5050
  expect deny udp dclient web 8080
  expect allow tcp web dother 7000     # egress open; the reply passes
  expect allow tcp dclient dother 7000
  expect deny tcp6 dclient web 8080
  expect allow tcp6 web dother 7000

  set_case "default deny egress" <<EOF
$(np_header default-deny-egress dev)
  podSelector: {}
  policyTypes: [Egress]
EOF
  expect deny tcp dclient web 8080
  expect deny udp dclient dns 53
  expect allow tcp pclient dother 7000   # into dev is open; the reply passes
  expect allow udp web dns 53

  set_case "allow from a namespace" <<EOF
$(np_header web-from-dev prod)
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: dev}}
EOF
  expect allow tcp dclient web 8080
  expect allow tcp dother web 8081
  expect deny tcp pclient web 8080
  expect deny tcp ext web 8080
  expect allow tcp pclient db 5050     # db is not selected
  expect allow tcp6 dclient web 8080
  expect deny tcp6 pclient web 8080

  set_case "namespace and pod selector combined" <<EOF
$(np_header web-from-dev-clients prod)
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: dev}}
      podSelector: {matchExpressions: [{key: app, operator: In, values: [client]}]}
EOF
  expect allow tcp dclient web 8080
  expect deny tcp dother web 8080
  expect deny tcp pclient web 8080

  set_case "ipBlock with except" <<EOF
$(np_header web-from-block prod)
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 10.10.0.0/16, except: [10.10.2.0/24]}
    - ipBlock: {cidr: "fd00:10::/32", except: ["fd00:10:1::/48"]}
EOF
  expect allow tcp pclient web 8080
  expect allow tcp ext web 8080
  expect deny tcp dclient web 8080
  expect deny tcp dother web 8081
  expect allow tcp6 dclient web 8080   # the IPv6 block excepts another /48
  expect allow tcp6 ext web 8080
  expect deny tcp6 pclient web 8080

  set_case "named port" <<EOF
$(np_header web-http prod)
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: http}]
EOF
  expect allow tcp dclient web 8080
  expect deny tcp dclient web 8081
  expect deny udp dclient web 8080
  expect allow tcp6 dclient web 8080
  expect deny tcp6 dclient web 8081

  set_case "endPort range" <<EOF
$(np_header db-range prod)
  podSelector: {matchLabels: {app: db}}
  ingress:
  - ports: [{protocol: TCP, port: 5000, endPort: 5100}]
EOF
  expect allow tcp pclient db 5050
  expect deny tcp pclient db 6000
  expect deny udp pclient db 5050
  expect allow tcp6 pclient db 5050
  expect deny tcp6 pclient db 6000

  set_case "egress to DNS only" <<EOF
$(np_header dns-only dev)
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    ports: [{protocol: UDP, port: 53}]
EOF
  expect allow udp dclient dns 53
  expect deny tcp dclient dns 53
  expect deny tcp dclient web 8080
  expect allow tcp pclient web 8080
  expect allow udp6 dclient dns 53
  expect deny tcp6 dclient web 8080

  set_case "several policies on one pod" <<EOF
$(np_header web-from-prod-clients prod)
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080}]
---
$(np_header web-from-dev prod)
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: dev}}}]
    ports: [{port: 8081}]
---
$(np_header client-egress prod)
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: web}}}]
EOF
  expect allow tcp pclient web 8080
  expect deny tcp pclient web 8081     # egress allows, ingress does not
  expect deny tcp pclient db 5050      # ingress open, egress does not allow
  expect allow tcp dclient web 8081
  expect deny tcp dclient web 8080
  expect allow tcp dother web 8081
  expect deny tcp6 pclient web 8081
  expect allow tcp6 dclient web 8081

  # Only the selected backend holds rules.
  local other=legacy; [[ $backend == legacy ]] && other=nft
  check "$backend: no petrel rule in the $other backend" \
    bash -c "! ip netns exec '$NODE' iptables-$other-save 2>/dev/null | grep -q petrel"
  check "$backend: no petrel rule in the $other backend for IPv6" \
    bash -c "! ip netns exec '$NODE' ip6tables-$other-save 2>/dev/null | grep -q petrel"
  require "$backend: cleanup" nsx "$NODE" "$POLICY_BIN" -c "$WORK/config.yaml" --cleanup
  check_eq "$backend: no petrel chain after cleanup" 0 \
    "$(nsx "$NODE" "iptables-$backend-save" | grep -c petrel)"
  check_eq "$backend: no petrel IPv6 chain after cleanup" 0 \
    "$(nsx "$NODE" "ip6tables-$backend-save" | grep -c petrel)"
  check_eq "$backend: no petrel set after cleanup" 0 "$(nsx "$NODE" ipset list -n | grep -c petrel)"
}

# ---------------------------------------------------------------- drift, pod changes, drop log

# The rules as checksum and count (counters stripped), so that a comparison prints one line.
rules_digest() { sed 's/\[[0-9:]*\]//' | { local t; t=$(cat); echo "$(grep -c . <<<"$t") lines, md5 $(md5sum <<<"$t" | cut -c1-12)"; }; }
petrel_rules() { nsx "$NODE" iptables-nft-save -t filter | grep -E '^(-A|:)' | grep petrel | rules_digest; }
foreign_rules() { nsx "$NODE" iptables-nft-save -t filter | grep -E '^(-A|:)' | grep -v petrel | rules_digest; }
chain_len() { nsx "$NODE" iptables-nft -S "$1" | grep -c '^-A'; }
chain_len_is() { [[ "$(chain_len "$1")" == "$2" ]]; }
chain6_len_is() { [[ "$(nsx "$NODE" ip6tables-nft -S "$1" | grep -c '^-A')" == "$2" ]]; }
set_has() { nsx "$NODE" ipset test "$1" "$2" >/dev/null 2>&1; }
denied() { ! flow "$@"; }
log_counter() {
  nsx "$NODE" iptables-nft -L petrel-ingress -v -x -n | awk '/LOG/ { print $1; exit }'
}
log_counted() { (( $(log_counter) > 0 )); }
# scrape: GET /metrics from petrel-policy inside the node namespace (bash's /dev/tcp).
scrape() {
  nsx "$NODE" timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9470 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3' |
    tr -d '\r'
}

drift() {
  topo_cluster
  write_config nft "drop-log: {enabled: true, rate: 10/second, burst: 5}" "metrics: 127.0.0.1:9470"
  np_header web-from-dev-clients prod >"$WORK/policies.yaml"
  cat >>"$WORK/policies.yaml" <<EOF
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: dev}}
      podSelector: {matchLabels: {app: client}}
EOF
  # Someone else's chain and rules, before and after petrel-policy starts.
  nsx "$NODE" iptables-nft -N FOREIGN
  nsx "$NODE" iptables-nft -A FOREIGN -s 10.99.0.0/16 -j ACCEPT
  nsx "$NODE" iptables-nft -A FORWARD -j FOREIGN
  nsx "$NODE" ipset create foreign-set hash:ip
  nsx "$NODE" ipset add foreign-set 10.99.0.1
  local foreign_before; foreign_before=$(foreign_rules)

  ptr_spawn "$NODE" "$WORK/petrel-policy.log" "$POLICY_BIN" -c "$WORK/config.yaml"
  local daemon=$PTR_LAST_PID
  require_wait "daemon: rules in place" 5 chain_len_is petrel-fwd 6
  check "daemon: dev/other -> web denied" denied tcp dother web 8080
  check "daemon: dev/client -> web allowed" flow tcp dclient web 8080
  check_wait "drop log: the LOG rule counted the denied packet" 3 log_counted
  check "drop log: prefix names the verdict" \
    bash -c "ip netns exec '$NODE' iptables-nft -S petrel-ingress | grep -q 'log-prefix \"petrel-drop-ingress: \"'"

  # A pod change is an ipset update: the rules stay byte for byte the same.
  local rules_before; rules_before=$(petrel_rules)
  write_inventory "$WORK/inventory.yaml" dother "{app: client}"
  check_wait "pod relabelled: dev/other -> web now allowed" 5 flow tcp dother web 8080
  check_eq "pod relabelled: no rule rewritten" "$rules_before" "$(petrel_rules)"
  check "pod relabelled: the log says members only" grep -q 'ipset member changes' "$WORK/petrel-policy.log"
  write_inventory "$WORK/inventory.yaml"
  check_wait "pod relabelled back: dev/other -> web denied again" 5 denied tcp dother web 8080

  # Drift: a flushed chain and a deleted set member come back within the resync period.
  local len; len=$(chain_len petrel-ingress)
  nsx "$NODE" iptables-nft -F petrel-ingress
  check_wait "drift: flushed petrel-ingress restored" 3 chain_len_is petrel-ingress "$len"
  nsx "$NODE" ipset del petrel-iso-ingress 10.10.1.2
  check_wait "drift: deleted ipset member restored" 3 set_has petrel-iso-ingress 10.10.1.2
  nsx "$NODE" ip6tables-nft -F petrel-ingress
  nsx "$NODE" ipset del petrel-iso-ingress6 fd00:10:1::2
  check_wait "drift: flushed IPv6 petrel-ingress restored" 3 chain6_len_is petrel-ingress "$len"
  check_wait "drift: deleted IPv6 ipset member restored" 3 set_has petrel-iso-ingress6 fd00:10:1::2
  nsx "$NODE" iptables-nft -D FORWARD -m comment --comment petrel:hook -j petrel-fwd
  check_wait "drift: removed hook restored" 3 \
    bash -c "ip netns exec '$NODE' iptables-nft -S FORWARD | grep -q 'petrel-fwd'"
  check "drift: dev/other -> web denied after repair" denied tcp dother web 8080
  check "drift: the log says it repaired drift" grep -q 'resync repaired drift' "$WORK/petrel-policy.log"
  check_eq "foreign chain and rules untouched" "$foreign_before" "$(foreign_rules)"
  check "foreign set untouched" nsx "$NODE" ipset test foreign-set 10.99.0.1

  # A broken policy file keeps the running state.
  echo "spec: [" >>"$WORK/policies.yaml"
  check_wait "broken file: error logged" 3 grep -q 'inputs not applied' "$WORK/petrel-policy.log"
  check "broken file: rules kept, dev/other still denied" denied tcp dother web 8080

  # The metrics endpoint (inside the node namespace) counts what happened.
  local metrics; metrics=$(scrape)
  check "metrics: drift repairs counted" \
    awk '/^petrel_policy_drift_repairs_total\{family="ipv4"\}/ { found = ($2 >= 3) } END { exit !found }' <<<"$metrics"
  check "metrics: members-only syncs counted" \
    grep -q '^petrel_policy_syncs_total{family="ipv4",kind="members"} [1-9]' <<<"$metrics"
  check "metrics: input error counted" grep -q '^petrel_policy_input_errors_total [1-9]' <<<"$metrics"
  check "metrics: pods in force" grep -q '^petrel_policy_objects{kind="pod"} 6$' <<<"$metrics"

  ptr_stop "$daemon"
  require "cleanup" nsx "$NODE" "$POLICY_BIN" -c "$WORK/config.yaml" --cleanup
  check_eq "cleanup: nothing of ours left" 0 "$(nsx "$NODE" iptables-nft-save | grep -c petrel)"
  check_eq "cleanup: nothing of ours left in ip6tables" 0 "$(nsx "$NODE" ip6tables-nft-save | grep -c petrel)"
  check_eq "cleanup: foreign chain and rules untouched" "$foreign_before" "$(foreign_rules)"
  check_eq "cleanup: only the foreign set left" "foreign-set" "$(nsx "$NODE" ipset list -n)"
}

# kube-proxy-style backend detection: the backend with more rules wins.
detect() {
  ns_add node; NODE=$REPLY; WORK=$PTR_SCOPE
  write_inventory "$WORK/inventory.yaml"
  : >"$WORK/policies.yaml"
  write_config auto
  nsx "$NODE" iptables-legacy -A INPUT -s 10.98.0.1 -j ACCEPT
  require "auto: sync" policy_once
  check "auto: legacy chosen when only legacy has rules" \
    bash -c "ip netns exec '$NODE' iptables-legacy-save | grep -q petrel-fwd"
  check "auto: nothing written to nft" bash -c "! ip netns exec '$NODE' iptables-nft-save | grep -q petrel"
  require "auto: cleanup" nsx "$NODE" "$POLICY_BIN" -c "$WORK/config.yaml" --cleanup
  check "auto: legacy clean again" bash -c "! ip netns exec '$NODE' iptables-legacy-save | grep -q petrel"
}

legacy_works() {
  local ns="ppol-$$-legacy-check" ok=1
  ip netns add "$ns" 2>/dev/null || return 1
  ip netns exec "$ns" iptables-legacy -N petrel-check >/dev/null 2>&1 && ok=0
  ip netns del "$ns"
  return $ok
}

run_scenario nft-matrix matrix nft
if legacy_works; then
  run_scenario legacy-matrix matrix legacy
  run_scenario backend-detection detect
else
  if [[ "${CI:-}" == true ]]; then echo "# iptables-legacy does not work in this kernel"; fi
  echo "# iptables-legacy does not work in this kernel: legacy matrix not run"
fi
run_scenario drift drift
ptr_summary
