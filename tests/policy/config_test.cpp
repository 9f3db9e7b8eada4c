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
  auto v4 = parse_config("families: [ipv4]\n", "c.yaml");
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
  auto c = parse_config("metrics: 127.0.0.1:9470\n", "c.yaml");
  REQUIRE(c.has_value());
  CHECK(c->metrics_address == "127.0.0.1:9470");
  auto bad = parse_config("metrics: localhost\n", "c.yaml");
  REQUIRE(bad.has_error());
  CHECK(bad.error().message == "c.yaml: metrics: expected HOST:PORT, e.g. 127.0.0.1:9470");
}
