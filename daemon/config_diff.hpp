// daemon/config_diff.hpp — what a reload must do: the difference between the
// running configuration and a new one, as a plan (pure; no I/O).
//
// The rule: a session is reset only when a setting it negotiated or its socket
// uses changed (address, AS, local address, password, hold time, families,
// ADD-PATH, graceful restart, GTSM/multihop, passive). Policy, route-reflector
// client, next-hop mode, limits, MRAI and soft-reconfiguration changes apply to
// the live session: routes are re-evaluated (import: from the stored
// Adj-RIB-In or by ROUTE-REFRESH; export: the update group exports again).
#pragma once

#include <string>
#include <vector>

#include "daemon/config.hpp"

namespace petrel::daemon {

struct ReloadPlan {
  std::vector<std::string> peers_added;
  std::vector<std::string> peers_removed;
  std::vector<std::string> peers_reset;         // settings changed that need a new session
  std::vector<std::string> peers_reevaluated;   // live: import and/or export again
  std::vector<std::string> policies_changed;    // names whose rules or sets changed, added or removed
  bool originate_changed = false;
  bool global_reset = false;  // router-id, local-as, cluster-id or listen changed: every session restarts
  bool fib_changed = false;   // table/protocol/metric: the FIB module restarts its reconcile
  bool nothing() const;
};

ReloadPlan plan_reload(const Config& running, const Config& next);

}  // namespace petrel::daemon
