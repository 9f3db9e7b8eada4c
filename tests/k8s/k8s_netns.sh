#!/usr/bin/env bash
# tests/k8s/k8s_netns.sh — petreld driven by a Kubernetes API server, in network namespaces:
# the evidence of issue 7 ("three petreld instances driven by that API server form the mesh
# ...; the same scenario with two nodes labelled route reflectors").
#
#   bash tests/k8s/k8s_netns.sh BUILD_DIR
#     (BUILD_DIR/daemon/petreld, BUILD_DIR/shell/petrelc, BUILD_DIR/tests/tools/fake-apiserver)
#
# Topology (tests/interop/lib.sh topo_star, namespaces named k8s-<pid>-<scope>-*): a hub
# namespace with a bridge (10.11.0.1) where fake-apiserver listens on 10.11.0.1:6443 over TLS,
# and one namespace per node (node-a 10.11.0.2, node-b .3, ...), each running petreld with
# `kubernetes: {enabled: true, kubeconfig: <the server's>, node-name: node-X}` and no static
# peers: every session and announcement comes from the cluster objects, which the script
# writes as Kubernetes JSON (like `kubectl get -o json`) and applies through the server's
# control socket. Checked with petrelc and each namespace's kernel routing table.
#   mesh      three nodes: the full iBGP mesh by InternalIP; every kernel has the other nodes'
#             pod CIDRs via their InternalIPs and its own as a blackhole; a LoadBalancer
#             Service with externalTrafficPolicy Local and a ready endpoint on node-a: the
#             others route its IP via node-a; the endpoint moves to node-b: routes follow;
#             `petrelc show k8s` names the objects behind each announcement; node-c's Node
#             deleted: the others drop its session and its pod CIDR; the API server killed:
#             nothing withdrawn; restarted: node-c joins again and the endpoint moves back;
#             node-a labelled exclude-from-external-load-balancers withdraws the LB IP; the
#             Service deleted: its IPs are withdrawn everywhere; metrics (petrel_k8s_*) and
#             /readyz, which stays ok while the API server is away
#   reflectors  four nodes, node-a and node-b labelled petrel.io/route-reflector=true (with a
#             cluster id): clients (node-c, node-d) peer only with the reflectors, the
#             reflectors with each other and every client; every kernel still has every pod
#             CIDR via its owner's InternalIP (reflection keeps the next hop)
#   tor       a BIRD top-of-rack router (eBGP, TCP-MD5) in the hub: node-a peers with it through
#             the configuration's kubernetes.peers (node-selector), node-b through its
#             petrel.io/peers annotation; the password is a Secret that arrives after petreld
#             started: the sessions wait for it, then come up; the ToR learns the pod CIDRs, and
#             the LoadBalancer IP with the ready endpoint's node as next hop on every path
#   dualstack three dual-stack nodes (IPv4 and IPv6 InternalIPs and pod CIDRs): an IPv4 and an
#             IPv6 session per node pair; every kernel has the other nodes' IPv6 pod CIDRs via
#             their IPv6 InternalIPs, its own as a blackhole
#   restart   kill -9 a node's petreld and start it again: its peers keep its routes (graceful
#             restart), the restarted petreld gets its peers from the API server again, and
#             neither its kernel nor its peers' ever delete a route (ip monitor)
# Ends with "N passed, N failed". Needs root, BIRD and birdc (exit 77 "skipped" otherwise).

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/interop/lib.sh
source "$HERE/../interop/lib.sh"
# This test's namespaces and temp directory are named k8s-<pid>-...
PTR_ID="${PTR_NS_PREFIX:-k8s}-$$"   # this test's namespace prefix (PTR_NS_PREFIX: see lib.sh)

PETREL_AS=64512
API_PORT=6443
LB_IP=198.51.100.7
CLUSTER_IP=10.96.12.34

# ---------------------------------------------------------------- the API server

# api_start: fake-apiserver in the hub namespace on $R4:$API_PORT; its CA, kubeconfig, state
# and control socket live in $PTR_SCOPE/api (kept across api_stop/api_start: a restart keeps
# the CA, the objects and the resourceVersion).
API_DIR="" API_PID=""
api_start() {
  API_DIR="$PTR_SCOPE/api"
  ptr_spawn "$NS_R" "$PTR_SCOPE/apiserver.log" "$FAKE_APISERVER" serve --dir "$API_DIR" \
    --listen "$R4" --port "$API_PORT"
  API_PID=$PTR_LAST_PID
  wait_until 10 log_has "$PTR_SCOPE/apiserver.log" 'serving https://' ||
    { fail "fake-apiserver did not come up" "$(cat "$PTR_SCOPE/apiserver.log")"; exit 1; }
}
api_stop() { ptr_stop "$API_PID"; }
# api CMD...: one control command (apply FILE, delete KIND NAME, ...); fails on "error: ...".
api() { "$FAKE_APISERVER" ctl "$API_DIR/control.sock" "$@"; }
# api_apply NAME: the JSON on stdin becomes $PTR_SCOPE/objects/NAME.json and is applied.
api_apply() {
  mkdir -p "$PTR_SCOPE/objects"
  local f="$PTR_SCOPE/objects/$1.json"
  cat >"$f"
  local out; out=$(api apply "$f") || { fail "apply $1" "$out" "$(cat "$f")"; exit 1; }
  ptr_log "api: $out"
}

# ---------------------------------------------------------------- Kubernetes objects

