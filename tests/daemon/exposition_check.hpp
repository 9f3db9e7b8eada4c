// tests/daemon/exposition_check.hpp — a small, strict checker of the Prometheus
// text exposition format 0.0.4, written from the format's description
// (prometheus.io/docs/instrumenting/exposition_formats/), independent of the
// renderer. It returns the first problem as "line N: ..." or "" when the text
// is valid. Stricter than Prometheus where Petrel promises more: every sample's
// family has a TYPE line before it, families do not interleave, counters end in
// _total, no series appears twice.
#pragma once

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace petrel::daemon::test {

namespace exposition_detail {
// (std::regex is avoided: GCC 12 reports maybe-uninitialized inside it under ASan.)
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]* (metric) or [a-zA-Z_][a-zA-Z0-9_]* (label)
inline bool is_name(std::string_view s, bool colon) {
  if (s.empty() || is_digit(s[0])) return false;
  for (char c : s)
    if (!is_alpha(c) && !is_digit(c) && !(colon && c == ':')) return false;
  return true;
}

// Digits from `i`; returns how many.
inline std::size_t digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i - start;
}

// [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? | NaN | [+-]Inf
inline bool is_float(std::string_view s) {
  if (s == "NaN" || s == "+Inf" || s == "-Inf") return true;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t mantissa = digits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    mantissa += digits(s, i);
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits(s, i) == 0) return false;
  }
  return i == s.size();
}

// -?D+ (milliseconds since the epoch)
inline bool is_timestamp(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  return digits(s, i) > 0 && i == s.size();
}
}  // namespace exposition_detail

inline std::string check_exposition(std::string_view text) {
  using namespace exposition_detail;
  static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};

  if (!text.empty() && text.back() != '\n') return "the text does not end with a line feed";

  std::map<std::string, std::string> type_of;  // family -> type
  std::set<std::string> helped, finished_families, series;
  std::string current_family;
  int line_no = 0;
  auto err = [&](const std::string& why) { return "line " + std::to_string(line_no) + ": " + why; };
  // Enters `family`; a family left earlier may not come back.
  auto enter = [&](const std::string& family) -> bool {
    if (family == current_family) return true;
    if (finished_families.count(family)) return false;
    if (!current_family.empty()) finished_families.insert(current_family);
    current_family = family;
    return true;
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    const std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;  // empty lines are ignored by the format

    if (line[0] == '#') {
      std::istringstream in(line.substr(1));
      std::string keyword, name;
      in >> keyword >> name;
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      if (line.rfind("# " + keyword + " " + name, 0) != 0) return err("malformed " + keyword + " line");
      if (!is_name(name, /*colon=*/true)) return err("bad metric name '" + name + "'");
      if (!enter(name)) return err("family " + name + " appears again after another family");
      const std::string rest = line.size() > 3 + keyword.size() + name.size()
                                   ? line.substr(3 + keyword.size() + name.size())
                                   : std::string();
      if (keyword == "HELP") {
        if (!helped.insert(name).second) return err("second HELP line for " + name);
        if (rest.empty() || rest[0] != ' ') return err("HELP without text");
        for (std::size_t i = 0; i < rest.size(); ++i)
          if (rest[i] == '\\') {
            if (i + 1 >= rest.size() || (rest[i + 1] != '\\' && rest[i + 1] != 'n'))
              return err("bad escape in HELP text");
            ++i;
          }
      } else {
        if (type_of.count(name)) return err("second TYPE line for " + name);
        const std::string type = rest.empty() ? "" : rest.substr(1);
        if (rest.empty() || rest[0] != ' ' || !types.count(type)) return err("bad type '" + type + "'");
        if (type == "counter" && !name.ends_with("_total")) return err("counter " + name + " does not end in _total");
        type_of[name] = type;
      }
      continue;
    }

    // A sample: name [ "{" label="value", ... "}" ] value [ timestamp ]
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!is_name(name, /*colon=*/true)) return err("bad metric name '" + name + "'");
    if (!type_of.count(name)) return err("sample of " + name + " before its TYPE line");
    if (!enter(name)) return err("family " + name + " appears again after another family");

    std::map<std::string, std::string> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) return err("label without '='");
        const std::string label = line.substr(i, eq - i);
        if (!is_name(label, /*colon=*/false) || label.starts_with("__")) return err("bad label name '" + label + "'");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return err("label value not quoted");
        ++i;
        std::string value;
        while (true) {
          if (i >= line.size()) return err("unterminated label value");
          const char c = line[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= line.size()) return err("unterminated escape");
            const char e = line[i++];
            if (e == '\\') value += '\\';
            else if (e == '"') value += '"';
            else if (e == 'n') value += '\n';
            else return err(std::string("bad escape \\") + e + " in label value");
          } else {
            value += c;
          }
        }
        if (!labels.emplace(label, value).second) return err("label " + label + " given twice");
        if (i < line.size() && line[i] == ',') ++i;
        else if (i >= line.size() || line[i] != '}') return err("expected ',' or '}' after a label");
      }
    }
    if (i >= line.size() || line[i] != ' ') return err("no space before the value");
    std::istringstream in(line.substr(i + 1));
    std::string value, ts, extra;
    in >> value >> ts >> extra;
    if (!is_float(value)) return err("bad value '" + value + "'");
    if (!ts.empty() && !is_timestamp(ts)) return err("bad timestamp '" + ts + "'");
    if (!extra.empty()) return err("trailing text '" + extra + "'");

    std::string key = name;
    for (const auto& [k, v] : labels) key += "\x01" + k + "\x02" + v;
    if (!series.insert(key).second) return err("series given twice: " + line);
  }
  return "";
}

}  // namespace petrel::daemon::test
