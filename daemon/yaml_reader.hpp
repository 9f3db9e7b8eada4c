// daemon/yaml_reader.hpp — reading a YAML document strictly, for the config:
// maps whose keys are all known (a typo gets "unknown key (did you mean
// hold-time?)"), no duplicate keys, scalars read as numbers, booleans, addresses
// and names within their ranges, and ${NAME} replaced from the environment.
//
// Every mistake is thrown as YamlFailure{mark, "KEY.PATH: message"} with the
// mark of the offending node; config.cpp catches it at its one edge and turns
// it into a ConfigError. Nothing here reads files; the environment is read only
// by substitute_environment().
// Must not know what the keys mean (config.cpp does).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/ip.hpp"

namespace petrel::daemon {

struct YamlFailure {
  YAML::Mark mark;
  std::string message;  // "KEY.PATH: message", or just "message" at the top
};

// Throws YamlFailure at `at` with "path: message".
[[noreturn]] void fail_at(const YAML::Node& at, std::string_view path, std::string_view message);

// "a map", "a list", "\"text\"", "nothing": what a node is, for messages.
std::string describe(const YAML::Node& n);
std::string in_quotes(std::string_view s);

// The known key nearest to `key` (case, '_' for '-', up to two edits, or an
// abbreviation of three letters or more), if any.
std::optional<std::string_view> nearest_key(std::string_view key, const std::vector<std::string_view>& known);

// Replaces ${NAME} (and ${NAME:-default}, which gives `default` when NAME is
// unset or empty) in every scalar value of the tree, in place. `lookup` reads a
// variable (std::getenv in petreld; a table in tests). An unset NAME without a
// default fails naming it. Keys are left alone; substituted text is not scanned
// again. Also refuses trees nested deeper than 64 levels or holding more than
// 200,000 nodes once aliases are followed (an alias bomb must not hang petreld).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
void substitute_environment(YAML::Node& root, const EnvLookup& lookup);

// The key path ("policies.to-tor[0].match.prefix-set") of the node or map key
// that starts at `mark` in the tree (the deepest such node), or "" when none
// does. For errors found by code that only knows marks (rib::compile_policies).
std::string path_at(const YAML::Node& root, const YAML::Mark& mark);

// A map read key by key. Construction checks that `node` is a map with scalar,
// unique keys that all appear in `known`. A key whose value is null (`key:` or
// `key: null`) counts as absent: that is how print_config() writes "not set".
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path, std::initializer_list<std::string_view> known);

  // The value of `key`, or an undefined node when absent or null.
  YAML::Node get(std::string_view key) const;
  bool has(std::string_view key) const { return static_cast<bool>(get(key)); }
  // The value of `key`; fails with "KEY.PATH: required" at the map when absent.
  YAML::Node require(std::string_view key) const;
  // "path.key" (or "key" at the top level).
  std::string path(std::string_view key) const;
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
  std::string path_;
};

// "parent.key" / "key"; "parent[i]".
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);

// Scalar readers: each fails at the node with "path: ..." when the text does
// not fit. Numbers are plain unsigned decimals.
const std::string& read_scalar(const YAML::Node& n, std::string_view path);
std::string read_string(const YAML::Node& n, std::string_view path);  // non-empty
bool read_bool(const YAML::Node& n, std::string_view path);             // true | false
uint64_t read_number(const YAML::Node& n, std::string_view path, uint64_t min, uint64_t max);
IpAddress read_address(const YAML::Node& n, std::string_view path);
Prefix read_prefix(const YAML::Node& n, std::string_view path);  // canonical
// One of `words` exactly; the message lists them.
std::string read_word(const YAML::Node& n, std::string_view path, std::initializer_list<std::string_view> words);
// The entries of a list (fails when `n` is not a list).
std::vector<YAML::Node> read_list(const YAML::Node& n, std::string_view path);

// A standard community: "A:B" (0..65535 each) or a well-known name
// (no-export, no-advertise, no-export-subconfed, graceful-shutdown).
uint32_t read_community(const YAML::Node& n, std::string_view path);
// The inverse, as read_community accepts it back: a well-known name or "A:B".
std::string community_text(uint32_t c);

}  // namespace petrel::daemon
