// bfd/packet.hpp — the BFD Control packet (RFC 5880 §4.1), mandatory section
// only: decode with every reception check that needs nothing but the packet
// (RFC 5880 §6.8.6, §6.7), and encode. Pure: bytes in, a value or a precise
// PacketError out; no I/O, no clock, no logging, never throws.
//
// Authentication is not implemented: a packet with the A bit is refused
// (§6.7: a session without authentication discards it). Checks that need the
// session table (an unknown Your Discriminator, the source address) belong to
// the I/O shell (bfd/service.hpp), the state changes to bfd/session.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace petrel::bfd {

inline constexpr uint8_t kVersion = 1;
inline constexpr std::size_t kControlLength = 24;  // the mandatory section

// RFC 5880 §4.1 "State (Sta)".
enum class State : uint8_t { admin_down = 0, down = 1, init = 2, up = 3 };

// RFC 5880 §4.1 "Diagnostic (Diag)"; 9..31 are reserved and kept as received.
enum class Diag : uint8_t {
  none = 0,
  detection_time_expired = 1,
  echo_failed = 2,
  neighbor_down = 3,
  forwarding_reset = 4,
  path_down = 5,
  concatenated_path_down = 6,
  admin_down = 7,
  reverse_concatenated_path_down = 8,
};

std::string_view to_string(State s);  // "AdminDown", "Down", "Init", "Up" (RFC 5880 and BIRD spelling)
std::string_view to_string(Diag d);   // "No Diagnostic", "Control Detection Time Expired", …

struct ControlPacket {
  uint8_t version = kVersion;
  Diag diag = Diag::none;
  State state = State::down;
  bool poll = false;
  bool final = false;
  bool control_plane_independent = false;  // C
  bool authentication = false;             // A
  bool demand = false;                     // D
  bool multipoint = false;                 // M
  uint8_t detect_mult = 3;
  uint8_t length = kControlLength;
  uint32_t my_discriminator = 0;
  uint32_t your_discriminator = 0;
  uint32_t desired_min_tx_us = 0;
  uint32_t required_min_rx_us = 0;
  uint32_t required_min_echo_rx_us = 0;
  friend bool operator==(const ControlPacket&, const ControlPacket&) = default;
};

struct PacketError {
  enum class Code : uint8_t {
    too_short,             // the datagram holds less than the mandatory section
    bad_version,           // §6.8.6: Version is not 1
    bad_length,            // §6.8.6: Length below 24 (26 with A)
    length_beyond_datagram,// §6.8.6: Length larger than the UDP payload
    zero_detect_mult,      // §6.8.6: Detect Mult is zero
    multipoint,            // §6.8.6: M bit set
    zero_my_discriminator, // §6.8.6: My Discriminator is zero
    zero_your_discriminator_in_state,  // §6.8.6: Your Discriminator zero, State not Down/AdminDown
    authentication_not_configured,     // §6.7: A bit set, no authentication in use
  };
  Code code;
  std::string message;  // for logs: names the field and the value
  friend bool operator==(const PacketError&, const PacketError&) = default;
};

// Decodes a UDP payload. Bytes past Length are ignored.
Result<ControlPacket, PacketError> decode_control(std::span<const uint8_t> datagram);

// The 24 bytes of the mandatory section, fields as given (Length as given too).
std::array<uint8_t, kControlLength> encode_control(const ControlPacket& p);

}  // namespace petrel::bfd
