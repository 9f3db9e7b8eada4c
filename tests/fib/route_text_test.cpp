// Route text: what parses, to what, and the errors for what does not.
#include "fib/route_text.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::fib;

namespace {
std::optional<uint32_t> ifindex(std::string_view name) {
  if (name == "eth1") return 2;
  return std::nullopt;
}
}  // namespace

TEST_CASE("routes parse to normalized values") {
  auto r = parse_route("10.0.1.0/24 via 10.9.0.2 dev eth1 weight 2 via 10.9.0.1 src 10.9.0.7 metric 20", ifindex);
  REQUIRE(r.has_value());
  CHECK(to_string(*r) == "10.0.1.0/24 via 10.9.0.1 via 10.9.0.2 dev#2 weight 2 src 10.9.0.7 metric 20");
  auto b = parse_route("2001:db8::/32 blackhole");
  REQUIRE(b.has_value());
  CHECK(b->blackhole);
  CHECK(b->nexthops.empty());
  auto single = parse_route("10.0.1.0/24 via 10.9.0.2 weight 5");
  REQUIRE(single.has_value());
  CHECK(single->nexthops[0].weight == 1);  // weights only matter within ECMP
  auto dev = parse_route("10.0.0.0/8 dev eth1", ifindex);
  REQUIRE(dev.has_value());
  CHECK(dev->nexthops[0].gateway.is_unspecified());
  CHECK(dev->nexthops[0].ifindex == 2u);
}

TEST_CASE("bad routes say which word is wrong") {
  struct Row {
    const char* line;
    const char* error;
  };
  for (Row row : std::initializer_list<Row>{
           {"10.0.1.1/24 via 10.9.0.1", "'10.0.1.1/24' is not a canonical prefix"},
           {"10.0.1.0/24", "no next hop: give 'via', 'dev', 'nhid' or 'blackhole'"},
           {"10.0.1.0/24 nhid 0", "nhid: '0' is not 1..4294967295"},
           {"10.0.1.0/24 via", "'via' needs a value"},
           {"10.0.1.0/24 via nowhere", "via: 'nowhere' is not an address"},
           {"2001:db8::/32 via 10.0.0.1", "via: IPv4 next hop for an IPv6 prefix"},
           {"10.0.1.0/24 via 10.9.0.1 dev eth9", "dev: no interface 'eth9'"},
           {"10.0.1.0/24 via 10.9.0.1 weight 0", "weight: '0' is not 1..256"},
           {"10.0.1.0/24 weight 2", "weight: before any 'via' or 'dev'"},
           {"10.0.1.0/24 via 10.9.0.1 metric -1", "metric: '-1' is not 0..4294967295"},
           {"10.0.1.0/24 via 10.9.0.1 src fd00::1", "src: 'fd00::1' is not an address of the prefix's family"},
           {"10.0.1.0/24 blackhole via 10.9.0.1", "a blackhole has no next hops"},
           {"10.0.1.0/24 via 10.9.0.1 mtu 1400", "unknown word 'mtu'"},
       }) {
    CAPTURE(row.line);
    auto r = parse_route(row.line, ifindex);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == row.error);
  }
}

TEST_CASE("route files: comments, blank lines, line numbers, duplicates") {
  auto ok = parse_route_file("# desired\n\n10.0.1.0/24 via 10.9.0.1  # a comment\n10.0.2.0/24 blackhole\n");
  REQUIRE(ok.has_value());
  CHECK(ok->size() == 2);
  auto dup = parse_route_file("10.0.1.0/24 via 10.9.0.1\n\n10.0.1.0/24 blackhole\n");
  REQUIRE_FALSE(dup.has_value());
  CHECK(dup.error().line == 3);
  CHECK(dup.error().message == "10.0.1.0/24 given twice");
  auto bad = parse_route_file("10.0.1.0/24 via 10.9.0.1\nfoo\n");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().line == 2);
}
