# shellcheck shell=bash
# tests/policy/k8s_objects.sh — feeding fake-apiserver (tests/tools/fake_apiserver) from
# a test script.
#
# The server runs as `fake-apiserver serve --dir DIR`; these helpers write
# kubectl-shaped JSON objects into DIR and send it commands on DIR/control.sock with
# `fake-apiserver ctl` (synchronous, bounded by a 10 s timeout), failing unless it
# answers "ok". The caller sets K8S_FAKE_APISERVER (the binary) and defines
# fail MSG [DETAILS...].
#   k8s_serving LOG                            the server's "serving https://" line is in LOG
#   api DIR COMMAND ARGS...                    apply/delete/drop-watches/compact/... (its README);
#                                              the answer is left in K8S_ANSWER
#   k8s_apply DIR FILE "KIND KEY"              apply, checking where the server put it
#   k8s_pod DIR NAME NAMESPACE IP NODE LABELS_JSON [PORTS_JSON]
#   k8s_namespace DIR NAME LABELS_JSON         kubernetes.io/metadata.name added
#   k8s_policy DIR NAMESPACE NAME SPEC_JSON

# k8s_wait_for SECONDS CMD...: polls every 0.1 s.
k8s_wait_for() {
  local end=$((SECONDS + $1)); shift
  until "$@"; do (( SECONDS >= end )) && return 1; sleep 0.1; done
}

k8s_serving() { grep -q 'fake-apiserver: serving https://' "$1" 2>/dev/null; }

api() {
  local dir=$1; shift
  K8S_ANSWER=$(timeout 10 "$K8S_FAKE_APISERVER" ctl "$dir/control.sock" "$@" 2>&1) ||
    { fail "API command: $*" "$K8S_ANSWER"; return 1; }
}

# k8s_apply DIR FILE "KIND KEY": applies FILE; the server must have placed it as KIND KEY.
k8s_apply() {
  local dir=$1 f=$2 what=$3
  api "$dir" apply "$f" || return 1
  [[ $K8S_ANSWER =~ ^ok\ $what\ (created|configured)\ \( ]] ||
    { fail "API apply $f: not applied as $what" "$K8S_ANSWER"; return 1; }
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
  k8s_apply "$dir" "$f" "Pod $ns/$name"
}

k8s_namespace() {
  local dir=$1 name=$2 labels=$3 f
  f="$dir/ns-$name.json"
  labels=$(echo "$labels" | sed "s/^{/{\"kubernetes.io\/metadata.name\": \"$name\", /; s/, }/}/")
  cat >"$f" <<JSON
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "$name", "uid": "uid-$name", "labels": $labels}}
JSON
  k8s_apply "$dir" "$f" "Namespace $name"
}

k8s_policy() {
  local dir=$1 ns=$2 name=$3 spec=$4 f
  f="$dir/np-$ns-$name.json"
  cat >"$f" <<JSON
{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
 "metadata": {"name": "$name", "namespace": "$ns", "uid": "uid-np-$ns-$name"}, "spec": $spec}
JSON
  k8s_apply "$dir" "$f" "NetworkPolicy $ns/$name"
}
