// Export rules (RFC 4271 §5.1 / §9.1.3 / §9.2, RFC 4456 §6-§10, RFC 1997,
// RFC 8212): the source × target matrix for a reflector and a plain speaker,
// well-known communities, split horizon, the sender-side AS loop check, AS_PATH
// prepending, MED / LOCAL_PREF / ORIGINATOR_ID / CLUSTER_LIST, and next hops
// (modes, third party, IPv6 link-local). Every row states its expected outcome
// and is checked on its own.
#include "rib/export_rules.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace petrel::rib {
std::ostream& operator<<(std::ostream& os, ExportVerdict v) { return os << to_string(v); }
}  // namespace petrel::rib

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

constexpr uint32_t kLocalAs = 64512;
constexpr uint32_t kRouterId = 0x0A00000B;  // 10.0.0.11
constexpr uint32_t kSourceId = 0x0A000002;  // 10.0.0.2

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Prefix pfx(const char* text) { return *Prefix::parse(text); }

wire::AsPathSegment seq(std::vector<uint32_t> asns) { return {wire::AsSegmentType::sequence, std::move(asns)}; }
wire::AsPathSegment set(std::vector<uint32_t> asns) { return {wire::AsSegmentType::set, std::move(asns)}; }

LocalSpeaker speaker() { return {kLocalAs, kRouterId, /*cluster_id=*/0, /*default_local_pref=*/100}; }

// A path learned from AS 65001 with next hop 192.0.2.1 (or an originated one).
RouteAttrs learned_path() {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{seq({65001})}};
  r.next_hop = ip("192.0.2.1");
  r.attrs.next_hop = r.next_hop;
  return r;
}
RouteAttrs local_path() {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{};
  r.next_hop = IpAddress{};  // 0.0.0.0: "reach it through me"
  return r;
}

enum class Src { local, ebgp, ibgp_client, ibgp_nonclient };
enum class Dst { ebgp_policy, ebgp_no_policy, ibgp_client, ibgp_nonclient };

const char* name(Src s) {
  switch (s) {
    case Src::local: return "local";
    case Src::ebgp: return "eBGP";
    case Src::ibgp_client: return "iBGP client";
    case Src::ibgp_nonclient: return "iBGP non-client";
  }
  return "?";
}
const char* name(Dst d) {
  switch (d) {
    case Dst::ebgp_policy: return "eBGP with policy";
    case Dst::ebgp_no_policy: return "eBGP without policy";
    case Dst::ibgp_client: return "iBGP client";
    case Dst::ibgp_nonclient: return "iBGP non-client";
  }
  return "?";
}

// `reflector`: whether clients are configured at all. A plain speaker has none,
// so the "client" kinds are ordinary iBGP peers there.
SourcePeer source(Src s, bool reflector) {
  SourcePeer p;
  p.local = s == Src::local;
  p.external = s == Src::ebgp;
  p.rr_client = reflector && s == Src::ibgp_client;
  p.router_id = kSourceId;
  return p;
}
ExportPeer target(Dst d, bool reflector) {
  ExportPeer p;
  p.external = d == Dst::ebgp_policy || d == Dst::ebgp_no_policy;
  p.has_export_policy = d == Dst::ebgp_policy;
  p.rr_client = reflector && d == Dst::ibgp_client;
  p.peer_as = p.external ? 65002 : kLocalAs;
  p.local_address = ip("198.51.100.11");
  return p;
}
RouteAttrs path_from(Src s) { return s == Src::local ? local_path() : learned_path(); }

}  // namespace

