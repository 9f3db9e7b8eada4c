// The Loc-RIB: interning, batching by dirty prefixes, best path and ECMP, withdrawals,
// peers going away, next-hop reachability.
#include "rib/rib.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <set>

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

RouteAttrs attrs(std::initializer_list<uint32_t> path, const char* next_hop, uint32_t local_pref = 100) {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, path}}};
  r.attrs.next_hop = IpAddress::parse(next_hop);
  r.attrs.local_pref = local_pref;
  r.next_hop = *IpAddress::parse(next_hop);
  return r;
}

PeerInfo peer(const char* address, uint32_t as, uint32_t router_id) {
  PeerInfo p;
  p.address = *IpAddress::parse(address);
  p.peer_as = as;
  p.router_id = router_id;
  p.external = true;
  return p;
}

const Prefix kP = *Prefix::parse("10.244.1.0/24");

}  // namespace

TEST_CASE("identical attribute sets are stored once and freed with their last reference") {
  AttrStore store;
  const auto a = attrs({65001, 65002}, "192.0.2.1");
  const AttrId x = store.intern(a);
  const AttrId y = store.intern(a);
  const AttrId z = store.intern(attrs({65001}, "192.0.2.1"));
  CHECK(x == y);
  CHECK(x != z);
  const uint64_t x_generation = store.generation(x);
  CHECK(x_generation != store.generation(z));
  CHECK(store.size() == 2);
  CHECK(store.references(x) == 2);
  store.release(x);
  store.release(y);
  CHECK(store.size() == 1);
  // The freed id is reused for the next new set.
  const AttrId w = store.intern(attrs({65009}, "192.0.2.9"));
  CHECK(w == x);
  CHECK(store.generation(w) != x_generation);  // the same id, another set
  CHECK(store.get(w).attrs.as_path->to_string() == "65009");
  CHECK(store.get(z).attrs.as_path->to_string() == "65001");
}

TEST_CASE("announce, re-announce, a better path, withdrawals") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  std::vector<RouteChange> changes;

  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001, 65010, 65011}, "192.0.2.1")));
  CHECK(rib.decide(changes) == 1);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].prefix == kP);
  REQUIRE(changes[0].selected.size() == 1);
  CHECK(changes[0].selected[0].peer == a);

  // The same route again: nothing to tell anyone.
  changes.clear();
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001, 65010, 65011}, "192.0.2.1")));
  rib.decide(changes);
  CHECK(changes.empty());
  CHECK(rib.attrs().size() == 1);

  // A shorter AS_PATH from b wins, and says why.
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002}, "192.0.2.2")));
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  CHECK(changes[0].reason == Step::as_path_length);
  CHECK(rib.paths(kP).size() == 2);

  // b's route worsens in place (longer path): a is best again.
  changes.clear();
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002, 1, 2, 3, 4}, "192.0.2.2")));
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);

  // Withdraw a: b carries on; withdraw b: the prefix goes.
  changes.clear();
  rib.withdraw(a, kP, 0);
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  changes.clear();
  rib.withdraw(b, kP, 0);
  rib.withdraw(b, kP, 0);  // unknown now: ignored
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected.empty());
  CHECK(rib.prefix_count() == 0);
  CHECK(rib.path_count() == 0);
  CHECK(rib.attrs().size() == 0);
}

TEST_CASE("changes are batched: many announcements, one decision per prefix") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  for (uint32_t i = 0; i < 100; ++i)
    rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001, 64512 + i}, "192.0.2.1")));
  std::vector<RouteChange> changes;
  CHECK(rib.decide(changes) == 1);
  REQUIRE(changes.size() == 1);
  CHECK(rib.attrs().get(changes[0].selected[0].attrs).attrs.as_path->to_string() == "65001 64611");
  CHECK(rib.attrs().size() == 1);  // the 99 superseded sets were released
  CHECK(rib.decide(changes) == 0);
}

