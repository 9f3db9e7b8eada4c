#include "tests/fuzz/fuzz_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "bgp/wire/message.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/route_refresh.hpp"
#include "bgp/wire/update.hpp"

namespace petrel::fuzz {

using namespace bgp::wire;

void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  if (!detail.empty()) std::fprintf(stderr, "%s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

CodecContext context_from_flags(uint8_t flags) {
  CodecContext ctx;
  ctx.four_octet_as = !(flags & ctx_flag::two_octet_as);
  ctx.add_path_receive[index(Family::ipv4_unicast)] = flags & ctx_flag::add_path_ipv4;
  ctx.add_path_receive[index(Family::ipv6_unicast)] = flags & ctx_flag::add_path_ipv6;
  ctx.extended_message = flags & ctx_flag::extended_message;
  ctx.ipv4_with_ipv6_next_hop = flags & ctx_flag::ipv4_with_ipv6_next_hop;
  ctx.external_peer = flags & ctx_flag::external_peer;
  return ctx;
}

std::vector<uint8_t> with_header(MessageType type, std::span<const uint8_t> body, std::size_t max_size) {
  const std::size_t n = std::min(body.size(), max_size - kHeaderSize);
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + n);
  const std::size_t start = begin_message(out, type);
  out.insert(out.end(), body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n));
  finish_message(out, start);
  return out;
}

void check_error(const WireError& e, std::size_t size) {
  PETREL_FUZZ_CHECK(e.offset <= size && e.length <= size - e.offset,
                    to_string(e) + " in a message of " + std::to_string(size) + " bytes");
}

namespace {

std::string describe(const std::vector<NlriEntry>& nlri) {
  std::string out;
  for (const auto& e : nlri) {
    out += ' ';
    if (e.path_id != 0) out += std::to_string(e.path_id) + ":";
    out += e.prefix.to_string();
  }
  return out;
}

// Every field of `m`, one per line, for the report of a failed round trip.
std::string describe(const UpdateMessage& m) {
  const auto& a = m.attrs;
  std::string out = "  withdrawn:" + describe(m.withdrawn) + "\n  nlri:" + describe(m.nlri) + "\n";
  if (m.mp_reach) {
    out += "  mp_reach " + std::string(to_string(m.mp_reach->family)) + " nh " + m.mp_reach->next_hop.global.to_string();
    if (m.mp_reach->next_hop.link_local) out += " ll " + m.mp_reach->next_hop.link_local->to_string();
    out += ":" + describe(m.mp_reach->nlri) + "\n";
  }
  if (m.mp_unreach) out += "  mp_unreach " + std::string(to_string(m.mp_unreach->family)) + ":" + describe(m.mp_unreach->nlri) + "\n";
  if (a.origin) out += "  origin " + to_string(*a.origin) + "\n";
  if (a.as_path) {
    out += "  as_path [" + a.as_path->to_string() + "] segments";
    for (const auto& s : a.as_path->segments)
      out += " " + std::to_string(static_cast<int>(s.type)) + "/" + std::to_string(s.asns.size());
    out += "\n";
  }
  if (a.next_hop) out += "  next_hop " + a.next_hop->to_string() + "\n";
  if (a.med) out += "  med " + std::to_string(*a.med) + "\n";
  if (a.local_pref) out += "  local_pref " + std::to_string(*a.local_pref) + "\n";
  if (a.atomic_aggregate) out += "  atomic_aggregate\n";
  if (a.aggregator)
    out += "  aggregator " + std::to_string(a.aggregator->asn) + " " + IpAddress::v4(a.aggregator->address).to_string() + "\n";
  if (!a.communities.empty()) out += "  communities x" + std::to_string(a.communities.size()) + "\n";
  if (a.originator_id) out += "  originator_id " + std::to_string(*a.originator_id) + "\n";
  if (!a.cluster_list.empty()) out += "  cluster_list x" + std::to_string(a.cluster_list.size()) + "\n";
  if (!a.ext_communities.empty()) out += "  ext_communities x" + std::to_string(a.ext_communities.size()) + "\n";
  if (!a.large_communities.empty()) out += "  large_communities x" + std::to_string(a.large_communities.size()) + "\n";
  for (const auto& u : a.unknown)
    out += "  unknown type " + std::to_string(u.type) + " flags " + std::to_string(u.flags) + " value " + hex(u.value) + "\n";
  return out;
}

// Walks a validated NLRI view: as many entries as it says, each a canonical prefix
// of the view's family, without a path identifier unless ADD-PATH is on.
void check_view(const NlriView& view) {
  const bool v6 = view.family() == Family::ipv6_unicast;
  std::size_t n = 0;
  for (auto it = view.begin(); it != view.end(); ++it) {
    const NlriEntry e = *it;
    PETREL_FUZZ_CHECK(e.prefix.is_v4() == !v6);
    PETREL_FUZZ_CHECK(is_canonical(e.prefix.address(), e.prefix.length()));
    PETREL_FUZZ_CHECK(view.add_path() || e.path_id == 0);
    PETREL_FUZZ_CHECK(++n <= view.size(), "the view iterates past its count");
  }
  PETREL_FUZZ_CHECK(n == view.size());
}

bool is_confed(const AsPathSegment& s) {
  return s.type == AsSegmentType::confed_sequence || s.type == AsSegmentType::confed_set;
}

bool has_four_octet_as(const AsPath& path) {
  return std::any_of(path.segments.begin(), path.segments.end(), [](const AsPathSegment& s) {
    return !is_confed(s) && std::any_of(s.asns.begin(), s.asns.end(), [](uint32_t a) { return a > 0xffff; });
  });
}

// A path as RFC 6793 §4.2.3 reconstruction leaves it when AS_PATH and AS4_PATH say
// the same thing: AS4_PATH carries no confederation segments, so only those leading
// the path survive, and SEQUENCE segments that meet are joined.
AsPath as4_normal_form(const AsPath& path) {
  AsPath out;
  bool past_leading_confed = false;
  for (const auto& seg : path.segments) {
    if (is_confed(seg)) {
      if (!past_leading_confed) out.segments.push_back(seg);
      continue;
    }
    past_leading_confed = true;
    auto& segs = out.segments;
    if (seg.type == AsSegmentType::sequence && !segs.empty() && segs.back().type == AsSegmentType::sequence)
      segs.back().asns.insert(segs.back().asns.end(), seg.asns.begin(), seg.asns.end());
    else
      segs.push_back(seg);
  }
  return out;
}

}  // namespace

