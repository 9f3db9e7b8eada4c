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
