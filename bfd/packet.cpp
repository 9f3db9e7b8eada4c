// bfd/packet.cpp — see packet.hpp.
#include "bfd/packet.hpp"

namespace petrel::bfd {

namespace {

uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

Result<ControlPacket, PacketError> fail(PacketError::Code code, std::string message) {
  return Result<ControlPacket, PacketError>(boost::system::in_place_error, PacketError{code, std::move(message)});
}

// Flag bits of the second octet (RFC 5880 §4.1): Sta(2) P F C A D M.
constexpr uint8_t kPoll = 0x20, kFinal = 0x10, kCpi = 0x08, kAuth = 0x04, kDemand = 0x02, kMultipoint = 0x01;

}  // namespace

std::string_view to_string(State s) {
  switch (s) {
    case State::admin_down: return "AdminDown";
    case State::down: return "Down";
    case State::init: return "Init";
    case State::up: return "Up";
  }
  return "?";
}

std::string_view to_string(Diag d) {
  switch (d) {
    case Diag::none: return "No Diagnostic";
    case Diag::detection_time_expired: return "Control Detection Time Expired";
    case Diag::echo_failed: return "Echo Function Failed";
    case Diag::neighbor_down: return "Neighbor Signaled Session Down";
    case Diag::forwarding_reset: return "Forwarding Plane Reset";
    case Diag::path_down: return "Path Down";
    case Diag::concatenated_path_down: return "Concatenated Path Down";
    case Diag::admin_down: return "Administratively Down";
    case Diag::reverse_concatenated_path_down: return "Reverse Concatenated Path Down";
  }
  return "Reserved";
}

Result<ControlPacket, PacketError> decode_control(std::span<const uint8_t> d) {
  using C = PacketError::Code;
  if (d.size() < kControlLength)
    return fail(C::too_short, "datagram of " + std::to_string(d.size()) + " bytes, a Control packet needs 24");
  ControlPacket p;
  p.version = static_cast<uint8_t>(d[0] >> 5);
  p.diag = static_cast<Diag>(d[0] & 0x1f);
  p.state = static_cast<State>(d[1] >> 6);
  p.poll = d[1] & kPoll;
  p.final = d[1] & kFinal;
  p.control_plane_independent = d[1] & kCpi;
  p.authentication = d[1] & kAuth;
  p.demand = d[1] & kDemand;
  p.multipoint = d[1] & kMultipoint;
  p.detect_mult = d[2];
  p.length = d[3];
  p.my_discriminator = load32(&d[4]);
  p.your_discriminator = load32(&d[8]);
  p.desired_min_tx_us = load32(&d[12]);
  p.required_min_rx_us = load32(&d[16]);
  p.required_min_echo_rx_us = load32(&d[20]);

  // RFC 5880 §6.8.6, in its order.
  if (p.version != kVersion) return fail(C::bad_version, "version " + std::to_string(p.version) + ", expected 1");
  const std::size_t minimum = p.authentication ? kControlLength + 2 : kControlLength;
  if (p.length < minimum)
    return fail(C::bad_length, "Length " + std::to_string(p.length) + " below the minimum of " + std::to_string(minimum));
  if (p.length > d.size())
    return fail(C::length_beyond_datagram,
                "Length " + std::to_string(p.length) + " beyond the datagram's " + std::to_string(d.size()) + " bytes");
  if (p.detect_mult == 0) return fail(C::zero_detect_mult, "Detect Mult is zero");
  if (p.multipoint) return fail(C::multipoint, "Multipoint (M) bit set");
  if (p.my_discriminator == 0) return fail(C::zero_my_discriminator, "My Discriminator is zero");
  if (p.your_discriminator == 0 && p.state != State::down && p.state != State::admin_down)
    return fail(C::zero_your_discriminator_in_state,
                "Your Discriminator is zero in state " + std::string(to_string(p.state)));
  // §6.7: "If the A bit is set and no authentication is in use (bfd.AuthType is
  // zero), the packet MUST be discarded." Petrel uses none.
  if (p.authentication) return fail(C::authentication_not_configured, "Authentication (A) bit set, none configured");
  return p;
}

std::array<uint8_t, kControlLength> encode_control(const ControlPacket& p) {
  std::array<uint8_t, kControlLength> b{};
  b[0] = static_cast<uint8_t>((p.version << 5) | (static_cast<uint8_t>(p.diag) & 0x1f));
  b[1] = static_cast<uint8_t>((static_cast<uint8_t>(p.state) & 3) << 6);
  if (p.poll) b[1] |= kPoll;
  if (p.final) b[1] |= kFinal;
  if (p.control_plane_independent) b[1] |= kCpi;
  if (p.authentication) b[1] |= kAuth;
  if (p.demand) b[1] |= kDemand;
  if (p.multipoint) b[1] |= kMultipoint;
  b[2] = p.detect_mult;
  b[3] = p.length;
  store32(&b[4], p.my_discriminator);
  store32(&b[8], p.your_discriminator);
  store32(&b[12], p.desired_min_tx_us);
  store32(&b[16], p.required_min_rx_us);
  store32(&b[20], p.required_min_echo_rx_us);
  return b;
}

}  // namespace petrel::bfd
