// policy/doc_tree.hpp — the small document tree that YAML manifests and the API
// server's JSON both become, so that one reader validates NetworkPolicies from either.
//
// A DocNode is null, a scalar (its text: YAML's plain or quoted text, JSON strings as
// they are, JSON numbers and booleans written out: 8080, true), a sequence or a map
// (keys in document order). Looking up a key or an index that is not there gives the
// "missing" node, which converts to false, so readers can chain lookups
// (node["spec"]["podSelector"]) and test once. Values only; no I/O besides
// load_yaml_documents() reading text, which never throws. The JSON side lives with
// the Kubernetes converter (policy/k8s_convert.hpp), so this header needs neither
// yaml-cpp nor Boost.JSON.
#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace petrel::policy {

class DocNode {
 public:
  enum class Kind { missing, null, scalar, sequence, map };

  DocNode() = default;  // missing
  static DocNode null() { return DocNode(Kind::null); }
  static DocNode scalar(std::string text);
  static DocNode sequence(std::vector<DocNode> items);
  static DocNode map(std::vector<std::pair<std::string, DocNode>> fields);

  Kind kind() const { return kind_; }
  explicit operator bool() const { return kind_ != Kind::missing; }
  bool is_null() const { return kind_ == Kind::null; }
  // Missing or null: "not given" for every optional field.
  bool absent() const { return kind_ == Kind::missing || kind_ == Kind::null; }
  bool is_scalar() const { return kind_ == Kind::scalar; }
  bool is_sequence() const { return kind_ == Kind::sequence; }
  bool is_map() const { return kind_ == Kind::map; }

  const std::string& text() const { return text_; }  // scalars; empty otherwise
  std::size_t size() const { return kind_ == Kind::sequence ? items_.size() : kind_ == Kind::map ? fields_.size() : 0; }
  const DocNode& operator[](std::size_t i) const;       // sequence item, or missing
  const DocNode& operator[](std::string_view key) const;  // map value (first of that key), or missing
  const std::vector<std::pair<std::string, DocNode>>& fields() const { return fields_; }

 private:
  explicit DocNode(Kind k) : kind_(k) {}
  Kind kind_ = Kind::missing;
  std::string text_;
  std::vector<DocNode> items_;
  std::vector<std::pair<std::string, DocNode>> fields_;
};

// Every document of a YAML text (multi-document files included; empty documents are
// null nodes). A syntax error names the file, line and column.
Result<std::vector<DocNode>, Error> load_yaml_documents(std::string_view yaml_text, const std::string& file);

}  // namespace petrel::policy
