// daemon/restart_peers.hpp — warm restart: which peers selection deferral waits
// for (RFC 4724 §4.1: End-of-RIB "from all its peers that support graceful
// restart"), decided from each peer's graceful-restart state the store kept
// (rib/store/records.hpp, PeerRestartState) as it was when petreld stopped.
//
// The rule: wait exactly for the peers that were Established and had
// negotiated graceful restart before the restart (their routes are in the
// kernel and in our peers' tables; they will come back and send End-of-RIB).
// A configured peer that was down then, never came up, or did not negotiate
// graceful restart is not waited for: waiting would only hold selection until
// the deferral timer. Without any recorded state (no store, a store started
// empty, a store that recorded no peer yet) every enabled peer configured with
// graceful restart is waited for, as before the store kept this (BIRD's
// `graceful restart wait`). Each decision has its reason, for the log and
// `show protocols all`.
// Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "rib/store/records.hpp"

namespace petrel::daemon {

struct RestartCandidate {
  std::string name;
  bool graceful_restart = false;  // configured for it
  bool disabled = false;
};

struct RestartWait {
  bool wait = false;
  std::string reason;  // "Established with graceful restart before the restart", …
};

class RestartWaitRule {
 public:
  // `stored`: the peers' states the store held at start, or why there are none.
  explicit RestartWaitRule(const Result<std::vector<rib::store::PeerRestartState>, std::string>& stored);
  RestartWait decide(const RestartCandidate& peer) const;
  // True when the recorded states decide; false: every graceful-restart peer is waited for.
  bool from_store() const { return from_store_; }
  const std::string& why_not_from_store() const { return why_not_; }

 private:
  bool from_store_ = false;
  std::string why_not_;
  std::vector<rib::store::PeerRestartState> states_;
};

}  // namespace petrel::daemon
