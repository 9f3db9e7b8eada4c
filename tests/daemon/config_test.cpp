// petreld's configuration: every default, the shipped files (etc/petrel.yaml
// and etc/examples/*.yaml) parsed and printed against golden files, the round
// trip parse(print(c)) == c, secrets that never reach the printed form,
// ${NAME} substitution, and no crash on mangled input.
#include "daemon/config.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config_diff.hpp"
#include "tests/support/golden.hpp"

using namespace petrel;
using namespace petrel::daemon;
namespace fs = std::filesystem;
namespace wire = petrel::bgp::wire;

namespace {

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "petrel-config-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

Config parse_ok(const std::string& yaml, const std::string& file = "test.yaml") {
  auto r = parse_config(yaml, file);
  if (!r.has_value()) FAIL("unexpected error: " << r.error().to_string());
  return std::move(*r);
}

std::string parse_error(const std::string& yaml, const std::string& file = "test.yaml") {
  auto r = parse_config(yaml, file);
  if (r.has_value()) FAIL("no error for:\n" << yaml);
  return r.error().to_string();
}

// parse(print(c)) is c, and printing is a fixed point.
void check_round_trip(const Config& c) {
  const std::string printed = print_config(c);
  auto again = parse_config(printed, "printed.yaml");
  if (!again.has_value()) FAIL("the printed form does not parse: " << again.error().to_string() << "\n" << printed);
  CHECK(equivalent(*again, c));
  CHECK(print_config(*again) == printed);
}

const std::string kSource = PETREL_SOURCE_DIR;
constexpr const char* kMinimal = "router-id: 10.0.0.11\nlocal-as: 64512\n";

// The shipped password files live in /etc/petrel/secrets/; the tests give
// them a scratch directory and put the real path back in printed output.
struct ShippedFile {
  TempDir secrets;
  Config config;
  std::string printed;  // with /etc/petrel/secrets/ as in the file

  explicit ShippedFile(const std::string& relative) {
    for (const char* name : {"tor1", "tor-a", "tor-b"}) secrets.write(name, std::string("example-") + name + "\n");
    const std::string dir = secrets.path.string() + "/";
    const std::string text = replace_all(read_text(kSource + "/" + relative), "/etc/petrel/secrets/", dir);
    config = parse_ok(text, relative);
    printed = replace_all(print_config(config), dir, "/etc/petrel/secrets/");
  }
};

}  // namespace

TEST_CASE("a minimal configuration takes every default") {
  const Config c = parse_ok(kMinimal);
  CHECK(c.file == "test.yaml");
  CHECK(c.router_id == IpAddress::parse("10.0.0.11")->v4_value());
  CHECK(c.local_as == 64512);
  CHECK_FALSE(c.cluster_id);
  CHECK(c.listen.empty());
  CHECK(c.control_socket == "/run/petrel/petrel.ctl");
  CHECK_FALSE(c.control_socket_readonly);
  CHECK_FALSE(c.metrics);
  CHECK(c.originate.empty());
  CHECK(c.peers.empty());
  CHECK(c.policies.policies.empty());
  CHECK(c.fib == FibConfig{});
  CHECK(c.fib.table == 254);
  CHECK(c.fib.protocol == 201);
  CHECK(c.fib.nexthop_objects);  // kernel nexthop objects by default
  CHECK(c.max_paths == 1);
  CHECK_FALSE(c.selection_deferral);
  CHECK(c.store_path == "/var/lib/petrel");
  CHECK(c.log_level == "info");
  CHECK(c.kubernetes_yaml.empty());
  check_round_trip(c);
}

TEST_CASE("a peer's defaults, and the printed form of a minimal configuration") {
  const Config c = parse_ok(std::string(kMinimal) + "listen: [0.0.0.0]\npeers:\n  - {name: n2, address: 10.0.0.12, remote-as: internal}\n");
  REQUIRE(c.peers.size() == 1);
  const PeerConfig& p = c.peers[0];
  PeerConfig expected;
  expected.name = "n2";
  expected.address = IpAddress::parse("10.0.0.12");
  expected.remote_as_kind = RemoteAsKind::internal;
  CHECK(p == expected);
  CHECK(c.peer("n2") == &c.peers[0]);
  CHECK(c.peer("n3") == nullptr);
  petrel::test::check_golden("daemon/minimal.yaml.golden", print_config(c));
  check_round_trip(c);
}

