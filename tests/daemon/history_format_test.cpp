// `show route history`'s layout: one line per change, oldest first, BIRD's
// framing (1007), and the JSON document.
#include "daemon/history_format.hpp"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace petrel;
using namespace petrel::daemon;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;

namespace {

std::vector<JournalEntry> flaps() {
  JournalEntry a;
  a.seq = 1;
  a.time_ms = 1'600'000'000'123;  // 2020-09-13 12:26:40.123 UTC
  a.prefix = *Prefix::parse("10.244.3.0/24");
  a.change = ChangeKind::announce;
  a.peer = PeerRef{"t1", *IpAddress::parse("10.11.0.2"), 65001, 1};
  a.attrs.next_hop = *IpAddress::parse("10.11.0.2");
  a.attrs.origin = wire::Origin::igp;
  a.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}}};
  a.attrs.local_pref = 100;
  JournalEntry w = a;
  w.seq = 2;
  w.time_ms += 1500;
  w.change = ChangeKind::withdraw;
  w.attrs = AttrSummary();
  JournalEntry e = a;  // a second next hop joins behind the same best
  e.seq = 3;
  e.time_ms += 3000;
  e.change = ChangeKind::replace;
  e.attrs.other_next_hops = {*IpAddress::parse("10.12.0.2")};
  return {a, w, e};
}

}  // namespace

TEST_CASE("show route history: a heading, then one line per change") {
  ::setenv("TZ", "UTC", 1);
  const Reply r = history_reply(*Prefix::parse("10.244.3.0/24"), flaps(), false);
  CHECK(r.encode() ==
        "1007-Route history of 10.244.3.0/24: 3 changes, oldest first\n"
        " 2020-09-13 12:26:40.123 announce t1 10.11.0.2 AS65001  via 10.11.0.2 [AS65001 i] local-pref 100\n"
        " 2020-09-13 12:26:41.623 withdraw t1 10.11.0.2 AS65001\n"
        " 2020-09-13 12:26:43.123 replace  t1 10.11.0.2 AS65001  via 10.11.0.2, 10.12.0.2 [AS65001 i] local-pref 100\n"
        "0000 \n");
}

TEST_CASE("show route history: no entries is a run-time error saying so") {
  const Reply r = history_reply(*Prefix::parse("10.9.0.0/16"), {}, false);
  CHECK(r.encode() == "8001 No route history for 10.9.0.0/16\n");
}

TEST_CASE("show route history in JSON: every field of every change") {
  ::setenv("TZ", "UTC", 1);
  const Reply r = history_reply(*Prefix::parse("10.244.3.0/24"), flaps(), true);
  std::string doc;
  for (const auto& [code, text] : r.entries()) doc += text;
  CHECK(doc.find("\"prefix\":\"10.244.3.0/24\"") != std::string::npos);
  CHECK(doc.find("\"change\":\"announce\"") != std::string::npos);
  CHECK(doc.find("\"change\":\"withdraw\"") != std::string::npos);
  CHECK(doc.find("\"as_path\":\"65001\"") != std::string::npos);
  CHECK(doc.find("\"local_pref\":100") != std::string::npos);
  CHECK(doc.find("\"time\":\"2020-09-13 12:26:40.123\"") != std::string::npos);
  CHECK(doc.find("\"peer_address\":\"10.11.0.2\"") != std::string::npos);
  CHECK(doc.find("\"next_hop\":\"10.11.0.2\",\"next_hops\":[\"10.11.0.2\"]") != std::string::npos);
  CHECK(doc.find("\"next_hops\":[\"10.11.0.2\",\"10.12.0.2\"]") != std::string::npos);
}