# node_json NAME INTERNAL_IP POD_CIDR [EXTRA_LABELS_JSON] [EXTRA_ANNOTATIONS_JSON] [IPV6 POD_CIDR6]:
# a Node as the kubelet and the node IPAM controller leave it (dual-stack with the last two).
node_json() {
  local name=$1 ip=$2 cidr=$3 labels=${4:-} annotations=${5:-} ip6=${6:-} cidr6=${7:-} address6=""
  local cidr6_item=""
  [[ -n $cidr6 ]] && cidr6_item=", \"$cidr6\""
  [[ -n $ip6 ]] && address6=$'\n      {"type": "InternalIP", "address": "'"$ip6"'"},'
  cat <<EOF
{
  "apiVersion": "v1",
  "kind": "Node",
  "metadata": {
    "name": "$name",
    "uid": "$(printf '%08x' "$RANDOM$RANDOM")-0000-4000-8000-00000000000${name: -1}",
    "creationTimestamp": "2026-01-10T09:00:00Z",
    "labels": {
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": "$name",
      "kubernetes.io/os": "linux"${labels:+,
      $labels}
    },
    "annotations": {
      "node.alpha.kubernetes.io/ttl": "0"${annotations:+,
      $annotations}
    }
  },
  "spec": {"podCIDR": "$cidr", "podCIDRs": ["$cidr"${cidr6_item}]},
  "status": {
    "addresses": [
      {"type": "InternalIP", "address": "$ip"},${address6}
      {"type": "Hostname", "address": "$name"}
    ],
    "conditions": [
      {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
       "lastHeartbeatTime": "2026-01-10T09:01:00Z", "lastTransitionTime": "2026-01-10T09:00:30Z"}
    ],
    "nodeInfo": {"kubeletVersion": "v1.32.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                 "containerRuntimeVersion": "containerd://1.7.13", "architecture": "amd64", "operatingSystem": "linux"}
  }
}
EOF
}

# service_lb_json: shop/web, type LoadBalancer, externalTrafficPolicy Local, with an
# ingress IP as a load-balancer controller (MetalLB, ...) writes it into the status.
service_lb_json() {
  cat <<EOF
{
  "apiVersion": "v1",
  "kind": "Service",
  "metadata": {"name": "web", "namespace": "shop", "uid": "b2c1f9aa-5a1e-4a53-8d6e-1c0de0f1a2b3",
               "creationTimestamp": "2026-01-10T09:30:00Z", "labels": {"app": "web"}},
  "spec": {
    "type": "LoadBalancer",
    "externalTrafficPolicy": "Local",
    "internalTrafficPolicy": "Cluster",
    "healthCheckNodePort": 31544,
    "clusterIP": "$CLUSTER_IP",
    "clusterIPs": ["$CLUSTER_IP"],
    "ipFamilies": ["IPv4"],
    "ipFamilyPolicy": "SingleStack",
    "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP", "nodePort": 30080}],
    "selector": {"app": "web"},
    "sessionAffinity": "None"
  },
  "status": {"loadBalancer": {"ingress": [{"ip": "$LB_IP", "ipMode": "VIP"}]}}
}
EOF
}

# slice_json NODE: the EndpointSlice of shop/web with one ready endpoint on NODE (the pod
# web-0 at 10.244.N.17 on that node's pod CIDR).
slice_json() {
  local node=$1 n
  case $node in node-a) n=1 ;; node-b) n=2 ;; node-c) n=3 ;; *) n=4 ;; esac
  cat <<EOF
{
  "apiVersion": "discovery.k8s.io/v1",
  "kind": "EndpointSlice",
  "addressType": "IPv4",
  "metadata": {
    "name": "web-8kq2v",
    "namespace": "shop",
    "generateName": "web-",
    "uid": "f7a8b9c0-d1e2-4f30-a415-26b7c8d9e0f1",
    "labels": {"kubernetes.io/service-name": "web",
               "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
    "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": "web", "controller": true,
                         "blockOwnerDeletion": true, "uid": "b2c1f9aa-5a1e-4a53-8d6e-1c0de0f1a2b3"}]
  },
  "endpoints": [
    {"addresses": ["10.244.$n.17"], "nodeName": "$node",
     "conditions": {"ready": true, "serving": true, "terminating": false},
     "targetRef": {"kind": "Pod", "name": "web-0", "namespace": "shop"}}
  ],
  "ports": [{"name": "", "port": 8080, "protocol": "TCP"}]
}
EOF
}

# ---------------------------------------------------------------- petreld

declare -gA PD_PID=() PD_SOCK=() PD_LOG=() NODE_NS=() NODE_IP=() NODE_IP6=()

# node_start NAME [TOP_LEVEL_YAML] [KUBERNETES_YAML]: petreld for node NAME in its namespace,
# configured only through Kubernetes (no static peers, no static announcements); the extra
# YAML lines (already indented) go to the top level and into the kubernetes: section.
node_start() {
  local name=$1 ns=${NODE_NS[$1]} ip=${NODE_IP[$1]} top=${2:-} kube=${3:-}
  local conf="$PTR_SCOPE/$name.yaml.log" listen6=""
  [[ -n ${NODE_IP6[$name]:-} ]] && listen6=", {address: \"${NODE_IP6[$name]}\", port: 179}"
  PD_SOCK[$name]="$PTR_SCOPE/$name.ctl"
  PD_LOG[$name]="$PTR_SCOPE/$name.petreld.log"
  cat >"$conf" <<EOF
router-id: $ip
local-as: $PETREL_AS
listen: [{address: $ip, port: 179}${listen6}]
metrics: 127.0.0.1:9469
kubernetes:
  enabled: true
  kubeconfig: $API_DIR/kubeconfig
  node-name: $name
  node-mesh: true
  advertise:
    pod-cidrs: true
    cluster-ips: [10.96.0.0/12]
    external-ips: [192.0.2.0/24]
    load-balancer-ips: [198.51.100.0/24]
${kube}
${top}
EOF
  # The store (route journal) in the test's own directory, never /var/lib/petrel.
  grep -q '^store:' "$conf" || echo "store: {path: $PTR_SCOPE/$name.store}" >>"$conf"
  ptr_spawn "$ns" "${PD_LOG[$name]}" "$PETRELD" -c "$conf" -s "${PD_SOCK[$name]}" --foreground
  PD_PID[$name]=$PTR_LAST_PID
  wait_until 10 test -S "${PD_SOCK[$name]}" ||
    { fail "petreld $name: no control socket" "$(cat "${PD_LOG[$name]}")"; exit 1; }
}

