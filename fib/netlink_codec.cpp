#include "fib/netlink_codec.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace petrel::fib {

namespace {

uint8_t family_of(const IpAddress& a) { return a.is_v4() ? AF_INET : AF_INET6; }

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

}  // namespace

// ---------------------------------------------------------------- encoding

void RouteMessageBuffer::align() { bytes_.resize(align4(bytes_.size()), 0); }

std::size_t RouteMessageBuffer::put_attr(uint16_t type, const void* data, std::size_t length) {
  std::size_t start = bytes_.size();
  rtattr attr{};
  attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(length));
  attr.rta_type = type;
  bytes_.resize(start + RTA_SPACE(length), 0);
  std::memcpy(bytes_.data() + start, &attr, sizeof attr);
  if (length > 0) std::memcpy(bytes_.data() + start + RTA_LENGTH(0), data, length);
  return start;
}

std::size_t RouteMessageBuffer::begin_nest(uint16_t type) { return put_attr(type, nullptr, 0); }

void RouteMessageBuffer::end_nest(std::size_t start) {
  auto length = static_cast<unsigned short>(bytes_.size() - start);
  std::memcpy(bytes_.data() + start, &length, sizeof length);  // rta_len comes first
}

void RouteMessageBuffer::add(const Operation& op, const KernelTarget& target, uint32_t seq, bool ack,
                             uint32_t nexthop_id) {
  const Route& route = op.route;
  if (nexthop_id == 0) nexthop_id = route.nexthop_id;
  const bool install = op.kind != Operation::Kind::remove;
  std::size_t start = bytes_.size();
  last_ = start;
  bytes_.resize(start + NLMSG_LENGTH(sizeof(rtmsg)), 0);

  nlmsghdr header{};
  header.nlmsg_type = install ? RTM_NEWROUTE : RTM_DELROUTE;
  uint16_t flags = NLM_F_REQUEST;
  if (op.kind == Operation::Kind::install) flags |= NLM_F_CREATE | NLM_F_EXCL;
  if (op.kind == Operation::Kind::replace) flags |= NLM_F_CREATE | NLM_F_REPLACE;
  if (ack) flags |= NLM_F_ACK;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = seq;

  rtmsg rt{};
  rt.rtm_family = family_of(route.prefix.address());
  rt.rtm_dst_len = route.prefix.length();
  rt.rtm_table = target.table < 256 ? static_cast<uint8_t>(target.table) : uint8_t{RT_TABLE_UNSPEC};
  rt.rtm_protocol = target.protocol;
  if (install) {
    bool all_direct = !route.blackhole && !route.nexthops.empty() &&
                      std::all_of(route.nexthops.begin(), route.nexthops.end(),
                                  [](const NextHop& nh) { return nh.gateway.is_unspecified(); });
    rt.rtm_scope = all_direct ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    rt.rtm_type = route.blackhole ? RTN_BLACKHOLE : RTN_UNICAST;
  } else {
    rt.rtm_scope = RT_SCOPE_NOWHERE;  // matches a route of any scope and type
    rt.rtm_type = RTN_UNSPEC;
  }
  std::memcpy(bytes_.data() + start + NLMSG_HDRLEN, &rt, sizeof rt);

  put_attr(RTA_DST, route.prefix.address().data(), route.prefix.address().byte_length());
  put_attr(RTA_TABLE, &target.table, sizeof target.table);
  // A remove without a metric matches the prefix's route of any metric (of our
  // protocol only: fib_table_delete and ip6_route_del compare rtm_protocol).
  if (route.metric) put_attr(RTA_PRIORITY, &*route.metric, sizeof(uint32_t));
  if (install && route.preferred_source) {
    put_attr(RTA_PREFSRC, route.preferred_source->data(), route.preferred_source->byte_length());
  }
  auto put_gateway = [&](const IpAddress& gateway) {
    if (gateway.is_unspecified()) return;
    if (gateway.family() == route.prefix.family()) {
      put_attr(RTA_GATEWAY, gateway.data(), gateway.byte_length());
    } else {  // RFC 8950: an IPv4 route via an IPv6 next hop
      uint8_t via[2 + 16] = {};
      uint16_t family = family_of(gateway);
      std::memcpy(via, &family, 2);
      std::memcpy(via + 2, gateway.data(), gateway.byte_length());
      put_attr(RTA_VIA, via, 2 + gateway.byte_length());
    }
  };
  if (install && nexthop_id != 0) {
    put_attr(RTA_NH_ID, &nexthop_id, sizeof nexthop_id);
  } else if (install && !route.blackhole) {
    if (route.nexthops.size() == 1) {
      put_gateway(route.nexthops[0].gateway);
      if (route.nexthops[0].ifindex != 0) put_attr(RTA_OIF, &route.nexthops[0].ifindex, 4);
    } else if (route.nexthops.size() > 1) {
      std::size_t nest = begin_nest(RTA_MULTIPATH);
      for (const NextHop& nh : route.nexthops) {
        std::size_t member = bytes_.size();
        bytes_.resize(member + RTNH_ALIGN(sizeof(rtnexthop)), 0);
        put_gateway(nh.gateway);
        rtnexthop rtnh{};
        rtnh.rtnh_len = static_cast<unsigned short>(bytes_.size() - member);
        rtnh.rtnh_hops = static_cast<uint8_t>(std::clamp<int>(nh.weight, 1, 256) - 1);
        rtnh.rtnh_ifindex = static_cast<int>(nh.ifindex);
        std::memcpy(bytes_.data() + member, &rtnh, sizeof rtnh);
      }
      end_nest(nest);
    }
  }
  align();
  header.nlmsg_len = static_cast<uint32_t>(bytes_.size() - start);
  std::memcpy(bytes_.data() + start, &header, sizeof header);
  ++count_;
}