TEST_CASE("ECMP: equal paths form the selection, up to max_paths") {
  BestPathOptions o;
  o.max_paths = 2;
  o.multipath_relax = true;  // ECMP across neighbour ASes (equal AS path length)
  Rib rib(o);
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65001, 2));
  const PeerId c = rib.add_peer(peer("192.0.2.3", 65001, 3));
  for (auto [p, nh] : {std::pair{a, "192.0.2.1"}, std::pair{b, "192.0.2.2"}, std::pair{c, "192.0.2.3"}})
    rib.announce(p, kP, 0, rib.attrs().intern(attrs({65001, 65100}, nh)));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 2);
  CHECK(changes[0].selected[0].peer == a);  // lowest router id first
  CHECK(changes[0].selected[1].peer == b);
  // Losing one member changes the set; the third path steps in.
  changes.clear();
  rib.withdraw(a, kP, 0);
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 2);
  CHECK(changes[0].selected[0].peer == b);
  CHECK(changes[0].selected[1].peer == c);
}

TEST_CASE("a peer going away takes its paths; other families are kept apart") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const Prefix v6 = *Prefix::parse("2001:db8:44::/48");
  for (int i = 0; i < 50; ++i)
    rib.announce(a, Prefix::make(IpAddress::v4(0x0a000000u + (uint32_t(i) << 8)), 24), 0,
                 rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  RouteAttrs six = attrs({65001}, "192.0.2.1");
  six.next_hop = *IpAddress::parse("2001:db8::1");
  rib.announce(a, v6, 0, rib.attrs().intern(six));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  CHECK(changes.size() == 51);
  CHECK(rib.prefix_count() == 51);
  CHECK(rib.selected(v6).size() == 1);
  CHECK(rib.attrs().references(rib.selected(v6)[0].attrs) == 1);
  changes.clear();
  rib.remove_peer(a);
  rib.decide(changes);
  CHECK(changes.size() == 51);
  for (const auto& c : changes) CHECK(c.selected.empty());
  CHECK(rib.prefix_count() == 0);
  CHECK(rib.attrs().size() == 0);
}

TEST_CASE("a path whose next hop does not resolve is not eligible; touch_peer re-decides") {
  struct Resolver : NextHopResolver {
    IpAddress down;
    Resolution resolve(const IpAddress& nh, bool) const override { return {nh != down, 10}; }
  } resolver;
  resolver.down = *IpAddress::parse("192.0.2.1");
  Rib rib({}, &resolver);
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002, 65003}, "192.0.2.2")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);  // a's shorter path cannot be reached
  // The link comes back: a's next hop resolves; its paths are looked at again.
  resolver.down = *IpAddress::parse("0.0.0.0");
  changes.clear();
  rib.touch_peer(a);
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
}

namespace {

// A resolver that answers from a table the test changes, and remembers what the
// RIB watches (as the daemon's kernel tracker would).
struct TableResolver : NextHopResolver {
  std::map<IpAddress, Resolution> recursive;  // absent: unreachable
  std::set<IpAddress> connected;              // reachable through a connected prefix, cost 0
  std::multiset<IpAddress> watched;
  mutable int lookups = 0;
  Resolution resolve(const IpAddress& nh, bool connected_only) const override {
    ++lookups;
    if (connected.count(nh)) return {true, 0};
    if (connected_only) return {false, 0};
    auto it = recursive.find(nh);
    return it == recursive.end() ? Resolution{false, 0} : it->second;
  }
  void watch(const IpAddress& nh) override { watched.insert(nh); }
  void unwatch(const IpAddress& nh) override {
    auto it = watched.find(nh);
    REQUIRE(it != watched.end());
    watched.erase(it);
  }
};

PeerInfo ibgp(const char* address, uint32_t router_id) {
  PeerInfo p = peer(address, 64512, router_id);
  p.external = false;
  return p;
}

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

}  // namespace

