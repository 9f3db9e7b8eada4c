// daemon/nexthop_resolver.cpp — see nexthop_resolver.hpp.
#include "daemon/nexthop_resolver.hpp"

#include <algorithm>

namespace petrel::daemon {

fib::NextHopTrackerOptions tracker_options(const FibConfig& config) {
  fib::NextHopTrackerOptions o;
  o.table = config.table;
  o.own_protocol = config.protocol;
  o.resolve_via_default = !config.enabled;
  return o;
}

KernelNextHopResolver::KernelNextHopResolver(const FibConfig& config)
    : options_(tracker_options(config)), tracker_(options_) {}

rib::Resolution KernelNextHopResolver::resolve(const IpAddress& next_hop, bool connected_only) const {
  const fib::NextHopState s = connected_only ? tracker_.resolve_connected(next_hop) : tracker_.resolve(next_hop);
  rib::Resolution r{s.reachable, s.igp_cost, {}};
  if (s.reachable && s.gateway != next_hop) r.via = s.gateway;  // recursive: the kernel needs the on-link gateway
  return r;
}

void KernelNextHopResolver::watch(const IpAddress& next_hop) {
  watched_.insert(next_hop);
  tracker_.watch(next_hop);
}

void KernelNextHopResolver::unwatch(const IpAddress& next_hop) {
  watched_.erase(next_hop);
  tracker_.unwatch(next_hop);
}

void KernelNextHopResolver::link(const fib::LinkInfo& link, bool removed) {
  if (removed) tracker_.remove_link(link.ifindex);
  else tracker_.set_link(link.ifindex, link.up);
}

void KernelNextHopResolver::address(const fib::AddressInfo& a, bool removed) {
  if (removed) tracker_.remove_address(a.ifindex, a.on_link);
  else tracker_.add_address(a.ifindex, a.on_link);
}

void KernelNextHopResolver::route(const fib::KernelRoute& r, bool removed) {
  if (removed) tracker_.remove_route(r);
  else tracker_.add_route(r);
}

void KernelNextHopResolver::reset() {
  tracker_ = fib::NextHopTracker(options_);
  for (const IpAddress& a : watched_) tracker_.watch(a);
  everything_changed_ = true;
}

std::vector<IpAddress> KernelNextHopResolver::changed() {
  std::vector<IpAddress> out = tracker_.refresh();
  if (everything_changed_) {
    everything_changed_ = false;
    out.assign(watched_.begin(), watched_.end());
    std::sort(out.begin(), out.end());
  }
  return out;
}

}  // namespace petrel::daemon
