// Config mistakes, one per row: the snippet and the exact error it must give
// ("line:col: KEY.PATH: message"). Each row is a whole document; kHead is
// prepended where a row needs the two required keys (lines 1 and 2).
#include "daemon/config.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace petrel::daemon;

namespace {

const std::string kHead = "router-id: 10.0.0.11\nlocal-as: 64512\n";
const std::string kListen = "listen: [0.0.0.0]\n";  // line 3 where used

struct Row {
  std::string yaml;
  std::string error;  // "line:col: message"
};

std::string error_of(const std::string& yaml) {
  auto r = parse_config(yaml, "petrel.yaml");
  if (r.has_value()) return "<no error>";
  const ConfigError& e = r.error();
  CHECK(e.file == "petrel.yaml");
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

// A one-peer document: kHead, kListen, then "peers:\n  - name: p\n" and the
// given peer lines (the first given line is line 6).
std::string peer(const std::string& lines) {
  return kHead + kListen + "peers:\n  - name: p\n" + lines;
}

}  // namespace

TEST_CASE("every configuration mistake names its line, column and key") {
  const Row rows[] = {
      // Top level.
      {"", "1:1: the configuration is empty (router-id and local-as are required)"},
      {"router-id: 10.0.0.11\n", "1:1: local-as: required, but not given"},
      {"- 1\n- 2\n", "1:1: must be a map, got a list"},
      {"router-id: 10.0.0.11\nlocal_as: 64512\n", "2:1: local_as: unknown key (did you mean local-as?)"},
      {kHead + "colour: blue\n",
       "3:1: colour: unknown key (expected one of: router-id, local-as, cluster-id, listen, control-socket, "
       "control-socket-readonly, metrics, log-level, store, fib, max-paths, multipath-relax, always-compare-med, "
       "selection-deferral, originate, peers, prefix-sets, policies, kubernetes)"},
      {kHead + "local-as: 1\n", "3:1: local-as: duplicate key"},
      {"router-id: [10.0.0.11\nlocal-as: 1\n", "2:9: YAML syntax: end of sequence flow not found"},
      {kHead + "---\nrouter-id: 1.1.1.1\n", "4:1: a second YAML document (after ---): petreld reads exactly one"},
      // Identity.
      {"router-id: 10.0.0.256\nlocal-as: 1\n",
       "1:12: router-id: must be an IPv4 address (a BGP identifier, RFC 6286), got \"10.0.0.256\""},
      {"router-id: \"2001:db8::1\"\nlocal-as: 1\n",
       "1:12: router-id: must be an IPv4 address (a BGP identifier, RFC 6286), got \"2001:db8::1\""},
      {"router-id: 0.0.0.0\nlocal-as: 1\n", "1:12: router-id: must not be 0.0.0.0 (RFC 6286 §2.1)"},
      {"router-id: 10.0.0.1\nlocal-as: 0\n", "2:11: local-as: must be a number from 1 to 4294967295, got \"0\""},
      {"router-id: 10.0.0.1\nlocal-as: 4294967296\n", "2:11: local-as: must be a number from 1 to 4294967295, got \"4294967296\""},
      {"router-id: 10.0.0.1\nlocal-as: -5\n", "2:11: local-as: must be a number from 1 to 4294967295, got \"-5\""},
      {"router-id: 10.0.0.1\nlocal-as: 23456\n",
       "2:11: local-as: 23456 is AS_TRANS (RFC 6793), not an AS number a speaker may use"},
      {"router-id: 10.0.0.1\nlocal-as: [1]\n", "2:11: local-as: must be a single value, got a list"},
      {kHead + "cluster-id: 0.0.0.0\n", "3:13: cluster-id: must not be 0.0.0.0 (RFC 6286 §2.1)"},
      // Sockets and endpoints.
      {kHead + "listen: [{address: 10.0.0.1, port: 0}]\n", "3:36: listen[0].port: must be a number from 1 to 65535, got \"0\""},
      {kHead + "listen: [10.0.0.300]\n", "3:10: listen[0]: not an IP address: \"10.0.0.300\""},
      {kHead + "listen: [10.0.0.1, {address: 10.0.0.1}]\n", "3:20: listen[1]: 10.0.0.1 port 179 is listed twice"},
      {kHead + "listen: [{addr: 10.0.0.1}]\n", "3:11: listen[0].addr: unknown key (did you mean address?)"},
      {kHead + "metrics: localhost:9469\n",
       "3:10: metrics: must be ADDRESS:PORT (\"127.0.0.1:9469\", \"[::1]:9469\"), got \"localhost:9469\""},
      {kHead + "metrics: 127.0.0.1:99999\n", "3:10: metrics: port must be from 1 to 65535, got \"127.0.0.1:99999\""},
      {kHead + "control-socket: /a\ncontrol-socket-readonly: /a\n", "4:26: control-socket-readonly: must differ from control-socket"},
      {kHead + "control-socket: /" + std::string(110, 'x') + "\n",
       "3:17: control-socket: a socket path may have at most 107 bytes, this one has 111"},
      {kHead + "log-level: verbose\n", "3:12: log-level: must be one of trace, debug, info, warn, error, got \"verbose\""},
      {kHead + "store: /var/lib/petrel\n", "3:8: store: must be a map, got \"/var/lib/petrel\""},
      {kHead + "store: {history-max-age: 10}\n",
       "3:26: store.history-max-age: must be a number from 60 to 315360000, got \"10\""},
      {kHead + "store: {history-max-entries: 0}\n",
       "3:30: store.history-max-entries: must be a number from 1 to 1000000000, got \"0\""},
      {kHead + "store: {enabled: maybe}\n", "3:18: store.enabled: must be true or false, got \"maybe\""},
      {kHead + "store: {retention: 5}\n",
       "3:9: store.retention: unknown key (expected one of: path, enabled, history-max-age, history-max-entries)"},
      // RIB and FIB.
      {kHead + "fib: {table: 255}\n",
       "3:14: fib.table: table 255 is the kernel's local table; use main or a table of your own"},
      {kHead + "fib: {table: local}\n", "3:14: fib.table: must be main or a table number, got \"local\""},
      {kHead + "fib: {protocol: 2}\n", "3:17: fib.protocol: must be a number from 5 to 255, got \"2\""},
      {kHead + "fib: {ecmp-max-paths: 0}\n", "3:23: fib.ecmp-max-paths: must be a number from 1 to 256, got \"0\""},
      {kHead + "fib: {tabel: main}\n", "3:7: fib.tabel: unknown key (did you mean table?)"},
      {kHead + "fib: {enabled: yes}\n", "3:16: fib.enabled: must be true or false, got \"yes\""},
      {kHead + "max-paths: 300\n", "3:12: max-paths: must be a number from 1 to 256, got \"300\""},
      {kHead + "selection-deferral: 0\n", "3:21: selection-deferral: must be a number from 1 to 3600, got \"0\""},
      // Originate.
      {kHead + "originate: [{prefix: 10.244.1.1/24}]\n",
       "3:22: originate[0].prefix: prefix \"10.244.1.1/24\" has host bits set (did you mean 10.244.1.0/24?)"},
      {kHead + "originate: [10.244.1.0]\n", "3:13: originate[0]: not a prefix (ADDRESS/LENGTH): \"10.244.1.0\""},
      {kHead + "originate: [{prefix: 10.0.0.0/8, communities: [\"64512:70000\"]}]\n",
       "3:48: originate[0].communities[0]: bad community \"64512:70000\": expected \"A:B\" (0-65535 each) or a well-known name"},
      {kHead + "originate: [10.0.0.0/8, {prefix: 10.0.0.0/8}]\n", "3:25: originate[1]: 10.0.0.0/8 is listed twice"},
      {kHead + "originate: [{blackhole: false}]\n", "3:13: originate[0].prefix: required, but not given"},
      // Peers.
      {kHead + "peers: {name: x}\n", "3:8: peers: must be a list, got a map"},
      {kHead + kListen + "peers:\n  - name: \"tor 1\"\n    address: 10.0.0.1\n    remote-as: 1\n",
       "5:11: peers[0].name: must be 1 to 64 letters, digits, '_', '.' or '-', got \"tor 1\""},
      {kHead + kListen + "peers:\n  - address: 10.0.0.1\n    remote-as: 1\n", "5:5: peers[0].name: required, but not given"},
      {peer("    remote-as: 1\n"), "5:5: peers[0]: needs an address (one neighbour) or a range (dynamic neighbours)"},
      {peer("    address: 10.0.0.1\n    range: 10.0.0.0/24\n    remote-as: 1\n"),
       "7:12: peers[0].range: give either address or range, not both"},
      {peer("    address: 224.0.0.5\n    remote-as: 1\n"), "6:14: peers[0].address: 224.0.0.5 cannot be a neighbour's address"},
      {peer("    address: 10.0.0.1\n"), "5:5: peers[0].remote-as: required, but not given"},
      {peer("    address: 10.0.0.1\n    remote-as: externel\n"),
       "7:16: peers[0].remote-as: must be an AS number, internal or external, got \"externel\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    hold-time: 2\n"),
       "8:16: peers[0].hold-time: must be 0 or 3..65535 seconds (RFC 4271 §4.2), got 2"},
      {kHead + kListen + "peers:\n  - {name: a, address: 10.0.0.1, remote-as: 1}\n  - name: b\n    address: 10.0.0.2\n    remote-as: 1\n    hold_time: 9\n",
       "9:5: peers[1].hold_time: unknown key (did you mean hold-time?)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    families: [ipv4, ipx]\n"),
       "8:22: peers[0].families[1]: must be one of ipv4, ipv6, got \"ipx\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    families: []\n"),
       "8:15: peers[0].families: must name at least one family (ipv4, ipv6)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    families: [ipv6, ipv6]\n"),
       "8:22: peers[0].families[1]: ipv6 is listed twice"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    next-hop: \"2001:db8::1\"\n"),
       "8:15: peers[0].next-hop: 2001:db8::1 is IPv6 but the neighbour is IPv4"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    next-hop: slef\n"),
       "8:15: peers[0].next-hop: must be auto, self, keep or an address, got \"slef\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    local-address: \"fe80::1\"\n"),
       "8:20: peers[0].local-address: fe80::1 is IPv6 but the neighbour is IPv4"},
      {peer("    address: 10.0.0.1\n    remote-as: 65001\n    route-reflector-client: true\n"),
       "8:29: peers[0].route-reflector-client: only an internal peer (remote-as equal to local-as, or internal) can be a "
       "route reflector client (RFC 4456)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    ttl-security: 1\n    multihop: 2\n"),
       "9:15: peers[0].multihop: cannot be combined with ttl-security (GTSM always sends with TTL 255, RFC 5082)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    graceful-restart: {restart-time: 5000}\n"),
       "8:38: peers[0].graceful-restart.restart-time: must be a number from 1 to 4095, got \"5000\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    graceful-restart: true\n"),
       "8:23: peers[0].graceful-restart: must be a map, got \"true\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    bfd: {multiplier: 0}\n"),
       "8:23: peers[0].bfd.multiplier: must be a number from 1 to 255, got \"0\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    add-path: sendrecv\n"),
       "8:15: peers[0].add-path: must be one of none, send, receive, both, got \"sendrecv\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    import: {policy: from-tor}\n"),
       "8:22: peers[0].import.policy: no policy named \"from-tor\" (no policies are defined)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    export: {policy: tor}\npolicies: {to-tor: []}\n"),
       "8:22: peers[0].export.policy: no policy named \"tor\" (defined: to-tor)"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    import: {limit: {max: 10, action: drop}}\n"),
       "8:39: peers[0].import.limit.action: must be one of warn, block, restart, got \"drop\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    import: {limit: {max: 10, restart-after: 5}}\n"),
       "8:46: peers[0].import.limit.restart-after: applies only with action: restart"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    import: {limit: {action: warn}}\n"),
       "8:21: peers[0].import.limit.max: required, but not given"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    password-file: /nonexistent/tor1\n"),
       "8:20: peers[0].password-file: cannot read /nonexistent/tor1: No such file or directory"},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    mrai-ms: fast\n"),
       "8:14: peers[0].mrai-ms: must be a number from 0 to 600000, got \"fast\""},
      {peer("    address: 10.0.0.1\n    remote-as: 1\n    passive: yes\n"), "8:14: peers[0].passive: must be true or false, got \"yes\""},
      {kHead + kListen + "peers:\n  - {name: a, address: 10.0.0.1, remote-as: 1}\n  - {name: a, address: 10.0.0.2, remote-as: 1}\n",
       "6:12: peers[1].name: \"a\" is already the name of peers[0]"},
      {kHead + kListen + "peers:\n  - {name: a, address: 10.0.0.1, remote-as: 1}\n  - {name: b, address: 10.0.0.1, remote-as: 1}\n",
       "6:24: peers[1].address: 10.0.0.1 is already the address of peer \"a\""},
      {kHead + "peers:\n  - {name: a, address: 10.0.0.1, remote-as: 1, passive: true}\n",
       "4:57: peers[0].passive: a passive peer waits to be connected to, but listen is empty (add listen: [0.0.0.0])"},
      {kHead + "peers:\n  - {name: a, range: 10.0.0.0/24, remote-as: internal}\n",
       "4:22: peers[0].range: dynamic neighbours connect to us, but listen is empty (add listen: [0.0.0.0])"},
      // Policies (compiled by rib/policy_config.cpp) and the rest.
      {kHead + "policies:\n  p: [{match: {prefix-set: pods}}]\n", "4:28: policies.p[0].match.prefix-set: unknown prefix-set \"pods\""},
      {kHead + "policies:\n  p: [{match: {prefix_set: pods}}]\n",
       "4:16: policies.p[0].match.prefix_set: unknown match key \"prefix_set\" (expected one of: prefix-set, prefix, community, "
       "large-community, as-path-contains, originates-from, as-path-length, peer, family)"},
      {kHead + "prefix-sets:\n  pods: [\"10.244.0.1/16\"]\n",
       "4:10: prefix-sets.pods[0]: prefix \"10.244.0.1/16\" has host bits set (did you mean 10.244.0.0/16?)"},
      {kHead + "policies:\n  p:\n    - action: maybe\n", "5:15: policies.p[0].action: unknown action \"maybe\" (expected accept, reject, next)"},
      {kHead + "kubernetes: [enabled]\n", "3:13: kubernetes: must be a map, got a list"},
      {kHead + "log-level: ${PETREL_ERRORS_TEST_UNSET}\n", "3:12: log-level: environment variable PETREL_ERRORS_TEST_UNSET is not set"},
  };
  CHECK(std::size(rows) >= 30);
  for (const Row& row : rows) {
    CAPTURE(row.yaml);
    CHECK(error_of(row.yaml) == row.error);
  }
}

TEST_CASE("an error's text is file:line:col: message") {
  auto r = parse_config(kHead + "log-level: loud\n", "/etc/petrel/petrel.yaml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().to_string() == "/etc/petrel/petrel.yaml:3:12: log-level: must be one of trace, debug, info, warn, error, got \"loud\"");
}
