#include "bgp/wire/notification.hpp"

#include <algorithm>

#include "bgp/wire/message.hpp"
#include "core/bytes.hpp"

namespace petrel::bgp::wire {

bool is_valid_utf8(std::span<const uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = s[i];
    std::size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::optional<std::string> NotificationMessage::shutdown_message() const {
  if (code != err::cease || (subcode != err::administrative_shutdown && subcode != err::administrative_reset))
    return std::nullopt;
  if (data.empty()) return std::nullopt;
  const std::size_t len = data[0];
  // RFC 9003 §2: the length must match the data that follows.
  if (len + 1 != data.size()) return std::nullopt;
  const std::span<const uint8_t> text(data.data() + 1, len);
  if (!is_valid_utf8(text)) return std::nullopt;
  return std::string(text.begin(), text.end());
}

NotificationMessage to_notification(const WireError& e) { return {e.code, e.subcode, e.data}; }

NotificationMessage make_shutdown(uint8_t cease_subcode, std::string_view message) {
  std::size_t n = std::min(message.size(), kMaxShutdownMessage);
  // Do not cut a multi-byte character in half.
  while (n > 0 && n < message.size() && (static_cast<uint8_t>(message[n]) & 0xc0) == 0x80) --n;
  NotificationMessage out{err::cease, cease_subcode, {}};
  out.data.resize(n + 1);
  out.data[0] = static_cast<uint8_t>(n);
  std::copy_n(message.begin(), n, out.data.begin() + 1);
  return out;
}

NotificationMessage make_hard_reset(const NotificationMessage& inner) {
  NotificationMessage out{err::cease, err::hard_reset, {}};
  out.data.reserve(inner.data.size() + 2);
  out.data.push_back(inner.code);
  out.data.push_back(inner.subcode);
  out.data.insert(out.data.end(), inner.data.begin(), inner.data.end());
  return out;
}

Result<NotificationMessage, WireError> decode_notification(std::span<const uint8_t> message) {
  ByteReader r(message);
  r.skip(kHeaderSize);
  NotificationMessage n;
  n.code = r.u8();
  n.subcode = r.u8();
  if (r.failed())
    return WireError{err::header, err::bad_message_length, 16, 2, ErrorAction::session_reset, {},
                     "NOTIFICATION shorter than 21 bytes"};
  const auto rest = r.rest();
  n.data.assign(rest.begin(), rest.end());
  return n;
}

void encode_notification(const NotificationMessage& n, std::vector<uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::notification);
  ByteWriter w(out);
  w.u8(n.code);
  w.u8(n.subcode);
  // Never exceed the 4096 bytes a peer without extended messages accepts.
  w.bytes(n.data.data(), std::min(n.data.size(), kMaxMessageSize - 21));
  finish_message(out, start);
}

}  // namespace petrel::bgp::wire
