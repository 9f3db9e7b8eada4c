// Hand-written vectors for every UPDATE error rule of RFC 4271 §6.3 and RFC 7606:
// exact NOTIFICATION code/subcode, offset and length of the offending bytes, data,
// and the RFC 7606 action. Offsets count from the first byte of the message.
#include "bgp/wire/update.hpp"

#include <doctest/doctest.h>

#include "tests/support/wire_builder.hpp"

using namespace petrel::bgp::wire;
using namespace petrel::test;

namespace {

// 10.1.2.0/24 as NLRI.
const Bytes kNlri{24, 10, 1, 2};
// Attributes start at 23 when there are no withdrawn routes; mandatory() is 20 bytes.
constexpr uint32_t kAttrs = 23;
constexpr uint32_t kAfterMandatory = kAttrs + 20;

struct Expect {
  uint8_t subcode;
  uint32_t offset;
  uint32_t length;
  ErrorAction action;
};

// Decodes and returns the one error the UPDATE must carry (or the session-reset error).
WireError only_error(const Bytes& msg, const CodecContext& ctx = {}) {
  auto r = decode_update(msg, ctx);
  if (!r.has_value()) return r.error();
  REQUIRE_MESSAGE(r->errors.size() == 1, "expected exactly one error, got " << r->errors.size());
  CHECK(r->action == r->errors.front().action);
  return r->errors.front();
}

void check(const WireError& e, Expect x) {
  CHECK(e.code == err::update);
  CHECK(int(e.subcode) == int(x.subcode));
  CHECK(e.offset == x.offset);
  CHECK(e.length == x.length);
  CHECK(e.action == x.action);
}

CodecContext two_octet() {
  CodecContext c;
  c.four_octet_as = false;
  return c;
}

}  // namespace

TEST_CASE("a well-formed UPDATE has no errors") {
  auto r = decode_update(keep(update({}, mandatory(), kNlri)), {});
  REQUIRE(r.has_value());
  CHECK(r->errors.empty());
  CHECK(r->action == ErrorAction::none);
  CHECK(r->nlri.size() == 1);
  CHECK((*r->nlri.begin()).prefix.to_string() == "10.1.2.0/24");
  CHECK(r->attrs.as_path->to_string() == "65001");
  CHECK(r->attrs.next_hop->to_string() == "192.0.2.1");
}

TEST_CASE("RFC 4271 §6.3 / RFC 7606 §4: lengths that do not add up reset the session") {
  SUBCASE("withdrawn routes length overruns the message") {
    Bytes body = update_body({}, {}, {});
    body[0] = 0;
    body[1] = 9;  // nine withdrawn bytes claimed, none present
    auto e = decode_update(keep(message(2, body)), {});
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::malformed_attribute_list, 19, 2, ErrorAction::session_reset});
  }
  SUBCASE("total path attribute length overruns the message") {
    Bytes msg = update({24, 10, 0, 0}, {}, {});
    msg[25] = 40;  // attribute length at 21 + 4
    auto e = decode_update(msg, {});
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::malformed_attribute_list, 25, 2, ErrorAction::session_reset});
  }
}

TEST_CASE("RFC 4271 §6.3 / RFC 7606 §5.3: a bad IPv4 NLRI field is Invalid Network Field, session reset") {
  SUBCASE("withdrawn prefix longer than 32") {
    auto e = decode_update(keep(update({24, 10, 0, 0, 33, 1, 2, 3, 4, 5}, {}, {})), {});
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::invalid_network_field, 25, 6, ErrorAction::session_reset});
  }
  SUBCASE("announced prefix longer than 32") {
    auto e = decode_update(keep(update({}, mandatory(), {33, 1, 2, 3, 4, 5})), {});
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::invalid_network_field, kAfterMandatory, 6, ErrorAction::session_reset});
  }
  SUBCASE("announced prefix runs past the message") {
    auto e = decode_update(keep(update({}, mandatory(), {24, 10, 1})), {});
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::invalid_network_field, kAfterMandatory, 3, ErrorAction::session_reset});
  }
  SUBCASE("path identifier truncated under ADD-PATH") {
    CodecContext ctx;
    ctx.add_path_receive[index(Family::ipv4_unicast)] = true;
    auto e = decode_update(keep(update({}, mandatory(), {0, 0, 1})), ctx);
    REQUIRE_FALSE(e.has_value());
    check(e.error(), {err::invalid_network_field, kAfterMandatory, 3, ErrorAction::session_reset});
  }
}

