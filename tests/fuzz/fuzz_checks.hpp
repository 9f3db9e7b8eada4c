// tests/fuzz/fuzz_checks.hpp — what the fuzz targets check about each decoded message.
//
// Every codec entry point must return a value or a WireError for any bytes: no crash,
// no sanitizer report, no hang. On top of that these functions check properties that
// hold for every input, and abort() with a description when one does not:
//   - a WireError points inside the message (offset + length <= size) and an
//     UPDATE's action is the strongest of its errors (RFC 7606 §3 (h));
//   - OPEN: decode, encode, decode gives the same value, and encoding is then stable;
//   - UPDATE without errors: to_message(), encode_update(), decode_update() gives the
//     same UpdateMessage (see exercise_update() for the exact, narrower claim with
//     2-octet AS peers);
//   - NOTIFICATION and ROUTE-REFRESH: decode, encode, decode gives the same value.
// Shared by the four targets and by the replay test; links only the codec.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bgp/wire/codec_context.hpp"
#include "bgp/wire/framer.hpp"
#include "bgp/wire/types.hpp"
#include "bgp/wire/wire_error.hpp"

namespace petrel::fuzz {

// Prints "fuzz invariant broken: <what>" and `detail`, then aborts.
[[noreturn]] void fail(const char* what, const std::string& detail = {});

// PETREL_FUZZ_CHECK(cond) or PETREL_FUZZ_CHECK(cond, detail-string).
#define PETREL_FUZZ_CHECK(cond, ...)                                    \
  do {                                                                  \
    if (!(cond)) ::petrel::fuzz::fail(#cond __VA_OPT__(, ) __VA_ARGS__); \
  } while (0)

std::string hex(std::span<const uint8_t> bytes);

// The first input byte of the framer and UPDATE targets picks the session's
// negotiated context. Flags 0 is the default CodecContext (4-octet AS, nothing else).
namespace ctx_flag {
inline constexpr uint8_t two_octet_as = 0x01;
inline constexpr uint8_t add_path_ipv4 = 0x02;  // add_path_receive for IPv4 unicast
inline constexpr uint8_t add_path_ipv6 = 0x04;  // add_path_receive for IPv6 unicast
inline constexpr uint8_t extended_message = 0x08;
inline constexpr uint8_t ipv4_with_ipv6_next_hop = 0x10;
inline constexpr uint8_t external_peer = 0x20;
}  // namespace ctx_flag
bgp::wire::CodecContext context_from_flags(uint8_t flags);

// A whole message of `type` around `body`: marker, length, type. The body is cut so
// that the message stays within `max_size` (as the framer would have ensured).
std::vector<uint8_t> with_header(bgp::wire::MessageType type, std::span<const uint8_t> body,
                                 std::size_t max_size);

// Checks that `e` describes bytes inside a message of `size` bytes, and that its
// description can be printed.
void check_error(const bgp::wire::WireError& e, std::size_t size);

// Each takes a whole message (header included) that has passed the framer.
void exercise_open(std::span<const uint8_t> message);
void exercise_update(std::span<const uint8_t> message, const bgp::wire::CodecContext& ctx);
void exercise_notification(std::span<const uint8_t> message);
void exercise_route_refresh(std::span<const uint8_t> message);
// Dispatches a framed message to the matching decoder above.
void exercise_frame(const bgp::wire::Frame& frame, const bgp::wire::CodecContext& ctx);

}  // namespace petrel::fuzz
