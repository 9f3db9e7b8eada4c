// bench/rib_bench.cpp — the RIB alone: 1M IPv4 prefixes with 5,000 distinct
// attribute sets, announced by one peer (then a second peer with the same table),
// decided, then withdrawn. Prints routes per second and bytes per route (heap
// growth measured with mallinfo2, and the tables' own accounting).
// Targets (issue): at least 2M routes/s inserted, at most 80 bytes per route.
// --resolver: the RIB has a next-hop resolver (as in petreld), so it keeps its
// next hop -> prefixes index; every next hop resolves.
// --nexthops=N: the routes' next hops are spread over N addresses (default 1).
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "rib/rib.hpp"

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
// Heap in use, including the large blocks glibc serves with mmap (the tables' arrays).
std::size_t heap_in_use() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

std::vector<RouteAttrs> make_sets(std::size_t n, std::size_t next_hops, std::mt19937_64& rng) {
  std::vector<RouteAttrs> sets(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& a = sets[i].attrs;
    a.origin = wire::Origin::igp;
    wire::AsPathSegment seg;
    seg.asns.push_back(65001);
    for (int k = 0; k < 2 + int(rng() % 5); ++k) seg.asns.push_back(1 + rng() % 400000);
    a.as_path = wire::AsPath{{seg}};
    const IpAddress next_hop = IpAddress::v4(0xc0000201 + static_cast<uint32_t>(i % next_hops));
    a.next_hop = next_hop;
    if (rng() % 3 == 0) a.med = static_cast<uint32_t>(rng() % 1000);
    for (int k = 0; k < int(rng() % 4); ++k) a.communities.push_back((65001u << 16) | (rng() % 4000));
    sets[i].next_hop = next_hop;
  }
  return sets;
}

struct SwitchedResolver : NextHopResolver {
  bool up = true;  // every next hop, at once
  Resolution resolve(const IpAddress&, bool) const override { return {up, 0}; }
};

struct Figures {
  double announce_s = 0, decide_s = 0;
  std::size_t heap_bytes = 0, table_bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t routes = 1'000'000, set_count = 5'000, next_hops = 1;
  bool with_resolver = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--routes=", 9) == 0) routes = std::strtoull(argv[i] + 9, nullptr, 10);
    else if (std::strncmp(argv[i], "--sets=", 7) == 0) set_count = std::strtoull(argv[i] + 7, nullptr, 10);
    else if (std::strncmp(argv[i], "--nexthops=", 11) == 0) next_hops = std::max<std::size_t>(1, std::strtoull(argv[i] + 11, nullptr, 10));
    else if (std::strcmp(argv[i], "--resolver") == 0) with_resolver = true;
    else {
      std::fprintf(stderr, "usage: %s [--routes=N] [--sets=N] [--resolver] [--nexthops=N]\n", argv[0]);
      return 2;
    }
  }
  std::mt19937_64 rng(42);
  const auto sets = make_sets(set_count, next_hops, rng);
  std::vector<Prefix> prefixes;
  prefixes.reserve(routes);
  for (std::size_t i = 0; i < routes; ++i)
    prefixes.push_back(Prefix::make(IpAddress::v4(0x01000000u + static_cast<uint32_t>(i << 8)), 24));
  std::shuffle(prefixes.begin(), prefixes.end(), rng);
  // Which set each prefix carries: contiguous runs, as UPDATEs would bring them.
  const std::size_t per_set = (routes + set_count - 1) / set_count;

  const std::size_t heap0 = heap_in_use();
  SwitchedResolver resolver;
  Rib rib({}, with_resolver ? &resolver : nullptr);
  PeerInfo p1{*IpAddress::parse("192.0.2.1"), 1, 65001, true, false};
  PeerInfo p2{*IpAddress::parse("192.0.2.2"), 2, 65002, true, false};
  std::vector<RouteChange> changes;

  auto feed = [&](PeerId peer, Figures& f) {
    auto t = std::chrono::steady_clock::now();
    for (std::size_t s = 0; s < set_count; ++s) {
      // One UPDATE's worth: intern the attributes once, one reference per route.
      const AttrId id = rib.attrs().intern(sets[s]);
      const std::size_t begin = s * per_set, end = std::min(routes, begin + per_set);
      for (std::size_t i = begin; i < end; ++i) {
        rib.attrs().acquire(id);
        rib.announce(peer, prefixes[i], 0, id);
      }
      rib.attrs().release(id);
    }
    f.announce_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    changes.clear();
    rib.decide(changes);
    f.decide_s = seconds_since(t);
  };

  Figures one;
  const PeerId a = rib.add_peer(p1);
  feed(a, one);
  const std::size_t changes_one = changes.size();
  changes.clear();
  changes.shrink_to_fit();  // the change list goes to the FIB queue; not the RIB's memory
  one.heap_bytes = heap_in_use() - heap0;
  one.table_bytes = rib.table_memory_bytes();

  // A link going down and up under the full table (--resolver): the next hop's
  // prefixes are found (a scan: one next hop holds them all) and decided again.
  double nh_down_s = 0, nh_up_s = 0;
  if (with_resolver) {
    std::vector<IpAddress> all;
    for (std::size_t i = 0; i < std::min(next_hops, set_count); ++i) all.push_back(sets[i].next_hop);
    for (bool up : {false, true}) {
      resolver.up = up;
      auto t0 = std::chrono::steady_clock::now();
      rib.next_hops_changed(all);
      changes.clear();
      rib.decide(changes);
      (up ? nh_up_s : nh_down_s) = seconds_since(t0);
    }
    changes.clear();
    changes.shrink_to_fit();
  }

  Figures two;
  const PeerId b = rib.add_peer(p2);
  feed(b, two);
  changes.clear();
  changes.shrink_to_fit();
  two.heap_bytes = heap_in_use() - heap0;

  auto t = std::chrono::steady_clock::now();
  rib.remove_peer(b);
  rib.remove_peer(a);
  rib.decide(changes);
  const double withdraw_s = seconds_since(t);

  const double n = static_cast<double>(routes);
  std::printf("rib: %zu IPv4 prefixes, %zu attribute sets (%zu interned while loaded), %s\n", routes, set_count,
              sets.size(), with_resolver ? "next-hop resolver (index)" : "no next-hop resolver");
  std::printf("  one peer   : announce %.0f ns/route, decide %.0f ns/route -> %.2f M routes/s inserted (%zu best-path changes)\n",
              one.announce_s * 1e9 / n, one.decide_s * 1e9 / n, n / (one.announce_s + one.decide_s) / 1e6, changes_one);
  std::printf("               memory: %.1f bytes/route (heap growth), %.1f bytes/route (tables' own slots)\n",
              static_cast<double>(one.heap_bytes) / n, static_cast<double>(one.table_bytes) / n);
  std::printf("  second peer: announce %.0f ns/route, decide %.0f ns/route -> %.2f M routes/s; %.1f bytes/path for 2 paths per prefix\n",
              two.announce_s * 1e9 / n, two.decide_s * 1e9 / n, n / (two.announce_s + two.decide_s) / 1e6,
              static_cast<double>(two.heap_bytes) / (2 * n));
  std::printf("  both peers gone: %.2f M paths/s withdrawn and decided\n", 2 * n / withdraw_s / 1e6);
  if (with_resolver)
    std::printf("  next hops unreachable / back: %.0f / %.0f ms to find and decide the %zu prefixes again\n",
                nh_down_s * 1e3, nh_up_s * 1e3, routes);
  return 0;
}
