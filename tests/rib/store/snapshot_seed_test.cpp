// Warm restart's snapshot paths (rib/store/snapshot_seed.hpp): one pseudo-peer
// per source, least preferred (a live path of any quality wins), advertised to
// peers at once through the normal export rules and update groups, and at
// release replaced by the live paths with only the differences sent: a path
// not learnt again is withdrawn, an identical one is not sent again.
#include "rib/store/snapshot_seed.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <vector>

#include "bgp/wire/update.hpp"
#include "rib/update_group.hpp"

using namespace petrel;
using namespace petrel::rib;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kLocalAs = 64512;
constexpr uint32_t kRouterId = 0x0A00000B;  // 10.0.0.11

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Prefix pfx(const char* text) { return *Prefix::parse(text); }

RouteAttrs path(std::vector<uint32_t> as_path, const char* next_hop, std::optional<uint32_t> med = std::nullopt) {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{};
  if (!as_path.empty()) r.attrs.as_path->segments.push_back({wire::AsSegmentType::sequence, std::move(as_path)});
  r.next_hop = ip(next_hop);
  r.attrs.next_hop = r.next_hop;
  r.attrs.med = med;
  return r;
}

PeerInfo peer_info(const char* address, uint32_t as, uint32_t router_id, bool external) {
  PeerInfo p;
  p.address = ip(address);
  p.peer_as = as;
  p.router_id = router_id;
  p.external = external;
  return p;
}

// The snapshot's sources: the ToR (eBGP) and our own routes ("static").
const PeerRef kTor{"tor", ip("192.0.2.1"), 65001, 0x01010101};
const PeerRef kStatic{"static", ip("0.0.0.0"), kLocalAs, 0};

// An eBGP customer in AS 65002: what it is sent is what we check.
MemberConfig customer_config() {
  ExportPeer v4;
  v4.external = true;
  v4.peer_as = 65002;
  v4.local_address = ip("198.51.100.11");
  v4.shared_subnet = pfx("198.51.100.0/24");
  v4.has_export_policy = true;
  MemberConfig c;
  c.families = {v4, std::nullopt};
  return c;
}

struct Received {
  std::map<Prefix, wire::PathAttributes> announced;
  std::vector<Prefix> withdrawn;
  std::size_t end_of_rib = 0;
  bool withdrew(const char* p) const { return std::find(withdrawn.begin(), withdrawn.end(), pfx(p)) != withdrawn.end(); }
  bool announced_prefix(const char* p) const { return announced.count(pfx(p)) > 0; }
};

Received decode(const std::vector<OutBuffer>& buffers) {
  Received r;
  const wire::CodecContext ctx;
  for (const OutBuffer& b : buffers) {
    const std::vector<uint8_t>& bytes = *b;
    std::size_t at = 0;
    while (at < bytes.size()) {
      REQUIRE(bytes.size() - at >= wire::kHeaderSize);
      const std::size_t len = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
      REQUIRE(at + len <= bytes.size());
      auto u = wire::decode_update(std::span<const uint8_t>(bytes).subspan(at, len), ctx);
      REQUIRE(u.has_value());
      at += len;
      if (u->end_of_rib()) {
        ++r.end_of_rib;
        continue;
      }
      for (const wire::NlriEntry e : u->withdrawn) r.withdrawn.push_back(e.prefix);
      for (const wire::NlriEntry e : u->nlri) r.announced[e.prefix] = u->attrs;
    }
  }
  return r;
}

struct Fixture {
  Rib rib;
  const PeerId customer = rib.add_peer(peer_info("198.51.100.2", 65002, 0x02020202, /*external=*/true));
  UpdateGroups groups{rib, LocalSpeaker{kLocalAs, kRouterId, 0, 100}};  // after the Rib: destroyed first
  std::vector<RouteChange> changes;
  TimePoint now = TimePoint{} + 1h;
  SnapshotSeed seed;

