// fib/route_queue.hpp — the coalescing queue between the route producer (the
// daemon's RIB thread) and the FIB writer thread.
//
// Changes per prefix fold: a prefix appears at most once, holding its latest state
// (a route to install, or nothing = remove), at the position of its first pending
// change. A slow kernel therefore never builds a backlog longer than the number of
// distinct prefixes, and intermediate states are never written. Pure and
// single-threaded: the FibWriter guards it with its mutex.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <deque>
#include <optional>
#include <vector>

#include "fib/route.hpp"

namespace petrel::fib {

struct RouteChange {
  Prefix prefix;
  std::optional<Route> route;  // nullopt: remove the prefix
};

class RouteQueue {
 public:
  void put(Route route);
  void remove(const Prefix& prefix);
  // Up to `max` changes, oldest first; they leave the queue.
  std::vector<RouteChange> take(std::size_t max);
  std::size_t size() const { return latest_.size(); }
  bool empty() const { return latest_.empty(); }
  // Changes folded into an already queued one since construction.
  uint64_t coalesced() const { return coalesced_; }

 private:
  void set(const Prefix& prefix, std::optional<Route> route);

  std::deque<Prefix> order_;
  boost::unordered_flat_map<Prefix, std::optional<Route>, std::hash<Prefix>> latest_;
  uint64_t coalesced_ = 0;
};

}  // namespace petrel::fib
