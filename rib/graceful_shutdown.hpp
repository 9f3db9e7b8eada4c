// rib/graceful_shutdown.hpp — RFC 8326 (Graceful BGP Session Shutdown), both
// sides, as pure rewrites of one route's attributes.
//
// Sender (RFC 8326 §4.2, "Operations at Maintenance Time"): while this router
// drains, every route it advertises carries the well-known GRACEFUL_SHUTDOWN
// community (65535:0), and to internal peers LOCAL_PREF 0 as well, so that its
// neighbours prefer any alternative path before the session closes. An external
// peer gets the community only (LOCAL_PREF is not sent over eBGP, RFC 4271
// §5.1.5): honouring it is the receiver's pre-configuration.
//
// Receiver (RFC 8326 §4.1, "Pre-configuration"): a route received over eBGP
// with GRACEFUL_SHUTDOWN gets LOCAL_PREF 0 on import, so it loses to every
// path of normal preference. Petrel does this by default, after import policy,
// as FRR does (bgp_update(): eBGP peers only); BIRD needs a filter
// (`if (65535, 0) ~ bgp_community then bgp_local_pref = 0;`). rib/import.cpp
// decides when; this file only rewrites.
//
// No state, no I/O, no errors: every input has a result. RIB thread or any.
#pragma once

#include "rib/attr_store.hpp"

namespace petrel::rib {

// RFC 8326 §4.2: the LOCAL_PREF a draining speaker sends to internal peers,
// and the one a receiver gives a route carrying GRACEFUL_SHUTDOWN (§4.1).
inline constexpr uint32_t kGracefulShutdownLocalPref = 0;

// Whether the route carries GRACEFUL_SHUTDOWN (65535:0).
bool has_graceful_shutdown(const RouteAttrs& attrs);

// The sender's rewrite of one exported route (after the export rules and
// export policy): GRACEFUL_SHUTDOWN added once (kept where it already is), and
// for an internal target (`external_target` false) LOCAL_PREF set to 0.
void mark_graceful_shutdown(RouteAttrs& attrs, bool external_target);

// The receiver's rewrite of one imported route: LOCAL_PREF 0 when it carries
// GRACEFUL_SHUTDOWN. Returns whether it changed anything.
bool honour_graceful_shutdown(RouteAttrs& attrs);

}  // namespace petrel::rib