pc() { local name=$1; shift; timeout 5 "$PETRELC" -s "${PD_SOCK[$name]}" "$@"; }
# The session petreld derives for a Node is named "node-" + the Node's name (k8s/derive.cpp):
# node-b's session is "node-node-b".
# peer_state NODE PEER: the last column of `show protocols` for PEER (Established, Active, ...).
peer_state() { pc "$1" show protocols | awk -v p="$2" '$1 == p { print $NF; exit }'; }
established() { [[ "$(peer_state "$1" "$2")" == Established ]]; }
# established_set NODE: the Nodes behind NODE's Established sessions ("node-node-b" -> node-b),
# sorted, comma-separated.
established_set() {
  pc "$1" show protocols | awk '$NF == "Established" && $1 ~ /^node-/ { print substr($1, 6) }' | sort | paste -sd, -
}
established_set_is() { [[ "$(established_set "$1")" == "$2" ]]; }
# session_address_is NODE PEER ADDRESS: `show protocols all PEER` names ADDRESS as the neighbour.
session_address_is() { pc "$1" show protocols all "$2" | grep -q "Neighbor address: *$3\$"; }
# has_session NODE OTHER: NODE has a session (in any state) for the Node OTHER.
has_session() { pc "$1" show protocols | awk -v p="node-$2" '$1 == p { f = 1 } END { exit !f }'; }
# protocols_listed NODE: show protocols answers and lists petreld's own `static` row (so that
# "no session listed" is not the answer of a dead socket).
protocols_listed() { pc "$1" show protocols | grep -q '^static '; }
no_session() { protocols_listed "$1" && ! has_session "$1" "$2"; }

# route_via NODE PREFIX GATEWAY: NODE's kernel routes PREFIX via GATEWAY, installed by petreld.
# ("nhid N": petreld's routes refer to kernel nexthop objects by default.)
route_via() { ip -n "${NODE_NS[$1]}" route show "$2" | grep -Eq "^${2//./\\.} (nhid [0-9]+ )?via ${3//./\\.} dev veth0 proto petrel"; }
# route_blackhole NODE PREFIX
route_blackhole() { ip -n "${NODE_NS[$1]}" route show "$2" | grep -Eq "^blackhole ${2//./\\.} proto petrel"; }
# no_route NODE PREFIX: no route for exactly PREFIX (installed by anyone).
no_route() { local out; out=$(ip -n "${NODE_NS[$1]}" route show "$2") && [[ -z $out ]]; }
# informer_errors NODE RESOURCE: NODE's `show k8s` counts errors for the informer RESOURCE
# (columns: informer synced version objects lists errors last-error).
informer_errors() { pc "$1" show k8s | awk -v r="$2" '$1 == r && $6 > 0 { f = 1 } END { exit !f }'; }
# http_get NODE PATH: the body of a GET to petreld's metrics address (127.0.0.1:9469 inside
# NODE's namespace).
http_get() {
  # shellcheck disable=SC2016  # $1 is the inner shell's argument
  ip netns exec "${NODE_NS[$1]}" timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9469; printf "GET %s HTTP/1.0\r\nHost: x\r\n\r\n" "$1" >&3; cat <&3' _ "$2" |
    tr -d '\r' | sed '1,/^$/d'
}
metric_is() { http_get "$1" /metrics | grep -Eq "^$2 $3\$"; }
metric_matches() { http_get "$1" /metrics | grep -Eq "$2"; }
readyz_ok() { grep -q '^ok' <<<"$(http_get "$1" /readyz)"; }
kernel() { ip -n "${NODE_NS[$1]}" route show proto petrel | sed "s/^/# $1 kernel: /" >&2; }

# nodes_up N: namespaces for node-a.. (topo_star N), InternalIPs 10.11.0.2...
nodes_up() {
  local i names=(node-a node-b node-c node-d)
  topo_star "$1"
  for (( i = 1; i <= $1; i++ )); do
    NODE_NS[${names[i - 1]}]=${NS_LEAF[$i]}
    NODE_IP[${names[i - 1]}]=${LEAF4[$i]}
  done
}

# ---------------------------------------------------------------- mesh

