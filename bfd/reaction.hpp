// bfd/reaction.hpp — what a control protocol (BGP) does when its BFD session
// changes state: RFC 5882's rules as one pure function, so that they are tested
// by a table and the BGP speaker only carries out the answer.
// Pure; knows nothing of BGP beyond the two facts it is given.
#pragma once

#include "bfd/session.hpp"

namespace petrel::bfd {

enum class Reaction {
  none,                    // not a failure, or nothing to act on
  tear_down,               // end the protocol session now and withdraw its routes
  abandon_restart,         // stop waiting for the peer's restart: withdraw its stale routes now
  continue_restart,        // the peer may be restarting: keep its stale routes
};

struct ClientState {
  bool session_up = false;            // e.g. BGP Established
  bool keeping_routes_for_restart = false;  // graceful restart: the peer's routes are held stale
};

// `t`: the BFD transition; `remote_control_plane_independent`: the C bit the
// peer last sent.
Reaction react(const Transition& t, bool remote_control_plane_independent, ClientState client);

}  // namespace petrel::bfd
