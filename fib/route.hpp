// fib/route.hpp — the kernel routes Petrel wants, as plain values.
//
// A Route is one prefix in the kernel FIB: a blackhole, or one or more next hops
// (more than one = one ECMP multipath route). fib/ never knows where a route came
// from (BGP, a static origin): the daemon adapts its RIB changes to these types.
// RouteTable is a desired (or observed) state keyed by prefix. Pure values, no I/O.
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"
#include "fib/prefix_hash.hpp"

namespace petrel::fib {

struct NextHop {
  IpAddress gateway;      // unspecified: a directly connected route through `ifindex`
  uint32_t ifindex = 0;   // 0: the kernel picks the interface from the gateway
  uint16_t weight = 1;    // ECMP weight, 1..256 (the kernel stores weight - 1)
  friend bool operator==(const NextHop&, const NextHop&) = default;
  friend auto operator<=>(const NextHop&, const NextHop&) = default;
};

struct Route {
  Prefix prefix;
  // Sorted (normalize()); empty for a blackhole. Two inline: copying a route (queue,
  // desired table, operation) allocates nothing in the common case.
  using NextHops = boost::container::small_vector<NextHop, 2>;
  NextHops nexthops;
  bool blackhole = false;
  std::optional<IpAddress> preferred_source;
  std::optional<uint32_t> metric;
  // A kernel nexthop object (`ip nexthop`, RTA_NH_ID) the route refers to instead of
  // carrying next hops; 0: none. Shared next hops make installs cheaper (the kernel
  // validates the gateway once, not per route); `nexthops` then only documents them.
  uint32_t nexthop_id = 0;
  friend bool operator==(const Route&, const Route&) = default;
};

// Sorts the next hops so that two routes with the same ECMP set compare equal
// whatever order their members came in; drops duplicates; a single next hop has
// weight 1 (the kernel keeps weights only inside multipath routes); a blackhole
// has no next hops.
void normalize(Route& route);

// The metric the kernel gives a route without one: 0 for IPv4, 1024 for IPv6
// (net/ipv6/route.c, IP6_RT_PRIO_USER).
inline uint32_t effective_metric(const Prefix& prefix, std::optional<uint32_t> metric) {
  return metric.value_or(prefix.is_v4() ? 0u : 1024u);
}
inline uint32_t effective_metric(const Route& route) { return effective_metric(route.prefix, route.metric); }

// True when the kernel's `observed` route is what `desired` asks for: same next
// hops (a desired ifindex of 0 matches any interface), blackhole flag, source and
// effective metric.
bool kernel_matches(const Route& desired, const Route& observed);

// "10.0.0.0/24 via 10.1.0.2 dev#3 weight 2 via ... src 10.1.0.1 metric 20" or
// "10.0.0.0/24 blackhole": for logs, test failures and the driver's output.
std::string to_string(const Route& route);

using RouteTable = boost::unordered_flat_map<Prefix, Route, PrefixHash, PrefixEqual>;

}  // namespace petrel::fib