  // What petreld had before the restart: two routes from the ToR, one of its own.
  void load() {
    const std::vector<SnapshotRoute> snapshot{
        {pfx("10.1.0.0/24"), 1, {{kTor, 0, path({65001}, "192.0.2.1")}}},
        {pfx("10.2.0.0/24"), 1, {{kTor, 0, path({65001}, "192.0.2.1")}}},
        {pfx("10.4.0.0/24"), 1, {{kTor, 0, path({65001}, "192.0.2.1")}}},
        {pfx("10.244.1.0/24"), 1, {{kStatic, 0, path({}, "10.0.0.11")}}},
    };
    seed = seed_snapshot(rib, snapshot, kLocalAs);
  }
  std::size_t decide() {
    changes.clear();
    rib.decide(changes);
    groups.process(changes, now);
    return changes.size();
  }
  Received receive(PeerId member) { return decode(groups.drain(member)); }
};

}  // namespace

TEST_CASE("snapshot: one pseudo-peer per source, eBGP / local as the source was, every route a path") {
  Fixture f;
  f.load();
  REQUIRE(f.seed.sources.size() == 2);
  CHECK(f.seed.paths == 4);
  const PeerInfo& tor = f.rib.peer(f.seed.sources[0].rib_peer);
  CHECK(f.seed.sources[0].peer == kTor);
  CHECK(tor.external);
  CHECK_FALSE(tor.local);
  CHECK(tor.peer_as == 65001);
  const PeerInfo& own = f.rib.peer(f.seed.sources[1].rib_peer);
  CHECK(own.local);
  CHECK_FALSE(own.external);
  CHECK(f.decide() == 4);
  CHECK(f.rib.selected(pfx("10.2.0.0/24")).at(0).peer == f.seed.sources[0].rib_peer);
}

TEST_CASE("snapshot: a live path wins whatever its attributes; an originated route beats its stand-in") {
  Fixture f;
  f.load();
  f.decide();
  const PeerId live_tor = f.rib.add_peer(peer_info("192.0.2.1", 65001, 0x01010101, true));
  // Longer AS path and a higher MED: worse on every later step, still preferred.
  f.rib.announce(live_tor, pfx("10.1.0.0/24"), 0, f.rib.attrs().intern(path({65001, 65009, 65010}, "192.0.2.1", 500)));
  f.rib.announce(kLocalPeer, pfx("10.244.1.0/24"), 0, f.rib.attrs().intern(path({}, "10.0.0.11")));
  CHECK(f.decide() == 2);
  CHECK(f.rib.selected(pfx("10.1.0.0/24")).at(0).peer == live_tor);
  CHECK(f.rib.explain(pfx("10.1.0.0/24")) == Step::llgr_stale);
  CHECK(f.rib.selected(pfx("10.244.1.0/24")).at(0).peer == kLocalPeer);
}

