# shellcheck shell=bash
# tests/policy/k8s_objects.sh — feeding petrel-fake-apiserver from a test script.
#
# The server (tests/tools/fake_apiserver.cpp) runs with --dir DIR; these helpers
# write kubectl-shaped JSON objects into DIR and send it commands through
# DIR/commands, waiting (bounded) until DIR/applied says "ok". The caller defines
# fail MSG [DETAILS...].
#   api DIR "COMMAND ARGS"                     upsert/remove/drop/compact/add-collection
#   k8s_pod DIR NAME NAMESPACE IP NODE LABELS_JSON [PORTS_JSON]
#   k8s_namespace DIR NAME LABELS_JSON         kubernetes.io/metadata.name added
#   k8s_policy DIR NAMESPACE NAME SPEC_JSON

# k8s_wait_for SECONDS CMD...: polls every 0.1 s.
k8s_wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do (( SECONDS >= end )) && return 1; sleep 0.1; done
}

api() {
  local dir=$1 line=$2
  echo "$line" >"$dir/commands"
  k8s_wait_for 10 grep -qxF "ok $line" "$dir/applied" ||
    { fail "API command: $line" "$(tail -3 "$dir/applied" 2>/dev/null)"; return 1; }
}

k8s_pod() {
  local dir=$1 name=$2 ns=$3 ip=$4 node=$5 labels=$6 ports=${7:-[]} f
  f="$dir/pod-$ns-$name.json"
  cat >"$f" <<JSON
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "$name", "namespace": "$ns", "uid": "uid-$ns-$name", "labels": $labels},
 "spec": {"nodeName": "$node", "containers": [{"name": "main", "image": "busybox", "ports": $ports}]},
 "status": {"phase": "Running", "podIP": "$ip", "podIPs": [{"ip": "$ip"}]}}
JSON
  api "$dir" "upsert pods $f"
}

k8s_namespace() {
  local dir=$1 name=$2 labels=$3 f
  f="$dir/ns-$name.json"
  labels=$(echo "$labels" | sed "s/^{/{\"kubernetes.io\/metadata.name\": \"$name\", /; s/, }/}/")
  cat >"$f" <<JSON
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "$name", "uid": "uid-$name", "labels": $labels}}
JSON
  api "$dir" "upsert namespaces $f"
}

k8s_policy() {
  local dir=$1 ns=$2 name=$3 spec=$4 f
  f="$dir/np-$ns-$name.json"
  cat >"$f" <<JSON
{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
 "metadata": {"name": "$name", "namespace": "$ns", "uid": "uid-np-$ns-$name"}, "spec": $spec}
JSON
  api "$dir" "upsert networkpolicies $f"
}
