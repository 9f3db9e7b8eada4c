// tests/bfd/packet_test.cpp — the Control packet codec: exact bytes, round
// trips, and one row per RFC 5880 §6.8.6 / §6.7 reception check.
#include "bfd/packet.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace petrel::bfd;

namespace {

// Version 1, Diag 3, state Up, P and C, Detect Mult 5, Length 24,
// discriminators 0x01020304 / 0x0a0b0c0d, 100 ms / 200 ms / 0.
const std::vector<uint8_t> kUp = {0x23, 0xe8, 0x05, 0x18, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
                                  0x00, 0x01, 0x86, 0xa0, 0x00, 0x03, 0x0d, 0x40, 0x00, 0x00, 0x00, 0x00};

ControlPacket up_packet() {
  ControlPacket p;
  p.diag = Diag::neighbor_down;
  p.state = State::up;
  p.poll = true;
  p.control_plane_independent = true;
  p.detect_mult = 5;
  p.my_discriminator = 0x01020304;
  p.your_discriminator = 0x0a0b0c0d;
  p.desired_min_tx_us = 100000;
  p.required_min_rx_us = 200000;
  return p;
}

}  // namespace

TEST_CASE("decode: every field of a hand-made packet") {
  auto r = decode_control(kUp);
  REQUIRE(r.has_value());
  CHECK(*r == up_packet());
  CHECK(to_string(r->state) == "Up");
  CHECK(to_string(r->diag) == "Neighbor Signaled Session Down");
}

TEST_CASE("encode gives the same bytes, and every flag lands on its own bit") {
  const auto b = encode_control(up_packet());
  CHECK(std::vector<uint8_t>(b.begin(), b.end()) == kUp);
  struct Row {
    bool ControlPacket::*flag;
    uint8_t bit;
  };
  for (const Row& row : {Row{&ControlPacket::poll, 0x20}, Row{&ControlPacket::final, 0x10},
                         Row{&ControlPacket::control_plane_independent, 0x08}, Row{&ControlPacket::authentication, 0x04},
                         Row{&ControlPacket::demand, 0x02}, Row{&ControlPacket::multipoint, 0x01}}) {
    ControlPacket p;
    p.state = State::init;
    p.*(row.flag) = true;
    CHECK(encode_control(p)[1] == (0x80 | row.bit));
  }
}

TEST_CASE("round trip over states, diagnostics and reserved diagnostics") {
  for (uint8_t s = 0; s < 4; ++s)
    for (uint8_t d = 0; d < 32; ++d) {
      ControlPacket p = up_packet();
      p.state = static_cast<State>(s);
      p.diag = static_cast<Diag>(d);
      p.poll = false;
      p.final = d % 2;
      const auto bytes = encode_control(p);
      auto r = decode_control(bytes);
      REQUIRE(r.has_value());
      CHECK(*r == p);
    }
}

TEST_CASE("bytes past Length are ignored; a Length up to the datagram is accepted") {
  std::vector<uint8_t> b = kUp;
  b.resize(40, 0xee);
  CHECK(decode_control(b).has_value());
  b[3] = 40;
  auto r = decode_control(b);
  REQUIRE(r.has_value());
  CHECK(r->length == 40);
}

TEST_CASE("reception checks: each row breaks exactly one rule") {
  struct Row {
    const char* what;
    void (*mutate)(std::vector<uint8_t>&);
    PacketError::Code code;
    const char* message;
  };
  using C = PacketError::Code;
  const Row rows[] = {
      {"23 bytes", [](std::vector<uint8_t>& b) { b.resize(23); }, C::too_short,
       "datagram of 23 bytes, a Control packet needs 24"},
      {"version 0", [](std::vector<uint8_t>& b) { b[0] = 0x03; }, C::bad_version, "version 0, expected 1"},
      {"version 2", [](std::vector<uint8_t>& b) { b[0] = 0x43; }, C::bad_version, "version 2, expected 1"},
      {"Length 23", [](std::vector<uint8_t>& b) { b[3] = 23; }, C::bad_length, "Length 23 below the minimum of 24"},
      {"Length 25", [](std::vector<uint8_t>& b) { b[3] = 25; }, C::length_beyond_datagram,
       "Length 25 beyond the datagram's 24 bytes"},
      {"A bit, Length 24", [](std::vector<uint8_t>& b) { b[1] |= 0x04; }, C::bad_length,
       "Length 24 below the minimum of 26"},
      {"Detect Mult 0", [](std::vector<uint8_t>& b) { b[2] = 0; }, C::zero_detect_mult, "Detect Mult is zero"},
      {"M bit", [](std::vector<uint8_t>& b) { b[1] |= 0x01; }, C::multipoint, "Multipoint (M) bit set"},
      {"My Discriminator 0", [](std::vector<uint8_t>& b) { std::fill(b.begin() + 4, b.begin() + 8, 0); },
       C::zero_my_discriminator, "My Discriminator is zero"},
      {"Your Discriminator 0 in Up", [](std::vector<uint8_t>& b) { std::fill(b.begin() + 8, b.begin() + 12, 0); },
       C::zero_your_discriminator_in_state, "Your Discriminator is zero in state Up"},
      {"Your Discriminator 0 in Init",
       [](std::vector<uint8_t>& b) {
         std::fill(b.begin() + 8, b.begin() + 12, 0);
         b[1] = static_cast<uint8_t>((b[1] & 0x3f) | 0x80);
       },
       C::zero_your_discriminator_in_state, "Your Discriminator is zero in state Init"},
      {"A bit with room for it",
       [](std::vector<uint8_t>& b) {
         b[1] |= 0x04;
         b[3] = 26;
         b.resize(26);
       },
       C::authentication_not_configured, "Authentication (A) bit set, none configured"},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    std::vector<uint8_t> b = kUp;
    row.mutate(b);
    auto r = decode_control(b);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == row.code);
    CHECK(r.error().message == row.message);
  }
}

TEST_CASE("Your Discriminator 0 is fine in Down and AdminDown") {
  for (uint8_t state : {0, 1}) {
    std::vector<uint8_t> b = kUp;
    std::fill(b.begin() + 8, b.begin() + 12, 0);
    b[1] = static_cast<uint8_t>((b[1] & 0x3f) | (state << 6));
    CHECK(decode_control(b).has_value());
  }
}