TEST_CASE("the sketch in design.md reads into the documented fields") {
  TempDir dir;
  dir.write("tor1", "s3cret\n");
  setenv("PETREL_TEST_NODE_NAME", "node-1", 1);
  const std::string yaml = R"(router-id: 10.0.0.11
local-as: 64512
listen: [{address: 0.0.0.0, port: 179}, {address: "::", port: 179}]
control-socket: /run/petrel/petrel.ctl
metrics: 127.0.0.1:9469
originate:
  - {prefix: 10.244.1.0/24, blackhole: true, communities: ["64512:100"]}
peers:
  - name: tor1
    address: 10.0.0.1
    remote-as: 65001
    local-address: 10.0.0.11
    password-file: tor1
    hold-time: 9
    families: [ipv4, ipv6]
    next-hop: self
    route-reflector-client: false
    graceful-restart: {restart-time: 120, long-lived-stale-time: 3600}
    bfd: {interval-ms: 300, multiplier: 3}
    import: {policy: from-tor, limit: {max: 10000, action: restart}}
    export: {policy: to-tor}
prefix-sets: {pods: ["10.244.0.0/16 le 26"]}
policies:
  to-tor:
    - {match: {prefix-set: pods}, set: {communities-add: ["64512:200"]}, action: accept}
    - {action: reject}
  from-tor:
    - {action: accept}
fib: {table: main, protocol: petrel, ecmp-max-paths: 16}
kubernetes:
  enabled: false
  kubeconfig: ""
  node-name: ${PETREL_TEST_NODE_NAME}
  node-mesh: true
  advertise: {pod-cidrs: true, cluster-ips: [10.96.0.0/12], external-ips: [192.0.2.0/24], load-balancer-ips: [198.51.100.0/24]}
store: {path: /var/lib/petrel}
)";
  const Config c = parse_ok(yaml, (dir.path / "petrel.yaml").string());
  REQUIRE(c.listen.size() == 2);
  CHECK(c.listen[1] == ListenAddress{*IpAddress::parse("::"), 179});
  CHECK(c.metrics == "127.0.0.1:9469");
  REQUIRE(c.originate.size() == 1);
  CHECK(c.originate[0] == Originate{*Prefix::parse("10.244.1.0/24"), true, {64512u << 16 | 100}});
  REQUIRE(c.peers.size() == 1);
  const PeerConfig& p = c.peers[0];
  CHECK(p.remote_as_kind == RemoteAsKind::exact);
  CHECK(p.remote_as == 65001);
  CHECK(p.local_address == IpAddress::parse("10.0.0.11"));
  REQUIRE(p.password);
  CHECK(p.password->value == "s3cret");
  CHECK(p.password->file == (dir.path / "tor1").string());
  CHECK(p.hold_time == 9);
  CHECK(p.families == std::vector{wire::Family::ipv4_unicast, wire::Family::ipv6_unicast});
  CHECK(p.next_hop == NextHopConfig::self);
  REQUIRE(p.graceful_restart);
  CHECK(p.graceful_restart->restart_time == 120);
  CHECK(p.graceful_restart->long_lived_stale_time == 3600u);
  CHECK(p.bfd == BfdConfig{300, 3});
  CHECK(p.import_policy == "from-tor");
  CHECK(p.import_limit == 10000u);
  CHECK(p.import_limit_action == LimitAction::restart);
  CHECK(p.export_policy == "to-tor");
  REQUIRE(c.policies.find("to-tor"));
  CHECK(c.policies.find("to-tor")->rules().size() == 2);
  CHECK(c.kubernetes_yaml.find("node-name: node-1") != std::string::npos);
  CHECK(c.kubernetes_yaml.find("load-balancer-ips") != std::string::npos);
  check_round_trip(c);
  unsetenv("PETREL_TEST_NODE_NAME");
}