TEST_CASE("source x target matrix, reflector and plain speaker") {
  using V = ExportVerdict;
  const V adv = V::advertise;
  const V no_policy = V::no_export_policy;
  const V not_refl = V::ibgp_not_reflected;
  struct Row {
    Src from;
    Dst to;
    V with_clients;     // we reflect for the "client" peers
    V without_clients;  // no clients configured: a plain iBGP speaker
  };
  const Row rows[] = {
      // RFC 4271 §9.1.3: originated and eBGP-learned paths go to every peer;
      // RFC 8212 §3: nothing to an eBGP peer without an export policy.
      {Src::local, Dst::ebgp_policy, adv, adv},
      {Src::local, Dst::ebgp_no_policy, no_policy, no_policy},
      {Src::local, Dst::ibgp_client, adv, adv},
      {Src::local, Dst::ibgp_nonclient, adv, adv},
      {Src::ebgp, Dst::ebgp_policy, adv, adv},
      {Src::ebgp, Dst::ebgp_no_policy, no_policy, no_policy},
      {Src::ebgp, Dst::ibgp_client, adv, adv},
      {Src::ebgp, Dst::ibgp_nonclient, adv, adv},
      // RFC 4456 §6: from a client, to clients and non-clients alike;
      // RFC 4271 §9.2: without reflection, iBGP-learned paths stay off iBGP.
      {Src::ibgp_client, Dst::ebgp_policy, adv, adv},
      {Src::ibgp_client, Dst::ebgp_no_policy, no_policy, no_policy},
      {Src::ibgp_client, Dst::ibgp_client, adv, not_refl},
      {Src::ibgp_client, Dst::ibgp_nonclient, adv, not_refl},
      // RFC 4456 §6: from a non-client, to clients only.
      {Src::ibgp_nonclient, Dst::ebgp_policy, adv, adv},
      {Src::ibgp_nonclient, Dst::ebgp_no_policy, no_policy, no_policy},
      {Src::ibgp_nonclient, Dst::ibgp_client, adv, not_refl},
      {Src::ibgp_nonclient, Dst::ibgp_nonclient, not_refl, not_refl},
  };
  for (const Row& row : rows) {
    for (bool reflector : {true, false}) {
      CAPTURE(name(row.from));
      CAPTURE(name(row.to));
      CAPTURE(reflector);
      const V expected = reflector ? row.with_clients : row.without_clients;
      const RouteAttrs best = path_from(row.from);
      const ExportPeer to = target(row.to, reflector);
      const ExportResult r = export_route(best, source(row.from, reflector), to, speaker());
      CHECK(r.verdict == expected);
      if (r.verdict != V::advertise) continue;
      const bool reflected = !to.external && (row.from == Src::ibgp_client || row.from == Src::ibgp_nonclient);
      if (to.external) {
        // RFC 4271 §5.1.2: our AS in front.
        CHECK(r.attrs.attrs.as_path->first_as() == kLocalAs);
        CHECK_FALSE(r.attrs.attrs.local_pref.has_value());
      } else {
        CHECK(r.attrs.attrs.as_path == best.attrs.as_path);
        CHECK(r.attrs.attrs.local_pref == 100u);
      }
      // RFC 4456 §8: only a reflected path gains ORIGINATOR_ID and CLUSTER_LIST.
      CHECK(r.attrs.attrs.originator_id.has_value() == reflected);
      CHECK(r.attrs.attrs.cluster_list.size() == (reflected ? 1u : 0u));
    }
  }
}

TEST_CASE("well-known communities (RFC 1997)") {
  using V = ExportVerdict;
  struct Row {
    const char* name;
    std::vector<uint32_t> communities;
    Dst to;
    V expected;
  };
  const Row rows[] = {
      {"NO_ADVERTISE to eBGP", {wire::community::no_advertise}, Dst::ebgp_policy, V::no_advertise},
      {"NO_ADVERTISE to iBGP client", {wire::community::no_advertise}, Dst::ibgp_client, V::no_advertise},
      {"NO_ADVERTISE to iBGP non-client", {wire::community::no_advertise}, Dst::ibgp_nonclient, V::no_advertise},
      {"NO_EXPORT to eBGP", {wire::community::no_export}, Dst::ebgp_policy, V::no_export},
      {"NO_EXPORT to iBGP", {wire::community::no_export}, Dst::ibgp_nonclient, V::advertise},
      // Petrel has no confederations: every external peer is outside the sub-AS.
      {"NO_EXPORT_SUBCONFED to eBGP", {wire::community::no_export_subconfed}, Dst::ebgp_policy, V::no_export},
      {"NO_EXPORT_SUBCONFED to iBGP", {wire::community::no_export_subconfed}, Dst::ibgp_client, V::advertise},
      {"NO_EXPORT among others", {0xFDE80064, wire::community::no_export, 0xFDE800C8}, Dst::ebgp_policy,
       V::no_export},
      {"ordinary communities only", {0xFDE80064}, Dst::ebgp_policy, V::advertise},
      // RFC 8326: GRACEFUL_SHUTDOWN does not restrict propagation.
      {"GRACEFUL_SHUTDOWN to eBGP", {wire::community::graceful_shutdown}, Dst::ebgp_policy, V::advertise},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs best = learned_path();
    best.attrs.communities = row.communities;
    const ExportResult r = export_route(best, source(Src::ebgp, true), target(row.to, true), speaker());
    CHECK(r.verdict == row.expected);
    if (r.verdict == V::advertise) CHECK(r.attrs.attrs.communities == row.communities);  // passed on as they are
  }
}

