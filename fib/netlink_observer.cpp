#include "fib/netlink_observer.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <iterator>

namespace petrel::fib {

namespace {

// Drops RTM_NEWROUTE / RTM_DELROUTE notifications whose rtm_protocol is `protocol`
// (a notification is one message per datagram, so the offsets are from its start).
// BPF loads half-words in network order: the message type is compared as htons().
Result<void, Error> drop_route_notifications_of(int fd, uint8_t protocol) {
  constexpr uint32_t type_at = offsetof(nlmsghdr, nlmsg_type);
  constexpr uint32_t protocol_at = NLMSG_LENGTH(0) + offsetof(rtmsg, rtm_protocol);
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, type_at),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_NEWROUTE), 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELROUTE), 0, 3),
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, protocol_at),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, protocol, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0),           // drop
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),  // keep
  };
  sock_fprog program{static_cast<unsigned short>(std::size(code)), code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0)
    return Error{std::string("netlink: cannot attach the notification filter: ") + std::strerror(errno)};
  return {};
}

}  // namespace

Result<std::unique_ptr<NetlinkObserver>, Error> NetlinkObserver::open(ObserverHandlers handlers,
                                                                     std::optional<uint8_t> ignore_own_routes) {
  auto events = NetlinkSocket::open(32 << 20);
  if (!events) return events.error();
  auto requests = NetlinkSocket::open();
  if (!requests) return requests.error();
  int err = nl_socket_add_memberships(events->get(), RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
  if (err < 0) return Error{"netlink: cannot join the rtnetlink groups"};
  if (ignore_own_routes)
    if (auto r = drop_route_notifications_of(events->fd(), *ignore_own_routes); !r) return r.error();
  nl_socket_set_nonblocking(events->get());
  return std::unique_ptr<NetlinkObserver>(new NetlinkObserver(std::move(*events), std::move(*requests), std::move(handlers)));
}

void NetlinkObserver::dispatch(const nlmsghdr* h) {
  switch (h->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      auto link = decode_link(h);
      if (!link) { ++undecodable_; return; }
      if (handlers_.link) handlers_.link(*link, h->nlmsg_type == RTM_DELLINK);
      return;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      auto address = decode_address(h);
      if (!address) { ++undecodable_; return; }
      if (handlers_.address) handlers_.address(*address, h->nlmsg_type == RTM_DELADDR);
      return;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      auto route = decode_route(h);
      if (!route) { ++undecodable_; return; }
      if (handlers_.route) handlers_.route(*route, h->nlmsg_type == RTM_DELROUTE);
      return;
    }
    default:
      return;
  }
}

Result<void, Error> NetlinkObserver::dump_all() {
  auto on = [this](const nlmsghdr* h) { dispatch(h); };
  if (auto r = requests_.dump(RTM_GETLINK, AF_UNSPEC, on); !r) return r.error();
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    if (auto r = requests_.dump(RTM_GETADDR, family, on); !r) return r.error();
  }
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    if (auto r = requests_.dump(RTM_GETROUTE, family, on); !r) return r.error();
  }
  return {};
}

Result<void, Error> NetlinkObserver::read_pending() {
  for (;;) {
    ssize_t n;
    if (buffer_.size() < (1u << 20)) buffer_.resize(1u << 20);
    n = recv(events_.fd(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
      if (errno == ENOBUFS) {
        if (handlers_.overrun) handlers_.overrun();
        continue;
      }
      return Error{std::string("netlink: notifications: ") + std::strerror(errno)};
    }
    auto remaining = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
      dispatch(h);
    }
  }
}

}  // namespace petrel::fib
