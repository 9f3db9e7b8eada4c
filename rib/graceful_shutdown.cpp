// rib/graceful_shutdown.cpp — see graceful_shutdown.hpp.
#include "rib/graceful_shutdown.hpp"

#include <algorithm>

namespace petrel::rib {

namespace wire = bgp::wire;

bool has_graceful_shutdown(const RouteAttrs& attrs) {
  const auto& c = attrs.attrs.communities;
  return std::find(c.begin(), c.end(), wire::community::graceful_shutdown) != c.end();
}

void mark_graceful_shutdown(RouteAttrs& attrs, bool external_target) {
  if (!has_graceful_shutdown(attrs)) attrs.attrs.communities.push_back(wire::community::graceful_shutdown);
  // RFC 8326 §4.2: to iBGP peers the route also goes with a lowered LOCAL_PREF
  // (0, the value the receivers of §4.1 use), so that routers inside the AS
  // that do not honour the community still move away.
  if (!external_target) attrs.attrs.local_pref = kGracefulShutdownLocalPref;
}

bool honour_graceful_shutdown(RouteAttrs& attrs) {
  if (!has_graceful_shutdown(attrs) || attrs.attrs.local_pref == kGracefulShutdownLocalPref) return false;
  attrs.attrs.local_pref = kGracefulShutdownLocalPref;
  return true;
}

}  // namespace petrel::rib
