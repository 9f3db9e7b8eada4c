// policy/config.hpp — petrel-policy's configuration file (YAML).
//
//   policies: [policies.yaml]      # NetworkPolicy manifests (standalone mode)
//   inventory: inventory.yaml      # namespaces and pods (standalone mode)
//   resync-period: 10              # seconds between drift checks
//   resync-after-write: 1          # seconds after each write, one more check
//   families: [ipv4, ipv6]         # iptables and/or ip6tables
//   iptables-backend: auto         # auto | nft | legacy
//   mark-bit: 0x10000              # the packet-mark bit meaning "allowed"
//   drop-log: {enabled: false, rate: 5/second, burst: 10, target: LOG, nflog-group: 0}
//   log-level: info
//   metrics: 127.0.0.1:9470        # Prometheus text on http://ADDRESS/metrics; empty: off
//
// Relative paths are relative to the config file's folder. Errors name the file and
// the field (and line, for YAML syntax). Never throws.
#pragma once

#include "core/result.hpp"
#include "policy/compiler.hpp"

#include <optional>
#include <string>
#include <vector>

namespace petrel::policy {

struct PolicyConfig {
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

Result<PolicyConfig, Error> parse_config(const std::string& yaml_text, const std::string& file);
Result<PolicyConfig, Error> load_config(const std::string& file);

}  // namespace petrel::policy
