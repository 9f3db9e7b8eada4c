// daemon/control_command.hpp — the control socket's command language: BIRD's
// commands (as birdc sends them; keywords may be abbreviated to any unique
// prefix, as in BIRD) and Petrel's additions, parsed into a Command. Pure.
//
//   show status
//   show protocols [all] [NAME]
//   show route [for ADDR|PREFIX] [PREFIX] [all] [protocol NAME] [export NAME] [count]
//              [where bgp_community ~ [(A,B), …] | where (A,B) ~ bgp_community
//               | the same with bgp_large_community and (A,B,C)]
//   show route history PREFIX          (Petrel: the journal of its best-path changes)
//   show interfaces | show memory
//   show fib [PREFIX]                  (Petrel: desired vs kernel)
//   show counters | show peers counters (Petrel: messages and flaps per peer)
//   show bfd sessions
//   show k8s                           (Petrel: the Kubernetes view: informers, what they produced)
//   enable | disable | restart NAME ["message"]
//   reload [in | out] NAME
//   configure [soft] ["FILE"] | configure check ["FILE"] | configure timeout N
//   configure confirm | configure undo
//   down
//   mrt dump rib "FILE" | mrt dump history "FILE"
//                                      (Petrel: MRT export, RFC 6396; FILE an absolute path)
//   drain | drain stop | drain and down [SECONDS]   (Petrel: RFC 8326 graceful shutdown)
//   json COMMAND                       (Petrel: the reply as one JSON document)
// Errors are for the operator: what was expected where.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::daemon {

// `where` filters on communities: a route matches when it carries any of them.
struct CommunityFilter {
  std::vector<uint32_t> communities;                    // (A,B) as A << 16 | B
  std::vector<std::array<uint32_t, 3>> large_communities;
  friend bool operator==(const CommunityFilter&, const CommunityFilter&) = default;
};

struct Command {
  enum class Verb {
    show_status, show_protocols, show_route, show_interfaces, show_memory, show_fib, show_counters, show_bfd_sessions, show_k8s,
    enable, disable, restart, reload, configure, down, drain, show_route_history, mrt_dump,
  };
  enum class Mrt { rib, history };
  enum class Reload { both, in, out };
  enum class Configure { apply, soft, check, timeout, confirm, undo };
  // drain: start; drain stop: end (and cancel a pending down); drain and down:
  // start, wait timeout_seconds, then shut down as `down` does.
  enum class Drain { start, stop, and_down };
  static constexpr uint32_t kDrainAndDownSeconds = 10;  // the wait when none is given

  Verb verb = Verb::show_status;
  bool json = false;
  bool all = false;
  bool count = false;
  std::string name;                  // protocol / peer
  std::optional<IpAddress> for_address;
  std::optional<Prefix> prefix;      // `show route PREFIX`, `for PREFIX`, `show fib PREFIX`
  std::string protocol;              // show route protocol NAME
  std::string export_peer;           // show route export NAME
  std::optional<CommunityFilter> where;
  std::string message;               // enable/disable/restart "message"
  Reload reload = Reload::both;
  Configure configure = Configure::apply;
  Drain drain = Drain::start;
  uint32_t timeout_seconds = 0;      // configure timeout N; drain and down N
  std::string file;                  // configure ["FILE"], mrt dump … FILE
  Mrt mrt = Mrt::rib;

  // Commands a read-only socket refuses.
  bool changes_state() const;
  // A show command (it answers `json` with its own document); the others are actions.
  bool is_show() const;
};

Result<Command, std::string> parse_command(std::string_view line);

}  // namespace petrel::daemon
