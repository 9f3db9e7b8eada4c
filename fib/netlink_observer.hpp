// fib/netlink_observer.hpp — the kernel's links, addresses and routes, as a dump
// and then as notifications, through a libnl-3 socket joined to the rtnetlink
// multicast groups (links, IPv4/IPv6 addresses, IPv4/IPv6 routes).
//
// A thin shell: it decodes each message (netlink_codec.hpp) and calls a handler;
// the caller feeds the NextHopTracker and, when a route of Petrel's own protocol
// changes or disappears, asks the FibWriter for a resync. Messages it cannot decode
// are skipped and counted. When the kernel drops notifications (ENOBUFS) the
// handler's `overrun` runs: the caller dumps again and resyncs. Non-blocking: the
// caller polls fd() and calls read_pending(). Single-threaded.
// `ignore_own_routes`: a socket filter (classic BPF) drops route notifications of
// that protocol in the kernel, before they are queued: a reader that only resolves
// next hops (petreld) is then not flooded by the echo of its own million installs,
// which would overrun the socket and force full dumps. Dumps are not filtered.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "fib/netlink_routes.hpp"

namespace petrel::fib {

struct ObserverHandlers {
  std::function<void(const LinkInfo&, bool removed)> link;
  std::function<void(const AddressInfo&, bool removed)> address;
  std::function<void(const KernelRoute&, bool removed)> route;
  std::function<void()> overrun;
};

class NetlinkObserver {
 public:
  static Result<std::unique_ptr<NetlinkObserver>, Error> open(ObserverHandlers handlers,
                                                              std::optional<uint8_t> ignore_own_routes = std::nullopt);

  int fd() const { return events_.fd(); }
  // Dumps links, then addresses, then routes (both families) through the handlers.
  Result<void, Error> dump_all();
  // Dispatches every notification waiting on the socket; returns at once when none.
  Result<void, Error> read_pending();
  uint64_t undecodable() const { return undecodable_; }

 private:
  NetlinkObserver(NetlinkSocket events, NetlinkSocket requests, ObserverHandlers handlers)
      : events_(std::move(events)), requests_(std::move(requests)), handlers_(std::move(handlers)) {}
  void dispatch(const nlmsghdr* message);

  NetlinkSocket events_;    // multicast notifications
  NetlinkSocket requests_;  // dumps
  ObserverHandlers handlers_;
  std::vector<uint8_t> buffer_;
  uint64_t undecodable_ = 0;
};

}  // namespace petrel::fib
