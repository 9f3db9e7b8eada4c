// NOTIFICATION (RFC 4271 §4.5) with RFC 9003 shutdown communication, and
// ROUTE-REFRESH (RFC 2918, RFC 7313).
#include "bgp/wire/notification.hpp"

#include <doctest/doctest.h>

#include "bgp/wire/route_refresh.hpp"
#include "tests/support/wire_builder.hpp"

using namespace petrel::bgp::wire;
using namespace petrel::test;

TEST_CASE("NOTIFICATION round-trips with any code and data") {
  const NotificationMessage n{err::update, err::malformed_as_path, {1, 2, 3}};
  Bytes out;
  encode_notification(n, out);
  CHECK(out.size() == 24);
  auto d = decode_notification(out);
  REQUIRE(d.has_value());
  CHECK(*d == n);
  CHECK(describe_code(n.code, n.subcode) == "UPDATE Message Error / Malformed AS_PATH");
  CHECK(describe_code(42, 7) == "error code 42 / subcode 7");
}

TEST_CASE("RFC 9003: shutdown communication") {
  auto n = make_shutdown(err::administrative_shutdown, "maintenance: moving to rack 7 — back at 14:00");
  Bytes out;
  encode_notification(n, out);
  auto d = decode_notification(out);
  REQUIRE(d.has_value());
  CHECK(d->shutdown_message() == "maintenance: moving to rack 7 — back at 14:00");
  CHECK(make_shutdown(err::administrative_reset, "").shutdown_message() == "");

  SUBCASE("cut to 255 bytes without splitting a character") {
    std::string long_text(254, 'x');
    long_text += "é";  // two bytes: 254 + 2 = 256 > 255
    auto cut = make_shutdown(err::administrative_shutdown, long_text);
    CHECK(cut.data[0] == 254);
    CHECK(cut.shutdown_message() == std::string(254, 'x'));
  }
  SUBCASE("a length that lies, or bytes that are not UTF-8, give no text") {
    NotificationMessage lie{err::cease, err::administrative_shutdown, {9, 'a', 'b'}};
    CHECK_FALSE(lie.shutdown_message());
    NotificationMessage bad{err::cease, err::administrative_shutdown, {2, 0xc3, 0x28}};
    CHECK_FALSE(bad.shutdown_message());
    NotificationMessage overlong{err::cease, err::administrative_shutdown, {2, 0xc0, 0x80}};
    CHECK_FALSE(overlong.shutdown_message());
    NotificationMessage other{err::cease, err::peer_deconfigured, {1, 'a'}};
    CHECK_FALSE(other.shutdown_message());
  }
}

TEST_CASE("RFC 8538 §3: a Hard Reset carries the inner NOTIFICATION's code, subcode and data") {
  const NotificationMessage inner{err::cease, err::peer_deconfigured, {}};
  const NotificationMessage hard = make_hard_reset(inner);
  CHECK(hard.code == err::cease);
  CHECK(hard.subcode == err::hard_reset);
  CHECK(hard.data == std::vector<uint8_t>{err::cease, err::peer_deconfigured});
  const NotificationMessage shutdown = make_shutdown(err::administrative_shutdown, "bye");
  CHECK(make_hard_reset(shutdown).data == std::vector<uint8_t>{err::cease, err::administrative_shutdown, 3, 'b', 'y', 'e'});
  std::vector<uint8_t> bytes;
  encode_notification(hard, bytes);
  auto back = decode_notification(bytes);
  REQUIRE(back.has_value());
  CHECK(*back == hard);
}

TEST_CASE("UTF-8 validation") {
  auto ok = [](std::string_view s) {
    return is_valid_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  };
  CHECK(ok("plain"));
  CHECK(ok("räksmörgås ✓ 🐦"));
  CHECK_FALSE(ok("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(ok("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(ok("\xe2\x82"));          // truncated
  CHECK_FALSE(ok("\xff"));
}

TEST_CASE("a WireError becomes the NOTIFICATION it calls for") {
  const WireError e{err::update, err::attribute_flags, 40, 4, ErrorAction::session_reset, {0xc0, 1, 1, 0}, "x"};
  const auto n = to_notification(e);
  CHECK(n == NotificationMessage{3, 4, {0xc0, 1, 1, 0}});
}

TEST_CASE("ROUTE-REFRESH round-trips, with RFC 7313 subtypes") {
  for (auto st : {RefreshSubtype::request, RefreshSubtype::begin, RefreshSubtype::end}) {
    const RouteRefreshMessage m{{2, 1}, st};
    Bytes out;
    encode_route_refresh(m, out);
    CHECK(out.size() == 23);
    auto d = decode_route_refresh(out);
    REQUIRE(d.has_value());
    REQUIRE(d->has_value());
    CHECK(**d == m);
  }
}

TEST_CASE("RFC 7313 §5: ROUTE-REFRESH errors") {
  SUBCASE("a length other than 23 carries the whole message") {
    const Bytes m = message(5, {0, 1, 0, 1, 0});
    auto d = decode_route_refresh(m);
    REQUIRE_FALSE(d.has_value());
    CHECK(d.error().code == err::route_refresh);
    CHECK(d.error().subcode == err::invalid_message_length);
    CHECK(d.error().data == m);
  }
  SUBCASE("an unknown subtype is ignored") {
    auto d = decode_route_refresh(message(5, {0, 1, 7, 1}));
    REQUIRE(d.has_value());
    CHECK_FALSE(d->has_value());
  }
}
