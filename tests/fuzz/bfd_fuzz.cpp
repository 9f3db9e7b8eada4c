// tests/fuzz/bfd_fuzz.cpp — the BFD Control packet decoder (bfd/packet.hpp) and,
// behind it, the session state machine (bfd/session.hpp).
//
// Input: a sequence of records [delay in 10 ms steps] [length L] [L bytes of a
// datagram]; a first byte picks the session's multiplier and C bit. Each
// datagram goes to decode_control(); a packet it accepts must encode back to
// the same 24 bytes and is handed to one Session after the clock moved by the
// delay. After every step: the packets the session sends decode without error
// (so a peer never discards them), never carry both P and F, and the state
// machine stays in its four states with a remote discriminator whenever it is
// Init or Up.
#include <algorithm>
#include <cstring>

#include "bfd/packet.hpp"
#include "bfd/session.hpp"
#include "core/clock.hpp"
#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/fuzz_entry.hpp"

using namespace petrel;
using namespace petrel::bfd;

namespace {

void check_own_packet(const ControlPacket& p, const Session& s) {
  const auto bytes = encode_control(p);
  auto back = decode_control(bytes);
  PETREL_FUZZ_CHECK(back.has_value(), "our own packet is refused: " + back.error().message);
  PETREL_FUZZ_CHECK(!(p.poll && p.final), "P and F together");
  PETREL_FUZZ_CHECK(p.my_discriminator == s.local_discriminator());
  PETREL_FUZZ_CHECK(p.state == s.state());
}

void check_session(const Session& s) {
  PETREL_FUZZ_CHECK(static_cast<uint8_t>(s.state()) < 4);
  if (s.state() == State::init || s.state() == State::up)
    PETREL_FUZZ_CHECK(s.remote_discriminator() != 0, "Init/Up without a remote discriminator");
  // §6.8.3: the slow rate whenever the session is not Up.
  if (s.state() != State::up) PETREL_FUZZ_CHECK(s.tx_interval() >= kSlowTxInterval, "faster than 1 s while not Up");
}

}  // namespace

PETREL_FUZZ_TARGET(data, size) {
  if (size < 1) return 0;
  SessionSettings settings;
  settings.detect_mult = static_cast<uint8_t>(1 + (data[0] & 7));
  settings.control_plane_independent = data[0] & 8;
  settings.desired_min_tx = settings.required_min_rx = Micros(10'000 * (1 + (data[0] >> 4)));
  ManualClock clock;
  Session s(0x11223344, settings, 7, clock.now());
  std::size_t i = 1;
  while (i + 2 <= size) {
    clock.advance(std::chrono::milliseconds(10 * data[i]));
    const std::size_t n = std::min<std::size_t>(data[i + 1], size - i - 2);
    const std::span<const uint8_t> datagram(data + i + 2, n);
    i += 2 + n;

    (void)s.expire(clock.now());
    auto r = decode_control(datagram);
    if (r) {
      const auto again = encode_control(*r);
      PETREL_FUZZ_CHECK(std::equal(again.begin(), again.end(), datagram.begin()),
                        "decode/encode changed the packet: " + petrel::fuzz::hex(datagram.first(kControlLength)));
      (void)s.receive(*r, clock.now());
    } else {
      PETREL_FUZZ_CHECK(!r.error().message.empty());
    }
    for (int k = 0; k < 2; ++k)
      if (auto p = s.transmit(clock.now())) check_own_packet(*p, s);
    PETREL_FUZZ_CHECK(s.next_deadline() == TimePoint::min() || s.next_deadline() > clock.now() - std::chrono::hours(1));
    check_session(s);
  }
  return 0;
}
