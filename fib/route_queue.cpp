#include "fib/route_queue.hpp"

namespace petrel::fib {

void RouteQueue::put(Route route) {
  Prefix prefix = route.prefix;
  set(prefix, std::move(route));
}

void RouteQueue::remove(const Prefix& prefix) { set(prefix, std::nullopt); }

void RouteQueue::set(const Prefix& prefix, std::optional<Route> route) {
  auto [it, inserted] = latest_.try_emplace(prefix);
  it->second = std::move(route);
  if (!inserted) ++coalesced_;
}

void RouteQueue::take_all(PendingChanges& into) {
  into.clear();  // keeps its buckets
  latest_.swap(into);
}

void RouteQueue::restore(const Prefix& prefix, std::optional<Route> route) {
  latest_.try_emplace(prefix, std::move(route));
}

}  // namespace petrel::fib
