// policy/k8s_convert.hpp — Kubernetes API objects (k8s/models.hpp) → the policy model.
//
// Pure, no I/O, never throws. What petrel-policy sees of the cluster:
//  - NetworkPolicy: the spec (kept as JSON by k8s/) becomes a DocNode and goes through
//    policy/policy_reader.hpp, exactly the validation and defaults of YAML manifests;
//    a policy that fails is an error naming the object and the field path.
//  - Pod: labels, IPs (status.podIPs) and every container's ports. Pods policy cannot
//    see are left out, as Calico does: hostNetwork pods (they share the node's
//    address), pods without an IP yet, and pods that ended (phase Succeeded or
//    Failed: their IP may already belong to a new pod). Pod::local says whether the
//    pod runs on `node_name` (empty: every pod is local).
//  - Namespace: its labels, with kubernetes.io/metadata.name = name (the API server
//    sets it since 1.21; added here for older servers).
#pragma once

#include "core/result.hpp"
#include "k8s/models.hpp"
#include "policy/doc_tree.hpp"
#include "policy/model.hpp"

#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace petrel::policy {

// JSON as a document tree: strings as they are, numbers and booleans written out.
DocNode doc_from_json(const boost::json::value& value);

Result<NetworkPolicy, k8s::DecodeError> convert_policy(const k8s::NetworkPolicy& object);

// std::nullopt: a pod that network policy does not apply to (see above).
std::optional<Pod> convert_pod(const k8s::Pod& object, const std::string& node_name);

Namespace convert_namespace(const k8s::Namespace& object);

}  // namespace petrel::policy