TEST_CASE("split horizon, RFC 8212 and the sender-side AS loop check") {
  using V = ExportVerdict;
  struct Row {
    const char* name;
    Src from;
    bool same_peer;
    Dst to;
    std::optional<wire::AsPath> as_path;  // of the path; learned_path()'s if not set
    V expected;
  };
  const wire::AsPath via_65002{{seq({65001, 65002})}};
  const wire::AsPath set_65002{{seq({65001}), set({65002, 65003})}};
  const Row rows[] = {
      {"back to its eBGP source", Src::ebgp, true, Dst::ebgp_policy, std::nullopt, V::split_horizon},
      // Split horizon is decided before RFC 8212: both forbid it, this is the reason.
      {"back to its eBGP source without policy", Src::ebgp, true, Dst::ebgp_no_policy, std::nullopt,
       V::split_horizon},
      {"back to its iBGP client source", Src::ibgp_client, true, Dst::ibgp_client, std::nullopt, V::split_horizon},
      {"another eBGP peer", Src::ebgp, false, Dst::ebgp_policy, std::nullopt, V::advertise},
      // A local path has no source peer: the flag means nothing.
      {"local path, flag ignored", Src::local, true, Dst::ibgp_nonclient, std::nullopt, V::advertise},
      // RFC 8212 holds for every source, NO_ADVERTISE included (checked first).
      {"RFC 8212 before communities", Src::local, false, Dst::ebgp_no_policy, std::nullopt, V::no_export_policy},
      {"peer AS in the SEQUENCE", Src::ebgp, false, Dst::ebgp_policy, via_65002, V::as_loop},
      {"peer AS in a SET", Src::ebgp, false, Dst::ebgp_policy, set_65002, V::as_loop},
      {"peer AS absent", Src::ebgp, false, Dst::ebgp_policy, wire::AsPath{{seq({65001, 65003})}}, V::advertise},
      // iBGP: the peer's AS is ours and iBGP paths never contain it.
      {"iBGP peer, no loop check", Src::ebgp, false, Dst::ibgp_client, via_65002, V::advertise},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs best = path_from(row.from);
    if (row.as_path) best.attrs.as_path = row.as_path;
    if (row.name == std::string("RFC 8212 before communities"))
      best.attrs.communities = {wire::community::no_advertise};
    SourcePeer from = source(row.from, true);
    from.same_peer_as_target = row.same_peer;
    const ExportResult r = export_route(best, from, target(row.to, true), speaker());
    CHECK(r.verdict == row.expected);
  }
}

