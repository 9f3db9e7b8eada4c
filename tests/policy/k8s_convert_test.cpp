// API objects → the policy model: NetworkPolicy specs as the API server sends them go
// through the same reader as YAML manifests (each row is checked both ways and must
// give the same policy or the same error), and pods and namespaces from kubectl-shaped
// fixtures (tests/k8s/fixtures).
#include "policy/k8s_convert.hpp"

#include "policy/manifest.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "tests/k8s/support/fixtures.hpp"

using namespace petrel;
using namespace petrel::policy;
namespace json = boost::json;
using petrel::k8s::test::fixture;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

json::value policy_object(const std::string& spec_json) {
  return json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "p", "namespace": "shop", "resourceVersion": "7", "uid": "u1"}, "spec": )" +
                     spec_json + "}");
}

Result<NetworkPolicy, k8s::DecodeError> from_json(const std::string& spec_json) {
  auto object = k8s::decode_network_policy(policy_object(spec_json));
  REQUIRE(object.has_value());
  return convert_policy(*object);
}

// YAML is a superset of JSON: the same spec text as a manifest.
Result<std::vector<NetworkPolicy>, Error> from_yaml(const std::string& spec_json) {
  return parse_policies("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\n"
                        "spec: " + spec_json + "\n",
                        "m.yaml");
}

}  // namespace

TEST_CASE("the fixture NetworkPolicy converts with its peers, named port and types") {
  auto object = k8s::decode_network_policy(fixture("networkpolicy-web.json"));
  REQUIRE(object.has_value());
  auto np = convert_policy(*object);
  REQUIRE(np.has_value());
  CHECK(np->key() == "shop/web-allow-frontend");
  CHECK(np->origin == "NetworkPolicy shop/web-allow-frontend");
  CHECK(np->pod_selector.match_labels == Labels{{"app", "web"}});
  CHECK(np->applies_ingress);
  CHECK_FALSE(np->applies_egress);
  REQUIRE(np->ingress.size() == 1);
  const PolicyRule& rule = np->ingress[0];
  REQUIRE(rule.peers.size() == 2);
  CHECK(rule.peers[0].namespace_selector->match_labels == Labels{{"team", "storefront"}});
  CHECK(rule.peers[0].pod_selector->match_labels == Labels{{"role", "frontend"}});
  CHECK(rule.peers[1].ip_block->cidr == *Prefix::parse("192.0.2.0/24"));
  CHECK(rule.peers[1].ip_block->except == std::vector<Prefix>{*Prefix::parse("192.0.2.128/25")});
  REQUIRE(rule.ports.size() == 1);
  CHECK(rule.ports[0].name == "http");
  CHECK(rule.ports[0].protocol == Protocol::tcp);
}

TEST_CASE("JSON from the API server and YAML manifests: one reader, the same policies and errors") {
  struct Row {
    const char* spec;
    const char* error_path;  // nullptr: valid
    const char* error;       // part of the message
  };
  const Row rows[] = {
      {R"({"podSelector": {}})", nullptr, nullptr},
      {R"({"podSelector": {"matchLabels": {"app": "db"}}, "egress": [{"to": [{"podSelector": {}}]}]})", nullptr, nullptr},
      {R"({"podSelector": {}, "policyTypes": ["Egress"]})", nullptr, nullptr},
      {R"({"podSelector": {}, "ingress": [{}], "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}],
          "policyTypes": ["Ingress", "Egress"]})", nullptr, nullptr},
      {R"({"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
          {"key": "canary", "operator": "DoesNotExist"}]},
          "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 30000, "endPort": 32767}]}]})",
       nullptr, nullptr},
      {R"({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]},
          null]})", nullptr, nullptr},
      {R"({"podSelector": {}, "ingress": null, "egress": null, "policyTypes": null})", nullptr, nullptr},
      {R"({"ingress": []})", "spec.podSelector", "required"},
      {R"({"podSelector": {}, "ingress": {}})", "spec.ingress", "expected a list"},
      {R"({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 90}]}]})",
       "spec.ingress[0].ports[0].endPort", "requires a numeric port"},
      {R"({"podSelector": {}, "ingress": [{"ports": [{"port": 70000}]}]})", "spec.ingress[0].ports[0].port",
       "out of range"},
      {R"({"podSelector": {}, "egress": [{"ports": [{"port": 80, "protocol": "ICMP"}]}]})",
       "spec.egress[0].ports[0].protocol", "unknown protocol"},
      {R"({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/8"]}}]}]})",
       "spec.ingress[0].from[0].ipBlock.except[0]", "is not inside"},
      {R"({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]})",
       "spec.ingress[0].from[0].ipBlock", "may not be combined"},
      {R"({"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}})",
       "spec.podSelector.matchExpressions[0].values", "non-empty"},
      {R"({"podSelector": {}, "policyTypes": ["Sideways"]})", "spec.policyTypes[0]", "unknown policy type"},
      {R"({"podSelector": {}, "ingress": [{"from": [{}]}]})", "spec.ingress[0].from[0]", "a peer needs"},
      {R"({"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"a": ["b"]}}}]}]})",
       "spec.ingress[0].from[0].podSelector.matchLabels.a", "expected a scalar"},
      {R"({"podSelector": {}, "action": "Deny"})", "spec.action", "unknown field"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.spec);
    auto j = from_json(row.spec);
    auto y = from_yaml(row.spec);
    if (row.error_path == nullptr) {
      REQUIRE_MESSAGE(j.has_value(), (j ? "" : j.error().to_string()));
      REQUIRE_MESSAGE(y.has_value(), (y ? "" : y.error().message));
      REQUIRE(y->size() == 1);
      CHECK(*j == y->front());
      continue;
    }
    REQUIRE(j.has_error());
    REQUIRE(y.has_error());
    CHECK(j.error().kind == "NetworkPolicy");
    CHECK(j.error().object == "shop/p");
    CHECK(j.error().path == row.error_path);
    CHECK(j.error().message.find(row.error) != std::string::npos);
    // The manifest names file and document, then the same path and message.
    CHECK(y.error().message == "m.yaml: document 1: " + j.error().path + ": " + j.error().message);
  }
}

