// rib/store/snapshot_seed.cpp — see snapshot_seed.hpp.
#include "rib/store/snapshot_seed.hpp"

namespace petrel::rib::store {

SnapshotSeed seed_snapshot(Rib& rib, std::span<const SnapshotRoute> routes, uint32_t local_as) {
  SnapshotSeed seed;
  auto source_of = [&](const PeerRef& ref) -> PeerId {
    for (const auto& s : seed.sources)
      if (s.peer == ref) return s.rib_peer;
    PeerInfo info;
    info.address = ref.address;
    info.router_id = ref.router_id;
    info.peer_as = ref.as;
    info.local = ref.address.is_unspecified();  // our own route (the "static" peer)
    info.external = !info.local && ref.as != local_as;
    const PeerId id = rib.add_peer(info);
    seed.sources.push_back({id, ref});
    return id;
  };
  // Every path, not only the best: among themselves the stand-ins compare as
  // the paths did before the restart, so best path and ECMP set come out the same.
  for (const SnapshotRoute& r : routes)
    for (const SnapshotPath& p : r.paths) {
      const PeerId id = source_of(p.peer);
      if (rib.announce(id, r.prefix, p.path_id, rib.attrs().intern(p.attrs))) ++seed.paths;
    }
  // Stale, then long-lived stale: least preferred (best-path step 2), swept at release.
  for (const auto& s : seed.sources) {
    rib.mark_stale(s.rib_peer);
    rib.mark_llgr_stale(s.rib_peer);
  }
  return seed;
}

std::size_t retire_snapshot(Rib& rib, SnapshotSeed& seed) {
  std::size_t gone = 0;
  for (const auto& s : seed.sources) {
    gone += rib.sweep_stale(s.rib_peer);
    rib.remove_peer(s.rib_peer);
  }
  seed = {};
  return gone;
}

}  // namespace petrel::rib::store
