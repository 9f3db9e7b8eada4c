// NetworkPolicy manifests and the inventory: the real Kubernetes shape, the API
// defaults (policyTypes, protocol), multi-document files and Lists, and errors that
// name the file, the document and the field.
#include "policy/manifest.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace petrel;
using namespace petrel::policy;

namespace {

const char* kFull = R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: prod
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: NotIn, values: [db]}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: dev}}
      podSelector: {matchLabels: {app: client}}
    - namespaceSelector: {}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    ports:
    - {port: http}
    - {protocol: UDP, port: 5000, endPort: 5010}
    - {protocol: SCTP}
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: prod}
spec:
  podSelector: {}
)";

std::string error_of(const char* yaml) {
  auto r = parse_policies(yaml, "p.yaml");
  REQUIRE(!r);
  return r.error().message;
}

}  // namespace

TEST_CASE("a full policy parses into the model") {
  auto r = parse_policies(kFull, "p.yaml");
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  const NetworkPolicy& np = (*r)[0];
  CHECK(np.key() == "prod/web");
  CHECK(np.pod_selector.match_labels.at("app") == "web");
  REQUIRE(np.pod_selector.match_expressions.size() == 1);
  CHECK(np.pod_selector.match_expressions[0].op == SelectorOp::not_in);
  CHECK(np.applies_ingress);
  CHECK(np.applies_egress);
  REQUIRE(np.ingress.size() == 1);
  const PolicyRule& rule = np.ingress[0];
  REQUIRE(rule.peers.size() == 3);
  CHECK(rule.peers[0].namespace_selector);
  CHECK(rule.peers[0].pod_selector);
  CHECK(rule.peers[1].namespace_selector->empty());
  CHECK(!rule.peers[1].pod_selector);
  REQUIRE(rule.peers[2].ip_block);
  CHECK(rule.peers[2].ip_block->cidr.to_string() == "10.0.0.0/8");
  CHECK(rule.peers[2].ip_block->except.at(0).to_string() == "10.1.0.0/16");
  REQUIRE(rule.ports.size() == 3);
  CHECK(rule.ports[0].name == "http");
  CHECK(rule.ports[0].protocol == Protocol::tcp);  // API default
  CHECK(*rule.ports[1].number == 5000);
  CHECK(*rule.ports[1].end_port == 5010);
  CHECK(rule.ports[1].protocol == Protocol::udp);
  CHECK(!rule.ports[2].number);
  CHECK(rule.ports[2].protocol == Protocol::sctp);
  REQUIRE(np.egress.size() == 1);
  CHECK(np.egress[0].peers.empty());
  CHECK(np.egress[0].ports.empty());
  CHECK(np.origin == "p.yaml document 1");
  const NetworkPolicy& deny = (*r)[1];
  CHECK(deny.pod_selector.empty());
  CHECK(deny.applies_ingress);
  CHECK(!deny.applies_egress);
  CHECK(deny.ingress.empty());
}

TEST_CASE("policyTypes default: Ingress always, Egress when egress rules exist") {
  auto r = parse_policies(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: e, namespace: a}
spec:
  podSelector: {}
  egress: [{to: [{podSelector: {}}]}]
)", "f");
  REQUIRE(r.has_value());
  CHECK((*r)[0].applies_ingress);
  CHECK((*r)[0].applies_egress);
  auto only_egress = parse_policies(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: e, namespace: a}
spec: {podSelector: {}, policyTypes: [Egress]}
)", "f");
  REQUIRE(only_egress.has_value());
  CHECK(!(*only_egress)[0].applies_ingress);
  CHECK((*only_egress)[0].applies_egress);
}

TEST_CASE("kind List and a missing namespace") {
  auto r = parse_policies(R"(
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: a}
  spec: {podSelector: {}}
)", "f");
  REQUIRE(r.has_value());
  CHECK((*r)[0].key() == "default/a");
}

TEST_CASE("errors name file, document and field") {
  struct Row {
    const char* yaml;
    const char* want;
  };
  const Row rows[] = {
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  ingress: [{ports: [{port: http, endPort: 90}]}]\n",
       "p.yaml: document 1: spec.ingress[0].ports[0].endPort: requires a numeric port"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ok}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n"
       "  podSelector: {matchExpressions: [{key: a, operator: Near}]}\n",
       "p.yaml: document 2: spec.podSelector.matchExpressions[0].operator: unknown operator 'Near'"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]\n",
       "spec.ingress[0].from[0].ipBlock.except[0]: 11.0.0.0/16 is not inside 10.0.0.0/8"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]\n",
       "spec.egress[0].to[0].ipBlock: may not be combined"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  ingress: [{ports: [{port: 70000}]}]\n",
       "spec.ingress[0].ports[0].port: out of range"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  ingress: [{ports: [{protocol: ICMP}]}]\n",
       "spec.ingress[0].ports[0].protocol: unknown protocol 'ICMP'"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {}\n",
       "spec.podSelector: required"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, policyTypes: [Both]}\n",
       "spec.policyTypes[0]: unknown policy type 'Both'"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", "p.yaml: document 1: kind: expected NetworkPolicy"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}, ingres: []}\n",
       "spec.ingres: unknown field"},
      {"a: [1, 2\n", "p.yaml: line "},
      {"spec: 5\n", "p.yaml: document 1: kind: missing"},
      {"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n"
       "  ingress: [{ports: [{port: -1}]}]\n",
       "spec.ingress[0].ports[0].port: '-1' is neither a port number nor a valid port name"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.yaml);
    std::string e = error_of(r.yaml);
    CAPTURE(e);
    CHECK(e.find(r.want) != std::string::npos);
  }
}

TEST_CASE("inventory: pods, ports, namespaces with their name label") {
  auto r = parse_inventory(R"(
namespaces:
- {name: prod, labels: {team: prod}}
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.0.0.2], ports: [{name: http, containerPort: 8080}]}
- {name: x, namespace: other, ips: [10.0.0.3]}
)", "inv.yaml");
  REQUIRE(r.has_value());
  REQUIRE(r->pods.size() == 2);
  CHECK(r->pods[0].ports.at(0).port == 8080);
  CHECK(r->pods[0].ports.at(0).protocol == Protocol::tcp);
  REQUIRE(r->namespaces.size() == 2);
  CHECK(r->namespaces[0].name == "other");
  CHECK(r->namespaces[0].labels.at("kubernetes.io/metadata.name") == "other");
  CHECK(r->namespaces[1].labels.at("team") == "prod");
  CHECK(r->namespaces[1].labels.at("kubernetes.io/metadata.name") == "prod");

  auto bad = parse_inventory("pods:\n- {name: a, namespace: n, ips: [10.0.0.300]}\n", "inv.yaml");
  REQUIRE(!bad);
  CHECK(bad.error().message == "inv.yaml: document 1: pods[0].ips[0]: '10.0.0.300' is not an IP address");
}
