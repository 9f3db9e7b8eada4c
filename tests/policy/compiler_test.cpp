// The compiler: chain and set layout, names within the kernel's limits, sets shared
// between identical selectors, order independence, port matches, the drop log, and
// set members for every kind of peer.
#include "policy/compiler.hpp"

#include "policy/manifest.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace petrel;
using namespace petrel::policy;

namespace {

std::vector<NetworkPolicy> policies(const std::string& yaml) {
  auto r = parse_policies(yaml, "t.yaml");
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return *r;
}

std::string np(const std::string& name, const std::string& ns, const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec:\n" + spec + "\n---\n";
}

const Chain* chain(const RuleSet& rs, const std::string& name) {
  for (const auto& c : rs.chains)
    if (c.name == name) return &c;
  return nullptr;
}

const Chain* chain_with_prefix(const RuleSet& rs, const std::string& prefix) {
  for (const auto& c : rs.chains)
    if (c.name.rfind(prefix, 0) == 0) return &c;
  return nullptr;
}

Snapshot world() {
  auto inv = parse_inventory(R"(
namespaces:
- {name: prod, labels: {team: prod}}
- {name: dev, labels: {team: dev}}
pods:
- {name: web, namespace: prod, labels: {app: web}, ips: [10.0.1.2], ports: [{name: http, containerPort: 8080}]}
- {name: web2, namespace: prod, labels: {app: web}, ips: [10.0.1.3], ports: [{name: http, containerPort: 9090}]}
- {name: client, namespace: prod, labels: {app: client}, ips: [10.0.1.4]}
- {name: client, namespace: dev, labels: {app: client}, ips: [10.0.2.2]}
- {name: other, namespace: dev, labels: {app: other}, ips: [10.0.2.3, "fd00::3"]}
)", "inv");
  REQUIRE(inv.has_value());
  Snapshot s;
  s.pods = inv->pods;
  s.namespaces = inv->namespaces;
  return s;
}

std::string set_in(const std::string& spec) {  // first "--match-set NAME" in a rule
  auto at = spec.find("--match-set ");
  REQUIRE(at != std::string::npos);
  auto start = at + 12;
  return spec.substr(start, spec.find(' ', start) - start);
}

}  // namespace

TEST_CASE("default deny: the pod is isolated, nothing is allowed") {
  auto rs = compile_rules(policies(np("deny", "prod", "  podSelector: {}")), {});
  CHECK(!chain_with_prefix(rs, "petrel-pi-"));
  const Chain* ingress = chain(rs, kIngressChain);
  REQUIRE(ingress);
  REQUIRE(ingress->rules.size() == 1);
  CHECK(ingress->rules[0].spec == "-j DROP");
  Snapshot s = world();
  s.policies = policies(np("deny", "prod", "  podSelector: {}"));
  auto members = compute_members(rs.sets, s);
  CHECK(members[kIsolatedIngressSet] == std::set<std::string>{"10.0.1.2", "10.0.1.3", "10.0.1.4"});
  CHECK(members[kIsolatedEgressSet].empty());
  REQUIRE(rs.hooks.size() == 1);
  CHECK(rs.hooks[0].builtin == "FORWARD");
  CHECK(rs.hooks[0].target == kTopChain);
}

