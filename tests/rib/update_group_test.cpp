// Update groups and the Adj-RIB-Out: grouping by key, one shared encoding per
// group and batch, eBGP / reflected attributes as decoded from the bytes, split
// horizon without per-member encoding, no resend of an unchanged export,
// withdrawals only of what was advertised, the initial table with End-of-RIB,
// MRAI coalescing, and per-member queues that fill independently.
#include "rib/update_group.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bgp/wire/route_refresh.hpp"
#include "bgp/wire/update.hpp"

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kLocalAs = 64512;
constexpr uint32_t kRouterId = 0x0A00000B;  // 10.0.0.11
constexpr uint32_t kClient1Id = 0x0A000001;
constexpr uint32_t kClient2Id = 0x0A000002;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
Prefix pfx(const char* text) { return *Prefix::parse(text); }

LocalSpeaker speaker() { return {kLocalAs, kRouterId, /*cluster_id=*/0, /*default_local_pref=*/100}; }

RouteAttrs path(std::vector<uint32_t> as_path, const char* next_hop, std::optional<uint32_t> local_pref = std::nullopt,
                std::optional<uint32_t> med = std::nullopt, std::vector<uint32_t> communities = {}) {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{};
  if (!as_path.empty()) r.attrs.as_path->segments.push_back({wire::AsSegmentType::sequence, std::move(as_path)});
  r.next_hop = ip(next_hop);
  if (r.next_hop.is_v4()) r.attrs.next_hop = r.next_hop;
  r.attrs.local_pref = local_pref;
  r.attrs.med = med;
  r.attrs.communities = std::move(communities);
  return r;
}

PeerInfo peer_info(const char* address, uint32_t as, uint32_t router_id, bool external) {
  PeerInfo p;
  p.address = ip(address);
  p.peer_as = as;
  p.router_id = router_id;
  p.external = external;
  return p;
}

// Route-reflector clients: iBGP, both families, next hop kept.
MemberConfig client_config(Duration mrai = {}) {
  ExportPeer v4;
  v4.external = false;
  v4.rr_client = true;
  v4.peer_as = kLocalAs;
  v4.local_address = ip("10.0.0.11");
  ExportPeer v6 = v4;
  v6.local_address = ip("2001:db8::11");
  MemberConfig c;
  c.families = {v4, v6};
  c.mrai = mrai;
  return c;
}

// An eBGP customer in AS 65002, IPv4 only.
MemberConfig ebgp_config() {
  ExportPeer v4;
  v4.external = true;
  v4.peer_as = 65002;
  v4.local_address = ip("198.51.100.11");
  v4.shared_subnet = pfx("198.51.100.0/24");
  v4.has_export_policy = true;
  MemberConfig c;
  c.families = {v4, std::nullopt};
  return c;
}

// What a member decoded from its queue.
struct Route {
  wire::PathAttributes attrs;
  IpAddress next_hop;
};
struct Received {
  std::map<Prefix, Route> announced;  // the last announcement of each prefix
  std::vector<Prefix> withdrawn;
  std::vector<wire::Family> end_of_rib;
  std::size_t messages = 0;
  std::size_t buffers = 0;
  bool withdrew(const Prefix& p) const { return std::find(withdrawn.begin(), withdrawn.end(), p) != withdrawn.end(); }
  bool empty() const { return messages == 0; }
};

// Splits a buffer into messages and decodes each; the buffer outlives the NLRI views.
void decode_into(const std::vector<uint8_t>& bytes, Received& r) {
  const wire::CodecContext ctx;  // what we negotiated with the test members: the defaults
  std::size_t at = 0;
  ++r.buffers;
  while (at < bytes.size()) {
    REQUIRE(bytes.size() - at >= wire::kHeaderSize);
    const std::size_t len = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
    REQUIRE(bytes[at + 18] == static_cast<uint8_t>(wire::MessageType::update));
    REQUIRE(at + len <= bytes.size());
    auto u = wire::decode_update(std::span<const uint8_t>(bytes).subspan(at, len), ctx);
    REQUIRE(u.has_value());
    REQUIRE(u->errors.empty());
    ++r.messages;
    at += len;
    if (auto f = u->end_of_rib()) {
      r.end_of_rib.push_back(*f);
      continue;
    }
    for (const wire::NlriEntry e : u->withdrawn) r.withdrawn.push_back(e.prefix);
    if (u->mp_unreach)
      for (const wire::NlriEntry e : u->mp_unreach->nlri) r.withdrawn.push_back(e.prefix);
    for (const wire::NlriEntry e : u->nlri) r.announced[e.prefix] = {u->attrs, *u->attrs.next_hop};
    if (u->mp_reach)
      for (const wire::NlriEntry e : u->mp_reach->nlri) r.announced[e.prefix] = {u->attrs, u->mp_reach->next_hop.global};
  }
}

Received decode(const std::vector<OutBuffer>& buffers) {
  Received r;
  for (const OutBuffer& b : buffers) decode_into(*b, r);
  return r;
}

struct Fixture {
  Rib rib;
  const PeerId ebgp_src = rib.add_peer(peer_info("192.0.2.1", 65001, 0x01010101, /*external=*/true));
  const PeerId client1 = rib.add_peer(peer_info("10.0.0.1", kLocalAs, kClient1Id, /*external=*/false));
  const PeerId client2 = rib.add_peer(peer_info("10.0.0.2", kLocalAs, kClient2Id, /*external=*/false));
  const PeerId customer = rib.add_peer(peer_info("198.51.100.2", 65002, 0x02020202, /*external=*/true));
  UpdateGroups groups{rib, speaker()};  // declared after the Rib: destroyed first
  std::vector<RouteChange> changes;
  TimePoint now = TimePoint{} + 1h;