void RouteMessageBuffer::add_nexthop(const NexthopObject& object, uint8_t protocol, uint32_t seq, bool ack) {
  std::size_t start = bytes_.size();
  last_ = start;
  bytes_.resize(start + NLMSG_LENGTH(sizeof(nhmsg)), 0);
  nlmsghdr header{};
  header.nlmsg_type = RTM_NEWNEXTHOP;
  header.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | (ack ? NLM_F_ACK : 0));
  header.nlmsg_seq = seq;
  nhmsg nh{};
  nh.nh_protocol = protocol;
  nh.nh_family = object.is_group() ? AF_UNSPEC : family_of(object.gateway);
  std::memcpy(bytes_.data() + start + NLMSG_HDRLEN, &nh, sizeof nh);
  put_attr(NHA_ID, &object.id, sizeof object.id);
  if (object.is_group()) {
    std::vector<nexthop_grp> members;
    for (const auto& [id, weight] : object.group) {
      nexthop_grp g{};
      g.id = id;
      g.weight = static_cast<uint8_t>(std::clamp<int>(weight, 1, 256) - 1);
      members.push_back(g);
    }
    put_attr(NHA_GROUP, members.data(), members.size() * sizeof(nexthop_grp));
  } else {
    if (!object.gateway.is_unspecified()) put_attr(NHA_GATEWAY, object.gateway.data(), object.gateway.byte_length());
    if (object.ifindex != 0) put_attr(NHA_OIF, &object.ifindex, sizeof object.ifindex);
  }
  align();
  header.nlmsg_len = static_cast<uint32_t>(bytes_.size() - start);
  std::memcpy(bytes_.data() + start, &header, sizeof header);
  ++count_;
}

void RouteMessageBuffer::add_nexthop_delete(uint32_t id, uint32_t seq, bool ack) {
  std::size_t start = bytes_.size();
  last_ = start;
  bytes_.resize(start + NLMSG_LENGTH(sizeof(nhmsg)), 0);
  nlmsghdr header{};
  header.nlmsg_type = RTM_DELNEXTHOP;
  header.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | (ack ? NLM_F_ACK : 0));
  header.nlmsg_seq = seq;
  put_attr(NHA_ID, &id, sizeof id);
  align();
  header.nlmsg_len = static_cast<uint32_t>(bytes_.size() - start);
  std::memcpy(bytes_.data() + start, &header, sizeof header);
  ++count_;
}

