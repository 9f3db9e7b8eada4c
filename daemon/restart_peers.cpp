// daemon/restart_peers.cpp — see restart_peers.hpp.
#include "daemon/restart_peers.hpp"

namespace petrel::daemon {

RestartWaitRule::RestartWaitRule(const Result<std::vector<rib::store::PeerRestartState>, std::string>& stored) {
  if (!stored) {
    why_not_ = stored.error();
  } else if (stored->empty()) {
    why_not_ = "no peer's state recorded";
  } else {
    from_store_ = true;
    states_ = *stored;
  }
}

RestartWait RestartWaitRule::decide(const RestartCandidate& peer) const {
  if (peer.disabled) return {false, "disabled"};
  if (!peer.graceful_restart) return {false, "no graceful restart configured"};
  if (!from_store_) return {true, "graceful restart configured (no state from before the restart: " + why_not_ + ")"};
  for (const rib::store::PeerRestartState& s : states_) {
    if (s.name != peer.name) continue;
    if (!s.established) return {false, "not Established before the restart"};
    if (!s.graceful_restart) return {false, "Established before the restart without graceful restart"};
    return {true, "Established with graceful restart before the restart"};
  }
  return {false, "never Established before the restart (no state recorded)"};
}

}  // namespace petrel::daemon
