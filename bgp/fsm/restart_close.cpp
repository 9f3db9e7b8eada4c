// bgp/fsm/restart_close.cpp — see restart_close.hpp.
#include "bgp/fsm/restart_close.hpp"

#include "bgp/wire/wire_error.hpp"

namespace petrel::bgp::fsm {

bool peer_keeps_our_routes(const SessionSettings& local, const Negotiated& n) {
  // RFC 4724 §3: a zero restart time tells the peer not to wait for us at all.
  return local.graceful_restart && local.graceful_restart->restart_time > 0 && n.graceful_restart.has_value();
}

std::optional<wire::NotificationMessage> restart_notification(const SessionSettings& local, const Negotiated& n,
                                                              const wire::NotificationMessage& planned) {
  if (!peer_keeps_our_routes(local, n)) return planned;
  // We always set the N bit when we announce graceful restart (build_local_open).
  if (n.graceful_restart->notification) {
    wire::NotificationMessage reset = planned;
    reset.code = wire::err::cease;
    reset.subcode = wire::err::administrative_reset;  // RFC 9003 allows the same message here
    return reset;
  }
  return std::nullopt;  // RFC 4724 §4.2: the connection closes without a NOTIFICATION
}

}  // namespace petrel::bgp::fsm
