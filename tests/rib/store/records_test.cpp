// The store's schema: keys sort as the queries need, values round-trip, and
// damaged bytes give a precise error, never a crash.
#include "rib/store/records.hpp"

#include <doctest/doctest.h>

using namespace petrel;
using namespace petrel::rib;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;

namespace {

// The value of a Result that must hold one (Result<T, std::string> has no value()).
template <class R>
bool ok(const R& r) {
  return r.has_value();
}
template <class R>
auto val(const R& r) {
  REQUIRE(ok(r));
  return *r;
}

RouteAttrs sample_attrs() {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001, 4200000000u}}, {wire::AsSegmentType::set, {7, 8}}}};
  r.attrs.next_hop = IpAddress::parse("10.0.0.1");
  r.attrs.local_pref = 150;
  r.attrs.med = 5;
  r.attrs.communities = {(65001u << 16) | 1, wire::community::no_export};
  r.attrs.large_communities = {{65001, 2, 3}};
  r.next_hop = *IpAddress::parse("10.0.0.1");
  return r;
}

JournalEntry sample_entry() {
  JournalEntry e;
  e.seq = 42;
  e.time_ms = 1'700'000'000'123;
  e.prefix = *Prefix::parse("10.244.3.0/24");
  e.change = ChangeKind::replace;
  e.peer = PeerRef{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
  e.attrs = summarize(sample_attrs());
  return e;
}

}  // namespace

TEST_CASE("the schema value names its version and nothing else parses") {
  CHECK(schema_value() == "petrel-store/3");
  CHECK(parse_schema_value("petrel-store/1") == 1u);
  CHECK(parse_schema_value("petrel-store/17") == 17u);
  CHECK_FALSE(parse_schema_value("petrel-store/"));
  CHECK_FALSE(parse_schema_value("petrel-store/1x"));
  CHECK_FALSE(parse_schema_value("bird"));
}

TEST_CASE("history keys group a prefix's entries in sequence order") {
  const Prefix a = *Prefix::parse("10.244.3.0/24"), b = *Prefix::parse("10.244.3.0/25");
  CHECK(history_key(a, 1) < history_key(a, 2));
  CHECK(history_key(a, 255) < history_key(a, 256));
  CHECK(history_key(a, 1).starts_with(history_prefix(a)));
  CHECK_FALSE(history_key(b, 1).starts_with(history_prefix(a)));
  CHECK(journal_key(9) < journal_key(10));
  CHECK(val(decode_seq(history_key(a, 0x0102030405ull))) == 0x0102030405ull);
  CHECK(val(decode_seq(journal_key(7))) == 7u);
  CHECK_FALSE(ok(decode_seq("j1")));
}

TEST_CASE("prefix keys round-trip for both families and refuse damage") {
  for (const char* text : {"0.0.0.0/0", "10.244.3.0/24", "192.0.2.1/32", "2001:db8::/32", "::/0", "2001:db8::1/128"}) {
    const Prefix p = *Prefix::parse(text);
    CHECK(val(decode_snapshot_key(snapshot_key(p))) == p);
  }
  std::string k = prefix_key(*Prefix::parse("10.244.3.0/24"));
  std::string bad_len = k;
  bad_len[1] = 33;
  std::string host_bits = k;
  host_bits[2 + 3] = 1;
  std::string bad_family = k;
  bad_family[0] = 5;
  std::string v4_junk = k;
  v4_junk[2 + 8] = 1;
  for (const auto& b : {bad_len, host_bits, bad_family, v4_junk, k.substr(0, 17)})
    CHECK_FALSE(ok(decode_prefix_key({reinterpret_cast<const uint8_t*>(b.data()), b.size()})));
}

TEST_CASE("a journal entry round-trips, a withdraw without attributes too") {
  const JournalEntry e = sample_entry();
  CHECK(val(decode_journal(encode_journal(e), 42)) == e);
  JournalEntry w = e;
  w.change = ChangeKind::withdraw;
  w.attrs = AttrSummary();
  w.prefix = *Prefix::parse("2001:db8:1::/48");
  CHECK(val(decode_journal(encode_journal(w), 42)) == w);
}

