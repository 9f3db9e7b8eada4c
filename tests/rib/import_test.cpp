// UPDATEs into the RIB: withdrawals, loop checks (RFC 4271 §9.1.2, RFC 4456 §8,
// first AS), treat-as-withdraw (RFC 7606), LLGR_STALE (RFC 9494), max-prefix.
#include "rib/import.hpp"

#include <doctest/doctest.h>

#include <deque>

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

constexpr uint32_t kLocalAs = 64512;
constexpr uint32_t kRouterId = 0x0a00000b;

struct Fixture {
  Rib rib;
  PeerId ebgp = 0, ibgp = 0;
  ImportSettings settings;
  ImportState state;
  std::deque<std::vector<uint8_t>> kept;  // the decoded Updates' NLRI point here

  Fixture() {
    PeerInfo e{*IpAddress::parse("192.0.2.1"), 1, 65001, true, false};
    PeerInfo i{*IpAddress::parse("10.0.0.2"), 2, kLocalAs, false, false};
    ebgp = rib.add_peer(e);
    ibgp = rib.add_peer(i);
    settings.local_as = kLocalAs;
    settings.router_id = kRouterId;
  }

  wire::Update update(const wire::UpdateMessage& m, bool external = true) {
    wire::CodecContext ctx;
    ctx.external_peer = external;
    auto& bytes = kept.emplace_back();
    REQUIRE(wire::encode_update(m, ctx, bytes).has_value());
    auto u = wire::decode_update(bytes, ctx);
    REQUIRE(u.has_value());
    return *u;
  }
  ImportReport feed(PeerId peer, const wire::UpdateMessage& m) {
    return import_update(rib, peer, update(m, rib.peer(peer).external), settings, state);
  }
};

wire::PathAttributes path(std::initializer_list<uint32_t> asns) {
  wire::PathAttributes a;
  a.origin = wire::Origin::igp;
  a.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, asns}}};
  a.next_hop = IpAddress::parse("192.0.2.1");
  return a;
}

std::vector<wire::NlriEntry> prefixes(std::initializer_list<const char*> ps) {
  std::vector<wire::NlriEntry> out;
  for (auto p : ps) out.push_back({0, *Prefix::parse(p)});
  return out;
}

wire::UpdateMessage announce(wire::PathAttributes a, std::initializer_list<const char*> ps) {
  wire::UpdateMessage m;
  m.attrs = std::move(a);
  m.nlri = prefixes(ps);
  return m;
}

}  // namespace

TEST_CASE("announcements share one interned set; withdrawals remove paths") {
  Fixture f;
  auto r = f.feed(f.ebgp, announce(path({65001, 65100}), {"10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"}));
  CHECK(r.announced == 3);
  CHECK(f.state.prefixes == 3);
  CHECK(f.rib.path_count() == 3);
  CHECK(f.rib.attrs().size() == 1);
  CHECK(f.rib.attrs().references(f.rib.paths(*Prefix::parse("10.1.0.0/24"))[0].attrs) == 3);
  wire::UpdateMessage w;
  w.withdrawn = prefixes({"10.2.0.0/24", "10.9.0.0/24"});
  r = f.feed(f.ebgp, w);
  CHECK(r.withdrawn == 1);
  CHECK(f.state.prefixes == 2);
}

TEST_CASE("IPv6 routes take the MP_REACH_NLRI next hop, with its link-local one") {
  Fixture f;
  wire::UpdateMessage m;
  m.attrs = path({65001});
  m.attrs.next_hop.reset();
  m.mp_reach = wire::MpReachMessage{wire::Family::ipv6_unicast,
                                    {*IpAddress::parse("2001:db8::1"), IpAddress::parse("fe80::1")},
                                    prefixes({"2001:db8:100::/48"})};
  f.feed(f.ebgp, m);
  const auto paths = f.rib.paths(*Prefix::parse("2001:db8:100::/48"));
  REQUIRE(paths.size() == 1);
  const auto& ra = f.rib.attrs().get(paths[0].attrs);
  CHECK(ra.next_hop.to_string() == "2001:db8::1");
  CHECK(ra.link_local_next_hop->to_string() == "fe80::1");
}

