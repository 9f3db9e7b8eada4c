// daemon/yaml_reader.cpp — strict YAML reading for the config (see the header).
#include "daemon/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_set>
#include <utility>

#include "bgp/wire/path_attributes.hpp"

namespace petrel::daemon {

namespace wire = petrel::bgp::wire;

void fail_at(const YAML::Node& at, std::string_view path, std::string_view message) {
  std::string text = path.empty() ? std::string(message) : std::string(path) + ": " + std::string(message);
  // An undefined node (a missing key) has no mark of its own.
  YAML::Mark mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  throw YamlFailure{mark, std::move(text)};
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return in_quotes(n.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

// ---- did you mean ----------------------------------------------------------

namespace {

std::string folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_' || c == ' ') c = '-';
  }
  return out;
}

// Levenshtein distance, capped: keys are short.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> nearest_key(std::string_view key, const std::vector<std::string_view>& known) {
  const std::string k = folded(key);
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (std::string_view candidate : known) {
    const std::string c = folded(candidate);
    // A shortening ("addr" for "address") counts as one edit.
    const bool abbreviation = k.size() >= 3 && c.size() > k.size() && c.compare(0, k.size(), k) == 0;
    const std::size_t d = abbreviation ? 1 : edit_distance(k, c);
    // One edit for short keys, two for longer ones: "as" must not suggest "bfd".
    const std::size_t allowed = std::min(k.size(), candidate.size()) < 5 ? 1 : 2;
    if (d <= allowed && (!best || d < best_distance)) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

// ---- environment -----------------------------------------------------------

namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

std::string substitute(const YAML::Node& at, std::string_view path, std::string_view text, const EnvLookup& lookup) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = text.find("${", i);
    if (start == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, start - i));
    const std::size_t close = text.find('}', start + 2);
    if (close == std::string_view::npos) fail_at(at, path, "unterminated ${ in " + in_quotes(text));
    const std::string_view inside = text.substr(start + 2, close - start - 2);
    const std::size_t dash = inside.find(":-");
    const std::string name(inside.substr(0, dash));
    if (name.empty() || !is_name_start(name[0]) || !std::all_of(name.begin(), name.end(), is_name_char))
      fail_at(at, path, "bad environment variable name " + in_quotes(name) + " in " + in_quotes(text) + " (expected ${NAME} or ${NAME:-default})");
    const std::optional<std::string> value = lookup(name);
    if (dash != std::string_view::npos) {
      out += value && !value->empty() ? *value : std::string(inside.substr(dash + 2));
    } else {
      if (!value) fail_at(at, path, "environment variable " + name + " is not set");
      out += *value;
    }
    i = close + 1;
  }
  return out;
}

struct Substituter {
  const EnvLookup& lookup;
  std::size_t visits = 0;
  // A scalar reached twice through an alias is substituted once: the address
  // of its text identifies the shared node.
  std::unordered_set<const std::string*> done;

  void walk(YAML::Node n, const std::string& path, int depth) {
    if (++visits > 200'000) fail_at(n, path, "the document is too large (more than 200000 nodes once aliases are followed)");
    if (depth > 64) fail_at(n, path, "nested more than 64 levels deep");
    if (n.IsScalar()) {
      const std::string& text = n.Scalar();
      if (text.find("${") == std::string::npos || !done.insert(&text).second) return;
      std::string value = substitute(n, path, text, lookup);
      n = value;
      done.insert(&n.Scalar());
    } else if (n.IsSequence()) {
      std::size_t i = 0;
      for (YAML::Node e : n) walk(e, index_path(path, i++), depth + 1);
    } else if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
        walk(it->second, join_path(path, key), depth + 1);
      }
    }
  }
};

}  // namespace

void substitute_environment(YAML::Node& root, const EnvLookup& lookup) {
  Substituter s{lookup, 0, {}};
  s.walk(root, "", 0);
}

// ---- finding a node by its mark ----------------------------------------------

namespace {

bool same_place(const YAML::Mark& a, const YAML::Mark& b) { return a.line == b.line && a.column == b.column; }

// Depth-first, a node before its children: a block map starts where its first
// key does, and an error marked there (a missing key, min > max) is about the
// map. The visit budget bounds the walk on trees shared through aliases.
bool find_path(const YAML::Node& n, const YAML::Mark& mark, const std::string& path, std::string& found, std::size_t& budget,
               int depth) {
  if (budget == 0 || depth > 64) return false;
  --budget;
  if (!path.empty() && same_place(n.Mark(), mark)) {
    found = path;
    return true;
  }
  if (n.IsSequence()) {
    std::size_t i = 0;
    for (const YAML::Node& e : n)
      if (find_path(e, mark, index_path(path, i++), found, budget, depth + 1)) return true;
  } else if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (same_place(it->first.Mark(), mark)) {
        found = join_path(path, key);
        return true;
      }
      if (find_path(it->second, mark, join_path(path, key), found, budget, depth + 1)) return true;
    }
  }
  return false;
}

}  // namespace

