#include "bgp/wire/open.hpp"

#include "bgp/wire/message.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

namespace {

constexpr uint8_t kParamCapabilities = 2;  // RFC 5492 §4
constexpr uint8_t kParamExtendedLength = 255;  // RFC 9072 §2

WireError open_error(uint8_t subcode, std::size_t offset, std::size_t length, std::string reason,
                     std::vector<uint8_t> data = {}) {
  return WireError{err::open, subcode, static_cast<uint32_t>(offset), static_cast<uint32_t>(length),
                   ErrorAction::session_reset, std::move(data), std::move(reason)};
}

}  // namespace

Result<OpenMessage, WireError> decode_open(std::span<const uint8_t> message) {
  ByteReader r(message);
  r.skip(kHeaderSize);
  OpenMessage open;
  open.version = r.u8();
  open.my_as = r.u16();
  open.hold_time = r.u16();
  open.bgp_identifier = r.u32();
  uint8_t opt_len8 = r.u8();
  if (r.failed())  // the framer guarantees 29 bytes; a caller that skipped it gets an error, not a read
    return open_error(err::unspecific, 0, message.size(), "OPEN shorter than 29 bytes");
  // RFC 4271 §6.2: version 4 only; the data is the largest version we support.
  if (open.version != 4)
    return open_error(err::unsupported_version, 19, 1, "version " + std::to_string(open.version), {0, 4});
  // RFC 4271 §6.2: a hold time of one or two seconds is unacceptable.
  if (open.hold_time == 1 || open.hold_time == 2)
    return open_error(err::unacceptable_hold_time, 22, 2, "hold time " + std::to_string(open.hold_time));
  // RFC 4271 §6.2 / RFC 6286 §2.2: the identifier must not be zero.
  if (open.bgp_identifier == 0) return open_error(err::bad_bgp_identifier, 24, 4, "BGP identifier is 0.0.0.0");

  // RFC 9072 §2: a length octet of 255 followed by a type octet of 255 means the
  // real length follows in two octets and every parameter has a 2-octet length.
  bool extended = false;
  std::size_t opt_len = opt_len8;
  if (opt_len8 == kParamExtendedLength && r.has(1) && *r.current() == kParamExtendedLength) {
    r.skip(1);
    opt_len = r.u16();
    extended = true;
    if (r.failed()) return open_error(err::unspecific, 28, message.size() - 28, "truncated extended length");
  }
  if (opt_len != r.remaining())
    return open_error(err::unspecific, 28, 1,
                      "optional parameters length " + std::to_string(opt_len) + " but " +
                          std::to_string(r.remaining()) + " bytes follow");
  while (!r.empty()) {
    const std::size_t at = r.position();
    const uint8_t type = r.u8();
    const std::size_t len = extended ? r.u16() : r.u8();
    if (r.failed() || !r.has(len))
      return open_error(err::unspecific, at, message.size() - at, "optional parameter overruns the message");
    const auto value = r.bytes(len);
    if (type != kParamCapabilities) {
      // RFC 4271 §6.2: unrecognized optional parameter.
      return open_error(err::unsupported_optional_parameter, at, len + (extended ? 3 : 2),
                        "optional parameter type " + std::to_string(type));
    }
    const auto value_at = static_cast<uint32_t>(at + (extended ? 3 : 2));
    if (auto ok = decode_capability_list(value, value_at, open.capabilities); !ok) return ok.error();
  }
  return open;
}

void encode_open(const OpenMessage& open, std::vector<uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::open);
  ByteWriter w(out);
  w.u8(open.version);
  w.u16(open.my_as);
  w.u16(open.hold_time);
  w.u32(open.bgp_identifier);
  std::vector<uint8_t> caps;
  encode_capabilities(open.capabilities, caps);
  if (caps.empty()) {
    w.u8(0);
  } else if (caps.size() + 2 <= 255) {
    w.u8(static_cast<uint8_t>(caps.size() + 2));
    w.u8(kParamCapabilities);
    w.u8(static_cast<uint8_t>(caps.size()));
    w.bytes(caps);
  } else {  // RFC 9072 §2
    w.u8(kParamExtendedLength);
    w.u8(kParamExtendedLength);
    w.u16(static_cast<uint16_t>(caps.size() + 3));
    w.u8(kParamCapabilities);
    w.u16(static_cast<uint16_t>(caps.size()));
    w.bytes(caps);
  }
  finish_message(out, start);
}

}  // namespace petrel::bgp::wire