TEST_CASE("RFC 4271 §9.1.2.1: an unreachable next hop makes its path ineligible; the other path wins, and back") {
  TableResolver r;
  r.recursive[ip("10.1.0.1")] = {true, 10};
  r.recursive[ip("10.2.0.1")] = {true, 10};
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  const PeerId b = rib.add_peer(ibgp("192.0.2.2", 2));
  // a's path is better (higher LOCAL_PREF): primary / backup.
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1", 200)));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65001}, "10.2.0.1", 100)));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.1"), ip("10.2.0.1")});
  CHECK(rib.next_hop_count() == 2);

  // a's next hop goes away (its link is down): only kP depends on it.
  r.recursive.erase(ip("10.1.0.1"));
  const IpAddress gone[] = {ip("10.1.0.1")};
  CHECK(rib.next_hops_changed(gone) == 1);
  changes.clear();
  CHECK(rib.decide(changes) == 1);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  CHECK_FALSE(rib.resolution(rib.paths(kP)[1]).reachable);  // a's path, now last
  CHECK(rib.paths(kP)[1].peer == a);

  // Reported again without a difference: nothing to decide.
  CHECK(rib.next_hops_changed(gone) == 0);
  // Back: a wins again.
  r.recursive[ip("10.1.0.1")] = {true, 10};
  CHECK(rib.next_hops_changed(gone) == 1);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);

  // Both unreachable: the prefix has no usable path (withdraw it), but keeps its paths.
  r.recursive.clear();
  const IpAddress both[] = {ip("10.1.0.1"), ip("10.2.0.1"), ip("10.9.9.9")};  // 10.9.9.9: unused, ignored
  CHECK(rib.next_hops_changed(both) == 2);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected.empty());
  CHECK(rib.paths(kP).size() == 2);
  CHECK(rib.selected(kP).empty());
  int listed = 0;
  rib.for_each_prefix([&](const Prefix& p) { listed += p == kP; });
  CHECK(listed == 1);  // still listed (show route shows it as unreachable)
}

TEST_CASE("a one-path prefix follows its next hop: withdrawn while unreachable, back when it resolves") {
  TableResolver r;
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  CHECK(changes.empty());  // unreachable from the start: nothing selected, nothing to tell
  r.recursive[ip("10.1.0.1")] = {true, 5};
  const IpAddress nh[] = {ip("10.1.0.1")};
  rib.next_hops_changed(nh);
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected.size() == 1);
  // Only a cost change: decided again, but the selection is the same.
  r.recursive[ip("10.1.0.1")] = {true, 7};
  CHECK(rib.next_hops_changed(nh) == 1);
  changes.clear();
  rib.decide(changes);
  CHECK(changes.empty());
}

TEST_CASE("RFC 4271 §9.1.2.2 (e): the lower IGP cost to the next hop wins; a cost change re-decides") {
  TableResolver r;
  r.recursive[ip("10.1.0.1")] = {true, 20};
  r.recursive[ip("10.2.0.1")] = {true, 10};
  Rib rib({}, &r);
  // a has the lower router id: it would win the tie-break after the IGP cost.
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  const PeerId b = rib.add_peer(ibgp("192.0.2.2", 2));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65001}, "10.2.0.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  CHECK(changes[0].reason == Step::igp_cost);
  CHECK(rib.explain(kP) == Step::igp_cost);

  r.recursive[ip("10.1.0.1")] = {true, 5};
  const IpAddress nh[] = {ip("10.1.0.1")};
  rib.next_hops_changed(nh);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
  CHECK(changes[0].reason == Step::igp_cost);

  // Equal costs: the router id decides; with max_paths 2 both would share (see ECMP).
  r.recursive[ip("10.1.0.1")] = {true, 10};
  rib.next_hops_changed(nh);
  changes.clear();
  rib.decide(changes);
  CHECK(changes.empty());  // a stays best, now on the router id
  CHECK(rib.explain(kP) == Step::router_id);
}

TEST_CASE("ECMP members drop out when their next hop becomes unreachable and come back") {
  BestPathOptions o;
  o.max_paths = 2;
  TableResolver r;
  r.connected = {ip("10.1.0.2"), ip("10.2.0.2")};
  Rib rib(o, &r);
  PeerInfo pa = peer("10.1.0.2", 65001, 1), pb = peer("10.2.0.2", 65002, 2);
  pa.direct = pb.direct = true;
  const PeerId a = rib.add_peer(pa);
  const PeerId b = rib.add_peer(pb);
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001, 65100}, "10.1.0.2")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65001, 65100}, "10.2.0.2")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected.size() == 2);
  r.connected.erase(ip("10.2.0.2"));
  const IpAddress nh[] = {ip("10.2.0.2")};
  rib.next_hops_changed(nh);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
  r.connected.insert(ip("10.2.0.2"));
  rib.next_hops_changed(nh);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected.size() == 2);
  (void)b;
}

