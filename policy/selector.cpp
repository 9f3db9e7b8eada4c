#include "policy/selector.hpp"

#include <algorithm>

namespace petrel::policy {

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::tcp: return "tcp";
    case Protocol::udp: return "udp";
    case Protocol::sctp: return "sctp";
  }
  return "tcp";
}

const char* direction_name(Direction d) { return d == Direction::ingress ? "ingress" : "egress"; }

namespace {

bool listed(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool holds(const SelectorRequirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  switch (r.op) {
    case SelectorOp::in: return it != labels.end() && listed(r.values, it->second);
    case SelectorOp::not_in: return it == labels.end() || !listed(r.values, it->second);
    case SelectorOp::exists: return it != labels.end();
    case SelectorOp::does_not_exist: return it == labels.end();
  }
  return false;
}

const char* op_text(SelectorOp op) {
  switch (op) {
    case SelectorOp::in: return "in";
    case SelectorOp::not_in: return "notin";
    case SelectorOp::exists: return "exists";
    case SelectorOp::does_not_exist: return "!exists";
  }
  return "?";
}

std::string requirement_text(const SelectorRequirement& r) {
  std::vector<std::string> values = r.values;
  std::sort(values.begin(), values.end());
  std::string out = r.key + " " + op_text(r.op);
  if (r.op == SelectorOp::in || r.op == SelectorOp::not_in) {
    out += " (";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
    out += ")";
  }
  return out;
}

}  // namespace

bool matches(const LabelSelector& selector, const Labels& labels) {
  for (const auto& [k, v] : selector.match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : selector.match_expressions) {
    if (!holds(r, labels)) return false;
  }
  return true;
}

std::string canonical_text(const LabelSelector& selector) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : selector.match_labels) parts.push_back(k + "=" + v);
  for (const auto& r : selector.match_expressions) parts.push_back(requirement_text(r));
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

std::string describe(const LabelSelector& selector) {
  return selector.empty() ? std::string("<all>") : canonical_text(selector);
}

}  // namespace petrel::policy
