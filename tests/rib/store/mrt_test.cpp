// MRT records (RFC 6396) byte for byte: the PEER_INDEX_TABLE, RIB_IPV4_UNICAST
// and RIB_IPV6_UNICAST of TABLE_DUMP_V2, and BGP4MP_MESSAGE_AS4 for the journal.
// bgpdump reading them is tests/rib/store/mrt_bgpdump_test.cpp.
#include "rib/store/mrt.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "bgp/wire/update.hpp"

using namespace petrel;
using namespace petrel::rib;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;

namespace {

std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : text) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

RouteAttrs v4_attrs() {
  RouteAttrs a;
  a.attrs.origin = wire::Origin::igp;
  a.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}}};
  a.attrs.med = 5;
  a.next_hop = *IpAddress::parse("10.0.0.1");
  return a;
}

constexpr uint32_t kTime = 1'600'000'000;  // 0x5f5e1000

}  // namespace

TEST_CASE("PEER_INDEX_TABLE (RFC 6396 §4.3.1): collector, view name, peers with 4-octet AS") {
  std::vector<uint8_t> out;
  const mrt::Peer peers[] = {{0x0a000001, *IpAddress::parse("10.0.0.1"), 65001},
                             {0x0a000002, *IpAddress::parse("2001:db8::2"), 4200000000u}};
  mrt::encode_peer_index_table(kTime, 0x0a000063, "test", peers, out);
  CHECK(out == hex("5f5e1000 000d 0001 00000032"
                   "0a000063 0004 74657374 0002"
                   "02 0a000001 0a000001 0000fde9"
                   "03 0a000002 20010db8000000000000000000000002 fa56ea00"));
}

TEST_CASE("RIB_IPV4_UNICAST (§4.3.2): sequence, prefix, entries with their attributes (§4.3.4)") {
  std::vector<uint8_t> out;
  const RouteAttrs a = v4_attrs();
  const mrt::RibEntry entries[] = {{0, kTime, &a}};
  mrt::encode_rib(kTime, 7, *Prefix::parse("10.244.3.0/24"), entries, out);
  CHECK(out == hex("5f5e1000 000d 0002 0000002d"
                   "00000007 18 0af403 0001"
                   "0000 5f5e1000 001b"
                   "40010100 4002060201 0000fde9 4003040a000001 800404 00000005"));
}

TEST_CASE("RIB_IPV6_UNICAST: the next hop in an MP_REACH_NLRI of only its length and address") {
  std::vector<uint8_t> out;
  RouteAttrs a;
  a.attrs.origin = wire::Origin::igp;
  a.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}}};
  a.next_hop = *IpAddress::parse("2001:db8::1");
  const mrt::RibEntry entries[] = {{0, kTime, &a}};
  mrt::encode_rib(kTime, 8, *Prefix::parse("2001:db8:3::/48"), entries, out);
  CHECK(out == hex("5f5e1000 000d 0004 00000036"
                   "00000008 30 20010db80003 0001"
                   "0000 5f5e1000 0021"
                   "40010100 4002060201 0000fde9"
                   "800e11 10 20010db8000000000000000000000001"));
}

TEST_CASE("BGP4MP_MESSAGE_AS4 (§4.4.3): a journal withdraw as a whole UPDATE") {
  JournalEntry e;
  e.time_ms = int64_t{kTime} * 1000 + 999;
  e.prefix = *Prefix::parse("10.244.3.0/24");
  e.change = ChangeKind::withdraw;
  e.peer = PeerRef{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
  std::vector<uint8_t> out;
  mrt::encode_journal_entry(e, 64512, *IpAddress::parse("10.0.0.11"), out);
  CHECK(out == hex("5f5e1000 0010 0004 0000002f"
                   "0000fde9 0000fc00 0000 0001 0a000001 0a00000b"
                   "ffffffffffffffffffffffffffffffff 001b 02 0004 180af403 0000"));
}

TEST_CASE("a journal announce carries the summary's attributes; IPv6 in MP_REACH_NLRI") {
  JournalEntry e;
  e.prefix = *Prefix::parse("10.244.3.0/24");
  e.change = ChangeKind::announce;
  e.attrs.next_hop = *IpAddress::parse("10.0.0.1");
  e.attrs.origin = wire::Origin::igp;
  e.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}}};
  e.attrs.local_pref = 100;
  e.attrs.communities = {(65001u << 16) | 7};
  const auto update4 = mrt::journal_update(e);
  const auto u4 = wire::decode_update(update4, wire::CodecContext{});
  REQUIRE(u4.has_value());
  CHECK(u4->attrs.next_hop == e.attrs.next_hop);
  CHECK(u4->attrs.local_pref == 100u);
  CHECK(u4->attrs.communities == e.attrs.communities);
  CHECK(wire::to_vector(u4->nlri) == std::vector<wire::NlriEntry>{{0, e.prefix}});

  e.prefix = *Prefix::parse("2001:db8:3::/48");
  e.attrs.next_hop = *IpAddress::parse("2001:db8::1");
  const auto update = mrt::journal_update(e);
  const auto u6 = wire::decode_update(update, wire::CodecContext{});
  REQUIRE(u6.has_value());
  REQUIRE(u6->mp_reach.has_value());
  CHECK(u6->mp_reach->next_hop.global == e.attrs.next_hop);
  CHECK(wire::to_vector(u6->mp_reach->nlri) == std::vector<wire::NlriEntry>{{0, e.prefix}});
  // A v6 peer: both addresses in IPv6 (the local one unspecified when it is IPv4).
  e.peer.address = *IpAddress::parse("2001:db8::2");
  std::vector<uint8_t> out;
  mrt::encode_journal_entry(e, 64512, *IpAddress::parse("10.0.0.11"), out);
  REQUIRE(out.size() == 12 + 12 + 32 + update.size());
  CHECK(out[12 + 10] == 0);
  CHECK(out[12 + 11] == 2);  // AFI IPv6
  CHECK(std::all_of(out.begin() + 12 + 12 + 16, out.begin() + 12 + 12 + 32, [](uint8_t b) { return b == 0; }));
}
