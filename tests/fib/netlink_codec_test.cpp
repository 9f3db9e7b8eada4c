// The rtnetlink codec on bytes: what the writer encodes decodes back to the same
// route; flags, table and protocol are where the kernel reads them; short or odd
// messages give errors.
#include "fib/netlink_codec.hpp"

#include <doctest/doctest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "fib/route_text.hpp"

using namespace petrel;
using namespace petrel::fib;

namespace {

std::optional<uint32_t> ifindex(std::string_view name) {
  if (name == "eth1") return 2;
  if (name == "eth2") return 3;
  return std::nullopt;
}

Route route(std::string_view text) {
  auto r = parse_route(text, ifindex);
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}

const nlmsghdr* header(const RouteMessageBuffer& b) { return reinterpret_cast<const nlmsghdr*>(b.data()); }
const rtmsg* body(const RouteMessageBuffer& b) { return static_cast<const rtmsg*>(NLMSG_DATA(header(b))); }

}  // namespace

TEST_CASE("installs encode and decode back to the same route") {
  const KernelTarget target{254, 201};
  for (const char* text : {
           "10.0.1.0/24 via 10.9.0.1",
           "10.0.1.0/24 via 10.9.0.1 dev eth1 metric 20 src 10.9.0.7",
           "10.0.1.0/24 via 10.9.0.1 dev eth1 via 10.8.0.1 dev eth2 weight 3",
           "10.244.1.0/24 blackhole",
           "10.0.0.0/8 dev eth2",
           "2001:db8::/48 via fd00::1 dev eth1 via fd00::2 dev eth2 metric 1024",
           "2001:db8:1::/64 blackhole metric 1024",
           "0.0.0.0/0 via 10.9.0.1 dev eth1",
           "10.1.2.3/32 via fd00::1 dev eth1",  // RFC 8950: IPv6 next hop for IPv4
           "10.7.0.0/16 nhid 12 metric 5",      // a kernel nexthop object
       }) {
    const std::string shown = text;
    CAPTURE(shown);
    Route want = route(text);
    RouteMessageBuffer b;
    b.add({Operation::Kind::install, want}, target, 77, /*ack=*/false);
    REQUIRE(b.count() == 1);
    REQUIRE(header(b)->nlmsg_len == b.size());
    CHECK(header(b)->nlmsg_type == RTM_NEWROUTE);
    CHECK(header(b)->nlmsg_seq == 77u);
    CHECK(header(b)->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL));  // never over another owner
    CHECK(body(b)->rtm_protocol == 201);
    auto got = decode_route(header(b));
    REQUIRE_MESSAGE(got.has_value(), got.error().message);
    CHECK(got->route == want);
    CHECK(got->protocol == 201);
    CHECK(got->table == 254u);
    CHECK(got->type == (want.blackhole ? KernelRoute::Type::blackhole : KernelRoute::Type::unicast));
    CHECK(kernel_matches(want, got->route));

    RouteMessageBuffer replace;
    replace.add({Operation::Kind::replace, want}, target, 78, /*ack=*/false);
    CHECK(header(replace)->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE));
    CHECK(decode_route(header(replace))->route == want);
  }
}

TEST_CASE("removes carry protocol, table and metric; ack only when asked; many messages in one buffer") {
  RouteMessageBuffer b;
  Route r = route("10.0.1.0/24 blackhole metric 30");
  b.add({Operation::Kind::remove, r}, KernelTarget{1000, 42}, 5, /*ack=*/true);
  CHECK(header(b)->nlmsg_type == RTM_DELROUTE);
  CHECK(header(b)->nlmsg_flags == (NLM_F_REQUEST | NLM_F_ACK));
  CHECK(body(b)->rtm_table == RT_TABLE_UNSPEC);  // table 1000 lives in RTA_TABLE
  auto got = decode_route(header(b));
  REQUIRE(got.has_value());
  CHECK(got->table == 1000u);
  CHECK(got->protocol == 42);
  CHECK(got->route.metric == 30u);

  b.add({Operation::Kind::install, route("10.0.2.0/24 via 10.9.0.1")}, KernelTarget{}, 6, false);
  CHECK(b.count() == 2);
  b.request_ack_on_last();
  int remaining = static_cast<int>(b.size());
  int seen = 0;
  for (auto* h = reinterpret_cast<const nlmsghdr*>(b.data()); NLMSG_OK(h, remaining); h = NLMSG_NEXT(h, remaining)) {
    CHECK(h->nlmsg_seq == 5u + seen);
    CHECK((h->nlmsg_flags & NLM_F_ACK) != 0);  // the first asked for it, the last got it
    ++seen;
  }
  CHECK(seen == 2);
  CHECK(remaining == 0);
}

