#include "fib/netlink_routes.hpp"

#include <linux/if_addr.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace petrel::fib {

// ---------------------------------------------------------------- NetlinkSocket

Result<NetlinkSocket, Error> NetlinkSocket::open(int receive_buffer_bytes) {
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return Error{"netlink: nl_socket_alloc failed"};
  NetlinkSocket s(sock);
  nl_socket_disable_seq_check(sock);
  nl_socket_disable_auto_ack(sock);
  if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) {
    return Error{std::string("netlink: connect: ") + nl_geterror(err)};
  }
  int fd = nl_socket_get_fd(sock);
  int send_bytes = 4 << 20;
  // FORCE variants pass the sysctl limits (we run as root); fall back to the plain ones.
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &send_bytes, sizeof send_bytes) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_bytes, sizeof send_bytes);
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes, sizeof receive_buffer_bytes) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  // Error replies carry only the failed message's header, not all of it.
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  return s;
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& o) noexcept : sock_(o.sock_), seq_(o.seq_) { o.sock_ = nullptr; }

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& o) noexcept {
  if (this != &o) {
    if (sock_ != nullptr) nl_socket_free(sock_);
    sock_ = o.sock_;
    seq_ = o.seq_;
    o.sock_ = nullptr;
  }
  return *this;
}

NetlinkSocket::~NetlinkSocket() {
  if (sock_ != nullptr) nl_socket_free(sock_);
}

int NetlinkSocket::fd() const { return nl_socket_get_fd(sock_); }

Result<void, Error> NetlinkSocket::send(const uint8_t* data, std::size_t size) {
  int sent = nl_sendto(sock_, const_cast<uint8_t*>(data), size);
  if (sent < 0) return Error{std::string("netlink: send: ") + nl_geterror(sent)};
  return {};
}

Result<std::size_t, Error> NetlinkSocket::receive(std::vector<uint8_t>& buffer) {
  if (buffer.size() < (1u << 20)) buffer.resize(1u << 20);
  for (;;) {
    ssize_t n = recv(fd(), buffer.data(), buffer.size(), 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
    return Error{std::string("netlink: receive: ") + std::strerror(errno)};
  }
}

Result<void, Error> NetlinkSocket::dump(uint16_t type, uint8_t family,
                                        const std::function<void(const nlmsghdr*)>& on_message, int* kernel_error) {
  // The family header of the request type, zeroed but for the family (its first byte):
  // the kernel's strict dump checks want the whole header.
  std::size_t header_size = type == RTM_GETROUTE    ? sizeof(rtmsg)
                            : type == RTM_GETLINK   ? sizeof(ifinfomsg)
                            : type == RTM_GETADDR   ? sizeof(ifaddrmsg)
                            : type == RTM_GETNEXTHOP ? sizeof(nhmsg)
                                                     : sizeof(rtgenmsg);
  struct {
    nlmsghdr header;
    uint8_t body[32];
  } request{};
  request.header.nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(header_size));
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = next_seq();
  request.body[0] = family;
  if (auto r = send(reinterpret_cast<const uint8_t*>(&request), request.header.nlmsg_len); !r) return r.error();
  std::vector<uint8_t> buffer;
  for (;;) {
    auto got = receive(buffer);
    if (!got) return got.error();
    auto remaining = static_cast<int>(*got);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_seq != request.header.nlmsg_seq) continue;  // a stale reply
      if (h->nlmsg_type == NLMSG_DONE) return {};
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (kernel_error != nullptr) *kernel_error = -err->error;
        return Error{std::string("netlink: dump: ") + std::strerror(-err->error)};
      }
      on_message(h);
    }
  }
}

// ---------------------------------------------------------------- NetlinkRouteSink

namespace {
std::string describe(const NexthopObject& object) {
  if (object.is_group()) return "a group of " + std::to_string(object.group.size());
  return "via " + object.gateway.to_string() + " dev#" + std::to_string(object.ifindex);
}
}  // namespace

