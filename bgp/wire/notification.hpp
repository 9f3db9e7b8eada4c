// bgp/wire/notification.hpp — the NOTIFICATION message (RFC 4271 §4.5) and the
// shutdown communication of RFC 9003 carried by Cease / Administrative Shutdown
// and Administrative Reset. Any code and subcode decode (unknown ones are reported
// by number); a shutdown communication that is too long or not UTF-8 is kept as
// raw data and not shown as text (RFC 9003 §2). Pure, links only core/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/wire_error.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

inline constexpr std::size_t kMaxShutdownMessage = 255;  // RFC 9003 §2

struct NotificationMessage {
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;

  // RFC 9003: the operator's message, when this is an administrative shutdown or
  // reset whose data holds a well-formed one.
  std::optional<std::string> shutdown_message() const;

  friend bool operator==(const NotificationMessage&, const NotificationMessage&) = default;
};

// A NOTIFICATION for the given error: its code, subcode and data.
NotificationMessage to_notification(const WireError& e);
// Cease / Administrative Shutdown (or Reset) with an RFC 9003 message, cut at a
// UTF-8 character boundary to 255 bytes.
NotificationMessage make_shutdown(uint8_t cease_subcode, std::string_view message);
// RFC 8538 §3: Cease / Hard Reset carrying `inner` (its code, subcode and data) as
// its data. Sent instead of `inner` when both sides set the N bit and the session
// must end without graceful restart keeping its routes.
NotificationMessage make_hard_reset(const NotificationMessage& inner);

Result<NotificationMessage, WireError> decode_notification(std::span<const uint8_t> message);
void encode_notification(const NotificationMessage& n, std::vector<uint8_t>& out);

// True when `text` is well-formed UTF-8 (RFC 3629).
bool is_valid_utf8(std::span<const uint8_t> text);

}  // namespace petrel::bgp::wire
