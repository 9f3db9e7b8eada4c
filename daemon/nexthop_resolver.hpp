// daemon/nexthop_resolver.hpp — the RIB's NextHopResolver over the kernel's state:
// fib::NextHopTracker fed with the links, addresses and routes the netlink
// observer reports (daemon/nexthop_feed.hpp does the I/O), answering the RIB's
// resolve() and keeping the next hops the RIB watches.
//
// Which next hops resolve how (the RIB asks; this answers):
//   - a directly connected eBGP peer's next hops (RFC 4271 §5.1.3: on the shared
//     subnet) only through a connected prefix: an address on a link that is up
//     and has carrier, at cost 0;
//   - iBGP and multihop eBGP next hops first through a connected prefix, then
//     recursively through the routes of the FIB's table (not Petrel's own), at the
//     cost of the route's metric.
// Table and own protocol come from `fib:`. The default route never resolves a
// next hop while Petrel writes the kernel (as FRR without `ip nht
// resolve-via-default`). With `fib: {enabled: false}` (a route reflector that does
// not forward) next hops still resolve through the kernel's table (as BIRD does
// whatever its kernel protocol does), and there the default route counts: a
// reflector outside the forwarding path often has nothing else towards its
// clients, and must not find every path unreachable.
// Pure and single-threaded (the daemon's thread); no I/O.
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>

#include <vector>

#include "daemon/config.hpp"
#include "fib/netlink_codec.hpp"
#include "fib/nexthop_tracker.hpp"
#include "rib/rib.hpp"

namespace petrel::daemon {

// The tracker's options for a `fib:` configuration (see the comment above).
fib::NextHopTrackerOptions tracker_options(const FibConfig& config);

class KernelNextHopResolver : public rib::NextHopResolver {
 public:
  explicit KernelNextHopResolver(const FibConfig& config);

  rib::Resolution resolve(const IpAddress& next_hop, bool connected_only) const override;
  void watch(const IpAddress& next_hop) override;
  void unwatch(const IpAddress& next_hop) override;

  // The kernel's state, from a dump and then from notifications.
  void link(const fib::LinkInfo& link, bool removed);
  void address(const fib::AddressInfo& address, bool removed);
  void route(const fib::KernelRoute& route, bool removed);
  // Notifications were lost: the kernel's state is forgotten (a new dump
  // follows), and the next changed() lists every watched next hop.
  void reset();
  // The watched next hops whose resolution changed since the last call, sorted.
  std::vector<IpAddress> changed();

  const fib::NextHopTracker& tracker() const { return tracker_; }
  std::size_t watched() const { return watched_.size(); }

 private:
  fib::NextHopTrackerOptions options_;
  fib::NextHopTracker tracker_;
  boost::unordered_flat_set<IpAddress, std::hash<IpAddress>> watched_;
  bool everything_changed_ = false;
};

}  // namespace petrel::daemon