TEST_CASE("the shipped configurations parse, print as their golden files, and round-trip") {
  struct Case {
    const char* file;
    const char* golden;
  };
  for (const Case& k : {Case{"etc/petrel.yaml", "daemon/petrel.yaml.golden"},
                        Case{"etc/examples/node.yaml", "daemon/node.yaml.golden"},
                        Case{"etc/examples/route-reflector.yaml", "daemon/route-reflector.yaml.golden"},
                        Case{"etc/examples/tor-peering.yaml", "daemon/tor-peering.yaml.golden"}}) {
    const std::string file = k.file;
    CAPTURE(file);
    ShippedFile shipped(k.file);
    petrel::test::check_golden(k.golden, shipped.printed);
    check_round_trip(shipped.config);
  }
}

TEST_CASE("etc/petrel.yaml sets every key, so that each is documented there with a value") {
  ShippedFile shipped("etc/petrel.yaml");
  const Config& c = shipped.config;
  CHECK(c.cluster_id);
  CHECK(c.control_socket_readonly);
  CHECK(c.metrics);
  CHECK(c.fib.metric);
  CHECK(c.selection_deferral);
  CHECK(c.max_paths > 1);
  CHECK_FALSE(c.originate.empty());
  CHECK_FALSE(c.kubernetes_yaml.empty());
  REQUIRE(c.peers.size() == 2);
  const PeerConfig& tor = c.peers[0];
  CHECK(tor.password);
  CHECK(tor.local_address);
  CHECK(tor.graceful_restart);
  CHECK(tor.graceful_restart->long_lived_stale_time);
  CHECK(tor.bfd);
  CHECK(tor.import_limit);
  CHECK(tor.ttl_security_hops == 1);
  CHECK(c.peers[1].range);
  CHECK(c.peers[1].route_reflector_client);
  // Every key the parser knows appears in the file (as "key:").
  const std::string text = read_text(kSource + "/etc/petrel.yaml");
  for (const char* key : {"router-id:", "local-as:", "cluster-id:", "listen:", "control-socket:", "control-socket-readonly:",
                          "metrics:", "log-level:", "store:", "path:", "fib:", "enabled:", "table:", "protocol:",
                          "ecmp-max-paths:", "metric:", "max-paths:", "multipath-relax:", "always-compare-med:",
                          "selection-deferral:", "originate:", "prefix:", "blackhole:", "communities:", "peers:", "name:",
                          "address:", "range:", "remote-as:", "local-address:", "password-file:", "hold-time:",
                          "connect-retry:", "passive:", "families:", "next-hop:", "route-reflector-client:",
                          "graceful-restart:", "restart-time:", "long-lived-stale-time:", "bfd:", "interval-ms:",
                          "multiplier:", "add-path:", "soft-reconfiguration:", "allow-own-as:", "ttl-security:",
                          "multihop:", "import:", "limit:", "max:", "action:", "restart-after:", "export:", "mrai-ms:",
                          "disabled:", "prefix-sets:", "policies:", "kubernetes:"}) {
    CAPTURE(key);
    CHECK(text.find(key) != std::string::npos);
  }
}

TEST_CASE("load_config reads a file; the examples without secrets load as they are") {
  for (const char* file : {"/etc/examples/node.yaml", "/etc/examples/route-reflector.yaml"}) {
    auto r = load_config(kSource + file);
    if (!r.has_value()) FAIL(r.error().to_string());
    CHECK(r->file == kSource + file);
  }
  auto missing = load_config("/nonexistent/petrel.yaml");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().to_string() == "/nonexistent/petrel.yaml:0:0: cannot read the file: No such file or directory");
  TempDir dir;
  auto directory = load_config(dir.path.string());
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().message == "cannot read the file: Is a directory");
}

