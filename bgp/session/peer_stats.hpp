// bgp/session/peer_stats.hpp — per-peer counters for the shell and /metrics:
// messages in and out by type, the last error and when, flaps, uptime. The FSM's
// own history holds the state changes with their reasons. Plain data, owned by
// the Session and read on its executor.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bgp/wire/notification.hpp"
#include "bgp/wire/types.hpp"

namespace petrel::bgp::session {

struct MessageCounters {
  // Indexed by wire::MessageType (1..5); slot 0 unused.
  std::array<uint64_t, 6> by_type{};
  uint64_t bytes = 0;

  void count(wire::MessageType t, std::size_t size) {
    ++by_type[static_cast<std::size_t>(t)];
    bytes += size;
  }
  uint64_t operator[](wire::MessageType t) const { return by_type[static_cast<std::size_t>(t)]; }
  uint64_t total() const { return by_type[1] + by_type[2] + by_type[3] + by_type[4] + by_type[5]; }
};

struct PeerStats {
  MessageCounters in;
  MessageCounters out;
  uint32_t flaps = 0;            // times the session left Established
  uint32_t established_count = 0;
  std::optional<std::string> last_error;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  std::optional<wire::NotificationMessage> last_notification_sent;
  std::optional<wire::NotificationMessage> last_notification_received;
};

}  // namespace petrel::bgp::session
