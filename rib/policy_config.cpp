// rib/policy_config.cpp — YAML `prefix-sets` and `policies` → PolicySet.
//
// Inside this file a mistake is reported by throwing Failure, caught (with any
// YAML::Exception) at the single edge, compile_policies(), which returns it as a
// ConfigError. Nothing escapes to callers.
#include "rib/policy_config.hpp"

#include <charconv>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace petrel::rib {

namespace wire = petrel::bgp::wire;

namespace {

struct Failure {
  YAML::Mark mark;
  std::string message;
};

[[noreturn]] void fail(const YAML::Node& at, std::string message) {
  throw Failure{at.Mark(), std::move(message)};
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return quoted(n.Scalar());
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

template <class Words>
std::string join(const Words& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

void expect_map(const YAML::Node& n, std::string_view what) {
  if (!n.IsMap()) fail(n, std::string(what) + " must be a map, got " + kind(n));
}

const std::string& expect_scalar(const YAML::Node& n, std::string_view what) {
  if (!n.IsScalar()) fail(n, std::string(what) + " must be a single value, got " + kind(n));
  return n.Scalar();
}

// The entries of a "value or list of values" node; an empty list is refused.
std::vector<YAML::Node> one_or_many(const YAML::Node& n, std::string_view what) {
  std::vector<YAML::Node> out;
  if (n.IsSequence()) {
    for (const YAML::Node& e : n) out.push_back(e);
    if (out.empty()) fail(n, std::string(what) + " must not be an empty list");
  } else if (n.IsScalar()) {
    out.push_back(n);
  } else {
    fail(n, std::string(what) + " must be a value or a list of values, got " + kind(n));
  }
  return out;
}

std::vector<YAML::Node> many(const YAML::Node& n, std::string_view what) {
  if (!n.IsSequence()) fail(n, std::string(what) + " must be a list, got " + kind(n));
  return one_or_many(n, what);
}

// Iterates a map's entries in document order, refusing non-scalar and duplicate keys.
template <class F>
void for_each_entry(const YAML::Node& map, std::string_view what, F&& f) {
  std::set<std::string, std::less<>> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const std::string& name = expect_scalar(key, std::string("a key in ") + std::string(what));
    if (!seen.insert(name).second) fail(key, "duplicate key " + quoted(name) + " in " + std::string(what));
    f(key, name, it->second);
  }
}

std::optional<uint64_t> parse_number(std::string_view text, uint64_t max) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || p != end || v > max) return std::nullopt;
  return v;
}

uint32_t u32(const YAML::Node& n, std::string_view what) {
  const std::string& s = expect_scalar(n, what);
  auto v = parse_number(s, UINT32_MAX);
  if (!v) fail(n, std::string(what) + " must be a number from 0 to 4294967295, got " + quoted(s));
  return static_cast<uint32_t>(*v);
}

uint32_t asn(const YAML::Node& n, std::string_view what) {
  const std::string& s = expect_scalar(n, what);
  auto v = parse_number(s, UINT32_MAX);
  if (!v || *v == 0) fail(n, std::string(what) + " must be an AS number from 1 to 4294967295, got " + quoted(s));
  return static_cast<uint32_t>(*v);
}

std::vector<uint32_t> asns(const YAML::Node& n, std::string_view what) {
  std::vector<uint32_t> out;
  for (const YAML::Node& e : one_or_many(n, what)) out.push_back(asn(e, what));
  return out;
}

// ---- prefix ranges ---------------------------------------------------------