scenario_mesh() {
  nodes_up 3
  api_start
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 | api_apply node-a
  node_json node-b "${NODE_IP[node-b]}" 10.244.2.0/24 | api_apply node-b
  node_json node-c "${NODE_IP[node-c]}" 10.244.3.0/24 | api_apply node-c
  service_lb_json | api_apply service-web
  slice_json node-a | api_apply slice-web
  local n
  for n in node-a node-b node-c; do node_start "$n"; done

  # The mesh: every node has sessions to the other two, named after their Node objects.
  check_wait "node-a: sessions to node-b and node-c Established" 40 established_set_is node-a node-b,node-c
  check_wait "node-b: sessions to node-a and node-c Established" 20 established_set_is node-b node-a,node-c
  check_wait "node-c: sessions to node-a and node-b Established" 20 established_set_is node-c node-a,node-b
  pc node-a show protocols | sed 's/^/# node-a: /' >&2

  # Pod CIDRs: the others' via their InternalIPs, the own one as a blackhole.
  check_wait "node-a kernel: 10.244.2.0/24 via node-b (${NODE_IP[node-b]})" 15 route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check_wait "node-a kernel: 10.244.3.0/24 via node-c" 15 route_via node-a 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "node-b kernel: 10.244.1.0/24 via node-a" 15 route_via node-b 10.244.1.0/24 "${NODE_IP[node-a]}"
  check_wait "node-b kernel: 10.244.3.0/24 via node-c" 15 route_via node-b 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "node-c kernel: 10.244.1.0/24 via node-a" 15 route_via node-c 10.244.1.0/24 "${NODE_IP[node-a]}"
  check_wait "node-c kernel: 10.244.2.0/24 via node-b" 15 route_via node-c 10.244.2.0/24 "${NODE_IP[node-b]}"
  for n in node-a node-b node-c; do
    local own; case $n in node-a) own=10.244.1.0/24 ;; node-b) own=10.244.2.0/24 ;; *) own=10.244.3.0/24 ;; esac
    check_wait "$n kernel: blackhole $own (its own pod CIDR)" 10 route_blackhole "$n" "$own"
  done

  # The LoadBalancer IP, externalTrafficPolicy Local: only node-a (ready endpoint) announces it.
  check_wait "node-b kernel: $LB_IP via node-a (the node with the ready endpoint)" 10 route_via node-b "$LB_IP" "${NODE_IP[node-a]}"
  check_wait "node-c kernel: $LB_IP via node-a" 10 route_via node-c "$LB_IP" "${NODE_IP[node-a]}"
  check_wait "node-c kernel: clusterIP $CLUSTER_IP via node-a (Local: host route from the endpoint's node)" 10 \
    route_via node-c "$CLUSTER_IP" "${NODE_IP[node-a]}"
  check "node-a kernel: no BGP route for $LB_IP (it announces it)" ptr_not route_via node-a "$LB_IP" "${NODE_IP[node-b]}"
  # Service IPs are announced without a blackhole (show k8s prints none for them): the node's
  # own processes must still reach them through kube-proxy, which a blackhole would prevent.
  check "node-a kernel: no blackhole for the service IPs it announces (10.96.0.0/12, $CLUSTER_IP, $LB_IP)" \
    bash -c "! ip -n '${NODE_NS[node-a]}' route show proto petrel | grep -Eq '^blackhole (10\.96\.0\.0/12|${CLUSTER_IP//./\\.}|${LB_IP//./\\.}) '"
  kernel node-c

  # Metrics and the DaemonSet's readiness probe.
  check "node-a metrics: petrel_k8s_synced 1" metric_is node-a petrel_k8s_synced 1
  check "node-a metrics: petrel_k8s_peers 2" metric_is node-a petrel_k8s_peers 2
  check "node-a /readyz: ok" readyz_ok node-a

  # show k8s: which objects produced which announcements.
  local k8s; k8s=$(pc node-a show k8s)
  printf '%s\n' "$k8s" | sed 's/^/# node-a show k8s: /' >&2
  check "node-a show k8s: 10.244.1.0/24 <- node node-a spec.podCIDRs" \
    grep -Eq '10\.244\.1\.0/24 blackhole <- node node-a spec\.podCIDRs' <<<"$k8s"
  check "node-a show k8s: $LB_IP/32 <- service shop/web loadBalancer ingress (Local, ready endpoint here)" \
    grep -Eq "${LB_IP//./\\.}/32 <- service shop/web loadBalancer ingress \(externalTrafficPolicy Local" <<<"$k8s"
  check "node-a show k8s: peer node-node-b <- node node-b (full mesh)" \
    grep -Eq "node-node-b ${NODE_IP[node-b]//./\\.} AS$PETREL_AS mesh <- node node-b \(full mesh\)" <<<"$k8s"
  k8s=$(pc node-c show k8s)
  check "node-c show k8s: no ready endpoint here, so $LB_IP is not announced (a note says why)" \
    grep -Eq "service shop/web loadBalancer ingress ${LB_IP//./\\.}: externalTrafficPolicy Local and no ready endpoint on this node" <<<"$k8s"

  # The endpoint moves to node-b: the LB IP follows within a few seconds.
  slice_json node-b | api_apply slice-web-moved
  check_wait "endpoint moved: node-c kernel: $LB_IP via node-b" 5 route_via node-c "$LB_IP" "${NODE_IP[node-b]}"
  check_wait "endpoint moved: node-a kernel: $LB_IP via node-b" 5 route_via node-a "$LB_IP" "${NODE_IP[node-b]}"
  check_wait "endpoint moved: node-b kernel: no route via node-a any more" 5 ptr_not route_via node-b "$LB_IP" "${NODE_IP[node-a]}"

  # node-c leaves the cluster: its session and its pod CIDR go, everywhere.
  local out; out=$(api delete node node-c)
  ptr_log "api: $out"
  check_wait "node-c deleted: node-a drops the session to node-c" 5 no_session node-a node-c
  check_wait "node-c deleted: node-b drops the session to node-c" 5 no_session node-b node-c
  check_wait "node-c deleted: node-a kernel drops 10.244.3.0/24" 5 no_route node-a 10.244.3.0/24
  check_wait "node-c deleted: node-b kernel drops 10.244.3.0/24" 5 no_route node-b 10.244.3.0/24
  check "node-c deleted: node-a and node-b keep their session" established_set_is node-a node-b
  check "node-c deleted: node-a keeps 10.244.2.0/24 via node-b" route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check_wait "node-c deleted: node-c itself (no Node object any more) has no node sessions" 5 \
    bash -c "! '$PETRELC' -s '${PD_SOCK[node-c]}' show protocols | grep -q '^node-'"
  check "node-c deleted: node-c's show k8s says why" \
    bash -c "'$PETRELC' -s '${PD_SOCK[node-c]}' show k8s | grep -q 'node node-c is not (yet) in the cluster'"
  check_wait "node-c deleted: node-c kernel drops its own blackhole 10.244.3.0/24" 5 no_route node-c 10.244.3.0/24
  # A removed peer gets Cease / Hard Reset (6/9, RFC 8538: Peer De-configured inside),
  # not an Administrative Shutdown, which graceful restart would answer by keeping
  # the routes for the restart time. Both ends remove the session at about the same
  # time (node-c's own Node object went too): whichever is first sends the Hard
  # Reset, the other receives it.
  grep -E "peer node-node-(a|c) notification-(sent|received)" "${PD_LOG[node-a]}" "${PD_LOG[node-c]}" | sed 's/^/# /' >&2
  check "node-c deleted: the session between node-a and node-c ended with a Hard Reset" \
    grep -Eq "peer node-node-c notification-(sent|received) 6/9 Cease / Hard Reset" "${PD_LOG[node-a]}"
  check "node-c deleted: node-c did not keep node-a's routes as stale (no graceful restart)" \
    ptr_not grep -q "peer node-node-a .*graceful-restart keeping" "${PD_LOG[node-c]}"
  check "node-c deleted: node-a did not keep node-c's routes as stale" \
    ptr_not grep -q "peer node-node-c .*graceful-restart keeping" "${PD_LOG[node-a]}"
  kernel node-a

  # The API server goes away: petreld keeps everything it knew.
  api_stop
  check "API server stopped" ptr_not_alive "$API_PID"
  check_never "API server down: node-a keeps 10.244.2.0/24 via node-b" 4 ptr_not route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check "API server down: node-a keeps $LB_IP via node-b" route_via node-a "$LB_IP" "${NODE_IP[node-b]}"
  check "API server down: node-b keeps its blackhole" route_blackhole node-b 10.244.2.0/24
  check "API server down: node-a and node-b keep their session" established_set_is node-a node-b
  for n in node-a node-b node-c; do check "API server down: petreld $n still running" ptr_alive "${PD_PID[$n]}"; done
  check_wait "API server down: node-a's show k8s counts the nodes informer's errors" 15 informer_errors node-a nodes
  check "API server down: node-a /readyz still ok (an API outage is no reason to leave the load balancers)" \
    readyz_ok node-a
  check "API server down: node-a metrics count the nodes informer's errors" \
    metric_matches node-a '^petrel_k8s_informer_errors_total\{resource="nodes"\} [1-9]'
  pc node-a show k8s | grep -E '^ +(informer|nodes) ' | sed 's/^/# node-a show k8s: /' >&2

  # It comes back (same CA, objects and resourceVersion): node-c joins again and the endpoint
  # returns to node-a. The informers reconnect after their backoff (at most 30 s).
  api_start
  node_json node-c "${NODE_IP[node-c]}" 10.244.3.0/24 | api_apply node-c-again
  slice_json node-a | api_apply slice-web-back
  check_wait "API server back: node-c joins again: node-a has its session" 40 established_set_is node-a node-b,node-c
  check_wait "API server back: node-c has sessions to node-a and node-b" 20 established_set_is node-c node-a,node-b
  check_wait "API server back: node-a kernel: 10.244.3.0/24 via node-c again" 15 route_via node-a 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "API server back: node-c kernel: blackhole 10.244.3.0/24 again" 15 route_blackhole node-c 10.244.3.0/24
  check_wait "API server back: the endpoint is on node-a again: node-c kernel: $LB_IP via node-a" 40 \
    route_via node-c "$LB_IP" "${NODE_IP[node-a]}"
  check_wait "API server back: node-b kernel: $LB_IP via node-a" 10 route_via node-b "$LB_IP" "${NODE_IP[node-a]}"
  kernel node-c

  # node-a is excluded from external load balancers (a well-known label): it withdraws its
  # service IPs, though its endpoint stays; the label goes: they come back.
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 '"node.kubernetes.io/exclude-from-external-load-balancers": ""' |
    api_apply node-a-excluded
  check_wait "node-a labelled exclude-from-external-load-balancers: node-c drops $LB_IP" 2 no_route node-c "$LB_IP/32"
  check "node-a excluded: node-c keeps node-a's pod CIDR" route_via node-c 10.244.1.0/24 "${NODE_IP[node-a]}"
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 | api_apply node-a-included
  check_wait "label removed: node-c kernel: $LB_IP via node-a again" 2 route_via node-c "$LB_IP" "${NODE_IP[node-a]}"

  # The Service is deleted: its IPs are withdrawn everywhere within a second or two.
  out=$(api delete service shop/web)
  ptr_log "api: $out"
  check_wait "Service deleted: node-c drops $LB_IP" 2 no_route node-c "$LB_IP/32"
  check_wait "Service deleted: node-b drops $LB_IP" 2 no_route node-b "$LB_IP/32"
  check_wait "Service deleted: node-c drops the clusterIP host route $CLUSTER_IP" 2 no_route node-c "$CLUSTER_IP/32"
  check "Service deleted: node-c keeps node-a's pod CIDR" route_via node-c 10.244.1.0/24 "${NODE_IP[node-a]}"
}