  void announce(PeerId peer, const char* prefix, const RouteAttrs& a) {
    rib.announce(peer, pfx(prefix), 0, rib.attrs().intern(a));
  }
  std::size_t decide() {
    changes.clear();
    rib.decide(changes);
    groups.process(changes, now);
    return changes.size();
  }
  Received receive(PeerId member) { return decode(groups.drain(member)); }
  // Members join an empty RIB; their (End-of-RIB only) tables are consumed.
  void join_all() {
    groups.add_member(client1, client_config());
    groups.add_member(client2, client_config());
    groups.add_member(customer, ebgp_config());
    for (PeerId m : {client1, client2, customer}) groups.drain(m);
  }
};

}  // namespace

TEST_CASE("group keys: bits that change the bytes split groups, receive-side bits do not") {
  const GroupKey base = group_key(client_config());
  CHECK(group_key(client_config()) == base);

  MemberConfig c = client_config();
  c.codec.add_path_receive[0] = true;
  c.codec.external_peer = true;
  CHECK(group_key(c) == base);

  c = client_config();
  c.codec.four_octet_as = false;
  CHECK_FALSE(group_key(c) == base);
  c = client_config();
  c.codec.add_path_send[1] = true;
  CHECK_FALSE(group_key(c) == base);
  c = client_config();
  c.codec.extended_message = true;
  CHECK_FALSE(group_key(c) == base);
  c = client_config();
  c.families[0]->local_address = ip("10.0.0.12");
  CHECK_FALSE(group_key(c) == base);
  c = client_config();
  c.families[0]->rr_client = false;
  CHECK_FALSE(group_key(c) == base);
  c = client_config();
  c.families[1].reset();
  CHECK_FALSE(group_key(c) == base);
  CHECK_FALSE(group_key(client_config(30s)) == base);

  Fixture f;
  f.join_all();
  CHECK(f.groups.group_count() == 2);
  CHECK(f.groups.group_of(f.client1) != 0);
  CHECK(f.groups.group_of(f.client1) == f.groups.group_of(f.client2));
  CHECK(f.groups.group_of(f.customer) != f.groups.group_of(f.client1));
  CHECK(f.groups.group_of(f.ebgp_src) == 0);
}

TEST_CASE("eBGP member: AS prepended, next hop self; client: reflected; the source gets nothing") {
  Fixture f;
  f.join_all();
  // Client 1 passes on its customer's route (AS 65100).
  f.announce(f.client1, "10.1.0.0/16", path({65100}, "10.0.0.1", /*local_pref=*/200, /*med=*/5));
  REQUIRE(f.decide() == 1);

  const Received x = f.receive(f.customer);
  REQUIRE(x.announced.count(pfx("10.1.0.0/16")) == 1);
  const Route& to_ebgp = x.announced.at(pfx("10.1.0.0/16"));
  CHECK(to_ebgp.attrs.as_path->to_string() == "64512 65100");
  CHECK(to_ebgp.next_hop == ip("198.51.100.11"));
  CHECK_FALSE(to_ebgp.attrs.local_pref.has_value());
  CHECK_FALSE(to_ebgp.attrs.med.has_value());
  CHECK_FALSE(to_ebgp.attrs.originator_id.has_value());
  CHECK(to_ebgp.attrs.cluster_list.empty());

  const Received c2 = f.receive(f.client2);
  REQUIRE(c2.announced.count(pfx("10.1.0.0/16")) == 1);
  const Route& reflected = c2.announced.at(pfx("10.1.0.0/16"));
  CHECK(reflected.attrs.as_path->to_string() == "65100");
  CHECK(reflected.next_hop == ip("10.0.0.1"));
  CHECK(reflected.attrs.local_pref == 200u);
  CHECK(reflected.attrs.med == 5u);
  CHECK(reflected.attrs.originator_id == kClient1Id);
  CHECK(reflected.attrs.cluster_list == std::vector<uint32_t>{kRouterId});

  // Split horizon: client 1 shares the group but is not sent its own route.
  CHECK(f.groups.pending_buffers(f.client1) == 0);
  CHECK(f.groups.advertised(f.client1, pfx("10.1.0.0/16")) == kNoAttrs);
  CHECK(f.groups.advertised(f.client2, pfx("10.1.0.0/16")) != kNoAttrs);
}

TEST_CASE("one encoding per group and batch: members share the buffer; packed per attribute set") {
  Fixture f;
  f.join_all();
  f.announce(f.ebgp_src, "10.2.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.3.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.4.0.0/16", path({65001, 65009}, "192.0.2.1"));
  REQUIRE(f.decide() == 3);

  const auto b1 = f.groups.drain(f.client1);
  const auto b2 = f.groups.drain(f.client2);
  const auto bx = f.groups.drain(f.customer);
  REQUIRE(b1.size() == 1);
  REQUIRE(b2.size() == 1);
  REQUIRE(bx.size() == 1);
  CHECK(b1[0].get() == b2[0].get());  // the same bytes object, encoded once
  CHECK(b1[0].get() != bx[0].get());  // another group, another encoding

  const Received r = decode(b1);
  CHECK(r.announced.size() == 3);
  CHECK(r.messages == 2);  // two attribute sets, two UPDATEs
  CHECK(r.announced.at(pfx("10.2.0.0/16")).attrs.local_pref == 100u);  // default LOCAL_PREF to iBGP
  CHECK_FALSE(r.announced.at(pfx("10.2.0.0/16")).attrs.originator_id.has_value());  // eBGP-learned: not reflected
  const Received rx = decode(bx);
  CHECK(rx.announced.size() == 3);
  CHECK(rx.announced.at(pfx("10.4.0.0/16")).attrs.as_path->to_string() == "64512 65001 65009");
}

