// bgp/wire/open.hpp — the OPEN message (RFC 4271 §4.2) with its optional
// parameters: Capabilities (RFC 5492) and the extended optional parameters length
// of RFC 9072. Checks that need no session knowledge are made here (version, hold
// time 1 or 2, zero BGP identifier, parameter framing); those that do (peer AS,
// identifier equal to ours, required capabilities) belong to the FSM.
// Pure, links only core/.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bgp/wire/capabilities.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

struct OpenMessage {
  uint8_t version = 4;
  uint16_t my_as = 0;      // the 2-octet field: AS_TRANS when the real AS is larger
  uint16_t hold_time = 0;  // seconds; 0 or >= 3
  uint32_t bgp_identifier = 0;
  Capabilities capabilities;

  // The speaker's AS: the 4-octet AS capability when present (RFC 6793 §4.1),
  // otherwise the 2-octet field.
  uint32_t peer_as() const { return capabilities.four_octet_as.value_or(my_as); }

  friend bool operator==(const OpenMessage&, const OpenMessage&) = default;
};

// `message` is a whole OPEN as the framer yields it (header included).
Result<OpenMessage, WireError> decode_open(std::span<const uint8_t> message);
// Appends a whole OPEN. Uses the RFC 9072 extended length only when the
// capabilities do not fit in 255 bytes.
void encode_open(const OpenMessage& open, std::vector<uint8_t>& out);

}  // namespace petrel::bgp::wire