TEST_CASE("a directly connected eBGP peer's next hops resolve through connected prefixes only") {
  TableResolver r;
  r.recursive[ip("10.9.0.1")] = {true, 10};  // reachable through an IGP route, not connected
  Rib rib({}, &r);
  PeerInfo direct = peer("10.1.0.2", 65001, 1);
  direct.direct = true;
  const PeerId d = rib.add_peer(direct);
  const PeerId m = rib.add_peer(peer("10.3.0.2", 65003, 3));  // multihop eBGP: recursive
  const Prefix other = *Prefix::parse("10.245.0.0/16");
  rib.announce(d, kP, 0, rib.attrs().intern(attrs({65001}, "10.9.0.1")));
  rib.announce(m, other, 0, rib.attrs().intern(attrs({65003}, "10.9.0.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);  // only the multihop peer's route
  CHECK(changes[0].prefix == other);
  CHECK(rib.selected(kP).empty());
  // The next hop becomes connected (an address on a link that is up): both resolve.
  r.connected.insert(ip("10.9.0.1"));
  const IpAddress nh[] = {ip("10.9.0.1")};
  CHECK(rib.next_hops_changed(nh) == 2);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].prefix == kP);
  CHECK(rib.selected(kP).size() == 1);
}

TEST_CASE("the next-hop index follows announcements, replacements, withdrawals and peers going away") {
  TableResolver r;
  r.recursive[ip("10.1.0.1")] = {true, 1};
  r.recursive[ip("10.1.0.2")] = {true, 1};
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  const PeerId b = rib.add_peer(ibgp("192.0.2.2", 2));
  const Prefix p2 = *Prefix::parse("10.244.2.0/24");
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  rib.announce(a, p2, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  // Our own routes are never resolved nor watched.
  RouteAttrs own;
  own.next_hop = IpAddress::v4(0);
  rib.announce(kLocalPeer, *Prefix::parse("10.244.9.0/24"), 0, rib.attrs().intern(own));
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.1")});
  const int lookups = r.lookups;
  std::vector<RouteChange> changes;
  rib.decide(changes);
  CHECK(changes.size() == 3);
  CHECK(r.lookups == lookups);  // the decision reads the cached answers
  // a's route to kP moves to another next hop: both watched while in use.
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.2")));
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.1"), ip("10.1.0.2")});
  rib.decide(changes);
  // Only kP uses 10.1.0.2: a change to it re-decides kP alone.
  r.recursive.erase(ip("10.1.0.2"));
  const IpAddress nh2[] = {ip("10.1.0.2")};
  CHECK(rib.next_hops_changed(nh2) == 1);
  changes.clear();
  CHECK(rib.decide(changes) == 1);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  // Withdrawals and a peer going away release the next hops.
  rib.withdraw(a, kP, 0);
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.1")});
  rib.remove_peer(a);
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.1")});  // b still uses it
  rib.remove_peer(b);
  CHECK(r.watched.empty());
  CHECK(rib.next_hop_count() == 0);
  rib.decide(changes);
}

TEST_CASE("a recursive next hop whose gateway moves: the prefix is reported again with the same selection") {
  TableResolver r;
  r.recursive[ip("10.99.0.1")] = {true, 10, ip("10.31.1.2")};
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.99.0.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(rib.resolution(rib.paths(kP)[0]).via == ip("10.31.1.2"));
  // The IGP route now goes through another neighbour, at the same cost.
  r.recursive[ip("10.99.0.1")] = {true, 10, ip("10.31.2.2")};
  const IpAddress nh[] = {ip("10.99.0.1")};
  CHECK(rib.next_hops_changed(nh) == 1);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);  // same selection, reported for the FIB
  REQUIRE(changes[0].selected.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
  CHECK(rib.resolution(rib.paths(kP)[0]).via == ip("10.31.2.2"));
}

TEST_CASE("a next hop of many prefixes (a full table) is found by a scan; the index stays exact") {
  TableResolver r;
  r.recursive[ip("10.1.0.1")] = {true, 1};
  r.recursive[ip("10.1.0.2")] = {true, 1};
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  const PeerId b = rib.add_peer(ibgp("192.0.2.2", 2));
  constexpr uint32_t kMany = 6000;  // above the listed limit
  auto nth = [](uint32_t i) { return Prefix::make(IpAddress::v4(0x0b000000u + (i << 8)), 24); };
  const AttrId via_a = rib.attrs().intern(attrs({65001}, "10.1.0.1", 200));
  for (uint32_t i = 0; i < kMany; ++i) {
    rib.attrs().acquire(via_a);
    rib.announce(a, nth(i), 0, via_a);
  }
  rib.attrs().release(via_a);
  // b backs up the first 10 prefixes through another next hop.
  for (uint32_t i = 0; i < 10; ++i) rib.announce(b, nth(i), 0, rib.attrs().intern(attrs({65001}, "10.1.0.2", 100)));
  // One more prefix, only through 10.1.0.2.
  const Prefix lone = *Prefix::parse("10.250.0.0/16");
  rib.announce(b, lone, 0, rib.attrs().intern(attrs({65001}, "10.1.0.2", 100)));
  std::vector<RouteChange> changes;
  CHECK(rib.decide(changes) == kMany + 1);

  r.recursive.erase(ip("10.1.0.1"));
  const IpAddress nh_a[] = {ip("10.1.0.1")};
  CHECK(rib.next_hops_changed(nh_a) == kMany);
  changes.clear();
  CHECK(rib.decide(changes) == kMany);  // exactly the prefixes through 10.1.0.1
  REQUIRE(changes.size() == kMany);
  std::size_t to_b = 0, withdrawn = 0;
  for (const auto& c : changes) {
    if (c.selected.empty()) ++withdrawn;
    else if (c.selected[0].peer == b) ++to_b;
  }
  CHECK(to_b == 10);
  CHECK(withdrawn == kMany - 10);

  // A change of the small next hop touches its 11 prefixes only.
  r.recursive.erase(ip("10.1.0.2"));
  const IpAddress nh_b[] = {ip("10.1.0.2")};
  CHECK(rib.next_hops_changed(nh_b) == 11);
  changes.clear();
  CHECK(rib.decide(changes) == 11);

  // Back, and then the peers go: both next hops are released.
  r.recursive[ip("10.1.0.1")] = {true, 1};
  r.recursive[ip("10.1.0.2")] = {true, 1};
  const IpAddress both[] = {ip("10.1.0.1"), ip("10.1.0.2")};
  rib.next_hops_changed(both);
  changes.clear();
  CHECK(rib.decide(changes) == kMany + 1);
  CHECK(changes.size() == kMany + 1);
  rib.remove_peer(a);
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.2")});
  rib.remove_peer(b);
  CHECK(r.watched.empty());
  rib.decide(changes);
  CHECK(rib.prefix_count() == 0);
}

TEST_CASE("two paths of one prefix through the same next hop count once; the next hop stays until both are gone") {
  TableResolver r;
  r.recursive[ip("10.1.0.1")] = {true, 1};
  Rib rib({}, &r);
  const PeerId a = rib.add_peer(ibgp("192.0.2.1", 1));
  const PeerId b = rib.add_peer(ibgp("192.0.2.2", 2));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "10.1.0.1")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002}, "10.1.0.1")));
  const IpAddress nh[] = {ip("10.1.0.1")};
  r.recursive[ip("10.1.0.1")] = {true, 2};
  CHECK(rib.next_hops_changed(nh) == 1);
  rib.withdraw(a, kP, 0);
  CHECK(r.watched.size() == 1);
  // b's path moves to another next hop: 10.1.0.1 is no longer used.
  r.recursive[ip("10.1.0.9")] = {true, 1};
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002}, "10.1.0.9")));
  CHECK(r.watched == std::multiset<IpAddress>{ip("10.1.0.9")});
  rib.withdraw(b, kP, 0);
  CHECK(r.watched.empty());
}

