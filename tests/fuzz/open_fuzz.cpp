// tests/fuzz/open_fuzz.cpp — decode_open() and encode_open().
//
// Input: the body of an OPEN (after the 19-byte header). A valid header with the
// right length is put in front, as the framer would have checked it, so that the
// fuzzer spends its time on the body. A decoded OPEN must encode and decode to the
// same value (exercise_open()).
#include "bgp/wire/open.hpp"

#include "tests/fuzz/fuzz_checks.hpp"
#include "tests/fuzz/fuzz_entry.hpp"

using namespace petrel::bgp::wire;

PETREL_FUZZ_TARGET(data, size) {
  const auto message = petrel::fuzz::with_header(MessageType::open, {data, size}, kMaxMessageSize);
  petrel::fuzz::exercise_open(message);
  return 0;
}
