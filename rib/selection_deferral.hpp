// rib/selection_deferral.hpp — graceful restart, restarting speaker (RFC 4724
// §4.1): after our own restart, route selection (and with it the FIB and what
// peers are sent) waits until every peer that does graceful restart has sent
// End-of-RIB for each family, or until the selection deferral time runs out.
//
// Pure bookkeeping: the caller says which peers to wait for, reports their
// End-of-RIB markers and departures, and asks `deferring(now)` before each
// decision. Peers that did not negotiate graceful restart are not waited for
// (RFC 4724 §4.1: "... from all its peers that support graceful restart").
// A graceful-restart peer whose session is not up yet is waited for too
// (expect_session; petreld names the peers that were Established with graceful
// restart before the restart: daemon/restart_peers.hpp), as BIRD's recovery
// waits for its configured protocols
// (`graceful restart wait`): otherwise the first peer's End-of-RIB would release
// selection without a slower peer's routes, and the FIB would drop or move them
// only to install them again a moment later.
// Nothing here reads a clock. Single-threaded.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "bgp/wire/types.hpp"
#include "core/clock.hpp"
#include "rib/prefix_table.hpp"

namespace petrel::rib {

class SelectionDeferral {
 public:
  // Not deferring: a cold start, or no restart in progress.
  SelectionDeferral() = default;
  // Restarting: defer until `deadline` at the latest.
  explicit SelectionDeferral(TimePoint deadline) : deadline_(deadline), active_(true) {}

  // A peer came up and negotiated graceful restart for `family`: wait for its End-of-RIB.
  void expect(PeerId peer, bgp::wire::Family family);
  void end_of_rib(PeerId peer, bgp::wire::Family family);
  // The peer went down before its End-of-RIB: not waited for any more.
  void forget(PeerId peer);
  // A configured peer with graceful restart, session not up yet: wait for it.
  void expect_session(std::string_view name);
  // Its session is up (its families are now expect()ed, or not: no graceful
  // restart), or it will not come (disabled, removed): not waited for as a session.
  void session_settled(std::string_view name);
  // Nobody to wait for (a warm restart after which no peer had been
  // Established with graceful restart): the next deferring() releases.
  void expect_nothing();

  // True while selection must wait. Ends for good (release) once every expected
  // End-of-RIB arrived after at least one peer was expected, or at the deadline;
  // `waited_for_all()` says which.
  bool deferring(TimePoint now);
  bool waited_for_all() const { return all_arrived_; }
  std::size_t outstanding() const { return waiting_.size(); }
  std::size_t sessions_outstanding() const { return sessions_.size(); }
  TimePoint deadline() const { return deadline_; }

 private:
  std::set<std::pair<PeerId, bgp::wire::Family>> waiting_;
  std::set<std::string, std::less<>> sessions_;  // configured peers not up yet
  TimePoint deadline_{};
  bool active_ = false;
  bool expected_any_ = false;
  bool all_arrived_ = false;
};

}  // namespace petrel::rib
