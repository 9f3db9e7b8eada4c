#include "bench/codec_corpus.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

#include "bgp/wire/framer.hpp"
#include "bgp/wire/update_packer.hpp"

namespace petrel::bench {

using namespace bgp::wire;

namespace {

// splitmix64: tiny, seeded and the same on every platform (the <random>
// distributions are not), so a seed names one corpus everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + next() % (hi - lo + 1); }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  // An index into `weights`, drawn in proportion to them.
  template <std::size_t N>
  std::size_t pick(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    for (std::size_t i = 0; i < N; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return N - 1;
  }

 private:
  uint64_t s_;
};

// --- prefixes ---------------------------------------------------------------

// Share of each length in the IPv4 table, roughly the shape of today's global
// table: 60% /24, most of the rest /19-/23, a few /16-/18.
constexpr std::array<uint8_t, 9> kV4Lengths{24, 23, 22, 21, 20, 19, 18, 17, 16};
constexpr std::array<double, 9> kV4Weights{60, 10, 12, 5, 5, 3, 2, 1, 2};

// IPv6: mostly /48, then /32, /44, /40, /36, /29 and the in-betweens.
constexpr std::array<uint8_t, 10> kV6Lengths{48, 32, 44, 40, 36, 29, 47, 46, 33, 42};
constexpr std::array<double, 10> kV6Weights{45, 15, 8, 8, 5, 5, 4, 4, 3, 3};

std::vector<Prefix> make_v4_prefixes(std::size_t n, Rng& rng) {
  std::vector<Prefix> out;
  out.reserve(n);
  std::unordered_set<uint64_t> seen;
  seen.reserve(n * 2);
  while (out.size() < n) {
    const uint8_t len = kV4Lengths[rng.pick(kV4Weights)];
    // Unicast space 1.0.0.0 - 223.255.255.255.
    const uint32_t addr = static_cast<uint32_t>(rng.range(0x01000000u, 0xdfffffffu));
    const Prefix p = Prefix::make(IpAddress::v4(addr), len);
    if (seen.insert((uint64_t{p.address().v4_value()} << 8) | len).second) out.push_back(p);
  }
  return out;
}

std::vector<Prefix> make_v6_prefixes(std::size_t n, Rng& rng) {
  std::vector<Prefix> out;
  out.reserve(n);
  std::unordered_set<std::string> seen;
  seen.reserve(n * 2);
  while (out.size() < n) {
    const uint8_t len = kV6Lengths[rng.pick(kV6Weights)];
    std::array<uint8_t, 16> b{};
    const uint64_t hi = rng.next();
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[0] = static_cast<uint8_t>(0x20 | (b[0] & 0x0f));  // 2000::/4, inside 2000::/3
    const Prefix p = Prefix::make(IpAddress::v6(b), len);
    std::string key(reinterpret_cast<const char*>(p.address().data()), 16);
    key.push_back(static_cast<char>(len));
    if (seen.insert(std::move(key)).second) out.push_back(p);
  }
  return out;
}

// --- attribute sets ---------------------------------------------------------

constexpr uint32_t kPeerAs = 64496;       // the eBGP neighbour (RFC 5398 documentation AS)
constexpr uint32_t kPeerAs4 = 4200000001; // its 4-octet alias in large communities

uint32_t random_asn(Rng& rng) {
  // About a fifth of origin/transit ASes are 4-octet ones, as in today's table.
  return rng.chance(0.2) ? static_cast<uint32_t>(rng.range(131072, 401308))
                         : static_cast<uint32_t>(rng.range(1, 64495));
}

// One attribute set as an eBGP full-feed peer sends it: ORIGIN, an AS_PATH of 2-8
// ASes starting with the peer (sometimes with prepending), NEXT_HOP (IPv4 only),
// MED sometimes, 0-6 communities, sometimes large communities, rarely AGGREGATOR.
PathAttributes make_attrs(Rng& rng, bool ipv4) {
  PathAttributes a;
  a.origin = rng.chance(0.85) ? Origin::igp : Origin::incomplete;

  constexpr std::array<double, 7> kPathLen{10, 25, 30, 18, 9, 5, 3};  // 2..8 ASes
  const std::size_t len = 2 + rng.pick(kPathLen);
  AsPathSegment seg;
  seg.asns.push_back(kPeerAs);
  const uint32_t origin_as = random_asn(rng);
  const std::size_t prepend = rng.chance(0.1) ? rng.range(1, 3) : 0;
  while (seg.asns.size() + 1 + prepend < len) seg.asns.push_back(random_asn(rng));
  for (std::size_t i = 0; i <= prepend && seg.asns.size() < len; ++i) seg.asns.push_back(origin_as);
  a.as_path = AsPath{{seg}};

  if (ipv4) a.next_hop = IpAddress::v4(0xc0000201);  // 192.0.2.1
  if (rng.chance(0.4)) a.med = static_cast<uint32_t>(rng.range(0, 1000));

  constexpr std::array<double, 7> kCommunities{30, 20, 15, 12, 10, 8, 5};  // 0..6
  const std::size_t nc = rng.pick(kCommunities);
  for (std::size_t i = 0; i < nc; ++i)
    a.communities.push_back((kPeerAs << 16) | static_cast<uint32_t>(rng.range(1, 3999)));
  std::sort(a.communities.begin(), a.communities.end());

  if (rng.chance(0.15)) {
    const std::size_t nl = rng.range(1, 3);
    for (std::size_t i = 0; i < nl; ++i)
      a.large_communities.push_back({kPeerAs4, static_cast<uint32_t>(rng.range(1, 20)),
                                     static_cast<uint32_t>(rng.range(0, 100000))});
  }
  if (rng.chance(0.05)) {
    a.aggregator = Aggregator{origin_as, static_cast<uint32_t>(rng.range(0x01000000u, 0xdfffffffu))};
    a.atomic_aggregate = rng.chance(0.5);
  }
  return a;
}

// Attribute-set sizes of a full feed: a discrete Pareto (alpha 1.3, at least 1,
// at most 2000). Most sets hold 1-3 prefixes, a few hold hundreds; the mean
// comes out at ~3.6 prefixes per set (281k sets for 1M prefixes). That ratio is
// an assumption about one full feed, not a measurement: it decides how many
// UPDATEs carry the table, hence how much per-message work each prefix shares.
std::size_t set_size(Rng& rng) {
  const double u = 1.0 - rng.unit();  // (0, 1]
  const double x = std::floor(std::pow(u, -1.0 / 1.3));
  return static_cast<std::size_t>(std::clamp(x, 1.0, 2000.0));
}

// Groups `prefixes` into sets, each with fresh attributes; `fixed_size` = 0 means
// the full-feed distribution above.
std::vector<AttrSet> group(const std::vector<Prefix>& prefixes, Rng& rng, bool ipv4,
                           std::size_t fixed_size = 0, std::size_t min_size = 1, std::size_t max_size = 0) {
  std::vector<AttrSet> sets;
  std::size_t i = 0;
  while (i < prefixes.size()) {
    std::size_t n = fixed_size ? fixed_size : (max_size ? rng.range(min_size, max_size) : set_size(rng));
    n = std::min(n, prefixes.size() - i);
    AttrSet s;
    s.attrs = make_attrs(rng, ipv4);
    if (!ipv4) {
      auto global = IpAddress::parse("2001:db8::1");
      auto link_local = IpAddress::parse("fe80::1");
      s.mp_next_hop = MpNextHop{*global, *link_local};
    }
    s.nlri.reserve(n);
    for (std::size_t k = 0; k < n; ++k) s.nlri.push_back({0, prefixes[i + k]});
    i += n;
    sets.push_back(std::move(s));
  }
  return sets;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "codec bench: %s\n", what.c_str());
  std::exit(1);
}

Corpus finish(std::string name, Family family, std::vector<AttrSet> sets, bool external = true) {
  Corpus c;
  c.name = std::move(name);
  c.family = family;
  c.ctx.four_octet_as = true;
  c.ctx.external_peer = external;
  c.sets = std::move(sets);
  for (const auto& s : c.sets) {
    auto r = pack_announcements(family, s.attrs, s.mp_next_hop, s.nlri, c.ctx, c.stream);
    if (!r) die("pack_announcements: " + r.error().message);
    c.prefixes += s.nlri.size();
    for (const auto& e : s.nlri) c.expected_digest += digest(e);
  }
  // Split the stream at the header lengths (the framer is what run_full_path times).
  for (std::size_t at = 0; at < c.stream.size();) {
    const std::size_t len = (std::size_t{c.stream[at + 16]} << 8) | c.stream[at + 17];
    c.messages.emplace_back(c.stream.data() + at, len);
    at += len;
  }
  if (auto problem = verify(c)) die(c.name + ": " + *problem);
  return c;
}

template <class F>
void for_each_view(const Update& u, F&& f) {
  f(u.withdrawn);
  f(u.nlri);
  if (u.mp_reach) f(u.mp_reach->nlri);
  if (u.mp_unreach) f(u.mp_unreach->nlri);
}

}  // namespace