TEST_CASE("RFC 4271 §6.3: an unrecognized well-known attribute resets the session, data is the attribute") {
  auto e = only_error(update({}, cat({mandatory(), attribute(0x40, 99, {1, 2})}), kNlri));
  check(e, {err::unrecognized_well_known, kAfterMandatory, 5, ErrorAction::session_reset});
  CHECK(e.data == Bytes{0x40, 99, 2, 1, 2});
}

TEST_CASE("RFC 7606 §3 (d): a missing well-known mandatory attribute is treat-as-withdraw, data is its type") {
  SUBCASE("ORIGIN") {
    const Bytes attrs = cat({as_path_seq4({65001}), next_hop(192, 0, 2, 1)});
    auto e = only_error(update({}, attrs, kNlri));
    check(e, {err::missing_well_known, kAttrs, 16, ErrorAction::treat_as_withdraw});
    CHECK(e.data == Bytes{1});
  }
  SUBCASE("AS_PATH") {
    auto e = only_error(update({}, cat({origin_igp(), next_hop(192, 0, 2, 1)}), kNlri));
    check(e, {err::missing_well_known, kAttrs, 11, ErrorAction::treat_as_withdraw});
    CHECK(e.data == Bytes{2});
  }
  SUBCASE("NEXT_HOP with IPv4 NLRI") {
    auto e = only_error(update({}, cat({origin_igp(), as_path_seq4({65001})}), kNlri));
    check(e, {err::missing_well_known, kAttrs, 13, ErrorAction::treat_as_withdraw});
    CHECK(e.data == Bytes{3});
  }
  SUBCASE("NEXT_HOP is not needed when the routes are in MP_REACH_NLRI (RFC 4760 §3)") {
    Bytes mp{0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x20, 0x01, 0x0d, 0xb8};
    auto r = decode_update(keep(update({}, cat({attribute(0x80, 14, mp), origin_igp(), as_path_seq4({65001})}), {})), {});
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
    REQUIRE(r->mp_reach);
    CHECK((*r->mp_reach->nlri.begin()).prefix.to_string() == "2001:db8::/32");
  }
  SUBCASE("nothing is missing in an UPDATE that announces nothing") {
    auto r = decode_update(keep(update({24, 10, 0, 0}, {}, {})), {});
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
  }
}

TEST_CASE("RFC 7606 §3 (c): Optional/Transitive bits in conflict") {
  SUBCASE("ORIGIN marked optional is treat-as-withdraw") {
    const Bytes attrs = cat({attribute(0xc0, 1, {0}), as_path_seq4({65001}), next_hop(192, 0, 2, 1)});
    auto e = only_error(update({}, attrs, kNlri));
    check(e, {err::attribute_flags, kAttrs, 4, ErrorAction::treat_as_withdraw});
    CHECK(e.data == Bytes{0xc0, 1, 1, 0});
  }
  SUBCASE("COMMUNITIES marked non-transitive is treat-as-withdraw") {
    auto e = only_error(update({}, cat({mandatory(), attribute(0x80, 8, {0, 1, 0, 2})}), kNlri));
    check(e, {err::attribute_flags, kAfterMandatory, 7, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("AS4_PATH flags in conflict are attribute discard (RFC 6793 §6)") {
    const Bytes path2 = attribute(0x40, 2, {2, 1, 0x5b, 0xa0});  // AS_TRANS, two octets
    const Bytes head = cat({origin_igp(), path2, next_hop(192, 0, 2, 1)});  // 18 bytes
    auto e = only_error(update({}, cat({head, attribute(0x80, 17, {2, 1, 0, 1, 0, 0})}), kNlri), two_octet());
    check(e, {err::attribute_flags, kAttrs + 18, 9, ErrorAction::attribute_discard});
  }
  SUBCASE("MP_REACH_NLRI flags in conflict reset the session: its NLRI cannot be trusted") {
    auto e = only_error(update({}, cat({mandatory(), attribute(0xc0, 14, {0, 2, 1})}), {}));
    check(e, {err::attribute_flags, kAfterMandatory, 6, ErrorAction::session_reset});
  }
  SUBCASE("the Partial bit and the Extended Length bit are not a conflict") {
    auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0xe0, 8, {0, 1, 0, 2}, /*extended=*/true)}), kNlri)), {});
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
    CHECK(r->attrs.communities == std::vector<uint32_t>{0x00010002});
  }
}

