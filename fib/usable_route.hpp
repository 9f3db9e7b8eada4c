// fib/usable_route.hpp — which next hops of a wanted route can forward now.
//
// A next hop is usable when the NextHopTracker resolves its gateway (connected, or
// recursively for multihop) or, for a direct route, when its interface is up; a
// next hop pinned to an interface also needs that interface up. A route keeps its
// usable next hops (one ECMP member down leaves the others), a blackhole is always
// usable, and a route with none left is withdrawn from the kernel (nullopt). This is
// what "a link going down makes dependent paths ineligible" means below the RIB; the
// daemon gets the same answer through the RIB's resolver. Pure.
#pragma once

#include <optional>

#include "fib/nexthop_tracker.hpp"

namespace petrel::fib {

std::optional<Route> usable_route(const Route& wanted, const NextHopTracker& tracker);

}  // namespace petrel::fib
