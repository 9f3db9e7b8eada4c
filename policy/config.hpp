// policy/config.hpp — petrel-policy's configuration file (YAML).
//
//   policies: [policies.yaml]      # NetworkPolicy manifests (standalone mode)
//   inventory: inventory.yaml      # namespaces and pods (standalone mode)
//   kubernetes:                    # or: watch the cluster (Kubernetes mode)
//     enabled: true
//     kubeconfig: ""               # empty: in-cluster service account
//     context: ""                  # kubeconfig context; empty: its current-context
//     node-name: ${NODE_NAME}      # only this node's pods are enforced; "${VAR}" from the
//                                  # environment; empty: every pod
//     sync-timeout: 60             # seconds --once, --dry-run and explain wait for the lists
//   resync-period: 10              # seconds between drift checks
//   resync-after-write: 1          # seconds after each write, one more check
//   families: [ipv4, ipv6]         # iptables and/or ip6tables
//   iptables-backend: auto         # auto | nft | legacy
//   mark-bit: 0x10000              # the packet-mark bit meaning "allowed"
//   drop-log: {enabled: false, rate: 5/second, burst: 10, target: LOG, nflog-group: 0}
//   log-level: info
//   metrics: 127.0.0.1:9470        # Prometheus text on http://ADDRESS/metrics; empty: off
//
// Exactly one mode: policies/inventory (standalone) or kubernetes.enabled: true.
// Relative paths are relative to the config file's folder. Errors name the file and
// the field (and line, for YAML syntax). Never throws.
#pragma once

#include "core/result.hpp"
#include "k8s/config.hpp"
#include "policy/compiler.hpp"

#include <optional>
#include <string>
#include <vector>

namespace petrel::policy {

struct PolicyKubernetesConfig {
  bool enabled = false;
  std::string kubeconfig;  // empty: in-cluster
  std::string context;     // empty: the kubeconfig's current-context
  std::string node_name;   // empty: every pod is enforced on this host
  double sync_timeout_s = 60;
};

struct PolicyConfig {
  PolicyKubernetesConfig kubernetes;
  std::vector<std::string> policy_files;
  std::string inventory_file;
  double resync_period_s = 10;
  double resync_after_write_s = 1;
  std::string backend = "auto";
  std::vector<AddressFamily> families = {AddressFamily::ipv4, AddressFamily::ipv6};
  CompileOptions compile;
  std::string log_level = "info";
  std::string metrics_address;  // empty: no metrics endpoint
};

// `env` resolves "${VAR}" in kubernetes.node-name.
Result<PolicyConfig, Error> parse_config(const std::string& yaml_text, const std::string& file,
                                         const k8s::EnvLookup& env = k8s::process_env);
Result<PolicyConfig, Error> load_config(const std::string& file, const k8s::EnvLookup& env = k8s::process_env);

}  // namespace petrel::policy
