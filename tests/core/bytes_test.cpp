#include "core/bytes.hpp"

#include <doctest/doctest.h>

using petrel::ByteReader;
using petrel::ByteWriter;

TEST_CASE("writer and reader agree on big-endian integers") {
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  w.u8(0x01);
  w.u16(0x0203);
  w.u24(0x040506);
  w.u32(0x0708090a);
  CHECK(buf == std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  ByteReader r(buf);
  CHECK(r.u8() == 1);
  CHECK(r.u16() == 0x0203);
  CHECK(r.u24() == 0x040506);
  CHECK(r.u32() == 0x0708090a);
  CHECK(r.empty());
  CHECK(r.ok());
}

TEST_CASE("reading past the end fails, stays failed, and never moves") {
  const std::vector<uint8_t> buf{1, 2, 3};
  ByteReader r(buf);
  CHECK(r.u16() == 0x0102);
  CHECK(r.u32() == 0);
  CHECK(r.failed());
  CHECK(r.position() == 2);
  CHECK(r.u8() == 0);  // sticky: even a read that would fit now fails
  CHECK(r.bytes(1).empty());
  CHECK_FALSE(r.skip(1));
}

TEST_CASE("views and patching") {
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  w.u16(0);
  w.bytes(std::vector<uint8_t>{9, 9, 9});
  w.patch_u16(0, 3);
  CHECK(buf == std::vector<uint8_t>{0, 3, 9, 9, 9});
  ByteReader r(buf);
  const auto n = r.u16();
  auto view = r.bytes(n);
  CHECK(view.size() == 3);
  CHECK(view.data() == buf.data() + 2);
  CHECK(r.rest().empty());
}