Corpus make_ipv4_full_table(std::size_t prefixes, uint64_t seed) {
  Rng rng(seed);
  auto p = make_v4_prefixes(prefixes, rng);
  return finish("ipv4 full-table", Family::ipv4_unicast, group(p, rng, true));
}

Corpus make_ipv4_packed(std::size_t prefixes, uint64_t seed) {
  Rng rng(seed);
  auto p = make_v4_prefixes(prefixes, rng);
  return finish("ipv4 packed", Family::ipv4_unicast, group(p, rng, true, /*fixed_size=*/50000));
}

Corpus make_ipv4_churn(std::size_t updates, uint64_t seed) {
  Rng rng(seed);
  auto p = make_v4_prefixes(updates * 5, rng);
  auto sets = group(p, rng, true, 0, 1, 5);
  if (sets.size() > updates) sets.resize(updates);
  return finish("ipv4 churn", Family::ipv4_unicast, std::move(sets));
}

Corpus make_ipv6_full_table(std::size_t prefixes, uint64_t seed) {
  Rng rng(seed);
  auto p = make_v6_prefixes(prefixes, rng);
  return finish("ipv6 full-table", Family::ipv6_unicast, group(p, rng, false));
}

Corpus make_ipv4_typical(std::size_t per_update, std::size_t prefixes, uint64_t seed) {
  Rng rng(seed);
  auto p = make_v4_prefixes(prefixes, rng);
  std::vector<AttrSet> sets;
  for (std::size_t i = 0; i < p.size(); i += per_update) {
    AttrSet s;
    // The "typical" set of the published comparison: ORIGIN, AS_PATH of 3 ASes,
    // NEXT_HOP, LOCAL_PREF, MED, 2 communities (an internal session).
    s.attrs.origin = Origin::igp;
    s.attrs.as_path = AsPath{{{AsSegmentType::sequence, {kPeerAs, random_asn(rng), random_asn(rng)}}}};
    s.attrs.next_hop = IpAddress::v4(0xc0000201);
    s.attrs.local_pref = 100;
    s.attrs.med = static_cast<uint32_t>(rng.range(0, 1000));
    s.attrs.communities = {(kPeerAs << 16) | 100, (kPeerAs << 16) | 200};
    for (std::size_t k = i; k < std::min(p.size(), i + per_update); ++k) s.nlri.push_back({0, p[k]});
    sets.push_back(std::move(s));
  }
  return finish("ipv4 x" + std::to_string(per_update) + "/update", Family::ipv4_unicast, std::move(sets),
                /*external=*/false);
}

