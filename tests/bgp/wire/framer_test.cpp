#include "bgp/wire/framer.hpp"

#include <doctest/doctest.h>

#include "bgp/wire/message.hpp"

using namespace petrel::bgp::wire;

TEST_CASE("framer placeholder") {
  Framer f;
  std::vector<uint8_t> ka;
  encode_keepalive(ka);
  f.feed(ka);
  auto m = f.next();
  REQUIRE(m.has_value());
  REQUIRE(m->has_value());
  CHECK((*m)->type == MessageType::keepalive);
}
