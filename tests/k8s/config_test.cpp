// The `kubernetes:` section of petreld's YAML, and label selectors.
#include "k8s/config.hpp"

#include <doctest/doctest.h>

#include "k8s/label_selector.hpp"

using namespace petrel;
using namespace petrel::k8s;

namespace {

std::optional<std::string> env(const std::string& name) {
  if (name == "NODE_NAME") return std::string("node-a");
  return std::nullopt;
}

ConfigError error_of(const std::string& yaml) {
  auto c = parse_kubernetes_config_text(yaml, "petrel.yaml", env);
  REQUIRE(c.has_error());
  return c.error();
}

}  // namespace

TEST_CASE("the design's example section parses") {
  const char* yaml = R"(
router-id: 10.0.0.11
kubernetes:
  enabled: true
  kubeconfig: ""
  node-name: ${NODE_NAME}
  node-mesh: true
  advertise: {pod-cidrs: true, cluster-ips: [10.96.0.0/12], external-ips: [192.0.2.0/24], load-balancer-ips: [198.51.100.0/24, "2001:db8:1b::/64"]}
  peers:
    - name: tor1
      address: 10.0.0.1
      remote-as: 65001
      node-selector: "topology.kubernetes.io/zone=rack1"
      password-secret: {name: bgp-passwords, key: tor1}
    - {name: tor2, address: "fd00::1", remote-as: 65002}
)";
  auto c = parse_kubernetes_config_text(yaml, "petrel.yaml", env);
  if (c.has_error()) FAIL(c.error().to_string());
  CHECK(c->enabled);
  CHECK(c->kubeconfig.empty());
  CHECK(c->node_name == "node-a");
  CHECK(c->node_mesh);
  CHECK(c->advertise_pod_cidrs);
  CHECK(c->cluster_ip_ranges == std::vector<Prefix>{*Prefix::parse("10.96.0.0/12")});
  CHECK(c->external_ip_ranges == std::vector<Prefix>{*Prefix::parse("192.0.2.0/24")});
  CHECK(c->load_balancer_ip_ranges.size() == 2);
  REQUIRE(c->peers.size() == 2);
  CHECK(c->peers[0].name == "tor1");
  CHECK(c->peers[0].remote_as == 65001);
  REQUIRE(c->peers[0].node_selector.has_value());
  CHECK(c->peers[0].node_selector->matches({{"topology.kubernetes.io/zone", "rack1"}}));
  REQUIRE(c->peers[0].password.has_value());
  CHECK(*c->peers[0].password == SecretKeyRef{"petrel", "bgp-passwords", "tor1"});
  CHECK(c->peers[1].address == *IpAddress::parse("fd00::1"));
  CHECK_FALSE(c->peers[1].node_selector.has_value());
  CHECK(c->as_number_annotation == "petrel.io/as-number");
  CHECK(c->route_reflector_label == "petrel.io/route-reflector");
}

TEST_CASE("no kubernetes section gives the defaults, disabled") {
  auto c = parse_kubernetes_config_text("router-id: 10.0.0.1\n", "petrel.yaml", env);
  REQUIRE(c.has_value());
  CHECK_FALSE(c->enabled);
  CHECK(c->node_mesh);
}

TEST_CASE("errors name the file, line, column and key") {
  SUBCASE("a prefix with host bits") {
    auto e = error_of("kubernetes:\n  advertise:\n    cluster-ips: [10.96.0.0/12, 10.96.0.1/12]\n");
    CHECK(e.to_string() ==
          "petrel.yaml:3:33: kubernetes.advertise.cluster-ips[1]: \"10.96.0.1/12\" is not a prefix without host bits");
  }
  SUBCASE("an unknown key") {
    auto e = error_of("kubernetes:\n  node-mesh: true\n  nodemesh: false\n");
    CHECK(e.line == 3);
    CHECK(e.column == 3);
    CHECK(e.key == "kubernetes.nodemesh");
    CHECK(e.message.find("unknown key") == 0);
  }
  SUBCASE("a boolean that is not one") {
    auto e = error_of("kubernetes:\n  node-mesh: sometimes\n");
    CHECK(e.to_string() == "petrel.yaml:2:14: kubernetes.node-mesh: must be true or false, got \"sometimes\"");
  }
  SUBCASE("an unset environment variable") {
    auto e = error_of("kubernetes:\n  enabled: true\n  node-name: ${MY_NODE}\n");
    CHECK(e.key == "kubernetes.node-name");
    CHECK(e.message == "environment variable MY_NODE is not set");
  }
  SUBCASE("enabled without a node name") {
    auto e = error_of("kubernetes:\n  enabled: true\n");
    CHECK(e.key == "kubernetes.node-name");
    CHECK(e.message == "is required when enabled");
  }
  SUBCASE("a peer without remote-as") {
    auto e = error_of("kubernetes:\n  peers:\n    - {name: tor1, address: 10.0.0.1}\n");
    CHECK(e.key == "kubernetes.peers[0].remote-as");
    CHECK(e.line == 3);
  }
  SUBCASE("a bad node selector") {
    auto e = error_of("kubernetes:\n  peers:\n    - {name: t, address: 10.0.0.1, remote-as: 1, node-selector: \"a in b\"}\n");
    CHECK(e.key == "kubernetes.peers[0].node-selector");
  }
  SUBCASE("two peers with one name") {
    auto e = error_of(
        "kubernetes:\n  peers:\n    - {name: t, address: 10.0.0.1, remote-as: 1}\n    - {name: t, address: 10.0.0.2, remote-as: 1}\n");
    CHECK(e.key == "kubernetes.peers[1].name");
    CHECK(e.line == 4);
  }
  SUBCASE("broken YAML") {
    auto e = error_of("kubernetes: [\n");
    CHECK(e.file == "petrel.yaml");
    CHECK(e.line > 0);
  }
  SUBCASE("an AS number out of range") {
    auto e = error_of("kubernetes:\n  peers:\n    - {name: t, address: 10.0.0.1, remote-as: 4294967296}\n");
    CHECK(e.key == "kubernetes.peers[0].remote-as");
  }
}

TEST_CASE("label selectors: equality, sets and existence") {
  const std::map<std::string, std::string> labels{{"rack", "r1"}, {"tier", "edge"}, {"petrel.io/route-reflector", "true"}};
  struct Row {
    const char* selector;
    bool matches;
  };
  const Row rows[] = {
      {"", true},
      {"rack=r1", true},
      {"rack==r1", true},
      {"rack=r2", false},
      {"rack!=r2", true},
      {"zone!=z1", true},
      {"rack in (r1, r3)", true},
      {"rack notin (r1)", false},
      {"zone notin (z1)", true},
      {"tier", true},
      {"!tier", false},
      {"!zone", true},
      {"rack=r1,tier=edge", true},
      {"rack=r1, tier=core", false},
      {"petrel.io/route-reflector=true", true},
  };
  for (const Row& r : rows) {
    CAPTURE(r.selector);
    auto s = parse_label_selector(r.selector);
    REQUIRE(s.has_value());
    CHECK(s->matches(labels) == r.matches);
  }
  for (const char* bad : {"rack in r1", "rack in (r1", "=x", "rack=r 1", "rack , ,"}) {
    CAPTURE(bad);
    CHECK(parse_label_selector(bad).has_error());
  }
}