TEST_CASE("split horizon follows the best path between members, without re-encoding for each") {
  Fixture f;
  f.join_all();
  const Prefix p = pfx("10.8.0.0/16");
  f.announce(f.client1, "10.8.0.0/16", path({}, "10.0.0.1", 100));
  f.decide();
  CHECK(f.receive(f.client1).empty());
  CHECK(f.receive(f.client2).announced.at(p).next_hop == ip("10.0.0.1"));
  f.groups.drain(f.customer);

  // Client 2's own path wins: it withdraws what it was sent; client 1 now gets client 2's.
  f.announce(f.client2, "10.8.0.0/16", path({}, "10.0.0.2", 300));
  REQUIRE(f.decide() == 1);
  const auto b1 = f.groups.drain(f.client1);
  const auto b2 = f.groups.drain(f.client2);
  REQUIRE(b1.size() == 1);
  REQUIRE(b2.size() == 1);
  CHECK(b1[0].get() != b2[0].get());
  const Received r1 = decode(b1);
  const Received r2 = decode(b2);
  CHECK(r1.announced.at(p).next_hop == ip("10.0.0.2"));
  CHECK(r1.announced.at(p).attrs.originator_id == kClient2Id);
  CHECK(r1.withdrawn.empty());
  CHECK(r2.announced.empty());
  CHECK(r2.withdrew(p));

  // Back to client 1's path: the mirror image.
  f.rib.withdraw(f.client2, p, 0);
  f.decide();
  const Received r1b = f.receive(f.client1);
  const Received r2b = f.receive(f.client2);
  CHECK(r1b.withdrew(p));
  CHECK(r1b.announced.empty());
  CHECK(r2b.announced.at(p).next_hop == ip("10.0.0.1"));
  CHECK(r2b.withdrawn.empty());

  // A third client joining the group shares the other members' buffers for
  // prefixes that are not its own.
  const PeerId client3 = f.rib.add_peer(peer_info("10.0.0.3", kLocalAs, 0x0A000003, false));
  f.groups.add_member(client3, client_config());
  CHECK(f.groups.group_of(client3) == f.groups.group_of(f.client1));
  CHECK(decode(f.groups.drain(client3)).announced.count(p) == 1);
  f.announce(f.client1, "10.8.0.0/16", path({}, "10.0.0.1", 150));
  f.decide();
  const auto c2 = f.groups.drain(f.client2);
  const auto c3 = f.groups.drain(client3);
  REQUIRE(c2.size() == 1);
  REQUIRE(c3.size() == 1);
  CHECK(c2[0].get() == c3[0].get());
  CHECK(f.groups.pending_buffers(f.client1) == 0);
}

TEST_CASE("an export that did not change is not sent again") {
  Fixture f;
  f.join_all();
  f.announce(f.ebgp_src, "10.5.0.0/16", path({65001}, "192.0.2.1", std::nullopt, /*med=*/10));
  f.decide();
  CHECK(f.receive(f.customer).announced.size() == 1);
  CHECK(f.receive(f.client1).announced.size() == 1);
  f.groups.drain(f.client2);

  // A new MED: the selection changes, the eBGP export does not (the MED of an
  // eBGP-learned path is not passed on to another AS); iBGP sees the new MED.
  f.announce(f.ebgp_src, "10.5.0.0/16", path({65001}, "192.0.2.1", std::nullopt, /*med=*/20));
  REQUIRE(f.decide() == 1);
  CHECK(f.groups.pending_bytes(f.customer) == 0);
  const Received c1 = f.receive(f.client1);
  CHECK(c1.announced.at(pfx("10.5.0.0/16")).attrs.med == 20u);
  f.groups.drain(f.client2);

  // A re-decision with the same path: nothing for anybody.
  f.rib.touch_peer(f.ebgp_src);
  REQUIRE(f.decide() == 1);
  CHECK(f.groups.pending_bytes(f.customer) == 0);
  CHECK(f.groups.pending_bytes(f.client1) == 0);
  CHECK(f.groups.pending_bytes(f.client2) == 0);
}

TEST_CASE("withdrawals only for prefixes that were advertised") {
  Fixture f;
  f.join_all();
  // NO_EXPORT: to the clients, never to the eBGP customer.
  f.announce(f.ebgp_src, "10.6.0.0/16", path({65001}, "192.0.2.1", std::nullopt, std::nullopt,
                                             {wire::community::no_export}));
  f.announce(f.ebgp_src, "10.7.0.0/16", path({65001}, "192.0.2.1"));
  f.decide();
  const Received x = f.receive(f.customer);
  CHECK(x.announced.count(pfx("10.6.0.0/16")) == 0);
  CHECK(x.announced.count(pfx("10.7.0.0/16")) == 1);
  CHECK(f.receive(f.client1).announced.size() == 2);
  f.groups.drain(f.client2);

  // Withdrawn: the clients had it, the customer did not.
  f.rib.withdraw(f.ebgp_src, pfx("10.6.0.0/16"), 0);
  // Becomes non-exportable to the customer: withdrawn there, updated for clients.
  f.announce(f.ebgp_src, "10.7.0.0/16", path({65001}, "192.0.2.1", std::nullopt, std::nullopt,
                                             {wire::community::no_export}));
  REQUIRE(f.decide() == 2);
  const Received x2 = f.receive(f.customer);
  CHECK_FALSE(x2.withdrew(pfx("10.6.0.0/16")));
  CHECK(x2.withdrew(pfx("10.7.0.0/16")));
  CHECK(x2.announced.empty());
  const Received c1 = f.receive(f.client1);
  CHECK(c1.withdrew(pfx("10.6.0.0/16")));
  CHECK(c1.announced.count(pfx("10.7.0.0/16")) == 1);

  // Withdrawn everywhere now; the customer was already told.
  f.rib.withdraw(f.ebgp_src, pfx("10.7.0.0/16"), 0);
  f.decide();
  CHECK(f.groups.pending_bytes(f.customer) == 0);
  CHECK(f.receive(f.client1).withdrew(pfx("10.7.0.0/16")));
}

