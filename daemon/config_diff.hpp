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

// Peer lists are in configuration order (peers_removed: the running one's;
// the others: the new one's). A peer is in at most one of added, removed,
// reset, reevaluated and updated. A renamed peer is removed and added.
struct ReloadPlan {
  std::vector<std::string> peers_added;
  std::vector<std::string> peers_removed;
  // Settings changed that need a new session: stop it, and start it again
  // unless it is now `disabled` (a change of `disabled` itself lands here too).
  // With global_reset, every peer present in both configurations.
  std::vector<std::string> peers_reset;
  std::vector<std::string> peers_reevaluated;   // live: import and/or export again
  // Live settings that need neither a reset nor a re-evaluation: connect-retry
  // (the next retry uses it) and bfd (the BFD session changes, BGP stays up).
  std::vector<std::string> peers_updated;
  std::vector<std::string> policies_changed;    // names whose rules or sets changed, added or removed
  bool originate_changed = false;
  bool global_reset = false;  // router-id, local-as, cluster-id or listen changed: every session restarts
  bool fib_changed = false;   // any fib key: the FIB module restarts its reconcile
  bool best_path_changed = false;  // max-paths, multipath-relax, always-compare-med: select every prefix again
  bool control_changed = false;    // control-socket, control-socket-readonly or metrics moved: bind again
  bool log_level_changed = false;
  bool kubernetes_changed = false;  // the `kubernetes:` section (k8s/ reads it again)
  // Keys whose new value takes effect only when petreld starts again
  // (store.path, selection-deferral): reported, not applied.
  std::vector<std::string> restart_needed;
  bool nothing() const;
};

ReloadPlan plan_reload(const Config& running, const Config& next);

// Two policies with the same name and the same rules; where a rule was written
// (Rule::line) does not count.
bool same_policy(const rib::Policy& a, const rib::Policy& b);

// The same settings: every field but `file`, policies compared with same_policy().
// parse_config(print_config(c)) is equivalent to c.
bool equivalent(const Config& a, const Config& b);

}  // namespace petrel::daemon