TEST_CASE("RFC 7606 §7.1: ORIGIN") {
  const Bytes rest = cat({as_path_seq4({65001}), next_hop(192, 0, 2, 1)});
  check(only_error(update({}, cat({attribute(0x40, 1, {0, 0}), rest}), kNlri)),
        {err::attribute_length, kAttrs, 5, ErrorAction::treat_as_withdraw});
  check(only_error(update({}, cat({attribute(0x40, 1, {3}), rest}), kNlri)),
        {err::invalid_origin, kAttrs, 4, ErrorAction::treat_as_withdraw});
}

TEST_CASE("RFC 7606 §7.2: malformed AS_PATH is treat-as-withdraw") {
  const Bytes o = origin_igp();
  const Bytes nh = next_hop(192, 0, 2, 1);
  SUBCASE("unknown segment type") {
    auto e = only_error(update({}, cat({o, attribute(0x40, 2, {5, 1, 0, 0, 0xfd, 0xe9}), nh}), kNlri));
    check(e, {err::malformed_as_path, kAttrs + 4, 9, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("zero-length segment") {
    auto e = only_error(update({}, cat({o, attribute(0x40, 2, {2, 0}), nh}), kNlri));
    check(e, {err::malformed_as_path, kAttrs + 4, 5, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("segment overruns the attribute") {
    auto e = only_error(update({}, cat({o, attribute(0x40, 2, {2, 2, 0, 0, 0xfd, 0xe9}), nh}), kNlri));
    check(e, {err::malformed_as_path, kAttrs + 4, 9, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("2-octet ASNs read as 4-octet do not fit") {
    auto e = only_error(update({}, cat({o, attribute(0x40, 2, {2, 3, 0, 1, 0, 2, 0, 3}), nh}), kNlri));
    check(e, {err::malformed_as_path, kAttrs + 4, 11, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("the same bytes are a valid 2-octet path for a 2-octet peer") {
    auto r = decode_update(keep(update({}, cat({o, attribute(0x40, 2, {2, 3, 0, 1, 0, 2, 0, 3}), nh}), kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
    CHECK(r->attrs.as_path->to_string() == "1 2 3");
  }
}

TEST_CASE("RFC 7606 §7.3: NEXT_HOP") {
  const Bytes head = cat({origin_igp(), as_path_seq4({65001})});
  check(only_error(update({}, cat({head, attribute(0x40, 3, {1, 2, 3, 4, 5})}), kNlri)),
        {err::attribute_length, kAttrs + 13, 8, ErrorAction::treat_as_withdraw});
  for (const Bytes& bad : {Bytes{0, 0, 0, 0}, Bytes{224, 0, 0, 1}, Bytes{255, 255, 255, 255}}) {
    auto e = only_error(update({}, cat({head, attribute(0x40, 3, bad)}), kNlri));
    check(e, {err::invalid_next_hop, kAttrs + 13, 7, ErrorAction::treat_as_withdraw});
  }
}

TEST_CASE("RFC 7606 §7.4 and §7.5: MED and LOCAL_PREF") {
  check(only_error(update({}, cat({mandatory(), attribute(0x80, 4, {0, 0, 1})}), kNlri)),
        {err::attribute_length, kAfterMandatory, 6, ErrorAction::treat_as_withdraw});
  check(only_error(update({}, cat({mandatory(), attribute(0x40, 5, {0, 0, 1})}), kNlri)),
        {err::attribute_length, kAfterMandatory, 6, ErrorAction::treat_as_withdraw});
  SUBCASE("LOCAL_PREF from an external peer is discarded, the route kept") {
    CodecContext ebgp;
    ebgp.external_peer = true;
    auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0x40, 5, {0, 0, 0, 200})}), kNlri)), ebgp);
    REQUIRE(r.has_value());
    CHECK(r->action == ErrorAction::attribute_discard);
    CHECK_FALSE(r->attrs.local_pref);
    CHECK(r->nlri.size() == 1);
  }
}

TEST_CASE("RFC 7606 §7.6 and §7.7: ATOMIC_AGGREGATE and AGGREGATOR are discarded when malformed") {
  auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0x40, 6, {1})}), kNlri)), {});
  REQUIRE(r.has_value());
  REQUIRE(r->errors.size() == 1);
  check(r->errors[0], {err::attribute_length, kAfterMandatory, 4, ErrorAction::attribute_discard});
  CHECK_FALSE(r->attrs.atomic_aggregate);
  check(only_error(update({}, cat({mandatory(), attribute(0xc0, 7, {0, 0, 1, 2, 3, 4, 5})}), kNlri)),
        {err::attribute_length, kAfterMandatory, 10, ErrorAction::attribute_discard});
  // A 6-byte AGGREGATOR is right only for a 2-octet peer.
  check(only_error(update({}, cat({mandatory(), attribute(0xc0, 7, {0, 1, 1, 2, 3, 4})}), kNlri)),
        {err::attribute_length, kAfterMandatory, 9, ErrorAction::attribute_discard});
}

TEST_CASE("RFC 7606 §7.8, §7.10, §7.14, RFC 8092 §6: list attributes need a non-zero multiple of their item") {
  struct Row {
    uint8_t flags, type;
    Bytes value;
  };
  const Row rows[] = {
      {0xc0, 8, {0, 1, 0}},                                   // COMMUNITIES
      {0xc0, 8, {}},                                          // COMMUNITIES, empty
      {0x80, 10, {1, 2, 3, 4, 5, 6}},                         // CLUSTER_LIST
      {0xc0, 16, {0, 2, 0, 1, 0, 0, 0, 1, 9, 9, 9, 9}},       // EXTENDED_COMMUNITIES
      {0xc0, 32, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 4}},    // LARGE_COMMUNITY
  };
  for (const auto& row : rows) {
    CAPTURE(int(row.type));
    CAPTURE(row.value.size());
    check(only_error(update({}, cat({mandatory(), attribute(row.flags, row.type, row.value)}), kNlri)),
          {err::optional_attribute, kAfterMandatory, uint32_t(3 + row.value.size()), ErrorAction::treat_as_withdraw});
  }
}

TEST_CASE("RFC 7606 §7.9 and §7.10: ORIGINATOR_ID and CLUSTER_LIST") {
  check(only_error(update({}, cat({mandatory(), attribute(0x80, 9, {1, 2, 3})}), kNlri)),
        {err::attribute_length, kAfterMandatory, 6, ErrorAction::treat_as_withdraw});
  CodecContext ebgp;
  ebgp.external_peer = true;
  auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0x80, 9, {1, 2, 3, 4}), attribute(0x80, 10, {1, 2, 3, 4})}), kNlri)), ebgp);
  REQUIRE(r.has_value());
  CHECK(r->errors.size() == 2);
  CHECK(r->action == ErrorAction::attribute_discard);
  CHECK_FALSE(r->attrs.originator_id);
  CHECK(r->attrs.cluster_list.empty());
}