TEST_CASE("every setting away from its default survives the round trip") {
  TempDir dir;
  dir.write("pw", "abc\r\n");
  const std::string yaml = R"(router-id: 192.0.2.1
local-as: 4200000000
cluster-id: 7
listen: ["::1", {address: 127.0.0.1, port: 1179}]
control-socket: "/run/petrel dir/ctl"
control-socket-readonly: /run/petrel/ro.ctl
metrics: "[::1]:9100"
log-level: debug
store: {path: /srv/petrel, enabled: false, history-max-age: 3600, history-max-entries: 5000}
fib: {enabled: false, table: 100, protocol: 99, ecmp-max-paths: 4, metric: 0, nexthop-objects: false}
max-paths: 8
multipath-relax: true
always-compare-med: true
selection-deferral: 30
originate:
  - {prefix: "2001:db8::/32", blackhole: false, communities: [no-export, "1:2", "65535:65535"]}
  - 10.0.0.0/8
peers:
  - name: dyn.v6
    range: "2001:db8:ffff::/64"
    remote-as: external
    passive: true
    families: [ipv6]
    next-hop: "2001:db8::1"
    add-path: both
    soft-reconfiguration: true
    allow-own-as: 2
    multihop: 3
    import: {limit: {max: 5, action: block}}
    mrai-ms: 500
  - name: ibgp_1
    address: 192.0.2.2
    remote-as: 4200000000
    password-file: pw
    hold-time: 0
    connect-retry: 30
    next-hop: keep
    route-reflector-client: true
    graceful-restart: {}
    bfd: {interval-ms: 50, multiplier: 5}
    add-path: receive
    ttl-security: 254
    import: {policy: p, limit: {max: 4294967295, action: restart, restart-after: 86400}}
    export: {policy: p}
    disabled: true
prefix-sets:
  s: ["10.0.0.0/8 ge 24 le 32"]
policies:
  p:
    - match: {family: ipv4, peer: [ibgp_1, 10.0.0.0/8], as-path-length: {max: 4, min: 1}, prefix-set: s}
      set: {as-path-prepend: {count: 2, asn: 65000}, next-hop: self, local-pref: 7}
      action: next
    - {}
  empty: []
kubernetes: {enabled: true}
)";
  const Config c = parse_ok(yaml, (dir.path / "petrel.yaml").string());
  CHECK(c.cluster_id == 7u);
  CHECK(c.metrics == "[::1]:9100");
  CHECK(c.fib == FibConfig{false, 100, 99, 4, 0, false});  // nexthop-objects: false still turns them off
  REQUIRE(c.peers.size() == 2);
  CHECK(c.peers[0].next_hop == NextHopConfig::address);
  CHECK(c.peers[0].add_path_send);
  CHECK(c.peers[0].add_path_receive);
  CHECK(c.peers[1].password->value == "abc");  // "\r\n" stripped
  CHECK(c.peers[1].graceful_restart == GracefulRestartConfig{});
  CHECK_FALSE(c.peers[1].add_path_send);
  CHECK(c.peers[1].add_path_receive);
  REQUIRE(c.policies.find("empty"));
  CHECK(c.policies.find("empty")->rules().empty());
  petrel::test::check_golden("daemon/every-setting.yaml.golden", replace_all(print_config(c), dir.path.string(), "DIR"));
  check_round_trip(c);
}

TEST_CASE("families are kept in one order, so that reordering them is no change") {
  const std::string peer = "\nlisten: [0.0.0.0]\npeers: [{name: a, address: 10.0.0.1, remote-as: 1, families: ";
  const Config x = parse_ok(std::string(kMinimal) + peer + "[ipv6, ipv4]}]\n");
  const Config y = parse_ok(std::string(kMinimal) + peer + "[ipv4, ipv6]}]\n");
  CHECK(x.peers[0].families == y.peers[0].families);
  CHECK(plan_reload(x, y).nothing());
}

