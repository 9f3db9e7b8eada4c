// daemon/policy_text.cpp — `prefix-sets` and `policies` in normalized form.
#include "daemon/policy_text.hpp"

#include <map>
#include <string_view>
#include <vector>

#include "daemon/yaml_writer.hpp"

namespace petrel::daemon {

namespace {

// The orders rib/policy_config.hpp documents; nested maps (as-path-length,
// as-path-prepend) put their keys in this order too.
const std::vector<std::string_view> kMatchOrder = {
    "prefix-set", "prefix", "community", "large-community", "as-path-contains",
    "originates-from", "as-path-length", "peer", "family"};
const std::vector<std::string_view> kSetOrder = {
    "local-pref", "med", "origin", "communities-add", "communities-remove",
    "large-communities-add", "large-communities-remove", "as-path-prepend", "next-hop"};
const std::vector<std::string_view> kInnerOrder = {"min", "max", "asn", "count"};

// Entries of a map sorted by name.
std::map<std::string, YAML::Node> by_name(const YAML::Node& map) {
  std::map<std::string, YAML::Node> out;
  // A missing key of a const node is a "zombie" that throws on IsMap(): test it first.
  if (!map || !map.IsMap()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) out.emplace(it->first.Scalar(), it->second);
  return out;
}

// {k: v, ...} with keys in `order`, values in flow style.
std::string ordered_map(const YAML::Node& map, const std::vector<std::string_view>& order) {
  std::string out;
  for (std::string_view key : order) {
    const YAML::Node v = map[std::string(key)];
    if (!v) continue;
    out += (out.empty() ? "" : ", ") + std::string(key) + ": " + yaml_flow(v, kInnerOrder);
  }
  return "{" + out + "}";
}

std::string rule_text(const YAML::Node& rule) {
  std::string out;
  const auto line = [&](std::string_view key, const std::string& value) {
    out += out.empty() ? "    - " : "      ";
    out += std::string(key) + ": " + value + "\n";
  };
  if (rule["match"] && rule["match"].IsMap() && rule["match"].size() > 0) line("match", ordered_map(rule["match"], kMatchOrder));
  if (rule["set"] && rule["set"].IsMap() && rule["set"].size() > 0) line("set", ordered_map(rule["set"], kSetOrder));
  line("action", rule["action"] && rule["action"].IsScalar() ? rule["action"].Scalar() : "accept");
  return out;
}

}  // namespace

std::string normalized_policy_text(const YAML::Node& root) {
  std::string out;
  const YAML::Node sets = root.IsMap() ? root["prefix-sets"] : YAML::Node();
  const auto named_sets = by_name(sets);
  out += "prefix-sets:";
  if (named_sets.empty()) out += " {}";
  out += "\n";
  for (const auto& [name, entries] : named_sets) out += "  " + yaml_scalar(name) + ": " + yaml_flow(entries) + "\n";

  const YAML::Node policies = root.IsMap() ? root["policies"] : YAML::Node();
  const auto named_policies = by_name(policies);
  out += "policies:";
  if (named_policies.empty()) out += " {}";
  out += "\n";
  for (const auto& [name, rules] : named_policies) {
    out += "  " + yaml_scalar(name) + ":";
    if (!rules.IsSequence() || rules.size() == 0) {
      out += " []\n";
      continue;
    }
    out += "\n";
    for (const YAML::Node& rule : rules) out += rule_text(rule);
  }
  return out;
}

}  // namespace petrel::daemon
