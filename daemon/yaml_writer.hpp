// daemon/yaml_writer.hpp — writing YAML text by hand in a fixed layout, for
// print_config(): a scalar plain when YAML would read it back as the same
// string, double-quoted otherwise; small values in flow style ([a, b], {k: v}).
// Pure. Must not know what the keys mean.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace petrel::daemon {

// `s` as a YAML scalar that reads back as exactly `s` (never as null or a bool).
std::string yaml_scalar(std::string_view s);

// "[a, b]" with each entry already written.
std::string yaml_flow_list(const std::vector<std::string>& entries);

// A parsed node in flow style: scalars through yaml_scalar(), lists as
// [..], maps as {k: v} with the keys in `key_order` first (in that order), then
// the rest in document order. Null prints as "null".
std::string yaml_flow(const YAML::Node& n, const std::vector<std::string_view>& key_order = {});

}  // namespace petrel::daemon
