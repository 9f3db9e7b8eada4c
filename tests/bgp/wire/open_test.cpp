// OPEN and capabilities: round trips, RFC 4271 §6.2 errors, RFC 5492 unknown
// capabilities kept, RFC 9072 extended optional parameters.
#include "bgp/wire/open.hpp"

#include <doctest/doctest.h>

#include "tests/support/wire_builder.hpp"

using namespace petrel::bgp::wire;
using namespace petrel::test;

namespace {

OpenMessage full_open() {
  OpenMessage o;
  o.my_as = kAsTrans;
  o.hold_time = 90;
  o.bgp_identifier = 0x0a00000b;
  auto& c = o.capabilities;
  c.multiprotocol = {{1, 1}, {2, 1}};
  c.route_refresh = true;
  c.enhanced_route_refresh = true;
  c.four_octet_as = 4200000001u;
  c.graceful_restart = GracefulRestartCapability{true, true, 120, {{{1, 1}, true}, {{2, 1}, false}}};
  c.long_lived_gr = std::vector<LongLivedGrFamily>{{{1, 1}, true, 3600}, {{2, 1}, false, 0xffffff}};
  c.add_path = {{{1, 1}, AddPathMode::both}, {{2, 1}, AddPathMode::receive}};
  c.extended_message = true;
  c.extended_next_hop = {{1, 1, 2}};
  c.hostname = Hostname{"node-7", "cluster.local"};
  c.unknown = {{131, {1, 2, 3}}, {200, {}}};
  return o;
}

Bytes encoded(const OpenMessage& o) {
  Bytes out;
  encode_open(o, out);
  return out;
}

WireError open_error(const Bytes& msg) {
  auto r = decode_open(msg);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == err::open);
  CHECK(r.error().action == ErrorAction::session_reset);
  return r.error();
}

// An OPEN body with the given optional parameters.
Bytes open_with_params(const Bytes& params) {
  return message(1, cat({Bytes{4}, u16(65001), u16(90), u32(0x0a000001), Bytes{uint8_t(params.size())}, params}));
}

}  // namespace

TEST_CASE("OPEN with every capability round-trips") {
  const OpenMessage o = full_open();
  auto d = decode_open(encoded(o));
  REQUIRE(d.has_value());
  CHECK(*d == o);
  CHECK(d->peer_as() == 4200000001u);
}

TEST_CASE("an OPEN with no capabilities round-trips, peer AS from the 2-octet field") {
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 0;
  o.bgp_identifier = 1;
  auto d = decode_open(encoded(o));
  REQUIRE(d.has_value());
  CHECK(*d == o);
  CHECK(d->peer_as() == 65001);
}

TEST_CASE("RFC 9072: capabilities longer than 255 bytes use the extended length") {
  OpenMessage o = full_open();
  for (uint8_t i = 0; i < 60; ++i) o.capabilities.unknown.push_back({uint8_t(150 + (i % 50)), {i, i, i}});
  const Bytes msg = encoded(o);
  CHECK(msg[28] == 255);
  CHECK(msg[29] == 255);
  auto d = decode_open(msg);
  REQUIRE(d.has_value());
  CHECK(*d == o);
}

TEST_CASE("RFC 5492 §5: unknown capabilities are kept, not rejected") {
  auto d = decode_open(open_with_params({2, 6, 99, 4, 1, 2, 3, 4}));
  REQUIRE(d.has_value());
  REQUIRE(d->capabilities.unknown.size() == 1);
  CHECK(d->capabilities.unknown[0] == RawCapability{99, {1, 2, 3, 4}});
}

TEST_CASE("several Capabilities parameters merge") {
  auto d = decode_open(open_with_params({2, 2, 2, 0, 2, 6, 65, 4, 0, 0, 0xfd, 0xe9}));
  REQUIRE(d.has_value());
  CHECK(d->capabilities.route_refresh);
  CHECK(d->capabilities.four_octet_as == 65001u);
}

