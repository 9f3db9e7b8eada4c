// bgp/fsm/restart_close.hpp — what a speaker about to restart (its daemon stopping on
// purpose: `down`, SIGTERM) tells an Established peer before the connection closes,
// so that the peer keeps forwarding to it while it is gone. Pure: settings and the
// negotiation in, the NOTIFICATION to send (or none) out; the Fsm calls it on a
// ManualStop marked as a restart (Event::restart_stop).
//
// RFC 4724 §4.2: a receiving speaker keeps a restarting peer's routes (stale) when the
// TCP session ends without a NOTIFICATION; any NOTIFICATION makes it flush them.
// RFC 8538 §3-5: when both sides set the N bit, a NOTIFICATION other than Cease / Hard
// Reset starts graceful restart as well.
//   - graceful restart not announced by both sides: the peer cannot keep anything, so
//     the planned Cease goes out as for any stop;
//   - both announced it, both set the N bit: Cease / Administrative Reset (RFC 8538
//     §5 leaves that subcode to the operator; not a Hard Reset, so the peer keeps our
//     routes), with the planned shutdown message;
//   - both announced it, no N bit on the peer's side (BIRD 2, GoBGP without it): no
//     NOTIFICATION, the connection just closes — as BIRD's own `graceful restart`
//     command does (bgp_graceful_close_conn).
#pragma once

#include <optional>

#include "bgp/fsm/negotiate.hpp"
#include "bgp/wire/notification.hpp"

namespace petrel::bgp::fsm {

// True when the peer will keep our routes through a restart: we announced graceful
// restart with a non-zero restart time, and so did it.
bool peer_keeps_our_routes(const SessionSettings& local, const Negotiated& n);

// The NOTIFICATION a restart sends this peer, or nothing. `planned` is what a plain
// stop would send (Cease / Administrative Shutdown with its RFC 9003 message).
std::optional<wire::NotificationMessage> restart_notification(const SessionSettings& local, const Negotiated& n,
                                                              const wire::NotificationMessage& planned);

}  // namespace petrel::bgp::fsm