std::string path_at(const YAML::Node& root, const YAML::Mark& mark) {
  std::string found;
  std::size_t budget = 200'000;
  if (!mark.is_null()) find_path(root, mark, "", found, budget, 0);
  return found;
}

// ---- maps ------------------------------------------------------------------

MapReader::MapReader(const YAML::Node& node, std::string path, std::initializer_list<std::string_view> known)
    : node_(node), path_(std::move(path)) {
  if (!node_.IsMap()) fail_at(node_, path_, "must be a map, got " + describe(node_));
  const std::vector<std::string_view> keys(known);
  std::set<std::string, std::less<>> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) fail_at(key, path_, "a key must be a plain word, got " + describe(key));
    const std::string& name = key.Scalar();
    if (!seen.insert(name).second) fail_at(key, join_path(path_, name), "duplicate key");
    if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
    std::string message = "unknown key";
    if (auto near = nearest_key(name, keys)) {
      message += " (did you mean " + std::string(*near) + "?)";
    } else {
      message += " (expected one of: ";
      for (std::size_t i = 0; i < keys.size(); ++i) message += (i ? ", " : "") + std::string(keys[i]);
      message += ")";
    }
    fail_at(key, join_path(path_, name), message);
  }
}

YAML::Node MapReader::get(std::string_view key) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() != key) continue;
    if (it->second.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(std::string_view key) const {
  YAML::Node v = get(key);
  if (!v) fail_at(node_, path(key), "required, but not given");
  return v;
}

std::string MapReader::path(std::string_view key) const { return join_path(path_, key); }

// ---- scalars ---------------------------------------------------------------

const std::string& read_scalar(const YAML::Node& n, std::string_view path) {
  if (!n.IsScalar()) fail_at(n, path, "must be a single value, got " + describe(n));
  return n.Scalar();
}

std::string read_string(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  if (s.empty()) fail_at(n, path, "must not be empty");
  return s;
}

bool read_bool(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail_at(n, path, "must be true or false, got " + in_quotes(s));
}

uint64_t read_number(const YAML::Node& n, std::string_view path, uint64_t min, uint64_t max) {
  const std::string& s = read_scalar(n, path);
  uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc{} || p != end || v < min || v > max)
    fail_at(n, path, "must be a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + in_quotes(s));
  return v;
}

IpAddress read_address(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  auto a = IpAddress::parse(s);
  if (!a) fail_at(n, path, "not an IP address: " + in_quotes(s));
  return *a;
}

Prefix read_prefix(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  if (s.find('/') == std::string::npos) fail_at(n, path, "not a prefix (ADDRESS/LENGTH): " + in_quotes(s));
  if (auto p = Prefix::parse(s)) return *p;
  if (auto loose = Prefix::parse(s, /*require_canonical=*/false))
    fail_at(n, path, "prefix " + in_quotes(s) + " has host bits set (did you mean " + loose->to_string() + "?)");
  fail_at(n, path, "not a prefix (ADDRESS/LENGTH): " + in_quotes(s));
}

std::string read_word(const YAML::Node& n, std::string_view path, std::initializer_list<std::string_view> words) {
  const std::string& s = read_scalar(n, path);
  for (std::string_view w : words)
    if (s == w) return s;
  std::string expected;
  for (std::string_view w : words) expected += (expected.empty() ? "" : ", ") + std::string(w);
  fail_at(n, path, "must be one of " + expected + ", got " + in_quotes(s));
}

std::vector<YAML::Node> read_list(const YAML::Node& n, std::string_view path) {
  if (!n.IsSequence()) fail_at(n, path, "must be a list, got " + describe(n));
  std::vector<YAML::Node> out;
  for (const YAML::Node& e : n) out.push_back(e);
  return out;
}

namespace {

constexpr std::pair<std::string_view, uint32_t> kWellKnownCommunities[] = {
    {"no-export", wire::community::no_export},
    {"no-advertise", wire::community::no_advertise},
    {"no-export-subconfed", wire::community::no_export_subconfed},
    {"graceful-shutdown", wire::community::graceful_shutdown},
};

}  // namespace

uint32_t read_community(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  for (auto [name, value] : kWellKnownCommunities)
    if (s == name) return value;
  const std::string bad = "bad community " + in_quotes(s) + ": expected \"A:B\" (0-65535 each) or a well-known name";
  const std::size_t colon = s.find(':');
  if (colon == std::string::npos) fail_at(n, path, bad);
  uint32_t parts[2] = {};
  const std::string_view halves[2] = {std::string_view(s).substr(0, colon), std::string_view(s).substr(colon + 1)};
  for (int i = 0; i < 2; ++i) {
    const std::string_view h = halves[i];
    auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), parts[i]);
    if (h.empty() || ec != std::errc{} || p != h.data() + h.size() || parts[i] > 0xFFFF) fail_at(n, path, bad);
  }
  return parts[0] << 16 | parts[1];
}

std::string community_text(uint32_t c) {
  for (auto [name, value] : kWellKnownCommunities)
    if (c == value) return std::string(name);
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
}

}  // namespace petrel::daemon
