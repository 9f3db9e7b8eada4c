#include "fib/usable_route.hpp"

#include <algorithm>

namespace petrel::fib {

std::optional<Route> usable_route(const Route& wanted, const NextHopTracker& tracker) {
  if (wanted.blackhole) return wanted;
  Route out = wanted;
  auto unusable = [&](const NextHop& nh) {
    if (nh.gateway.is_unspecified()) return !tracker.link_is_up(nh.ifindex);
    NextHopState state = tracker.resolve(nh.gateway);
    if (!state.reachable) return true;
    return nh.ifindex != 0 && !tracker.link_is_up(nh.ifindex);
  };
  out.nexthops.erase(std::remove_if(out.nexthops.begin(), out.nexthops.end(), unusable), out.nexthops.end());
  if (out.nexthops.empty()) return std::nullopt;
  normalize(out);
  return out;
}

}  // namespace petrel::fib
