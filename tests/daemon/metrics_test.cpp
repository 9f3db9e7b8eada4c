// Prometheus rendering and the metrics address: a golden file for a fixed
// snapshot, the exposition checker over it, escaping, bounded state series.
#include "daemon/metrics.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/daemon/exposition_check.hpp"

namespace petrel::daemon {
namespace {

MetricsSnapshot fixed_snapshot() {
  MetricsSnapshot s;
  s.version = "0.1.0";
  s.start_time_seconds = 1763757000.25;
  PeerMetrics tor;
  tor.name = "tor1";
  tor.address = "192.0.2.1";
  tor.state = "established";
  tor.bfd_up = true;
  tor.uptime_seconds = 3600.5;
  tor.flaps = 2;
  tor.messages_in = 1520;
  tor.messages_out = 1490;
  tor.updates_in = 310;
  tor.updates_out = 42;
  tor.prefixes_received = 1200;
  tor.prefixes_accepted = 1150;
  tor.prefixes_advertised = 3;
  PeerMetrics node;
  node.name = "node-b";
  node.address = "2001:db8::b";
  node.state = "active";
  node.flaps = 7;
  node.bfd_up = false;
  node.messages_in = 12;
  node.messages_out = 15;
  s.peers = {tor, node};
  s.rib_prefixes = 1153;
  s.rib_paths = 2400;
  s.rib_attribute_sets = 17;
  s.rib_memory_bytes = 524288;
  s.fib.enabled = true;
  s.fib.installs = 1160;
  s.fib.removes = 10;
  s.fib.failures = 1;
  s.fib.retries = 1;
  s.fib.plain_fallbacks = 3;
  s.fib.objects_refused = 2;
  s.fib.queue_depth = 0;
  s.fib.routes = 1150;
  s.store = StoreMetrics{true, 4200, 5000, 3, 800, 12};
  s.k8s.enabled = true;
  s.k8s.synced = true;
  s.k8s.announcements = 4;
  s.k8s.peers = 3;
  s.k8s.informers = {{"nodes", true, 0}, {"services", true, 2}, {"endpointslices", true, 0},
                     {"secret petrel/bgp-passwords", false, 5}};
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, std::string_view prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(prefix)) out.push_back(line);
  return out;
}

TEST_CASE("render_prometheus matches the golden file") {
  const std::string golden = std::string(PETREL_GOLDEN_DIR) + "/daemon/metrics.prom";
  const std::string text = render_prometheus(fixed_snapshot());
  const char* update = std::getenv("PETREL_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << text;
    MESSAGE("rewrote " << golden);
  }
  const std::string expected = read_file(golden);
  REQUIRE_MESSAGE(!expected.empty(), golden << " is missing: run with PETREL_UPDATE_GOLDEN=1");
  CHECK(text == expected);
}

TEST_CASE("the rendered text is valid exposition syntax") {
  CHECK(test::check_exposition(render_prometheus(fixed_snapshot())) == "");
  CHECK(test::check_exposition(render_prometheus(MetricsSnapshot{})) == "");
}

TEST_CASE("Kubernetes families only with kubernetes enabled; one series per informer") {
  MetricsSnapshot s = fixed_snapshot();
  const std::string on = render_prometheus(s);
  CHECK(lines_starting(on, "petrel_k8s_synced ") == std::vector<std::string>{"petrel_k8s_synced 1"});
  CHECK(lines_starting(on, "petrel_k8s_peers ") == std::vector<std::string>{"petrel_k8s_peers 3"});
  CHECK(lines_starting(on, "petrel_k8s_informer_errors_total{").size() == 4);
  CHECK(lines_starting(on, "petrel_k8s_informer_errors_total{resource=\"secret petrel/bgp-passwords\"} 5").size() == 1);
  CHECK(lines_starting(on, "petrel_k8s_informer_synced{resource=\"secret petrel/bgp-passwords\"} 0").size() == 1);
  s.k8s.enabled = false;
  CHECK(render_prometheus(s).find("petrel_k8s_") == std::string::npos);
}

TEST_CASE("the checker itself rejects what the format forbids") {
  // Each of these must fail, or the check above proves nothing.
  const char* bad[] = {
      "# TYPE a gauge\na 1",                                  // no final line feed
      "a 1\n",                                                // sample before TYPE
      "# TYPE a gauge\na{x=\"1} 1\n",                         // unterminated label value
      "# TYPE a gauge\na{x=\"\\t\"} 1\n",                     // bad escape
      "# TYPE a gauge\na{x=1} 1\n",                           // unquoted label value
      "# TYPE a gauge\na one\n",                              // bad value
      "# TYPE a counter\na 1\n",                              // counter without _total
      "# TYPE a gauge\n# TYPE a gauge\n",                     // TYPE twice
      "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",      // interleaved families
      "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",         // same series twice
      "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",               // label twice
      "# TYPE 1a gauge\n",                                    // bad metric name
      "# TYPE a gauge\na 1 2 3\n",                            // trailing text
      "# TYPE a gauge\na 1e\n",                               // exponent without digits
      "# TYPE a gauge\na .\n",                                // no digits
      "# TYPE a gauge\na 1 12.5\n",                           // timestamp not an integer
  };
  for (const char* text : bad) CHECK_MESSAGE(test::check_exposition(text) != "", text);
  CHECK(test::check_exposition("# HELP a x\\\\y\\n\n# TYPE a gauge\na{x=\"q\\\"\\\\\\n\"} -Inf 123\n") == "");
  CHECK(test::check_exposition("# TYPE a_total counter\na_total{x=\"1\",} 1.5e+3 -5\na_total .5\n") == "");
}

TEST_CASE("HELP and TYPE appear once per family, before its samples") {
  const std::string text = render_prometheus(fixed_snapshot());
  const auto types = lines_starting(text, "# TYPE ");
  const auto helps = lines_starting(text, "# HELP ");
  CHECK(types.size() == 35 + 5);  // 35 always (6 of them the store's, 2 the nexthop-object fallback), 5 with Kubernetes
  CHECK(helps.size() == types.size());
  CHECK(text.find("# TYPE petrel_fib_installs_total counter\npetrel_fib_installs_total 1160\n") != std::string::npos);
  CHECK(text.find("# TYPE petrel_store_changes_dropped_total counter\npetrel_store_changes_dropped_total 3\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE petrel_store_journal_entries gauge\npetrel_store_journal_entries 4200\n") != std::string::npos);
  CHECK(text.find("# TYPE petrel_bgp_peer_up gauge\n") != std::string::npos);
}

TEST_CASE("label values are escaped: backslash, double quote, line feed") {
  MetricsSnapshot s;
  s.version = "1.0 \"dev\"\\build\nline2";
  PeerMetrics p;
  p.name = "we\"ird\\name";
  p.address = "fe80::1%eth0";
  p.state = "idle";
  s.peers = {p};
  const std::string text = render_prometheus(s);
  CHECK(text.find("petrel_build_info{version=\"1.0 \\\"dev\\\"\\\\build\\nline2\"} 1\n") != std::string::npos);
  CHECK(text.find("petrel_bgp_peer_up{peer=\"we\\\"ird\\\\name\",address=\"fe80::1%eth0\"} 0\n") != std::string::npos);
  CHECK(test::check_exposition(text) == "");
}

TEST_CASE("peer state: one series per RFC 4271 state, exactly one of them 1") {
  MetricsSnapshot s;
  for (const char* state : {"idle", "connect", "active", "opensent", "openconfirm", "established"}) {
    PeerMetrics p;
    p.name = std::string("p-") + state;
    p.address = "192.0.2.9";
    p.state = state;
    s.peers.push_back(p);
  }
  const std::string text = render_prometheus(s);
  const auto state_lines = lines_starting(text, "petrel_bgp_peer_state{");
  CHECK(state_lines.size() == 36);
  for (const char* state : {"idle", "connect", "active", "opensent", "openconfirm", "established"}) {
    const std::string peer = std::string("p-") + state;
    const std::string one = "petrel_bgp_peer_state{peer=\"" + peer + "\",address=\"192.0.2.9\",state=\"" + state + "\"} 1";
    CHECK_MESSAGE(text.find(one + "\n") != std::string::npos, one);
    int ones = 0;
    for (const auto& line : state_lines)
      if (line.find("peer=\"" + peer + "\"") != std::string::npos && line.ends_with(" 1")) ++ones;
    CHECK(ones == 1);
  }
  CHECK(text.find("petrel_bgp_peer_up{peer=\"p-established\",address=\"192.0.2.9\"} 1\n") != std::string::npos);
  CHECK(text.find("petrel_bgp_peer_up{peer=\"p-openconfirm\",address=\"192.0.2.9\"} 0\n") != std::string::npos);
}

TEST_CASE("peer state spelled as the FSM enum (open_sent) counts; an unknown one sets no series") {
  MetricsSnapshot s;
  PeerMetrics a;
  a.name = "a";
  a.address = "192.0.2.1";
  a.state = "open_sent";
  PeerMetrics b;
  b.name = "b";
  b.address = "192.0.2.2";
  b.state = "bogus";
  s.peers = {a, b};
  const std::string text = render_prometheus(s);
  CHECK(text.find("petrel_bgp_peer_state{peer=\"a\",address=\"192.0.2.1\",state=\"opensent\"} 1\n") != std::string::npos);
  for (const auto& line : lines_starting(text, "petrel_bgp_peer_state{peer=\"b\"")) CHECK(line.ends_with(" 0"));
  CHECK(text.find("bogus") == std::string::npos);  // the label set stays the six states
}

TEST_CASE("floats: shortest round trip, NaN and infinities spelled as the format says") {
  MetricsSnapshot s;
  s.start_time_seconds = std::numeric_limits<double>::quiet_NaN();
  CHECK(render_prometheus(s).find("petrel_start_time_seconds NaN\n") != std::string::npos);
  s.start_time_seconds = std::numeric_limits<double>::infinity();
  CHECK(render_prometheus(s).find("petrel_start_time_seconds +Inf\n") != std::string::npos);
  s.start_time_seconds = 0.1;
  CHECK(render_prometheus(s).find("petrel_start_time_seconds 0.1\n") != std::string::npos);
  s.start_time_seconds = 1763757000;
  CHECK(render_prometheus(s).find("petrel_start_time_seconds 1763757000\n") != std::string::npos);
  s.fib.installs = std::numeric_limits<uint64_t>::max();
  CHECK(render_prometheus(s).find("petrel_fib_installs_total 18446744073709551615\n") != std::string::npos);
}

TEST_CASE("petrel_draining: 0, and 1 while draining") {
  MetricsSnapshot s;
  CHECK(render_prometheus(s).find("\npetrel_draining 0\n") != std::string::npos);
  s.draining = true;
  CHECK(render_prometheus(s).find("\npetrel_draining 1\n") != std::string::npos);
}

TEST_CASE("parse_metrics_address") {
  auto ok = parse_metrics_address("127.0.0.1:9469");
  REQUIRE(ok.has_value());
  CHECK(ok->address == *IpAddress::parse("127.0.0.1"));
  CHECK(ok->port == 9469);
  ok = parse_metrics_address("[::1]:0");
  REQUIRE(ok.has_value());
  CHECK(ok->address == *IpAddress::parse("::1"));
  CHECK(ok->port == 0);
  ok = parse_metrics_address("0.0.0.0:65535");
  REQUIRE(ok.has_value());
  CHECK(ok->port == 65535);

  struct Bad {
    const char* text;
    const char* error;
  };
  const Bad bad[] = {
      {"", "missing ':PORT'"},
      {"127.0.0.1", "missing ':PORT'"},
      {"127.0.0.1:", "missing port"},
      {"127.0.0.1:http", "port \"http\" is not a number"},
      {"127.0.0.1:-1", "is not a number"},
      {"127.0.0.1:65536", "port out of range 0..65535"},
      {"127.0.0.1:99999999999999999999", "port out of range 0..65535"},
      {"localhost:9469", "\"localhost\" is not an IP address"},
      {"::1:9469", "an IPv6 address needs brackets"},
      {"[::1:9469", "missing ']'"},
      {"[::1]9469", "missing ':PORT' after ']'"},
      {"[127.0.0.1]:9469", "brackets are only for IPv6 addresses"},
      {"[]:9469", "\"\" is not an IP address"},
  };
  for (const Bad& b : bad) {
    auto r = parse_metrics_address(b.text);
    REQUIRE_MESSAGE(!r, b.text);
    CHECK_MESSAGE(r.error().find(b.error) != std::string::npos, r.error());
    CHECK_MESSAGE(r.error().find(std::string("\"") + b.text + "\"") != std::string::npos, r.error());
  }
}

}  // namespace
}  // namespace petrel::daemon
