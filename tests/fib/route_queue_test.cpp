// The coalescing queue: latest state per prefix wins; the writer takes everything at once.
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

TEST_CASE("changes to one prefix fold; the latest wins; take_all empties the queue") {
  RouteQueue q;
  q.put(via("10.0.1.0/24", "10.9.0.1"));
  q.put(via("10.0.2.0/24", "10.9.0.1"));
  q.put(via("10.0.1.0/24", "10.9.0.2"));
  q.remove(*Prefix::parse("10.0.2.0/24"));
  q.put(via("10.0.3.0/24", "10.9.0.1"));
  CHECK(q.size() == 3);
  CHECK(q.coalesced() == 2);
  PendingChanges taken;
  q.take_all(taken);
  CHECK(q.empty());
  REQUIRE(taken.size() == 3);
  // In order of first arrival, each with its latest state.
  CHECK(taken.changes[0].prefix == *Prefix::parse("10.0.1.0/24"));
  REQUIRE(taken.changes[0].route.has_value());
  CHECK(taken.changes[0].route->nexthops[0].gateway == *IpAddress::parse("10.9.0.2"));
  CHECK(taken.changes[1].prefix == *Prefix::parse("10.0.2.0/24"));
  CHECK_FALSE(taken.changes[1].route.has_value());
  CHECK(taken.changes[2].prefix == *Prefix::parse("10.0.3.0/24"));
  REQUIRE(taken.find(*Prefix::parse("10.0.3.0/24")) != nullptr);
  CHECK(taken.find(*Prefix::parse("10.0.3.0/24"))->route.has_value());
  CHECK(taken.find(*Prefix::parse("10.0.9.0/24")) == nullptr);
  q.take_all(taken);  // nothing new: `taken` comes back empty
  CHECK(taken.empty());
}

TEST_CASE("a prefix taken and changed again is queued anew") {
  RouteQueue q;
  PendingChanges taken;
  q.put(via("10.0.1.0/24", "10.9.0.1"));
  q.take_all(taken);
  CHECK(taken.size() == 1);
  q.remove(*Prefix::parse("10.0.1.0/24"));
  q.take_all(taken);
  REQUIRE(taken.size() == 1);
  CHECK_FALSE(taken.changes[0].route.has_value());
  CHECK(q.coalesced() == 0);
}

TEST_CASE("a restored change goes back only if nothing newer is queued for its prefix") {
  RouteQueue q;
  PendingChanges taken;
  q.put(via("10.0.1.0/24", "10.9.0.1"));
  q.put(via("10.0.2.0/24", "10.9.0.1"));
  q.take_all(taken);
  q.put(via("10.0.2.0/24", "10.9.0.7"));  // newer than what was taken
  for (RouteChange& change : taken.changes) q.restore(std::move(change));
  q.take_all(taken);
  REQUIRE(taken.size() == 2);
  CHECK(taken.find(*Prefix::parse("10.0.1.0/24"))->route->nexthops[0].gateway == *IpAddress::parse("10.9.0.1"));
  CHECK(taken.find(*Prefix::parse("10.0.2.0/24"))->route->nexthops[0].gateway == *IpAddress::parse("10.9.0.7"));
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
  PendingChanges all;
  q.take_all(all);
  REQUIRE(all.size() == 1000);
  CHECK(all.find(Prefix::make(IpAddress::v4(0x0a000000u), 24))->route->metric == 999'000u);
}