TEST_CASE("secrets: read from their file, never printed, and the printed form reads them again") {
  TempDir dir;
  const std::string secret = "Very-Secret-Password-42";
  const std::string file = dir.write("md5", secret + "\n");
  const std::string yaml = std::string(kMinimal) + "peers: [{name: tor, address: 10.0.0.1, remote-as: 65001, password-file: " + file + "}]\n";
  const Config c = parse_ok(yaml);
  REQUIRE(c.peers[0].password);
  CHECK(c.peers[0].password->value == secret);
  const std::string printed = print_config(c);
  CHECK(printed.find(secret) == std::string::npos);
  CHECK(printed.find("password: \"<from " + file + ">\"") != std::string::npos);
  const Config again = parse_ok(printed);
  CHECK(again.peers[0].password == c.peers[0].password);

  // The secret changes in its file: a new parse of the printed form sees it.
  dir.write("md5", "another\n");
  CHECK(parse_ok(printed).peers[0].password->value == "another");

  SUBCASE("errors name the file, never the content") {
    dir.write("long", std::string(81, 'x'));
    const std::string err = parse_error(std::string(kMinimal) + "peers: [{name: t, address: 10.0.0.1, remote-as: 1, password-file: " +
                                        (dir.path / "long").string() + "}]\n");
    CHECK(err.find(std::string(81, 'x')) == std::string::npos);
    CHECK(err.find("holds more than 80 bytes") != std::string::npos);
    dir.write("two", "line-one\nline-two\n");
    const std::string two = parse_error(std::string(kMinimal) + "peers: [{name: t, address: 10.0.0.1, remote-as: 1, password-file: " +
                                        (dir.path / "two").string() + "}]\n");
    CHECK(two.find("line-one") == std::string::npos);
    CHECK(two.find("holds more than one line") != std::string::npos);
  }
  SUBCASE("a password written in the config is refused") {
    const std::string err = parse_error(std::string(kMinimal) + "peers: [{name: t, address: 10.0.0.1, remote-as: 1, password: hunter2}]\n");
    CHECK(err == "test.yaml:3:62: peers[0].password: a password is never written in the config: put it in a file and name the file with password-file");
  }
  SUBCASE("a relative password-file is read from the config file's directory") {
    const std::string config = dir.write("petrel.yaml", std::string(kMinimal) + "peers: [{name: t, address: 10.0.0.1, remote-as: 1, password-file: md5}]\n");
    auto r = load_config(config);
    if (!r.has_value()) FAIL(r.error().to_string());
    CHECK(r->peers[0].password->file == file);
    CHECK(r->peers[0].password->value == "another");
  }
}

TEST_CASE("${NAME} is replaced from the environment") {
  setenv("PETREL_TEST_ROUTER_ID", "10.9.9.9", 1);
  setenv("PETREL_TEST_ASN", "65010", 1);
  setenv("PETREL_TEST_TRICKY", "${PETREL_TEST_ASN}", 1);
  setenv("PETREL_TEST_EMPTY", "", 1);
  unsetenv("PETREL_TEST_UNSET");

  const Config c = parse_ok(R"(router-id: ${PETREL_TEST_ROUTER_ID}
local-as: ${PETREL_TEST_ASN}
store: {path: "/srv/${PETREL_TEST_ASN}/${PETREL_TEST_UNSET:-fallback}/${PETREL_TEST_EMPTY:-was-empty}/${PETREL_TEST_ASN:-unused}"}
control-socket: /run/${PETREL_TEST_TRICKY}.ctl
policies:
  p: [{set: {communities-add: ["${PETREL_TEST_ASN}:1"]}}]
)");
  CHECK(c.router_id == IpAddress::parse("10.9.9.9")->v4_value());
  CHECK(c.local_as == 65010);
  CHECK(c.store_path == "/srv/65010/fallback/was-empty/65010");
  // A variable's value is not scanned again.
  CHECK(c.control_socket == "/run/${PETREL_TEST_ASN}.ctl");
  REQUIRE(c.policies.find("p"));
  CHECK(c.policies.find("p")->rules()[0].set.communities_add == std::vector<uint32_t>{65010u << 16 | 1});
  CHECK(c.policy_text.find("65010:1") != std::string::npos);

  CHECK(parse_error("router-id: 10.0.0.1\nlocal-as: 1\nlog-level: ${PETREL_TEST_UNSET}\n") ==
        "test.yaml:3:12: log-level: environment variable PETREL_TEST_UNSET is not set");
  CHECK(parse_error("router-id: 10.0.0.1\nlocal-as: 1\nkubernetes: {node-name: \"${PETREL_TEST_UNSET}\"}\n") ==
        "test.yaml:3:25: kubernetes.node-name: environment variable PETREL_TEST_UNSET is not set");
  CHECK(parse_error("router-id: 10.0.0.1\nlocal-as: 1\nlog-level: ${1BAD}\n") ==
        "test.yaml:3:12: log-level: bad environment variable name \"1BAD\" in \"${1BAD}\" (expected ${NAME} or ${NAME:-default})");
  CHECK(parse_error("router-id: 10.0.0.1\nlocal-as: 1\nlog-level: ${OPEN\n") ==
        "test.yaml:3:12: log-level: unterminated ${ in \"${OPEN\"");
  // Keys are not substituted.
  CHECK(parse_error("router-id: 10.0.0.1\nlocal-as: 1\n${PETREL_TEST_ASN}: 1\n").find("3:1: ${PETREL_TEST_ASN}: unknown key") !=
        std::string::npos);
  // A scalar shared through an alias is substituted once.
  const Config aliased = parse_ok("router-id: 10.0.0.1\nlocal-as: &asn ${PETREL_TEST_ASN}\nlisten: [0.0.0.0]\npeers: [{name: a, address: 10.0.0.2, remote-as: *asn}]\n");
  CHECK(aliased.peers[0].remote_as == 65010);
  for (const char* name : {"PETREL_TEST_ROUTER_ID", "PETREL_TEST_ASN", "PETREL_TEST_TRICKY", "PETREL_TEST_EMPTY"}) unsetenv(name);
}

