// The Prometheus text rendering of petrel-policy's metrics.
#include "policy/metrics.hpp"

#include <doctest/doctest.h>

using namespace petrel::policy;

TEST_CASE("metrics render in the text exposition format, sorted") {
  Metrics m;
  m.describe("petrel_policy_syncs_total", "counter", "Writes.");
  m.add("petrel_policy_syncs_total", "family=\"ipv6\",kind=\"full\"", 1);
  m.add("petrel_policy_syncs_total", "family=\"ipv4\",kind=\"full\"", 1);
  m.add("petrel_policy_syncs_total", "family=\"ipv4\",kind=\"full\"", 2);
  m.set("petrel_policy_last_sync_seconds", "", 0.25);
  CHECK(m.render() ==
        "# TYPE petrel_policy_last_sync_seconds gauge\n"
        "petrel_policy_last_sync_seconds 0.25\n"
        "# HELP petrel_policy_syncs_total Writes.\n"
        "# TYPE petrel_policy_syncs_total counter\n"
        "petrel_policy_syncs_total{family=\"ipv4\",kind=\"full\"} 3\n"
        "petrel_policy_syncs_total{family=\"ipv6\",kind=\"full\"} 1\n");
}

TEST_CASE("metrics server refuses bad addresses") {
  Metrics m;
  MetricsServer s(m);
  CHECK(s.start("nonsense").has_error());
  CHECK(s.start("127.0.0.1:0x").has_error());
  CHECK(s.start("localhost:9470").has_error());
}

TEST_CASE("probes: /healthz always, /readyz only after the first sync, anything else the metrics") {
  Metrics m;
  m.describe("petrel_policy_rules", "gauge", "Rules.");
  m.set("petrel_policy_rules", "family=\"ipv4\"", 7);
  auto head = [](const std::string& target) { return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"; };
  CHECK(http_response(head("/healthz"), false, m).rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  std::string not_ready = http_response(head("/readyz"), false, m);
  CHECK(not_ready.rfind("HTTP/1.0 503 Service Unavailable\r\n", 0) == 0);
  CHECK(not_ready.find("not ready") != std::string::npos);
  CHECK(http_response(head("/readyz"), true, m).rfind("HTTP/1.0 200 OK\r\n", 0) == 0);
  std::string metrics = http_response(head("/metrics?x=1"), false, m);
  CHECK(metrics.rfind("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n", 0) == 0);
  CHECK(metrics.find("petrel_policy_rules{family=\"ipv4\"} 7\n") != std::string::npos);
  CHECK(metrics.find("Content-Length: " + std::to_string(m.render().size()) + "\r\n") != std::string::npos);
  CHECK(http_response("garbage", false, m).rfind("HTTP/1.0 200 OK", 0) == 0);  // the metrics, as before
}