TEST_CASE("defaults after conversion: policyTypes from the rules, TCP, numbers from JSON numbers") {
  auto np = from_json(R"({"podSelector": {}, "egress": [{"ports": [{"port": 5432, "endPort": 5433}]}]})");
  REQUIRE(np.has_value());
  CHECK(np->applies_ingress);
  CHECK(np->applies_egress);
  REQUIRE(np->egress.size() == 1);
  CHECK(np->egress[0].ports[0] == PortSpec{Protocol::tcp, 5432, "", 5433});
}

TEST_CASE("a policy in a namespace that is no namespace name is an error on the object") {
  json::value v = policy_object(R"({"podSelector": {}})");
  v.at("metadata").as_object()["namespace"] = "Not_A_Label";
  auto object = k8s::decode_network_policy(v);
  REQUIRE(object.has_value());
  auto np = convert_policy(*object);
  REQUIRE(np.has_error());
  CHECK(np.error().path == "metadata.namespace");
}

TEST_CASE("a pod: labels, both addresses, every container's ports; local to its node") {
  auto object = k8s::decode_pod(fixture("pod-web.json"));
  REQUIRE(object.has_value());
  auto pod = convert_pod(*object, "node-a");
  REQUIRE(pod.has_value());
  CHECK(pod->key() == "shop/web-7c9f8d6b5-x2kq4");
  CHECK(pod->labels == Labels{{"app", "web"}, {"pod-template-hash", "7c9f8d6b5"}});
  CHECK(pod->ips == std::vector<IpAddress>{ip("10.244.1.17"), ip("fd00:10:244:1::17")});
  CHECK(pod->ports == std::vector<ContainerPort>{{"http", 8080, Protocol::tcp},
                                                 {"metrics", 9090, Protocol::tcp},
                                                 {"", 5353, Protocol::udp}});
  CHECK(pod->local);
  CHECK_FALSE(convert_pod(*object, "node-b")->local);
  CHECK(convert_pod(*object, "")->local);  // no node name: every pod is enforced
}

TEST_CASE("pods network policy does not apply to are left out, as Calico does") {
  struct Row {
    const char* what;
    void (*change)(json::object& pod);
    bool kept;
  };
  const Row rows[] = {
      {"running", [](json::object&) {}, true},
      {"pending with an IP already", [](json::object& p) { p["status"].as_object()["phase"] = "Pending"; }, true},
      {"being deleted", [](json::object& p) { p["metadata"].as_object()["deletionTimestamp"] = "2024-05-02T11:00:00Z"; },
       true},
      {"host network", [](json::object& p) { p["spec"].as_object()["hostNetwork"] = true; }, false},
      {"no IP yet",
       [](json::object& p) {
         p["status"].as_object().erase("podIP");
         p["status"].as_object().erase("podIPs");
       },
       false},
      {"succeeded", [](json::object& p) { p["status"].as_object()["phase"] = "Succeeded"; }, false},
      {"failed", [](json::object& p) { p["status"].as_object()["phase"] = "Failed"; }, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    json::value v = fixture("pod-web.json");
    row.change(v.as_object());
    auto object = k8s::decode_pod(v);
    REQUIRE(object.has_value());
    CHECK(convert_pod(*object, "node-a").has_value() == row.kept);
  }
}

TEST_CASE("a namespace: its labels with kubernetes.io/metadata.name, also from servers before 1.21") {
  auto object = k8s::decode_namespace(fixture("namespace-shop.json"));
  REQUIRE(object.has_value());
  Namespace ns = convert_namespace(*object);
  CHECK(ns.name == "shop");
  CHECK(ns.labels == Labels{{"kubernetes.io/metadata.name", "shop"}, {"team", "storefront"}});
  json::value old = fixture("namespace-shop.json");
  old.at("metadata").at("labels").as_object().erase("kubernetes.io/metadata.name");
  auto older = k8s::decode_namespace(old);
  REQUIRE(older.has_value());
  CHECK(convert_namespace(*older).labels.at("kubernetes.io/metadata.name") == "shop");
}

TEST_CASE("JSON values as document nodes") {
  DocNode n = doc_from_json(json::parse(R"({"a": [1, -2, true, null, "x", 1.5], "b": {}})"));
  REQUIRE(n.is_map());
  const DocNode& a = n["a"];
  REQUIRE(a.size() == 6);
  CHECK(a[0].text() == "1");
  CHECK(a[1].text() == "-2");
  CHECK(a[2].text() == "true");
  CHECK(a[3].is_null());
  CHECK(a[4].text() == "x");
  CHECK(a[5].text() == "1.5");
  CHECK_FALSE(a[6]);
  CHECK(n["b"].is_map());
  CHECK_FALSE(n["c"]);
  CHECK_FALSE(n["a"]["x"]);  // a key on a list: missing, not a crash
}