TEST_CASE("RFC 4724 §4.2: stale paths stay in use, re-announced ones are kept, the rest swept") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const Prefix p1 = *Prefix::parse("10.41.1.0/24"), p2 = *Prefix::parse("10.41.2.0/24");
  for (const auto& p : {p1, p2}) rib.announce(a, p, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  CHECK(rib.mark_stale(a) == 2);
  CHECK(rib.paths(p1)[0].flags == path_flag::stale);
  // Still the selection: staleness does not withdraw anything.
  changes.clear();
  rib.decide(changes);
  CHECK(changes.empty());
  CHECK(rib.selected(p1).size() == 1);
  // The peer is back and sends p1 again, unchanged: the mark goes, no decision is needed.
  rib.announce(a, p1, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  CHECK(rib.paths(p1)[0].flags == 0);
  CHECK(rib.decide(changes) == 0);
  // End-of-RIB: p2 was not sent again.
  CHECK(rib.sweep_stale(a) == 1);
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].prefix == p2);
  CHECK(changes[0].selected.empty());
  CHECK(rib.selected(p1).size() == 1);
  CHECK(rib.sweep_stale(a) == 0);
}

TEST_CASE("enhanced route refresh: stale marking and sweeping per family (RFC 7313 §4)") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const Prefix v4 = *Prefix::parse("10.1.0.0/24"), v6 = *Prefix::parse("2001:db8:1::/48");
  rib.announce(a, v4, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  rib.announce(a, v6, 0, rib.attrs().intern(attrs({65001}, "2001:db8::1")));
  CHECK(rib.mark_stale(a, bgp::wire::Family::ipv4_unicast) == 1);
  CHECK(rib.paths(v6)[0].flags == 0);
  CHECK(rib.sweep_stale(a, bgp::wire::Family::ipv6_unicast) == 0);
  CHECK(rib.sweep_stale(a, bgp::wire::Family::ipv4_unicast) == 1);
  CHECK(rib.has_path(a, v6, 0));
  CHECK_FALSE(rib.has_path(a, v4, 0));
}

