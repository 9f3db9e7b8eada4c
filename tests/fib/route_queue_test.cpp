// The coalescing queue: latest state per prefix wins, at the first change's position.
#include "fib/route_queue.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::fib;

namespace {
Route via(const char* prefix, const char* gateway) {
  Route r;
  r.prefix = *Prefix::parse(prefix);
  r.nexthops.push_back({*IpAddress::parse(gateway), 0, 1});
  return r;
}
}  // namespace

TEST_CASE("changes to one prefix fold; the latest wins; order is first arrival") {
  RouteQueue q;
  q.put(via("10.0.1.0/24", "10.9.0.1"));
  q.put(via("10.0.2.0/24", "10.9.0.1"));
  q.put(via("10.0.1.0/24", "10.9.0.2"));
  q.remove(*Prefix::parse("10.0.2.0/24"));
  q.put(via("10.0.3.0/24", "10.9.0.1"));
  CHECK(q.size() == 3);
  CHECK(q.coalesced() == 2);
  auto first = q.take(2);
  REQUIRE(first.size() == 2);
  CHECK(first[0].prefix == *Prefix::parse("10.0.1.0/24"));
  REQUIRE(first[0].route.has_value());
  CHECK(first[0].route->nexthops[0].gateway == *IpAddress::parse("10.9.0.2"));
  CHECK(first[1].prefix == *Prefix::parse("10.0.2.0/24"));
  CHECK_FALSE(first[1].route.has_value());
  auto rest = q.take(100);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].prefix == *Prefix::parse("10.0.3.0/24"));
  CHECK(q.empty());
  CHECK(q.take(10).empty());
}

TEST_CASE("a prefix taken and changed again is queued anew") {
  RouteQueue q;
  q.put(via("10.0.1.0/24", "10.9.0.1"));
  CHECK(q.take(1).size() == 1);
  q.remove(*Prefix::parse("10.0.1.0/24"));
  auto again = q.take(1);
  REQUIRE(again.size() == 1);
  CHECK_FALSE(again[0].route.has_value());
  CHECK(q.coalesced() == 0);
}

TEST_CASE("a million changes over a thousand prefixes leave a thousand entries") {
  RouteQueue q;
  for (uint32_t i = 0; i < 1'000'000; ++i) {
    Route r;
    r.prefix = Prefix::make(IpAddress::v4(0x0a000000u + ((i % 1000) << 8)), 24);
    r.metric = i;
    q.put(std::move(r));
  }
  CHECK(q.size() == 1000);
  auto all = q.take(2000);
  REQUIRE(all.size() == 1000);
  CHECK(all[0].route->metric == 999'000u);
}
