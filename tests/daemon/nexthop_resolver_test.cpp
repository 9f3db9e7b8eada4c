// petreld's next-hop resolution: the kernel's links, addresses and routes (as the
// netlink observer reports them) -> KernelNextHopResolver -> the RIB's decisions.
// Links the resolver, the tracker and the RIB only; no netlink.
#include "daemon/nexthop_resolver.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::daemon;
namespace wire = petrel::bgp::wire;

namespace {

IpAddress ip(const char* s) { return *IpAddress::parse(s); }
Prefix pfx(const char* s) { return *Prefix::parse(s); }

fib::KernelRoute kernel_route(const char* prefix, const char* gateway, uint32_t ifindex, uint32_t metric,
                              uint8_t protocol = 4 /* static */) {
  fib::KernelRoute k;
  k.route.prefix = pfx(prefix);
  k.route.nexthops.push_back({gateway ? ip(gateway) : IpAddress::v4(0), ifindex, 1});
  k.route.metric = metric;
  k.protocol = protocol;
  return k;
}

rib::RouteAttrs attrs(uint32_t as, const char* next_hop, uint32_t local_pref = 100) {
  rib::RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {as}}}};
  r.attrs.next_hop = ip(next_hop);
  r.attrs.local_pref = local_pref;
  r.next_hop = ip(next_hop);
  return r;
}

rib::PeerInfo peer(const char* address, uint32_t as, uint32_t router_id, bool external, bool direct) {
  rib::PeerInfo p;
  p.address = ip(address);
  p.peer_as = as;
  p.router_id = router_id;
  p.external = external;
  p.direct = direct;
  return p;
}

// Two links as in the netns test: veth1 (ifindex 2, 10.31.1.0/24) and veth2
// (ifindex 3, 10.31.2.0/24), both up; the kernel's own connected routes too.
void two_links(KernelNextHopResolver& r) {
  r.link({2, true, "veth1"}, false);
  r.link({3, true, "veth2"}, false);
  r.address({2, pfx("10.31.1.0/24")}, false);
  r.address({3, pfx("10.31.2.0/24")}, false);
  r.route(kernel_route("10.31.1.0/24", nullptr, 2, 0, 2 /* kernel */), false);
  r.route(kernel_route("10.31.2.0/24", nullptr, 3, 0, 2), false);
}

const Prefix kP = pfx("10.60.0.0/24");

}  // namespace

TEST_CASE("a link going down makes the paths through it ineligible; the RIB reconverges, and back on link up") {
  FibConfig cfg;
  KernelNextHopResolver r(cfg);
  two_links(r);
  rib::BestPathOptions o;
  o.max_paths = 2;
  rib::Rib rib(o, &r);
  const auto a = rib.add_peer(peer("10.31.1.2", 65001, 1, true, true));
  const auto b = rib.add_peer(peer("10.31.2.2", 65002, 2, true, true));
  rib.announce(a, kP, 0, rib.attrs().intern(attrs(65100, "10.31.1.2")));
  rib.announce(b, kP, 0, rib.attrs().intern(attrs(65100, "10.31.2.2")));
  CHECK(r.watched() == 2);
  std::vector<rib::RouteChange> changes;
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 2);  // equal paths (same AS_PATH): ECMP
  CHECK(changes[0].selected[0].peer == a);
  CHECK(r.changed().empty());

  // `ip link set veth1 down` (or the far end's carrier gone): RTM_NEWLINK without IFF_RUNNING.
  r.link({2, false, "veth1"}, false);
  const auto changed = r.changed();
  CHECK(changed == std::vector<IpAddress>{ip("10.31.1.2")});
  CHECK(rib.next_hops_changed(changed) == 1);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 1);
  CHECK(changes[0].selected[0].peer == b);

  r.link({2, true, "veth1"}, false);
  const auto back = r.changed();
  CHECK(back == std::vector<IpAddress>{ip("10.31.1.2")});
  rib.next_hops_changed(back);
  changes.clear();
  rib.decide(changes);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].selected.size() == 2);
  CHECK(changes[0].selected[0].peer == a);

  // Withdrawn paths stop being watched.
  rib.remove_peer(a);
  rib.remove_peer(b);
  CHECK(r.watched() == 0);
}

TEST_CASE("direct eBGP next hops resolve through connected prefixes only; iBGP ones recursively at the route's metric") {
  FibConfig cfg;
  KernelNextHopResolver r(cfg);
  two_links(r);
  r.route(kernel_route("10.99.0.0/16", "10.31.2.9", 3, 30), false);  // an IGP route
  CHECK(r.resolve(ip("10.31.1.2"), true) == rib::Resolution{true, 0});
  // Recursive: the kernel route must name the on-link gateway the IGP route gives.
  CHECK(r.resolve(ip("10.99.1.1"), false) == rib::Resolution{true, 30, ip("10.31.2.9")});
  // On a link: no gateway of its own (the next hop is the gateway).
  CHECK(r.resolve(ip("10.31.2.7"), false) == rib::Resolution{true, 0, {}});
  CHECK_FALSE(r.resolve(ip("10.99.1.1"), true).reachable);
  // Petrel's own routes (protocol 201 in the FIB's table) never resolve a next hop.
  r.route(kernel_route("10.98.0.0/16", "10.31.2.9", 3, 0, 201), false);
  CHECK_FALSE(r.resolve(ip("10.98.1.1"), false).reachable);
  // Routes of another table do not either.
  fib::KernelRoute other = kernel_route("10.97.0.0/16", "10.31.2.9", 3, 0);
  other.table = 100;
  r.route(other, false);
  CHECK_FALSE(r.resolve(ip("10.97.1.1"), false).reachable);
}

TEST_CASE("the default route: not used while writing the kernel; used in dry run (a reflector outside the forwarding path)") {
  FibConfig writing;
  FibConfig dry_run;
  dry_run.enabled = false;
  CHECK_FALSE(tracker_options(writing).resolve_via_default);
  CHECK(tracker_options(dry_run).resolve_via_default);
  CHECK(tracker_options(writing).table == 254);
  CHECK(tracker_options(writing).own_protocol == 201);
  for (auto* cfg : {&writing, &dry_run}) {
    KernelNextHopResolver r(*cfg);
    two_links(r);
    r.route(kernel_route("0.0.0.0/0", "10.31.1.1", 2, 0, 3 /* boot */), false);
    // A client next hop in another subnet, only behind the default route.
    CHECK(r.resolve(ip("192.0.2.7"), false).reachable == !cfg->enabled);
    // On a connected subnet both resolve it.
    CHECK(r.resolve(ip("10.31.2.7"), false).reachable);
    // Dry run or not, a link that is down makes its next hops unreachable.
    r.link({3, false, "veth2"}, false);
    CHECK_FALSE(r.resolve(ip("10.31.2.7"), false).reachable);
  }
}

TEST_CASE("lost notifications: after reset() and a new dump, every watched next hop counts as changed") {
  FibConfig cfg;
  KernelNextHopResolver r(cfg);
  two_links(r);
  r.watch(ip("10.31.1.2"));
  r.watch(ip("10.31.2.2"));
  r.watch(ip("10.31.2.2"));  // the RIB watches once per next hop; twice is harmless
  CHECK(r.changed().empty());
  r.reset();
  CHECK_FALSE(r.resolve(ip("10.31.1.2"), false).reachable);  // nothing known until the dump
  two_links(r);
  CHECK(r.changed() == std::vector<IpAddress>{ip("10.31.1.2"), ip("10.31.2.2")});
  CHECK(r.changed().empty());
  r.unwatch(ip("10.31.1.2"));
  CHECK(r.watched() == 1);
}
