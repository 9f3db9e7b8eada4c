// The example configuration and inputs shipped in etc/ load, and say what they
// claim to (the examples are documentation; this keeps them true).
#include "policy/config.hpp"
#include "policy/evaluator.hpp"
#include "policy/manifest.hpp"

#include <doctest/doctest.h>

#ifndef PETREL_SOURCE_DIR
#error "PETREL_SOURCE_DIR must be defined by the build"
#endif

using namespace petrel;
using namespace petrel::policy;

TEST_CASE("etc/petrel-policy.yaml and its inputs") {
  auto cfg = load_config(std::string(PETREL_SOURCE_DIR) + "/etc/petrel-policy.yaml");
  REQUIRE_MESSAGE(cfg.has_value(), (cfg ? "" : cfg.error().message));
  auto snap = load_snapshot(cfg->policy_files, cfg->inventory_file);
  REQUIRE_MESSAGE(snap.has_value(), (snap ? "" : snap.error().message));
  CHECK(snap->policies.size() == 3);
  CHECK(snap->pods.size() == 4);
  auto flow = [&](const char* src, const char* dst, uint16_t port, Protocol p) {
    return evaluate(*snap, Flow{*IpAddress::parse(src), *IpAddress::parse(dst), port, p}).allowed;
  };
  CHECK(flow("10.244.2.10", "10.244.1.10", 8080, Protocol::tcp));       // proxy -> web:http
  CHECK(flow("fd00:244:2::10", "fd00:244:1::10", 8080, Protocol::tcp));
  CHECK(!flow("10.244.2.10", "10.244.1.10", 8081, Protocol::tcp));
  CHECK(flow("192.0.2.7", "10.244.1.10", 9105, Protocol::tcp));         // ipBlock, port range
  CHECK(!flow("192.0.2.200", "10.244.1.10", 9105, Protocol::tcp));      // except
  CHECK(flow("10.244.3.10", "10.244.0.53", 53, Protocol::udp));         // batch: DNS only
  CHECK(!flow("10.244.3.10", "10.244.1.10", 8080, Protocol::tcp));
}
