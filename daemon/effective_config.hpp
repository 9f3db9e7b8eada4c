// daemon/effective_config.hpp — the configuration petreld runs: the file's Config
// plus what Kubernetes derives (k8s/derive.hpp), as one Config that
// BgpSpeaker::apply() takes like any reload (only differences are applied).
//
// Pure: no I/O, no clock. Secrets come in through a lookup function (the
// daemon reads them from its Secret informers).
//
// The rules:
//  - no derived state (before the first list of nodes): the file's Config as it is;
//  - this node's AS (as-number annotation) becomes local-as; a route reflector's
//    cluster-id annotation becomes cluster-id (RFC 4456 §7) unless the file sets one;
//  - every derived announcement becomes an `originate` entry (blackhole as derived,
//    no communities) after the file's own, which win for the same prefix;
//  - every derived peer becomes a PeerConfig after the file's peers: name, address,
//    remote AS, route-reflector-client when we reflect for it (RFC 4456), the family
//    of its address, graceful restart with the defaults (RFC 4724: our routes stay
//    at the peers while petreld restarts), the password from its Secret; external
//    peers take the file's policies `kubernetes-import` / `kubernetes-export` when
//    they exist (without them RFC 8212 applies to eBGP: nothing is exchanged);
//  - a file peer with the same name or address wins over a derived one; a peer
//    whose Secret (or key) is not readable yet waits; both get a note.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.hpp"
#include "k8s/config.hpp"
#include "k8s/derive.hpp"

namespace petrel::daemon {

// The policy names derived external peers use when the file defines them.
inline constexpr std::string_view kubernetes_import_policy = "kubernetes-import";
inline constexpr std::string_view kubernetes_export_policy = "kubernetes-export";

// The value of a Secret key, or nullopt while it is not readable (not listed
// yet, no such Secret, no such key).
using SecretLookup = std::function<std::optional<std::string>(const k8s::SecretKeyRef&)>;

struct EffectiveConfig {
  Config config;
  std::vector<std::string> notes;  // what was left out and why (show k8s)
};

EffectiveConfig build_effective_config(const Config& file, const std::optional<k8s::Derived>& derived,
                                       const SecretLookup& secrets);

// The `kubernetes:` section of a loaded Config (its kubernetes_yaml; environment
// variables were substituted when the file was read). No section: the defaults
// (enabled: false). Errors name the file and the key path.
Result<k8s::KubernetesConfig, std::string> kubernetes_section(const Config& file);

}  // namespace petrel::daemon