TEST_CASE("a new member gets the full table, then End-of-RIB for each negotiated family") {
  Fixture f;
  f.announce(f.ebgp_src, "10.10.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "2001:db8:100::/48", path({65001}, "2001:db8::1"));
  f.announce(f.client1, "10.11.0.0/16", path({}, "10.0.0.1", 100));
  std::vector<RouteChange> ignored;
  f.rib.decide(ignored);  // before anyone is a member

  f.groups.add_member(f.client1, client_config());
  const auto b1 = f.groups.drain(f.client1);
  REQUIRE(b1.size() == 1);
  const Received r1 = decode(b1);
  CHECK(r1.announced.size() == 2);  // not its own 10.11.0.0/16
  CHECK(r1.announced.count(pfx("10.11.0.0/16")) == 0);
  CHECK(r1.announced.at(pfx("2001:db8:100::/48")).next_hop == ip("2001:db8::1"));
  CHECK(r1.end_of_rib == std::vector<wire::Family>{wire::Family::ipv4_unicast, wire::Family::ipv6_unicast});
  // End-of-RIB comes last.
  CHECK(r1.messages == 2 + 2);

  f.groups.add_member(f.client2, client_config());
  const Received r2 = f.receive(f.client2);
  CHECK(r2.announced.size() == 3);
  CHECK(r2.announced.at(pfx("10.11.0.0/16")).attrs.originator_id == kClient1Id);
  CHECK(r2.end_of_rib.size() == 2);

  f.groups.add_member(f.customer, ebgp_config());
  const Received rx = f.receive(f.customer);
  CHECK(rx.announced.size() == 2);  // IPv4 only
  CHECK(rx.announced.count(pfx("2001:db8:100::/48")) == 0);
  CHECK(rx.end_of_rib == std::vector<wire::Family>{wire::Family::ipv4_unicast});

  // An empty table is End-of-RIB alone.
  Fixture empty;
  empty.groups.add_member(empty.customer, ebgp_config());
  const Received e = empty.receive(empty.customer);
  CHECK(e.announced.empty());
  CHECK(e.end_of_rib == std::vector<wire::Family>{wire::Family::ipv4_unicast});
}

TEST_CASE("MRAI: changes within the interval are coalesced, the latest wins") {
  Fixture f;
  const TimePoint t0 = f.now;
  f.groups.add_member(f.client1, client_config(30s));
  f.groups.drain(f.client1);
  const Prefix p = pfx("10.20.0.0/16");

  f.announce(f.ebgp_src, "10.20.0.0/16", path({65001}, "192.0.2.1", std::nullopt, /*med=*/1));
  f.decide();  // nothing sent recently: goes out at once
  CHECK(f.receive(f.client1).announced.at(p).attrs.med == 1u);
  CHECK_FALSE(f.groups.next_deadline().has_value());

  f.now = t0 + 1s;
  f.announce(f.ebgp_src, "10.20.0.0/16", path({65001}, "192.0.2.1", std::nullopt, /*med=*/2));
  f.decide();
  f.now = t0 + 2s;
  f.announce(f.ebgp_src, "10.20.0.0/16", path({65001}, "192.0.2.1", std::nullopt, /*med=*/3));
  f.announce(f.ebgp_src, "10.21.0.0/16", path({65001}, "192.0.2.1"));  // comes and goes within the interval
  f.decide();
  f.rib.withdraw(f.ebgp_src, pfx("10.21.0.0/16"), 0);
  f.decide();
  CHECK(f.groups.pending_bytes(f.client1) == 0);
  REQUIRE(f.groups.next_deadline().has_value());
  CHECK(*f.groups.next_deadline() == t0 + 30s);

  // A member joining meanwhile gets what the group has sent, not the newer state.
  f.now = t0 + 5s;
  f.groups.add_member(f.client2, client_config(30s));
  CHECK(f.groups.group_of(f.client2) == f.groups.group_of(f.client1));
  CHECK(f.receive(f.client2).announced.at(p).attrs.med == 1u);

  f.groups.flush(t0 + 10s);
  CHECK(f.groups.pending_bytes(f.client1) == 0);
  f.groups.flush(t0 + 30s);
  const auto b1 = f.groups.drain(f.client1);
  const auto b2 = f.groups.drain(f.client2);
  REQUIRE(b1.size() == 1);
  REQUIRE(b2.size() == 1);
  CHECK(b1[0].get() == b2[0].get());
  const Received r = decode(b1);
  CHECK(r.messages == 1);
  CHECK(r.announced.size() == 1);
  CHECK(r.announced.at(p).attrs.med == 3u);
  CHECK(r.withdrawn.empty());  // 10.21.0.0/16 was never sent
  CHECK_FALSE(f.groups.next_deadline().has_value());
}

TEST_CASE("a member that is not drained queues up without holding back the others") {
  Fixture f;
  f.join_all();
  std::size_t bytes = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string prefix = "10.3" + std::to_string(i) + ".0.0/16";
    f.announce(f.ebgp_src, prefix.c_str(), path({65001}, "192.0.2.1"));
    f.decide();
    // Client 1's session keeps up; client 2's socket is above its high-water mark.
    const auto b = f.groups.drain(f.client1);
    REQUIRE(b.size() == 1);
    bytes += b[0]->size();
    CHECK(f.groups.pending_bytes(f.client1) == 0);
    CHECK(f.groups.pending_buffers(f.client2) == static_cast<std::size_t>(i + 1));
  }
  CHECK(f.groups.pending_bytes(f.client2) == bytes);
  CHECK(f.groups.pop(f.client1) == nullptr);

  // It catches up later, in order.
  const OutBuffer first = f.groups.pop(f.client2);
  REQUIRE(first);
  CHECK(decode({first}).announced.count(pfx("10.30.0.0/16")) == 1);
  CHECK(f.groups.pending_bytes(f.client2) == bytes - first->size());
  const Received rest = f.receive(f.client2);
  CHECK(rest.announced.count(pfx("10.31.0.0/16")) == 1);
  CHECK(rest.announced.count(pfx("10.32.0.0/16")) == 1);
  CHECK(f.groups.pending_bytes(f.client2) == 0);
}

