// k8s/label_selector.cpp — parsing and matching string-form label selectors.
#include "k8s/label_selector.hpp"

#include <algorithm>
#include <cctype>

namespace petrel::k8s {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

bool valid_value(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// Splits on commas that are not inside parentheses.
Result<std::vector<std::string_view>, Error> split_terms(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth < 0 || depth > 1) return Error{"unbalanced parentheses in label selector \"" + std::string(text) + "\""};
    if (c == ',' && depth == 0) {
      out.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) return Error{"unbalanced parentheses in label selector \"" + std::string(text) + "\""};
  return out;
}

Result<LabelRequirement, Error> parse_term(std::string_view term) {
  auto bad = [&](std::string why) {
    return Error{"label selector term \"" + std::string(term) + "\": " + why};
  };
  LabelRequirement req;
  if (term.empty()) return bad("empty requirement");
  if (term.front() == '!') {
    req.key = std::string(trim(term.substr(1)));
    req.op = LabelRequirement::Op::not_exists;
    if (!valid_key(req.key)) return bad("bad label key");
    return req;
  }
  if (auto pos = term.find("!="); pos != std::string_view::npos) {
    req.op = LabelRequirement::Op::not_equals;
    req.key = std::string(trim(term.substr(0, pos)));
    req.values.emplace_back(trim(term.substr(pos + 2)));
  } else if (auto eq = term.find('='); eq != std::string_view::npos) {
    req.op = LabelRequirement::Op::equals;
    req.key = std::string(trim(term.substr(0, eq)));
    std::string_view rest = term.substr(eq + 1);
    if (!rest.empty() && rest.front() == '=') rest.remove_prefix(1);
    req.values.emplace_back(trim(rest));
  } else if (auto open = term.find('('); open != std::string_view::npos) {
    if (term.back() != ')') return bad("a set must end with ')'");
    std::string_view head = trim(term.substr(0, open));
    auto space = head.find_last_of(" \t");
    if (space == std::string_view::npos) return bad("expected \"key in (...)\" or \"key notin (...)\"");
    const std::string_view op = trim(head.substr(space + 1));
    req.key = std::string(trim(head.substr(0, space)));
    if (op == "in") {
      req.op = LabelRequirement::Op::in;
    } else if (op == "notin") {
      req.op = LabelRequirement::Op::not_in;
    } else {
      return bad("unknown operator \"" + std::string(op) + "\"");
    }
    std::string_view inner = term.substr(open + 1, term.size() - open - 2);
    std::size_t start = 0;
    for (std::size_t i = 0; i <= inner.size(); ++i) {
      if (i == inner.size() || inner[i] == ',') {
        req.values.emplace_back(trim(inner.substr(start, i - start)));
        start = i + 1;
      }
    }
  } else {
    req.key = std::string(term);
    req.op = LabelRequirement::Op::exists;
  }
  if (!valid_key(req.key)) return bad("bad label key \"" + req.key + "\"");
  for (const auto& v : req.values)
    if (!valid_value(v)) return bad("bad label value \"" + v + "\"");
  return req;
}

}  // namespace

Result<LabelSelector, Error> parse_label_selector(std::string_view text) {
  LabelSelector sel;
  sel.text = std::string(trim(text));
  if (sel.text.empty()) return sel;
  auto terms = split_terms(sel.text);
  if (!terms) return terms.error();
  for (std::string_view t : *terms) {
    auto req = parse_term(t);
    if (!req) return req.error();
    sel.requirements.push_back(std::move(*req));
  }
  return sel;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& r : requirements) {
    auto it = labels.find(r.key);
    const bool has = it != labels.end();
    const bool in_values = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::Op::equals:
      case LabelRequirement::Op::in: ok = in_values; break;
      case LabelRequirement::Op::not_equals:
      case LabelRequirement::Op::not_in: ok = !in_values; break;
      case LabelRequirement::Op::exists: ok = has; break;
      case LabelRequirement::Op::not_exists: ok = !has; break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace petrel::k8s