TEST_CASE("AS_PATH prepend to external peers (RFC 4271 §5.1.2, §4.3)") {
  std::vector<uint32_t> full(255);
  for (uint32_t i = 0; i < 255; ++i) full[i] = 65100 + i;
  std::vector<uint32_t> almost_full(full.begin(), full.begin() + 254);
  std::vector<uint32_t> prepended_to_almost_full = almost_full;
  prepended_to_almost_full.insert(prepended_to_almost_full.begin(), kLocalAs);

  struct Row {
    const char* name;
    std::optional<wire::AsPath> before;
    wire::AsPath after;
  };
  const Row rows[] = {
      {"absent", std::nullopt, {{seq({kLocalAs})}}},
      {"no segments", wire::AsPath{}, {{seq({kLocalAs})}}},
      {"leading SEQUENCE", wire::AsPath{{seq({65001, 65003})}}, {{seq({kLocalAs, 65001, 65003})}}},
      {"leading SET", wire::AsPath{{set({65001, 65003})}}, {{seq({kLocalAs}), set({65001, 65003})}}},
      {"SEQUENCE then SET", wire::AsPath{{seq({65001}), set({65003, 65004})}},
       {{seq({kLocalAs, 65001}), set({65003, 65004})}}},
      {"254 ASes: room for one more", wire::AsPath{{seq(almost_full)}}, {{seq(prepended_to_almost_full)}}},
      {"255 ASes: a new SEQUENCE", wire::AsPath{{seq(full)}}, {{seq({kLocalAs}), seq(full)}}},
      // RFC 5065 §5.3: confederation segments never leave the confederation.
      {"confederation segments dropped",
       wire::AsPath{{{wire::AsSegmentType::confed_sequence, {64600}}, seq({65001})}},
       {{seq({kLocalAs, 65001})}}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs best = learned_path();
    best.attrs.as_path = row.before;
    const ExportResult r = export_route(best, source(Src::ebgp, false), target(Dst::ebgp_policy, false), speaker());
    REQUIRE(r.verdict == ExportVerdict::advertise);
    REQUIRE(r.attrs.attrs.as_path.has_value());
    CHECK(r.attrs.attrs.as_path->to_string() == row.after.to_string());
    CHECK(*r.attrs.attrs.as_path == row.after);
    // ... and to an internal peer the path is unchanged.
    const ExportResult i =
        export_route(best, source(Src::ebgp, false), target(Dst::ibgp_nonclient, false), speaker());
    CHECK(i.attrs.attrs.as_path == row.before);
  }
}

TEST_CASE("MED, LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST") {
  struct Row {
    const char* name;
    Src from;
    Dst to;
    std::optional<uint32_t> med, local_pref, originator_id;
    std::vector<uint32_t> cluster_list;
    uint32_t cluster_id;  // ours; 0 = the router id
    // expected
    std::optional<uint32_t> out_med, out_local_pref, out_originator_id;
    std::vector<uint32_t> out_cluster_list;
  };
  const auto none = std::nullopt;
  const Row rows[] = {
      // RFC 4271 §5.1.4: a MED is not passed from one neighbouring AS to another ...
      {"eBGP MED to eBGP", Src::ebgp, Dst::ebgp_policy, 50, none, none, {}, 0, none, none, none, {}},
      {"iBGP-learned MED to eBGP", Src::ibgp_client, Dst::ebgp_policy, 50, 200, none, {}, 0, none, none, none, {}},
      // ... but our own MED is sent, and inside the AS it is kept.
      {"local MED to eBGP", Src::local, Dst::ebgp_policy, 50, none, none, {}, 0, 50, none, none, {}},
      {"eBGP MED to iBGP", Src::ebgp, Dst::ibgp_nonclient, 50, none, none, {}, 0, 50, 100, none, {}},
      // RFC 4271 §5.1.5: LOCAL_PREF only inside the AS, always present there.
      {"LOCAL_PREF to eBGP", Src::local, Dst::ebgp_policy, none, 300, none, {}, 0, none, none, none, {}},
      {"LOCAL_PREF absent to iBGP", Src::ebgp, Dst::ibgp_client, none, none, none, {}, 0, none, 100, none, {}},
      {"LOCAL_PREF kept to iBGP", Src::local, Dst::ibgp_client, none, 300, none, {}, 0, none, 300, none, {}},
      // RFC 4456 §8: reflecting sets ORIGINATOR_ID if absent, prepends the cluster id.
      {"reflect: new ORIGINATOR_ID, CLUSTER_LIST", Src::ibgp_nonclient, Dst::ibgp_client, none, 100, none, {}, 7,
       none, 100, kSourceId, {7}},
      {"reflect: ORIGINATOR_ID kept, cluster prepended", Src::ibgp_client, Dst::ibgp_nonclient, none, 100,
       0x0A000063, {9, 8}, 7, none, 100, 0x0A000063, {7, 9, 8}},
      {"reflect: cluster id 0 = router id", Src::ibgp_client, Dst::ibgp_client, none, 100, none, {}, 0, none, 100,
       kSourceId, {kRouterId}},
      // Not reflection: an eBGP-learned or local path gains neither.
      {"eBGP to client: nothing added", Src::ebgp, Dst::ibgp_client, none, none, none, {}, 7, none, 100, none, {}},
      {"local to client: nothing added", Src::local, Dst::ibgp_client, none, none, none, {}, 7, none, 100, none, {}},
      // RFC 4456 §8: neither attribute leaves the AS.
      {"reflected path to eBGP", Src::ibgp_client, Dst::ebgp_policy, none, 100, 0x0A000063, {9}, 7, none, none,
       none, {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs best = path_from(row.from);
    best.attrs.med = row.med;
    best.attrs.local_pref = row.local_pref;
    best.attrs.originator_id = row.originator_id;
    best.attrs.cluster_list = row.cluster_list;
    LocalSpeaker me = speaker();
    me.cluster_id = row.cluster_id;
    const ExportResult r = export_route(best, source(row.from, true), target(row.to, true), me);
    REQUIRE(r.verdict == ExportVerdict::advertise);
    CHECK(r.attrs.attrs.med == row.out_med);
    CHECK(r.attrs.attrs.local_pref == row.out_local_pref);
    CHECK(r.attrs.attrs.originator_id == row.out_originator_id);
    CHECK(r.attrs.attrs.cluster_list == row.out_cluster_list);
  }
}

TEST_CASE("LOCAL_PREF default comes from the speaker") {
  LocalSpeaker me = speaker();
  me.default_local_pref = 250;
  const ExportResult r =
      export_route(learned_path(), source(Src::ebgp, true), target(Dst::ibgp_nonclient, true), me);
  CHECK(r.attrs.attrs.local_pref == 250u);
}

namespace {
std::string text(const std::optional<IpAddress>& a) { return a ? a->to_string() : "-"; }
}  // namespace

TEST_CASE("next hops (RFC 4271 §5.1.3, RFC 4456 §10, RFC 2545 §3)") {
  struct Row {
    const char* name;
    Src from;
    Dst to;
    NextHopMode mode;
    const char* next_hop;              // of the path
    const char* link_local;            // of the path, or nullptr
    const char* local_address;         // ours on the session
    const char* local_link_local;      // ours, or nullptr
    const char* shared_subnet;         // or nullptr
    const char* explicit_address;      // or nullptr
    // expected: RouteAttrs::next_hop, link_local_next_hop, PathAttributes::next_hop
    const char* out_next_hop;
    const char* out_link_local;  // "-" = absent
    const char* out_attr;        // "-" = absent
  };
  using M = NextHopMode;
  const Row rows[] = {
      // eBGP, automatic: self, unless the next hop is on the shared subnet (third party).
      {"eBGP auto: self", Src::ebgp, Dst::ebgp_policy, M::automatic, "192.0.2.1", nullptr, "198.51.100.11", nullptr,
       "198.51.100.0/24", nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"eBGP auto: third party on the shared subnet", Src::ebgp, Dst::ebgp_policy, M::automatic, "198.51.100.7",
       nullptr, "198.51.100.11", nullptr, "198.51.100.0/24", nullptr, "198.51.100.7", "-", "198.51.100.7"},
      {"eBGP auto: no shared subnet (multihop)", Src::ibgp_client, Dst::ebgp_policy, M::automatic, "198.51.100.7",
       nullptr, "198.51.100.11", nullptr, nullptr, nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"eBGP auto: local path", Src::local, Dst::ebgp_policy, M::automatic, "0.0.0.0", nullptr, "198.51.100.11",
       nullptr, "0.0.0.0/0", nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"eBGP keep", Src::ebgp, Dst::ebgp_policy, M::keep, "192.0.2.1", nullptr, "198.51.100.11", nullptr, nullptr,
       nullptr, "192.0.2.1", "-", "192.0.2.1"},
      // iBGP, automatic: keep (RFC 4271 §5.1.3 (a)), self for our own next-hop-less routes.
      {"iBGP auto: eBGP path keeps its next hop", Src::ebgp, Dst::ibgp_nonclient, M::automatic, "192.0.2.1",
       nullptr, "198.51.100.11", nullptr, nullptr, nullptr, "192.0.2.1", "-", "192.0.2.1"},
      {"iBGP auto: local path without next hop", Src::local, Dst::ibgp_nonclient, M::automatic, "0.0.0.0",
       nullptr, "198.51.100.11", nullptr, nullptr, nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"iBGP auto: local path with a next hop", Src::local, Dst::ibgp_nonclient, M::automatic, "203.0.113.9",
       nullptr, "198.51.100.11", nullptr, nullptr, nullptr, "203.0.113.9", "-", "203.0.113.9"},
      // RFC 4456 §10: a reflector keeps the next hop ...
      {"reflected: auto keeps", Src::ibgp_client, Dst::ibgp_client, M::automatic, "192.0.2.1", nullptr,
       "198.51.100.11", nullptr, nullptr, nullptr, "192.0.2.1", "-", "192.0.2.1"},
      // ... unless told otherwise.
      {"reflected: self", Src::ibgp_client, Dst::ibgp_client, M::self, "192.0.2.1", nullptr, "198.51.100.11",
       nullptr, nullptr, nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"iBGP explicit", Src::ebgp, Dst::ibgp_client, M::explicit_address, "192.0.2.1", nullptr, "198.51.100.11",
       nullptr, nullptr, "203.0.113.1", "203.0.113.1", "-", "203.0.113.1"},
      {"explicit without an address = self", Src::ebgp, Dst::ibgp_client, M::explicit_address, "192.0.2.1",
       nullptr, "198.51.100.11", nullptr, nullptr, nullptr, "198.51.100.11", "-", "198.51.100.11"},
      {"IPv4 self ignores a link-local", Src::ebgp, Dst::ebgp_policy, M::self, "192.0.2.1", nullptr,
       "198.51.100.11", "fe80::11", nullptr, nullptr, "198.51.100.11", "-", "198.51.100.11"},
      // IPv6: the next hop travels in MP_REACH_NLRI, NEXT_HOP is absent.
      {"IPv6 eBGP auto: self with link-local", Src::ebgp, Dst::ebgp_policy, M::automatic, "2001:db8:1::1",
       "fe80::1", "2001:db8:ff::11", "fe80::11", "2001:db8:ff::/64", nullptr, "2001:db8:ff::11", "fe80::11", "-"},
      {"IPv6 eBGP auto: multihop self, no link-local", Src::ebgp, Dst::ebgp_policy, M::automatic, "2001:db8:1::1",
       "fe80::1", "2001:db8:ff::11", nullptr, nullptr, nullptr, "2001:db8:ff::11", "-", "-"},
      {"IPv6 eBGP auto: third party keeps its link-local", Src::ebgp, Dst::ebgp_policy, M::automatic,
       "2001:db8:ff::7", "fe80::7", "2001:db8:ff::11", "fe80::11", "2001:db8:ff::/64", nullptr, "2001:db8:ff::7",
       "fe80::7", "-"},
      {"IPv6 iBGP auto: link-local from another link dropped", Src::ebgp, Dst::ibgp_client, M::automatic,
       "2001:db8:1::1", "fe80::1", "2001:db8:ff::11", "fe80::11", "2001:db8:ff::/64", nullptr, "2001:db8:1::1", "-",
       "-"},
      {"IPv6 iBGP auto: local path gets self", Src::local, Dst::ibgp_client, M::automatic, "::", nullptr,
       "2001:db8:ff::11", "fe80::11", "2001:db8:ff::/64", nullptr, "2001:db8:ff::11", "fe80::11", "-"},
      {"IPv6 keep: verbatim", Src::ebgp, Dst::ibgp_client, M::keep, "2001:db8:1::1", "fe80::1", "2001:db8:ff::11",
       nullptr, nullptr, nullptr, "2001:db8:1::1", "fe80::1", "-"},
      {"IPv6 self without our link-local", Src::ibgp_client, Dst::ibgp_nonclient, M::self, "2001:db8:1::1",
       "fe80::1", "2001:db8:ff::11", nullptr, nullptr, nullptr, "2001:db8:ff::11", "-", "-"},
      {"IPv6 explicit: no link-local", Src::ebgp, Dst::ebgp_policy, M::explicit_address, "2001:db8:1::1", "fe80::1",
       "2001:db8:ff::11", "fe80::11", "2001:db8:ff::/64", "2001:db8:ff::99", "2001:db8:ff::99", "-", "-"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    RouteAttrs best = path_from(row.from);
    best.next_hop = ip(row.next_hop);
    // The input's NEXT_HOP attribute is whatever it was: the output must follow next_hop.
    best.attrs.next_hop = ip("10.9.9.9");
    if (row.link_local) best.link_local_next_hop = ip(row.link_local);
    ExportPeer to = target(row.to, true);
    to.next_hop = row.mode;
    to.local_address = ip(row.local_address);
    if (row.local_link_local) to.local_link_local = ip(row.local_link_local);
    if (row.shared_subnet) to.shared_subnet = pfx(row.shared_subnet);
    if (row.explicit_address) to.next_hop_address = ip(row.explicit_address);
    const ExportResult r = export_route(best, source(row.from, true), to, speaker());
    REQUIRE(r.verdict == ExportVerdict::advertise);
    CHECK(r.attrs.next_hop.to_string() == row.out_next_hop);
    CHECK(text(r.attrs.link_local_next_hop) == row.out_link_local);
    CHECK(text(r.attrs.attrs.next_hop) == row.out_attr);
  }
}

TEST_CASE("to_string names every verdict once") {
  using V = ExportVerdict;
  std::set<std::string> seen;
  for (V v : {V::advertise, V::split_horizon, V::no_advertise, V::no_export, V::ibgp_not_reflected,
              V::no_export_policy, V::as_loop}) {
    const std::string s(to_string(v));
    CHECK(!s.empty());
    CHECK(s != "unknown");
    CHECK(seen.insert(s).second);
  }
}

TEST_CASE("what is not rewritten passes through") {
  RouteAttrs best = learned_path();
  best.attrs.origin = wire::Origin::incomplete;
  best.attrs.atomic_aggregate = true;
  best.attrs.aggregator = wire::Aggregator{65001, 0xC0000201};
  best.attrs.communities = {0xFDE80064};
  best.attrs.ext_communities = {wire::ExtendedCommunity{0, 2, 0xFD, 0xE9, 0, 0, 0, 1}};
  best.attrs.large_communities = {wire::LargeCommunity{65001, 1, 2}};
  best.attrs.unknown = {wire::RawAttribute{0xE0, 99, {1, 2, 3}}};
  for (Dst d : {Dst::ebgp_policy, Dst::ibgp_client}) {
    CAPTURE(name(d));
    const ExportResult r = export_route(best, source(Src::ebgp, true), target(d, true), speaker());
    REQUIRE(r.verdict == ExportVerdict::advertise);
    const wire::PathAttributes& a = r.attrs.attrs;
    CHECK(a.origin == best.attrs.origin);
    CHECK(a.atomic_aggregate);
    CHECK(a.aggregator == best.attrs.aggregator);
    CHECK(a.communities == best.attrs.communities);
    CHECK(a.ext_communities == best.attrs.ext_communities);
    CHECK(a.large_communities == best.attrs.large_communities);
    CHECK(a.unknown == best.attrs.unknown);
  }
}
