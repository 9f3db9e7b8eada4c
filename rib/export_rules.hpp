// rib/export_rules.hpp — the protocol's own export rules: may the best path of a
// prefix be advertised to one peer, and with which attributes on the wire.
//
// Covers what RFC 4271 (§9.1.3, §5.1), RFC 4456 (route reflection), RFC 1997
// (well-known communities) and RFC 8212 (no eBGP exchange without policy) decide,
// plus split horizon and a sender-side AS loop check. It does not run export
// policy (policy/ does, on the result) and knows nothing of sessions, update
// groups or encoding: the caller describes the source and the target peer as
// plain values. Pure: no state, no logging, no I/O; runs on the RIB's thread.
// No errors: every input has a verdict.
//
// The order of the checks, first match wins:
//   1. split horizon          (never back to the peer the path came from)
//   2. RFC 8212               (an eBGP peer with no export policy gets nothing)
//   3. NO_ADVERTISE           (RFC 1997: to nobody)
//   4. NO_EXPORT, NO_EXPORT_SUBCONFED (RFC 1997: not to external peers)
//   5. AS loop                (eBGP peer's AS already in the AS_PATH)
//   6. iBGP reflection rules  (RFC 4271 §9.2 / RFC 4456 §6)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/ip.hpp"
#include "rib/attr_store.hpp"

namespace petrel::rib {

// How the next hop is chosen on export (the peer's `next-hop:` setting).
enum class NextHopMode : uint8_t {
  // eBGP: self, except a third-party next hop inside the peer's shared subnet
  // (RFC 4271 §5.1.3 (b)); iBGP: keep, except that a locally originated route with
  // an unspecified next hop (0.0.0.0 / ::) gets self.
  automatic,
  self,              // ExportPeer::local_address (+ local_link_local for IPv6)
  keep,              // the path's next hop, verbatim (link-local included)
  explicit_address,  // ExportPeer::next_hop_address
};

// This router, as the export rules see it.
struct LocalSpeaker {
  uint32_t local_as = 0;
  uint32_t router_id = 0;   // host order
  uint32_t cluster_id = 0;  // RFC 4456 §7 CLUSTER_ID; 0 = use router_id
  uint32_t default_local_pref = 100;
};

// The peer a path would be advertised to.
struct ExportPeer {
  bool external = false;
  bool rr_client = false;  // we are its route reflector (RFC 4456)
  uint32_t peer_as = 0;
  // Our address on this session, in the family of the routes being exported:
  // the next hop for "self".
  IpAddress local_address;
  // Ours on the link shared with the peer (IPv6 only, RFC 2545 §3). Leave empty
  // for multihop sessions: a link-local next hop is then meaningless.
  std::optional<IpAddress> local_link_local;
  // The subnet we share with the peer (directly connected sessions): a next hop
  // inside it is reachable by the peer directly (third-party next hop).
  std::optional<Prefix> shared_subnet;
  NextHopMode next_hop = NextHopMode::automatic;
  std::optional<IpAddress> next_hop_address;  // with explicit_address; absent = self
  bool has_export_policy = false;             // RFC 8212
};

// The peer the best path was learned from.
struct SourcePeer {
  bool local = false;     // originated by this router; `external`/`rr_client` are ignored
  bool external = false;  // learned over eBGP
  bool rr_client = false;  // learned from one of our route-reflector clients
  uint32_t router_id = 0;  // its BGP identifier: the ORIGINATOR_ID when reflecting
  bool same_peer_as_target = false;  // the source is the export target (split horizon)
};

enum class ExportVerdict : uint8_t {
  advertise,
  split_horizon,       // the target is the peer the path came from
  no_advertise,        // RFC 1997 NO_ADVERTISE
  no_export,           // RFC 1997 NO_EXPORT / NO_EXPORT_SUBCONFED to an external peer
  ibgp_not_reflected,  // iBGP-learned, iBGP target, neither side a client (RFC 4456 §6)
  no_export_policy,    // RFC 8212: an eBGP peer without an export policy
  as_loop,             // the target's AS is already in the AS_PATH (as BIRD and FRR check)
};

std::string_view to_string(ExportVerdict v);

struct ExportResult {
  ExportVerdict verdict = ExportVerdict::advertise;
  RouteAttrs attrs;  // what to send; meaningful only with `advertise`
};

// The verdict for advertising `best` (the path and its next hop) from `from` to
// `to`, and with `advertise` the attributes as rewritten for that peer:
//
// to an external peer (RFC 4271 §5.1): local_as prepended to the AS_PATH
// (confederation segments removed, RFC 5065 §5.3); LOCAL_PREF, ORIGINATOR_ID and
// CLUSTER_LIST removed (RFC 4271 §5.1.5, RFC 4456 §8); MED removed unless the
// path is locally originated (RFC 4271 §5.1.4; an iBGP-learned MED counts as
// learned, as in BIRD — export policy may set one again);
//
// to an internal peer: AS_PATH unchanged; LOCAL_PREF present (default_local_pref
// if absent, RFC 4271 §5.1.5); when reflecting an iBGP-learned path (RFC 4456
// §8), ORIGINATOR_ID set to the source's router id if absent and the cluster id
// prepended to CLUSTER_LIST;
//
// both: next hop per ExportPeer::next_hop; PathAttributes::next_hop (the IPv4
// NEXT_HOP attribute) equals RouteAttrs::next_hop when that is IPv4 and is absent
// otherwise; a link-local next hop is kept only with an IPv6 next hop.
ExportResult export_route(const RouteAttrs& best, const SourcePeer& from, const ExportPeer& to,
                          const LocalSpeaker& me);

}  // namespace petrel::rib
