// Next-hop resolution: connected prefixes, recursive lookups, link state, changes.
#include "fib/nexthop_tracker.hpp"

#include "fib/usable_route.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::fib;

namespace {
IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Prefix pfx(const char* s) { return *Prefix::parse(s); }

KernelRoute kroute(const char* prefix, const char* gateway, uint32_t ifindex, uint32_t metric, uint8_t protocol = 4,
                   KernelRoute::Type type = KernelRoute::Type::unicast) {
  KernelRoute k;
  k.route.prefix = pfx(prefix);
  if (gateway != nullptr) {
    k.route.nexthops.push_back({ip(gateway), ifindex, 1});
  } else if (ifindex != 0) {
    k.route.nexthops.push_back({k.route.prefix.is_v4() ? IpAddress::v4(0) : IpAddress::v6({}), ifindex, 1});
  }
  k.route.metric = metric;
  k.protocol = protocol;
  k.type = type;
  k.route.blackhole = type == KernelRoute::Type::blackhole;
  return k;
}

NextHopTracker two_links() {
  NextHopTracker t;
  t.set_link(2, true);
  t.set_link(3, true);
  t.add_address(2, pfx("10.1.0.0/24"));
  t.add_address(3, pfx("10.2.0.0/24"));
  t.add_address(2, pfx("fd00:1::/64"));
  return t;
}
}  // namespace

TEST_CASE("a next hop on a connected prefix resolves at cost 0 through its interface") {
  NextHopTracker t = two_links();
  CHECK(t.resolve(ip("10.1.0.2")) == NextHopState{true, 0, 2, ip("10.1.0.2")});  // on link: itself
  CHECK(t.resolve(ip("10.2.0.9")) == NextHopState{true, 0, 3, ip("10.2.0.9")});
  CHECK(t.resolve(ip("fd00:1::2")) == NextHopState{true, 0, 2, ip("fd00:1::2")});
  CHECK_FALSE(t.resolve(ip("10.3.0.1")).reachable);
  CHECK_FALSE(t.resolve(ip("fd00:2::1")).reachable);
}

TEST_CASE("a link going down makes its next hops unreachable; up again restores them") {
  NextHopTracker t = two_links();
  t.set_link(2, false);
  CHECK_FALSE(t.resolve(ip("10.1.0.2")).reachable);
  CHECK(t.resolve(ip("10.2.0.9")).reachable);
  t.set_link(2, true);
  CHECK(t.resolve(ip("10.1.0.2")).reachable);
  t.remove_link(2);
  CHECK_FALSE(t.resolve(ip("10.1.0.2")).reachable);
}

TEST_CASE("multihop next hops resolve recursively through the kernel table, cost = route metric") {
  NextHopTracker t = two_links();
  t.add_route(kroute("192.0.2.0/24", "10.1.0.254", 0, 20));
  t.add_route(kroute("198.51.100.0/24", "192.0.2.1", 0, 30));  // via a recursive gateway
  // The gateway traffic goes to is where the recursion ends, on a link.
  CHECK(t.resolve(ip("192.0.2.7")) == NextHopState{true, 20, 2, ip("10.1.0.254")});
  CHECK(t.resolve(ip("198.51.100.7")) == NextHopState{true, 30, 2, ip("10.1.0.254")});
  // Longest match wins even when it cannot forward.
  t.add_route(kroute("192.0.2.128/25", "10.7.0.1", 0, 5));
  CHECK_FALSE(t.resolve(ip("192.0.2.200")).reachable);
  CHECK(t.resolve(ip("192.0.2.7")).reachable);
  // The lowest metric of one prefix is the one used.
  t.add_route(kroute("192.0.2.0/24", "10.2.0.254", 0, 10));
  CHECK(t.resolve(ip("192.0.2.7")) == NextHopState{true, 10, 3, ip("10.2.0.254")});
  t.remove_route(kroute("192.0.2.0/24", "10.2.0.254", 0, 10));
  CHECK(t.resolve(ip("192.0.2.7")) == NextHopState{true, 20, 2, ip("10.1.0.254")});
  // The gateway's link going down takes the recursive path with it.
  t.set_link(2, false);
  CHECK_FALSE(t.resolve(ip("192.0.2.7")).reachable);
  CHECK_FALSE(t.resolve(ip("198.51.100.7")).reachable);
}

TEST_CASE("own-protocol routes, blackholes, other tables and the default route never resolve") {
  NextHopTracker t = two_links();
  t.add_route(kroute("192.0.2.0/24", "10.1.0.254", 0, 20, /*protocol=*/201));
  CHECK_FALSE(t.resolve(ip("192.0.2.7")).reachable);
  t.add_route(kroute("0.0.0.0/0", "10.1.0.1", 0, 0));
  CHECK_FALSE(t.resolve(ip("203.0.113.1")).reachable);
  t.add_route(kroute("203.0.113.0/24", nullptr, 0, 0, 4, KernelRoute::Type::blackhole));
  CHECK_FALSE(t.resolve(ip("203.0.113.1")).reachable);
  KernelRoute other_table = kroute("100.64.0.0/10", "10.1.0.1", 0, 0);
  other_table.table = 100;
  t.add_route(other_table);
  CHECK_FALSE(t.resolve(ip("100.64.0.1")).reachable);

  NextHopTracker with_default({.resolve_via_default = true});
  with_default.set_link(2, true);
  with_default.add_address(2, pfx("10.1.0.0/24"));
  with_default.add_route(kroute("0.0.0.0/0", "10.1.0.1", 0, 7));
  CHECK(with_default.resolve(ip("203.0.113.1")) == NextHopState{true, 7, 2, ip("10.1.0.1")});
}