TEST_CASE("RFC 7606 §7.11 and §5.3: MP_REACH_NLRI") {
  const Bytes head = cat({origin_igp(), as_path_seq4({65001})});  // 13 bytes, MP_REACH after it at 36
  SUBCASE("too short to name a family: session reset") {
    check(only_error(update({}, cat({head, attribute(0x80, 14, {0, 2, 1, 16})}), {})),
          {err::optional_attribute, kAttrs + 13, 7, ErrorAction::session_reset});
  }
  SUBCASE("an IPv6 next hop of 4 bytes disables the family") {
    auto r = decode_update(keep(update({}, cat({head, attribute(0x80, 14, {0, 2, 1, 4, 1, 2, 3, 4, 0, 32, 0x20, 0x01, 0x0d, 0xb8})}), {})), {});
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::optional_attribute, kAttrs + 13, 17, ErrorAction::afisafi_disable});
    CHECK(r->disabled_family == AfiSafi{2, 1});
    CHECK_FALSE(r->mp_reach);
  }
  SUBCASE("an IPv4 unicast route with a 16-byte next hop needs RFC 8950") {
    Bytes v{0, 1, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 24, 10, 9, 8};
    auto r = decode_update(keep(update({}, cat({head, attribute(0x80, 14, v)}), {})), {});
    REQUIRE(r.has_value());
    CHECK(r->action == ErrorAction::afisafi_disable);
    CodecContext ctx;
    ctx.ipv4_with_ipv6_next_hop = true;
    auto ok = decode_update(keep(update({}, cat({head, attribute(0x80, 14, v)}), {})), ctx);
    REQUIRE(ok.has_value());
    CHECK(ok->errors.empty());
    REQUIRE(ok->mp_reach);
    CHECK(ok->mp_reach->family == Family::ipv4_unicast);
    CHECK(ok->mp_reach->next_hop.global.to_string() == "2001:db8::1");
    CHECK((*ok->mp_reach->nlri.begin()).prefix.to_string() == "10.9.8.0/24");
  }
  SUBCASE("a bad prefix inside disables the family, pointing at the prefix") {
    // MP_REACH at 36: header 3, AFI/SAFI 3, nh len 1, nh 16, reserved 1 -> NLRI at 36 + 24 = 60
    Bytes v{0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0x20, 0x01, 0x0d, 0xb8, 129, 1};
    auto r = decode_update(keep(update({}, cat({head, attribute(0x80, 14, v)}), {})), {});
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::optional_attribute, 65, 2, ErrorAction::afisafi_disable});
  }
  SUBCASE("an unsupported family disables that family") {
    auto r = decode_update(keep(update({}, cat({head, attribute(0x80, 14, {0, 25, 70, 4, 1, 2, 3, 4, 0})}), {})), {});
    REQUIRE(r.has_value());
    CHECK(r->action == ErrorAction::afisafi_disable);
    CHECK(r->disabled_family == AfiSafi{25, 70});
  }
}

