// rib/policy.hpp — compiled routing policies and their evaluation.
//
// A Policy is an ordered list of rules. Each rule has a match (every given
// condition must hold: AND; a condition given as a list holds when any entry
// does: OR), a set of attribute changes, and an action:
//   accept — apply the changes and accept the route;
//   reject — reject the route;
//   next   — apply the changes and go on with the next rule; later rules match
//            against the changed attributes (as in BIRD, and FRR's `on-match next`).
// The first rule whose match holds and whose action is accept or reject decides.
// When no rule decides, the route is REJECTED (BIRD's end of filter, FRR's
// implicit deny): a policy that means to pass the rest ends with `- action: accept`.
//
// Changes in one rule are applied in this fixed order, whatever the YAML order:
// local-pref, med, origin, communities-remove, communities-add,
// large-communities-remove, large-communities-add, as-path-prepend, next-hop.
//
// Evaluation is pure (no globals, no I/O, no clock), never throws (noexcept:
// running out of memory terminates, as everywhere in Petrel) and allocates only
// when a set action grows a vector. Prefix sets are matched by scanning their
// entries linearly, which is fine for the tens of entries configs hold today; a
// trie per family is the upgrade when sets grow to thousands.
//
// Policies are built by compile_policies() (rib/policy_config.hpp); the types
// are plain values so tests may build them by hand too.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bgp/wire/path_attributes.hpp"
#include "core/ip.hpp"
#include "rib/attr_store.hpp"

namespace petrel::rib {

// "10.244.0.0/16 le 26": routes inside `prefix` whose length lies in [ge, le].
// Without ge/le the range is exact: ge == le == prefix.length().
struct PrefixRange {
  Prefix prefix;
  uint8_t ge = 0;
  uint8_t le = 0;
  bool matches(const Prefix& route) const {
    return route.length() >= ge && route.length() <= le && prefix.contains(route);
  }
  friend bool operator==(const PrefixRange&, const PrefixRange&) = default;
};

// A standard community with an optional wildcard: a route's community c
// matches when (c & mask) == value. "65000:100" has mask 0xFFFFFFFF,
// "65000:*" has mask 0xFFFF0000, "*:100" has mask 0x0000FFFF.
struct CommunityPattern {
  uint32_t value = 0;
  uint32_t mask = 0xFFFFFFFF;
  bool matches(uint32_t c) const { return (c & mask) == value; }
  friend bool operator==(const CommunityPattern&, const CommunityPattern&) = default;
};

// A peer as the config names it: by name, by address (a host prefix) or by prefix.
struct PeerMatch {
  std::variant<std::string, Prefix> what;
  friend bool operator==(const PeerMatch&, const PeerMatch&) = default;
};

struct AsPathLength {
  std::size_t min = 0;
  std::size_t max = SIZE_MAX;
  friend bool operator==(const AsPathLength&, const AsPathLength&) = default;
};

// Every present condition must hold. A present but empty list never holds
// (the compiler refuses empty lists, so this only happens by hand).
struct Match {
  std::optional<std::vector<PrefixRange>> prefix_set;  // union of the named sets
  std::optional<std::vector<PrefixRange>> prefix;      // inline ranges
  std::optional<std::vector<CommunityPattern>> community;
  std::optional<std::vector<bgp::wire::LargeCommunity>> large_community;
  std::optional<std::vector<uint32_t>> as_path_contains;
  std::optional<std::vector<uint32_t>> originates_from;
  std::optional<AsPathLength> as_path_length;
  std::optional<std::vector<PeerMatch>> peer;
  std::optional<AddressFamily> family;
  friend bool operator==(const Match&, const Match&) = default;
};

struct Prepend {
  std::optional<uint32_t> asn;  // none: PolicyContext::local_as
  uint8_t count = 1;
  friend bool operator==(const Prepend&, const Prepend&) = default;
};

struct NextHop {
  bool self = false;  // PolicyContext::self_next_hop
  IpAddress address;  // when !self
  friend bool operator==(const NextHop&, const NextHop&) = default;
};

struct SetActions {
  std::optional<uint32_t> local_pref;
  std::optional<uint32_t> med;
  std::optional<bgp::wire::Origin> origin;
  std::vector<CommunityPattern> communities_remove;
  std::vector<uint32_t> communities_add;  // added when absent, in order
  std::vector<bgp::wire::LargeCommunity> large_communities_remove;
  std::vector<bgp::wire::LargeCommunity> large_communities_add;
  std::optional<Prepend> as_path_prepend;
  std::optional<NextHop> next_hop;
  friend bool operator==(const SetActions&, const SetActions&) = default;
};

enum class RuleAction : uint8_t { accept, reject, next };

struct Rule {
  Match match;
  SetActions set;
  RuleAction action = RuleAction::accept;
  int line = 0;  // where the rule starts in its config file (1-based; 0: unknown)
  friend bool operator==(const Rule&, const Rule&) = default;
};

class Policy {
 public:
  Policy() = default;
  Policy(std::string name, std::vector<Rule> rules) : name_(std::move(name)), rules_(std::move(rules)) {}
  const std::string& name() const { return name_; }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::string name_;
  std::vector<Rule> rules_;
};

struct PolicyContext {
  std::string_view peer_name;
  IpAddress peer_address;
  uint32_t local_as = 0;
  std::optional<IpAddress> self_next_hop;
};

enum class Verdict : uint8_t { accept, reject };
std::string_view to_string(Verdict v);
std::string_view to_string(RuleAction a);

// True when every condition of `m` holds for the route.
bool matches(const Match& m, const Prefix& prefix, const RouteAttrs& attrs, const PolicyContext& ctx) noexcept;

// Applies `s` to `attrs`. False when a change cannot be made: `next-hop: self`
// without ctx.self_next_hop, or prepending the local AS when ctx.local_as is 0;
// evaluate() then rejects the route (fail closed rather than leak a route
// without the change the operator asked for).
bool apply(const SetActions& s, RouteAttrs& attrs, const PolicyContext& ctx) noexcept;

// Applies the policy to one route: may modify `attrs` (meaningful only on
// accept; on reject attrs is unspecified). Pure; never throws.
Verdict evaluate(const Policy& p, const Prefix& prefix, RouteAttrs& attrs, const PolicyContext& ctx) noexcept;

struct PolicySet {
  std::map<std::string, Policy, std::less<>> policies;
  const Policy* find(std::string_view name) const;
};

}  // namespace petrel::rib
