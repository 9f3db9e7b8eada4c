// Reconcile as a table: (desired, observed) -> operations and counts.
#include "fib/reconcile.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "fib/route_text.hpp"

using namespace petrel;
using namespace petrel::fib;

namespace {

std::optional<uint32_t> ifindex(std::string_view name) {
  if (name == "eth1") return 2;
  if (name == "eth2") return 3;
  return std::nullopt;
}

Route route(std::string_view text) {
  auto r = parse_route(text, ifindex);
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}

RouteTable table(std::initializer_list<std::string_view> lines) {
  RouteTable t;
  for (auto line : lines) {
    Route r = route(line);
    t[r.prefix] = r;
  }
  return t;
}

std::vector<Route> routes(std::initializer_list<std::string_view> lines) {
  std::vector<Route> out;
  for (auto line : lines) out.push_back(route(line));
  return out;
}

// "install <route>" / "replace <route>" / "remove <prefix> metric N", in plan order.
std::vector<std::string> describe(const ReconcilePlan& plan) {
  std::vector<std::string> out;
  for (const Operation& op : plan.operations) {
    out.push_back((op.kind == Operation::Kind::install ? "install " : op.kind == Operation::Kind::replace ? "replace " : "remove ") + to_string(op.route));
  }
  return out;
}

struct Row {
  const char* name;
  RouteTable desired;
  std::vector<Route> observed;
  std::vector<std::string> expected;  // sorted within installs and within removes
  std::size_t adopted, replaced, installed, removed;
};

}  // namespace

