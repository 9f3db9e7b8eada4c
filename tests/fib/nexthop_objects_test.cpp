// Nexthop object bookkeeping: sharing, groups over members, reference counts,
// collection order, adoption after a restart.
#include "fib/nexthop_objects.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::fib;

namespace {
Route::NextHops hops(std::initializer_list<std::pair<const char*, uint16_t>> list) {
  Route::NextHops out;
  for (auto [gateway, weight] : list) out.push_back({*IpAddress::parse(gateway), 0, weight});
  return out;
}
}  // namespace

TEST_CASE("routes with the same next hops share one object; ECMP sets become groups over shared members") {
  NexthopObjects objects(100);
  std::vector<NexthopObject> created;
  uint32_t a = objects.acquire(hops({{"10.1.0.2", 1}}), created);
  uint32_t a2 = objects.acquire(hops({{"10.1.0.2", 1}}), created);
  CHECK(a == a2);
  REQUIRE(created.size() == 1);
  CHECK(created[0].gateway == *IpAddress::parse("10.1.0.2"));
  created.clear();
  uint32_t g = objects.acquire(hops({{"10.1.0.2", 1}, {"10.2.0.2", 3}}), created);
  REQUIRE(created.size() == 2);  // the new member, then the group
  CHECK(created[0].gateway == *IpAddress::parse("10.2.0.2"));
  CHECK(created[1].id == g);
  CHECK(created[1].group == std::vector<std::pair<uint32_t, uint16_t>>{{a, 1}, {created[0].id, 3}});
  created.clear();
  CHECK(objects.acquire(hops({{"10.1.0.2", 1}, {"10.2.0.2", 3}}), created) == g);
  CHECK(created.empty());
  CHECK(objects.size() == 3);
}

TEST_CASE("unused objects are collected, groups before their members") {
  NexthopObjects objects(100);
  std::vector<NexthopObject> created;
  uint32_t single = objects.acquire(hops({{"10.1.0.2", 1}}), created);
  uint32_t group = objects.acquire(hops({{"10.1.0.2", 1}, {"10.2.0.2", 1}}), created);
  CHECK(objects.collect_unused().empty());
  objects.release(group);
  auto unused = objects.collect_unused();
  REQUIRE(unused.size() == 2);
  CHECK(unused[0] == group);           // the group goes first
  CHECK(unused[1] != single);          // 10.2.0.2 had no other user; 10.1.0.2 still has one
  CHECK(objects.owns(single));
  objects.release(single);
  CHECK(objects.collect_unused() == std::vector<uint32_t>{single});
  CHECK(objects.size() == 0);
}

TEST_CASE("adoption after a restart: objects of ours, used by the routes found; the rest collected") {
  NexthopObjects objects(100);
  NexthopObject member{7, *IpAddress::parse("10.1.0.2"), 3, {}};
  NexthopObject other{8, *IpAddress::parse("10.2.0.2"), 4, {}};
  NexthopObject group{9, {}, 0, {{7, 1}, {8, 1}}};
  NexthopObject stale{10, *IpAddress::parse("10.3.0.2"), 5, {}};
  for (const auto& o : {group, member, other, stale}) objects.adopt(o);
  objects.adopt_done();
  objects.retain(9);  // a route uses the group
  CHECK(objects.collect_unused() == std::vector<uint32_t>{10});
  // New ids never reuse an adopted one.
  std::vector<NexthopObject> created;
  objects.acquire(hops({{"10.9.0.1", 1}}), created);
  REQUIRE(created.size() == 1);
  CHECK(created[0].id == 100);
  NexthopObjects low(7);
  low.adopt(member);
  created.clear();
  low.acquire(hops({{"10.9.0.1", 1}}), created);
  CHECK(created[0].id == 8);
}
