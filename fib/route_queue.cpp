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
  if (inserted) {
    order_.push_back(prefix);
  } else {
    ++coalesced_;
  }
}

std::vector<RouteChange> RouteQueue::take(std::size_t max) {
  std::vector<RouteChange> out;
  out.reserve(std::min(max, order_.size()));
  while (out.size() < max && !order_.empty()) {
    Prefix prefix = order_.front();
    order_.pop_front();
    auto it = latest_.find(prefix);
    out.push_back({prefix, std::move(it->second)});
    latest_.erase(it);
  }
  return out;
}

}  // namespace petrel::fib
