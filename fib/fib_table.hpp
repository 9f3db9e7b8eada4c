// fib/fib_table.hpp — the FibWriter's table: per prefix, the route Petrel wants there
// and the kernel key (metric) it knows holds Petrel's route, in one entry.
//
// One entry instead of two tables (desired routes; installed metrics) means one hash
// probe per change where there were two, and the writer keeps a pointer to the entry
// from the moment it builds an operation until the sink's answer is recorded (no
// second probe): at a million routes each probe is a cache miss (bench/README.md,
// FIB section). An entry lives while the prefix is wanted or installed. Pure value
// types; the writer thread owns the table.
#pragma once

#include "fib/reconcile.hpp"

namespace petrel::fib {

struct FibEntry {
  // The state first: beside the key, in the cache line a probe reads anyway.
  uint32_t installed_metric = 0;  // valid while `installed`
  bool wanted = false;
  bool installed = false;  // a route of Petrel's protocol is on (prefix, installed_metric)
  Route route;             // the desired route (valid while `wanted`)
};

using FibTable = boost::unordered_flat_map<Prefix, FibEntry, PrefixHash, PrefixEqual>;

// The wanted routes of a FibTable, for reconcile().
class WantedRoutes final : public DesiredRoutes {
 public:
  explicit WantedRoutes(const FibTable& table) : table_(table) {}
  const Route* find(const Prefix& prefix) const override {
    auto it = table_.find(prefix);
    return it != table_.end() && it->second.wanted ? &it->second.route : nullptr;
  }
  void for_each(const std::function<void(const Route&)>& visit) const override {
    for (const auto& [prefix, entry] : table_)
      if (entry.wanted) visit(entry.route);
  }

 private:
  const FibTable& table_;
};

}  // namespace petrel::fib