TEST_CASE("reconcile table") {
  const std::vector<Row> rows = {
      {"empty kernel: install everything",
       table({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole"}),
       {},
       {"install 10.0.1.0/24 via 10.9.0.1", "install 10.0.2.0/24 blackhole"},
       0, 0, 2, 0},
      {"kernel already right: adopt, no operation",
       table({"10.0.1.0/24 via 10.9.0.1", "2001:db8::/64 via fd00::1 metric 1024"}),
       routes({"10.0.1.0/24 via 10.9.0.1 dev eth1", "2001:db8::/64 via fd00::1 dev eth1 metric 1024"}),
       {},
       2, 0, 0, 0},
      {"IPv6 default metric 1024 matches a desired route without metric",
       table({"2001:db8::/64 via fd00::1"}),
       routes({"2001:db8::/64 via fd00::1 metric 1024"}),
       {},
       1, 0, 0, 0},
      {"nobody wants it any more: remove",
       table({}),
       routes({"10.0.1.0/24 via 10.9.0.1"}),
       {"remove 10.0.1.0/24 metric 0"},
       0, 0, 0, 1},
      {"other next hop: replace in place",
       table({"10.0.1.0/24 via 10.9.0.2"}),
       routes({"10.0.1.0/24 via 10.9.0.1"}),
       {"replace 10.0.1.0/24 via 10.9.0.2"},
       0, 1, 0, 0},
      {"one ECMP member gone: replace with the remaining set",
       table({"10.0.1.0/24 via 10.9.0.1 via 10.8.0.1"}),
       routes({"10.0.1.0/24 via 10.9.0.1 via 10.8.0.1 via 10.7.0.1"}),
       {"replace 10.0.1.0/24 via 10.8.0.1 via 10.9.0.1"},
       0, 1, 0, 0},
      {"ECMP members in another order: adopt",
       table({"10.0.1.0/24 via 10.9.0.1 via 10.8.0.1"}),
       routes({"10.0.1.0/24 via 10.8.0.1 dev eth2 via 10.9.0.1 dev eth1"}),
       {},
       1, 0, 0, 0},
      {"ECMP weight differs: replace",
       table({"10.0.1.0/24 via 10.9.0.1 weight 2 via 10.8.0.1"}),
       routes({"10.0.1.0/24 via 10.9.0.1 via 10.8.0.1"}),
       {"replace 10.0.1.0/24 via 10.8.0.1 via 10.9.0.1 weight 2"},
       0, 1, 0, 0},
      {"desired interface differs from the kernel's: replace",
       table({"10.0.1.0/24 via 10.9.0.1 dev eth2"}),
       routes({"10.0.1.0/24 via 10.9.0.1 dev eth1"}),
       {"replace 10.0.1.0/24 via 10.9.0.1 dev#3"},
       0, 1, 0, 0},
      {"blackhole became a unicast route: replace",
       table({"10.244.1.0/24 via 10.9.0.1"}),
       routes({"10.244.1.0/24 blackhole"}),
       {"replace 10.244.1.0/24 via 10.9.0.1"},
       0, 1, 0, 0},
      {"preferred source added: replace",
       table({"10.0.1.0/24 via 10.9.0.1 src 10.9.0.7"}),
       routes({"10.0.1.0/24 via 10.9.0.1"}),
       {"replace 10.0.1.0/24 via 10.9.0.1 src 10.9.0.7"},
       0, 1, 0, 0},
      {"metric changed: install the new key first, then remove the old one",
       table({"10.0.1.0/24 via 10.9.0.1 metric 20"}),
       routes({"10.0.1.0/24 via 10.9.0.1 metric 10"}),
       {"install 10.0.1.0/24 via 10.9.0.1 metric 20", "remove 10.0.1.0/24 metric 10"},
       0, 0, 1, 1},
      {"two kernel routes of one prefix, one right: keep it, remove the other",
       table({"10.0.1.0/24 via 10.9.0.1 metric 20"}),
       routes({"10.0.1.0/24 via 10.9.0.5 metric 10", "10.0.1.0/24 via 10.9.0.1 metric 20"}),
       {"remove 10.0.1.0/24 metric 10"},
       1, 0, 0, 1},
      {"two kernel routes of one prefix, none right: replace the one with our metric",
       table({"10.0.1.0/24 via 10.9.0.1 metric 20"}),
       routes({"10.0.1.0/24 via 10.9.0.5 metric 10", "10.0.1.0/24 via 10.9.0.6 metric 20"}),
       {"replace 10.0.1.0/24 via 10.9.0.1 metric 20", "remove 10.0.1.0/24 metric 10"},
       0, 1, 0, 1},
      {"mixed: adopt, replace, install, remove together",
       table({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 via 10.9.0.1", "10.0.3.0/24 blackhole"}),
       routes({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 via 10.9.0.2", "10.0.4.0/24 via 10.9.0.1"}),
       {"install 10.0.3.0/24 blackhole", "replace 10.0.2.0/24 via 10.9.0.1", "remove 10.0.4.0/24 metric 0"},
       1, 1, 1, 1},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    // Every order of the observed routes gives the same plan.
    std::vector<Route> observed = row.observed;
    std::sort(observed.begin(), observed.end(), [](const Route& a, const Route& b) { return to_string(a) < to_string(b); });
    do {
      ReconcilePlan plan = reconcile(row.desired, observed);
      auto got = describe(plan);
      // Installs come before removes; within each kind the order is free.
      auto first_remove = std::find_if(got.begin(), got.end(), [](const std::string& s) { return s.starts_with("remove"); });
      CHECK(std::none_of(first_remove, got.end(), [](const std::string& s) { return !s.starts_with("remove"); }));
      std::sort(got.begin(), first_remove);
      std::sort(first_remove, got.end());
      CHECK(got == row.expected);
      CHECK(plan.adopted == row.adopted);
      CHECK(plan.replaced == row.replaced);
      CHECK(plan.installed == row.installed);
      CHECK(plan.removed == row.removed);
    } while (std::next_permutation(observed.begin(), observed.end(),
                                   [](const Route& a, const Route& b) { return to_string(a) < to_string(b); }));
  }
}

TEST_CASE("reconciling the result of a plan gives no operations") {
  RouteTable desired = table({"10.0.1.0/24 via 10.9.0.1 via 10.8.0.1", "10.0.2.0/24 blackhole metric 5"});
  std::vector<Route> kernel = routes({"10.0.1.0/24 via 10.7.0.1", "10.0.9.0/24 blackhole"});
  ReconcilePlan plan = reconcile(desired, kernel);
  // Apply the plan to a model kernel keyed by (prefix, metric).
  for (const Operation& op : plan.operations) {
    auto same_key = [&](const Route& r) {
      return r.prefix == op.route.prefix && effective_metric(r) == effective_metric(op.route);
    };
    std::erase_if(kernel, same_key);
    if (op.kind != Operation::Kind::remove) kernel.push_back(op.route);
  }
  ReconcilePlan again = reconcile(desired, kernel);
  CHECK(again.operations.empty());
  CHECK(again.adopted == 2);
}
