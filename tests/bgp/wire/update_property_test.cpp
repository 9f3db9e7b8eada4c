// Seeded property tests: generated valid UPDATEs round-trip exactly (encode →
// decode → equal) under every kind of negotiated context; random mutations of
// valid messages decode to a value or a WireError, never a crash (run under
// ASan/UBSan in CI). The seed is printed on failure, so a case can be replayed.
#include "bgp/wire/update.hpp"

#include <doctest/doctest.h>

#include "bgp/wire/framer.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/route_refresh.hpp"
#include "tests/support/update_generator.hpp"

using namespace petrel::bgp::wire;
using petrel::test::UpdateGenerator;

TEST_CASE("generated UPDATEs round-trip exactly") {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    UpdateGenerator gen(seed);
    const CodecContext ctx = gen.context();
    const UpdateMessage m = gen.update(ctx);
    std::vector<uint8_t> bytes;
    if (!encode_update(m, ctx, bytes).has_value()) continue;  // too big for the limit: not a round-trip case
    CAPTURE(seed);
    auto d = decode_update(bytes, ctx);
    REQUIRE_MESSAGE(d.has_value(), to_string(d.error()));
    REQUIRE_MESSAGE(d->errors.empty(), to_string(d->errors.front()));
    CHECK(to_message(*d) == m);
    ++checked;
  }
  CHECK(checked > 2500);
}

TEST_CASE("the framer cuts a stream of generated messages back into them") {
  UpdateGenerator gen(77);
  CodecContext ctx = gen.context();
  ctx.extended_message = true;
  std::vector<uint8_t> stream;
  std::vector<UpdateMessage> sent;
  for (int i = 0; i < 200; ++i) {
    auto m = gen.update(ctx);
    if (encode_update(m, ctx, stream).has_value()) sent.push_back(std::move(m));
  }
  Framer f(kMaxExtendedMessageSize);
  std::size_t at = 0;
  std::size_t got = 0;
  while (at < stream.size()) {
    const std::size_t n = std::min<std::size_t>(gen.pick(1, 5000), stream.size() - at);
    f.feed(std::span(stream).subspan(at, n));
    at += n;
    for (;;) {
      auto frame = f.next();
      REQUIRE(frame.has_value());
      if (!*frame) break;
      auto d = decode_update((*frame)->bytes, ctx);
      REQUIRE(d.has_value());
      REQUIRE(got < sent.size());
      CHECK(to_message(*d) == sent[got++]);
    }
  }
  CHECK(got == sent.size());
}

namespace {

// Flips, overwrites, inserts, deletes or truncates a few bytes.
std::vector<uint8_t> mutate(std::vector<uint8_t> b, UpdateGenerator& gen) {
  for (uint32_t k = gen.pick(1, 4); k > 0 && !b.empty(); --k) {
    const std::size_t at = gen.pick(0, static_cast<uint32_t>(b.size() - 1));
    switch (gen.pick(0, 4)) {
      case 0: b[at] ^= static_cast<uint8_t>(1u << gen.pick(0, 7)); break;
      case 1: b[at] = static_cast<uint8_t>(gen.pick(0, 255)); break;
      case 2: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(gen.pick(0, 255))); break;
      case 3: b.erase(b.begin() + static_cast<std::ptrdiff_t>(at)); break;
      case 4: b.resize(at); break;
    }
  }
  return b;
}

// Decodes a body mutated under a header that frames it, so the body decoders see
// every mutation (the framer's own checks are exercised separately).
std::vector<uint8_t> reframe(std::vector<uint8_t> b, uint8_t type) {
  if (b.size() < kHeaderSize) b.resize(kHeaderSize);
  std::fill(b.begin(), b.begin() + 16, 0xff);
  b[16] = static_cast<uint8_t>(b.size() >> 8);
  b[17] = static_cast<uint8_t>(b.size());
  b[18] = type;
  return b;
}

}  // namespace

TEST_CASE("mutated UPDATEs give a value or a WireError, never a crash") {
  std::size_t values = 0, errors = 0;
  for (uint64_t seed = 1; seed <= 4000; ++seed) {
    UpdateGenerator gen(seed);
    const CodecContext ctx = gen.context();
    std::vector<uint8_t> bytes;
    if (!encode_update(gen.update(ctx), ctx, bytes).has_value()) continue;
    const auto bad = reframe(mutate(bytes, gen), 2);
    CAPTURE(seed);
    auto d = decode_update(bad, ctx);
    if (d.has_value()) {
      ++values;
      // Everything the view promises must be readable.
      std::size_t n = 0;
      for (auto e : d->withdrawn) n += e.prefix.length();
      for (auto e : d->nlri) n += e.prefix.length();
      if (d->mp_reach)
        for (auto e : d->mp_reach->nlri) n += e.prefix.length();
      if (d->mp_unreach)
        for (auto e : d->mp_unreach->nlri) n += e.prefix.length();
      CHECK(n < 1000000);
      for (const auto& e : d->errors) CHECK(e.offset + e.length <= bad.size());
    } else {
      ++errors;
      CHECK(d.error().action == ErrorAction::session_reset);
      CHECK(d.error().offset + d.error().length <= bad.size());
    }
  }
  // Both outcomes must really occur, or the mutations are not reaching the decoder.
  CHECK(values > 100);
  CHECK(errors > 100);
}

TEST_CASE("mutated OPEN, NOTIFICATION and ROUTE-REFRESH messages never crash") {
  UpdateGenerator gen(5);
  OpenMessage o;
  o.my_as = 65001;
  o.hold_time = 90;
  o.bgp_identifier = 7;
  o.capabilities.multiprotocol = {{1, 1}, {2, 1}};
  o.capabilities.four_octet_as = 65001;
  o.capabilities.graceful_restart = GracefulRestartCapability{false, true, 120, {{{1, 1}, true}}};
  o.capabilities.add_path = {{{1, 1}, AddPathMode::both}};
  o.capabilities.hostname = Hostname{"h", "d"};
  std::vector<uint8_t> open_bytes, note_bytes, rr_bytes;
  encode_open(o, open_bytes);
  encode_notification(make_shutdown(err::administrative_shutdown, "bye"), note_bytes);
  encode_route_refresh({{2, 1}, RefreshSubtype::begin}, rr_bytes);
  std::size_t open_ok = 0;
  for (int i = 0; i < 3000; ++i) {
    if (decode_open(reframe(mutate(open_bytes, gen), 1)).has_value()) ++open_ok;
    (void)decode_notification(reframe(mutate(note_bytes, gen), 3));
    (void)decode_route_refresh(reframe(mutate(rr_bytes, gen), 5));
    // The framer sees raw mutations, header included.
    Framer f;
    f.feed(mutate(open_bytes, gen));
    for (int k = 0; k < 4; ++k) {
      auto m = f.next();
      if (!m.has_value() || !*m) break;
    }
  }
  CHECK(open_ok > 0);
  CHECK(open_ok < 3000);
}
