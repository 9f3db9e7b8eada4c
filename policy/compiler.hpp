// policy/compiler.hpp — NetworkPolicies to iptables chains and ipset definitions.
//
// Pure: policies in, desired rules out; no I/O, no logging. Felix-style layout
// (IPv4, table filter; policy/README.md draws it):
//
//   FORWARD -> petrel-fwd        one jump, the only rule we add to a built-in chain
//   petrel-fwd     conntrack RELATED,ESTABLISHED -> RETURN (replies of allowed
//                  connections pass), then the egress side of the source pod and the
//                  ingress side of the destination pod, each only for isolated pods
//   petrel-egress / petrel-ingress
//                  per policy selecting the pod: jump to its chain; once a chain set
//                  our mark bit ("allowed by some policy") -> RETURN; else [log] DROP
//   petrel-pi-* / petrel-pe-*   one chain per policy and direction: one rule per
//                  (rule, peer, port), each setting the mark bit
//
// Petrel never ACCEPTs: what the policies allow returns to the built-in chain and
// meets whatever else is there; only isolated pods' unallowed traffic is dropped.
// Only pods on this node (Pod::local) are isolated, so only their traffic is
// enforced here; peers are matched against every pod of the cluster.
// Rules never name a pod: every selector result is an ipset (see SetSpec), so a pod
// coming, going or being relabelled changes set members only (compute_members,
// pod_membership), never the rules. Rule text depends on the policies alone.
// One compilation covers one address family (iptables or ip6tables); the two share
// chain names (separate tables) but not set names (one ipset namespace): IPv6 sets
// carry a 6 (petrel-s6-..., petrel-iso-ingress6).
#pragma once

#include "policy/model.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace petrel::policy {

inline constexpr const char* kTopChain = "petrel-fwd";
inline constexpr const char* kIngressChain = "petrel-ingress";
inline constexpr const char* kEgressChain = "petrel-egress";
inline constexpr const char* kIsolatedIngressSet = "petrel-iso-ingress";
inline constexpr const char* kIsolatedEgressSet = "petrel-iso-egress";
// The isolation set of a direction in a family (IPv4: the two names above).
std::string isolated_set(Direction direction, AddressFamily family);
inline constexpr const char* kNamePrefix = "petrel-";
inline constexpr std::size_t kMaxChainName = 28;  // iptables XT_EXTENSION_MAXNAMELEN - 1
inline constexpr std::size_t kMaxSetName = 31;    // IPSET_MAXNAMELEN - 1

struct CompileOptions {
  AddressFamily family = AddressFamily::ipv4;
  uint32_t mark_bit = 0x10000;  // one packet-mark bit: "allowed by some policy"
  bool drop_log = false;        // log denied packets (rate-limited) before dropping
  std::string log_rate = "5/second";
  unsigned log_burst = 10;
  bool nflog = false;           // NFLOG (to group nflog_group) instead of LOG
  unsigned nflog_group = 0;
};

enum class SetKind : uint8_t {
  pods,        // hash:ip   — pod IPs chosen by (namespace, pod selector) terms
  nets,        // hash:net  — an ipBlock: cidr, each except as a nomatch entry
  named_port,  // hash:ip,port — every pod's IP with the number of a named container port
};

// Pods in namespace `ns` (or in every namespace matching ns_selector) whose labels
// match pod_selector.
struct PodTerm {
  std::optional<std::string> ns;
  std::optional<LabelSelector> ns_selector;
  LabelSelector pod_selector;
};

struct SetSpec {
  std::string name;
  SetKind kind = SetKind::pods;
  std::vector<PodTerm> terms;  // pods: a pod is a member if any term matches
  IpBlock block;               // nets
  std::string port_name;       // named_port
  Protocol protocol = Protocol::tcp;
  std::string description;     // for dry-run output and explain
  AddressFamily family = AddressFamily::ipv4;
  bool local_pods_only = false;  // the isolation sets: only pods on this node (Pod::local)
  const char* ipset_type() const;
  const char* ipset_family() const { return family == AddressFamily::ipv4 ? "inet" : "inet6"; }
};

// One rule: `-A <chain> -m comment --comment "petrel:<id> <note>" <spec>`.
struct RuleLine {
  std::string spec;  // matches and target
  std::string id;    // 8 hex digits: hash of chain, position and spec
  std::string note;  // what it implements, e.g. "prod/web ingress[0] peer[1] port[0]"
  std::string comment() const { return "petrel:" + id + (note.empty() ? "" : " " + note); }
};

struct Chain {
  std::string name;
  std::vector<RuleLine> rules;
};

// A jump from a built-in chain of table filter into one of ours.
struct Hook {
  std::string builtin;
  std::string target;
  std::string spec() const;  // "-m comment --comment petrel:hook -j <target>"
};

struct RuleSet {
  std::vector<Chain> chains;  // in dependency order: callers before callees is fine
  std::vector<SetSpec> sets;  // sorted by name, unique
  std::vector<Hook> hooks;
  friend bool operator==(const RuleSet& a, const RuleSet& b);
};

RuleSet compile_rules(const std::vector<NetworkPolicy>& policies, const CompileOptions& options);

// Set name -> member texts, formatted as `ipset save` prints them ("10.1.2.3",
// "10.1.0.0/16", "10.1.2.0/24 nomatch", "10.1.2.3,tcp:8080").
using SetMembers = std::map<std::string, std::set<std::string>>;

// Every member of every set, for the whole snapshot.
SetMembers compute_members(const std::vector<SetSpec>& sets, const Snapshot& snapshot);

// The (set, member) pairs that one pod contributes, given its namespace's labels.
// A pod change is then the difference of two such lists.
std::vector<std::pair<std::string, std::string>> pod_membership(const std::vector<SetSpec>& sets, const Pod& pod,
                                                                 const Labels& namespace_labels);

// The ipset members of an ipBlock in `family` (none if the block is of the other
// family; hash:net refuses /0, so 0.0.0.0/0 and ::/0 become two /1s).
std::set<std::string> ip_block_members(const IpBlock& block, AddressFamily family = AddressFamily::ipv4);

// Short stable hash text (FNV-1a 64, hex) used to name chains, sets and rule ids.
std::string short_hash(const std::string& text, std::size_t hex_digits);

}  // namespace petrel::policy
