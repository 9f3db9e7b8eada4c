#include "fib/nexthop_tracker.hpp"

#include <algorithm>

namespace petrel::fib {

namespace {
int family_index(const Prefix& p) { return p.is_v4() ? 0 : 1; }
}  // namespace

void NextHopTracker::set_link(uint32_t ifindex, bool up) { links_[ifindex] = up; }

void NextHopTracker::remove_link(uint32_t ifindex) {
  links_.erase(ifindex);
  std::erase_if(connected_, [&](const auto& c) { return c.second == ifindex; });
}

void NextHopTracker::add_address(uint32_t ifindex, const Prefix& on_link) {
  // The kernel repeats RTM_NEWADDR for an address it updates (flags, IPv6
  // lifetimes); two addresses in one subnet on one link are one connected prefix.
  if (std::find(connected_.begin(), connected_.end(), std::pair{on_link, ifindex}) != connected_.end()) return;
  connected_.emplace_back(on_link, ifindex);
}

void NextHopTracker::remove_address(uint32_t ifindex, const Prefix& on_link) {
  auto it = std::find(connected_.begin(), connected_.end(), std::pair{on_link, ifindex});
  if (it != connected_.end()) connected_.erase(it);
}

void NextHopTracker::add_route(const KernelRoute& kr) {
  if (kr.table != options_.table || kr.protocol == options_.own_protocol) return;
  auto& list = routes_[family_index(kr.route.prefix)][kr.route.prefix.length()][kr.route.prefix];
  uint32_t metric = effective_metric(kr.route);
  std::erase_if(list, [&](const Candidate& c) { return c.metric == metric; });
  list.push_back({metric, kr.type, {kr.route.nexthops.begin(), kr.route.nexthops.end()}});
  std::sort(list.begin(), list.end(), [](const Candidate& a, const Candidate& b) { return a.metric < b.metric; });
}

void NextHopTracker::remove_route(const KernelRoute& kr) {
  if (kr.table != options_.table || kr.protocol == options_.own_protocol) return;
  auto& by_prefix = routes_[family_index(kr.route.prefix)][kr.route.prefix.length()];
  auto it = by_prefix.find(kr.route.prefix);
  if (it == by_prefix.end()) return;
  uint32_t metric = effective_metric(kr.route);
  std::erase_if(it->second, [&](const Candidate& c) { return c.metric == metric; });
  if (it->second.empty()) by_prefix.erase(it);
}

bool NextHopTracker::link_up(uint32_t ifindex) const {
  auto it = links_.find(ifindex);
  return it != links_.end() && it->second;
}

NextHopState NextHopTracker::resolve_connected(const IpAddress& address) const {
  // The most specific connected prefix on a link that is up.
  int best_length = -1;
  NextHopState best;
  for (const auto& [prefix, ifindex] : connected_) {
    if (prefix.length() <= best_length || !prefix.contains(address) || !link_up(ifindex)) continue;
    best_length = prefix.length();
    best = {true, 0, ifindex, address};
  }
  return best;
}

NextHopState NextHopTracker::resolve(const IpAddress& next_hop) const {
  return resolve_at(next_hop, options_.max_depth);
}

NextHopState NextHopTracker::resolve_at(const IpAddress& address, int depth) const {
  if (NextHopState connected = resolve_connected(address); connected.reachable) return connected;
  if (depth <= 0) return {};
  const auto& by_length = routes_[address.is_v4() ? 0 : 1];
  int min_length = options_.resolve_via_default ? 0 : 1;
  for (int length = address.max_prefix_length(); length >= min_length; --length) {
    const RoutesByPrefix& table = by_length[length];
    if (table.empty()) continue;
    auto it = table.find(Prefix::make(address, static_cast<uint8_t>(length)));
    if (it == table.end() || it->second.empty()) continue;
    // The kernel forwards by the lowest metric among routes of the matched prefix.
    const Candidate& route = it->second.front();
    if (route.type != KernelRoute::Type::unicast) return {};
    for (const NextHop& nh : route.nexthops) {
      NextHopState via;
      if (nh.gateway.is_unspecified()) {
        if (link_up(nh.ifindex)) via = {true, 0, nh.ifindex, address};  // on link through a device route
      } else {
        via = resolve_at(nh.gateway, depth - 1);
        if (nh.ifindex != 0 && via.reachable && !link_up(nh.ifindex)) via = {};
      }
      if (via.reachable) return {true, route.metric, via.ifindex, via.gateway};
    }
    return {};  // longest match wins even when it cannot forward
  }
  return {};
}

void NextHopTracker::watch(const IpAddress& next_hop) {
  watched_.try_emplace(next_hop, watched_state(next_hop));
}

void NextHopTracker::unwatch(const IpAddress& next_hop) { watched_.erase(next_hop); }

std::vector<IpAddress> NextHopTracker::refresh() {
  std::vector<IpAddress> changed;
  for (auto& [address, state] : watched_) {
    const Watched now = watched_state(address);
    if (now != state) {
      state = now;
      changed.push_back(address);
    }
  }
  std::sort(changed.begin(), changed.end());
  if (!changed.empty() && on_change_) on_change_(changed);
  return changed;
}

}  // namespace petrel::fib
