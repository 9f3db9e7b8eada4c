#include "bgp/wire/types.hpp"

namespace petrel::bgp::wire {

std::string_view to_string(MessageType t) {
  switch (t) {
    case MessageType::open: return "OPEN";
    case MessageType::update: return "UPDATE";
    case MessageType::notification: return "NOTIFICATION";
    case MessageType::keepalive: return "KEEPALIVE";
    case MessageType::route_refresh: return "ROUTE-REFRESH";
  }
  return "UNKNOWN";
}

std::string_view to_string(Family f) {
  return f == Family::ipv4_unicast ? "ipv4-unicast" : "ipv6-unicast";
}

}  // namespace petrel::bgp::wire
