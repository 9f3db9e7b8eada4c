// bgp/wire/wire_error.hpp — what the codec says about bad bytes.
//
// Every malformation becomes a WireError value (never an exception): the RFC 4271
// §6 NOTIFICATION code and subcode, the offset and length of the offending bytes
// (counted from the first byte of the message, header included), the data a
// NOTIFICATION would carry, and the RFC 7606 §2 action. When several errors meet in
// one message, the strongest action wins (RFC 7606 §3 (h)). Pure, links only core/.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace petrel::bgp::wire {

// RFC 7606 §2, weakest first, so that std::max keeps the stronger one.
enum class ErrorAction : uint8_t {
  none = 0,
  attribute_discard = 1,  // drop this attribute, keep the route
  treat_as_withdraw = 2,  // every prefix of this UPDATE is withdrawn
  afisafi_disable = 3,    // stop this family on the session (RFC 4760 §7)
  session_reset = 4,      // send the NOTIFICATION and close
};
std::string_view to_string(ErrorAction a);
inline ErrorAction stronger(ErrorAction a, ErrorAction b) { return a < b ? b : a; }

// NOTIFICATION error codes (RFC 4271 §4.5) and the subcodes Petrel uses.
namespace err {
inline constexpr uint8_t header = 1;
inline constexpr uint8_t open = 2;
inline constexpr uint8_t update = 3;
inline constexpr uint8_t hold_timer_expired = 4;
inline constexpr uint8_t fsm = 5;            // RFC 6608 subcodes
inline constexpr uint8_t cease = 6;          // RFC 4486 subcodes
inline constexpr uint8_t route_refresh = 7;  // RFC 7313

// Message Header Error subcodes (RFC 4271 §6.1).
inline constexpr uint8_t connection_not_synchronized = 1;
inline constexpr uint8_t bad_message_length = 2;
inline constexpr uint8_t bad_message_type = 3;

// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492).
inline constexpr uint8_t unspecific = 0;
inline constexpr uint8_t unsupported_version = 1;
inline constexpr uint8_t bad_peer_as = 2;
inline constexpr uint8_t bad_bgp_identifier = 3;
inline constexpr uint8_t unsupported_optional_parameter = 4;
inline constexpr uint8_t unacceptable_hold_time = 6;
inline constexpr uint8_t unsupported_capability = 7;

// UPDATE Message Error subcodes (RFC 4271 §6.3).
inline constexpr uint8_t malformed_attribute_list = 1;
inline constexpr uint8_t unrecognized_well_known = 2;
inline constexpr uint8_t missing_well_known = 3;
inline constexpr uint8_t attribute_flags = 4;
inline constexpr uint8_t attribute_length = 5;
inline constexpr uint8_t invalid_origin = 6;
inline constexpr uint8_t invalid_next_hop = 8;
inline constexpr uint8_t optional_attribute = 9;
inline constexpr uint8_t invalid_network_field = 10;
inline constexpr uint8_t malformed_as_path = 11;

// ROUTE-REFRESH Message Error subcodes (RFC 7313 §5).
inline constexpr uint8_t invalid_message_length = 1;

// Cease subcodes (RFC 4486, RFC 9003).
inline constexpr uint8_t max_prefixes = 1;
inline constexpr uint8_t administrative_shutdown = 2;
inline constexpr uint8_t peer_deconfigured = 3;
inline constexpr uint8_t administrative_reset = 4;
inline constexpr uint8_t connection_rejected = 5;
inline constexpr uint8_t other_configuration_change = 6;
inline constexpr uint8_t connection_collision = 7;
inline constexpr uint8_t out_of_resources = 8;
inline constexpr uint8_t hard_reset = 9;  // RFC 8538
inline constexpr uint8_t bfd_down = 10;   // RFC 9384
}  // namespace err

struct WireError {
  uint8_t code = 0;
  uint8_t subcode = 0;
  uint32_t offset = 0;  // first offending byte, from the start of the message
  uint32_t length = 0;  // how many bytes offend
  ErrorAction action = ErrorAction::session_reset;
  std::vector<uint8_t> data;  // the NOTIFICATION's data field (RFC 4271 §6)
  std::string reason;         // one line for logs: what exactly was wrong

  friend bool operator==(const WireError&, const WireError&) = default;
};

// "UPDATE Message Error / Malformed AS_PATH" and similar.
std::string describe_code(uint8_t code, uint8_t subcode);
// One log line: code/subcode names, reason, offset, length and action.
std::string to_string(const WireError& e);
std::ostream& operator<<(std::ostream& os, const WireError& e);

}  // namespace petrel::bgp::wire
