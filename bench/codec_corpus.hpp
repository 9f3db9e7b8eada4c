// bench/codec_corpus.hpp — realistic UPDATE streams for the codec benchmarks, and
// the operations both benchmark executables time (so codec_bench and
// codec_bench_summary measure exactly the same code).
//
// A corpus is built once from a seeded generator: prefixes shaped like the global
// table, grouped into attribute sets like a real feed, each set packed with
// pack_announcements() into 4096-byte UPDATEs, all messages back to back as they
// would arrive on a session's socket. See bench/README.md for the scenarios.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/codec_context.hpp"
#include "bgp/wire/nlri.hpp"
#include "bgp/wire/path_attributes.hpp"
#include "bgp/wire/update.hpp"

namespace petrel::bench {

using bgp::wire::CodecContext;
using bgp::wire::Family;
using bgp::wire::MpNextHop;
using bgp::wire::NlriEntry;
using bgp::wire::NlriView;
using bgp::wire::PathAttributes;

// Routes sharing one attribute set: what pack_announcements() is called with.
struct AttrSet {
  PathAttributes attrs;
  std::optional<MpNextHop> mp_next_hop;  // IPv6 only
  std::vector<NlriEntry> nlri;
};

struct Corpus {
  std::string name;  // "ipv4 full-table", ...
  Family family = Family::ipv4_unicast;
  CodecContext ctx;
  std::vector<AttrSet> sets;
  std::vector<uint8_t> stream;                     // every UPDATE, back to back
  std::vector<std::span<const uint8_t>> messages;  // views of `stream`, one per UPDATE
  std::size_t prefixes = 0;                        // announced prefixes in the stream
  uint64_t expected_digest = 0;                    // digest() summed over every prefix
};

// IPv4 full table: `prefixes` unique prefixes (mostly /24, some /16-/23) in
// attribute sets of heavy-tailed size (many of 1-3 prefixes, a few of hundreds).
Corpus make_ipv4_full_table(std::size_t prefixes, uint64_t seed);
// The same prefixes in a handful of attribute sets, so nearly every UPDATE is a
// full 4096 bytes: the per-prefix floor, with per-message costs amortised away.
Corpus make_ipv4_packed(std::size_t prefixes, uint64_t seed);
// Steady-state churn: `updates` small UPDATEs, each its own attribute set with
// 1-5 prefixes.
Corpus make_ipv4_churn(std::size_t updates, uint64_t seed);
// IPv6 full table in MP_REACH_NLRI (mostly /48, some /29-/47, global + link-local
// next hop), grouped like the IPv4 one.
Corpus make_ipv6_full_table(std::size_t prefixes, uint64_t seed);

// UPDATEs of exactly `per_update` IPv4 prefixes under one "typical" attribute set
// (ORIGIN, a 3-AS AS_PATH, NEXT_HOP, LOCAL_PREF, MED, 2 communities), the shape in
// which published codec figures are quoted: it shows the fixed cost per UPDATE
// and the marginal cost per prefix.
Corpus make_ipv4_typical(std::size_t per_update, std::size_t prefixes, uint64_t seed);

// What "consuming" a prefix costs in every scenario: a cheap digest of the entry,
// summed, so that no part of the decoded entry can be optimised away.
inline uint64_t digest(const NlriEntry& e) {
  uint64_t lo, hi;
  std::memcpy(&lo, e.prefix.address().data(), 8);
  std::memcpy(&hi, e.prefix.address().data() + 8, 8);
  return (lo ^ (hi * 0x9e3779b97f4a7c15ull)) + (uint64_t{e.prefix.length()} << 1) + e.path_id;
}

// The operations timed. Each returns the number of prefixes it handled and adds
// the digest of every prefix (or, for encode, the bytes written) to `sink`.

// The whole receive path of a session: the stream is fed to a Framer in 64 KiB
// reads as a socket would deliver it, every message decoded with decode_update(),
// every NLRI entry (IPv4 field and MP_REACH_NLRI) iterated and consumed.
std::size_t run_full_path(const Corpus& c, uint64_t& sink);
// decode_update() over the pre-split messages (validates the NLRI fields and
// decodes the attributes), without iterating the prefixes.
std::size_t run_decode_only(const Corpus& c, uint64_t& sink);
// Iteration alone over already validated NLRI views.
std::size_t run_iterate_only(std::span<const NlriView> views, uint64_t& sink);
// pack_announcements() of every attribute set into `out` (cleared first).
std::size_t run_encode(const Corpus& c, std::vector<uint8_t>& out, uint64_t& sink);

// Every NLRI view of the corpus (decoded once), for run_iterate_only().
std::vector<NlriView> decoded_views(const Corpus& c);

// Decodes the whole stream once and checks the count, the digest and that no
// message reported an error; returns a description of the problem, or nothing.
std::optional<std::string> verify(const Corpus& c);

// The scenarios at their standard sizes, scaled by `scale` (1.0: 1M IPv4
// full-table prefixes, 1M packed, 100k churn UPDATEs, 200k IPv6 prefixes, and
// 200k prefixes in typical UPDATEs of 1, 10, 100 and 500 prefixes).
std::vector<Corpus> standard_corpora(double scale = 1.0);

}  // namespace petrel::bench
