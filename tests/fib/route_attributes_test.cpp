// The shared route attributes: one id per distinct set, reference counted, the
// whole route given back; a forgotten set's id is reused.
#include "fib/route_attributes.hpp"

#include <doctest/doctest.h>

#include "fib/route_text.hpp"

#include <algorithm>
#include <string>

using namespace petrel;
using namespace petrel::fib;

namespace {
Route route(std::string_view text) {
  // Interface "ethN" is index N.
  auto r = parse_route(text, [](std::string_view name) -> std::optional<uint32_t> {
    if (!name.starts_with("eth")) return std::nullopt;
    return static_cast<uint32_t>(std::stoul(std::string(name.substr(3))));
  });
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}
}  // namespace

TEST_CASE("prefixes with the same attributes share one id; the route comes back whole") {
  RouteAttributeTable table;
  auto a = table.acquire(route("10.0.0.0/24 via 10.9.0.1"));
  auto b = table.acquire(route("10.0.1.0/24 via 10.9.0.1"));
  auto c = table.acquire(route("10.0.2.0/24 via 10.9.0.2"));
  CHECK(a != 0);
  CHECK(a == b);
  CHECK(c != a);
  CHECK(table.size() == 2);
  CHECK(table.references(a) == 2);
  // After another set, the first is found again by its attributes, not only as the last one.
  CHECK(table.acquire(route("10.0.3.0/24 via 10.9.0.1")) == a);
  CHECK(table.references(a) == 3);

  Route full = route("10.0.4.0/24 via 10.9.0.1 weight 2 via 10.9.0.2 weight 3 src 10.9.0.9 metric 20");
  auto d = table.acquire(full);
  CHECK(to_string(table.route(*Prefix::parse("10.0.4.0/24"), d)) == to_string(full));
  CHECK(table.route(*Prefix::parse("10.0.4.0/24"), d) == full);
  CHECK(table.effective_metric(*Prefix::parse("10.0.4.0/24"), d) == 20);
  CHECK(table.effective_metric(*Prefix::parse("10.0.0.0/24"), a) == 0);
  auto v6 = table.acquire(route("2001:db8::/64 via fe80::1 dev eth3"));
  CHECK(table.effective_metric(*Prefix::parse("2001:db8::/64"), v6) == 1024);
}

TEST_CASE("every attribute tells sets apart") {
  RouteAttributeTable table;
  const char* variants[] = {
      "10.0.0.0/24 via 10.9.0.1",           "10.0.0.0/24 via 10.9.0.1 metric 5",
      "10.0.0.0/24 via 10.9.0.1 src 10.9.0.9", "10.0.0.0/24 blackhole",
      "10.0.0.0/24 via 10.9.0.1 via 10.9.0.2", "10.0.0.0/24 via 10.9.0.1 dev eth7",
  };
  std::vector<RouteAttributeTable::Id> ids;
  for (const char* v : variants) ids.push_back(table.acquire(route(v)));
  std::sort(ids.begin(), ids.end());
  CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
  CHECK(table.size() == std::size(variants));
  Route with_object = route("10.0.0.0/24 via 10.9.0.1");
  with_object.nexthop_id = 42;
  CHECK(table.acquire(with_object) != table.acquire(route("10.0.0.0/24 via 10.9.0.1")));
}

TEST_CASE("a set is forgotten with its last reference and its id reused") {
  RouteAttributeTable table;
  auto a = table.acquire(route("10.0.0.0/24 via 10.9.0.1"));
  table.acquire(route("10.0.1.0/24 via 10.9.0.1"));
  table.release(a);
  CHECK(table.size() == 1);
  table.release(a);
  CHECK(table.size() == 0);
  // The last set acquired is gone: the same attributes get a fresh set (the old id).
  auto b = table.acquire(route("10.0.2.0/24 via 10.9.0.1"));
  CHECK(b == a);
  CHECK(table.references(b) == 1);
  auto c = table.acquire(route("10.0.2.0/24 via 10.9.0.7"));
  CHECK(c != b);
  CHECK(to_string(table.route(*Prefix::parse("10.0.2.0/24"), c)) == "10.0.2.0/24 via 10.9.0.7");
}