TEST_CASE("short and malformed messages give errors") {
  RouteMessageBuffer b;
  b.add({Operation::Kind::install, route("10.0.1.0/24 via 10.9.0.1 via 10.8.0.1")}, KernelTarget{}, 1, false);
  std::vector<uint8_t> bytes(b.data(), b.data() + b.size());
  auto* h = reinterpret_cast<nlmsghdr*>(bytes.data());

  SUBCASE("header shorter than rtmsg") {
    h->nlmsg_len = NLMSG_LENGTH(2);
    CHECK_FALSE(decode_route(h).has_value());
  }
  SUBCASE("unknown family") {
    reinterpret_cast<rtmsg*>(NLMSG_DATA(h))->rtm_family = 128;  // RTNL_FAMILY_IPMR
    CHECK_FALSE(decode_route(h).has_value());
  }
  SUBCASE("prefix length past the family's") {
    reinterpret_cast<rtmsg*>(NLMSG_DATA(h))->rtm_dst_len = 33;
    CHECK_FALSE(decode_route(h).has_value());
  }
  SUBCASE("RTA_DST too short for IPv6") {
    reinterpret_cast<rtmsg*>(NLMSG_DATA(h))->rtm_family = AF_INET6;
    CHECK_FALSE(decode_route(h).has_value());
  }
  SUBCASE("a multipath member claiming more bytes than there are") {
    // Find RTA_MULTIPATH and corrupt its first rtnexthop length.
    auto* attr = reinterpret_cast<rtattr*>(bytes.data() + NLMSG_LENGTH(sizeof(rtmsg)));
    int left = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(rtmsg)));
    while (RTA_OK(attr, left) && attr->rta_type != RTA_MULTIPATH) attr = RTA_NEXT(attr, left);
    REQUIRE(RTA_OK(attr, left));
    auto* rtnh = static_cast<rtnexthop*>(RTA_DATA(attr));
    rtnh->rtnh_len = 200;
    CHECK_FALSE(decode_route(h).has_value());
  }
  SUBCASE("attributes running past the message") {
    auto* attr = reinterpret_cast<rtattr*>(bytes.data() + NLMSG_LENGTH(sizeof(rtmsg)));
    attr->rta_len = 4000;
    CHECK_FALSE(decode_route(h).has_value());
  }
}

TEST_CASE("nexthop objects encode and decode back; deletes name the id") {
  RouteMessageBuffer b;
  NexthopObject single{42, *IpAddress::parse("fd00::2"), 3, {}};
  b.add_nexthop(single, 201, 9, /*ack=*/true);
  CHECK(header(b)->nlmsg_type == RTM_NEWNEXTHOP);
  CHECK(header(b)->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK));
  auto got = decode_nexthop(header(b));
  REQUIRE(got.has_value());
  CHECK(got->first == single);
  CHECK(got->second == 201);

  RouteMessageBuffer g;
  NexthopObject group{43, {}, 0, {{41, 1}, {42, 256}}};
  g.add_nexthop(group, 201, 10, false);
  auto got_group = decode_nexthop(header(g));
  REQUIRE(got_group.has_value());
  CHECK(got_group->first.group == group.group);

  RouteMessageBuffer d;
  d.add_nexthop_delete(43, 11, false);
  CHECK(header(d)->nlmsg_type == RTM_DELNEXTHOP);
  // A delete carries no family header fields the decoder needs; an empty group is refused.
  std::vector<uint8_t> bytes(g.data(), g.data() + g.size());
  auto* h = reinterpret_cast<nlmsghdr*>(bytes.data());
  h->nlmsg_len = NLMSG_LENGTH(2);
  CHECK_FALSE(decode_nexthop(h).has_value());
}

TEST_CASE("links and addresses decode; up means IFF_UP and IFF_RUNNING") {
  struct {
    nlmsghdr h;
    ifinfomsg ifi;
    rtattr name_attr;
    char name[8];
  } link{};
  link.h.nlmsg_len = sizeof link;
  link.h.nlmsg_type = RTM_NEWLINK;
  link.ifi.ifi_index = 7;
  link.ifi.ifi_flags = IFF_UP | IFF_RUNNING;
  link.name_attr.rta_len = RTA_LENGTH(6);
  link.name_attr.rta_type = IFLA_IFNAME;
  std::memcpy(link.name, "veth1", 6);
  auto l = decode_link(&link.h);
  REQUIRE(l.has_value());
  CHECK(l->ifindex == 7u);
  CHECK(l->up);
  CHECK(l->name == "veth1");
  link.ifi.ifi_flags = IFF_UP;  // no carrier
  CHECK_FALSE(decode_link(&link.h)->up);

  struct {
    nlmsghdr h;
    ifaddrmsg ifa;
    rtattr addr_attr;
    uint8_t addr[4];
  } addr{};
  addr.h.nlmsg_len = sizeof addr;
  addr.h.nlmsg_type = RTM_NEWADDR;
  addr.ifa.ifa_family = AF_INET;
  addr.ifa.ifa_prefixlen = 24;
  addr.ifa.ifa_index = 7;
  addr.addr_attr.rta_len = RTA_LENGTH(4);
  addr.addr_attr.rta_type = IFA_ADDRESS;
  const uint8_t a[4] = {10, 1, 0, 1};
  std::memcpy(addr.addr, a, 4);
  auto got = decode_address(&addr.h);
  REQUIRE(got.has_value());
  CHECK(got->ifindex == 7u);
  CHECK(got->on_link == *Prefix::parse("10.1.0.0/24"));
  addr.ifa.ifa_prefixlen = 40;
  CHECK_FALSE(decode_address(&addr.h).has_value());
  addr.ifa.ifa_prefixlen = 24;
  addr.ifa.ifa_family = AF_INET6;  // 4 bytes are not an IPv6 address
  CHECK_FALSE(decode_address(&addr.h).has_value());
}
