#include "fib/route.hpp"

#include <algorithm>

namespace petrel::fib {

void normalize(Route& route) {
  std::sort(route.nexthops.begin(), route.nexthops.end());
  route.nexthops.erase(std::unique(route.nexthops.begin(), route.nexthops.end()), route.nexthops.end());
  if (route.blackhole) route.nexthops.clear();
  if (route.nexthops.size() == 1) route.nexthops[0].weight = 1;
}

bool kernel_matches(const Route& desired, const Route& observed) {
  // A desired route without a nexthop object matches a kernel route with one when the
  // next hops (which the kernel reports beside RTA_NH_ID) are the same.
  if (desired.nexthop_id != 0) {  // the object's members are the kernel's business
    if (desired.nexthop_id != observed.nexthop_id) return false;
    return desired.prefix == observed.prefix && desired.preferred_source == observed.preferred_source &&
           effective_metric(desired) == effective_metric(observed);
  }
  if (desired.prefix != observed.prefix || desired.blackhole != observed.blackhole ||
      desired.preferred_source != observed.preferred_source ||
      effective_metric(desired) != effective_metric(observed) ||
      desired.nexthops.size() != observed.nexthops.size()) {
    return false;
  }
  // Multiset match; ECMP sets are small (ecmp-max-paths), so quadratic is fine.
  std::vector<bool> used(observed.nexthops.size(), false);
  for (const NextHop& want : desired.nexthops) {
    bool found = false;
    for (std::size_t i = 0; i < observed.nexthops.size() && !found; ++i) {
      const NextHop& have = observed.nexthops[i];
      if (used[i] || have.gateway != want.gateway || have.weight != want.weight) continue;
      if (want.ifindex != 0 && have.ifindex != want.ifindex) continue;
      used[i] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

std::string to_string(const Route& route) {
  std::string s = route.prefix.to_string();
  if (route.blackhole) s += " blackhole";
  for (const NextHop& nh : route.nexthops) {
    if (!nh.gateway.is_unspecified()) s += " via " + nh.gateway.to_string();
    if (nh.ifindex != 0) s += " dev#" + std::to_string(nh.ifindex);
    if (nh.weight != 1) s += " weight " + std::to_string(unsigned{nh.weight});
  }
  if (route.preferred_source) s += " src " + route.preferred_source->to_string();
  if (route.metric) s += " metric " + std::to_string(*route.metric);
  if (route.nexthop_id != 0) s += " nhid " + std::to_string(route.nexthop_id);
  return s;
}

}  // namespace petrel::fib
