// daemon/config_diff.cpp — plan_reload(): what a reload must do (see the header).
//
// Each peer setting is sorted into one of three kinds: it needs a new session
// (reset), it applies to the live session by running its routes through import
// or export again (reevaluate), or it applies by itself (update). A setting
// nobody sorted (a field added to PeerConfig later) falls through to reset:
// the safe answer.
#include "daemon/config_diff.hpp"

#include <algorithm>
#include <set>

namespace petrel::daemon {

namespace {

bool same_rules(const std::vector<rib::Rule>& a, const std::vector<rib::Rule>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const rib::Rule& x, const rib::Rule& y) {
    return x.match == y.match && x.set == y.set && x.action == y.action;
  });
}

bool same_policies(const rib::PolicySet& a, const rib::PolicySet& b) {
  return std::equal(a.policies.begin(), a.policies.end(), b.policies.begin(), b.policies.end(),
                    [](const auto& x, const auto& y) { return x.first == y.first && same_policy(x.second, y.second); });
}

// `next` with every setting that a live session can take copied from
// `running`: whatever still differs needs a new session.
PeerConfig with_live_settings_of(PeerConfig next, const PeerConfig& running) {
  next.next_hop = running.next_hop;
  next.next_hop_address = running.next_hop_address;
  next.route_reflector_client = running.route_reflector_client;
  next.soft_reconfiguration = running.soft_reconfiguration;
  next.allow_own_as = running.allow_own_as;
  next.import_policy = running.import_policy;
  next.import_limit = running.import_limit;
  next.import_limit_action = running.import_limit_action;
  next.import_limit_restart_after = running.import_limit_restart_after;
  next.export_policy = running.export_policy;
  next.mrai_ms = running.mrai_ms;
  next.connect_retry = running.connect_retry;
  next.bfd = running.bfd;
  return next;
}

// Settings whose change runs the peer's routes through its policies again
// (import: loop check, limit, policy; export: reflection, next hop, policy, MRAI).
bool reevaluation_settings_differ(const PeerConfig& a, const PeerConfig& b) {
  return a.next_hop != b.next_hop || a.next_hop_address != b.next_hop_address ||
         a.route_reflector_client != b.route_reflector_client || a.soft_reconfiguration != b.soft_reconfiguration ||
         a.allow_own_as != b.allow_own_as || a.import_policy != b.import_policy || a.import_limit != b.import_limit ||
         a.import_limit_action != b.import_limit_action || a.import_limit_restart_after != b.import_limit_restart_after ||
         a.export_policy != b.export_policy || a.mrai_ms != b.mrai_ms;
}

bool uses_any(const PeerConfig& p, const std::vector<std::string>& policies) {
  const auto used = [&](const std::string& name) {
    return !name.empty() && std::find(policies.begin(), policies.end(), name) != policies.end();
  };
  return used(p.import_policy) || used(p.export_policy);
}

std::vector<std::string> changed_policies(const rib::PolicySet& running, const rib::PolicySet& next) {
  std::set<std::string> names;
  for (const auto& [name, policy] : running.policies) names.insert(name);
  for (const auto& [name, policy] : next.policies) names.insert(name);
  std::vector<std::string> out;
  for (const std::string& name : names) {
    const rib::Policy* a = running.find(name);
    const rib::Policy* b = next.find(name);
    if (!a || !b || !same_policy(*a, *b)) out.push_back(name);
  }
  return out;
}

}  // namespace

bool same_policy(const rib::Policy& a, const rib::Policy& b) {
  return a.name() == b.name() && same_rules(a.rules(), b.rules());
}

bool equivalent(const Config& a, const Config& b) {
  return a.router_id == b.router_id && a.local_as == b.local_as && a.cluster_id == b.cluster_id && a.listen == b.listen &&
         a.control_socket == b.control_socket && a.control_socket_readonly == b.control_socket_readonly &&
         a.metrics == b.metrics && a.originate == b.originate && a.peers == b.peers &&
         same_policies(a.policies, b.policies) && a.policy_text == b.policy_text && a.fib == b.fib &&
         a.max_paths == b.max_paths && a.multipath_relax == b.multipath_relax &&
         a.always_compare_med == b.always_compare_med && a.selection_deferral == b.selection_deferral &&
         a.store_path == b.store_path && a.store_enabled == b.store_enabled &&
         a.store_history_max_age == b.store_history_max_age &&
         a.store_history_max_entries == b.store_history_max_entries && a.log_level == b.log_level && a.kubernetes_yaml == b.kubernetes_yaml;
}

bool ReloadPlan::nothing() const {
  return peers_added.empty() && peers_removed.empty() && peers_reset.empty() && peers_reevaluated.empty() &&
         peers_updated.empty() && policies_changed.empty() && !originate_changed && !global_reset && !fib_changed &&
         !best_path_changed && !control_changed && !log_level_changed && !kubernetes_changed && restart_needed.empty();
}

ReloadPlan plan_reload(const Config& running, const Config& next) {
  ReloadPlan plan;
  plan.global_reset = running.router_id != next.router_id || running.local_as != next.local_as ||
                      running.cluster_id != next.cluster_id || running.listen != next.listen;
  plan.policies_changed = changed_policies(running.policies, next.policies);
  plan.originate_changed = running.originate != next.originate;
  plan.fib_changed = running.fib != next.fib;
  plan.best_path_changed = running.max_paths != next.max_paths || running.multipath_relax != next.multipath_relax ||
                           running.always_compare_med != next.always_compare_med;
  plan.control_changed = running.control_socket != next.control_socket ||
                         running.control_socket_readonly != next.control_socket_readonly || running.metrics != next.metrics;
  plan.log_level_changed = running.log_level != next.log_level;
  plan.kubernetes_changed = running.kubernetes_yaml != next.kubernetes_yaml;
  if (running.store_path != next.store_path) plan.restart_needed.push_back("store.path");
  if (running.store_enabled != next.store_enabled) plan.restart_needed.push_back("store.enabled");
  if (running.store_history_max_age != next.store_history_max_age)
    plan.restart_needed.push_back("store.history-max-age");
  if (running.store_history_max_entries != next.store_history_max_entries)
    plan.restart_needed.push_back("store.history-max-entries");
  if (running.selection_deferral != next.selection_deferral) plan.restart_needed.push_back("selection-deferral");

  for (const PeerConfig& old_peer : running.peers)
    if (!next.peer(old_peer.name)) plan.peers_removed.push_back(old_peer.name);
  for (const PeerConfig& p : next.peers) {
    const PeerConfig* old_peer = running.peer(p.name);
    if (!old_peer) {
      plan.peers_added.push_back(p.name);
    } else if (plan.global_reset || with_live_settings_of(p, *old_peer) != *old_peer) {
      plan.peers_reset.push_back(p.name);
    } else if (reevaluation_settings_differ(p, *old_peer) || uses_any(p, plan.policies_changed)) {
      plan.peers_reevaluated.push_back(p.name);
    } else if (p != *old_peer) {
      plan.peers_updated.push_back(p.name);
    }
  }
  return plan;
}

}  // namespace petrel::daemon