TEST_CASE("routes that must not be used are treated as withdrawn") {
  struct Row {
    const char* name;
    PeerId Fixture::*peer;
    wire::PathAttributes attrs;
    uint64_t ImportState::*counter;
  };
  auto reflected_back = path({65001});
  reflected_back.originator_id = kRouterId;
  auto cluster_loop = path({65001});
  cluster_loop.cluster_list = {0x01010101, kRouterId};
  const Row rows[] = {
      {"our AS in the path (RFC 4271 §9.1.2)", &Fixture::ebgp, path({65001, kLocalAs, 65100}), &ImportState::rejected_as_loop},
      {"our ORIGINATOR_ID (RFC 4456 §8)", &Fixture::ibgp, reflected_back, &ImportState::rejected_originator},
      {"our cluster id in CLUSTER_LIST (RFC 4456 §8)", &Fixture::ibgp, cluster_loop, &ImportState::rejected_cluster_loop},
      {"an eBGP path not starting with the peer's AS (RFC 4271 §6.3)", &Fixture::ebgp, path({65099, 65100}),
       &ImportState::rejected_first_as},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    Fixture f;
    const PeerId peer = f.*row.peer;
    // A good version first, then the bad one: the good one must go.
    auto good = f.rib.peer(peer).external ? path({65001}) : path({});
    f.feed(peer, announce(good, {"10.1.0.0/24"}));
    CHECK(f.rib.path_count() == 1);
    auto r = f.feed(peer, announce(row.attrs, {"10.1.0.0/24"}));
    CHECK(r.rejected == 1);
    CHECK(r.withdrawn == 1);
    CHECK(f.rib.path_count() == 0);
    CHECK(f.state.*row.counter == 1);
  }
}

TEST_CASE("allow-own-as lets our AS appear that many times") {
  Fixture f;
  f.settings.allow_own_as = 1;
  CHECK(f.feed(f.ebgp, announce(path({65001, kLocalAs}), {"10.1.0.0/24"})).announced == 1);
  CHECK(f.feed(f.ebgp, announce(path({65001, kLocalAs, kLocalAs}), {"10.1.0.0/24"})).rejected == 1);
}

TEST_CASE("RFC 7606 treat-as-withdraw removes the UPDATE's routes") {
  Fixture f;
  f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24"}));
  wire::UpdateMessage bad = announce(path({65001}), {"10.1.0.0/24"});
  bad.attrs.origin.reset();  // a missing well-known attribute: treat-as-withdraw
  auto u = f.update(bad);
  REQUIRE(u.action == wire::ErrorAction::treat_as_withdraw);
  auto r = import_update(f.rib, f.ebgp, u, f.settings, f.state);
  CHECK(r.withdrawn == 1);
  CHECK(f.state.treated_as_withdraw == 1);
  CHECK(f.rib.path_count() == 0);
}

TEST_CASE("RFC 9494: a route the sender marked LLGR_STALE is flagged so") {
  Fixture f;
  auto a = path({65001});
  a.communities = {wire::community::llgr_stale};
  f.feed(f.ebgp, announce(a, {"10.1.0.0/24"}));
  CHECK(f.rib.paths(*Prefix::parse("10.1.0.0/24"))[0].flags == path_flag::llgr_stale);
}

