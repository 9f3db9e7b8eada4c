#include "fib/netlink_routes.hpp"

#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

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
                                        const std::function<void(const nlmsghdr*)>& on_message) {
  struct {
    nlmsghdr header;
    rtgenmsg body;
    uint8_t pad[3];
  } request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtgenmsg));
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = next_seq();
  request.body.rtgen_family = family;
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
        return Error{std::string("netlink: dump: ") + std::strerror(-err->error)};
      }
      on_message(h);
    }
  }
}

// ---------------------------------------------------------------- NetlinkRouteSink

Result<std::unique_ptr<NetlinkRouteSink>, Error> NetlinkRouteSink::open(KernelTarget target, std::size_t window) {
  auto socket = NetlinkSocket::open();
  if (!socket) return socket.error();
  return std::unique_ptr<NetlinkRouteSink>(new NetlinkRouteSink(std::move(*socket), target, std::max<std::size_t>(window, 1)));
}

void NetlinkRouteSink::apply(std::span<const Operation> ops, std::span<int> errors) {
  for (std::size_t start = 0; start < ops.size();) {
    std::size_t n = apply_window(ops.subspan(start), errors.subspan(start));
    start += n;
  }
}

std::size_t NetlinkRouteSink::apply_window(std::span<const Operation> all, std::span<int> all_errors) {
  // The window: at most window_ messages and about kMaxWindowBytes (the socket's send
  // buffer must hold the whole sendmsg).
  constexpr std::size_t kMaxWindowBytes = 1 << 20;
  buffer_.clear();
  const uint32_t first_seq = socket_.next_seq();
  std::size_t n = 0;
  while (n < all.size() && n < window_ && buffer_.size() < kMaxWindowBytes) {
    all_errors[n] = 0;
    buffer_.add(all[n], target_, first_seq + static_cast<uint32_t>(n), /*ack=*/false);
    ++n;
  }
  buffer_.request_ack_on_last();
  auto errors = all_errors.first(n);
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
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    auto r = socket_.dump(RTM_GETROUTE, family, [&](const nlmsghdr* h) {
      if (h->nlmsg_type != RTM_NEWROUTE) return;
      auto route = decode_route(h);
      if (!route) return;  // not a route Petrel could have written
      if (route->protocol != target_.protocol || route->table != target_.table) return;
      if (route->type != KernelRoute::Type::unicast && route->type != KernelRoute::Type::blackhole) return;
      out.push_back(std::move(route->route));
    });
    if (!r) return r.error();
  }
  return out;
}

}  // namespace petrel::fib