void exercise_open(std::span<const uint8_t> message) {
  auto r = decode_open(message);
  if (!r) {
    const WireError& e = r.error();
    check_error(e, message.size());
    PETREL_FUZZ_CHECK(e.code == err::open && e.action == ErrorAction::session_reset, to_string(e));
    return;
  }
  (void)r->peer_as();

  std::vector<uint8_t> once;
  encode_open(*r, once);
  PETREL_FUZZ_CHECK(check_header(once, kMaxMessageSize).has_value(), "re-encoded OPEN " + hex(once));
  auto again = decode_open(once);
  PETREL_FUZZ_CHECK(again.has_value(), "re-encoded OPEN does not decode: " +
                                           (again ? std::string() : to_string(again.error())) + "\n  input   " +
                                           hex(message) + "\n  encoded " + hex(once));
  // Whatever decodes must re-encode to the same value: every decoded capability
  // fits the encoder's limits (a hostname value is at most 255 bytes; lists too
  // long for one capability are split over several).
  PETREL_FUZZ_CHECK(*again == *r,
                    "OPEN changed in a round trip\n  input   " + hex(message) + "\n  encoded " + hex(once));
  std::vector<uint8_t> twice;
  encode_open(*again, twice);
  PETREL_FUZZ_CHECK(twice == once, "OPEN encoding is not stable\n  once  " + hex(once) + "\n  twice " + hex(twice));
}

