// policy/policy_reader.hpp — NetworkPolicy rules, once: a document tree → the model.
//
// The one place where networking.k8s.io/v1 NetworkPolicySpec is validated as the
// API server would and its defaults are applied (policyTypes; protocol TCP). Both
// inputs use it: YAML manifests (policy/manifest.cpp) and the API server's JSON
// (policy/k8s_convert.cpp), each first turned into a DocNode. Errors are values
// naming the field path ("spec.ingress[0].ports[1].endPort"); callers add the file
// and document, or the object. Pure; never throws.
#pragma once

#include "core/result.hpp"
#include "policy/doc_tree.hpp"
#include "policy/model.hpp"

#include <cstdint>
#include <string>

namespace petrel::policy {

// A problem at a field path; the caller says in which file or object.
struct FieldError {
  std::string path;
  std::string message;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// `spec` is the value of the object's `spec` key (its path "spec"). `ns` must already
// be a valid namespace name; `name` is the policy's metadata.name.
Result<NetworkPolicy, FieldError> read_policy_spec(const DocNode& spec, const std::string& ns,
                                                   const std::string& name);

// The field readers the inventory shares with the spec.
Result<std::string, FieldError> read_scalar(const DocNode& node, const std::string& path);
Result<uint32_t, FieldError> read_number(const DocNode& node, const std::string& path, uint32_t lo, uint32_t hi);
Result<Labels, FieldError> read_labels(const DocNode& node, const std::string& path);
// Absent: TCP (the API default).
Result<Protocol, FieldError> read_protocol(const DocNode& node, const std::string& path);
// RFC 1123 label: what Kubernetes requires of namespace names.
bool is_dns_label(const std::string& s);

std::string field_path(const std::string& path, const std::string& key);  // "a.b"
std::string index_path(const std::string& path, std::size_t i);           // "a[3]"

}  // namespace petrel::policy