# ---------------------------------------------------------------- route reflectors

scenario_reflectors() {
  nodes_up 4
  api_start
  local rr='"petrel.io/route-reflector": "true"' cid='"petrel.io/cluster-id": "244.0.0.1"'
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 "$rr" "$cid" | api_apply node-a
  node_json node-b "${NODE_IP[node-b]}" 10.244.2.0/24 "$rr" "$cid" | api_apply node-b
  node_json node-c "${NODE_IP[node-c]}" 10.244.3.0/24 | api_apply node-c
  node_json node-d "${NODE_IP[node-d]}" 10.244.4.0/24 | api_apply node-d
  local n
  for n in node-a node-b node-c node-d; do node_start "$n"; done

  check_wait "node-a (reflector): sessions to node-b, node-c, node-d" 40 established_set_is node-a node-b,node-c,node-d
  check_wait "node-b (reflector): sessions to node-a, node-c, node-d" 20 established_set_is node-b node-a,node-c,node-d
  check_wait "node-c (client): sessions only to the reflectors node-a, node-b" 20 established_set_is node-c node-a,node-b
  check_wait "node-d (client): sessions only to the reflectors node-a, node-b" 20 established_set_is node-d node-a,node-b
  check "node-c: no session to node-d configured at all" no_session node-c node-d
  check "node-d: no session to node-c configured at all" no_session node-d node-c
  pc node-c show protocols | sed 's/^/# node-c: /' >&2
  local k8s; k8s=$(pc node-a show k8s)
  printf '%s\n' "$k8s" | sed 's/^/# node-a show k8s: /' >&2
  check "node-a show k8s: route reflector with cluster id 244.0.0.1" grep -q 'route reflector (cluster id 244.0.0.1)' <<<"$k8s"
  check "node-a show k8s: node-c is its client" \
    grep -Eq "node-node-c ${NODE_IP[node-c]//./\\.} AS$PETREL_AS reflector-client <- node node-c" <<<"$k8s"
  check "node-a show k8s: node-b is a fellow reflector" \
    grep -Eq "node-node-b ${NODE_IP[node-b]//./\\.} AS$PETREL_AS reflector <- node node-b" <<<"$k8s"

  # Reflected routes keep the originator's next hop: clients reach each other directly.
  check_wait "node-c kernel: 10.244.4.0/24 via node-d (reflected, no node-c/node-d session)" 15 \
    route_via node-c 10.244.4.0/24 "${NODE_IP[node-d]}"
  check_wait "node-d kernel: 10.244.3.0/24 via node-c (reflected)" 15 route_via node-d 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "node-c kernel: 10.244.1.0/24 via node-a" 15 route_via node-c 10.244.1.0/24 "${NODE_IP[node-a]}"
  check_wait "node-d kernel: 10.244.2.0/24 via node-b" 15 route_via node-d 10.244.2.0/24 "${NODE_IP[node-b]}"
  check_wait "node-a kernel: 10.244.3.0/24 via node-c" 15 route_via node-a 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "node-a kernel: 10.244.2.0/24 via node-b" 15 route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check_wait "node-b kernel: 10.244.4.0/24 via node-d" 15 route_via node-b 10.244.4.0/24 "${NODE_IP[node-d]}"
  kernel node-c

  # A client leaves: the reflectors drop it, and the other client loses its route.
  local out; out=$(api delete node node-d)
  ptr_log "api: $out"
  check_wait "node-d deleted: node-a drops its client node-d" 10 no_session node-a node-d
  check_wait "node-d deleted: node-c kernel drops 10.244.4.0/24" 10 no_route node-c 10.244.4.0/24
  check "node-d deleted: node-c keeps both reflectors" established_set_is node-c node-a,node-b
}

