// rib/store/snapshot_seed.hpp — warm restart: the store's snapshot (every path
// of every prefix, Store::load_snapshot()) put into a fresh RIB as stand-ins, so that
// peers can be sent what we advertised before the restart as soon as their
// sessions come up, while selection is still deferred (RFC 4724 §4.1).
//
// A "snapshot path" is a path of a pseudo-peer: one RIB peer per peer the
// snapshot names (its address, AS and router id, so the export rules treat the
// path as they did before: eBGP or iBGP source; our own routes, the "static"
// peer with an unspecified address, under a local pseudo-peer, so that a route
// the configuration or Kubernetes has not originated again yet still goes out
// as before). Each path is marked stale and
// long-lived stale (rib.hpp, mark_llgr_stale): it loses to any live path at
// best-path step 2 whatever its attributes (an originated route beats its
// stand-in), and sweep_stale() removes it. Among themselves the stand-ins
// compare as the paths did before the restart (every path is seeded, not only
// the best): the best path and the ECMP set are what they were.
// retire_snapshot() at selection release removes every snapshot path; the next
// decide() then reports only the prefixes whose selection differs (a live path
// replaced the snapshot path, or nothing replaced it: a withdrawal).
// Pure over the Rib; single-threaded (the RIB's thread). No RocksDB here.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "rib/rib.hpp"
#include "rib/store/records.hpp"

namespace petrel::rib::store {

struct SnapshotSeed {
  struct Source {
    PeerId rib_peer = 0;  // the pseudo-peer in the RIB
    PeerRef peer;         // whom the snapshot says the paths came from
  };
  std::vector<Source> sources;
  std::size_t paths = 0;  // snapshot paths put into the RIB
};

// Adds every path of the snapshot to `rib` as snapshot paths (see above).
// `local_as`: a source in another AS is an eBGP source.
SnapshotSeed seed_snapshot(Rib& rib, std::span<const SnapshotRoute> routes, uint32_t local_as);

// Removes every snapshot path and pseudo-peer of `seed` (selection is released:
// the live paths decide now); returns how many paths went. `seed` is emptied.
std::size_t retire_snapshot(Rib& rib, SnapshotSeed& seed);

}  // namespace petrel::rib::store
