// policy/plan.hpp — what the kernel has, and the commands that make it what we want.
//
// Pure. parse_iptables_save / parse_ipset_save read the text those tools print and
// keep only what is ours (chains and sets named petrel-*, and the jump rules in the
// built-in chains that point at our chains). plan_sync diffs desired against observed
// and writes the input for `ipset restore` (before and after) and for
// `iptables-restore --noflush`: only chains whose rule ids differ are rewritten, only
// set members that differ are added or deleted, and a hook is inserted only when it
// is missing. Foreign chains, rules and sets never appear in a plan.
#pragma once

#include "policy/compiler.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::policy {

struct DesiredState {
  RuleSet rules;
  SetMembers members;
};

struct ObservedState {
  // Our chains in table filter: the rule ids in order ("" for a rule without one).
  std::map<std::string, std::vector<std::string>> chains;
  // Built-in chain -> targets of our hook rules in it (comment petrel:hook).
  std::map<std::string, std::vector<std::string>> hooks;
  std::map<std::string, std::string> set_types;  // our sets: name -> "hash:ip" ...
  SetMembers set_members;
};

void parse_iptables_save(std::string_view text, ObservedState& into);
// Only sets of `family` (the "family inet|inet6" of their create line) are read.
void parse_ipset_save(std::string_view text, ObservedState& into, AddressFamily family = AddressFamily::ipv4);

struct Plan {
  std::string ipset_prepare;  // creates and member changes (before the rules use them)
  std::string iptables;       // iptables-restore --noflush input, or "" for nothing
  std::string ipset_finish;   // sets no rule refers to any more
  std::size_t chains_written = 0;
  std::size_t chains_removed = 0;
  std::size_t hooks_added = 0;
  std::size_t members_added = 0;
  std::size_t members_removed = 0;
  std::size_t sets_created = 0;
  std::size_t sets_destroyed = 0;
  std::vector<std::string> problems;  // e.g. a set of ours with a foreign type
  bool empty() const { return ipset_prepare.empty() && iptables.empty() && ipset_finish.empty(); }
};

Plan plan_sync(const DesiredState& desired, const ObservedState& observed);
Plan plan_cleanup(const ObservedState& observed);

// The whole desired state as restore input, for --dry-run.
std::string render_iptables(const RuleSet& rules);
std::string render_ipset(const RuleSet& rules, const SetMembers& members);

// One set member to add or delete: the pod-change path, no rule touched.
struct MemberChange {
  std::string set;
  std::string member;
  bool add = true;
  friend bool operator==(const MemberChange&, const MemberChange&) = default;
};
std::string render_member_changes(const std::vector<MemberChange>& changes);

}  // namespace petrel::policy