# ---------------------------------------------------------------- dual stack

# route6_via NODE PREFIX GATEWAY / route6_blackhole NODE PREFIX: the IPv6 forms.
route6_via() { ip -n "${NODE_NS[$1]}" -6 route show "$2" | grep -Eq "^$2 (nhid [0-9]+ )?via $3 dev veth0 proto petrel"; }
route6_blackhole() { ip -n "${NODE_NS[$1]}" -6 route show "$2" | grep -Eq "^blackhole $2 (dev lo )?proto petrel"; }

scenario_dualstack() {
  nodes_up 3
  # IPv6 on the same segment: fd00:11::1 on the hub's bridge, fd00:11::2.. on the nodes.
  ns_addr "$NS_R" br0 fd00:11::1/64
  local i n names=(node-a node-b node-c)
  for i in 1 2 3; do
    n=${names[i - 1]}
    NODE_IP6[$n]=fd00:11::$(( i + 1 ))
    ns_addr "${NODE_NS[$n]}" veth0 "${NODE_IP6[$n]}/64"
  done
  api_start
  for i in 1 2 3; do
    n=${names[i - 1]}
    node_json "$n" "${NODE_IP[$n]}" "10.244.$i.0/24" "" "" "${NODE_IP6[$n]}" "fd00:10:244:$i::/64" | api_apply "$n"
  done
  for n in node-a node-b node-c; do node_start "$n"; done
  # One session per family and node pair (k8s/derive.hpp): "node-node-b" over IPv4,
  # "node-node-b-v6" over IPv6.
  check_wait "node-a: the mesh, an IPv4 and an IPv6 session to each of node-b and node-c" 40 \
    established_set_is node-a node-b,node-b-v6,node-c,node-c-v6
  check "node-a: the IPv6 session to node-b is at node-b's IPv6 address" \
    session_address_is node-a node-node-b-v6 "${NODE_IP6[node-b]}"
  check_wait "node-a kernel: 10.244.2.0/24 via node-b's IPv4 address" 15 route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check_wait "node-a kernel: blackhole fd00:10:244:1::/64 (its own IPv6 pod CIDR)" 10 route6_blackhole node-a fd00:10:244:1::/64
  check_wait "node-a kernel: fd00:10:244:2::/64 via node-b's IPv6 address" 15 route6_via node-a fd00:10:244:2::/64 "${NODE_IP6[node-b]}"
  check_wait "node-c kernel: fd00:10:244:1::/64 via node-a's IPv6 address" 15 route6_via node-c fd00:10:244:1::/64 "${NODE_IP6[node-a]}"
  ip -n "${NODE_NS[node-a]}" -6 route show proto petrel | sed 's/^/# node-a kernel: /' >&2
  pc node-a show protocols | sed 's/^/# node-a: /' >&2
  pc node-a show route | sed 's/^/# node-a: /' >&2
}

