// The evaluator: NetworkPolicy semantics straight from the model, one row per rule
// of the API reference (isolation per direction, union of policies, peers, ports).
#include "policy/evaluator.hpp"

#include "policy/manifest.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::policy;

namespace {

Snapshot world(const std::string& policies_yaml) {
  auto inv = parse_inventory(R"(
namespaces:
- {name: prod, labels: {team: prod}}
- {name: dev, labels: {team: dev}}
- {name: kube-system}
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.0.1.2], ports: [{name: http, containerPort: 8080}]}
- {name: client, namespace: prod, labels: {app: client}, ips: [10.0.1.4]}
- {name: client, namespace: dev, labels: {app: client}, ips: [10.0.2.2]}
- {name: other, namespace: dev, labels: {app: other}, ips: [10.0.2.3]}
- {name: dns, namespace: kube-system, labels: {app: dns}, ips: [10.0.3.2]}
)", "inv");
  REQUIRE(inv.has_value());
  auto pols = parse_policies(policies_yaml, "p");
  REQUIRE_MESSAGE(pols.has_value(), (pols ? "" : pols.error().message));
  return Snapshot{*pols, inv->pods, inv->namespaces};
}

std::string np(const std::string& name, const std::string& ns, const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n" + spec + "\n---\n";
}

bool allowed(const Snapshot& s, const char* src, const char* dst, uint16_t port, Protocol p = Protocol::tcp) {
  return evaluate(s, Flow{*IpAddress::parse(src), *IpAddress::parse(dst), port, p}).allowed;
}

}  // namespace

TEST_CASE("no policy allows everything") {
  auto s = world("");
  CHECK(allowed(s, "10.0.2.2", "10.0.1.2", 8080));
}

TEST_CASE("evaluator matrix") {
  struct Row {
    const char* what;
    std::string policies;
    const char* src;
    const char* dst;
    uint16_t port;
    Protocol proto;
    bool want;
  };
  const std::string deny_in = np("d", "prod", "  podSelector: {}");
  const std::string from_dev = np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: dev}}}]");
  const std::string combined = np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: dev}}, podSelector: {matchLabels: {app: client}}}]");
  const std::string either = np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: dev}}}, {podSelector: {matchLabels: {app: client}}}]");
  const std::string block = np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]");
  const std::string named = np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - ports: [{port: http}]");
  const std::string range = np("w", "prod", "  podSelector: {}\n  ingress:\n  - ports: [{port: 8000, endPort: 8100}]");
  const std::string dns_only = np("e", "dev", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]\n    ports: [{protocol: UDP, port: 53}]");
  const std::string empty_from = np("w", "prod", "  podSelector: {}\n  ingress:\n  - from: []");
  const std::string two = np("a", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 8080}], from: [{podSelector: {}}]}]") +
                          np("b", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: 8081}], from: [{namespaceSelector: {matchLabels: {team: dev}}}]}]");
  const Row rows[] = {
      {"default deny ingress", deny_in, "10.0.2.2", "10.0.1.2", 8080, Protocol::tcp, false},
      {"default deny: other namespace unaffected", deny_in, "10.0.1.2", "10.0.2.3", 80, Protocol::tcp, true},
      {"from namespace: dev allowed", from_dev, "10.0.2.3", "10.0.1.2", 8080, Protocol::tcp, true},
      {"from namespace: own namespace denied", from_dev, "10.0.1.4", "10.0.1.2", 8080, Protocol::tcp, false},
      {"from namespace: unselected pod open", from_dev, "10.0.1.4", "10.0.2.2", 1, Protocol::tcp, true},
      {"combined: both match", combined, "10.0.2.2", "10.0.1.2", 1, Protocol::tcp, true},
      {"combined: namespace only", combined, "10.0.2.3", "10.0.1.2", 1, Protocol::tcp, false},
      {"combined: pod only", combined, "10.0.1.4", "10.0.1.2", 1, Protocol::tcp, false},
      {"two peers (OR): pod only", either, "10.0.1.4", "10.0.1.2", 1, Protocol::tcp, true},
      {"ipBlock inside", block, "10.0.1.4", "10.0.1.2", 1, Protocol::tcp, true},
      {"ipBlock except", block, "10.0.2.2", "10.0.1.2", 1, Protocol::tcp, false},
      {"ipBlock non-pod address", block, "10.0.9.9", "10.0.1.2", 1, Protocol::tcp, true},
      {"ipBlock outside", block, "192.0.2.1", "10.0.1.2", 1, Protocol::tcp, false},
      {"named port resolved on the pod", named, "10.0.2.2", "10.0.1.2", 8080, Protocol::tcp, true},
      {"named port: other number", named, "10.0.2.2", "10.0.1.2", 8081, Protocol::tcp, false},
      {"named port: other protocol", named, "10.0.2.2", "10.0.1.2", 8080, Protocol::udp, false},
      {"endPort: inside", range, "10.0.2.2", "10.0.1.4", 8100, Protocol::tcp, true},
      {"endPort: above", range, "10.0.2.2", "10.0.1.4", 8101, Protocol::tcp, false},
      {"endPort: protocol defaults to TCP", range, "10.0.2.2", "10.0.1.4", 8050, Protocol::udp, false},
      {"DNS only: udp 53", dns_only, "10.0.2.2", "10.0.3.2", 53, Protocol::udp, true},
      {"DNS only: tcp 53", dns_only, "10.0.2.2", "10.0.3.2", 53, Protocol::tcp, false},
      {"DNS only: elsewhere", dns_only, "10.0.2.2", "10.0.1.2", 8080, Protocol::tcp, false},
      {"DNS only: other namespace's egress open", dns_only, "10.0.1.4", "10.0.1.2", 8080, Protocol::tcp, true},
      {"empty from list allows all", empty_from, "192.0.2.1", "10.0.1.2", 9, Protocol::udp, true},
      {"two policies: first", two, "10.0.1.4", "10.0.1.2", 8080, Protocol::tcp, true},
      {"two policies: second", two, "10.0.2.2", "10.0.1.2", 8081, Protocol::tcp, true},
      {"two policies: neither", two, "10.0.1.4", "10.0.1.2", 8081, Protocol::tcp, false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    CHECK(allowed(world(r.policies), r.src, r.dst, r.port, r.proto) == r.want);
  }
}

TEST_CASE("explanation names the policies and the rule that allowed") {
  auto s = world(np("w", "prod", "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {}}]\n    ports: [{port: 9}, {port: http}]"));
  Verdict v = evaluate(s, Flow{*IpAddress::parse("10.0.1.4"), *IpAddress::parse("10.0.1.2"), 8080, Protocol::tcp});
  REQUIRE(v.allowed);
  CHECK(v.ingress.selecting == std::vector<std::string>{"prod/w"});
  CHECK(v.ingress.allowing == std::vector<std::string>{"prod/w ingress[0] (peer[0], port[1])"});
  CHECK(v.lines.back() == "verdict: ALLOW");
}
