// daemon/yaml_writer.cpp — YAML text in a fixed layout (see the header).
#include "daemon/yaml_writer.hpp"

#include <algorithm>
#include <cstdio>

namespace petrel::daemon {

namespace {

// Words a plain scalar would be read as null or a boolean (YAML 1.1 and 1.2).
constexpr std::string_view kReservedWords[] = {
    "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"};

bool plain_safe(std::string_view s) {
  if (s.empty()) return false;
  if (std::find(std::begin(kReservedWords), std::end(kReservedWords), s) != std::end(kReservedWords)) return false;
  // Only characters with no meaning to YAML anywhere in a plain scalar; a
  // leading '-' could start a list entry.
  if (s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '/' ||
           c == '-' || c == '_';
  });
}

}  // namespace

std::string yaml_scalar(std::string_view s) {
  if (plain_safe(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;  // UTF-8 passes through as is
    }
  }
  out += '"';
  return out;
}

std::string yaml_flow_list(const std::vector<std::string>& entries) {
  std::string out = "[";
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i ? ", " : "") + entries[i];
  return out + "]";
}

std::string yaml_flow(const YAML::Node& n, const std::vector<std::string_view>& key_order) {
  if (n.IsScalar()) return yaml_scalar(n.Scalar());
  if (n.IsSequence()) {
    std::vector<std::string> entries;
    for (const YAML::Node& e : n) entries.push_back(yaml_flow(e, key_order));
    return yaml_flow_list(entries);
  }
  if (n.IsMap()) {
    std::vector<std::pair<std::string, std::string>> entries;  // key, value
    for (auto it = n.begin(); it != n.end(); ++it)
      entries.emplace_back(it->first.IsScalar() ? it->first.Scalar() : "?", yaml_flow(it->second, key_order));
    const auto rank = [&](const std::string& key) {
      auto pos = std::find(key_order.begin(), key_order.end(), key);
      return static_cast<std::size_t>(pos - key_order.begin());
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
    std::string out = "{";
    for (std::size_t i = 0; i < entries.size(); ++i)
      out += (i ? ", " : "") + yaml_scalar(entries[i].first) + ": " + entries[i].second;
    return out + "}";
  }
  return "null";
}

}  // namespace petrel::daemon
