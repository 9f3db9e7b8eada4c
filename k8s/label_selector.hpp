// k8s/label_selector.hpp — Kubernetes label selectors in their string form.
//
// Kubernetes "Labels and Selectors" (concepts/overview/working-with-objects/labels):
// a comma-separated list of requirements, all of which must hold:
//   key=value, key==value, key!=value          (equality-based)
//   key in (a, b), key notin (a, b), key, !key  (set-based)
// "key!=v" and "notin" also match objects without the label. The empty selector
// matches everything. Parsing returns a precise error; never throws. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace petrel::k8s {

struct LabelRequirement {
  enum class Op { equals, not_equals, in, not_in, exists, not_exists };
  std::string key;
  Op op = Op::exists;
  std::vector<std::string> values;
  friend bool operator==(const LabelRequirement&, const LabelRequirement&) = default;
};

struct LabelSelector {
  std::vector<LabelRequirement> requirements;
  std::string text;  // as written, for messages and `show k8s`
  bool matches(const std::map<std::string, std::string>& labels) const;
  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

Result<LabelSelector, Error> parse_label_selector(std::string_view text);

}  // namespace petrel::k8s
