// bgp/wire/message.hpp — the 19-byte message header (RFC 4271 §4.1) and the
// KEEPALIVE message (§4.4), shared by every message encoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bgp/wire/types.hpp"

namespace petrel::bgp::wire {

// Appends a header with a zero length field and returns the offset of the
// message's first byte; finish_message() patches the length once the body is in.
std::size_t begin_message(std::vector<uint8_t>& out, MessageType type);
void finish_message(std::vector<uint8_t>& out, std::size_t start);

// A whole KEEPALIVE: the header alone.
void encode_keepalive(std::vector<uint8_t>& out);

// The body of a message that has passed the framer: bytes after the header.
inline std::span<const uint8_t> message_body(std::span<const uint8_t> message) {
  return message.subspan(kHeaderSize);
}

}  // namespace petrel::bgp::wire
