// fib/route_queue.hpp — the coalescing queue between the route producer (the
// daemon's RIB thread) and the FIB writer thread.
//
// Changes per prefix fold: a prefix appears at most once, holding its latest state
// (a route to install, or nothing = remove). A slow kernel therefore never builds a
// backlog longer than the number of distinct prefixes, and intermediate states are
// never written. The writer takes everything queued at once (take_all(), a swap of
// two tables: nothing is copied and, once both have grown, nothing allocated) and
// decides the order itself (fib/kernel_order.hpp), so the queue keeps no order.
// Pure and single-threaded: the FibWriter guards it with its mutex.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <optional>

#include "fib/route.hpp"

namespace petrel::fib {

struct RouteChange {
  Prefix prefix;
  std::optional<Route> route;  // nullopt: remove the prefix
};

// Pending changes by prefix: a route to install, or nullopt = remove.
using PendingChanges = boost::unordered_flat_map<Prefix, std::optional<Route>, std::hash<Prefix>>;

class RouteQueue {
 public:
  void put(Route route);
  void remove(const Prefix& prefix);
  // Every queued change leaves the queue into `into` (cleared first); the queue goes
  // on with `into`'s old storage, so handing the same table back each time reuses
  // its capacity.
  void take_all(PendingChanges& into);
  // Puts back a change that was taken but not applied (the writer stopped) unless a
  // newer change for the prefix is queued by now: the newer one wins.
  void restore(const Prefix& prefix, std::optional<Route> route);
  std::size_t size() const { return latest_.size(); }
  bool empty() const { return latest_.empty(); }
  // Changes folded into an already queued one since construction.
  uint64_t coalesced() const { return coalesced_; }

 private:
  void set(const Prefix& prefix, std::optional<Route> route);

  PendingChanges latest_;
  uint64_t coalesced_ = 0;
};

}  // namespace petrel::fib