TEST_CASE("RFC 9494: after the restart time, long-lived stale paths lose to any other, and come back when re-sent") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  const Prefix p = *Prefix::parse("10.42.0.0/24");
  rib.announce(a, p, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  rib.announce(b, p, 0, rib.attrs().intern(attrs({65002, 65100, 65200}, "192.0.2.2")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  REQUIRE(rib.selected(p)[0].peer == a);
  CHECK(rib.mark_llgr_stale(a) == 0);  // not stale: nothing to do
  rib.mark_stale(a);
  changes.clear();
  rib.decide(changes);
  CHECK(changes.empty());  // plain stale: still preferred
  CHECK(rib.mark_llgr_stale(a) == 1);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == b);
  CHECK(changes[0].reason == Step::llgr_stale);
  // The peer is back and re-sends the route: both marks go, it wins again.
  rib.announce(a, p, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].selected[0].peer == a);
  CHECK(rib.paths(p)[0].flags == 0);
}

TEST_CASE("explain: the step on which the best path beats the runner-up") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  const Prefix p = *Prefix::parse("10.43.0.0/24");
  rib.announce(a, p, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  CHECK(rib.explain(p) == Step::none);  // alone
  rib.announce(b, p, 0, rib.attrs().intern(attrs({65002, 65100}, "192.0.2.2")));
  rib.decide(changes);
  CHECK(rib.explain(p) == Step::as_path_length);
}

