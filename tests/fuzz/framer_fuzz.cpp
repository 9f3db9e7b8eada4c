// tests/fuzz/framer_fuzz.cpp — the Framer, and behind it every message decoder.
//
// Input: [context flags] [chunking seed] [a TCP byte stream...]
// The flags pick the CodecContext (fuzz_checks.hpp); with extended_message the
// limit is raised after the first OPEN, as a session does once it is negotiated.
// The stream arrives in chunks whose sizes come from the seed, alternately through
// feed() and through prepare()/commit() with room to spare, and next() is drained
// after each chunk. Each message must be the stream's next bytes, exactly; the
// buffered count must add up; a header error must be final; every message goes to
// its decoder (exercise_frame()).
#include "bgp/wire/framer.hpp"

#include <algorithm>
#include <cstring>

#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/fuzz_entry.hpp"

using namespace petrel::bgp::wire;

namespace {

// Chunk sizes from a small xorshift generator: the seed's low three bits pick the
// largest chunk, from one byte at a time to everything at once.
class Chunker {
 public:
  explicit Chunker(uint8_t seed) : state_(0x9e3779b9u ^ (uint32_t{seed} * 0x01000193u)) {
    static constexpr std::size_t kMax[] = {1, 2, 3, 7, 19, 64, 512, 1 << 20};
    max_ = kMax[seed & 7];
  }
  std::size_t next() { return 1 + random() % max_; }
  std::size_t spare() { return random() % 32; }

 private:
  uint32_t random() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  uint32_t state_;
  std::size_t max_;
};

}  // namespace

PETREL_FUZZ_TARGET(data, size) {
  if (size < 2) return 0;
  const CodecContext ctx = petrel::fuzz::context_from_flags(data[0]);
  Chunker chunker(data[1]);
  const std::span<const uint8_t> stream(data + 2, size - 2);

  Framer framer;
  std::size_t limit = kMaxMessageSize;
  bool raise_after_open = ctx.extended_message;
  std::size_t fed = 0;       // bytes of the stream handed to the framer
  std::size_t consumed = 0;  // bytes of the stream returned as messages
  bool use_prepare = false;
  while (fed < stream.size()) {
    const std::size_t n = std::min(chunker.next(), stream.size() - fed);
    const auto chunk = stream.subspan(fed, n);
    if (use_prepare) {
      const std::size_t room = n + chunker.spare();
      auto space = framer.prepare(room);
      PETREL_FUZZ_CHECK(space.size() == room);
      std::memcpy(space.data(), chunk.data(), n);
      framer.commit(n);
    } else {
      framer.feed(chunk);
    }
    use_prepare = !use_prepare;
    fed += n;
    PETREL_FUZZ_CHECK(framer.buffered() == fed - consumed);

    for (;;) {
      auto r = framer.next();
      if (!r) {
        // The error is the header's at the first unconsumed byte, and final.
        const WireError& e = r.error();
        PETREL_FUZZ_CHECK(e.code == err::header && e.action == ErrorAction::session_reset, to_string(e));
        petrel::fuzz::check_error(e, kHeaderSize);
        auto direct = check_header(stream.subspan(consumed), limit);
        PETREL_FUZZ_CHECK(!direct && direct.error() == e, "framer and check_header() disagree: " + to_string(e));
        auto again = framer.next();
        PETREL_FUZZ_CHECK(!again && again.error() == e, "the framer recovered from " + to_string(e));
        return 0;
      }
      if (!*r) break;
      const Frame& f = **r;
      const std::size_t length = (std::size_t{f.bytes[16]} << 8) | f.bytes[17];
      PETREL_FUZZ_CHECK(f.bytes.size() == length && length >= kHeaderSize && length <= limit);
      PETREL_FUZZ_CHECK(static_cast<uint8_t>(f.type) == f.bytes[18]);
      PETREL_FUZZ_CHECK(consumed + length <= fed &&
                            std::equal(f.bytes.begin(), f.bytes.end(), stream.begin() + static_cast<std::ptrdiff_t>(consumed)),
                        "the message is not the stream's next bytes");
      consumed += length;
      PETREL_FUZZ_CHECK(framer.buffered() == fed - consumed);
      petrel::fuzz::exercise_frame(f, ctx);
      if (f.type == MessageType::open && raise_after_open) {
        limit = ctx.max_message_size();
        framer.set_max_message_size(limit);
        raise_after_open = false;
      }
    }
  }
  // What is left is less than a header, or a good header of a longer message.
  const std::size_t left = fed - consumed;
  if (left >= kHeaderSize) {
    auto h = check_header(stream.subspan(consumed), limit);
    PETREL_FUZZ_CHECK(h.has_value() && ((std::size_t{stream[consumed + 16]} << 8) | stream[consumed + 17]) > left,
                      "the framer holds back a whole message");
  }
  return 0;
}
