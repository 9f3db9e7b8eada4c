// rib/candidate.hpp — what best-path selection sees of one path: its attributes,
// the peer it came from, and what next-hop resolution said. Plain views; the RIB
// owns the attributes (interned) and the peers.
#pragma once

#include <cstdint>

#include "bgp/wire/path_attributes.hpp"
#include "core/ip.hpp"

namespace petrel::rib {

// The neighbour a path was learned from (or the local origin).
struct PeerInfo {
  IpAddress address;          // the session's remote address; 0.0.0.0 / :: for local routes
  uint32_t router_id = 0;     // its BGP identifier, host order
  uint32_t peer_as = 0;
  bool external = false;      // eBGP (a confederation peer counts as internal here)
  bool local = false;         // originated by this router (static, Kubernetes)
  bool direct = false;        // eBGP, directly connected (not multihop): its next hops
                              // resolve through connected prefixes only
};

struct Candidate {
  const bgp::wire::PathAttributes* attrs = nullptr;
  const PeerInfo* peer = nullptr;
  uint32_t path_id = 0;        // ADD-PATH identifier from the peer (RFC 7911)
  uint32_t igp_cost = 0;       // cost to the BGP next hop, from next-hop resolution
  bool reachable = true;       // the next hop resolves: otherwise not eligible
  bool llgr_stale = false;     // RFC 9494: kept as long-lived stale, least preferred
};

}  // namespace petrel::rib