// decide()'s optional second output: every path of each decided prefix that its
// RouteChange does not describe whole, best first, also when the selection did
// not change (what the store's snapshot keeps); a change that is every path the
// prefix has says so (RouteChange::all_paths) and is not repeated there.
TEST_CASE("decide() with every_path: the paths a change does not tell, best first, selection changed or not") {
  BestPathOptions o;
  o.max_paths = 2;
  o.multipath_relax = true;  // ECMP across neighbour ASes (equal AS path length)
  Rib rib(o);
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  const PeerId c = rib.add_peer(peer("192.0.2.3", 65003, 3));
  struct Row {
    const char* what;
    std::function<void()> act;
    std::size_t changes;        // RouteChanges reported
    bool all_paths;             // ... and the change is every path of the prefix
    bool reported;              // a DecidedPaths entry
    bool selection_changed;
    uint8_t selected;
    std::vector<PeerId> paths;  // best first
  };
  const Row rows[] = {
      {"first path: the change is all there is",
       [&] { rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1"))); }, 1, true, false, true, 1, {a}},
      {"a longer AS path behind the best: selection stays, reported here only",
       [&] { rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002, 65009}, "192.0.2.2"))); }, 0, false, true, false,
       1, {a, b}},
      {"an equal path joins the ECMP set, the loser stays behind it",
       [&] { rib.announce(c, kP, 0, rib.attrs().intern(attrs({65003}, "192.0.2.3"))); }, 1, false, true, true, 2,
       {a, c, b}},
      {"the loser goes: selection stays", [&] { rib.withdraw(b, kP, 0); }, 0, false, true, false, 2, {a, c}},
      {"one of the ECMP pair goes", [&] { rib.withdraw(a, kP, 0); }, 1, true, false, true, 1, {c}},
      {"it comes back: the ECMP pair is every path",
       [&] { rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1"))); }, 1, true, false, true, 2,
       {a, c}},
      {"one goes again", [&] { rib.withdraw(a, kP, 0); }, 1, true, false, true, 1, {c}},
      {"the last path goes: an empty change is all there is", [&] { rib.withdraw(c, kP, 0); }, 1, true, false, true, 0,
       {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    row.act();
    std::vector<RouteChange> changes;
    DecidedPaths decided;
    rib.decide(changes, &decided);
    REQUIRE(changes.size() == row.changes);
    if (!changes.empty()) {
      CHECK(changes[0].selected.size() == row.selected);
      CHECK(changes[0].all_paths == row.all_paths);
    }
    REQUIRE(decided.prefixes.size() == (row.reported ? 1u : 0u));
    if (!row.reported) {
      CHECK(decided.paths.empty());
      std::set<PeerId> told, expected(row.paths.begin(), row.paths.end());
      for (const SelectedPath& p : changes[0].selected) told.insert(p.peer);
      CHECK(told == expected);
      continue;
    }
    const auto& d = decided.prefixes[0];
    CHECK(d.prefix == kP);
    CHECK(d.selection_changed == row.selection_changed);
    CHECK(d.selected == row.selected);
    REQUIRE(d.count == row.paths.size());
    REQUIRE(decided.paths.size() == d.first + d.count);
    std::set<PeerId> ecmp, expected_ecmp;
    for (std::size_t i = 0; i < d.count; ++i) {
      const SelectedPath& p = decided.paths[d.first + i];
      if (i < d.selected) {
        ecmp.insert(p.peer);
        expected_ecmp.insert(row.paths[i]);
      } else {
        CHECK(p.peer == row.paths[i]);  // the losers after the selection
      }
      CHECK(rib.attrs().references(p.attrs) > 0);
    }
    CHECK(ecmp == expected_ecmp);  // the ECMP set's own order is the tie-break's
  }
  CHECK(rib.prefix_count() == 0);
}

TEST_CASE("all_paths(): the whole table, every path, prefixes with a selection marked changed") {
  Rib rib;
  const PeerId a = rib.add_peer(peer("192.0.2.1", 65001, 1));
  const PeerId b = rib.add_peer(peer("192.0.2.2", 65002, 2));
  const Prefix q = *Prefix::parse("10.244.2.0/24");
  rib.announce(a, kP, 0, rib.attrs().intern(attrs({65001}, "192.0.2.1")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs({65002, 65009}, "192.0.2.2")));
  rib.announce(b, q, 0, rib.attrs().intern(attrs({65002}, "192.0.2.2")));
  std::vector<RouteChange> changes;
  rib.decide(changes);
  DecidedPaths all;
  rib.all_paths(all);
  REQUIRE(all.prefixes.size() == 2);
  std::map<Prefix, DecidedPaths::Entry> by;
  for (const auto& d : all.prefixes) by[d.prefix] = d;
  CHECK(by[kP].count == 2);
  CHECK(by[kP].selected == 1);
  CHECK(by[kP].selection_changed);
  CHECK(all.paths[by[kP].first].peer == a);
  CHECK(all.paths[by[kP].first + 1].peer == b);
  CHECK(by[q].count == 1);
  CHECK(all.paths[by[q].first].peer == b);
  CHECK(all.paths.size() == 3);
}