# ---------------------------------------------------------------- restart

# kernel_deletions NODE PREFIX: `ip monitor route` in NODE's namespace saw PREFIX deleted.
kernel_deletions() { grep -E "^Deleted .*${2//./\\.}" "$PTR_SCOPE/$1.monitor.log"; }

scenario_restart() {
  nodes_up 3
  api_start
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 | api_apply node-a
  node_json node-b "${NODE_IP[node-b]}" 10.244.2.0/24 | api_apply node-b
  node_json node-c "${NODE_IP[node-c]}" 10.244.3.0/24 | api_apply node-c
  local n
  for n in node-a node-b node-c; do node_start "$n"; done
  check_wait "node-b: the mesh" 40 established_set_is node-b node-a,node-c
  check_wait "node-b kernel: 10.244.1.0/24 via node-a" 15 route_via node-b 10.244.1.0/24 "${NODE_IP[node-a]}"
  check_wait "node-b kernel: 10.244.3.0/24 via node-c" 15 route_via node-b 10.244.3.0/24 "${NODE_IP[node-c]}"
  check_wait "node-a kernel: 10.244.2.0/24 via node-b" 15 route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  ptr_sleep 1   # End-of-RIB exchanged

  # Watch node-b's and node-a's kernels while node-b's petreld crashes and starts again.
  ptr_spawn "${NODE_NS[node-b]}" "$PTR_SCOPE/node-b.monitor.log" ip monitor route
  ptr_spawn "${NODE_NS[node-a]}" "$PTR_SCOPE/node-a.monitor.log" ip monitor route
  ptr_sleep 0.5
  check "kill -9 node-b's petreld" ptr_signal KILL "${PD_PID[node-b]}"
  wait_until 5 ptr_not_alive "${PD_PID[node-b]}"
  # Its peers keep its routes (graceful restart, RFC 4724 §4.2), its kernel keeps everything.
  check_never "node-b down: node-a keeps 10.244.2.0/24 via node-b" 3 ptr_not route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check "node-b down: node-b's kernel keeps 10.244.1.0/24 and 10.244.3.0/24" \
    bash -c "ip -n '${NODE_NS[node-b]}' route show proto petrel | grep -Eq '^10.244.1.0/24 (nhid [0-9]+ )?via' &&
             ip -n '${NODE_NS[node-b]}' route show proto petrel | grep -Eq '^10.244.3.0/24 (nhid [0-9]+ )?via'"

  # petreld starts again: its peers come only from the API server, after the first list.
  node_start node-b
  check_wait "node-b restarted: the mesh again (peers from the API server)" 40 established_set_is node-b node-a,node-c
  check_wait "node-b restarted: node-a's session to node-b Established" 20 established node-a node-node-b
  ptr_sleep 3   # End-of-RIB, stale routes swept, the restarted FIB writer reconciled
  check "node-b restarted: node-b kernel: 10.244.1.0/24 via node-a" route_via node-b 10.244.1.0/24 "${NODE_IP[node-a]}"
  check "node-b restarted: node-b kernel: 10.244.3.0/24 via node-c" route_via node-b 10.244.3.0/24 "${NODE_IP[node-c]}"
  check "node-b restarted: node-b kernel: its blackhole 10.244.2.0/24" route_blackhole node-b 10.244.2.0/24
  check "node-b restarted: node-a kernel: 10.244.2.0/24 via node-b" route_via node-a 10.244.2.0/24 "${NODE_IP[node-b]}"
  check "no forwarding gap: node-b's kernel never deleted 10.244.1.0/24 or 10.244.3.0/24" \
    ptr_not kernel_deletions node-b '10.244.(1|3).0/24'
  check "no forwarding gap: node-a's kernel never deleted 10.244.2.0/24" ptr_not kernel_deletions node-a 10.244.2.0/24
  sed 's/^/# node-b ip monitor: /' "$PTR_SCOPE/node-b.monitor.log" >&2
  grep -iE 'restart|adopt|deferr|end-of-rib|stale' "${PD_LOG[node-b]}" | sed 's/^/# node-b petreld: /' >&2
}

# ---------------------------------------------------------------- external peers (ToR)

# BGP_PASSWORD: the ToR's TCP-MD5 key (RFC 2385), kept by the cluster in Secret
# petrel/bgp-passwords.
BGP_PASSWORD="s3cret-tor-key"

# bird_has_route NAME PREFIX PROTO: BIRD NAME holds PREFIX from protocol PROTO.
bird_has_route() { birdc_q "$1" show route "$2" protocol "$3" | grep -q "^${2//./\\.}[[:space:]]"; }

# tor_next_hops PREFIX: the ToR's distinct next hops for PREFIX ("via ADDR on br0" lines).
tor_next_hops() { birdc_q tor show route "$1" | sed -n 's/^[[:space:]]*\(via .*\)$/\1/p' | sort -u; }
test_eq_cmd() { local want=$1; shift; [[ "$("$@")" == "$want" ]]; }

