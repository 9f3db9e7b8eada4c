// policy/manifest.hpp — NetworkPolicy manifests and the pod inventory from YAML text.
//
// Reads real Kubernetes YAML (networking.k8s.io/v1 NetworkPolicy; multi-document
// files and `kind: List` allowed) and the standalone inventory of namespaces and pods
// (policy/README.md shows its shape). The YAML becomes a DocNode tree and each
// policy's spec goes through policy/policy_reader.hpp, the same validation and API
// defaults (policyTypes, protocol TCP) as objects from the API server. Every error names the file, the
// document (1-based) and the field path. Never throws; no I/O besides the helpers
// that read a whole file. Must not know about iptables or ipsets.
#pragma once

#include "core/result.hpp"
#include "policy/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace petrel::policy {

Result<std::vector<NetworkPolicy>, Error> parse_policies(std::string_view yaml_text, const std::string& file);

struct Inventory {
  std::vector<Namespace> namespaces;
  std::vector<Pod> pods;
};
// Namespaces named only by a pod are created without labels (besides
// kubernetes.io/metadata.name, which every namespace gets).
Result<Inventory, Error> parse_inventory(std::string_view yaml_text, const std::string& file);

// Reads the files and builds a snapshot (policies in file order).
Result<Snapshot, Error> load_snapshot(const std::vector<std::string>& policy_files,
                                      const std::string& inventory_file);

Result<std::string, Error> read_text_file(const std::string& path);

}  // namespace petrel::policy
