// UPDATE behaviour beyond error rules: RFC 6793 AS4 reconstruction and encoding
// for 2-octet peers, End-of-RIB (RFC 4724 §2), packing many prefixes per message,
// ADD-PATH path identifiers, IPv6 next hops.
#include "bgp/wire/update.hpp"

#include <doctest/doctest.h>

#include <set>

#include "bgp/wire/framer.hpp"
#include "bgp/wire/update_packer.hpp"
#include "tests/support/wire_builder.hpp"

using namespace petrel::bgp::wire;
using namespace petrel::test;
using petrel::IpAddress;
using petrel::Prefix;

namespace {

CodecContext two_octet() {
  CodecContext c;
  c.four_octet_as = false;
  return c;
}

Bytes as_path2(uint8_t seg_type, std::initializer_list<uint16_t> asns) {
  Bytes v{seg_type, static_cast<uint8_t>(asns.size())};
  for (auto a : asns) {
    auto b = u16(a);
    v.insert(v.end(), b.begin(), b.end());
  }
  return attribute(0x40, 2, v);
}

Bytes as4_path(std::initializer_list<uint32_t> asns) {
  Bytes v{2, static_cast<uint8_t>(asns.size())};
  for (auto a : asns) {
    auto b = u32(a);
    v.insert(v.end(), b.begin(), b.end());
  }
  return attribute(0xc0, 17, v);
}

const Bytes kNlri{24, 10, 1, 2};

std::vector<NlriEntry> v4_prefixes(std::size_t n, uint8_t len = 24) {
  std::vector<NlriEntry> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({0, Prefix::make(IpAddress::v4(0x0a000000u + static_cast<uint32_t>(i << 8)), len)});
  return out;
}

// Frames and decodes every message of a packed stream. The Updates' NLRI views
// point into `stream`, which outlives them (the framer's own buffer does not).
std::vector<Update> decode_stream(const std::vector<uint8_t>& stream, const CodecContext& ctx, std::size_t* max_size = nullptr) {
  Framer f(ctx.max_message_size());
  f.feed(stream);
  std::vector<Update> out;
  std::size_t at = 0;
  for (;;) {
    auto m = f.next();
    REQUIRE(m.has_value());
    if (!*m) break;
    const std::size_t size = (*m)->bytes.size();
    if (max_size) *max_size = std::max(*max_size, size);
    auto u = decode_update(std::span(stream).subspan(at, size), ctx);
    at += size;
    REQUIRE(u.has_value());
    CHECK(u->errors.empty());
    out.push_back(std::move(*u));
  }
  CHECK(f.buffered() == 0);
  return out;
}

}  // namespace

