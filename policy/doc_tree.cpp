// policy/doc_tree.cpp — DocNode, and YAML text to DocNodes (yaml-cpp stays in here).
#include "policy/doc_tree.hpp"

#include <yaml-cpp/yaml.h>

namespace petrel::policy {
namespace {

const DocNode& missing_node() {
  static const DocNode missing;
  return missing;
}

DocNode from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined: return DocNode();
    case YAML::NodeType::Null: return DocNode::null();
    case YAML::NodeType::Scalar: return DocNode::scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      std::vector<DocNode> items;
      items.reserve(node.size());
      for (const auto& item : node) items.push_back(from_yaml(item));
      return DocNode::sequence(std::move(items));
    }
    case YAML::NodeType::Map: {
      std::vector<std::pair<std::string, DocNode>> fields;
      fields.reserve(node.size());
      // A key that is itself a map or list cannot name a field: it becomes "" and
      // fails as an unknown field where the reader checks keys.
      for (const auto& kv : node)
        fields.emplace_back(kv.first.IsScalar() ? kv.first.Scalar() : std::string(), from_yaml(kv.second));
      return DocNode::map(std::move(fields));
    }
  }
  return DocNode();
}

}  // namespace

DocNode DocNode::scalar(std::string text) {
  DocNode n(Kind::scalar);
  n.text_ = std::move(text);
  return n;
}

DocNode DocNode::sequence(std::vector<DocNode> items) {
  DocNode n(Kind::sequence);
  n.items_ = std::move(items);
  return n;
}

DocNode DocNode::map(std::vector<std::pair<std::string, DocNode>> fields) {
  DocNode n(Kind::map);
  n.fields_ = std::move(fields);
  return n;
}

const DocNode& DocNode::operator[](std::size_t i) const {
  if (kind_ != Kind::sequence || i >= items_.size()) return missing_node();
  return items_[i];
}

const DocNode& DocNode::operator[](std::string_view key) const {
  if (kind_ != Kind::map) return missing_node();
  for (const auto& [k, v] : fields_)
    if (k == key) return v;
  return missing_node();
}

Result<std::vector<DocNode>, Error> load_yaml_documents(std::string_view yaml_text, const std::string& file) {
  try {
    std::vector<DocNode> out;
    for (const auto& doc : YAML::LoadAll(std::string(yaml_text))) out.push_back(from_yaml(doc));
    return out;
  } catch (const YAML::Exception& e) {
    return Error{file + ": line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1) +
                 ": " + e.msg};
  }
}

}  // namespace petrel::policy
