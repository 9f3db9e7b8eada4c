// fib/fib_table.hpp — the FibWriter's table: per prefix the route Petrel wants there
// and the kernel key (metric) it knows holds Petrel's route, in one entry.
//
// One entry instead of two tables (desired routes; installed metrics) means one hash
// probe per change where there were two, and the writer keeps an iterator to the
// entry from the moment it builds an operation until the sink's answer is recorded
// (no second probe): at a million routes each probe is a cache miss (bench/README.md,
// FIB section). The desired route is kept as its prefix (the key) and the id of its
// shared attributes (route_attributes.hpp): 32 bytes a slot instead of 168. An entry
// lives while the prefix is wanted or installed. Pure value types; the writer thread
// owns the table.
#pragma once

#include "fib/reconcile.hpp"
#include "fib/route_attributes.hpp"

namespace petrel::fib {

struct FibEntry {
  uint32_t installed_metric = 0;  // valid while `installed`
  bool wanted = false;
  bool installed = false;  // a route of Petrel's protocol is on (prefix, installed_metric)
  RouteAttributeTable::Id attributes = 0;  // of the desired route; held while `wanted`
};

using FibTable = boost::unordered_flat_map<Prefix, FibEntry, PrefixHash, PrefixEqual>;

// The wanted routes of a FibTable, for reconcile().
class WantedRoutes final : public DesiredRoutes {
 public:
  WantedRoutes(const FibTable& table, const RouteAttributeTable& attributes)
      : table_(table), attributes_(attributes) {}
  std::optional<Route> find(const Prefix& prefix) const override {
    auto it = table_.find(prefix);
    if (it == table_.end() || !it->second.wanted) return std::nullopt;
    return attributes_.route(prefix, it->second.attributes);
  }
  void for_each(const std::function<void(const Route&)>& visit) const override {
    for (const auto& [prefix, entry] : table_)
      if (entry.wanted) visit(attributes_.route(prefix, entry.attributes));
  }

 private:
  const FibTable& table_;
  const RouteAttributeTable& attributes_;
};

}  // namespace petrel::fib
