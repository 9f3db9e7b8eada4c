// k8s/config.hpp — the `kubernetes:` section of petreld's YAML configuration.
//
//   kubernetes:
//     enabled: true
//     kubeconfig: ""                 # empty: in-cluster service account
//     node-name: ${NODE_NAME}        # "${VAR}" is read from the environment
//     node-mesh: true                # automatic iBGP full mesh between nodes
//     advertise:
//       pod-cidrs: true              # this node's spec.podCIDRs, as blackholes
//       cluster-ips: [10.96.0.0/12]  # announced as aggregates
//       external-ips: [192.0.2.0/24] # Service externalIPs inside these ranges
//       load-balancer-ips: [198.51.100.0/24]  # status.loadBalancer.ingress IPs inside these
//     as-number-annotation: petrel.io/as-number        # per-node AS (default: local-as)
//     route-reflector-label: petrel.io/route-reflector # value "true" marks a reflector
//     cluster-id-annotation: petrel.io/cluster-id      # a reflector's cluster id
//     peers-annotation: petrel.io/peers                # per-node external peers (JSON list)
//     secret-namespace: petrel                         # where password Secrets live
//     peers:                                           # external peers
//       - name: tor1
//         address: 10.0.0.1
//         remote-as: 65001
//         node-selector: "rack=r1"                     # optional: only these nodes peer
//         password-secret: {name: bgp-passwords, key: tor1}
//
// parse_kubernetes_config() checks every key and value; unknown keys are errors.
// Errors carry file, line and column (yaml-cpp marks, 1-based) and the key path.
// yaml-cpp may throw inside; nothing escapes. Pure apart from reading the
// environment through the given lookup.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/ip.hpp"
#include "core/result.hpp"
#include "k8s/label_selector.hpp"

namespace petrel::k8s {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string key; // "kubernetes.advertise.cluster-ips[1]"
  std::string message;
  std::string to_string() const;  // "file:line:col: key: message"
  friend bool operator==(const ConfigError&, const ConfigError&) = default;
  // The error at a YAML node's mark (yaml-cpp's 0-based line and column; a null
  // mark leaves them 0).
  static ConfigError at(std::string_view file, const YAML::Mark& mark, std::string key, std::string message);
};

// A Secret key holding a TCP-MD5 password (RFC 2385).
struct SecretKeyRef {
  std::string namespace_;
  std::string name;
  std::string key;
  std::string to_string() const { return namespace_ + "/" + name + "[" + key + "]"; }
  friend bool operator==(const SecretKeyRef&, const SecretKeyRef&) = default;
};

struct ExternalPeerConfig {
  std::string name;
  IpAddress address;
  uint32_t remote_as = 0;
  std::optional<LabelSelector> node_selector;  // absent: every node peers
  std::optional<SecretKeyRef> password;
  friend bool operator==(const ExternalPeerConfig&, const ExternalPeerConfig&) = default;
};

struct KubernetesConfig {
  bool enabled = false;
  std::string kubeconfig;  // empty: in-cluster
  std::string node_name;
  bool node_mesh = true;
  bool advertise_pod_cidrs = true;
  std::vector<Prefix> cluster_ip_ranges;
  std::vector<Prefix> external_ip_ranges;
  std::vector<Prefix> load_balancer_ip_ranges;
  std::string as_number_annotation = "petrel.io/as-number";
  std::string route_reflector_label = "petrel.io/route-reflector";
  std::string cluster_id_annotation = "petrel.io/cluster-id";
  std::string peers_annotation = "petrel.io/peers";
  std::string secret_namespace = "petrel";
  std::vector<ExternalPeerConfig> peers;
  friend bool operator==(const KubernetesConfig&, const KubernetesConfig&) = default;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
// Reads the process environment.
std::optional<std::string> process_env(const std::string& name);

// `section` is the value of the `kubernetes:` key (a null node gives the defaults).
Result<KubernetesConfig, ConfigError> parse_kubernetes_config(const YAML::Node& section, std::string_view file,
                                                              const EnvLookup& env = process_env);
// Parses a whole YAML document and reads its `kubernetes:` key.
Result<KubernetesConfig, ConfigError> parse_kubernetes_config_text(std::string_view yaml, std::string_view file,
                                                                   const EnvLookup& env = process_env);

}  // namespace petrel::k8s