TEST_CASE("RFC 7606 §7.12: MP_UNREACH_NLRI") {
  check(only_error(update({}, attribute(0x80, 15, {0, 2}), {})),
        {err::optional_attribute, kAttrs, 5, ErrorAction::session_reset});
  auto r = decode_update(keep(update({}, attribute(0x80, 15, {0, 2, 1, 64, 0x20, 0x01}), {})), {});
  REQUIRE(r.has_value());
  check(r->errors.at(0), {err::optional_attribute, kAttrs + 6, 3, ErrorAction::afisafi_disable});
}

TEST_CASE("RFC 7606 §3 (g): repeated attributes") {
  SUBCASE("a second MED is discarded and the first kept") {
    auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0x80, 4, {0, 0, 0, 5}), attribute(0x80, 4, {0, 0, 0, 9})}), kNlri)), {});
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::malformed_attribute_list, kAfterMandatory + 7, 7, ErrorAction::attribute_discard});
    CHECK(r->attrs.med == 5u);
  }
  SUBCASE("a second MP_REACH_NLRI resets the session") {
    const Bytes mp = attribute(0x80, 14, {0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0});
    auto e = only_error(update({}, cat({mp, mp, origin_igp(), as_path_seq4({1})}), {}));
    check(e, {err::malformed_attribute_list, kAttrs + 24, 24, ErrorAction::session_reset});
  }
}

