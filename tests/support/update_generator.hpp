// tests/support/update_generator.hpp — a seeded generator of valid UPDATEs for
// round-trip property tests: every message it makes must decode, under the same
// context, to exactly what was encoded. It respects what the wire can say: a
// 2-octet session keeps confederation ASes below 65536, an external session sends
// no LOCAL_PREF/ORIGINATOR_ID/CLUSTER_LIST, unknown attributes carry the Partial bit.
#pragma once

#include <random>

#include "bgp/wire/update.hpp"

namespace petrel::test {

class UpdateGenerator {
 public:
  explicit UpdateGenerator(uint64_t seed) : rng_(seed) {}

  bgp::wire::CodecContext context() {
    bgp::wire::CodecContext c;
    c.four_octet_as = coin(0.7);
    c.extended_message = coin(0.3);
    for (std::size_t f = 0; f < bgp::wire::kFamilyCount; ++f) c.add_path_receive[f] = c.add_path_send[f] = coin(0.3);
    c.ipv4_with_ipv6_next_hop = coin(0.3);
    c.external_peer = coin(0.5);
    return c;
  }

  bgp::wire::UpdateMessage update(const bgp::wire::CodecContext& ctx) {
    using namespace bgp::wire;
    UpdateMessage m;
    const bool ap4 = ctx.add_path_send[index(Family::ipv4_unicast)];
    const bool ap6 = ctx.add_path_send[index(Family::ipv6_unicast)];
    m.withdrawn = prefixes(Family::ipv4_unicast, ap4, pick(0, 30) * coin(0.4));
    m.nlri = prefixes(Family::ipv4_unicast, ap4, pick(0, 40) * coin(0.6));
    if (coin(0.4)) {
      MpReachMessage r;
      r.family = coin(0.8) ? Family::ipv6_unicast : Family::ipv4_unicast;
      const bool ap = r.family == Family::ipv6_unicast ? ap6 : ap4;
      if (r.family == Family::ipv6_unicast || (ctx.ipv4_with_ipv6_next_hop && coin(0.5))) {
        r.next_hop.global = v6_host();
        if (coin(0.5)) r.next_hop.link_local = link_local();
      } else {
        r.next_hop.global = v4_host();
      }
      r.nlri = prefixes(r.family, ap, pick(1, 30));
      m.mp_reach = std::move(r);
    }
    if (coin(0.3)) {
      MpUnreachMessage u;
      u.family = coin(0.8) ? Family::ipv6_unicast : Family::ipv4_unicast;
      u.nlri = prefixes(u.family, u.family == Family::ipv6_unicast ? ap6 : ap4, pick(0, 30));
      m.mp_unreach = std::move(u);
    }
    const bool announces = !m.nlri.empty() || m.mp_reach;
    if (announces || coin(0.2)) m.attrs = attributes(ctx, !m.nlri.empty());
    return m;
  }

  bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
  uint32_t pick(uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  IpAddress v4_host() {
    for (;;) {
      auto a = IpAddress::v4(pick(0x01000000u, 0xdfffffffu));
      if (!a.is_unspecified()) return a;
    }
  }
  IpAddress v6_host() {
    std::array<uint8_t, 16> b{};
    b[0] = 0x20;
    b[1] = 0x01;
    for (std::size_t i = 2; i < 16; ++i) b[i] = static_cast<uint8_t>(pick(0, 255));
    return IpAddress::v6(b);
  }
  IpAddress link_local() {
    std::array<uint8_t, 16> b{};
    b[0] = 0xfe;
    b[1] = 0x80;
    for (std::size_t i = 8; i < 16; ++i) b[i] = static_cast<uint8_t>(pick(0, 255));
    return IpAddress::v6(b);
  }

  std::vector<bgp::wire::NlriEntry> prefixes(bgp::wire::Family f, bool add_path, uint32_t n) {
    std::vector<bgp::wire::NlriEntry> out;
    for (uint32_t i = 0; i < n; ++i) {
      const bool v6 = f == bgp::wire::Family::ipv6_unicast;
      const IpAddress a = v6 ? v6_host() : IpAddress::v4(pick(0, 0xffffffffu));
      const auto len = static_cast<uint8_t>(pick(0, v6 ? 128 : 32));
      out.push_back({add_path ? pick(0, 0xffffffffu) : 0u, Prefix::make(a, len)});
    }
    return out;
  }

  uint32_t asn(bool small) { return small ? pick(1, 65535) : (coin(0.5) ? pick(1, 65535) : pick(65536, 0xffffffffu)); }

  bgp::wire::AsPath as_path(const bgp::wire::CodecContext& ctx) {
    using bgp::wire::AsSegmentType;
    bgp::wire::AsPath p;
    // Confederation segments lead the path, as RFC 5065 puts them.
    if (coin(0.15)) {
      p.segments.push_back({coin(0.5) ? AsSegmentType::confed_sequence : AsSegmentType::confed_set, {}});
      for (uint32_t i = pick(1, 4); i > 0; --i) p.segments.back().asns.push_back(asn(!ctx.four_octet_as));
    }
    for (uint32_t s = pick(0, 3); s > 0; --s) {
      p.segments.push_back({coin(0.8) ? AsSegmentType::sequence : AsSegmentType::set, {}});
      for (uint32_t i = pick(1, coin(0.05) ? 255 : 8); i > 0; --i) p.segments.back().asns.push_back(asn(false));
    }
    return p;
  }

  bgp::wire::PathAttributes attributes(const bgp::wire::CodecContext& ctx, bool ipv4_nlri) {
    using namespace bgp::wire;
    PathAttributes a;
    a.origin = static_cast<Origin>(pick(0, 2));
    a.as_path = as_path(ctx);
    if (ipv4_nlri || coin(0.1)) a.next_hop = v4_host();
    if (coin(0.5)) a.med = pick(0, 0xffffffffu);
    if (!ctx.external_peer && coin(0.7)) a.local_pref = pick(0, 0xffffffffu);
    a.atomic_aggregate = coin(0.1);
    if (coin(0.1)) a.aggregator = Aggregator{asn(false), pick(1, 0xffffffffu)};
    for (uint32_t i = pick(0, 6) * coin(0.6); i > 0; --i) a.communities.push_back(pick(0, 0xffffffffu));
    if (!ctx.external_peer && coin(0.2)) {
      a.originator_id = pick(1, 0xffffffffu);
      for (uint32_t i = pick(1, 4); i > 0; --i) a.cluster_list.push_back(pick(1, 0xffffffffu));
    }
    for (uint32_t i = pick(0, 4) * coin(0.3); i > 0; --i) {
      ExtendedCommunity c;
      for (auto& b : c) b = static_cast<uint8_t>(pick(0, 255));
      a.ext_communities.push_back(c);
    }
    for (uint32_t i = pick(0, 4) * coin(0.3); i > 0; --i)
      a.large_communities.push_back({pick(0, 0xffffffffu), pick(0, 0xffffffffu), pick(0, 0xffffffffu)});
    if (coin(0.2)) {
      uint8_t type = static_cast<uint8_t>(pick(33, 200));
      for (uint32_t i = pick(1, 3); i > 0; --i, type = static_cast<uint8_t>(type + pick(1, 15))) {
        RawAttribute r{0xe0, type, {}};
        r.value.resize(pick(0, coin(0.2) ? 300 : 12));
        for (auto& b : r.value) b = static_cast<uint8_t>(pick(0, 255));
        a.unknown.push_back(std::move(r));
      }
    }
    return a;
  }

  std::mt19937_64 rng_;
};

}  // namespace petrel::test
