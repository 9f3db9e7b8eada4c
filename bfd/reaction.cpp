// bfd/reaction.cpp — see reaction.hpp.
#include "bfd/reaction.hpp"

namespace petrel::bfd {

Reaction react(const Transition& t, bool remote_cpi, ClientState c) {
  // Only a session that was Up and is no longer says anything about the path
  // (RFC 5882 §3.2: before Up, BFD has not yet vouched for it).
  if (t.from != State::up || t.to == State::up) return Reaction::none;
  // We took it down ourselves (the peer was removed or disabled).
  if (t.to == State::admin_down) return Reaction::none;
  // RFC 5882 §3.2: the peer took BFD down administratively: not a failure.
  if (t.remote_admin_down) return Reaction::none;
  // A live session over a path BFD says is dead (RFC 5882 §4.3 for BGP): a
  // restarting peer ends its transport connection first, so while the session
  // is up the peer's control plane is alive and forwarding is what failed.
  if (c.session_up) return Reaction::tear_down;
  if (!c.keeping_routes_for_restart) return Reaction::none;
  // RFC 5882 §3.4: with the C bit set the peer's forwarding does not depend
  // on its control plane, so BFD going down means forwarding failed: the
  // restart is over. With it clear, BFD shared the restarting control plane's
  // fate and its going down says nothing more.
  return remote_cpi ? Reaction::abandon_restart : Reaction::continue_restart;
}

}  // namespace petrel::bfd
