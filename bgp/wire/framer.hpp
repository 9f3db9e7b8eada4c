// bgp/wire/framer.hpp — cuts a TCP byte stream into whole BGP messages.
//
// The session reads from its socket straight into prepare()'s buffer, commit()s
// what arrived, then calls next() until it returns no message. Each message is a
// view into the framer's buffer, valid until the next prepare() or feed(); nothing
// is copied per message. Header checks follow RFC 4271 §6.1 (marker, length limits
// per type, known type) with RFC 8654's larger limit once extended messages are
// negotiated; an error is final for the stream (the session resets).
// Pure: no I/O, no clock, no logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/types.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/result.hpp"

namespace petrel::bgp::wire {

struct Frame {
  MessageType type;
  std::span<const uint8_t> bytes;  // the whole message, header included
};

class Framer {
 public:
  explicit Framer(std::size_t max_message_size = kMaxMessageSize);

  // RFC 8654: raise the limit for UPDATE/NOTIFICATION/ROUTE-REFRESH after the
  // extended message capability was negotiated.
  void set_max_message_size(std::size_t n) { max_size_ = n; }

  // Space for at least `n` more bytes; the caller writes into it, then commit()s.
  std::span<uint8_t> prepare(std::size_t n);
  void commit(std::size_t n);
  // Convenience for tests and tools: copy bytes in.
  void feed(std::span<const uint8_t> bytes);

  // The next whole message, std::nullopt when more bytes are needed, or the header
  // error. After an error the framer stays failed and returns the same error.
  Result<std::optional<Frame>, WireError> next();

  std::size_t buffered() const { return end_ - begin_; }

 private:
  std::vector<uint8_t> buf_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t end_ = 0;    // one past the last committed byte
  std::size_t max_size_;
  std::optional<WireError> failed_;
};

// Checks one header (the first 19 bytes of `bytes`) as the framer does. Exposed for
// the fuzz target and for tests.
Result<MessageType, WireError> check_header(std::span<const uint8_t> header, std::size_t max_message_size);

}  // namespace petrel::bgp::wire