SinkCounters NetlinkRouteSink::counters() const {
  return SinkCounters{support_.plain_fallbacks(), support_.objects_refused()};
}

Result<std::unique_ptr<NetlinkRouteSink>, Error> NetlinkRouteSink::open(KernelTarget target, std::size_t window) {
  auto socket = NetlinkSocket::open();
  if (!socket) return socket.error();
  return std::unique_ptr<NetlinkRouteSink>(new NetlinkRouteSink(std::move(*socket), target, std::max<std::size_t>(window, 1)));
}

void NetlinkRouteSink::send_all(std::size_t count, const Encoder& encode, std::span<int> errors) {
  for (std::size_t start = 0; start < count;) {
    start += send_window(start, count, encode, errors);
  }
}

namespace {
// Would this operation refer to a nexthop object (a route with gateways)?
bool wants_object(const Operation& op) {
  const Route& r = op.route;
  return op.kind != Operation::Kind::remove && !r.blackhole && !r.nexthops.empty() && r.nexthop_id == 0;
}
}  // namespace

void NetlinkRouteSink::apply(std::span<const Operation> ops, std::span<int> errors) {
  if (!support_.use_objects()) {
    if (support_.wanted()) {  // wanted, but the kernel has no nexthop API: counted
      support_.count_plain(static_cast<uint64_t>(std::count_if(ops.begin(), ops.end(), wants_object)));
    }
    send_all(ops.size(), [&](std::size_t i, uint32_t seq) { buffer_.add(ops[i], target_, seq, false); }, errors);
    return;
  }
  // Routes with gateways refer to shared nexthop objects: create the new objects first
  // (members before groups), then send the routes with RTA_NH_ID.
  std::vector<uint32_t>& used = used_objects_;  // per operation: the object it refers to, or 0
  used.assign(ops.size(), 0);
  std::vector<NexthopObject> created;
  std::size_t with_objects = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (wants_object(ops[i])) {
      used[i] = objects_.acquire(ops[i].route.nexthops, created);
      ++with_objects;
    }
  }
  // Grow once for a burst (reserve() only when needed: boost rehashes to the exact
  // size asked, even a smaller one).
  if (route_objects_.size() + with_objects > route_objects_.max_load()) {
    route_objects_.reserve(2 * (route_objects_.size() + with_objects));
  }
  if (!created.empty()) {
    // The kernel wants a device for a gateway nexthop: the one its route lookup picks.
    for (NexthopObject& object : created) {
      if (!object.is_group() && object.ifindex == 0 && !object.gateway.is_unspecified()) {
        object.ifindex = lookup_interface(object.gateway);
      }
    }
    std::vector<int> create_errors(created.size(), 0);
    send_all(created.size(), [&](std::size_t i, uint32_t seq) { buffer_.add_nexthop(created[i], target_.protocol, seq, false); },
             create_errors);
    std::vector<uint32_t> failed;
    for (std::size_t i = 0; i < created.size(); ++i) {
      if (create_errors[i] == 0) {
        support_.on_object_accepted();
        continue;
      }
      failed.push_back(created[i].id);
      NexthopSupport::Verdict verdict = support_.on_object_refused(create_errors[i]);
      if (verdict.log) spdlog::warn("FIB: {} (first: object {} for {})", verdict.reason, created[i].id, describe(created[i]));
    }
    if (!failed.empty()) {
      // Fall back to plain routes for these (fib/nexthop_support.hpp): an id taken by
      // another owner, a gateway the kernel checks only in the main table, no nexthop
      // API at all. A route whose gateway the kernel cannot resolve then fails by
      // itself and is retried.
      for (uint32_t id : failed) objects_.forget(id);
      uint64_t plain = 0;
      for (std::size_t i = 0; i < ops.size(); ++i) {
        if (used[i] == 0) continue;
        if (!support_.use_objects()) {
          objects_.release(used[i]);  // no API: nothing uses objects any more
        } else if (objects_.owns(used[i])) {
          continue;
        }
        used[i] = 0;
        ++plain;
      }
      support_.count_plain(plain);
    }
  }
  send_all(ops.size(), [&](std::size_t i, uint32_t seq) { buffer_.add(ops[i], target_, seq, false, used[i]); }, errors);
  // Reference counts follow what the kernel now holds.
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const KernelKey key{ops[i].route.prefix, effective_metric(ops[i].route)};
    bool ok = errors[i] == 0 || (ops[i].kind == Operation::Kind::remove && errors[i] == ESRCH);
    if (!ok) {
      if (used[i] != 0) {
        objects_.release(used[i]);
        // Not a key clash: perhaps the kernel dropped the object (its device went
        // away). Forget it, so that the retry creates a fresh one.
        if (errors[i] != EEXIST) objects_.forget(used[i]);
      }
      continue;
    }
    // One probe per route: the object this kernel route used until now.
    uint32_t previous = 0;
    if (used[i] != 0) {
      auto [it, inserted] = route_objects_.try_emplace(key, used[i]);
      if (!inserted) {
        previous = it->second;
        it->second = used[i];
      }
    } else if (auto it = route_objects_.find(key); it != route_objects_.end()) {
      previous = it->second;
      route_objects_.erase(it);
    }
    if (previous != 0) objects_.release(previous);
  }
  collect_unused_objects();
}