PrefixRange prefix_range(const YAML::Node& n) {
  const std::string& text = expect_scalar(n, "a prefix entry");
  std::vector<std::string_view> words;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::size_t end = std::min(rest.find_first_of(" \t"), rest.size());
    words.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  if (words.empty()) fail(n, "empty prefix entry");
  const std::optional<Prefix> p = Prefix::parse(words[0]);
  if (!p) {
    if (const auto loose = Prefix::parse(words[0], /*require_canonical=*/false))
      fail(n, "prefix " + quoted(words[0]) + " has host bits set (did you mean " + loose->to_string() + "?)");
    fail(n, "bad prefix " + quoted(words[0]));
  }
  const unsigned max = p->address().max_prefix_length();
  std::optional<unsigned> ge, le;
  for (std::size_t i = 1; i < words.size(); i += 2) {
    const std::string_view word = words[i];
    if (word != "ge" && word != "le")
      fail(n, "expected \"ge\" or \"le\" after the prefix, got " + quoted(word) + " in " + quoted(text));
    std::optional<unsigned>& slot = word == "ge" ? ge : le;
    if (slot) fail(n, quoted(word) + " given twice in " + quoted(text));
    if (word == "ge" && le) fail(n, "\"ge\" must come before \"le\" in " + quoted(text));
    if (i + 1 >= words.size()) fail(n, "missing length after " + quoted(word) + " in " + quoted(text));
    const auto v = parse_number(words[i + 1], 255);
    if (!v) fail(n, "bad length " + quoted(words[i + 1]) + " after " + quoted(word) + " in " + quoted(text));
    slot = static_cast<unsigned>(*v);
  }
  const unsigned len = p->length();
  const std::string at = " in " + quoted(text);
  if (ge && *ge < len) fail(n, "ge " + std::to_string(*ge) + " is shorter than the prefix length " + std::to_string(len) + at);
  if (ge && *ge > max) fail(n, "ge " + std::to_string(*ge) + " exceeds " + std::to_string(max) + at);
  if (le && *le > max) fail(n, "le " + std::to_string(*le) + " exceeds " + std::to_string(max) + at);
  if (le && *le < (ge ? *ge : len))
    fail(n, "le " + std::to_string(*le) + " is less than " + (ge ? "ge " + std::to_string(*ge) : "the prefix length " + std::to_string(len)) + at);
  PrefixRange r;
  r.prefix = *p;
  r.ge = static_cast<uint8_t>(ge ? *ge : len);
  r.le = static_cast<uint8_t>(le ? *le : (ge ? max : len));
  return r;
}

std::vector<PrefixRange> prefix_ranges(const YAML::Node& n, std::string_view what) {
  std::vector<PrefixRange> out;
  for (const YAML::Node& e : many(n, what)) out.push_back(prefix_range(e));
  return out;
}

using PrefixSets = std::map<std::string, std::vector<PrefixRange>, std::less<>>;

PrefixSets compile_prefix_sets(const YAML::Node& section) {
  PrefixSets sets;
  if (!section) return sets;
  expect_map(section, "prefix-sets");
  for_each_entry(section, "prefix-sets", [&](const YAML::Node&, const std::string& name, const YAML::Node& value) {
    sets.emplace(name, prefix_ranges(value, "prefix-set " + quoted(name)));
  });
  return sets;
}

// ---- communities -----------------------------------------------------------

std::optional<uint32_t> well_known_community(std::string_view s) {
  if (s == "no-export") return wire::community::no_export;
  if (s == "no-advertise") return wire::community::no_advertise;
  if (s == "no-export-subconfed") return wire::community::no_export_subconfed;
  if (s == "graceful-shutdown") return wire::community::graceful_shutdown;
  return std::nullopt;
}

CommunityPattern community(const YAML::Node& n, bool wildcards) {
  const std::string& s = expect_scalar(n, "a community");
  if (auto wk = well_known_community(s)) return {*wk, 0xFFFFFFFF};
  const std::size_t colon = s.find(':');
  const std::string expected = wildcards ? "\"A:B\" (0-65535 each, or * for any), or a well-known name"
                                         : "\"A:B\" (0-65535 each) or a well-known name";
  if (colon == std::string::npos) fail(n, "bad community " + quoted(s) + ": expected " + expected);
  const std::string_view hi = std::string_view(s).substr(0, colon), lo = std::string_view(s).substr(colon + 1);
  CommunityPattern p{0, 0};
  if (wildcards && hi == "*" && lo == "*") fail(n, "bad community " + quoted(s) + ": \"*:*\" would match every community");
  for (auto [text, shift] : {std::pair{hi, 16u}, std::pair{lo, 0u}}) {
    if (wildcards && text == "*") continue;
    auto v = parse_number(text, 0xFFFF);
    if (!v) fail(n, "bad community " + quoted(s) + ": expected " + expected);
    p.value |= static_cast<uint32_t>(*v) << shift;
    p.mask |= uint32_t{0xFFFF} << shift;
  }
  return p;
}

std::vector<CommunityPattern> communities(const YAML::Node& n, std::string_view what, bool wildcards) {
  std::vector<CommunityPattern> out;
  for (const YAML::Node& e : one_or_many(n, what)) out.push_back(community(e, wildcards));
  return out;
}

wire::LargeCommunity large_community(const YAML::Node& n) {
  const std::string& s = expect_scalar(n, "a large community");
  uint32_t parts[3] = {};
  std::string_view rest = s;
  for (int i = 0; i < 3; ++i) {
    const std::size_t colon = i < 2 ? rest.find(':') : rest.size();
    if (colon == std::string_view::npos) fail(n, "bad large community " + quoted(s) + ": expected \"A:B:C\" (0-4294967295 each)");
    auto v = parse_number(rest.substr(0, colon), UINT32_MAX);
    if (!v) fail(n, "bad large community " + quoted(s) + ": expected \"A:B:C\" (0-4294967295 each)");
    parts[i] = static_cast<uint32_t>(*v);
    rest.remove_prefix(std::min(colon + 1, rest.size()));
  }
  return {parts[0], parts[1], parts[2]};
}