TEST_CASE("groups release their attribute references with their last member") {
  Fixture f;
  f.announce(f.ebgp_src, "10.40.0.0/16", path({65001}, "192.0.2.1"));
  std::vector<RouteChange> ignored;
  f.rib.decide(ignored);
  const std::size_t sets = f.rib.attrs().size();
  f.join_all();
  CHECK(f.rib.attrs().size() > sets);  // exported sets: prepended / LOCAL_PREF added
  f.groups.remove_member(f.client1);
  f.groups.remove_member(f.client2);
  f.groups.remove_member(f.customer);
  CHECK(f.groups.group_count() == 0);
  CHECK(f.rib.attrs().size() == sets);
  CHECK(f.groups.pending_bytes(f.client1) == 0);
}

TEST_CASE("export policy runs after the protocol's rules: it may rewrite or refuse, per prefix") {
  Fixture f;
  std::vector<uint32_t> seen_policy_ids;
  f.groups.set_export_policy([&](uint32_t policy_id, const Prefix& p, RouteAttrs& a) {
    seen_policy_ids.push_back(policy_id);
    if (p == pfx("10.1.2.0/24")) return false;  // refused
    a.attrs.communities.push_back((64512u << 16) | 200);
    return true;
  });
  MemberConfig customer = ebgp_config();
  customer.export_policy = 7;
  f.groups.add_member(f.customer, customer);
  f.groups.drain(f.customer);
  f.announce(f.ebgp_src, "10.1.1.0/24", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.1.2.0/24", path({65001}, "192.0.2.1"));
  f.decide();
  const Received r = f.receive(f.customer);
  REQUIRE(r.announced.count(pfx("10.1.1.0/24")) == 1);
  CHECK(r.announced.at(pfx("10.1.1.0/24")).attrs.communities == std::vector<uint32_t>{(64512u << 16) | 200});
  CHECK(r.announced.count(pfx("10.1.2.0/24")) == 0);
  CHECK(r.withdrawn.empty());  // never advertised, so nothing to withdraw
  CHECK(std::count(seen_policy_ids.begin(), seen_policy_ids.end(), 7u) == 2);
}

namespace {

// What an ADD-PATH receiver decoded: paths by (prefix, path id).
struct ReceivedPaths {
  std::map<std::pair<Prefix, uint32_t>, IpAddress> announced;  // next hop of each path's last announcement
  std::vector<std::pair<Prefix, uint32_t>> withdrawn;
  std::vector<wire::RefreshSubtype> refresh_markers;
  std::size_t end_of_rib = 0;
};

ReceivedPaths decode_paths(const std::vector<OutBuffer>& buffers, bool add_path) {
  wire::CodecContext ctx;
  ctx.add_path_receive = {add_path, add_path};
  ReceivedPaths r;
  for (const OutBuffer& b : buffers) {
    const std::vector<uint8_t>& bytes = *b;
    std::size_t at = 0;
    while (at < bytes.size()) {
      REQUIRE(bytes.size() - at >= wire::kHeaderSize);
      const std::size_t len = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
      const auto message = std::span<const uint8_t>(bytes).subspan(at, len);
      at += len;
      if (bytes[at - len + 18] == static_cast<uint8_t>(wire::MessageType::route_refresh)) {
        auto rr = wire::decode_route_refresh(message);
        REQUIRE(rr.has_value());
        REQUIRE(rr->has_value());
        r.refresh_markers.push_back((*rr)->subtype);
        continue;
      }
      auto u = wire::decode_update(message, ctx);
      REQUIRE(u.has_value());
      REQUIRE(u->errors.empty());
      if (u->end_of_rib()) {
        ++r.end_of_rib;
        continue;
      }
      for (const wire::NlriEntry e : u->withdrawn) r.withdrawn.push_back({e.prefix, e.path_id});
      if (u->mp_unreach)
        for (const wire::NlriEntry e : u->mp_unreach->nlri) r.withdrawn.push_back({e.prefix, e.path_id});
      for (const wire::NlriEntry e : u->nlri) r.announced[{e.prefix, e.path_id}] = *u->attrs.next_hop;
    }
  }
  return r;
}

// A reflector with ECMP over two eBGP paths and clients with and without ADD-PATH send.
struct EcmpFixture {
  Rib rib{BestPathOptions{.max_paths = 4}};
  const PeerId isp_a = rib.add_peer(peer_info("192.0.2.1", 65001, 0x01010101, /*external=*/true));
  const PeerId isp_b = rib.add_peer(peer_info("192.0.2.2", 65001, 0x01010102, /*external=*/true));
  const PeerId client1 = rib.add_peer(peer_info("10.0.0.1", kLocalAs, kClient1Id, /*external=*/false));
  const PeerId client2 = rib.add_peer(peer_info("10.0.0.2", kLocalAs, kClient2Id, /*external=*/false));
  UpdateGroups groups{rib, speaker()};
  std::vector<RouteChange> changes;

  static MemberConfig add_path_client() {
    MemberConfig c = client_config();
    c.codec.add_path_send = {true, true};
    return c;
  }
  void decide() {
    changes.clear();
    rib.decide(changes);
    groups.process(changes, TimePoint{} + 1h);
  }
};

}  // namespace

TEST_CASE("ADD-PATH send: a client is sent the whole ECMP set, each path under its own stable id") {
  EcmpFixture f;
  const Prefix p = pfx("10.20.0.0/16");
  f.groups.add_member(f.client1, EcmpFixture::add_path_client());
  f.groups.add_member(f.client2, client_config());  // no ADD-PATH: the best path alone
  CHECK(f.groups.group_of(f.client1) != f.groups.group_of(f.client2));
  f.groups.drain(f.client1);
  f.groups.drain(f.client2);

  f.rib.announce(f.isp_a, p, 0, f.rib.attrs().intern(path({65001}, "192.0.2.1")));
  f.rib.announce(f.isp_b, p, 0, f.rib.attrs().intern(path({65001}, "192.0.2.2")));
  f.decide();
  REQUIRE(f.rib.selected(p).size() == 2);
  ReceivedPaths r1 = decode_paths(f.groups.drain(f.client1), true);
  REQUIRE(r1.announced.size() == 2);
  CHECK(r1.announced.at({p, 1}) != r1.announced.at({p, 2}));
  std::set<IpAddress> hops{r1.announced.at({p, 1}), r1.announced.at({p, 2})};
  CHECK(hops == std::set<IpAddress>{ip("192.0.2.1"), ip("192.0.2.2")});
  const ReceivedPaths r2 = decode_paths(f.groups.drain(f.client2), false);
  CHECK(r2.announced.size() == 1);
  CHECK(f.groups.advertised_paths(f.client1, p).size() == 2);
  CHECK(f.groups.advertised_paths(f.client2, p).size() == 1);

  // Path B goes: only its id is withdrawn; path A keeps its id and is not resent.
  const uint32_t id_b = r1.announced.at({p, 1}) == ip("192.0.2.2") ? 1 : 2;
  const uint32_t id_a = 3 - id_b;
  f.rib.withdraw(f.isp_b, p, 0);
  f.decide();
  r1 = decode_paths(f.groups.drain(f.client1), true);
  CHECK(r1.announced.empty());
  REQUIRE(r1.withdrawn.size() == 1);
  CHECK(r1.withdrawn[0] == std::pair{p, id_b});

  // B comes back under an id that is free; A's id never changes.
  f.rib.announce(f.isp_b, p, 0, f.rib.attrs().intern(path({65001}, "192.0.2.2")));
  f.decide();
  r1 = decode_paths(f.groups.drain(f.client1), true);
  REQUIRE(r1.announced.size() == 1);
  CHECK(r1.announced.begin()->first.second != id_a);
  CHECK(r1.announced.begin()->second == ip("192.0.2.2"));
  CHECK(r1.withdrawn.empty());

  // A new member of the ADD-PATH group gets both paths in its initial table.
  const PeerId client3 = f.rib.add_peer(peer_info("10.0.0.3", kLocalAs, 0x0A000003, false));
  f.groups.add_member(client3, EcmpFixture::add_path_client());
  const ReceivedPaths r3 = decode_paths(f.groups.drain(client3), true);
  CHECK(r3.announced.size() == 2);
  CHECK(r3.end_of_rib == 2);

  // The prefix goes entirely: both ids withdrawn.
  f.rib.withdraw(f.isp_a, p, 0);
  f.rib.withdraw(f.isp_b, p, 0);
  f.decide();
  r1 = decode_paths(f.groups.drain(f.client1), true);
  CHECK(r1.withdrawn.size() == 2);
  CHECK(f.groups.advertised_paths(f.client1, p).empty());
}

TEST_CASE("ADD-PATH send: a path from a member is not sent back to it, the other paths are") {
  EcmpFixture f;
  const Prefix p = pfx("10.30.0.0/16");
  f.groups.add_member(f.client1, EcmpFixture::add_path_client());
  f.groups.add_member(f.client2, EcmpFixture::add_path_client());
  f.groups.drain(f.client1);
  f.groups.drain(f.client2);
  // Two equal iBGP paths from the clients themselves (multipath across iBGP).
  f.rib.announce(f.client1, p, 0, f.rib.attrs().intern(path({}, "10.0.0.1", 100)));
  f.rib.announce(f.client2, p, 0, f.rib.attrs().intern(path({}, "10.0.0.2", 100)));
  f.decide();
  REQUIRE(f.rib.selected(p).size() == 2);
  const ReceivedPaths r1 = decode_paths(f.groups.drain(f.client1), true);
  const ReceivedPaths r2 = decode_paths(f.groups.drain(f.client2), true);
  REQUIRE(r1.announced.size() == 1);
  REQUIRE(r2.announced.size() == 1);
  CHECK(r1.announced.begin()->second == ip("10.0.0.2"));
  CHECK(r2.announced.begin()->second == ip("10.0.0.1"));
}

TEST_CASE("route refresh in: the member is sent its Adj-RIB-Out of the family again, enhanced with BoRR/EoRR") {
  Fixture f;
  f.join_all();
  f.announce(f.ebgp_src, "10.1.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "2001:db8:1::/48", path({65001}, "2001:db8::1"));
  f.decide();
  f.groups.drain(f.client1);
  f.groups.drain(f.client2);

  f.groups.resend(f.client1, wire::Family::ipv4_unicast, /*enhanced=*/false);
  ReceivedPaths r = decode_paths(f.groups.drain(f.client1), false);
  CHECK(r.announced.size() == 1);
  CHECK(r.announced.count({pfx("10.1.0.0/16"), 0}) == 1);
  CHECK(r.refresh_markers.empty());
  CHECK(f.groups.pending_buffers(f.client2) == 0);  // the others are not bothered

  f.groups.resend(f.client1, wire::Family::ipv6_unicast, /*enhanced=*/true);
  r = decode_paths(f.groups.drain(f.client1), false);
  CHECK(r.refresh_markers == std::vector{wire::RefreshSubtype::begin, wire::RefreshSubtype::end});
  CHECK(r.end_of_rib == 0);
}

TEST_CASE("policy change: reevaluate sends only the difference; change_member moves a live member") {
  Fixture f;
  bool tag = false;
  f.groups.set_export_policy([&](uint32_t, const Prefix& p, RouteAttrs& a) {
    if (p == pfx("10.1.2.0/24")) return tag;  // refused until the policy changes
    if (tag) a.attrs.communities.push_back((64512u << 16) | 300);
    return true;
  });
  MemberConfig customer = ebgp_config();
  customer.export_policy = 9;
  f.groups.add_member(f.customer, customer);
  f.groups.add_member(f.client1, client_config());
  f.groups.drain(f.customer);
  f.groups.drain(f.client1);
  f.announce(f.ebgp_src, "10.1.1.0/24", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.1.2.0/24", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.1.3.0/24", path({65001}, "192.0.2.1"));
  f.decide();
  CHECK(f.receive(f.customer).announced.size() == 2);
  f.groups.drain(f.client1);

  // The policy changes: the refused prefix now goes out, the others get the new
  // community; a member of another policy hears nothing.
  tag = true;
  f.groups.reevaluate(9);
  Received r = f.receive(f.customer);
  CHECK(r.announced.size() == 3);
  CHECK(r.announced.at(pfx("10.1.2.0/24")).attrs.communities.empty());
  CHECK(r.announced.at(pfx("10.1.1.0/24")).attrs.communities == std::vector<uint32_t>{(64512u << 16) | 300});
  CHECK(f.groups.pending_buffers(f.client1) == 0);
  f.groups.reevaluate(9);  // nothing changed since: nothing sent
  CHECK(f.groups.pending_buffers(f.customer) == 0);

  // The customer's export policy is replaced by none (id 0) on a live session:
  // it moves group; what the new group does not send it is withdrawn.
  MemberConfig plain = ebgp_config();
  plain.families[0]->has_export_policy = false;  // RFC 8212: nothing to an eBGP peer without policy
  const uint32_t before = f.groups.group_of(f.customer);
  f.groups.change_member(f.customer, plain);
  CHECK(f.groups.group_of(f.customer) != before);
  r = f.receive(f.customer);
  CHECK(r.announced.empty());
  CHECK(r.withdrawn.size() == 3);
  CHECK(f.groups.advertised_count(f.customer) == 0);
  CHECK(r.end_of_rib.empty());  // not a new session
}

TEST_CASE("drain (RFC 8326 §4.2): GRACEFUL_SHUTDOWN to every peer, LOCAL_PREF 0 to iBGP only, service IPs withdrawn") {
  Fixture f;
  f.groups.set_export_policy([](uint32_t, const Prefix&, RouteAttrs&) { return true; });
  MemberConfig customer = ebgp_config();
  customer.export_policy = 5;
  f.groups.add_member(f.client1, client_config());
  f.groups.add_member(f.customer, customer);
  f.groups.drain(f.client1);
  f.groups.drain(f.customer);
  // Learned from eBGP; a pod CIDR and a service IP of our own; one that already
  // carries the community (it must not be added twice).
  f.announce(f.ebgp_src, "10.1.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "10.5.0.0/16",
             path({65001}, "192.0.2.1", std::nullopt, std::nullopt, {wire::community::graceful_shutdown}));
  f.announce(kLocalPeer, "10.244.1.0/24", path({}, "0.0.0.0"));
  f.announce(kLocalPeer, "10.96.0.10/32", path({}, "0.0.0.0", std::nullopt, std::nullopt, {(64512u << 16) | 7}));
  f.decide();
  const Received before_c = f.receive(f.client1), before_e = f.receive(f.customer);
  REQUIRE(before_c.announced.size() == 4);
  REQUIRE(before_e.announced.size() == 4);
  // What each member holds, as values (ids of released sets may be reused).
  auto held = [&](PeerId m, const Prefix& p) { return f.rib.attrs().get(f.groups.advertised(m, p)); };
  std::map<Prefix, RouteAttrs> sent_c, sent_e;
  for (const auto& [p, r] : before_c.announced) sent_c[p] = held(f.client1, p);
  for (const auto& [p, r] : before_e.announced) sent_e[p] = held(f.customer, p);

  f.groups.set_draining(true, [](const Prefix& p) { return p == pfx("10.96.0.10/32"); });
  CHECK(f.groups.draining());
  const Received c = f.receive(f.client1), e = f.receive(f.customer);
  const uint32_t gshut = wire::community::graceful_shutdown;
  // iBGP: the community once, and LOCAL_PREF 0; the service IP withdrawn.
  CHECK(c.announced.size() == 3);
  CHECK(c.withdrawn == std::vector<Prefix>{pfx("10.96.0.10/32")});
  for (const auto& [p, r] : c.announced) {
    CAPTURE(p.to_string());
    CHECK(std::count(r.attrs.communities.begin(), r.attrs.communities.end(), gshut) == 1);
    CHECK(r.attrs.local_pref == 0u);
  }
  // eBGP: the community once, no LOCAL_PREF (not sent over eBGP); the same withdrawal.
  CHECK(e.announced.size() == 2);
  CHECK(e.withdrawn == std::vector<Prefix>{pfx("10.96.0.10/32")});
  for (const auto& [p, r] : e.announced) {
    CAPTURE(p.to_string());
    CHECK(std::count(r.attrs.communities.begin(), r.attrs.communities.end(), gshut) == 1);
    CHECK_FALSE(r.attrs.local_pref.has_value());
    CHECK(r.attrs.as_path->to_string().rfind("64512", 0) == 0);  // the rest of the eBGP rewrite stays
  }
  // A prefix that already carried the community alone is unchanged for eBGP: not re-sent.
  CHECK(e.announced.count(pfx("10.5.0.0/16")) == 0);
  CHECK(held(f.customer, pfx("10.5.0.0/16")) == sent_e[pfx("10.5.0.0/16")]);

  // While draining, a new route goes out marked, a new service IP is held back.
  f.announce(f.ebgp_src, "10.2.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(kLocalPeer, "10.96.0.0/32", path({}, "0.0.0.0"));
  f.decide();
  const Received during = f.receive(f.client1);
  REQUIRE(during.announced.count(pfx("10.2.0.0/16")) == 1);
  CHECK(during.announced.at(pfx("10.2.0.0/16")).attrs.local_pref == 0u);
  CHECK(during.announced.count(pfx("10.96.0.0/32")) == 1);  // not named by the predicate: marked, not withheld
  f.groups.drain(f.customer);

  // Drain stopped: exactly the previous advertisements.
  f.groups.set_draining(false);
  CHECK_FALSE(f.groups.draining());
  const Received after_c = f.receive(f.client1), after_e = f.receive(f.customer);
  CHECK(after_c.withdrawn.empty());
  CHECK(after_e.withdrawn.empty());
  for (const auto& [p, attrs] : sent_c) {
    CAPTURE(p.to_string());
    CHECK(held(f.client1, p) == attrs);
  }
  for (const auto& [p, attrs] : sent_e) {
    CAPTURE(p.to_string());
    CHECK(held(f.customer, p) == attrs);
  }
  REQUIRE(after_c.announced.count(pfx("10.96.0.10/32")) == 1);
  CHECK(after_c.announced.at(pfx("10.96.0.10/32")).attrs.communities == std::vector<uint32_t>{(64512u << 16) | 7});
  CHECK(after_c.announced.at(pfx("10.1.0.0/16")).attrs.local_pref == 100u);
  CHECK(after_e.announced.at(pfx("10.1.0.0/16")).attrs.communities.empty());
  CHECK(after_e.announced.count(pfx("10.5.0.0/16")) == 0);  // never changed: not re-sent
  // Stopping again sends nothing.
  f.groups.set_draining(false);
  CHECK(f.groups.pending_buffers(f.client1) == 0);
  CHECK(f.groups.pending_buffers(f.customer) == 0);

  // No reference is leaked by the marking: draining on and off, then the members
  // leave, and the store holds the RIB's own sets only.
  f.groups.set_draining(true, [](const Prefix& p) { return p == pfx("10.96.0.10/32"); });
  f.groups.set_draining(false);
  f.groups.remove_member(f.client1);
  f.groups.remove_member(f.customer);
  REQUIRE(f.groups.group_count() == 0);
  std::set<AttrId> rib_sets;
  f.rib.for_each_prefix([&](const Prefix& p) {
    for (const auto& path : f.rib.paths(p)) rib_sets.insert(path.attrs);
  });
  CHECK(f.rib.attrs().size() == rib_sets.size());
}

TEST_CASE("drain: a member that joins while draining gets the marked table, IPv6 too") {
  Fixture f;
  f.announce(f.ebgp_src, "10.1.0.0/16", path({65001}, "192.0.2.1"));
  f.announce(f.ebgp_src, "2001:db8:1::/48", path({65001}, "2001:db8::1"));
  f.decide();
  f.groups.set_draining(true);
  f.groups.add_member(f.client1, client_config());
  const Received r = f.receive(f.client1);
  for (const char* p : {"10.1.0.0/16", "2001:db8:1::/48"}) {
    CAPTURE(p);
    REQUIRE(r.announced.count(pfx(p)) == 1);
    CHECK(r.announced.at(pfx(p)).attrs.local_pref == 0u);
    CHECK(r.announced.at(pfx(p)).attrs.communities == std::vector<uint32_t>{wire::community::graceful_shutdown});
  }
  CHECK(r.end_of_rib.size() == 2);
}