TEST_CASE("policies are printed back normalized, with set names, and compared without line numbers") {
  const Config a = parse_ok(std::string(kMinimal) + R"(prefix-sets:
  # a comment that goes away
  pods: ['10.244.0.0/16 le 26']
policies:
  to-tor:
    - action: accept
      set: {local-pref: 200, communities-add: ["1:2"]}
      match: {family: ipv4, prefix-set: pods}
    - action: reject
)");
  CHECK(a.policy_text ==
        "prefix-sets:\n"
        "  pods: [\"10.244.0.0/16 le 26\"]\n"
        "policies:\n"
        "  to-tor:\n"
        "    - match: {prefix-set: pods, family: ipv4}\n"
        "      set: {local-pref: 200, communities-add: [\"1:2\"]}\n"
        "      action: accept\n"
        "    - action: reject\n");
  // The same policy written elsewhere in the file (other line numbers) is the same policy.
  const Config b = parse_ok(std::string(kMinimal) + "\n\n\n" + a.policy_text);
  CHECK(same_policy(*a.policies.find("to-tor"), *b.policies.find("to-tor")));
  CHECK(a.policies.find("to-tor")->rules()[0].line != b.policies.find("to-tor")->rules()[0].line);
  CHECK(equivalent(a, b));
}

TEST_CASE("mangled input gives an error or a configuration, never a crash") {
  const std::string base = read_text(kSource + "/etc/examples/tor-peering.yaml");
  const std::string alphabet = "-:[]{}#&*!|>'\"%@`,?\n\t 0123456789abcxyz./${}~";
  std::mt19937 rng(20261121);
  int errors = 0;
  for (int round = 0; round < 1500; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (text.size() + 1);
      switch (rng() % 4) {
        case 0: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1 + rng() % 8); break;
        case 2: if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()]; break;
        default: {
          const std::size_t from = rng() % text.size();
          text.insert(at, text.substr(from, rng() % 40));
        }
      }
    }
    auto r = parse_config(text, "fuzz.yaml");
    if (!r.has_value()) {
      ++errors;
      CHECK(r.error().file == "fuzz.yaml");
      CHECK_FALSE(r.error().message.empty());
    }
  }
  CHECK(errors > 0);
  // Pathological shapes: deep nesting and an alias bomb.
  CHECK_FALSE(parse_config(std::string(5000, '['), "deep.yaml").has_value());
  CHECK_FALSE(parse_config("router-id: 10.0.0.1\nlocal-as: 1\nkubernetes: {x: " + std::string(100, '[') + std::string(100, ']') + "}\n", "deep.yaml").has_value());
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i)
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) +
            ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + ", *a" + std::to_string(i - 1) + "]\n";
  auto b = parse_config(bomb, "bomb.yaml");
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().message.find("too large") != std::string::npos);
}