TEST_CASE("max-prefix: warn once, block new prefixes, or ask for a restart") {
  SUBCASE("warn") {
    Fixture f;
    f.settings.max_prefix = MaxPrefix{2, MaxPrefix::Action::warn};
    CHECK(f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24"})).limit == LimitEvent::none);
    CHECK(f.feed(f.ebgp, announce(path({65001}), {"10.3.0.0/24"})).limit == LimitEvent::warning);
    CHECK(f.feed(f.ebgp, announce(path({65001}), {"10.4.0.0/24"})).limit == LimitEvent::none);  // said once
    CHECK(f.state.prefixes == 4);
  }
  SUBCASE("block") {
    Fixture f;
    f.settings.max_prefix = MaxPrefix{2, MaxPrefix::Action::block};
    auto r = f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"}));
    CHECK(r.limit == LimitEvent::blocked);
    CHECK(r.announced == 2);
    CHECK(f.state.rejected_over_limit == 1);
    // Replacing a held prefix is still fine at the limit.
    r = f.feed(f.ebgp, announce(path({65001, 65002}), {"10.1.0.0/24"}));
    CHECK(r.limit == LimitEvent::none);
    CHECK(r.announced == 1);
  }
  SUBCASE("restart") {
    Fixture f;
    f.settings.max_prefix = MaxPrefix{1, MaxPrefix::Action::restart};
    auto r = f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24"}));
    CHECK(r.limit == LimitEvent::restart);
    const auto n = max_prefix_notification(wire::Family::ipv4_unicast, 1);
    CHECK(n.code == wire::err::cease);
    CHECK(n.subcode == wire::err::max_prefixes);
    CHECK(n.data == std::vector<uint8_t>{0, 1, 1, 0, 0, 0, 1});
  }
}

TEST_CASE("import policy rewrites or rejects per prefix; a rejected prefix is withdrawn") {
  Fixture f;
  f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24"}));
  REQUIRE(f.rib.path_count() == 2);
  f.settings.policy = [](const Prefix& p, RouteAttrs& a) {
    if (p == *Prefix::parse("10.2.0.0/24")) return false;
    a.attrs.local_pref = 250;
    return true;
  };
  auto r = f.feed(f.ebgp, announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24"}));
  CHECK(r.rejected == 1);
  CHECK(r.withdrawn == 1);
  CHECK(f.state.rejected_by_policy == 1);
  CHECK(f.state.prefixes == 1);
  const auto kept = f.rib.paths(*Prefix::parse("10.1.0.0/24"));
  REQUIRE(kept.size() == 1);
  CHECK(f.rib.attrs().get(kept[0].attrs).attrs.local_pref == 250u);
  CHECK(f.rib.paths(*Prefix::parse("10.2.0.0/24")).empty());
}

TEST_CASE("soft reconfiguration: a changed import policy re-runs the routes as received, no session needed") {
  Fixture f;
  AdjRibIn received(f.rib.attrs());
  const Prefix a = *Prefix::parse("10.1.0.0/24"), b = *Prefix::parse("10.2.0.0/24"), c = *Prefix::parse("10.3.0.0/24");
  int mode = 0;  // 0: reject 10.2.0.0/24; 1: accept all with local-pref 300; 2: reject all
  f.settings.policy = [&](const Prefix& p, RouteAttrs& ra) {
    if (mode == 2 || (mode == 0 && p == b)) return false;
    if (mode == 1) ra.attrs.local_pref = 300;
    return true;
  };
  auto feed = [&](const wire::UpdateMessage& m) {
    return import_update(f.rib, f.ebgp, f.update(m), f.settings, f.state, &received);
  };
  feed(announce(path({65001}), {"10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"}));
  CHECK(received.size() == 3);  // rejected by policy, still kept as received
  CHECK(f.state.prefixes == 2);
  CHECK_FALSE(f.rib.has_path(f.ebgp, b, 0));
  wire::UpdateMessage w;
  w.withdrawn = prefixes({"10.3.0.0/24"});
  feed(w);
  CHECK(received.size() == 2);

  mode = 1;
  ImportReport r = reimport(f.rib, f.ebgp, received, f.settings, f.state);
  CHECK(r.announced == 2);
  CHECK(f.state.prefixes == 2);
  REQUIRE(f.rib.has_path(f.ebgp, b, 0));
  CHECK(f.rib.attrs().get(f.rib.paths(b)[0].attrs).attrs.local_pref == 300u);
  CHECK(f.rib.attrs().get(f.rib.paths(a)[0].attrs).attrs.local_pref == 300u);
  CHECK_FALSE(f.rib.has_path(f.ebgp, c, 0));  // withdrawn by the peer: stays gone

  mode = 2;
  r = reimport(f.rib, f.ebgp, received, f.settings, f.state);
  CHECK(r.withdrawn == 2);
  CHECK(f.state.prefixes == 0);
  CHECK(f.rib.path_count() == 0);
  CHECK(received.size() == 2);

  // A loop check setting changes too: allow-own-as lets a stored route in.
  f.settings.policy = nullptr;
  feed(announce(path({65001, kLocalAs}), {"10.4.0.0/24"}));
  CHECK_FALSE(f.rib.has_path(f.ebgp, *Prefix::parse("10.4.0.0/24"), 0));
  f.settings.allow_own_as = 1;
  r = reimport(f.rib, f.ebgp, received, f.settings, f.state);
  CHECK(f.rib.has_path(f.ebgp, *Prefix::parse("10.4.0.0/24"), 0));
  CHECK(f.state.prefixes == 3);

  // The stored sets are shared with the Rib, and released with the table.
  received.clear();
  f.rib.remove_peer(f.ebgp);
  CHECK(f.rib.attrs().size() == 0);
}

TEST_CASE("RFC 8326 §4.1: an eBGP route with GRACEFUL_SHUTDOWN gets LOCAL_PREF 0 on import, by default") {
  Fixture f;
  const Prefix shut = *Prefix::parse("10.1.0.0/24"), plain = *Prefix::parse("10.2.0.0/24");
  wire::PathAttributes gshut = path({65001});
  gshut.communities = {wire::community::graceful_shutdown};
  f.feed(f.ebgp, announce(gshut, {"10.1.0.0/24"}));
  f.feed(f.ebgp, announce(path({65001}), {"10.2.0.0/24"}));
  const auto& a = f.rib.attrs().get(f.rib.paths(shut)[0].attrs).attrs;
  CHECK(a.local_pref == 0u);
  CHECK(a.communities == std::vector<uint32_t>{wire::community::graceful_shutdown});  // kept, for our own peers
  CHECK_FALSE(f.rib.attrs().get(f.rib.paths(plain)[0].attrs).attrs.local_pref.has_value());

  // An iBGP peer's LOCAL_PREF is its own: left as sent.
  wire::PathAttributes ibgp = path({65100});
  ibgp.local_pref = 300;
  ibgp.communities = {(65100u << 16) | 1, wire::community::graceful_shutdown};
  f.feed(f.ibgp, announce(ibgp, {"10.3.0.0/24"}));
  CHECK(f.rib.attrs().get(f.rib.paths(*Prefix::parse("10.3.0.0/24"))[0].attrs).attrs.local_pref == 300u);

  // The path loses to one of normal preference (best path, LOCAL_PREF step).
  f.feed(f.ibgp, announce(path({65100, 65200}), {"10.1.0.0/24"}));
  std::vector<RouteChange> changes;
  f.rib.decide(changes);
  const auto selected = f.rib.selected(shut);
  REQUIRE(selected.size() == 1);
  CHECK(selected[0].peer == f.ibgp);
  CHECK(f.rib.explain(shut) == Step::local_pref);

  // After import policy (as FRR): a policy setting LOCAL_PREF for every route does
  // not defeat it; one that adds the community marks the route too.
  f.settings.policy = [](const Prefix& p, RouteAttrs& r) {
    r.attrs.local_pref = 200;
    if (p == *Prefix::parse("10.5.0.0/24")) r.attrs.communities.push_back(wire::community::graceful_shutdown);
    return true;
  };
  f.feed(f.ebgp, announce(gshut, {"10.4.0.0/24"}));
  f.feed(f.ebgp, announce(path({65001}), {"10.5.0.0/24", "10.6.0.0/24"}));
  CHECK(f.rib.attrs().get(f.rib.paths(*Prefix::parse("10.4.0.0/24"))[0].attrs).attrs.local_pref == 0u);
  CHECK(f.rib.attrs().get(f.rib.paths(*Prefix::parse("10.5.0.0/24"))[0].attrs).attrs.local_pref == 0u);
  CHECK(f.rib.attrs().get(f.rib.paths(*Prefix::parse("10.6.0.0/24"))[0].attrs).attrs.local_pref == 200u);
}

TEST_CASE("RFC 8326 receiver side can be switched off") {
  Fixture f;
  f.settings.honour_graceful_shutdown = false;
  wire::PathAttributes gshut = path({65001});
  gshut.communities = {wire::community::graceful_shutdown};
  f.feed(f.ebgp, announce(gshut, {"10.1.0.0/24"}));
  CHECK_FALSE(f.rib.attrs().get(f.rib.paths(*Prefix::parse("10.1.0.0/24"))[0].attrs).attrs.local_pref.has_value());
}