TEST_CASE("a device route resolves while its link is up") {
  NextHopTracker t = two_links();
  t.add_route(kroute("172.16.0.0/16", nullptr, 3, 100));
  CHECK(t.resolve(ip("172.16.5.5")) == NextHopState{true, 100, 3, ip("172.16.5.5")});  // on link through the device route
  t.set_link(3, false);
  CHECK_FALSE(t.resolve(ip("172.16.5.5")).reachable);
}

TEST_CASE("refresh() lists the watched next hops whose state changed") {
  NextHopTracker t = two_links();
  t.watch(ip("10.1.0.2"));
  t.watch(ip("10.2.0.2"));
  t.watch(ip("10.5.0.2"));
  std::vector<IpAddress> reported;
  t.on_change([&](const std::vector<IpAddress>& changed) { reported = changed; });
  CHECK(t.refresh().empty());
  CHECK(reported.empty());
  t.set_link(2, false);
  CHECK(t.refresh() == std::vector<IpAddress>{ip("10.1.0.2")});
  CHECK(reported == std::vector<IpAddress>{ip("10.1.0.2")});
  CHECK(t.refresh().empty());
  t.add_address(2, pfx("10.5.0.0/24"));
  t.set_link(2, true);
  CHECK(t.refresh() == std::vector<IpAddress>{ip("10.1.0.2"), ip("10.5.0.2")});
  t.unwatch(ip("10.1.0.2"));
  t.remove_address(2, pfx("10.1.0.0/24"));
  CHECK(t.refresh().empty());
}

TEST_CASE("resolve_connected() ignores routes; refresh() reports a change seen only that way") {
  NextHopTracker t;
  t.set_link(2, true);
  // A kernel route for the prefix (as `ip route add 10.7.0.0/24 dev ...` would give) but no address.
  t.add_route(kroute("10.7.0.0/24", nullptr, 2, 0));
  CHECK(t.resolve(ip("10.7.0.5")) == NextHopState{true, 0, 2, ip("10.7.0.5")});
  CHECK_FALSE(t.resolve_connected(ip("10.7.0.5")).reachable);
  t.watch(ip("10.7.0.5"));
  CHECK(t.watched() == 1);
  // The address arrives: resolve() says the same as before (cost 0, interface 2),
  // resolve_connected() now says reachable: a change.
  t.add_address(2, pfx("10.7.0.0/24"));
  CHECK(t.resolve(ip("10.7.0.5")) == NextHopState{true, 0, 2, ip("10.7.0.5")});
  CHECK(t.resolve_connected(ip("10.7.0.5")) == NextHopState{true, 0, 2, ip("10.7.0.5")});
  CHECK(t.refresh() == std::vector<IpAddress>{ip("10.7.0.5")});
  CHECK(t.refresh().empty());
  t.unwatch(ip("10.7.0.5"));
  CHECK(t.watched() == 0);
}

TEST_CASE("refresh() reports a next hop whose gateway changed, at the same cost and interface") {
  NextHopTracker t = two_links();
  t.add_route(kroute("192.0.2.0/24", "10.1.0.254", 0, 20));
  t.watch(ip("192.0.2.7"));
  t.add_route(kroute("192.0.2.0/24", "10.1.0.253", 0, 20));  // replaces: same prefix and metric
  CHECK(t.resolve(ip("192.0.2.7")) == NextHopState{true, 20, 2, ip("10.1.0.253")});
  CHECK(t.refresh() == std::vector<IpAddress>{ip("192.0.2.7")});
}

TEST_CASE("an address reported twice (RTM_NEWADDR repeated) is removed by one RTM_DELADDR") {
  NextHopTracker t;
  t.set_link(2, true);
  t.add_address(2, pfx("10.8.0.0/24"));
  t.add_address(2, pfx("10.8.0.0/24"));
  CHECK(t.resolve_connected(ip("10.8.0.9")).reachable);
  t.remove_address(2, pfx("10.8.0.0/24"));
  CHECK_FALSE(t.resolve_connected(ip("10.8.0.9")).reachable);
}

TEST_CASE("usable_route keeps the ECMP members that can forward and withdraws a route with none") {
  NextHopTracker t = two_links();
  Route r;
  r.prefix = pfx("10.50.0.0/24");
  r.nexthops = {{ip("10.1.0.2"), 0, 1}, {ip("10.2.0.2"), 0, 1}};
  normalize(r);
  CHECK(usable_route(r, t) == r);
  t.set_link(2, false);
  auto one = usable_route(r, t);
  REQUIRE(one.has_value());
  REQUIRE(one->nexthops.size() == 1);
  CHECK(one->nexthops[0].gateway == ip("10.2.0.2"));
  t.set_link(3, false);
  CHECK_FALSE(usable_route(r, t).has_value());
  Route blackhole;
  blackhole.prefix = pfx("10.244.1.0/24");
  blackhole.blackhole = true;
  CHECK(usable_route(blackhole, t) == blackhole);
  // A next hop pinned to an interface needs that interface up too.
  t.set_link(2, true);
  Route pinned;
  pinned.prefix = pfx("10.60.0.0/24");
  pinned.nexthops = {{ip("10.1.0.2"), 3, 1}};
  CHECK_FALSE(usable_route(pinned, t).has_value());
}
