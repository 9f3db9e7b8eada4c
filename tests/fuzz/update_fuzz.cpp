// tests/fuzz/update_fuzz.cpp — decode_update(), to_message() and encode_update().
//
// Input: [context flags] [the body of an UPDATE...]
// The flags pick the CodecContext (fuzz_checks.hpp: 2-octet AS, ADD-PATH receive
// per family, extended messages, IPv4 with an IPv6 next hop, external peer). A valid
// header with the right length is put in front, the body cut to the context's size
// limit, as the framer would have ensured. An UPDATE decoded without errors must
// encode (with ADD-PATH send as it was received) and decode to the same value
// (exercise_update()).
#include "bgp/wire/update.hpp"

#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/fuzz_entry.hpp"

using namespace petrel::bgp::wire;

PETREL_FUZZ_TARGET(data, size) {
  if (size < 1) return 0;
  const CodecContext ctx = petrel::fuzz::context_from_flags(data[0]);
  const auto message = petrel::fuzz::with_header(MessageType::update, {data + 1, size - 1}, ctx.max_message_size());
  petrel::fuzz::exercise_update(message, ctx);
  return 0;
}