std::vector<Corpus> standard_corpora(double scale) {
  auto n = [&](double base) { return std::max<std::size_t>(1, static_cast<std::size_t>(base * scale)); };
  std::vector<Corpus> out;
  out.push_back(make_ipv4_full_table(n(1'000'000), 1));
  out.push_back(make_ipv4_packed(n(1'000'000), 1));
  out.push_back(make_ipv4_churn(n(100'000), 2));
  out.push_back(make_ipv6_full_table(n(200'000), 3));
  for (std::size_t per : {1, 10, 100, 500}) out.push_back(make_ipv4_typical(per, n(200'000), 4));
  return out;
}

// --- the timed operations ---------------------------------------------------

std::size_t run_full_path(const Corpus& c, uint64_t& sink) {
  constexpr std::size_t kRead = 64 * 1024;
  Framer framer(c.ctx.max_message_size());
  Update u;  // reused message after message, as a session does
  std::size_t prefixes = 0;
  for (std::size_t at = 0; at < c.stream.size();) {
    // What the session does with each socket read.
    const std::size_t n = std::min(kRead, c.stream.size() - at);
    auto space = framer.prepare(n);
    std::memcpy(space.data(), c.stream.data() + at, n);
    framer.commit(n);
    at += n;
    while (true) {
      auto frame = framer.next();
      if (!frame || !*frame) break;
      if (!decode_update((*frame)->bytes, c.ctx, u)) continue;
      for_each_view(u, [&](const NlriView& v) {
        for (const NlriEntry e : v) {
          sink += digest(e);
          ++prefixes;
        }
      });
    }
  }
  return prefixes;
}

std::size_t run_decode_only(const Corpus& c, uint64_t& sink) {
  std::size_t prefixes = 0;
  Update u;  // reused, as in run_full_path
  for (const auto& m : c.messages) {
    if (!decode_update(m, c.ctx, u)) continue;
    for_each_view(u, [&](const NlriView& v) { prefixes += v.size(); });
    sink += u.attribute_count;
  }
  return prefixes;
}

std::size_t run_iterate_only(std::span<const NlriView> views, uint64_t& sink) {
  std::size_t prefixes = 0;
  for (const auto& v : views) {
    for (const NlriEntry e : v) {
      sink += digest(e);
      ++prefixes;
    }
  }
  return prefixes;
}

std::size_t run_encode(const Corpus& c, std::vector<uint8_t>& out, uint64_t& sink) {
  out.clear();
  std::size_t prefixes = 0;
  for (const auto& s : c.sets) {
    auto r = pack_announcements(c.family, s.attrs, s.mp_next_hop, s.nlri, c.ctx, out);
    if (r) prefixes += s.nlri.size();
  }
  sink += out.size();
  return prefixes;
}

std::vector<NlriView> decoded_views(const Corpus& c) {
  std::vector<NlriView> views;
  for (const auto& m : c.messages) {
    auto u = decode_update(m, c.ctx);
    if (!u) continue;
    for_each_view(*u, [&](const NlriView& v) {
      if (!v.empty()) views.push_back(v);
    });
  }
  return views;
}

std::optional<std::string> verify(const Corpus& c) {
  std::size_t prefixes = 0;
  uint64_t sum = 0;
  for (const auto& m : c.messages) {
    auto u = decode_update(m, c.ctx);
    if (!u) return "decode_update failed: " + u.error().reason;
    if (!u->errors.empty()) return "UPDATE reported: " + u->errors.front().reason;
    for_each_view(*u, [&](const NlriView& v) {
      for (const NlriEntry e : v) {
        sum += digest(e);
        ++prefixes;
      }
    });
  }
  if (prefixes != c.prefixes)
    return "decoded " + std::to_string(prefixes) + " prefixes, expected " + std::to_string(c.prefixes);
  if (sum != c.expected_digest) return "decoded prefixes differ from the encoded ones";
  // The framer must see the same messages.
  uint64_t framed_sum = 0;
  if (run_full_path(c, framed_sum) != c.prefixes || framed_sum != c.expected_digest)
    return "framer path decoded different prefixes";
  return std::nullopt;
}

}  // namespace petrel::bench
