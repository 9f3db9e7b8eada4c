#include "bgp/wire/route_refresh.hpp"

#include "bgp/wire/message.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

Result<std::optional<RouteRefreshMessage>, WireError> decode_route_refresh(std::span<const uint8_t> message) {
  if (message.size() != 23)
    return WireError{err::route_refresh, err::invalid_message_length, 16, 2, ErrorAction::session_reset,
                     std::vector<uint8_t>(message.begin(), message.end()),
                     "ROUTE-REFRESH length " + std::to_string(message.size()) + " is not 23"};
  ByteReader r(message);
  r.skip(kHeaderSize);
  RouteRefreshMessage m;
  m.afi_safi.afi = r.u16();
  const uint8_t subtype = r.u8();
  m.afi_safi.safi = r.u8();
  if (subtype > 2) return std::optional<RouteRefreshMessage>{};  // RFC 7313 §5: ignore
  m.subtype = static_cast<RefreshSubtype>(subtype);
  return std::optional<RouteRefreshMessage>{m};
}

void encode_route_refresh(const RouteRefreshMessage& m, std::vector<uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::route_refresh);
  ByteWriter w(out);
  w.u16(m.afi_safi.afi);
  w.u8(static_cast<uint8_t>(m.subtype));
  w.u8(m.afi_safi.safi);
  finish_message(out, start);
}

}  // namespace petrel::bgp::wire
