// Which peers selection deferral waits for after a restart, by tables: the
// peers' graceful-restart state the store kept against the configured peers.
#include "daemon/restart_peers.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::daemon;
using rib::store::PeerRestartState;

namespace {

PeerRestartState state(const char* name, bool established, bool gr) {
  PeerRestartState s;
  s.name = name;
  s.address = *IpAddress::parse("10.0.0.1");
  s.established = established;
  s.graceful_restart = gr;
  s.restart_time = gr ? 120 : 0;
  s.families = {gr, false};
  return s;
}

using Stored = Result<std::vector<PeerRestartState>, std::string>;

}  // namespace

TEST_CASE("with the store's states: exactly the peers Established with graceful restart before the restart") {
  const RestartWaitRule rule(Stored(std::vector<PeerRestartState>{
      state("up-gr", true, true), state("down-gr", false, true), state("up-no-gr", true, false)}));
  CHECK(rule.from_store());
  struct Row {
    RestartCandidate peer;
    bool wait;
    const char* reason;
  };
  const std::vector<Row> rows = {
      {{"up-gr", true, false}, true, "Established with graceful restart before the restart"},
      {{"down-gr", true, false}, false, "not Established before the restart"},
      {{"up-no-gr", true, false}, false, "Established before the restart without graceful restart"},
      {{"new-peer", true, false}, false, "never Established before the restart (no state recorded)"},
      {{"up-gr", false, false}, false, "no graceful restart configured"},  // GR removed from the config since
      {{"up-gr", true, true}, false, "disabled"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.peer.name);
    const RestartWait w = rule.decide(row.peer);
    CHECK(w.wait == row.wait);
    CHECK(w.reason == row.reason);
  }
}

TEST_CASE("without recorded states every enabled graceful-restart peer is waited for, as before") {
  for (const Stored& stored : {Stored(boost::system::in_place_error, std::string("the store is off")),
                               Stored(std::vector<PeerRestartState>{})}) {
    const RestartWaitRule rule(stored);
    CHECK_FALSE(rule.from_store());
    const RestartWait w = rule.decide({"tor", true, false});
    CHECK(w.wait);
    CHECK(w.reason == "graceful restart configured (no state from before the restart: " + rule.why_not_from_store() + ")");
    CHECK_FALSE(rule.decide({"tor", false, false}).wait);
    CHECK_FALSE(rule.decide({"tor", true, true}).wait);
  }
  CHECK(RestartWaitRule(Stored(std::vector<PeerRestartState>{})).why_not_from_store() == "no peer's state recorded");
}