TEST_CASE("top chain: replies first, then egress of the source, then ingress of the destination") {
  auto rs = compile_rules({}, {});
  const Chain* top = chain(rs, kTopChain);
  REQUIRE(top);
  REQUIRE(top->rules.size() == 6);
  CHECK(top->rules[0].spec == "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
  CHECK(top->rules[2].spec == "-m set --match-set petrel-iso-egress src -j petrel-egress");
  CHECK(top->rules[4].spec == "-m set --match-set petrel-iso-ingress dst -j petrel-ingress");
}

TEST_CASE("peers become sets; ports become matches; one rule per peer and port") {
  auto pols = policies(np("web", "prod", R"(  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: dev}}
      podSelector: {matchLabels: {app: client}}
    - podSelector: {matchLabels: {app: client}}
    - namespaceSelector: {matchLabels: {team: dev}}
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}
    ports: [{port: http}, {protocol: UDP, port: 5000, endPort: 5010}, {protocol: SCTP, port: 7}])"));
  auto rs = compile_rules(pols, {});
  const Chain* pi = chain_with_prefix(rs, "petrel-pi-");
  REQUIRE(pi);
  REQUIRE(pi->rules.size() == 12);
  CHECK(pi->rules[0].spec.find("-p tcp -m set --match-set petrel-n-") != std::string::npos);
  CHECK(pi->rules[0].spec.find(" dst,dst ") != std::string::npos);
  CHECK(pi->rules[1].spec.find("-p udp --dport 5000:5010") != std::string::npos);
  CHECK(pi->rules[2].spec.find("-p sctp --dport 7") != std::string::npos);
  CHECK(pi->rules[0].note == "prod/web ingress[0] peer[0] port[0]");

  Snapshot s = world();
  s.policies = pols;
  auto members = compute_members(rs.sets, s);
  CHECK(members[set_in(pi->rules[0].spec)] == std::set<std::string>{"10.0.2.2"});  // dev AND client
  CHECK(members[set_in(pi->rules[3].spec)] == std::set<std::string>{"10.0.1.4"});  // prod clients
  CHECK(members[set_in(pi->rules[6].spec)] == std::set<std::string>{"10.0.2.2", "10.0.2.3"});  // all of dev, IPv4
  CHECK(members[set_in(pi->rules[9].spec)] == std::set<std::string>{"10.0.0.0/16", "10.0.2.0/24 nomatch"});
  // Named port: every pod's own number for "http".
  std::string named = pi->rules[0].spec.substr(pi->rules[0].spec.find("petrel-n-"), 25);
  CHECK(members[named] == std::set<std::string>{"10.0.1.2,tcp:8080", "10.0.1.3,tcp:9090"});
}

TEST_CASE("empty from and missing ports allow everything; egress uses src for the pod") {
  auto rs = compile_rules(policies(np("e", "dev", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]")), {});
  const Chain* pe = chain_with_prefix(rs, "petrel-pe-");
  REQUIRE(pe);
  REQUIRE(pe->rules.size() == 1);
  CHECK(pe->rules[0].spec == "-j MARK --set-xmark 0x10000/0x10000");
  const Chain* egress = chain(rs, kEgressChain);
  REQUIRE(egress);
  CHECK(egress->rules[0].spec.find(" src -j petrel-pe-") != std::string::npos);
}

TEST_CASE("names stay within the kernel's limits; identical selectors share one set") {
  std::string yaml;
  for (int i = 0; i < 20; ++i)
    yaml += np("a-very-long-policy-name-that-goes-on-and-on-" + std::to_string(i), "some-long-namespace-name",
               "  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: c}}}]}]");
  auto rs = compile_rules(policies(yaml), {});
  for (const auto& c : rs.chains) {
    CHECK(c.name.size() <= kMaxChainName);
    CHECK(c.name.rfind("petrel-", 0) == 0);
  }
  for (const auto& s : rs.sets) {
    CHECK(s.name.size() <= kMaxSetName);
    CHECK(s.name.rfind("petrel-", 0) == 0);
  }
  // 20 policies, one target set, one peer set, two isolation sets.
  CHECK(rs.sets.size() == 4);
  CHECK(rs.chains.size() == 3 + 20);
}

TEST_CASE("the output does not depend on policy order") {
  auto a = policies(np("x", "a", "  podSelector: {}\n  ingress: [{}]") + np("y", "b", "  podSelector: {}"));
  auto b = a;
  std::reverse(b.begin(), b.end());
  CHECK(compile_rules(a, {}) == compile_rules(b, {}));
}

TEST_CASE("drop log: rate-limited LOG or NFLOG before each DROP, prefix naming the direction") {
  CompileOptions opt;
  opt.drop_log = true;
  auto rs = compile_rules(policies(np("deny", "prod", "  podSelector: {}")), opt);
  const Chain* ingress = chain(rs, kIngressChain);
  REQUIRE(ingress->rules.size() == 2);
  CHECK(ingress->rules[0].spec ==
        "-m limit --limit 5/second --limit-burst 10 -j LOG --log-prefix \"petrel-drop-ingress: \"");
  opt.nflog = true;
  opt.nflog_group = 3;
  rs = compile_rules(policies(np("deny", "prod", "  podSelector: {}")), opt);
  CHECK(chain(rs, kEgressChain)->rules[0].spec.find("-j NFLOG --nflog-group 3 --nflog-prefix \"petrel-drop-egress: \"") !=
        std::string::npos);
}

TEST_CASE("ipBlock 0.0.0.0/0 becomes two halves (hash:net refuses /0); IPv6 blocks have no IPv4 members") {
  CHECK(ip_block_members(IpBlock{*Prefix::parse("0.0.0.0/0"), {*Prefix::parse("10.0.0.0/8")}}) ==
        std::set<std::string>{"0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8 nomatch"});
  CHECK(ip_block_members(IpBlock{*Prefix::parse("10.0.0.1/32"), {}}) == std::set<std::string>{"10.0.0.1"});
  CHECK(ip_block_members(IpBlock{*Prefix::parse("fd00::/8"), {}}).empty());
}

TEST_CASE("pod_membership agrees with compute_members, pod by pod") {
  auto pols = policies(np("web", "prod", R"(  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: dev}}, podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}])") + np("deny", "dev", "  podSelector: {}\n  policyTypes: [Egress]"));
  auto rs = compile_rules(pols, {});
  Snapshot s = world();
  auto all = compute_members(rs.sets, s);
  SetMembers rebuilt;
  for (const auto& set : rs.sets) rebuilt[set.name];
  for (const auto& pod : s.pods) {
    Labels nl;
    for (const auto& ns : s.namespaces)
      if (ns.name == pod.ns) nl = ns.labels;
    for (auto& [set, m] : pod_membership(rs.sets, pod, nl)) rebuilt[set].insert(m);
  }
  for (const auto& set : rs.sets)
    if (set.kind != SetKind::nets) {
      CAPTURE(set.name);
      CHECK(rebuilt[set.name] == all[set.name]);
    }
}

TEST_CASE("IPv6: its own set names and members of its own family only") {
  auto pols = policies(np("web", "prod", R"(  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: client}}
    - ipBlock: {cidr: "fd00::/16", except: ["fd00:1::/32"]}
    - ipBlock: {cidr: 10.0.0.0/8})"));
  CompileOptions opt;
  opt.family = AddressFamily::ipv6;
  auto rs6 = compile_rules(pols, opt);
  auto rs4 = compile_rules(pols, {});
  for (const auto& s : rs6.sets) {
    CHECK(s.family == AddressFamily::ipv6);
    CHECK(std::string(s.ipset_family()) == "inet6");
    CHECK(s.name.size() <= kMaxSetName);
    for (const auto& s4 : rs4.sets) CHECK(s.name != s4.name);  // one ipset namespace
  }
  CHECK(isolated_set(Direction::ingress, AddressFamily::ipv6) == "petrel-iso-ingress6");
  CHECK(chain(rs6, kTopChain)->rules[4].spec == "-m set --match-set petrel-iso-ingress6 dst -j petrel-ingress");
  Snapshot s = world();
  s.pods[2].ips.push_back(*IpAddress::parse("fd00::4"));  // prod/client gets an IPv6 address
  auto m6 = compute_members(rs6.sets, s);
  const Chain* pi = chain_with_prefix(rs6, "petrel-pi-");
  REQUIRE(pi);
  REQUIRE(pi->rules.size() == 3);
  CHECK(m6[set_in(pi->rules[0].spec)] == std::set<std::string>{"fd00::4"});
  CHECK(m6[set_in(pi->rules[1].spec)] == std::set<std::string>{"fd00::/16", "fd00:1::/32 nomatch"});
  CHECK(m6[set_in(pi->rules[2].spec)].empty());  // an IPv4 block matches no IPv6 address
  auto m4 = compute_members(rs4.sets, s);
  CHECK(m4[set_in(chain_with_prefix(rs4, "petrel-pi-")->rules[0].spec)] == std::set<std::string>{"10.0.1.4"});
  CHECK(ip_block_members(IpBlock{*Prefix::parse("::/0"), {}}, AddressFamily::ipv6) ==
        std::set<std::string>{"::/1", "8000::/1"});
}

TEST_CASE("node-local enforcement: only local pods are isolated, every pod feeds the peer sets (Felix)") {
  auto pols = policies(np("web", "prod", R"(  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}])"));
  auto rs = compile_rules(pols, {});
  Snapshot s = world();
  for (auto& pod : s.pods) pod.local = pod.name != "web2";  // prod/web2 runs on another node
  auto m = compute_members(rs.sets, s);
  // prod/web and prod/client are isolated here; prod/web2 is enforced on its own node.
  CHECK(m[kIsolatedIngressSet] == std::set<std::string>{"10.0.1.2", "10.0.1.4"});
  CHECK(m[kIsolatedEgressSet] == std::set<std::string>{"10.0.1.2", "10.0.1.4"});
  // The policy's own target set and the named-port set still hold the remote pod.
  const Chain* ingress = chain(rs, kIngressChain);
  REQUIRE(ingress);
  CHECK(m[set_in(ingress->rules[0].spec)] == std::set<std::string>{"10.0.1.2", "10.0.1.3", "10.0.1.4"});
  const Chain* pi = chain_with_prefix(rs, "petrel-pi-");
  REQUIRE(pi);
  REQUIRE(pi->rules.size() == 1);
  auto named = pi->rules[0].spec.substr(pi->rules[0].spec.rfind("--match-set "));
  CHECK(m[set_in(named)] == std::set<std::string>{"10.0.1.2,tcp:8080", "10.0.1.3,tcp:9090"});
  // One pod at a time agrees: a remote pod joins no isolation set, a local one does.
  auto remote = pod_membership(rs.sets, s.pods[1], {{"kubernetes.io/metadata.name", "prod"}});
  for (const auto& [set, member] : remote) CHECK(set.rfind("petrel-iso-", 0) != 0);
  CHECK(remote.size() == 2);  // the target set and the named-port set
  s.pods[1].local = true;
  auto local = pod_membership(rs.sets, s.pods[1], {{"kubernetes.io/metadata.name", "prod"}});
  CHECK(local.size() == 4);
}
