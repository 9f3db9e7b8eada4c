// daemon/nexthop_feed.cpp — see nexthop_feed.hpp.
#include "daemon/nexthop_feed.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace petrel::daemon {

NextHopFeed::NextHopFeed(boost::asio::io_context& io, const FibConfig& config)
    : resolver_(config), descriptor_(io) {}

NextHopFeed::~NextHopFeed() {
  boost::system::error_code ignored;
  descriptor_.close(ignored);  // the dup; the observer closes its own socket
}

fib::ObserverHandlers NextHopFeed::handlers() {
  fib::ObserverHandlers h;
  h.link = [this](const fib::LinkInfo& l, bool removed) { resolver_.link(l, removed); };
  h.address = [this](const fib::AddressInfo& a, bool removed) { resolver_.address(a, removed); };
  h.route = [this](const fib::KernelRoute& r, bool removed) { resolver_.route(r, removed); };
  h.overrun = [this] { overrun_ = true; };
  return h;
}

std::unique_ptr<NextHopFeed> NextHopFeed::open(boost::asio::io_context& io, const FibConfig& config) {
  std::unique_ptr<NextHopFeed> feed(new NextHopFeed(io, config));
  // Our own routes never resolve a next hop: the kernel drops their echo.
  auto observer = fib::NetlinkObserver::open(feed->handlers(), config.protocol);
  if (!observer) {
    spdlog::error("next hops: cannot watch the kernel ({}); every next hop counts as reachable",
                  observer.error().message);
    return nullptr;
  }
  feed->observer_ = std::move(*observer);
  if (auto r = feed->observer_->dump_all(); !r) {
    spdlog::error("next hops: cannot read the kernel's links, addresses and routes ({}); every next hop counts as "
                  "reachable", r.error().message);
    return nullptr;
  }
  const int fd = ::dup(feed->observer_->fd());
  if (fd < 0) {
    spdlog::error("next hops: dup: {}; every next hop counts as reachable", std::strerror(errno));
    return nullptr;
  }
  feed->descriptor_.assign(fd);
  return feed;
}

void NextHopFeed::start(OnChange on_change) {
  on_change_ = std::move(on_change);
  resolver_.changed();  // the start-up state is the RIB's starting point, not a change
  wait();
}

void NextHopFeed::wait() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      spdlog::error("next hops: waiting for netlink: {}; link changes are no longer seen", ec.message());
      return;
    }
    on_readable();
    wait();
  });
}

void NextHopFeed::on_readable() {
  if (auto r = observer_->read_pending(); !r) spdlog::warn("next hops: {}", r.error().message);
  if (overrun_) {
    overrun_ = false;
    spdlog::warn("next hops: the kernel dropped notifications; reading its state again");
    resolver_.reset();
    if (auto r = observer_->dump_all(); !r) spdlog::error("next hops: dump failed: {}", r.error().message);
  }
  const std::vector<IpAddress> changed = resolver_.changed();
  if (changed.empty()) return;
  for (const IpAddress& a : changed) {
    const fib::NextHopState s = resolver_.tracker().resolve(a);
    if (s.reachable && s.gateway != a)
      spdlog::info("next hop {}: reachable via {} (interface {}, IGP cost {})", a.to_string(), s.gateway.to_string(),
                   s.ifindex, s.igp_cost);
    else if (s.reachable)
      spdlog::info("next hop {}: reachable (interface {}, IGP cost {})", a.to_string(), s.ifindex, s.igp_cost);
    else
      spdlog::info("next hop {}: unreachable", a.to_string());
  }
  if (on_change_) on_change_(changed);
}

}  // namespace petrel::daemon
