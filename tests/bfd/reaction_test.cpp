// tests/bfd/reaction_test.cpp — RFC 5882's rules for the control protocol, one
// row per case.
#include "bfd/reaction.hpp"

#include <doctest/doctest.h>

using namespace petrel::bfd;

TEST_CASE("RFC 5882: what BGP does when its BFD session changes") {
  const Transition up_to_down{State::up, State::down, Diag::detection_time_expired, false};
  const Transition neighbor_down{State::up, State::down, Diag::neighbor_down, false};
  const Transition admin{State::up, State::down, Diag::neighbor_down, /*remote_admin_down=*/true};
  const Transition init_to_down{State::init, State::down, Diag::detection_time_expired, false};
  const Transition down_to_up{State::down, State::up, Diag::none, false};
  const Transition local_admin{State::up, State::admin_down, Diag::admin_down, false};
  struct Row {
    const char* what;
    Transition t;
    bool cpi;
    ClientState client;
    Reaction expected;
  };
  const Row rows[] = {
      {"session up, detection time expired", up_to_down, false, {true, false}, Reaction::tear_down},
      {"session up, C bit set", up_to_down, true, {true, false}, Reaction::tear_down},
      {"session up, peer said Down", neighbor_down, false, {true, false}, Reaction::tear_down},
      {"session up and graceful restart held: still a live session", up_to_down, false, {true, true}, Reaction::tear_down},
      {"peer said AdminDown (§3.2)", admin, false, {true, false}, Reaction::none},
      {"peer said AdminDown while restarting", admin, true, {false, true}, Reaction::none},
      {"never Up: no verdict on the path", init_to_down, false, {true, false}, Reaction::none},
      {"coming Up", down_to_up, false, {true, false}, Reaction::none},
      {"our own AdminDown", local_admin, false, {true, false}, Reaction::none},
      {"session down, nothing held", up_to_down, true, {false, false}, Reaction::none},
      {"restarting, C bit clear (§3.4): restart goes on", up_to_down, false, {false, true}, Reaction::continue_restart},
      {"restarting, C bit set (§3.4): forwarding failed", up_to_down, true, {false, true}, Reaction::abandon_restart},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    CHECK(react(r.t, r.cpi, r.client) == r.expected);
  }
}
