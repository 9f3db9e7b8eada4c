// rib/import.hpp — what one decoded UPDATE from a peer does to the RIB: the
// Adj-RIB-In side of the session/RIB seam.
//
// Withdrawals are applied; announced prefixes get the UPDATE's attributes,
// interned once per UPDATE. Routes that must not be used are treated as withdrawn
// (so an earlier version from the same peer goes away): an AS_PATH holding our
// own AS more often than allowed (RFC 4271 §9.1.2), our own ORIGINATOR_ID or
// cluster id in CLUSTER_LIST (RFC 4456 §8), an eBGP path that does not start with
// the peer's AS (RFC 4271 §6.3), and every route of an UPDATE the codec marked
// treat-as-withdraw (RFC 7606). The per-peer prefix limit (max-prefix) warns,
// blocks new prefixes, or asks for the session to be restarted.
// RFC 8326 §4.1: a route from an external peer carrying GRACEFUL_SHUTDOWN
// (65535:0) gets LOCAL_PREF 0, after import policy (on by default, as in FRR).
// Import policy, when given, runs last on each route and may rewrite or reject it.
// Soft reconfiguration: the routes as received can be kept in an AdjRibIn and
// re-run through a changed policy with reimport().
// Pure with respect to I/O: it only calls the Rib. Single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "bgp/wire/notification.hpp"
#include "bgp/wire/update.hpp"
#include "rib/adj_rib_in.hpp"
#include "rib/rib.hpp"

namespace petrel::rib {

struct MaxPrefix {
  enum class Action : uint8_t { warn, block, restart };
  uint32_t limit = 0;
  Action action = Action::warn;
};

struct ImportSettings {
  uint32_t local_as = 0;
  uint32_t router_id = 0;
  uint32_t cluster_id = 0;      // 0: the router id (RFC 4456 §7)
  uint8_t allow_own_as = 0;     // how often our AS may appear in AS_PATH
  bool enforce_first_as = true; // for external peers
  std::optional<MaxPrefix> max_prefix;
  // RFC 8326 §4.1 (rib/graceful_shutdown.hpp): from an external peer,
  // GRACEFUL_SHUTDOWN -> LOCAL_PREF 0, after the import policy.
  bool honour_graceful_shutdown = true;
  // Import policy, run on each route that passed the protocol's checks: it may
  // rewrite the attributes; false rejects the route (treated as withdrawn).
  std::function<bool(const Prefix&, RouteAttrs&)> policy;
};

// Per peer, kept by the caller across UPDATEs.
struct ImportState {
  uint64_t prefixes = 0;  // paths from this peer in the RIB now
  bool warned = false;    // the limit's warning was given
  uint64_t rejected_as_loop = 0;
  uint64_t rejected_originator = 0;
  uint64_t rejected_cluster_loop = 0;
  uint64_t rejected_first_as = 0;
  uint64_t rejected_over_limit = 0;
  uint64_t rejected_by_policy = 0;
  uint64_t treated_as_withdraw = 0;
};

enum class LimitEvent : uint8_t {
  none,
  warning,  // over the limit, action warn (reported once until back under)
  blocked,  // over the limit, action block: new prefixes are dropped
  restart,  // over the limit, action restart: end the session (max_prefix_notification)
};

struct ImportReport {
  std::size_t announced = 0;  // paths added or replaced
  std::size_t withdrawn = 0;  // paths removed
  std::size_t rejected = 0;   // announced prefixes not taken (and withdrawn if held)
  LimitEvent limit = LimitEvent::none;
};

// With `pre_policy` (soft reconfiguration inbound), every received route is also
// recorded there as received, before the checks and the policy.
ImportReport import_update(Rib& rib, PeerId peer, const bgp::wire::Update& update, const ImportSettings& settings,
                           ImportState& state, AdjRibIn* pre_policy = nullptr);

// Import policy or settings changed: runs every route of the peer's Adj-RIB-In
// through the checks and the policy again, announcing, replacing or withdrawing
// in the Rib (soft reconfiguration; no session reset). Routes already in the Rib
// with the same result are replaced by themselves, which decide() sees as no change.
ImportReport reimport(Rib& rib, PeerId peer, const AdjRibIn& received, const ImportSettings& settings,
                      ImportState& state);

// RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit.
bgp::wire::NotificationMessage max_prefix_notification(bgp::wire::Family family, uint32_t limit);

// How often `asn` appears in the AS_PATH's non-confederation segments.
std::size_t count_as(const bgp::wire::AsPath& path, uint32_t asn);

}  // namespace petrel::rib