TEST_CASE("RFC 6793 §4.2.3: AS_PATH rebuilt from AS4_PATH for a 2-octet peer") {
  SUBCASE("leading ASes from AS_PATH, the rest from AS4_PATH") {
    const Bytes attrs = cat({origin_igp(), as_path2(2, {65001, kAsTrans, kAsTrans}), next_hop(192, 0, 2, 1),
                             as4_path({4200000001u, 4200000002u})});
    auto r = decode_update(keep(update({}, attrs, kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
    CHECK(r->attrs.as_path->to_string() == "65001 4200000001 4200000002");
  }
  SUBCASE("an AS4_PATH longer than AS_PATH is ignored") {
    const Bytes attrs = cat({origin_igp(), as_path2(2, {kAsTrans}), next_hop(192, 0, 2, 1),
                             as4_path({4200000001u, 4200000002u})});
    auto r = decode_update(keep(update({}, attrs, kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->attrs.as_path->to_string() == "23456");
  }
  SUBCASE("an AGGREGATOR without AS_TRANS makes AS4_PATH and AS4_AGGREGATOR stale") {
    const Bytes attrs = cat({origin_igp(), as_path2(2, {65001, kAsTrans}), next_hop(192, 0, 2, 1),
                             attribute(0xc0, 7, cat({u16(65010), u32(0x0a000001)})), as4_path({4200000001u}),
                             attribute(0xc0, 18, cat({u32(4200000009u), u32(0x0a000002)}))});
    auto r = decode_update(keep(update({}, attrs, kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->attrs.as_path->to_string() == "65001 23456");
    CHECK(r->attrs.aggregator->asn == 65010u);
  }
  SUBCASE("an AGGREGATOR with AS_TRANS takes AS4_AGGREGATOR") {
    const Bytes attrs = cat({origin_igp(), as_path2(2, {kAsTrans}), next_hop(192, 0, 2, 1),
                             attribute(0xc0, 7, cat({u16(kAsTrans), u32(0x0a000001)})), as4_path({4200000001u}),
                             attribute(0xc0, 18, cat({u32(4200000009u), u32(0x0a000002)}))});
    auto r = decode_update(keep(update({}, attrs, kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->attrs.as_path->to_string() == "4200000001");
    CHECK(r->attrs.aggregator == Aggregator{4200000009u, 0x0a000002});
  }
}

TEST_CASE("RFC 6793 §4.2.2: encoding for a 2-octet peer puts AS_TRANS in AS_PATH and the truth in AS4_PATH") {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{{AsSegmentType::confed_sequence, {64512}}, {AsSegmentType::sequence, {65001, 4200000001u}}}};
  a.next_hop = IpAddress::parse("192.0.2.1");
  a.aggregator = Aggregator{4200000009u, 1};
  std::vector<uint8_t> bytes;
  REQUIRE(encode_update({{}, a, v4_prefixes(1), {}, {}}, two_octet(), bytes).has_value());
  // Read as a 4-octet speaker would, AS4_* are ignored: the 2-octet view shows AS_TRANS.
  auto as_two = decode_update(bytes, two_octet());
  REQUIRE(as_two.has_value());
  CHECK(as_two->attrs.as_path->to_string() == "(64512) 65001 4200000001");
  CHECK(as_two->attrs.aggregator->asn == 4200000009u);
  // Without AS4 attributes applied, the raw AS_PATH carries 23456.
  PathAttributes small = a;
  small.as_path = AsPath{{{AsSegmentType::sequence, {65001, 65002}}}};
  small.aggregator.reset();
  std::vector<uint8_t> plain;
  REQUIRE(encode_update({{}, small, v4_prefixes(1), {}, {}}, two_octet(), plain).has_value());
  CHECK(plain.size() < bytes.size());  // no AS4_PATH when every AS fits in two octets
}

TEST_CASE("RFC 4724 §2: End-of-RIB markers") {
  for (auto f : {Family::ipv4_unicast, Family::ipv6_unicast}) {
    std::vector<uint8_t> bytes;
    encode_end_of_rib(f, bytes);
    auto u = decode_update(bytes, {});
    REQUIRE(u.has_value());
    CHECK(u->end_of_rib() == f);
  }
  // An UPDATE withdrawing something is not an End-of-RIB.
  auto u = decode_update(keep(update({24, 10, 0, 0}, {}, {})), {});
  REQUIRE(u.has_value());
  CHECK_FALSE(u->end_of_rib());
  // Nor is an empty MP_UNREACH next to other attributes.
  auto v = decode_update(keep(update({}, cat({attribute(0x80, 15, {0, 2, 1}), origin_igp()}), {})), {});
  REQUIRE(v.has_value());
  CHECK_FALSE(v->end_of_rib());
}

TEST_CASE("IPv6 MP_REACH_NLRI with a global and a link-local next hop") {
  UpdateMessage m;
  m.attrs.origin = Origin::igp;
  m.attrs.as_path = AsPath{};
  m.mp_reach = MpReachMessage{Family::ipv6_unicast,
                              {*IpAddress::parse("2001:db8::1"), IpAddress::parse("fe80::1")},
                              {{0, *Prefix::parse("2001:db8:100::/48")}, {0, *Prefix::parse("::/0")}}};
  std::vector<uint8_t> bytes;
  REQUIRE(encode_update(m, {}, bytes).has_value());
  auto d = decode_update(bytes, {});
  REQUIRE(d.has_value());
  REQUIRE(d->mp_reach);
  CHECK(d->mp_reach->next_hop.link_local->to_string() == "fe80::1");
  CHECK(to_message(*d) == m);
}

TEST_CASE("packing: 10,000 IPv4 prefixes under one attribute set fill 4096-byte messages") {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{{AsSegmentType::sequence, {65001, 65002}}}};
  a.next_hop = IpAddress::parse("192.0.2.1");
  a.communities = {1, 2, 3};
  const auto prefixes = v4_prefixes(10000);
  std::vector<uint8_t> out;
  auto n = pack_announcements(Family::ipv4_unicast, a, std::nullopt, prefixes, {}, out);
  REQUIRE(n.has_value());
  // 4 bytes per /24; about (4096 - 23 - attributes) / 4 ≈ 1000 per message.
  CHECK(*n == 10);
  std::size_t max_size = 0;
  auto updates = decode_stream(out, {}, &max_size);
  CHECK(updates.size() == *n);
  CHECK(max_size <= 4096);
  CHECK(max_size > 4090);
  std::vector<NlriEntry> back;
  for (const auto& u : updates) {
    CHECK(u.attrs == a);
    for (auto e : u.nlri) back.push_back(e);
  }
  CHECK(back == prefixes);
}

TEST_CASE("packing: extended messages need fewer UPDATEs; IPv6 rides in MP_REACH_NLRI") {
  CodecContext ext;
  ext.extended_message = true;
  PathAttributes a;
  a.origin = Origin::incomplete;
  a.as_path = AsPath{};
  a.local_pref = 100;
  std::vector<NlriEntry> v6;
  for (uint32_t i = 0; i < 5000; ++i) {
    std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    v6.push_back({0, Prefix::make(IpAddress::v6(b), 48)});
  }
  const MpNextHop nh{*IpAddress::parse("2001:db8::1"), IpAddress::parse("fe80::2")};
  std::vector<uint8_t> small, big;
  auto n_small = pack_announcements(Family::ipv6_unicast, a, nh, v6, {}, small);
  auto n_big = pack_announcements(Family::ipv6_unicast, a, nh, v6, ext, big);
  REQUIRE(n_small.has_value());
  REQUIRE(n_big.has_value());
  // Per message: header 19 + lengths 4 + MP_REACH 41 (4 header, 3 AFI/SAFI, 1 + 32
  // next hops, 1 reserved) + ORIGIN 4, AS_PATH 3, LOCAL_PREF 7 = 78 bytes, leaving
  // room for (4096 - 78) / 7 = 574 /48s: 5000 need 9 messages.
  CHECK(*n_small == 9);
  CHECK(*n_big == 1);
  std::size_t count = 0;
  for (const auto& u : decode_stream(big, ext)) {
    REQUIRE(u.mp_reach);
    CHECK(u.mp_reach->next_hop == nh);
    count += u.mp_reach->nlri.size();
  }
  CHECK(count == v6.size());
}

TEST_CASE("packing withdrawals, IPv4 and IPv6, with ADD-PATH identifiers") {
  CodecContext ctx;
  ctx.add_path_send = {true, true};
  ctx.add_path_receive = {true, true};
  auto v4 = v4_prefixes(3000, 22);
  for (std::size_t i = 0; i < v4.size(); ++i) v4[i].path_id = static_cast<uint32_t>(i + 1);
  std::vector<uint8_t> out;
  const auto n = pack_withdrawals(Family::ipv4_unicast, v4, ctx, out);
  CHECK(n == 6);  // 8 bytes each with a path identifier: 509 per message
  std::vector<NlriEntry> back;
  for (const auto& u : decode_stream(out, ctx))
    for (auto e : u.withdrawn) back.push_back(e);
  CHECK(back == v4);

  std::vector<NlriEntry> v6{{9, *Prefix::parse("2001:db8::/32")}, {10, *Prefix::parse("2001:db8:1::/48")}};
  std::vector<uint8_t> out6;
  CHECK(pack_withdrawals(Family::ipv6_unicast, v6, ctx, out6) == 1);
  auto u6 = decode_stream(out6, ctx);
  REQUIRE(u6.size() == 1);
  REQUIRE(u6[0].mp_unreach);
  CHECK(to_vector(u6[0].mp_unreach->nlri) == v6);
}

TEST_CASE("packing refuses attributes that leave no room, and writes nothing") {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{};
  a.next_hop = IpAddress::parse("192.0.2.1");
  a.communities.assign(1100, 7);  // 4400 bytes
  std::vector<uint8_t> out{1, 2, 3};
  auto n = pack_announcements(Family::ipv4_unicast, a, std::nullopt, v4_prefixes(3), {}, out);
  CHECK_FALSE(n.has_value());
  CHECK(out == std::vector<uint8_t>{1, 2, 3});
  CHECK_FALSE(encode_update({{}, a, v4_prefixes(1), {}, {}}, {}, out).has_value());
  CHECK(out == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("prefix host bits on the wire are cleared, as RFC 4271 §4.3 allows") {
  auto u = decode_update(keep(update({}, mandatory(), {20, 10, 1, 0xff})), {});
  REQUIRE(u.has_value());
  CHECK((*u->nlri.begin()).prefix.to_string() == "10.1.240.0/20");
}
