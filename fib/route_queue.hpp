// fib/route_queue.hpp — the coalescing queue between the route producer (the
// daemon's RIB thread) and the FIB writer thread.
//
// Changes per prefix fold: a prefix appears at most once, holding its latest state
// (a route to install, or nothing = remove). A slow kernel therefore never builds a
// backlog longer than the number of distinct prefixes, and intermediate states are
// never written. The writer takes everything queued at once (take_all(), a swap:
// nothing is copied and, once both sides have grown, nothing allocated) and decides
// the order itself (fib/kernel_order.hpp).
//
// Layout: the changes sit in one vector in order of first arrival, and a small
// hash index maps each prefix to its slot. A put is one probe of the index (24-byte
// entries) and an append or an overwrite in place; at a million prefixes that costs
// the producer far less than a hash table holding whole routes (bench/README.md).
// Pure and single-threaded: the FibWriter guards it with its mutex.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <optional>
#include <vector>

#include "fib/route.hpp"

namespace petrel::fib {

struct RouteChange {
  Prefix prefix;
  std::optional<Route> route;  // nullopt: remove the prefix
};

// Pending changes, one per prefix, in order of first arrival.
struct PendingChanges {
  std::vector<RouteChange> changes;
  boost::unordered_flat_map<Prefix, uint32_t, PrefixHash, PrefixEqual> slot;  // prefix -> index in changes

  std::size_t size() const { return changes.size(); }
  bool empty() const { return changes.empty(); }
  void clear() {  // keeps the capacity of both
    changes.clear();
    slot.clear();
  }
  // The pending change of `prefix`, or nullptr.
  RouteChange* find(const Prefix& prefix);
};

class RouteQueue {
 public:
  void put(Route route);
  void remove(const Prefix& prefix);
  // Every queued change leaves the queue into `into` (cleared first); the queue goes
  // on with `into`'s old storage, so handing the same object back each time reuses
  // its capacity.
  void take_all(PendingChanges& into);
  // Puts back a change that was taken but not applied (the writer stopped) unless a
  // newer change for the prefix is queued by now: the newer one wins.
  void restore(RouteChange change);
  std::size_t size() const { return pending_.size(); }
  bool empty() const { return pending_.empty(); }
  // Changes folded into an already queued one since construction.
  uint64_t coalesced() const { return coalesced_; }

 private:
  void set(const Prefix& prefix, std::optional<Route> route);

  PendingChanges pending_;
  uint64_t coalesced_ = 0;
};

}  // namespace petrel::fib