void RouteMessageBuffer::request_ack_on_last() {
  if (count_ == 0) return;
  nlmsghdr header;
  std::memcpy(&header, bytes_.data() + last_, sizeof header);
  header.nlmsg_flags |= NLM_F_ACK;
  std::memcpy(bytes_.data() + last_, &header, sizeof header);
}

// ---------------------------------------------------------------- decoding

namespace {

Result<IpAddress, Error> address_attr(const nlattr* attr, uint8_t family, const char* what) {
  std::size_t want = family == AF_INET ? 4 : 16;
  if (nla_len(attr) < static_cast<int>(want)) {
    return Error{std::string(what) + ": attribute of " + std::to_string(nla_len(attr)) + " bytes, expected " +
                 std::to_string(want)};
  }
  const auto* p = static_cast<const uint8_t*>(nla_data(attr));
  return family == AF_INET ? IpAddress::v4_bytes(p) : IpAddress::v6_bytes(p);
}

Result<IpAddress, Error> via_attr(const nlattr* attr) {
  if (nla_len(attr) < 2) return Error{"RTA_VIA: too short"};
  const auto* p = static_cast<const uint8_t*>(nla_data(attr));
  uint16_t family;
  std::memcpy(&family, p, 2);
  if (family != AF_INET && family != AF_INET6) return Error{"RTA_VIA: unknown family " + std::to_string(family)};
  std::size_t want = family == AF_INET ? 4 : 16;
  if (nla_len(attr) < static_cast<int>(2 + want)) return Error{"RTA_VIA: address truncated"};
  return family == AF_INET ? IpAddress::v4_bytes(p + 2) : IpAddress::v6_bytes(p + 2);
}

uint32_t u32_attr(const nlattr* attr, uint32_t fallback) {
  return attr != nullptr && nla_len(attr) >= 4 ? nla_get_u32(const_cast<nlattr*>(attr)) : fallback;
}

// Gateway of a next hop from its RTA_GATEWAY or RTA_VIA; unspecified when neither.
Result<IpAddress, Error> gateway_of(nlattr* const* tb, uint8_t family) {
  if (tb[RTA_GATEWAY] != nullptr) return address_attr(tb[RTA_GATEWAY], family, "RTA_GATEWAY");
  if (tb[RTA_VIA] != nullptr) return via_attr(tb[RTA_VIA]);
  return family == AF_INET ? IpAddress::v4(0) : IpAddress::v6({});  // a direct route
}

// libnl's parser stops quietly at an attribute that runs past the message; Petrel
// refuses such a message instead of reading half of it.
bool attributes_well_formed(nlmsghdr* header, int header_length) {
  int remaining = nlmsg_attrlen(header, header_length);
  nlattr* attr = nlmsg_attrdata(header, header_length);
  while (nla_ok(attr, remaining)) attr = nla_next(attr, &remaining);
  return remaining == 0;
}

}  // namespace

