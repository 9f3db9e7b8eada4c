// fib/nexthop_tracker.hpp — next-hop resolution over the kernel's links, addresses
// and routes, as a pure table.
//
// The netlink observer (netlink_observer.hpp) feeds it links, interface addresses and
// kernel routes; resolve() answers "can a route via this next hop forward, at what
// cost, out of which interface": first through a connected prefix (an address on an
// interface that is up and running), then, for multihop next hops, by longest-prefix
// match over the kernel's routes in one table, recursively for routes via a gateway.
// Routes of Petrel's own protocol are skipped (BGP never resolves over BGP), so are
// blackhole/unreachable routes (the next hop is unreachable when they match) and, by
// default, the default route (as FRR and BIRD do). The daemon adapts resolve() to the
// RIB's NextHopResolver; watched next hops whose resolution changed after an update
// are reported by refresh(), so the RIB can reconverge. Pure, single-threaded: the
// caller serialises access. Knows nothing of BGP.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "fib/route.hpp"

namespace petrel::fib {

struct NextHopState {
  bool reachable = false;
  uint32_t igp_cost = 0;  // 0 when connected, else the metric of the kernel route used
  uint32_t ifindex = 0;   // the interface traffic leaves through
  // The neighbour traffic goes to: the next hop itself when it is on a link
  // (connected, or behind a device route), else the gateway the recursion ended
  // at. The kernel accepts only such on-link gateways in a route.
  IpAddress gateway;
  friend bool operator==(const NextHopState&, const NextHopState&) = default;
};

// A route as the kernel reports it, with what identifies its owner.
struct KernelRoute {
  enum class Type : uint8_t { unicast, blackhole, unreachable, other };
  Route route;
  uint32_t table = 254;  // RT_TABLE_MAIN
  uint8_t protocol = 0;
  Type type = Type::unicast;
};

struct NextHopTrackerOptions {
  uint32_t table = 254;        // the table multihop next hops resolve in
  uint8_t own_protocol = 201;  // routes with this protocol never resolve a next hop
  bool resolve_via_default = false;
  int max_depth = 4;           // recursion limit for routes via gateways
};

class NextHopTracker {
 public:
  explicit NextHopTracker(NextHopTrackerOptions options = {}) : options_(options) {}

  // `up`: IFF_UP and IFF_RUNNING (administratively up and carrier present).
  void set_link(uint32_t ifindex, bool up);
  void remove_link(uint32_t ifindex);
  void add_address(uint32_t ifindex, const Prefix& on_link);  // again: no effect
  void remove_address(uint32_t ifindex, const Prefix& on_link);
  void add_route(const KernelRoute& route);  // replaces the route with the same prefix and metric
  void remove_route(const KernelRoute& route);

  NextHopState resolve(const IpAddress& next_hop) const;
  // Only through a connected prefix (for the next hops of a directly connected
  // eBGP peer, which must be on a shared subnet).
  NextHopState resolve_connected(const IpAddress& next_hop) const;
  bool link_is_up(uint32_t ifindex) const { return link_up(ifindex); }

  // Watched next hops are compared before and after updates by refresh(), both
  // ways (resolve() and resolve_connected()).
  void watch(const IpAddress& next_hop);
  void unwatch(const IpAddress& next_hop);
  std::size_t watched() const { return watched_.size(); }
  // The watched next hops whose state changed since the previous refresh(); also
  // passed to the on_change callback when there are any.
  std::vector<IpAddress> refresh();
  void on_change(std::function<void(const std::vector<IpAddress>&)> callback) { on_change_ = std::move(callback); }

 private:
  struct Candidate {
    uint32_t metric = 0;
    KernelRoute::Type type = KernelRoute::Type::unicast;
    std::vector<NextHop> nexthops;
  };
  using RoutesByPrefix = boost::unordered_flat_map<Prefix, std::vector<Candidate>, std::hash<Prefix>>;

  struct Watched {
    NextHopState any, connected;
    friend bool operator==(const Watched&, const Watched&) = default;
  };
  Watched watched_state(const IpAddress& next_hop) const { return {resolve(next_hop), resolve_connected(next_hop)}; }

  bool link_up(uint32_t ifindex) const;
  NextHopState resolve_at(const IpAddress& address, int depth) const;

  NextHopTrackerOptions options_;
  boost::unordered_flat_map<uint32_t, bool> links_;
  // Connected prefixes: one (prefix, ifindex) entry per interface address.
  std::vector<std::pair<Prefix, uint32_t>> connected_;
  // Routes per family (0: IPv4, 1: IPv6), per prefix length, for longest-prefix match.
  std::array<std::array<RoutesByPrefix, 129>, 2> routes_;
  boost::unordered_flat_map<IpAddress, Watched, std::hash<IpAddress>> watched_;
  std::function<void(const std::vector<IpAddress>&)> on_change_;
};

}  // namespace petrel::fib
