// daemon/forwarding_state.hpp — warm restart: did the kernel keep our
// forwarding state? Compares the set the FIB writer had confirmed installed
// before the restart (the store's kernel set, rib/store/records.hpp) with what
// the FIB finds of our protocol and table now (fib::RouteSink::dump_own()),
// per address family, and says why.
//
// The rule ("holds", conservative, per family as the OPEN's F bit is, RFC 4724
// §3): a route installed before the restart is held when the kernel has a route
// of ours for its prefix that fib::kernel_matches() it (same next hops or
// blackhole, same metric). The family's forwarding state is preserved only when
// every such route is held (a kernel that lost any route we had installed —
// flushed, an interface gone — does not forward as we did); a family in which
// nothing was installed is preserved (there was nothing to lose). Without a
// trustworthy record (no store, a cold start of the store, confirmations
// dropped, a damaged entry) nothing is preserved. Extra routes of ours in the
// kernel do not matter (the writer's reconcile removes them).
// Pure: no I/O, no clock. Used by daemon/main.cpp before the speaker is built.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "fib/fib_writer.hpp"
#include "fib/route.hpp"
#include "rib/store/records.hpp"
#include "rib/store/store.hpp"

namespace petrel::daemon {

struct FamilyForwarding {
  bool preserved = false;
  std::size_t installed = 0;  // routes of the family confirmed installed before the restart
  std::size_t held = 0;       // of those, still in the kernel as they were
  std::string reason;         // one line: why (not) preserved
};

struct ForwardingVerdict {
  std::array<FamilyForwarding, 2> family;  // IPv4, IPv6 unicast (bgp::wire::index order)
  std::array<bool, 2> f_bits() const { return {family[0].preserved, family[1].preserved}; }
};

// `stored`: the store's kernel set, or why there is none; `kernel`: our routes
// in the kernel now.
ForwardingVerdict judge_forwarding(const Result<std::vector<rib::store::KernelRoute>, std::string>& stored,
                                   std::span<const fib::Route> kernel);
// One log line per family: "IPv4 forwarding state preserved: the kernel holds 3
// of 3 routes installed before the restart".
std::vector<std::string> describe(const ForwardingVerdict& v);

// The store's form of a kernel route and back (next hops, blackhole, effective metric).
rib::store::KernelRoute to_kernel_route(const fib::Route& r);
// A FIB writer's confirmations in the store's form (on the writer's thread: the
// store thread gets them queued, bench/fib_bench --store measures the cost).
rib::store::KernelBatch to_kernel_batch(const fib::KernelConfirmation& c);
fib::Route to_fib_route(const rib::store::KernelRoute& r);

}  // namespace petrel::daemon
