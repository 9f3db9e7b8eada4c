// bgp/wire/route_refresh.hpp — the ROUTE-REFRESH message (RFC 2918 §3) with the
// message subtype of enhanced route refresh (RFC 7313 §3): a plain request, or the
// Beginning / End of a refresh. Pure, links only core/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/types.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

enum class RefreshSubtype : uint8_t { request = 0, begin = 1, end = 2 };

struct RouteRefreshMessage {
  AfiSafi afi_safi;
  RefreshSubtype subtype = RefreshSubtype::request;
  friend bool operator==(const RouteRefreshMessage&, const RouteRefreshMessage&) = default;
};

// RFC 7313 §5: a length other than 23 is ROUTE-REFRESH Message Error / Invalid
// Message Length with the whole message as data. An unknown subtype is ignored:
// the result holds std::nullopt.
Result<std::optional<RouteRefreshMessage>, WireError> decode_route_refresh(std::span<const uint8_t> message);
void encode_route_refresh(const RouteRefreshMessage& m, std::vector<uint8_t>& out);

}  // namespace petrel::bgp::wire
