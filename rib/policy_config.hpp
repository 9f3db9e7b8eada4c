// rib/policy_config.hpp — compiling the `prefix-sets` and `policies` sections
// of a YAML config into a PolicySet, with errors that name file, line, column.
//
//   prefix-sets:
//     pods: ["10.244.0.0/16 le 26", "2001:db8:44::/48 ge 56 le 64", "192.0.2.0/24"]
//   policies:
//     to-tor:
//       - match: {prefix-set: pods}
//         set: {communities-add: ["64512:200"], local-pref: 200}
//         action: accept          # accept | reject | next; default accept
//       - action: reject
//
// A prefix-set entry is "P [ge N] [le M]": without ge/le it matches P exactly;
// with only `le`, ge is P's length; with only `ge`, le is the family maximum.
// P must be canonical (no host bits), P.len <= ge <= le <= 32/128.
//
// Match keys (all given keys must hold; a list means any of its entries):
//   prefix-set (name or list), prefix (list of inline ranges),
//   community ("A:B", "A:*", "*:B", no-export, no-advertise,
//   no-export-subconfed, graceful-shutdown), large-community ("A:B:C"),
//   as-path-contains (ASN), originates-from (ASN), as-path-length ({min, max}),
//   peer (name, address or prefix; text with a '/' must be a valid prefix),
//   family (ipv4 | ipv6).
// Set keys: local-pref, med, origin (igp | egp | incomplete), communities-add,
//   communities-remove (wildcards allowed), large-communities-add,
//   large-communities-remove, as-path-prepend (N: the local AS N times, or
//   {asn: X, count: N}; 1 <= N <= 255), next-hop (address or "self").
// Empty lists are refused (except a policy's rule list: no rules rejects all);
// so are duplicate keys and names.
//
// Style: yaml-cpp may throw; compile_policies catches at this edge and returns
// a ConfigError instead. Lines and columns are 1-based.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "core/result.hpp"
#include "rib/policy.hpp"

namespace petrel::rib {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
  std::string to_string() const;  // "file:line:col: message"
  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

// Compiles `prefix-sets` and `policies` from the whole config document (other
// top-level keys are ignored). Both sections are optional.
Result<PolicySet, ConfigError> compile_policies(const YAML::Node& root, std::string_view file);

// Parses `yaml` and compiles it; YAML syntax errors become ConfigErrors too.
Result<PolicySet, ConfigError> compile_policies_text(std::string_view yaml, std::string_view file);

}  // namespace petrel::rib