Result<KernelRoute, Error> decode_route(const nlmsghdr* message) {
  auto* header = const_cast<nlmsghdr*>(message);
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return Error{"route message too short"};
  const auto* rt = static_cast<const rtmsg*>(nlmsg_data(header));
  if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) {
    return Error{"route of family " + std::to_string(rt->rtm_family)};
  }
  nlattr* tb[RTA_MAX + 1] = {};
  if (int err = nlmsg_parse(header, sizeof(rtmsg), tb, RTA_MAX, nullptr);
      err < 0 || !attributes_well_formed(header, sizeof(rtmsg))) {
    return Error{"route attributes malformed (libnl error " + std::to_string(-err) + ")"};
  }
  const uint8_t max_length = rt->rtm_family == AF_INET ? 32 : 128;
  if (rt->rtm_dst_len > max_length) return Error{"route prefix length " + std::to_string(rt->rtm_dst_len)};

  KernelRoute out;
  IpAddress dst = rt->rtm_family == AF_INET ? IpAddress::v4(0) : IpAddress::v6({});
  if (tb[RTA_DST] != nullptr) {
    auto a = address_attr(tb[RTA_DST], rt->rtm_family, "RTA_DST");
    if (!a) return a.error();
    dst = *a;
  }
  out.route.prefix = Prefix::make(dst, rt->rtm_dst_len);
  out.table = u32_attr(tb[RTA_TABLE], rt->rtm_table);
  out.protocol = rt->rtm_protocol;
  switch (rt->rtm_type) {
    case RTN_UNICAST: out.type = KernelRoute::Type::unicast; break;
    case RTN_BLACKHOLE: out.type = KernelRoute::Type::blackhole; break;
    case RTN_UNREACHABLE:
    case RTN_PROHIBIT: out.type = KernelRoute::Type::unreachable; break;
    default: out.type = KernelRoute::Type::other; break;
  }
  if ((rt->rtm_flags & RTM_F_CLONED) != 0) out.type = KernelRoute::Type::other;  // IPv6 cache entries
  out.route.blackhole = out.type == KernelRoute::Type::blackhole;
  if (tb[RTA_PRIORITY] != nullptr) out.route.metric = u32_attr(tb[RTA_PRIORITY], 0);
  if (tb[RTA_PREFSRC] != nullptr) {
    auto a = address_attr(tb[RTA_PREFSRC], rt->rtm_family, "RTA_PREFSRC");
    if (!a) return a.error();
    out.route.preferred_source = *a;
  }

  out.route.nexthop_id = u32_attr(tb[RTA_NH_ID], 0);
  if (tb[RTA_MULTIPATH] != nullptr) {
    auto* rtnh = static_cast<rtnexthop*>(nla_data(tb[RTA_MULTIPATH]));
    int remaining = nla_len(tb[RTA_MULTIPATH]);
    while (remaining >= static_cast<int>(sizeof(rtnexthop))) {
      if (rtnh->rtnh_len < sizeof(rtnexthop) || rtnh->rtnh_len > remaining) {
        return Error{"RTA_MULTIPATH: next hop length " + std::to_string(rtnh->rtnh_len)};
      }
      nlattr* ntb[RTA_MAX + 1] = {};
      int inner = rtnh->rtnh_len - static_cast<int>(RTNH_LENGTH(0));
      if (inner > 0 && nla_parse(ntb, RTA_MAX, reinterpret_cast<nlattr*>(RTNH_DATA(rtnh)), inner, nullptr) < 0) {
        return Error{"RTA_MULTIPATH: next hop attributes malformed"};
      }
      int inner_left = inner;
      for (auto* a = reinterpret_cast<nlattr*>(RTNH_DATA(rtnh)); nla_ok(a, inner_left);) a = nla_next(a, &inner_left);
      if (inner > 0 && inner_left != 0) {
        return Error{"RTA_MULTIPATH: next hop attributes malformed"};
      }
      NextHop nh;
      nh.gateway = rt->rtm_family == AF_INET ? IpAddress::v4(0) : IpAddress::v6({});
      if (inner > 0) {
        auto gw = gateway_of(ntb, rt->rtm_family);
        if (!gw) return gw.error();
        nh.gateway = *gw;
      }
      nh.ifindex = static_cast<uint32_t>(rtnh->rtnh_ifindex);
      nh.weight = static_cast<uint16_t>(rtnh->rtnh_hops + 1);
      out.route.nexthops.push_back(nh);
      int step = RTNH_ALIGN(rtnh->rtnh_len);
      remaining -= step;
      rtnh = reinterpret_cast<rtnexthop*>(reinterpret_cast<char*>(rtnh) + step);
    }
  } else if (!out.route.blackhole && (tb[RTA_GATEWAY] != nullptr || tb[RTA_VIA] != nullptr || tb[RTA_OIF] != nullptr)) {
    NextHop nh;
    auto gw = gateway_of(tb, rt->rtm_family);
    if (!gw) return gw.error();
    nh.gateway = *gw;
    nh.ifindex = u32_attr(tb[RTA_OIF], 0);
    out.route.nexthops.push_back(nh);
  }
  normalize(out.route);
  return out;
}