scenario_tor() {
  nodes_up 2
  api_start
  # A BIRD ToR (AS 65000) in the hub namespace, with an MD5 password for each node.
  bird_start "$NS_R" tor <<EOB
router id $R4;
protocol device { scan time 10; }
protocol bgp node_a {
  local $R4 as 65000; neighbor ${NODE_IP[node-a]} as $PETREL_AS;
  password "$BGP_PASSWORD"; hold time 9; connect retry time 2;
  ipv4 { import all; export none; };
}
protocol bgp node_b {
  local $R4 as 65000; neighbor ${NODE_IP[node-b]} as $PETREL_AS;
  password "$BGP_PASSWORD"; hold time 9; connect retry time 2;
  ipv4 { import all; export none; };
}
EOB
  # node-a peers with the ToR through the configuration's kubernetes.peers (node-selector
  # rack=r1), node-b through its own petrel.io/peers annotation; both name the same Secret.
  local peers_annotation
  peers_annotation=$(printf '"petrel.io/peers": "[{\\"name\\":\\"tor\\",\\"address\\":\\"%s\\",\\"remote-as\\":65000,\\"password-secret\\":{\\"name\\":\\"bgp-passwords\\",\\"key\\":\\"tor\\"}}]"' "$R4")
  node_json node-a "${NODE_IP[node-a]}" 10.244.1.0/24 '"rack": "r1"' | api_apply node-a
  node_json node-b "${NODE_IP[node-b]}" 10.244.2.0/24 '"rack": "r2"' "$peers_annotation" | api_apply node-b
  service_lb_json | api_apply service-web
  slice_json node-b | api_apply slice-web
  # The ToR is eBGP: RFC 8212 sends it nothing without an export policy; kubernetes-export
  # is the one petreld gives the external peers it derives (etc/k8s/configmap.yaml).
  local top kube
  top=$(cat <<'EOB'
prefix-sets:
  cluster: ["10.244.0.0/16 le 24", "10.96.0.0/12 le 32", "198.51.100.0/24 le 32"]
policies:
  kubernetes-export:
    - {match: {prefix-set: cluster}, action: accept}
    - {action: reject}
EOB
)
  kube=$(cat <<EOB
  peers:
    - {name: tor, address: $R4, remote-as: 65000, node-selector: "rack=r1", password-secret: {name: bgp-passwords, key: tor}}
EOB
)
  local n
  for n in node-a node-b; do node_start "$n" "$top" "$kube"; done
  check_wait "node-a and node-b: the mesh session" 40 established_set_is node-a node-b

  # The Secret does not exist yet: the ToR session waits for it, and show k8s says so.
  check_never "no Secret yet: BIRD's session to node-a stays down" 3 bird_established tor node_a
  local k8s; k8s=$(pc node-a show k8s)
  printf '%s\n' "$k8s" | grep -Ei 'tor|secret' | sed 's/^/# node-a show k8s: /' >&2
  check "node-a show k8s: peer tor from kubernetes.peers[0] with its Secret reference" \
    grep -Eq "tor ${R4//./\\.} AS65000 external password petrel/bgp-passwords\[tor\] <- config kubernetes\.peers\[0\]" <<<"$k8s"
  check "node-b show k8s: peer tor from its petrel.io/peers annotation" \
    bash -c "'$PETRELC' -s '${PD_SOCK[node-b]}' show k8s | grep -Eq 'tor ${R4//./\\.} AS65000 external password petrel/bgp-passwords\[tor\] <- .*petrel\.io/peers'"

  # The Secret arrives: both nodes read it (by name, as RBAC allows) and peer with MD5.
  api_apply secret <<EOB
{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
 "metadata": {"name": "bgp-passwords", "namespace": "petrel", "uid": "0c0d0e0f-1111-4222-8333-444455556666"},
 "data": {"tor": "$(printf '%s' "$BGP_PASSWORD" | base64)"}}
EOB
  check_wait "Secret applied: BIRD's session to node-a Established (TCP-MD5)" 30 bird_established tor node_a
  check_wait "Secret applied: BIRD's session to node-b Established (TCP-MD5)" 30 bird_established tor node_b
  check_wait "ToR: 10.244.1.0/24 from node-a" 10 bird_has_route tor 10.244.1.0/24 node_a
  check_wait "ToR: 10.244.2.0/24 from node-b" 10 bird_has_route tor 10.244.2.0/24 node_b
  check_wait "ToR: $LB_IP/32 from node-b (the ready endpoint's node)" 10 bird_has_route tor "$LB_IP/32" node_b
  # node-a passes node-b's route on (iBGP to eBGP, the export policy accepts it) with node-b's
  # address as next hop (a third-party next hop on the shared subnet): every path leads to node-b.
  check "ToR: every path for $LB_IP/32 goes via node-b (${NODE_IP[node-b]}), none via node-a" \
    test_eq_cmd "via ${NODE_IP[node-b]} on br0" tor_next_hops "$LB_IP/32"
  birdc_q tor show route | sed 's/^/# tor: /' >&2
}

# ---------------------------------------------------------------- run

k8s_main() {
  local build=${1:-build}
  PETRELD=$(realpath -- "$build/daemon/petreld" 2>/dev/null)
  PETRELC=$(realpath -- "$build/shell/petrelc" 2>/dev/null)
  FAKE_APISERVER=$(realpath -- "$build/tests/tools/fake-apiserver" 2>/dev/null)
  ptr_init bird birdc
  if [[ ! -x $PETRELD || ! -x $PETRELC || ! -x $FAKE_APISERVER ]]; then
    fail "petreld, petrelc or fake-apiserver not built under $build"
    ptr_summary; exit 1
  fi
  run_scenario mesh scenario_mesh
  run_scenario reflectors scenario_reflectors
  run_scenario tor scenario_tor
  run_scenario dualstack scenario_dualstack
  run_scenario restart scenario_restart
  ptr_summary
}

k8s_main "$@"
