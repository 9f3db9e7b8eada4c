// daemon/nexthop_feed.hpp — the kernel's links, addresses and routes into the
// next-hop resolver (daemon/nexthop_resolver.hpp), on petreld's io_context.
//
// open() dumps the kernel's state synchronously, so that the first route
// selection already sees which next hops resolve (nothing is wrongly ineligible
// at start). start() then waits for netlink notifications on the daemon's
// thread (a non-blocking socket watched through asio); after each burst, the
// watched next hops whose resolution changed go to `on_change` (the speaker
// re-decides the prefixes that use them, and the update groups and the FIB follow
// in the same decision). A link going down is seen within one event-loop turn.
// When the kernel dropped notifications (ENOBUFS) the state is dumped again and
// every watched next hop counts as changed.
// Single-threaded: the io_context's thread. Errors are logged, never thrown: a
// daemon without netlink runs without a resolver (every next hop resolves).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <functional>
#include <memory>
#include <vector>

#include "daemon/config.hpp"
#include "daemon/nexthop_resolver.hpp"
#include "fib/netlink_observer.hpp"

namespace petrel::daemon {

class NextHopFeed {
 public:
  using OnChange = std::function<void(const std::vector<IpAddress>&)>;

  // Null (with an error logged) when netlink cannot be opened or dumped.
  static std::unique_ptr<NextHopFeed> open(boost::asio::io_context& io, const FibConfig& config);
  ~NextHopFeed();
  NextHopFeed(const NextHopFeed&) = delete;
  NextHopFeed& operator=(const NextHopFeed&) = delete;

  KernelNextHopResolver& resolver() { return resolver_; }
  void start(OnChange on_change);
  uint64_t undecodable() const { return observer_ ? observer_->undecodable() : 0; }

 private:
  NextHopFeed(boost::asio::io_context& io, const FibConfig& config);
  fib::ObserverHandlers handlers();
  void wait();
  void on_readable();

  KernelNextHopResolver resolver_;
  std::unique_ptr<fib::NetlinkObserver> observer_;
  boost::asio::posix::stream_descriptor descriptor_;  // a dup of the observer's socket
  OnChange on_change_;
  bool overrun_ = false;
};

}  // namespace petrel::daemon