TEST_CASE("RFC 7606 §4: attribute headers and lengths that overrun the attribute list") {
  SUBCASE("fewer than three bytes left for a header") {
    auto r = decode_update(keep(update({}, cat({mandatory(), Bytes{0x40, 1}}), kNlri)), {});
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::malformed_attribute_list, kAfterMandatory, 2, ErrorAction::treat_as_withdraw});
    // The NLRI is still found from the Total Path Attribute Length.
    CHECK(r->nlri.size() == 1);
  }
  SUBCASE("extended length header with only three bytes left") {
    auto r = decode_update(keep(update({}, cat({mandatory(), Bytes{0x50, 8, 0}}), kNlri)), {});
    REQUIRE(r.has_value());
    check(r->errors.at(0), {err::malformed_attribute_list, kAfterMandatory, 3, ErrorAction::treat_as_withdraw});
  }
  SUBCASE("an attribute length that runs past the list") {
    auto r = decode_update(keep(update({}, cat({mandatory(), Bytes{0xc0, 8, 12, 0, 0, 0, 1}}), kNlri)), {});
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::attribute_length, kAfterMandatory, 7, ErrorAction::treat_as_withdraw});
    CHECK(r->nlri.size() == 1);
  }
}

TEST_CASE("RFC 6793 §6: AS4_PATH and AS4_AGGREGATOR from a 2-octet peer") {
  const Bytes head = cat({origin_igp(), attribute(0x40, 2, {2, 1, 0x5b, 0xa0}), next_hop(192, 0, 2, 1)});  // 4+7+7 = 18
  SUBCASE("a malformed AS4_PATH is discarded, the route kept with AS_PATH as it is") {
    auto r = decode_update(keep(update({}, cat({head, attribute(0xc0, 17, {2, 2, 0, 1, 0, 0})}), kNlri)), two_octet());
    REQUIRE(r.has_value());
    REQUIRE(r->errors.size() == 1);
    check(r->errors[0], {err::optional_attribute, kAttrs + 18, 9, ErrorAction::attribute_discard});
    CHECK(r->attrs.as_path->to_string() == "23456");
  }
  SUBCASE("confederation segments in AS4_PATH: discarded") {
    auto r = decode_update(keep(update({}, cat({head, attribute(0xc0, 17, {3, 1, 0, 1, 0, 0})}), kNlri)), two_octet());
    REQUIRE(r.has_value());
    CHECK(r->action == ErrorAction::attribute_discard);
  }
  SUBCASE("a malformed AS4_AGGREGATOR is discarded") {
    auto r = decode_update(keep(update({}, cat({head, attribute(0xc0, 18, {0, 1, 0, 0, 1})}), kNlri)), two_octet());
    REQUIRE(r.has_value());
    check(r->errors.at(0), {err::optional_attribute, kAttrs + 18, 8, ErrorAction::attribute_discard});
  }
  SUBCASE("between 4-octet speakers AS4_PATH is ignored without complaint") {
    auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0xc0, 17, {2, 1, 0, 1, 0, 0})}), kNlri)), {});
    REQUIRE(r.has_value());
    CHECK(r->errors.empty());
    CHECK(r->attrs.as_path->to_string() == "65001");
  }
}

TEST_CASE("RFC 4271 §5: unrecognized optional attributes") {
  auto r = decode_update(keep(update({}, cat({mandatory(), attribute(0xc0, 200, {7, 7}), attribute(0x80, 201, {8})}), kNlri)), {});
  REQUIRE(r.has_value());
  CHECK(r->errors.empty());
  REQUIRE(r->attrs.unknown.size() == 1);  // the non-transitive one is quietly dropped
  CHECK(r->attrs.unknown[0].type == 200);
  CHECK(r->attrs.unknown[0].flags == 0xe0);  // Partial bit set for passing on
  CHECK(r->attrs.unknown[0].value == Bytes{7, 7});
}

TEST_CASE("RFC 7606 §3 (h): the strongest action wins; every error is reported") {
  const Bytes attrs = cat({attribute(0x40, 1, {9}), as_path_seq4({65001}), next_hop(192, 0, 2, 1), attribute(0x40, 6, {1})});
  auto r = decode_update(keep(update({}, attrs, kNlri)), {});
  REQUIRE(r.has_value());
  REQUIRE(r->errors.size() == 2);
  CHECK(r->errors[0].action == ErrorAction::treat_as_withdraw);
  CHECK(r->errors[1].action == ErrorAction::attribute_discard);
  CHECK(r->action == ErrorAction::treat_as_withdraw);
  CHECK(r->nlri.size() == 1);  // the caller withdraws it
}
