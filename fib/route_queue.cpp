#include "fib/route_queue.hpp"

namespace petrel::fib {

RouteChange* PendingChanges::find(const Prefix& prefix) {
  auto it = slot.find(prefix);
  return it == slot.end() ? nullptr : &changes[it->second];
}

void RouteQueue::put(Route route) {
  Prefix prefix = route.prefix;
  set(prefix, std::move(route));
}

void RouteQueue::remove(const Prefix& prefix) { set(prefix, std::nullopt); }

void RouteQueue::set(const Prefix& prefix, std::optional<Route> route) {
  auto [it, inserted] = pending_.slot.try_emplace(prefix, static_cast<uint32_t>(pending_.changes.size()));
  if (inserted) {
    pending_.changes.push_back({prefix, std::move(route)});
  } else {
    pending_.changes[it->second].route = std::move(route);
    ++coalesced_;
  }
}

void RouteQueue::take_all(PendingChanges& into) {
  into.clear();
  std::swap(pending_, into);
}

void RouteQueue::restore(RouteChange change) {
  auto [it, inserted] = pending_.slot.try_emplace(change.prefix, static_cast<uint32_t>(pending_.changes.size()));
  if (inserted) pending_.changes.push_back(std::move(change));
}

}  // namespace petrel::fib