Result<std::pair<NexthopObject, uint8_t>, Error> decode_nexthop(const nlmsghdr* message) {
  auto* header = const_cast<nlmsghdr*>(message);
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(nhmsg))) return Error{"nexthop message too short"};
  const auto* nh = static_cast<const nhmsg*>(nlmsg_data(header));
  nlattr* tb[NHA_MAX + 1] = {};
  if (nlmsg_parse(header, sizeof(nhmsg), tb, NHA_MAX, nullptr) < 0 || !attributes_well_formed(header, sizeof(nhmsg))) {
    return Error{"nexthop attributes malformed"};
  }
  NexthopObject object;
  object.id = u32_attr(tb[NHA_ID], 0);
  if (object.id == 0) return Error{"nexthop without NHA_ID"};
  if (tb[NHA_GROUP] != nullptr) {
    int length = nla_len(tb[NHA_GROUP]);
    if (length <= 0 || length % static_cast<int>(sizeof(nexthop_grp)) != 0) return Error{"NHA_GROUP length"};
    const auto* members = static_cast<const nexthop_grp*>(nla_data(tb[NHA_GROUP]));
    for (int i = 0; i < length / static_cast<int>(sizeof(nexthop_grp)); ++i) {
      object.group.emplace_back(members[i].id, static_cast<uint16_t>(members[i].weight + 1));
    }
  } else {
    if (nh->nh_family != AF_INET && nh->nh_family != AF_INET6) return Error{"nexthop of family " + std::to_string(nh->nh_family)};
    object.gateway = nh->nh_family == AF_INET ? IpAddress::v4(0) : IpAddress::v6({});
    if (tb[NHA_GATEWAY] != nullptr) {
      auto a = address_attr(tb[NHA_GATEWAY], nh->nh_family, "NHA_GATEWAY");
      if (!a) return a.error();
      object.gateway = *a;
    }
    object.ifindex = u32_attr(tb[NHA_OIF], 0);
  }
  return std::pair{object, nh->nh_protocol};
}

Result<LinkInfo, Error> decode_link(const nlmsghdr* message) {
  auto* header = const_cast<nlmsghdr*>(message);
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return Error{"link message too short"};
  const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(header));
  nlattr* tb[IFLA_MAX + 1] = {};
  if (nlmsg_parse(header, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 ||
      !attributes_well_formed(header, sizeof(ifinfomsg)))
    return Error{"link attributes malformed"};
  LinkInfo out;
  out.ifindex = static_cast<uint32_t>(ifi->ifi_index);
  out.up = (ifi->ifi_flags & IFF_UP) != 0 && (ifi->ifi_flags & IFF_RUNNING) != 0;
  if (tb[IFLA_IFNAME] != nullptr) {
    const char* name = static_cast<const char*>(nla_data(tb[IFLA_IFNAME]));
    out.name.assign(name, strnlen(name, static_cast<std::size_t>(nla_len(tb[IFLA_IFNAME]))));
  }
  return out;
}

Result<AddressInfo, Error> decode_address(const nlmsghdr* message) {
  auto* header = const_cast<nlmsghdr*>(message);
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return Error{"address message too short"};
  const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(header));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) {
    return Error{"address of family " + std::to_string(ifa->ifa_family)};
  }
  nlattr* tb[IFA_MAX + 1] = {};
  if (nlmsg_parse(header, sizeof(ifaddrmsg), tb, IFA_MAX, nullptr) < 0 ||
      !attributes_well_formed(header, sizeof(ifaddrmsg)))
    return Error{"address attributes malformed"};
  // IFA_ADDRESS is the peer on point-to-point links, which is what the connected
  // route covers; IFA_LOCAL the local address otherwise (equal on broadcast links).
  nlattr* attr = tb[IFA_ADDRESS] != nullptr ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
  if (attr == nullptr) return Error{"address message without IFA_ADDRESS"};
  auto a = address_attr(attr, ifa->ifa_family, "IFA_ADDRESS");
  if (!a) return a.error();
  if (ifa->ifa_prefixlen > a->max_prefix_length()) return Error{"address prefix length"};
  return AddressInfo{static_cast<uint32_t>(ifa->ifa_index), Prefix::make(*a, ifa->ifa_prefixlen)};
}

}  // namespace petrel::fib
