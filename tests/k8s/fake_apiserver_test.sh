#!/usr/bin/env bash
# tests/k8s/fake_apiserver_test.sh — the standalone fake-apiserver (tests/tools/fake_apiserver)
# on loopback, with curl as an independent client (TLS verified against the CA it wrote):
# kubeconfig and CA files, token auth, lists, kubectl (discovery, lists, get by name), a
# chunked watch that sees ADDED/MODIFIED/DELETED,
# control-channel errors, drop-watches, a Secret's per-namespace collection with a field
# selector, a restart that keeps the CA, the objects and the resourceVersion, and
# --without KIND (a collection left out: 404 until an object of it is applied).
#
#   bash tests/k8s/fake_apiserver_test.sh BUILD_DIR FIXTURES_DIR
# Needs no root: everything stays on 127.0.0.1. Ends with "N passed, N failed".
set -u
BUILD=$1
FIX=$2
FA=$BUILD/tests/tools/fake-apiserver
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }

TMP=$(mktemp -d /tmp/k8s-fakeapi.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

P=0 F=0
pass() { P=$((P + 1)); echo "ok   - $1"; }
fail() { F=$((F + 1)); echo "FAIL - $1"; shift; local d; for d in "$@"; do printf '%s\n' "$d" | sed 's/^/       | /'; done; }
check() { local m=$1; shift; local out; if out=$("$@" 2>&1); then pass "$m"; else fail "$m" "command: $*" "$out"; fi; }
wait_for() { local n=$1; shift; local i; for (( i = 0; i < n * 10; i++ )); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

DIR=$TMP/api
SOCK=$DIR/control.sock
ctl() { "$FA" ctl "$SOCK" "$@"; }
start() {   # start [PORT]
  : >"$TMP/serve.out"   # emptied here, not in the child: the wait below must not see the last run's line
  "$FA" serve --dir "$DIR" --listen 127.0.0.1 --port "${1:-0}" >"$TMP/serve.out" 2>"$TMP/serve.err" &
  SERVER=$!
  PIDS+=("$SERVER")
  wait_for 10 grep -q 'serving https://' "$TMP/serve.out" || { fail "server started" "$(cat "$TMP/serve.err")"; exit 1; }
  URL=$(sed -n 's/.*serving \(https:[^ ]*\).*/\1/p' "$TMP/serve.out")
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null; }
get() { curl -sS --cacert "$DIR/ca.crt" -H "Authorization: Bearer petrel-test-token" "$URL$1"; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start
check "kubeconfig names the server URL $URL" grep -q "server: $URL\$" "$DIR/kubeconfig"
check "kubeconfig's certificate-authority-data is ca.crt" \
  bash -c "sed -n 's/.*certificate-authority-data: //p' '$DIR/kubeconfig' | base64 -d | cmp - '$DIR/ca.crt'"
check "ca.key is private (0600)" test "$(stat -c %a "$DIR/ca.key")" = 600

out=$(ctl apply "$FIX/node-a.json"); check "apply node-a: created" grep -q '^ok Node node-a created' <<<"$out"
out=$(ctl apply "$FIX/node-a.json"); check "apply node-a again: configured" grep -q '^ok Node node-a configured' <<<"$out"
echo '{"kind": "Node", "apiVersion": "v1", "metadata": {}}' >"$TMP/bad-node.json"
out=$(ctl apply "$TMP/bad-node.json"); rc=$?
check "apply a Node without a name: error naming metadata.name, exit 1" \
  bash -c "[[ $rc == 1 ]] && grep -q '^error: .*metadata.name' <<<'$out'"
echo '{"kind": "Service", "apiVersion": "apps/v1", "metadata": {"name": "x", "namespace": "y"}}' >"$TMP/bad-svc.json"
check "apply a Service with apiVersion apps/v1: error" bash -c "! '$FA' ctl '$SOCK' apply '$TMP/bad-svc.json' | grep -q '^ok'"
echo '{"kind": "Node", ' >"$TMP/broken.json"
check "apply broken JSON: 'not JSON'" bash -c "'$FA' ctl '$SOCK' apply '$TMP/broken.json' | grep -q 'not JSON'"
check "apply a missing file: 'cannot read'" bash -c "'$FA' ctl '$SOCK' apply '$TMP/nothing.json' | grep -q 'cannot read'"
check "delete an unknown node: not found" bash -c "'$FA' ctl '$SOCK' delete node nosuch | grep -q 'not found'"
check "delete a service without its namespace: refused" bash -c "'$FA' ctl '$SOCK' delete svc web | grep -q 'namespaced'"
check "unknown command: error listing the commands" bash -c "'$FA' ctl '$SOCK' frob | grep -q 'commands: apply FILE'"
check "unknown kind: error" bash -c "'$FA' ctl '$SOCK' list widgets | grep -q 'unknown kind'"

# A List document: a second node and the LB service, applied at once.
python3 - "$FIX" >"$TMP/list.json" <<'PY'
import json, sys
node = json.load(open(sys.argv[1] + "/node-a.json"))
node["metadata"]["name"] = "node-b"
svc = json.load(open(sys.argv[1] + "/service-lb.json"))
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": [node, svc]}))
PY
out=$(ctl apply "$TMP/list.json"); check "apply a List: both objects" grep -q '^ok Node node-b created, Service shop/web created' <<<"$out"
check "list nodes: node-a node-b" test "$(ctl list nodes)" = "ok node-a node-b"

rv=$(ctl rv | awk '{ print $2 }')
list=$(get /api/v1/nodes)
check "curl list nodes: a NodeList of two at resourceVersion $rv" \
  test "$(jq_py 'd["kind"], len(d["items"]), d["metadata"]["resourceVersion"]' <<<"$list")" = "NodeList 2 $rv"
check "curl list with ?limit=1: a continue token" \
  bash -c "curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/api/v1/nodes?limit=1' | grep -q '\"continue\"'"
check "curl without the token: 401" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.crt" "$URL/api/v1/nodes")" = 401
check "curl with another CA: TLS verification fails" \
  bash -c "! curl -s --cacert /etc/ssl/certs/ca-certificates.crt '$URL/api/v1/nodes' >/dev/null 2>&1"
check "endpointslices are served under discovery.k8s.io/v1" \
  bash -c "curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/apis/discovery.k8s.io/v1/endpointslices' | grep -q EndpointSliceList"

# kubectl as a second independent client: discovery, lists, one object by name.
if command -v kubectl >/dev/null; then
  K=(kubectl --kubeconfig "$DIR/kubeconfig" --cache-dir "$TMP/kubectl-cache" --request-timeout 5s)
  check "kubectl version: the server's version" bash -c "$(printf '%q ' "${K[@]}") version | grep -q 'Server Version: v1.32.1-petrel-fake-apiserver'"
  check "kubectl get nodes -o name: node-a, node-b" test "$("${K[@]}" get nodes -o name | paste -sd' ')" = "node/node-a node/node-b"
  check "kubectl get no node-a: its pod CIDRs" \
    test "$("${K[@]}" get no node-a -o jsonpath='{.spec.podCIDRs[0]}')" = 10.244.1.0/24
  check "kubectl -n shop get svc web: its LoadBalancer IP" \
    test "$("${K[@]}" -n shop get svc web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')" = 198.51.100.7
  check "kubectl get no nosuch: NotFound" bash -c "$(printf '%q ' "${K[@]}") get no nosuch 2>&1 | grep -q NotFound"
else
  echo "# kubectl not installed: its checks are left out"
fi

# A watch from the list's resourceVersion sees what changes after it, line by line.
curl -sSN --cacert "$DIR/ca.crt" -H "Authorization: Bearer petrel-test-token" \
  "$URL/api/v1/nodes?watch=1&resourceVersion=$rv&allowWatchBookmarks=true" >"$TMP/watch.out" 2>&1 &
WATCH=$!; PIDS+=("$WATCH")
check "the watch is open" wait_for 5 bash -c "'$FA' ctl '$SOCK' watches nodes | grep -qx 'ok 1'"
python3 - "$FIX" >"$TMP/node-a2.json" <<'PY'
import json, sys
node = json.load(open(sys.argv[1] + "/node-a.json"))
node["metadata"]["labels"]["petrel.io/route-reflector"] = "true"
print(json.dumps(node))
PY
ctl apply "$TMP/node-a2.json" >/dev/null
ctl delete node node-b >/dev/null
ctl bookmark nodes >/dev/null
check "watch: MODIFIED node-a with the new label" wait_for 5 grep -q '"type":"MODIFIED".*route-reflector' "$TMP/watch.out"
check "watch: DELETED node-b" wait_for 5 grep -q '"type":"DELETED".*"name":"node-b"' "$TMP/watch.out"
check "watch: a BOOKMARK" wait_for 5 grep -q '"type":"BOOKMARK"' "$TMP/watch.out"
check "watch: one JSON event per line" test "$(grep -c '^{"type":' "$TMP/watch.out")" = 3
check "drop-watches: 1 watch" test "$(ctl drop-watches)" = "ok 1 watches"
check "drop-watches: curl's connection ends" wait_for 5 bash -c "! kill -0 $WATCH 2>/dev/null"

# Secrets: one collection per namespace, readable by name (RBAC resourceNames).
cat >"$TMP/secret.json" <<'EOF2'
{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
 "metadata": {"name": "bgp-passwords", "namespace": "petrel"}, "data": {"tor1": "c2VjcmV0"}}
EOF2
check "apply a Secret" bash -c "'$FA' ctl '$SOCK' apply '$TMP/secret.json' | grep -q 'Secret petrel/bgp-passwords created'"
check "curl the Secret by field selector" \
  bash -c "curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/api/v1/namespaces/petrel/secrets?fieldSelector=metadata.name%3Dbgp-passwords' | grep -q c2VjcmV0"

# A restart on the same port: same CA, same objects, same resourceVersion.
rv=$(ctl rv | awk '{ print $2 }')
port=${URL##*:}
cp "$DIR/ca.crt" "$TMP/ca.before"
stop
check "ctl while the server is down: exit 2" bash -c "'$FA' ctl '$SOCK' rv; [[ \$? == 2 ]]"
start "$port"
check "restart: the same URL" test "$URL" = "https://127.0.0.1:$port"
check "restart: the same CA" cmp "$DIR/ca.crt" "$TMP/ca.before"
check "restart: the same resourceVersion ($rv)" test "$(ctl rv)" = "ok $rv"
check "restart: node-a kept, with its label" \
  bash -c "curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/api/v1/nodes' | grep -q 'route-reflector'"
check "restart: a watch from before the restart gets 410 Gone" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.crt" -H "Authorization: Bearer petrel-test-token" \
    "$URL/api/v1/nodes?watch=1&resourceVersion=1001")" = 410
echo '{' >"$DIR/state.json.bad"; stop
cp "$DIR/state.json.bad" "$DIR/state.json"
"$FA" serve --dir "$DIR" --port 0 >/dev/null 2>"$TMP/bad-state.err"; rc=$?
check "a broken state file: refused with its name, exit 1" \
  bash -c "[[ $rc == 1 ]] && grep -q 'state.json: not a JSON object' '$TMP/bad-state.err'"

# --without pods: a server lacking the pods resource (petrel-policy's "pods: not listed yet").
DIR=$TMP/nopods
SOCK=$DIR/control.sock
start_without() { # start_without PORT: serve DIR with --without pods
  : >"$TMP/serve.out"
  "$FA" serve --dir "$DIR" --port "$1" --without pods >"$TMP/serve.out" 2>"$TMP/serve.err" &
  SERVER=$!
  PIDS+=("$SERVER")
  wait_for 10 grep -q 'serving https://' "$TMP/serve.out" || { fail "server started --without pods" "$(cat "$TMP/serve.err")"; exit 1; }
  URL=$(sed -n 's/.*serving \(https:[^ ]*\).*/\1/p' "$TMP/serve.out")
}
code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$DIR/ca.crt" -H "Authorization: Bearer petrel-test-token" "$URL$1"; }
start_without 0
check "--without pods: a pods list gets 404" test "$(code /api/v1/pods)" = 404
check "--without pods: a pods watch gets 404" test "$(code '/api/v1/pods?watch=1&resourceVersion=0')" = 404
check "--without pods: namespaces are still listed" test "$(code /api/v1/namespaces)" = 200
check "--without pods: network policies are still listed" test "$(code /apis/networking.k8s.io/v1/networkpolicies)" = 200
check "--without pods: ctl list pods holds nothing" test "$(ctl list pods)" = "ok"
cat >"$TMP/pod.json" <<'EOF2'
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop", "uid": "u1"},
 "spec": {"nodeName": "node-a"}, "status": {"phase": "Running", "podIP": "10.244.1.5"}}
EOF2
out=$(ctl apply "$TMP/pod.json"); check "--without pods: applying a Pod works" grep -q '^ok Pod shop/web created' <<<"$out"
check "--without pods: after the apply, pods are served (a PodList with it)" \
  bash -c "curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/api/v1/pods' | grep -q '\"kind\":\"PodList\".*\"name\":\"web\"'"
port=${URL##*:}
stop
start_without "$port"
check "--without pods after a restart: the saved pods are dropped, 404 again" test "$(code /api/v1/pods)" = 404
check "--without pods after a restart: ctl list pods holds nothing" test "$(ctl list pods)" = "ok"
stop
: >"$TMP/serve.out"
"$FA" serve --dir "$DIR" --port "$port" >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER=$!; PIDS+=("$SERVER")
wait_for 10 grep -q 'serving https://' "$TMP/serve.out" || { fail "server restarted without --without" "$(cat "$TMP/serve.err")"; exit 1; }
check "a restart without --without: pods served, the dropped pod is gone from the state file" \
  bash -c "[[ \$(curl -sS --cacert '$DIR/ca.crt' -H 'Authorization: Bearer petrel-test-token' '$URL/api/v1/pods' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[\"kind\"], len(d[\"items\"]))') == 'PodList 0' ]]"
stop
"$FA" serve --dir "$TMP/bad-without" --without widgets >/dev/null 2>"$TMP/bad-without.err"; rc=$?
check "--without an unknown kind: refused naming it, exit 1" \
  bash -c "[[ $rc == 1 ]] && grep -q 'without: unknown kind \"widgets\"' '$TMP/bad-without.err'"

echo "$P passed, $F failed"
(( F == 0 && P > 0 ))
