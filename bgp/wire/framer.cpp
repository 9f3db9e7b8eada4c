#include "bgp/wire/framer.hpp"

#include <algorithm>
#include <cstring>

namespace petrel::bgp::wire {

namespace {

// RFC 4271 §4: the smallest legal length of each message type.
std::size_t min_length(MessageType t) {
  switch (t) {
    case MessageType::open: return 29;          // §4.2
    case MessageType::update: return 23;        // §4.3
    case MessageType::notification: return 21;  // §4.5
    case MessageType::keepalive: return 19;     // §4.4
    case MessageType::route_refresh: return 23; // RFC 2918 §3
  }
  return kHeaderSize;
}

WireError header_error(uint8_t subcode, uint32_t offset, uint32_t length, std::span<const uint8_t> data,
                       std::string reason) {
  return WireError{err::header, subcode, offset, length, ErrorAction::session_reset,
                   std::vector<uint8_t>(data.begin(), data.end()), std::move(reason)};
}

}  // namespace

Result<MessageType, WireError> check_header(std::span<const uint8_t> h, std::size_t max_size) {
  if (h.size() < kHeaderSize)
    return header_error(err::bad_message_length, 0, static_cast<uint32_t>(h.size()), {}, "short header");
  // RFC 4271 §6.1: the marker must be all ones.
  for (std::size_t i = 0; i < 16; ++i)
    if (h[i] != 0xff)
      return header_error(err::connection_not_synchronized, 0, 16, {}, "marker is not all ones");
  const uint16_t length = static_cast<uint16_t>((h[16] << 8) | h[17]);
  const uint8_t type_byte = h[18];
  // RFC 4271 §6.1: Bad Message Type carries the type octet.
  if (type_byte < 1 || type_byte > 5)
    return header_error(err::bad_message_type, 18, 1, h.subspan(18, 1),
                        "unknown message type " + std::to_string(type_byte));
  const auto type = static_cast<MessageType>(type_byte);
  // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 bytes whatever was negotiated.
  std::size_t limit = max_size;
  if (type == MessageType::open || type == MessageType::keepalive) limit = kMaxMessageSize;
  const bool bad = length < min_length(type) || length > limit ||
                   (type == MessageType::keepalive && length != kHeaderSize);
  // RFC 4271 §6.1: Bad Message Length carries the erroneous length field.
  // ROUTE-REFRESH of the wrong length is RFC 7313 §5's own error, found by its decoder.
  if (bad)
    return header_error(err::bad_message_length, 16, 2, h.subspan(16, 2),
                        std::string(to_string(type)) + " length " + std::to_string(length) +
                            " outside " + std::to_string(min_length(type)) + ".." + std::to_string(limit));
  return type;
}

Framer::Framer(std::size_t max_message_size) : max_size_(max_message_size) {}

std::span<uint8_t> Framer::prepare(std::size_t n) {
  // Slide unconsumed bytes to the front before growing, so the buffer stays
  // about one read plus one partial message in size.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() < end_ + n) buf_.resize(std::max(end_ + n, buf_.size() * 2));
  return {buf_.data() + end_, n};
}

void Framer::commit(std::size_t n) { end_ = std::min(end_ + n, buf_.size()); }

void Framer::feed(std::span<const uint8_t> bytes) {
  auto space = prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  commit(bytes.size());
}

Result<std::optional<Frame>, WireError> Framer::next() {
  if (failed_) return *failed_;
  const std::size_t avail = end_ - begin_;
  if (avail < kHeaderSize) return std::optional<Frame>{};
  const std::span<const uint8_t> head(buf_.data() + begin_, avail);
  auto type = check_header(head, max_size_);
  if (!type) {
    failed_ = type.error();
    return *failed_;
  }
  const std::size_t length = (std::size_t{head[16]} << 8) | head[17];
  if (avail < length) return std::optional<Frame>{};
  begin_ += length;
  return std::optional<Frame>{Frame{*type, head.first(length)}};
}

}  // namespace petrel::bgp::wire