uint32_t NetlinkRouteSink::lookup_interface(const IpAddress& gateway) {
  // RTM_GETROUTE for one address (what `ip route get` does); 0 when unreachable.
  struct {
    nlmsghdr header;
    rtmsg body;
    uint8_t attrs[64];
  } request{};
  request.header.nlmsg_type = RTM_GETROUTE;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = socket_.next_seq();
  request.body.rtm_family = gateway.is_v4() ? AF_INET : AF_INET6;
  request.body.rtm_dst_len = gateway.max_prefix_length();
  auto* attr = reinterpret_cast<rtattr*>(request.attrs);
  attr->rta_type = RTA_DST;
  attr->rta_len = static_cast<unsigned short>(RTA_LENGTH(gateway.byte_length()));
  std::memcpy(RTA_DATA(attr), gateway.data(), gateway.byte_length());
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg)) + RTA_SPACE(gateway.byte_length());
  if (!socket_.send(reinterpret_cast<const uint8_t*>(&request), request.header.nlmsg_len)) return 0;
  for (;;) {
    auto got = socket_.receive(receive_buffer_);
    if (!got) return 0;
    auto remaining = static_cast<int>(*got);
    for (auto* h = reinterpret_cast<nlmsghdr*>(receive_buffer_.data()); NLMSG_OK(h, remaining);
         h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_seq != request.header.nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) return 0;
      if (h->nlmsg_type != RTM_NEWROUTE) continue;
      auto route = decode_route(h);
      if (!route || route->route.nexthops.empty()) return 0;
      return route->route.nexthops.front().ifindex;
    }
  }
}

void NetlinkRouteSink::collect_unused_objects() {
  std::vector<uint32_t> unused = objects_.collect_unused();
  if (unused.empty()) return;
  std::vector<int> ignored(unused.size(), 0);  // an object already gone is fine
  send_all(unused.size(), [&](std::size_t i, uint32_t seq) { buffer_.add_nexthop_delete(unused[i], seq, false); }, ignored);
}

