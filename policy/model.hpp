// policy/model.hpp — the NetworkPolicy world as plain values.
//
// Kubernetes networking.k8s.io/v1 NetworkPolicy, pods and namespaces, already
// validated (policy/manifest.cpp builds them from YAML, policy/k8s_convert.cpp from
// API objects; both through policy/policy_reader.cpp). Defaults are applied at parse time, so readers never
// re-derive them: policyTypes is always explicit, a port's protocol is always set.
// Must not know about iptables, ipsets, files or the API server. Pure values.
#pragma once

#include "core/ip.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace petrel::policy {

using Labels = std::map<std::string, std::string>;

// Kubernetes LabelSelectorRequirement operators (meta/v1 LabelSelector).
enum class SelectorOp { in, not_in, exists, does_not_exist };

struct SelectorRequirement {
  std::string key;
  SelectorOp op = SelectorOp::exists;
  std::vector<std::string> values;  // In/NotIn only
  friend bool operator==(const SelectorRequirement&, const SelectorRequirement&) = default;
};

// matchLabels AND every matchExpressions entry; an empty selector selects everything.
struct LabelSelector {
  Labels match_labels;
  std::vector<SelectorRequirement> match_expressions;
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

enum class Protocol : uint8_t { tcp, udp, sctp };
const char* protocol_name(Protocol p);  // "tcp", "udp", "sctp"

// NetworkPolicyPort. No port: every port of `protocol`. A named port is resolved per
// destination pod (its container ports). end_port only with a numeric port.
struct PortSpec {
  Protocol protocol = Protocol::tcp;
  std::optional<uint16_t> number;
  std::string name;  // non-empty: named port
  std::optional<uint16_t> end_port;
  friend bool operator==(const PortSpec&, const PortSpec&) = default;
};

struct IpBlock {
  Prefix cidr;
  std::vector<Prefix> except;
  friend bool operator==(const IpBlock&, const IpBlock&) = default;
};

// NetworkPolicyPeer: podSelector and/or namespaceSelector (both = AND), or ipBlock.
struct Peer {
  std::optional<LabelSelector> pod_selector;
  std::optional<LabelSelector> namespace_selector;
  std::optional<IpBlock> ip_block;
  friend bool operator==(const Peer&, const Peer&) = default;
};

// One ingress or egress rule. Empty peers: every source/destination. Empty ports:
// every port and protocol.
struct PolicyRule {
  std::vector<Peer> peers;
  std::vector<PortSpec> ports;
  friend bool operator==(const PolicyRule&, const PolicyRule&) = default;
};

enum class Direction : uint8_t { ingress, egress };
const char* direction_name(Direction d);

struct NetworkPolicy {
  std::string ns;
  std::string name;
  LabelSelector pod_selector;  // empty: every pod in ns
  bool applies_ingress = true;  // policyTypes after defaulting
  bool applies_egress = false;
  std::vector<PolicyRule> ingress;
  std::vector<PolicyRule> egress;
  std::string origin;  // "file.yaml document 2" for messages
  std::string key() const { return ns + "/" + name; }
  bool applies(Direction d) const { return d == Direction::ingress ? applies_ingress : applies_egress; }
  const std::vector<PolicyRule>& rules(Direction d) const { return d == Direction::ingress ? ingress : egress; }
  friend bool operator==(const NetworkPolicy& a, const NetworkPolicy& b) {
    return a.ns == b.ns && a.name == b.name && a.pod_selector == b.pod_selector &&
           a.applies_ingress == b.applies_ingress && a.applies_egress == b.applies_egress &&
           a.ingress == b.ingress && a.egress == b.egress;
  }
};

struct ContainerPort {
  std::string name;  // may be empty
  uint16_t port = 0;
  Protocol protocol = Protocol::tcp;
  friend bool operator==(const ContainerPort&, const ContainerPort&) = default;
};

struct Pod {
  std::string ns;
  std::string name;
  Labels labels;
  std::vector<IpAddress> ips;
  std::vector<ContainerPort> ports;
  // Runs on this node. As in Felix, only local pods are enforced here (they alone
  // fill the isolation sets, so only their traffic enters the policy chains); every
  // pod, local or not, feeds the selector and named-port sets that rules match peers
  // with. Standalone inventories and a watch without node-name: every pod is local.
  bool local = true;
  std::string key() const { return ns + "/" + name; }
  friend bool operator==(const Pod&, const Pod&) = default;
};

struct Namespace {
  std::string name;
  Labels labels;  // includes kubernetes.io/metadata.name (the API server sets it)
  friend bool operator==(const Namespace&, const Namespace&) = default;
};

// Everything the compiler needs: the state of the world at one moment.
struct Snapshot {
  std::vector<NetworkPolicy> policies;
  std::vector<Pod> pods;
  std::vector<Namespace> namespaces;
};

}  // namespace petrel::policy
