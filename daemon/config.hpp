// daemon/config.hpp — petreld's configuration: the YAML file (etc/petrel.yaml
// documents every key) parsed into typed values, checked, and printed back in
// normalized form (`petreld --check`).
//
// Never throws and never crashes on any input: YAML syntax errors, values out
// of range, unknown keys, deep nesting and alias bombs all become a ConfigError.
//
// Parsing is pure apart from reading the file and the password files it names.
// Every error names file:line:column and the key ("peers[2].hold-time: must be 0
// or 3..65535"). Unknown keys are errors (a typo must not pass silently).
// Secrets (MD5 passwords) are read from `password-file` and kept only in
// Secret, whose printing never shows the value.
// Must not know sessions, the RIB's internals, netlink or Kubernetes' client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/wire/types.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"
#include "rib/policy.hpp"
#include "rib/policy_config.hpp"

namespace petrel::daemon {

using ConfigError = rib::ConfigError;  // file, line, column, message

// A password read from a file; never printed.
struct Secret {
  std::string file;   // where it came from (printed)
  std::string value;  // the secret itself (never printed or logged)
  friend bool operator==(const Secret&, const Secret&) = default;
};

struct ListenAddress {
  IpAddress address;
  uint16_t port = 179;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct Originate {
  Prefix prefix;
  bool blackhole = true;                 // also install a blackhole route for it
  std::vector<uint32_t> communities;     // "A:B" as (A << 16) | B
  friend bool operator==(const Originate&, const Originate&) = default;
};

struct GracefulRestartConfig {
  uint16_t restart_time = 120;                     // seconds
  std::optional<uint32_t> long_lived_stale_time;   // seconds (RFC 9494)
  friend bool operator==(const GracefulRestartConfig&, const GracefulRestartConfig&) = default;
};

struct BfdConfig {
  uint32_t interval_ms = 300;
  uint8_t multiplier = 3;
  friend bool operator==(const BfdConfig&, const BfdConfig&) = default;
};

enum class NextHopConfig : uint8_t { automatic, self, keep, address };
enum class LimitAction : uint8_t { warn, block, restart };
enum class RemoteAsKind : uint8_t { exact, internal, external };

struct PeerConfig {
  std::string name;                      // unique; [A-Za-z0-9_.-]+, as in BIRD protocol names
  std::optional<IpAddress> address;      // exactly one of address and range
  std::optional<Prefix> range;           // dynamic neighbours
  RemoteAsKind remote_as_kind = RemoteAsKind::exact;
  uint32_t remote_as = 0;                // with `exact`
  std::optional<IpAddress> local_address;
  std::optional<Secret> password;        // from password-file
  uint16_t hold_time = 90;               // 0 or 3..65535
  uint16_t connect_retry = 5;            // seconds
  bool passive = false;
  std::vector<bgp::wire::Family> families{bgp::wire::Family::ipv4_unicast};
  NextHopConfig next_hop = NextHopConfig::automatic;
  std::optional<IpAddress> next_hop_address;  // with NextHopConfig::address
  bool route_reflector_client = false;
  std::optional<GracefulRestartConfig> graceful_restart;
  std::optional<BfdConfig> bfd;          // a BFD session to the peer (bfd/, BgpSpeaker)
  bool add_path_send = false, add_path_receive = false;   // add-path: send | receive | both
  bool soft_reconfiguration = false;
  uint8_t allow_own_as = 0;
  uint8_t ttl_security_hops = 0;         // GTSM (RFC 5082); 0 = off
  uint32_t multihop = 0;                 // eBGP multihop TTL; 0 = directly connected
  std::string import_policy;             // empty: accept all (internal), none (external, RFC 8212)
  std::optional<uint32_t> import_limit;
  LimitAction import_limit_action = LimitAction::warn;
  uint32_t import_limit_restart_after = 0;  // seconds (restart action)
  std::string export_policy;             // empty: see import_policy
  uint32_t mrai_ms = 0;
  bool disabled = false;                 // configured but not started (`disable` in the shell too)
  friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

struct FibConfig {
  bool enabled = true;          // false: dry run (route reflectors that do not forward)
  uint32_t table = 254;         // "main" = 254, or a number 1..4294967295 except 0, 253, 255
  uint8_t protocol = 201;       // route protocol number; "petrel" names 201
  uint32_t ecmp_max_paths = 16;
  std::optional<uint32_t> metric;
  bool nexthop_objects = true;   // routes refer to kernel nexthop objects (RTA_NH_ID; Linux >= 5.3; falls back to plain routes)
  friend bool operator==(const FibConfig&, const FibConfig&) = default;
};

struct Config {
  std::string file;                       // the file it was read from
  uint32_t router_id = 0;                 // IPv4 dotted quad, host order
  uint32_t local_as = 0;
  std::optional<uint32_t> cluster_id;     // route reflector cluster id (default: router id)
  std::vector<ListenAddress> listen;      // empty: no listening socket
  std::string control_socket = "/run/petrel/petrel.ctl";
  std::optional<std::string> control_socket_readonly;  // a second socket that refuses changes
  std::optional<std::string> metrics;     // "ADDR:PORT" for /metrics
  std::vector<Originate> originate;
  std::vector<PeerConfig> peers;
  rib::PolicySet policies;                // prefix-sets + policies, compiled
  // The same two sections as print_config() prints them (daemon/policy_text.hpp):
  // normalized source text, because compiling inlines the prefix-sets and so
  // forgets their names.
  std::string policy_text;
  FibConfig fib;
  uint32_t max_paths = 1;                 // ECMP width of the RIB (best-path multipath)
  bool multipath_relax = false;
  bool always_compare_med = false;
  std::optional<uint32_t> selection_deferral;  // seconds; graceful restart (restarting speaker)
  std::string store_path = "/var/lib/petrel";
  // The RocksDB store (rib/store): route journal and best-path snapshot.
  bool store_enabled = true;
  uint64_t store_history_max_age = 7 * 24 * 3600;  // seconds
  uint64_t store_history_max_entries = 1'000'000;
  std::string log_level = "info";
  // `kubernetes:` is kept as its YAML text; k8s/ parses it (k8s/config.hpp).
  std::string kubernetes_yaml;

  const PeerConfig* peer(std::string_view name) const;
};

// Reads and checks the file (and the password files it names, relative to the
// config file's directory when not absolute). ${NAME} in string values is
// replaced with the environment variable NAME (an unset one is an error).
Result<Config, ConfigError> load_config(const std::string& file);
// The same from text (tests); `file` names it in errors, and a relative
// password-file is read from `file`'s directory.
Result<Config, ConfigError> parse_config(std::string_view yaml, std::string_view file);

// The normalized configuration as YAML: every key with its value (defaults
// made explicit; an unset optional value as null), in a fixed order, secrets
// shown as `password: "<from FILE>"`. The output is itself a valid
// configuration: parse_config(print_config(c)) is equivalent(c) (config_diff.hpp).
std::string print_config(const Config& c);

// A peer name as BIRD's protocol names: [A-Za-z0-9_.-], 1 to 64 characters.
bool valid_peer_name(std::string_view name);

}  // namespace petrel::daemon