TEST_CASE("a journal summary lists the ECMP set's next hops, best first, byte by byte") {
  JournalEntry e = sample_entry();
  add_next_hop(e.attrs, *IpAddress::parse("10.0.0.2"));
  add_next_hop(e.attrs, *IpAddress::parse("10.0.0.1"));  // the best's: not twice
  add_next_hop(e.attrs, *IpAddress::parse("2001:db8::9"));
  add_next_hop(e.attrs, *IpAddress::parse("10.0.0.2"));  // not twice either
  REQUIRE(e.attrs.other_next_hops.size() == 2);
  CHECK(val(decode_journal(encode_journal(e), 42)) == e);
  CHECK(describe(e.attrs).starts_with("via 10.0.0.1, 10.0.0.2, 2001:db8::9 [AS65001 4200000000 {7 8} i]"));

  // The summary: the count, then each next hop as family + 16 bytes, then the
  // best's attributes exactly as without other next hops.
  const std::string summary = encode_summary(e.attrs);
  std::string expected;
  expected.push_back(3);
  expected.push_back(4);
  expected += std::string("\x0a\x00\x00\x01", 4) + std::string(12, '\0');
  expected.push_back(4);
  expected += std::string("\x0a\x00\x00\x02", 4) + std::string(12, '\0');
  expected.push_back(6);
  expected += std::string("\x20\x01\x0d\xb8", 4) + std::string(11, '\0') + "\x09";
  CHECK(summary.substr(0, 1 + 3 * 17) == expected);
  CHECK(summary.substr(1 + 3 * 17) == encode_summary_attrs(e.attrs));
  CHECK(encode_summary_attrs(e.attrs).substr(0, 2) == std::string("\x00\x02", 2));  // ORIGIN igp, 2 segments

  // The same summary built as the store does: next hops per entry, attributes once.
  std::string built;
  const std::vector<IpAddress> nhs{e.attrs.next_hop, e.attrs.other_next_hops[0], e.attrs.other_next_hops[1]};
  append_summary_next_hops(built, nhs);
  built += encode_summary_attrs(e.attrs);
  CHECK(built == summary);

  // A single path: one next hop, the count 1.
  const std::string single = encode_summary(summarize(sample_attrs()));
  CHECK(single[0] == 1);
  CHECK(single.size() == summary.size() - 2 * 17);

  // A count of 0 is damage, not an empty set.
  std::string v = encode_journal(e);
  const std::size_t at = v.size() - summary.size();
  v[at] = 0;
  CHECK(decode_journal(v, 42).error() == "journal entry 42: bad attributes");
}

TEST_CASE("the drain state's value is its start time; anything else is an error naming it") {
  CHECK(val(decode_draining(encode_draining(1'700'000'000'123))) == 1'700'000'000'123);
  CHECK(encode_draining(5) == "5");
  for (const char* bad : {"", "x", "12x", "-3", "99999999999999999999999"})
    CHECK(decode_draining(bad).error() == std::string("drain state: '") + bad + "' is not a time");
}

TEST_CASE("every truncation of a journal entry is an error, never a crash") {
  const std::string v = encode_journal(sample_entry());
  for (std::size_t n = 0; n < v.size(); ++n) {
    auto r = decode_journal(std::string_view(v).substr(0, n), 42);
    CHECK_FALSE(ok(r));
    if (!ok(r)) CHECK(r.error().starts_with("journal entry 42: "));
  }
  CHECK(decode_journal(v + "x", 42).error() == "journal entry 42: trailing bytes");
  std::string bad_kind = v;
  bad_kind[8] = 9;
  CHECK(decode_journal(bad_kind, 42).error() == "journal entry 42: bad change kind 9");
}