std::vector<wire::LargeCommunity> large_communities(const YAML::Node& n, std::string_view what) {
  std::vector<wire::LargeCommunity> out;
  for (const YAML::Node& e : one_or_many(n, what)) out.push_back(large_community(e));
  return out;
}

// ---- match -----------------------------------------------------------------

constexpr std::string_view kMatchKeys[] = {
    "prefix-set", "prefix", "community", "large-community", "as-path-contains",
    "originates-from", "as-path-length", "peer", "family"};

Match compile_match(const YAML::Node& node, const PrefixSets& sets) {
  Match m;
  expect_map(node, "match");
  for_each_entry(node, "match", [&](const YAML::Node& key, const std::string& k, const YAML::Node& v) {
    if (k == "prefix-set") {
      std::vector<PrefixRange> ranges;
      for (const YAML::Node& e : one_or_many(v, "prefix-set")) {
        const std::string& name = expect_scalar(e, "a prefix-set name");
        auto it = sets.find(name);
        if (it == sets.end()) fail(e, "unknown prefix-set " + quoted(name));
        ranges.insert(ranges.end(), it->second.begin(), it->second.end());
      }
      m.prefix_set = std::move(ranges);
    } else if (k == "prefix") {
      m.prefix = prefix_ranges(v, "prefix");
    } else if (k == "community") {
      m.community = communities(v, "community", /*wildcards=*/true);
    } else if (k == "large-community") {
      m.large_community = large_communities(v, "large-community");
    } else if (k == "as-path-contains") {
      m.as_path_contains = asns(v, "as-path-contains");
    } else if (k == "originates-from") {
      m.originates_from = asns(v, "originates-from");
    } else if (k == "as-path-length") {
      AsPathLength len;
      expect_map(v, "as-path-length");
      for_each_entry(v, "as-path-length", [&](const YAML::Node& lk, const std::string& name, const YAML::Node& lv) {
        if (name == "min")
          len.min = u32(lv, "as-path-length min");
        else if (name == "max")
          len.max = u32(lv, "as-path-length max");
        else
          fail(lk, "unknown as-path-length key " + quoted(name) + " (expected min, max)");
      });
      if (len.min > len.max) fail(v, "as-path-length min " + std::to_string(len.min) + " is greater than max " + std::to_string(len.max));
      m.as_path_length = len;
    } else if (k == "peer") {
      std::vector<PeerMatch> peers;
      for (const YAML::Node& e : one_or_many(v, "peer")) {
        const std::string& s = expect_scalar(e, "a peer");
        if (auto a = IpAddress::parse(s)) {
          peers.push_back({Prefix::make(*a, a->max_prefix_length())});
        } else if (s.find('/') != std::string::npos) {
          const auto p = Prefix::parse(s);
          if (!p) fail(e, "bad peer prefix " + quoted(s));
          peers.push_back({*p});
        } else {
          peers.push_back({s});
        }
      }
      m.peer = std::move(peers);
    } else if (k == "family") {
      const std::string& s = expect_scalar(v, "family");
      if (s == "ipv4")
        m.family = AddressFamily::ipv4;
      else if (s == "ipv6")
        m.family = AddressFamily::ipv6;
      else
        fail(v, "unknown family " + quoted(s) + " (expected ipv4, ipv6)");
    } else {
      fail(key, "unknown match key " + quoted(k) + " (expected one of: " + join(kMatchKeys) + ")");
    }
  });
  return m;
}

// ---- set -------------------------------------------------------------------

constexpr std::string_view kSetKeys[] = {
    "local-pref", "med", "origin", "communities-add", "communities-remove",
    "large-communities-add", "large-communities-remove", "as-path-prepend", "next-hop"};

uint8_t prepend_count(const YAML::Node& n) {
  const std::string& s = expect_scalar(n, "as-path-prepend count");
  auto v = parse_number(s, 255);
  if (!v || *v == 0) fail(n, "as-path-prepend count must be from 1 to 255, got " + quoted(s));
  return static_cast<uint8_t>(*v);
}

