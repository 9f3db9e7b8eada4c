// Framer: RFC 4271 §6.1 header checks, RFC 8654 limits, and byte-at-a-time input.
#include "bgp/wire/framer.hpp"

#include <doctest/doctest.h>

#include "bgp/wire/message.hpp"
#include "tests/support/wire_builder.hpp"

using namespace petrel::bgp::wire;
using namespace petrel::test;

namespace {

WireError header_error(const Bytes& bytes, std::size_t max = kMaxMessageSize) {
  Framer f(max);
  f.feed(bytes);
  auto r = f.next();
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

Bytes with_length(uint8_t type, uint16_t length) {
  Bytes m(16, 0xff);
  m.push_back(static_cast<uint8_t>(length >> 8));
  m.push_back(static_cast<uint8_t>(length));
  m.push_back(type);
  if (length > 19) m.resize(length, 0);
  return m;
}

}  // namespace

TEST_CASE("whole messages come out one by one, whatever the chunking") {
  Bytes stream;
  encode_keepalive(stream);
  const Bytes upd = update({24, 10, 0, 0}, {}, {});
  stream.insert(stream.end(), upd.begin(), upd.end());
  encode_keepalive(stream);
  for (std::size_t chunk : {1u, 2u, 7u, 19u, 20u, 1000u}) {
    CAPTURE(chunk);
    Framer f;
    std::vector<MessageType> seen;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - i);
      auto space = f.prepare(n);
      std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(i), n, space.begin());
      f.commit(n);
      for (;;) {
        auto m = f.next();
        REQUIRE(m.has_value());
        if (!*m) break;
        seen.push_back((*m)->type);
        if ((*m)->type == MessageType::update) CHECK((*m)->bytes.size() == upd.size());
      }
    }
    CHECK(seen == std::vector<MessageType>{MessageType::keepalive, MessageType::update, MessageType::keepalive});
    CHECK(f.buffered() == 0);
  }
}

TEST_CASE("RFC 4271 §6.1: marker not all ones is Connection Not Synchronized") {
  Bytes ka;
  encode_keepalive(ka);
  ka[5] = 0xfe;
  auto e = header_error(ka);
  CHECK(e.code == err::header);
  CHECK(e.subcode == err::connection_not_synchronized);
  CHECK(e.offset == 0);
  CHECK(e.length == 16);
  CHECK(e.action == ErrorAction::session_reset);
}

TEST_CASE("RFC 4271 §6.1: Bad Message Length carries the length field") {
  struct Row {
    uint8_t type;
    uint16_t length;
  };
  const Row rows[] = {
      {4, 18},    // below the header
      {4, 20},    // KEEPALIVE is exactly 19
      {1, 28},    // OPEN is at least 29
      {2, 22},    // UPDATE is at least 23
      {3, 20},    // NOTIFICATION is at least 21
      {5, 22},    // ROUTE-REFRESH is at least 23
      {2, 4097},  // above 4096 without extended messages
  };
  for (auto row : rows) {
    CAPTURE(int(row.type));
    CAPTURE(row.length);
    auto e = header_error(with_length(row.type, row.length));
    CHECK(e.subcode == err::bad_message_length);
    CHECK(e.offset == 16);
    CHECK(e.length == 2);
    CHECK(e.data == u16(row.length));
  }
}

TEST_CASE("RFC 4271 §6.1: Bad Message Type carries the type") {
  for (uint8_t t : {0, 6, 255}) {
    auto e = header_error(with_length(t, 19));
    CHECK(e.subcode == err::bad_message_type);
    CHECK(e.offset == 18);
    CHECK(e.data == Bytes{t});
  }
}

TEST_CASE("RFC 8654: extended messages raise the limit, but not for OPEN and KEEPALIVE") {
  Framer f(kMaxExtendedMessageSize);
  f.feed(with_length(2, 5000));
  auto m = f.next();
  REQUIRE(m.has_value());
  REQUIRE(m->has_value());
  CHECK((*m)->bytes.size() == 5000);
  auto e = header_error(with_length(1, 5000), kMaxExtendedMessageSize);
  CHECK(e.subcode == err::bad_message_length);
}

TEST_CASE("an error is final for the stream") {
  Framer f;
  f.feed(with_length(9, 19));
  CHECK_FALSE(f.next().has_value());
  Bytes ka;
  encode_keepalive(ka);
  f.feed(ka);
  CHECK_FALSE(f.next().has_value());
}

TEST_CASE("a partial message waits for more bytes") {
  Framer f;
  const Bytes upd = update({}, {}, {});
  f.feed(std::span(upd).first(20));
  auto m = f.next();
  REQUIRE(m.has_value());
  CHECK_FALSE(m->has_value());
  f.feed(std::span(upd).subspan(20));
  m = f.next();
  REQUIRE(m.has_value());
  CHECK(m->has_value());
}
