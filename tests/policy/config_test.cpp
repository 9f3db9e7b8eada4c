// petrel-policy's configuration: paths relative to the config file, defaults, and
// errors that name the field.
#include "policy/config.hpp"

#include <doctest/doctest.h>

using namespace petrel::policy;

TEST_CASE("config: fields and defaults") {
  auto c = parse_config(R"(
policies: [a.yaml, /abs/b.yaml]
inventory: inv.yaml
resync-period: 2.5
iptables-backend: legacy
mark-bit: 0x20000
drop-log: {enabled: true, rate: 3/second, burst: 4, target: NFLOG, nflog-group: 7}
)", "/etc/petrel/policy.yaml");
  REQUIRE(c.has_value());
  CHECK(c->policy_files == std::vector<std::string>{"/etc/petrel/a.yaml", "/abs/b.yaml"});
  CHECK(c->inventory_file == "/etc/petrel/inv.yaml");
  CHECK(c->resync_period_s == 2.5);
  CHECK(c->resync_after_write_s == 1);
  CHECK(c->backend == "legacy");
  CHECK(c->compile.mark_bit == 0x20000);
  CHECK(c->compile.drop_log);
  CHECK(c->compile.nflog);
  CHECK(c->compile.nflog_group == 7);
  CHECK(c->compile.log_rate == "3/second");
  CHECK(c->families == std::vector<petrel::AddressFamily>{petrel::AddressFamily::ipv4, petrel::AddressFamily::ipv6});
  auto v4 = parse_config("policies: [p.yaml]\nfamilies: [ipv4]\n", "c.yaml");
  REQUIRE(v4.has_value());
  CHECK(v4->families == std::vector<petrel::AddressFamily>{petrel::AddressFamily::ipv4});
}

TEST_CASE("config: errors") {
  struct Row {
    const char* yaml;
    const char* want;
  };
  const Row rows[] = {
      {"iptables-backend: ebpf\n", "c.yaml: iptables-backend: expected auto, nft or legacy"},
      {"mark-bit: 3\n", "c.yaml: mark-bit: expected a single bit"},
      {"resync-period: -1\n", "c.yaml: resync-period: must be between"},
      {"resync: 1\n", "c.yaml: resync: unknown field"},
      {"drop-log: {target: SYSLOG}\n", "c.yaml: drop-log.target: expected LOG or NFLOG"},
      {"policies: {a: 1}\n", "c.yaml: policies: expected a file name"},
      {"[\n", "c.yaml: line "},
      {"families: [ipv5]\n", "c.yaml: families: unknown family 'ipv5'"},
  };
  for (const auto& r : rows) {
    auto c = parse_config(r.yaml, "c.yaml");
    REQUIRE(!c);
    CAPTURE(c.error().message);
    CHECK(c.error().message.find(r.want) == 0);
  }
}

TEST_CASE("config: metrics address") {
  auto c = parse_config("policies: [p.yaml]\nmetrics: 127.0.0.1:9470\n", "c.yaml");
  REQUIRE(c.has_value());
  CHECK(c->metrics_address == "127.0.0.1:9470");
  auto bad = parse_config("policies: [p.yaml]\nmetrics: localhost\n", "c.yaml");
  REQUIRE(bad.has_error());
  CHECK(bad.error().message == "c.yaml: metrics: expected HOST:PORT, e.g. 127.0.0.1:9470");
}

TEST_CASE("config: kubernetes mode") {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "NODE_NAME") return std::string("node-a");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  auto c = parse_config(R"(
kubernetes:
  enabled: true
  kubeconfig: kube/config
  node-name: ${NODE_NAME}
  sync-timeout: 5
families: [ipv4]
)", "/etc/petrel/policy.yaml", env);
  REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().message));
  CHECK(c->kubernetes.enabled);
  CHECK(c->kubernetes.kubeconfig == "/etc/petrel/kube/config");
  CHECK(c->kubernetes.context.empty());
  CHECK(c->kubernetes.node_name == "node-a");
  CHECK(c->kubernetes.sync_timeout_s == 5);
  CHECK(c->policy_files.empty());

  auto in_cluster = parse_config("kubernetes: {enabled: true}\n", "c.yaml", env);
  REQUIRE(in_cluster.has_value());
  CHECK(in_cluster->kubernetes.kubeconfig.empty());  // in-cluster service account
  CHECK(in_cluster->kubernetes.node_name.empty());   // every pod enforced
  CHECK(in_cluster->kubernetes.sync_timeout_s == 60);

  // A disabled section is not read further: its variables need not exist.
  auto off = parse_config("policies: [p.yaml]\nkubernetes: {enabled: false, node-name: '${UNSET}'}\n", "c.yaml", env);
  REQUIRE(off.has_value());
  CHECK_FALSE(off->kubernetes.enabled);
}

TEST_CASE("config: exactly one mode, and precise kubernetes errors") {
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  struct Row {
    const char* yaml;
    const char* want;
  };
  const Row rows[] = {
      {"kubernetes: {enabled: true}\npolicies: [p.yaml]\n", "c.yaml: policies and inventory are standalone mode"},
      {"kubernetes: {enabled: true}\ninventory: i.yaml\n", "c.yaml: policies and inventory are standalone mode"},
      {"families: [ipv4]\n", "c.yaml: nothing to enforce: give policies and inventory"},
      {"kubernetes: {enabled: false}\n", "c.yaml: nothing to enforce"},
      {"kubernetes: {enabled: yes please}\n", "c.yaml: kubernetes.enabled: expected true or false, got 'yes please'"},
      {"kubernetes: {enabled: true, node-name: '${UNSET}'}\n",
       "c.yaml: kubernetes.node-name: environment variable UNSET is not set"},
      {"kubernetes: {enabled: true, node-name: '${EMPTY}'}\n",
       "c.yaml: kubernetes.node-name: environment variable EMPTY is not set"},
      {"kubernetes: {enabled: true, node-name: 'node-${N}'}\n", "c.yaml: kubernetes.node-name: write the whole value"},
      {"kubernetes: {enabled: true, node-mesh: true}\n", "c.yaml: kubernetes.node-mesh: unknown field"},
      {"kubernetes: {enabled: true, kubeconfig: [a]}\n", "c.yaml: kubernetes.kubeconfig: expected a single value"},
      {"kubernetes: {enabled: true, sync-timeout: 0}\n", "c.yaml: kubernetes.sync-timeout: must be between"},
      {"kubernetes: [enabled]\n", "c.yaml: kubernetes: expected a map"},
  };
  for (const auto& r : rows) {
    auto c = parse_config(r.yaml, "c.yaml", env);
    CAPTURE(r.yaml);
    REQUIRE(!c);
    CAPTURE(c.error().message);
    CHECK(c.error().message.find(r.want) == 0);
  }
}