SetActions compile_set(const YAML::Node& node) {
  SetActions s;
  expect_map(node, "set");
  for_each_entry(node, "set", [&](const YAML::Node& key, const std::string& k, const YAML::Node& v) {
    if (k == "local-pref") {
      s.local_pref = u32(v, "local-pref");
    } else if (k == "med") {
      s.med = u32(v, "med");
    } else if (k == "origin") {
      const std::string& o = expect_scalar(v, "origin");
      if (o == "igp")
        s.origin = wire::Origin::igp;
      else if (o == "egp")
        s.origin = wire::Origin::egp;
      else if (o == "incomplete")
        s.origin = wire::Origin::incomplete;
      else
        fail(v, "unknown origin " + quoted(o) + " (expected igp, egp, incomplete)");
    } else if (k == "communities-add") {
      for (const CommunityPattern& p : communities(v, "communities-add", /*wildcards=*/false))
        s.communities_add.push_back(p.value);
    } else if (k == "communities-remove") {
      s.communities_remove = communities(v, "communities-remove", /*wildcards=*/true);
    } else if (k == "large-communities-add") {
      s.large_communities_add = large_communities(v, "large-communities-add");
    } else if (k == "large-communities-remove") {
      s.large_communities_remove = large_communities(v, "large-communities-remove");
    } else if (k == "as-path-prepend") {
      Prepend p;
      if (v.IsMap()) {
        bool have_asn = false;
        for_each_entry(v, "as-path-prepend", [&](const YAML::Node& pk, const std::string& name, const YAML::Node& pv) {
          if (name == "asn") {
            p.asn = asn(pv, "as-path-prepend asn");
            have_asn = true;
          } else if (name == "count") {
            p.count = prepend_count(pv);
          } else {
            fail(pk, "unknown as-path-prepend key " + quoted(name) + " (expected asn, count)");
          }
        });
        if (!have_asn) fail(v, "as-path-prepend needs \"asn\" when given as a map (or give just a count)");
      } else {
        p.count = prepend_count(v);
      }
      s.as_path_prepend = p;
    } else if (k == "next-hop") {
      const std::string& t = expect_scalar(v, "next-hop");
      NextHop nh;
      if (t == "self") {
        nh.self = true;
      } else if (auto a = IpAddress::parse(t)) {
        nh.address = *a;
      } else {
        fail(v, "bad next-hop " + quoted(t) + " (expected an address or \"self\")");
      }
      s.next_hop = nh;
    } else {
      fail(key, "unknown set key " + quoted(k) + " (expected one of: " + join(kSetKeys) + ")");
    }
  });
  return s;
}

// ---- rules and policies ----------------------------------------------------

Rule compile_rule(const YAML::Node& node, const PrefixSets& sets) {
  Rule r;
  expect_map(node, "a policy rule");
  if (!node.Mark().is_null()) r.line = node.Mark().line + 1;
  for_each_entry(node, "a policy rule", [&](const YAML::Node& key, const std::string& k, const YAML::Node& v) {
    if (k == "match") {
      r.match = compile_match(v, sets);
    } else if (k == "set") {
      r.set = compile_set(v);
    } else if (k == "action") {
      const std::string& a = expect_scalar(v, "action");
      if (a == "accept")
        r.action = RuleAction::accept;
      else if (a == "reject")
        r.action = RuleAction::reject;
      else if (a == "next")
        r.action = RuleAction::next;
      else
        fail(v, "unknown action " + quoted(a) + " (expected accept, reject, next)");
    } else {
      fail(key, "unknown rule key " + quoted(k) + " (expected match, set, action)");
    }
  });
  return r;
}

PolicySet compile(const YAML::Node& root) {
  PolicySet out;
  if (!root || root.IsNull()) return out;
  expect_map(root, "the config document");
  const PrefixSets sets = compile_prefix_sets(root["prefix-sets"]);
  const YAML::Node section = root["policies"];
  if (!section) return out;
  expect_map(section, "policies");
  for_each_entry(section, "policies", [&](const YAML::Node&, const std::string& name, const YAML::Node& rules_node) {
    // An empty list is allowed here: a policy with no rules rejects everything.
    if (!rules_node.IsSequence()) fail(rules_node, "policy " + quoted(name) + " must be a list, got " + kind(rules_node));
    std::vector<Rule> rules;
    for (const YAML::Node& r : rules_node) rules.push_back(compile_rule(r, sets));
    out.policies.emplace(name, Policy(name, std::move(rules)));
  });
  return out;
}

ConfigError to_error(std::string_view file, const YAML::Mark& mark, std::string message) {
  ConfigError e{std::string(file), 0, 0, std::move(message)};
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  return e;
}

}  // namespace

std::string ConfigError::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

Result<PolicySet, ConfigError> compile_policies(const YAML::Node& root, std::string_view file) {
  try {
    return compile(root);
  } catch (const Failure& f) {
    return to_error(file, f.mark, f.message);
  } catch (const YAML::Exception& e) {
    return to_error(file, e.mark, e.msg);
  } catch (const std::exception& e) {
    return ConfigError{std::string(file), 0, 0, e.what()};
  }
}

Result<PolicySet, ConfigError> compile_policies_text(std::string_view yaml, std::string_view file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return to_error(file, e.mark, e.msg);
  }
  return compile_policies(root, file);
}

}  // namespace petrel::rib