TEST_CASE("a snapshot entry round-trips every path of a prefix, best first, through the BGP codec") {
  const PeerRef tor1{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
  const PeerRef tor2{"tor2", *IpAddress::parse("10.0.0.2"), 65002, 0x0a000002};
  const Prefix p = *Prefix::parse("10.244.3.0/24");
  RouteAttrs second = sample_attrs();
  second.attrs.local_pref = 90;
  second.next_hop = *IpAddress::parse("10.0.0.2");
  second.attrs.next_hop = second.next_hop;
  const SnapshotRoute route{p, 1, {{tor1, 0, sample_attrs()}, {tor2, 7, second}}};
  const auto r = decode_snapshot(p, encode_snapshot(route));
  REQUIRE(ok(r));
  CHECK(*r == route);

  RouteAttrs v6;
  v6.attrs.origin = wire::Origin::incomplete;
  v6.attrs.as_path = wire::AsPath{};
  v6.next_hop = *IpAddress::parse("2001:db8::1");
  v6.link_local_next_hop = *IpAddress::parse("fe80::1");
  const Prefix q = *Prefix::parse("2001:db8:5::/48");
  const SnapshotRoute route6{q, 0, {{tor1, 0, v6}}};  // kept though not selected (next hop unreachable)
  const auto r6 = decode_snapshot(q, encode_snapshot(route6));
  REQUIRE(ok(r6));
  CHECK(*r6 == route6);
}

TEST_CASE("a snapshot value's bytes (schema 2): selected, count, then per path id, peer, length, attributes") {
  const PeerRef tor1{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
  const RouteAttrs a = sample_attrs();
  const std::string v = encode_snapshot(SnapshotRoute{*Prefix::parse("10.244.3.0/24"), 1, {{tor1, 0x01020304, a}}});
  const std::string attrs = encode_route_attrs(a);
  const std::string peer = encode_peer(tor1);
  // The peer: name length, name, family, 16 address bytes, AS, router id.
  CHECK(peer == std::string("\x04tor1\x04\x0a\x00\x00\x01", 10) + std::string(12, '\0') +
                    std::string("\x00\x00\xfd\xe9\x0a\x00\x00\x01", 8));
  std::string expected;
  expected += '\x01';                               // one selected (the ECMP set's size)
  expected += std::string("\x00\x01", 2);           // one path
  expected += std::string("\x01\x02\x03\x04", 4);   // its ADD-PATH id
  expected += peer;
  const auto n = static_cast<uint32_t>(attrs.size());
  expected += static_cast<char>(n >> 24);
  expected += static_cast<char>(n >> 16);
  expected += static_cast<char>(n >> 8);
  expected += static_cast<char>(n);
  expected += attrs;
  CHECK(v == expected);
  // The attributes: next hop (family, 16 bytes), no link-local, then a BGP UPDATE.
  CHECK(attrs.substr(0, 18) == std::string("\x04\x0a\x00\x00\x01", 5) + std::string(12, '\0') + '\0');
  CHECK(attrs.substr(18, 16) == std::string(16, '\xff'));  // the BGP marker
  CHECK(attrs[18 + 18] == 2);                             // UPDATE
}

TEST_CASE("an originated blackhole (NEXT_HOP 0.0.0.0) round-trips, though the codec refuses it from a peer") {
  RouteAttrs a;
  a.attrs.origin = wire::Origin::igp;
  a.attrs.as_path = wire::AsPath{};
  a.next_hop = *IpAddress::parse("0.0.0.0");
  a.attrs.next_hop = a.next_hop;
  a.attrs.communities = {(64512u << 16) | 100};
  const PeerRef own{"static", *IpAddress::parse("0.0.0.0"), 64512, 0};
  const SnapshotRoute route{*Prefix::parse("10.244.1.0/24"), 1, {{own, 0, a}}};
  const auto r = decode_snapshot(route.prefix, encode_snapshot(route));
  REQUIRE(ok(r));
  CHECK(*r == route);
}

TEST_CASE("a damaged snapshot value is an error naming the prefix (and the path), never a crash") {
  const PeerRef tor1{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 1};
  const Prefix p = *Prefix::parse("10.244.3.0/24");
  const std::string v = encode_snapshot(SnapshotRoute{p, 2, {{tor1, 0, sample_attrs()}, {tor1, 1, sample_attrs()}}});
  for (std::size_t n = 0; n < v.size(); ++n) {
    auto r = decode_snapshot(p, std::string_view(v).substr(0, n));
    CHECK_FALSE(ok(r));
    if (!ok(r)) CHECK(r.error().starts_with("snapshot of 10.244.3.0/24: "));
  }
  CHECK(decode_snapshot(p, v + "x").error() == "snapshot of 10.244.3.0/24: trailing bytes");
  std::string too_many = v;
  too_many[0] = 3;
  CHECK(decode_snapshot(p, too_many).error() == "snapshot of 10.244.3.0/24: selected 3 of 2 paths");
  CHECK(decode_snapshot(p, std::string("\x00\x00\x00", 3)).error() == "snapshot of 10.244.3.0/24: no paths");
  std::string bad_peer = v;
  bad_peer[3 + 4 + 5] = 9;  // the first path's peer address family
  CHECK(decode_snapshot(p, bad_peer).error() == "snapshot of 10.244.3.0/24: path 1: bad peer");
}

TEST_CASE("describe() gives the attribute summary on one line") {
  CHECK(describe(sample_entry().attrs) ==
        "via 10.0.0.1 [AS65001 4200000000 {7 8} i] local-pref 150 med 5 communities (65001,1) (65535,65281) "
        "large-communities (65001,2,3)");
  AttrSummary bare;
  bare.next_hop = *IpAddress::parse("2001:db8::1");
  CHECK(describe(bare) == "via 2001:db8::1 [?]");
}

// ---- schema 3: the set installed in the kernel, peers' graceful-restart state

TEST_CASE("a kernel-set key is 'k' and the prefix key; it sorts apart from the snapshot and round-trips") {
  const Prefix p = *Prefix::parse("10.244.3.0/24");
  CHECK(kernel_key(p) == std::string("k\x04\x18\x0a\xf4\x03", 6) + std::string(13, '\0'));
  CHECK(kernel_key(p).size() == 19);
  CHECK(val(decode_kernel_key(kernel_key(p))) == p);
  CHECK(val(decode_kernel_key(kernel_key(*Prefix::parse("2001:db8::/32")))) == *Prefix::parse("2001:db8::/32"));
  CHECK_FALSE(ok(decode_kernel_key(snapshot_key(p))));
  CHECK_FALSE(ok(decode_kernel_key("k")));
  CHECK(std::string(kKernelStateKey) == std::string("\0kernel-state", 13));
}

TEST_CASE("a kernel route's bytes: flags, metric, count, then per next hop address, ifindex, weight") {
  const Prefix p = *Prefix::parse("10.244.3.0/24");
  struct Row {
    const char* what;
    KernelRoute route;
    std::string bytes;
  };
  const std::vector<Row> rows = {
      {"a blackhole at metric 0", KernelRoute{p, true, 0, {}}, std::string("\x01\x00\x00\x00\x00\x00", 6)},
      {"one gateway, metric 20",
       KernelRoute{p, false, 20, {{*IpAddress::parse("10.1.0.2"), 0, 1}}},
       std::string("\x00\x00\x00\x00\x14\x01", 6) + std::string("\x04\x0a\x01\x00\x02", 5) + std::string(12, '\0') +
           std::string("\x00\x00\x00\x00\x00\x01", 6)},
      {"two IPv6 gateways with interface and weight",
       KernelRoute{*Prefix::parse("2001:db8:3::/48"), false, 1024,
                   {{*IpAddress::parse("fe80::1"), 3, 2}, {*IpAddress::parse("fe80::2"), 4, 1}}},
       std::string("\x00\x00\x00\x04\x00\x02", 6) + std::string("\x06\xfe\x80", 3) + std::string(13, '\0') + "\x01" +
           std::string("\x00\x00\x00\x03\x00\x02", 6) + std::string("\x06\xfe\x80", 3) + std::string(13, '\0') + "\x02" +
           std::string("\x00\x00\x00\x04\x00\x01", 6)},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    CHECK(encode_kernel_route(row.route) == row.bytes);
    CHECK(val(decode_kernel_route(row.route.prefix, row.bytes)) == row.route);
    // Every truncation and trailing bytes: an error naming the prefix, never a crash.
    for (std::size_t n = 0; n < row.bytes.size(); ++n) {
      auto r = decode_kernel_route(row.route.prefix, std::string_view(row.bytes).substr(0, n));
      REQUIRE_FALSE(ok(r));
      CHECK(r.error().starts_with("kernel route " + row.route.prefix.to_string() + ": "));
    }
    CHECK(decode_kernel_route(row.route.prefix, row.bytes + "x").error() ==
          "kernel route " + row.route.prefix.to_string() + ": trailing bytes");
  }
  CHECK(decode_kernel_route(p, std::string("\x02\x00\x00\x00\x00\x00", 6)).error() ==
        "kernel route 10.244.3.0/24: unknown flags 2");
  CHECK(decode_kernel_route(p, std::string("\x00\x00\x00\x00\x00\x00", 6)).error() ==
        "kernel route 10.244.3.0/24: neither a blackhole nor next hops");
  std::string bh = rows[1].bytes;
  bh[0] = 1;
  CHECK(decode_kernel_route(p, bh).error() == "kernel route 10.244.3.0/24: a blackhole with next hops");
}

TEST_CASE("a peer's graceful-restart state: key 'g' + name; value flags, address, restart time, families, time") {
  PeerRestartState s;
  s.name = "tor1";
  s.address = *IpAddress::parse("10.0.0.1");
  s.established = true;
  s.graceful_restart = true;
  s.restart_time = 120;
  s.families = {true, false};
  s.forwarding_preserved = {true, false};
  s.llgr_stale_time = {3600u, std::nullopt};
  s.time_ms = 0x0102030405060708;
  CHECK(peer_state_key("tor1") == "gtor1");
  CHECK(val(decode_peer_state_key("gtor1")) == "tor1");
  CHECK_FALSE(ok(decode_peer_state_key("g")));
  CHECK_FALSE(ok(decode_peer_state_key("stor1")));
  const std::string v = encode_peer_state(s);
  const std::string expected = std::string("\x03", 1)                                          // established, GR
                               + std::string("\x04\x0a\x00\x00\x01", 5) + std::string(12, '\0')  // the address
                               + std::string("\x00\x78", 2)                                      // 120 s
                               + std::string("\x07\x00\x00\x0e\x10", 5)                          // IPv4: GR, F, LLGR 3600
                               + std::string("\x00\x00\x00\x00\x00", 5)                          // IPv6: nothing
                               + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);             // time
  CHECK(v == expected);
  CHECK(val(decode_peer_state("tor1", v)) == s);
  PeerRestartState down = s;
  down.established = false;
  down.graceful_restart = false;
  down.families = {};
  down.forwarding_preserved = {};
  down.llgr_stale_time = {};
  down.address = *IpAddress::parse("2001:db8::1");
  CHECK(val(decode_peer_state("tor1", encode_peer_state(down))) == down);
  for (std::size_t n = 0; n < v.size(); ++n) {
    auto r = decode_peer_state("tor1", std::string_view(v).substr(0, n));
    REQUIRE_FALSE(ok(r));
    CHECK(r.error().starts_with("graceful-restart state of peer tor1: "));
  }
  CHECK(decode_peer_state("tor1", v + "x").error() == "graceful-restart state of peer tor1: trailing bytes");
  std::string bad = v;
  bad[0] = 4;
  CHECK(decode_peer_state("tor1", bad).error() == "graceful-restart state of peer tor1: unknown flags 4");
}