std::size_t NetlinkRouteSink::send_window(std::size_t start, std::size_t count, const Encoder& encode,
                                          std::span<int> all_errors) {
  // The window: at most window_ messages and about kMaxWindowBytes (the socket's send
  // buffer must hold the whole sendmsg).
  constexpr std::size_t kMaxWindowBytes = 1 << 20;
  buffer_.clear();
  const uint32_t first_seq = socket_.next_seq();
  std::size_t n = 0;
  while (start + n < count && n < window_ && buffer_.size() < kMaxWindowBytes) {
    all_errors[start + n] = 0;
    encode(start + n, first_seq + static_cast<uint32_t>(n));
    ++n;
  }
  buffer_.request_ack_on_last();
  auto errors = all_errors.subspan(start, n);
  const uint32_t last_seq = first_seq + static_cast<uint32_t>(n - 1);
  for (std::size_t i = 1; i < n; ++i) socket_.next_seq();

  auto fail_all = [&](int error) {
    for (int& e : errors) e = error;
  };
  if (auto sent = socket_.send(buffer_.data(), buffer_.size()); !sent) {
    fail_all(EIO);
    return n;
  }
  // rtnetlink handled the whole buffer inside sendmsg: the replies are queued. Read
  // until the acknowledgement of the window's last message.
  for (;;) {
    auto got = socket_.receive(receive_buffer_);
    if (!got) {
      // ENOBUFS: replies were lost, so which operations failed is unknown. Report them
      // all as failed; the writer retries them (installs and removes are idempotent).
      fail_all(ENOBUFS);
      return n;
    }
    auto remaining = static_cast<int>(*got);
    for (auto* h = reinterpret_cast<nlmsghdr*>(receive_buffer_.data()); NLMSG_OK(h, remaining);
         h = NLMSG_NEXT(h, remaining)) {
      if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) continue;
      // Unsigned offsets from the window's first sequence number survive wrap-around.
      const uint32_t offset = h->nlmsg_seq - first_seq;
      if (offset >= n) continue;  // a reply to an earlier window
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      errors[offset] = -err->error;
      if (h->nlmsg_seq == last_seq) return n;
    }
  }
}

Result<std::vector<Route>, Error> NetlinkRouteSink::dump_own() {
  std::vector<Route> out;
  if (support_.use_objects()) {
    // Our nexthop objects first, so that our routes using them are recognised.
    objects_.clear();
    route_objects_.clear();
    int kernel_error = 0;
    auto r = socket_.dump(
        RTM_GETNEXTHOP, AF_UNSPEC,
        [&](const nlmsghdr* h) {
          if (h->nlmsg_type != RTM_NEWNEXTHOP) return;
          auto object = decode_nexthop(h);
          if (object && object->second == target_.protocol) objects_.adopt(object->first);
        },
        &kernel_error);
    NexthopSupport::Verdict verdict = support_.on_dump(r ? 0 : kernel_error);
    if (verdict.log) spdlog::warn("FIB: {}", verdict.reason);
    if (!r && !verdict.api_missing) return r.error();
    if (verdict.api_missing) {
      objects_.clear();
    } else {
      objects_.adopt_done();
    }
  }
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    auto r = socket_.dump(RTM_GETROUTE, family, [&](const nlmsghdr* h) {
      if (h->nlmsg_type != RTM_NEWROUTE) return;
      auto route = decode_route(h);
      if (!route) return;  // not a route Petrel could have written
      if (route->protocol != target_.protocol) return;
      const uint32_t id = route->route.nexthop_id;
      const bool our_object = id != 0 && support_.use_objects() && objects_.owns(id);
      if (route->table != target_.table) {
        // Not ours to manage (another table), but it keeps our object alive: deleting
        // the object would make the kernel delete this route with it.
        if (our_object) objects_.retain(id);
        return;
      }
      if (route->type != KernelRoute::Type::unicast && route->type != KernelRoute::Type::blackhole) return;
      // A route using one of our nexthop objects is compared by its next hops (the
      // kernel reports them beside RTA_NH_ID); the object is an implementation detail.
      if (our_object) {
        // One use per kernel key: a dump that races with kernel changes can show a route
        // twice, and counting it twice would keep its object alive for ever.
        if (route_objects_.try_emplace(KernelKey{route->route.prefix, effective_metric(route->route)}, id).second) {
          objects_.retain(id);
        }
        route->route.nexthop_id = 0;
      }
      out.push_back(std::move(route->route));
    });
    if (!r) return r.error();
  }
  return out;
}

}  // namespace petrel::fib