void exercise_update(std::span<const uint8_t> message, const CodecContext& ctx) {
  auto r = decode_update(message, ctx);
  if (!r) {
    const WireError& e = r.error();
    check_error(e, message.size());
    PETREL_FUZZ_CHECK(e.code == err::update && e.action == ErrorAction::session_reset, to_string(e));
    return;
  }
  const Update& u = *r;
  ErrorAction strongest = ErrorAction::none;
  bool disables = false;
  for (const auto& e : u.errors) {
    check_error(e, message.size());
    PETREL_FUZZ_CHECK(e.code == err::update && e.action != ErrorAction::none && e.action != ErrorAction::session_reset,
                      to_string(e));
    strongest = stronger(strongest, e.action);
    disables = disables || e.action == ErrorAction::afisafi_disable;
  }
  PETREL_FUZZ_CHECK(u.action == strongest, "action " + std::string(to_string(u.action)));
  PETREL_FUZZ_CHECK(u.disabled_family.has_value() == disables);
  check_view(u.withdrawn);
  check_view(u.nlri);
  if (u.mp_reach) check_view(u.mp_reach->nlri);
  if (u.mp_unreach) check_view(u.mp_unreach->nlri);
  const auto eor = u.end_of_rib();

  // Round trip. Only an UPDATE decoded without any error: one whose attributes were
  // discarded (or whose routes are withdrawn) legitimately encodes to something else.
  if (u.action != ErrorAction::none) return;
  const UpdateMessage first = to_message(u);
  CodecContext send = ctx;
  send.add_path_send = ctx.add_path_receive;
  std::vector<uint8_t> encoded;
  auto written = encode_update(first, send, encoded);
  if (!written) {
    // Re-encoding never adds bytes for a 4-octet AS peer (unknown non-transitive
    // attributes, AS4_* and needless extended lengths only go away). For a 2-octet
    // peer AS4_PATH may have to carry more of the path than it did, and grow.
    PETREL_FUZZ_CHECK(!ctx.four_octet_as, written.error().message + "\n" + describe(first));
    PETREL_FUZZ_CHECK(encoded.empty(), "a failed encode_update() left bytes behind");
    return;
  }
  auto type = check_header(encoded, ctx.max_message_size());
  PETREL_FUZZ_CHECK(type && *type == MessageType::update, "re-encoded UPDATE " + hex(encoded));
  auto again = decode_update(encoded, ctx);
  PETREL_FUZZ_CHECK(again.has_value() && again->errors.empty(),
                    "re-encoded UPDATE does not decode cleanly: " +
                        (again ? (again->errors.empty() ? std::string() : to_string(again->errors.front()))
                               : to_string(again.error())) +
                        "\n" + describe(first) + "  input   " + hex(message) + "\n  encoded " + hex(encoded));
  UpdateMessage a = first;
  UpdateMessage b = to_message(*again);
  // With a 2-octet AS peer a path holding 4-octet ASes travels as AS_PATH (with
  // AS_TRANS) plus AS4_PATH and is rebuilt by RFC 6793 §4.2.3 on the way back in:
  // compare what that reconstruction can preserve. Any other path must come back
  // exactly.
  if (!ctx.four_octet_as && a.attrs.as_path && has_four_octet_as(*a.attrs.as_path)) {
    a.attrs.as_path = as4_normal_form(*a.attrs.as_path);
    if (b.attrs.as_path) b.attrs.as_path = as4_normal_form(*b.attrs.as_path);
  }
  PETREL_FUZZ_CHECK(a == b, "UPDATE changed in a round trip\n first decode:\n" + describe(first) +
                                " second decode:\n" + describe(to_message(*again)) + "  input   " + hex(message) +
                                "\n  encoded " + hex(encoded));
  if (eor) PETREL_FUZZ_CHECK(again->end_of_rib() == eor, "End-of-RIB lost in a round trip");
}

void exercise_notification(std::span<const uint8_t> message) {
  auto r = decode_notification(message);
  if (!r) {
    const WireError& e = r.error();
    check_error(e, message.size());
    PETREL_FUZZ_CHECK(e.code == err::header && e.action == ErrorAction::session_reset, to_string(e));
    return;
  }
  (void)describe_code(r->code, r->subcode);
  // RFC 9003: a shutdown communication that decodes is exactly what make_shutdown()
  // would have sent for that text.
  if (auto text = r->shutdown_message()) {
    PETREL_FUZZ_CHECK(text->size() <= kMaxShutdownMessage);
    PETREL_FUZZ_CHECK(make_shutdown(r->subcode, *text) == *r, "shutdown communication " + hex(r->data));
  }
  std::vector<uint8_t> out;
  encode_notification(*r, out);
  auto again = decode_notification(out);
  PETREL_FUZZ_CHECK(again.has_value(), "re-encoded NOTIFICATION " + hex(out));
  // The encoder cuts the data so that the message fits 4096 bytes.
  NotificationMessage expected = *r;
  if (expected.data.size() > kMaxMessageSize - 21) expected.data.resize(kMaxMessageSize - 21);
  PETREL_FUZZ_CHECK(*again == expected, "NOTIFICATION changed in a round trip: " + hex(message));
}

void exercise_route_refresh(std::span<const uint8_t> message) {
  auto r = decode_route_refresh(message);
  if (!r) {
    const WireError& e = r.error();
    check_error(e, message.size());
    PETREL_FUZZ_CHECK(e.code == err::route_refresh && message.size() != 23, to_string(e));
    return;
  }
  PETREL_FUZZ_CHECK(message.size() == 23);
  if (!*r) {
    PETREL_FUZZ_CHECK(message[21] > 2, "a known subtype was ignored: " + hex(message));
    return;
  }
  std::vector<uint8_t> out;
  encode_route_refresh(**r, out);
  PETREL_FUZZ_CHECK(std::equal(out.begin(), out.end(), message.begin(), message.end()),
                    "ROUTE-REFRESH changed in a round trip\n  input   " + hex(message) + "\n  encoded " + hex(out));
}

void exercise_frame(const Frame& frame, const CodecContext& ctx) {
  switch (frame.type) {
    case MessageType::open: return exercise_open(frame.bytes);
    case MessageType::update: return exercise_update(frame.bytes, ctx);
    case MessageType::notification: return exercise_notification(frame.bytes);
    case MessageType::route_refresh: return exercise_route_refresh(frame.bytes);
    case MessageType::keepalive: PETREL_FUZZ_CHECK(frame.bytes.size() == kHeaderSize); return;
  }
  fail("the framer yielded an unknown message type", hex(frame.bytes.first(kHeaderSize)));
}

}  // namespace petrel::fuzz
