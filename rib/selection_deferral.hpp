// rib/selection_deferral.hpp — graceful restart, restarting speaker (RFC 4724
// §4.1): after our own restart, route selection (and with it the FIB and what
// peers are sent) waits until every peer that does graceful restart has sent
// End-of-RIB for each family, or until the selection deferral time runs out.
//
// Pure bookkeeping: the caller says which peers to wait for, reports their
// End-of-RIB markers and departures, and asks `deferring(now)` before each
// decision. Peers that did not negotiate graceful restart are not waited for
// (RFC 4724 §4.1: "... from all its peers that support graceful restart").
// Nothing here reads a clock. Single-threaded.
#pragma once

#include <cstdint>
#include <set>
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

  // True while selection must wait. Ends for good (release) once every expected
  // End-of-RIB arrived after at least one peer was expected, or at the deadline;
  // `waited_for_all()` says which.
  bool deferring(TimePoint now);
  bool waited_for_all() const { return all_arrived_; }
  std::size_t outstanding() const { return waiting_.size(); }
  TimePoint deadline() const { return deadline_; }

 private:
  std::set<std::pair<PeerId, bgp::wire::Family>> waiting_;
  TimePoint deadline_{};
  bool active_ = false;
  bool expected_any_ = false;
  bool all_arrived_ = false;
};

}  // namespace petrel::rib