TEST_CASE("RFC 4271 §6.2: OPEN errors") {
  SUBCASE("unsupported version carries the version we support") {
    Bytes m = encoded(full_open());
    m[19] = 3;
    auto e = open_error(m);
    CHECK(e.subcode == err::unsupported_version);
    CHECK(e.offset == 19);
    CHECK(e.data == Bytes{0, 4});
  }
  SUBCASE("hold time of 1 or 2 seconds") {
    for (uint8_t h : {1, 2}) {
      Bytes m = encoded(full_open());
      m[22] = 0;
      m[23] = h;
      auto e = open_error(m);
      CHECK(e.subcode == err::unacceptable_hold_time);
      CHECK(e.offset == 22);
      CHECK(e.length == 2);
    }
    Bytes ok = encoded(full_open());
    ok[22] = 0;
    ok[23] = 3;
    CHECK(decode_open(ok).has_value());
  }
  SUBCASE("BGP identifier 0.0.0.0") {
    Bytes m = encoded(full_open());
    std::fill(m.begin() + 24, m.begin() + 28, 0);
    auto e = open_error(m);
    CHECK(e.subcode == err::bad_bgp_identifier);
    CHECK(e.offset == 24);
  }
  SUBCASE("an optional parameter other than Capabilities") {
    auto e = open_error(open_with_params({1, 2, 0, 0}));
    CHECK(e.subcode == err::unsupported_optional_parameter);
    CHECK(e.offset == 29);
    CHECK(e.length == 4);
  }
  SUBCASE("optional parameters length disagrees with the message") {
    Bytes m = open_with_params({2, 2, 2, 0});
    m[28] = 5;
    auto e = open_error(m);
    CHECK(e.subcode == err::unspecific);
    CHECK(e.offset == 28);
  }
  SUBCASE("a parameter overruns the parameters") {
    auto e = open_error(open_with_params({2, 9, 2, 0}));
    CHECK(e.subcode == err::unspecific);
    CHECK(e.offset == 29);
  }
}

TEST_CASE("RFC 4271 §6.2: a recognized but malformed capability is Unspecific, pointing at it") {
  const Bytes bad_caps[] = {
      {1, 3, 0, 1, 0},           // multiprotocol of 3 bytes
      {2, 1, 0},                 // route refresh with a value
      {65, 2, 0, 1},             // 4-octet AS of 2 bytes
      {64, 3, 0, 120, 0},        // graceful restart: not 2 + 4n
      {69, 4, 0, 1, 1, 4},       // add-path mode 4
      {69, 0},                   // add-path with no families
      {5, 4, 0, 1, 0, 1},        // extended next hop: not 6n
      {71, 6, 0, 1, 1, 0, 0, 0}, // long-lived GR: not 7n
      {73, 3, 5, 'a', 'b'},      // hostname length lies
      {6, 1, 0},                 // extended message with a value
      {70, 1, 0},                // enhanced route refresh with a value
      {65, 9, 0, 0},             // capability length overruns the parameter
  };
  for (const auto& cap : bad_caps) {
    CAPTURE(int(cap[0]));
    const Bytes params = cat({Bytes{2, uint8_t(cap.size())}, cap});
    auto e = open_error(open_with_params(params));
    CHECK(e.subcode == err::unspecific);
    CHECK(e.offset == 31);
  }
}

TEST_CASE("capabilities longer than one value can hold still round-trip") {
  OpenMessage o = full_open();
  o.capabilities.add_path.clear();
  for (uint16_t afi = 1; afi <= 100; ++afi) o.capabilities.add_path.push_back({{afi, 1}, AddPathMode::both});
  o.capabilities.extended_next_hop.clear();
  for (uint16_t afi = 1; afi <= 60; ++afi) o.capabilities.extended_next_hop.push_back({afi, 1, 2});
  o.capabilities.hostname = Hostname{std::string(200, 'h'), std::string(200, 'd')};
  const Bytes msg = encoded(o);
  auto d = decode_open(msg);
  REQUIRE_MESSAGE(d.has_value(), to_string(d.error()));
  CHECK(d->capabilities.add_path == o.capabilities.add_path);
  CHECK(d->capabilities.extended_next_hop == o.capabilities.extended_next_hop);
  // Host name first; the domain gets what is left of 255 - 2 bytes.
  CHECK(d->capabilities.hostname->host == std::string(200, 'h'));
  CHECK(d->capabilities.hostname->domain == std::string(53, 'd'));
}