TEST_CASE("snapshot: a peer is sent the snapshot's routes at once; at release only the differences go") {
  Fixture f;
  f.load();
  f.decide();  // while selection is deferred: the snapshot's paths only

  // The customer's session comes up: it gets what we advertised before, at once.
  f.groups.add_member(f.customer, customer_config());
  Received first = f.receive(f.customer);
  CHECK(first.announced.size() == 4);
  for (const char* p : {"10.1.0.0/24", "10.2.0.0/24", "10.4.0.0/24", "10.244.1.0/24"}) CHECK(first.announced_prefix(p));
  // Through the normal eBGP export: our AS prepended, next hop self.
  const auto& a = first.announced.at(pfx("10.1.0.0/24"));
  REQUIRE(a.as_path.has_value());
  CHECK(a.as_path->segments.at(0).asns == std::vector<uint32_t>{kLocalAs, 65001});
  CHECK(*a.next_hop == ip("198.51.100.11"));
  CHECK(first.end_of_rib == 1);

  // Meanwhile the live sessions bring routes back (selection still deferred: no decide).
  const PeerId live_tor = f.rib.add_peer(peer_info("192.0.2.1", 65001, 0x01010101, true));
  f.rib.announce(live_tor, pfx("10.1.0.0/24"), 0, f.rib.attrs().intern(path({65001}, "192.0.2.1")));        // the same
  f.rib.announce(live_tor, pfx("10.3.0.0/24"), 0, f.rib.attrs().intern(path({65001}, "192.0.2.1")));        // new
  f.rib.announce(live_tor, pfx("10.4.0.0/24"), 0, f.rib.attrs().intern(path({65001, 65020}, "192.0.2.1")));  // path moved
  f.rib.announce(kLocalPeer, pfx("10.244.1.0/24"), 0, f.rib.attrs().intern(path({}, "10.0.0.11")));         // originated again
  // 10.2.0.0/24 is not learnt again.

  // Release: the snapshot goes, the live paths decide.
  CHECK(retire_snapshot(f.rib, f.seed) == 4);
  CHECK(f.seed.sources.empty());
  f.decide();
  Received second = f.receive(f.customer);
  CHECK(second.withdrawn == std::vector<Prefix>{pfx("10.2.0.0/24")});
  CHECK(second.announced.size() == 2);
  CHECK(second.announced_prefix("10.3.0.0/24"));
  REQUIRE(second.announced_prefix("10.4.0.0/24"));
  CHECK(second.announced.at(pfx("10.4.0.0/24")).as_path->segments.at(0).asns == std::vector<uint32_t>{kLocalAs, 65001, 65020});
  CHECK(second.end_of_rib == 0);
  // Unchanged exports are not sent again.
  CHECK_FALSE(second.announced_prefix("10.1.0.0/24"));
  CHECK_FALSE(second.announced_prefix("10.244.1.0/24"));
  CHECK(f.rib.path_count() == 4);
  CHECK(f.rib.selected(pfx("10.2.0.0/24")).empty());
}

TEST_CASE("snapshot: empty, nothing to retire") {
  Fixture f;
  SnapshotSeed seed = seed_snapshot(f.rib, {}, kLocalAs);
  CHECK(seed.sources.empty());
  CHECK(seed.paths == 0);
  CHECK(retire_snapshot(f.rib, seed) == 0);
  CHECK(f.decide() == 0);
}

TEST_CASE("snapshot: every path comes back, so the best path and the ECMP set are what they were") {
  BestPathOptions o;
  o.max_paths = 2;
  o.multipath_relax = true;  // ECMP across neighbour ASes (equal AS path length)
  Rib rib(o);
  const PeerRef tor2{"tor2", ip("192.0.2.2"), 65002, 0x02020202};
  const PeerRef tor3{"tor3", ip("192.0.2.3"), 65003, 0x03030303};
  // Before the restart: two equal paths (ECMP), one longer behind them, one of
  // them an ADD-PATH path (id 5).
  const std::vector<SnapshotRoute> snapshot{
      {pfx("10.1.0.0/24"), 2,
       {{kTor, 0, path({65001}, "192.0.2.1")}, {tor2, 5, path({65002}, "192.0.2.2")},
        {tor3, 0, path({65003, 65009}, "192.0.2.3")}}},
  };
  SnapshotSeed seed = seed_snapshot(rib, snapshot, kLocalAs);
  CHECK(seed.paths == 3);
  REQUIRE(seed.sources.size() == 3);
  auto source = [&](const PeerRef& ref) {
    for (const auto& src : seed.sources)
      if (src.peer == ref) return src.rib_peer;
    FAIL("no pseudo-peer for " << ref.name);
    return PeerId{0};
  };
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  const auto sel = rib.selected(pfx("10.1.0.0/24"));
  REQUIRE(sel.size() == 2);  // the ECMP pair, as before
  std::set<PeerId> ecmp{sel[0].peer, sel[1].peer};
  CHECK(ecmp == std::set<PeerId>{source(kTor), source(tor2)});
  CHECK(rib.has_path(source(tor2), pfx("10.1.0.0/24"), 5));
  const auto all = rib.paths(pfx("10.1.0.0/24"));
  REQUIRE(all.size() == 3);
  CHECK(all[2].peer == source(tor3));  // the loser stays behind
  CHECK(retire_snapshot(rib, seed) == 3);
  changes.clear();
  rib.decide(changes);
  CHECK(rib.prefix_count() == 0);
}
