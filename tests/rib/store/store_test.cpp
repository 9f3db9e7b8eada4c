// The RocksDB store in a temporary directory: journal and snapshot written by
// its thread, history per prefix, retention by entries and by age, reopening,
// and a cold start (clear log line, empty store) from a garbage file, corrupt
// database files and another schema version.
#include "rib/store/store.hpp"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "rib/store/change_batch.hpp"

using namespace petrel;
using namespace petrel::rib;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "sto-store-test-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Logged {
  std::vector<std::string> warnings, infos;
  Store::Log log() {
    return [this](Store::LogLevel l, const std::string& m) { (l == Store::LogLevel::warning ? warnings : infos).push_back(m); };
  }
};

RouteAttrs attrs(std::initializer_list<uint32_t> path, const char* next_hop, uint32_t local_pref = 100) {
  RouteAttrs r;
  r.attrs.origin = wire::Origin::igp;
  r.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, path}}};
  r.attrs.local_pref = local_pref;
  r.next_hop = *IpAddress::parse(next_hop);
  return r;
}

const PeerRef kTor1{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
const PeerRef kTor2{"tor2", *IpAddress::parse("10.0.0.2"), 65002, 0x0a000002};
// Entries are stamped now: retention by age (a week by default) keeps them.
const int64_t kNow =
    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
const Prefix kP = *Prefix::parse("10.244.3.0/24");
const Prefix kQ = *Prefix::parse("2001:db8:3::/48");

// Best-path options with ECMP across neighbour ASes (equal AS path length), `n` paths at most.
BestPathOptions ecmp_of(std::size_t n) {
  BestPathOptions o;
  o.max_paths = n;
  o.multipath_relax = true;
  return o;
}

// An eBGP peer whose AS is also its router id.
PeerId add_external_peer(Rib& rib, const char* address, uint32_t as) {
  PeerInfo info;
  info.address = *IpAddress::parse(address);
  info.peer_as = as;
  info.router_id = as;
  info.external = true;
  return rib.add_peer(info);
}

ChangeBatch batch(int64_t time_ms, const PeerRef& peer, const RouteAttrs& a, std::vector<Prefix> announced,
                  std::vector<Prefix> withdrawn = {}) {
  ChangeBatch b;
  b.time_ms = time_ms;
  b.peers.push_back(peer);
  b.attrs.push_back(std::make_shared<const RouteAttrs>(a));
  // As the RIB reports a decision: each prefix's selection changed; an
  // announced one has the one path (peers[0], attrs[0]), a withdrawn one none.
  for (const Prefix& p : announced) {
    b.decided.prefixes.push_back({p, 1, true, static_cast<uint32_t>(b.decided.paths.size()), 1});
    b.decided.paths.push_back({0, 0, 0});
  }
  for (const Prefix& p : withdrawn) b.decided.prefixes.push_back({p, 0, true, 0, 0});
  return b;
}

StoreOptions options(const fs::path& p) {
  StoreOptions o;
  o.path = p.string();
  return o;
}

// A RIB of eBGP peers (ECMP across neighbour ASes, `max_paths` at most) whose
// every decision goes to a store, written before decide() returns.
struct StoredRib {
  TempDir dir;
  Rib rib;
  std::unique_ptr<Store> store;
  ChangeBatchBuilder builder{[](PeerId id) { return "peer" + std::to_string(id); }};
  std::vector<RouteChange> changes;
  DecidedPaths decided;
  explicit StoredRib(std::size_t max_paths)
      : rib(ecmp_of(max_paths)), store(Store::open(options(dir.path / "db"), nullptr)) {
    REQUIRE(store);
  }
  PeerId add(const char* address, uint32_t as) { return add_external_peer(rib, address, as); }
  void decide() {
    changes.clear();
    rib.decide(changes, &decided);
    store->submit(builder.build(changes, decided, rib, kNow));
    REQUIRE(store->flush(std::chrono::seconds(10)));
  }
};

}  // namespace

TEST_CASE("best-path changes are journalled as announce, replace and withdraw, and kept per prefix") {
  TempDir dir;
  Logged logged;
  auto s = Store::open(options(dir.path / "db"), logged.log());
  REQUIRE(s);
  CHECK(s->cold_start_reason().empty());
  CHECK(logged.warnings.empty());
  REQUIRE(logged.infos.size() == 1);
  CHECK(logged.infos[0].find("no database yet, creating one") != std::string::npos);

  s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP, kQ}));
  s->submit(batch(kNow + 2000, kTor2, attrs({65002, 65003}, "10.0.0.2", 200), {kP}));
  s->submit(batch(kNow + 3000, kTor2, attrs({65002}, "10.0.0.2"), {}, {kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));

  const auto h = s->history(kP);
  REQUIRE(h.size() == 3);
  CHECK(h[0].change == ChangeKind::announce);
  CHECK(h[0].peer == kTor1);
  CHECK(h[0].time_ms == kNow + 1000);
  CHECK(h[1].change == ChangeKind::replace);
  CHECK(h[1].peer == kTor2);
  CHECK(h[1].attrs.local_pref == 200u);
  CHECK(h[1].attrs.as_path.to_string() == "65002 65003");
  CHECK(h[2].change == ChangeKind::withdraw);
  CHECK(h[2].peer == kTor2);  // whose best went away
  CHECK(h[0].seq < h[1].seq);
  CHECK(s->history(kP, 1).size() == 1);
  CHECK(s->history(kP, 1)[0].change == ChangeKind::withdraw);
  CHECK(s->history(kQ).size() == 1);
  CHECK(s->history(*Prefix::parse("10.244.3.0/25")).empty());

  // The snapshot holds the best paths now: kQ only.
  auto snap = s->load_snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->size() == 1);
  CHECK((*snap)[0].prefix == kQ);
  CHECK((*snap)[0].selected == 1);
  REQUIRE((*snap)[0].paths.size() == 1);
  CHECK((*snap)[0].paths[0].peer == kTor1);
  CHECK((*snap)[0].paths[0].attrs == attrs({65001}, "10.0.0.1"));

  std::vector<uint64_t> seqs;
  CHECK(s->for_each_journal([&](const JournalEntry& e) { seqs.push_back(e.seq); }) == 0);
  CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(s->stats().journal_entries == 4);
  CHECK(s->stats().records_written == 4);
}

TEST_CASE("the journal and the snapshot survive a reopen; sequence numbers go on") {
  TempDir dir;
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
  }  // the destructor writes what is queued
  Logged logged;
  auto s = Store::open(options(dir.path / "db"), logged.log());
  REQUIRE(s);
  CHECK(logged.warnings.empty());
  CHECK(s->history(kP).size() == 1);
  REQUIRE(s->load_snapshot().has_value());
  CHECK(s->load_snapshot()->size() == 1);
  s->submit(batch(kNow + 2000, kTor1, attrs({65001}, "10.0.0.1"), {}, {kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));
  const auto h = s->history(kP);
  REQUIRE(h.size() == 2);
  CHECK(h[1].seq == 2);
  // The store thread starts with no memory of the best paths: after a restart
  // a withdraw of an older best names no peer unless the snapshot is reset.
  s->reset_snapshot();
  REQUIRE(s->flush(std::chrono::seconds(10)));
  CHECK(s->load_snapshot()->empty());
}

TEST_CASE("the drain state survives a reopen until it is turned off; a snapshot reset leaves it") {
  TempDir dir;
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    CHECK_FALSE(s->draining_at_open());
    CHECK(s->record_draining(true, kNow));
    s->reset_snapshot();  // a warm restart's reset: the drain is no snapshot key
    s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
    REQUIRE(s->flush(std::chrono::seconds(10)));
  }
  {
    Logged logged;
    auto s = Store::open(options(dir.path / "db"), logged.log());
    REQUIRE(s);
    CHECK(logged.warnings.empty());
    REQUIRE(s->draining_at_open());
    CHECK(*s->draining_at_open() == kNow);
    CHECK(s->history(kP).size() == 1);  // the rest of the store as it was
    CHECK(s->record_draining(false, kNow + 5));
  }
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    CHECK_FALSE(s->draining_at_open());
    CHECK(s->record_draining(true, kNow + 7));
    CHECK(s->record_draining(true, kNow + 9));  // again: the newer time
  }
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    CHECK(s->cold_start_reason().empty());  // an additive key: the same schema, no cold start
    REQUIRE(s->draining_at_open());
    CHECK(*s->draining_at_open() == kNow + 9);
  }
  // A damaged value: a warning naming it, not draining, the store otherwise as it was.
  {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), (dir.path / "db").string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string(kDrainingKey), "soon").ok());
  }
  Logged logged;
  auto s = Store::open(options(dir.path / "db"), logged.log());
  REQUIRE(s);
  CHECK(s->cold_start_reason().empty());
  CHECK_FALSE(s->draining_at_open());
  REQUIRE(logged.warnings.size() == 1);
  CHECK(logged.warnings[0].ends_with(": drain state: 'soon' is not a time; not draining"));
  CHECK(s->history(kP).size() == 1);
}

TEST_CASE("retention by entries drops the oldest, with their history index") {
  TempDir dir;
  StoreOptions o = options(dir.path / "db");
  o.history_max_entries = 3;
  auto s = Store::open(o, nullptr);
  REQUIRE(s);
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < 5; ++i)
    s->submit(batch(now + i, kTor1, attrs({65001, static_cast<uint32_t>(i)}, "10.0.0.1"), {i < 2 ? kQ : kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));
  CHECK(s->stats().journal_entries == 3);
  CHECK(s->history(kQ).empty());  // entries 1 and 2 went
  CHECK(s->history(kP).size() == 3);
  CHECK(s->stats().entries_expired == 2);
}

TEST_CASE("retention by age drops what is older than the maximum age") {
  TempDir dir;
  StoreOptions o = options(dir.path / "db");
  o.history_max_age = std::chrono::seconds(60);
  auto s = Store::open(o, nullptr);
  REQUIRE(s);
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  s->submit(batch(now, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
  s->submit(batch(now + 30'000, kTor1, attrs({65001, 1}, "10.0.0.1"), {kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));
  CHECK(s->trim(now + 59'000) == 0);
  CHECK(s->trim(now + 61'000) == 1);
  CHECK(s->history(kP).size() == 1);
  CHECK(s->trim(now + 100'000) == 1);
  CHECK(s->history(kP).empty());
  CHECK(s->stats().journal_entries == 0);
}

TEST_CASE("a garbage file where the database should be: a clear log line and a cold start") {
  TempDir dir;
  const fs::path db = dir.path / "db";
  std::ofstream(db) << "this is not a RocksDB database\n";
  Logged logged;
  auto s = Store::open(options(db), logged.log());
  REQUIRE(s);
  REQUIRE(logged.warnings.size() == 1);
  CHECK(logged.warnings[0].find("store " + db.string() + ": not a directory; moved it aside to " + db.string() + ".bad-") == 0);
  CHECK(logged.warnings[0].find("cold start") != std::string::npos);
  CHECK(s->cold_start_reason() == "not a directory");
  CHECK(fs::is_directory(db));
  s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));
  CHECK(s->history(kP).size() == 1);
  // The garbage was kept for the operator.
  int aside = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) aside += e.path().filename().string().starts_with("db.bad-");
  CHECK(aside == 1);
}

TEST_CASE("corrupt database files: a clear log line and a cold start, never a crash") {
  TempDir dir;
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
  }
  // Overwrite every file of the database with garbage.
  for (const auto& e : fs::directory_iterator(dir.path / "db"))
    if (e.is_regular_file()) std::ofstream(e.path(), std::ios::trunc) << "garbage\x01\x02\x03";
  Logged logged;
  auto s = Store::open(options(dir.path / "db"), logged.log());
  REQUIRE(s);
  REQUIRE(logged.warnings.size() == 1);
  CHECK(logged.warnings[0].find("cannot open the database: ") != std::string::npos);
  CHECK(logged.warnings[0].find("cold start") != std::string::npos);
  CHECK(s->history(kP).empty());
  CHECK(s->load_snapshot()->empty());
}

TEST_CASE("another schema version: a clear log line and a cold start") {
  // 1: the snapshot of best paths only, before every path was kept; 2: no
  // kernel set nor peers' graceful-restart state; 99: newer.
  for (const std::string version : {"1", "2", "99"}) {
    CAPTURE(version);
    TempDir dir;
    {
      auto s = Store::open(options(dir.path / "db"), nullptr);
      REQUIRE(s);
      s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
    }
    {
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(rocksdb::Options(), (dir.path / "db").string(), &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      REQUIRE(db->Put(rocksdb::WriteOptions(), std::string(kSchemaKey), "petrel-store/" + version).ok());
    }
    Logged logged;
    auto s = Store::open(options(dir.path / "db"), logged.log());
    REQUIRE(s);
    REQUIRE(logged.warnings.size() == 1);
    CHECK(logged.warnings[0].find("schema version " + version + ", this petreld reads version 3") != std::string::npos);
    CHECK(logged.warnings[0].find("starting with an empty store (cold start)") != std::string::npos);
    CHECK(s->history(kP).empty());
  }
}

TEST_CASE("a RocksDB database that is not a Petrel store is not used") {
  TempDir dir;
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    REQUIRE(rocksdb::DB::Open(o, (dir.path / "db").string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), "foo", "bar").ok());
  }
  Logged logged;
  auto s = Store::open(options(dir.path / "db"), logged.log());
  REQUIRE(s);
  REQUIRE(logged.warnings.size() == 1);
  CHECK(logged.warnings[0].find("no schema version in a database that holds data") != std::string::npos);
}

TEST_CASE("a change batch from a decision: every decided prefix with its paths, ids turned into the batch's indices") {
  Rib rib(ecmp_of(2));
  auto add = [&](const char* address, uint32_t as) { return add_external_peer(rib, address, as); };
  const PeerId p = add("10.0.0.1", 65001), q = add("10.0.0.2", 65002);
  ChangeBatchBuilder builder([](PeerId id) { return id == 0 ? std::string("static") : "peer" + std::to_string(id); });
  std::vector<RouteChange> changes;
  DecidedPaths decided;
  int64_t now = 1234;
  auto decide = [&] {
    changes.clear();
    rib.decide(changes, &decided);
    ChangeBatch b = builder.build(changes, decided, rib, now++);
    CHECK(decided.prefixes.empty());  // taken over
    return b;
  };
  const RouteAttrs a = attrs({65001}, "10.0.0.1");
  const Prefix v6 = *Prefix::parse("2001:db8:4::/48");
  const Prefix two = *Prefix::parse("10.244.4.0/24");
  rib.announce(p, kP, 0, rib.attrs().intern(a));
  rib.announce(p, two, 0, rib.attrs().intern(a));
  rib.announce(q, two, 0, rib.attrs().intern(attrs({65002, 65009}, "10.0.0.2")));  // loses behind p's
  rib.announce(p, v6, 0, rib.attrs().intern(a));
  const ChangeBatch b = decide();
  CHECK(b.time_ms == 1234);
  CHECK(b.size() == 3);
  CHECK(b.peers.size() == 2);  // one copy per decision
  CHECK(b.attrs.size() == 2);
  // kP: one IPv4 path, all there is: the 16-byte record.
  REQUIRE(b.changed_v4.size() == 1);
  const ChangedV4& r = b.changed_v4[0];
  CHECK(r.prefix() == kP);
  CHECK(r.has_path);
  CHECK(b.peers[r.peer] == PeerRef{"peer1", *IpAddress::parse("10.0.0.1"), 65001, 65001});
  CHECK(*b.attrs[r.attrs] == a);
  // `two` (a loser behind the best: the RIB's report) and v6 (from its change).
  REQUIRE(b.decided.prefixes.size() == 2);
  std::map<Prefix, DecidedPaths::Entry> by;
  for (const auto& d : b.decided.prefixes) by[d.prefix] = d;
  REQUIRE(by.count(two));
  REQUIRE(by.count(v6));
  CHECK(by[two].selection_changed);
  CHECK(by[two].selected == 1);
  REQUIRE(by[two].count == 2);
  CHECK(b.peers[b.decided.paths[by[two].first].peer].name == "peer1");  // indices into the batch, not RIB ids
  CHECK(b.peers[b.decided.paths[by[two].first + 1].peer].name == "peer2");
  CHECK(*b.attrs[b.decided.paths[by[two].first + 1].attrs] == attrs({65002, 65009}, "10.0.0.2"));
  CHECK(by[v6].selection_changed);
  REQUIRE(by[v6].count == 1);
  CHECK(*b.attrs[b.decided.paths[by[v6].first].attrs] == a);

  // Withdrawn: a record without a path.
  rib.withdraw(p, kP, 0);
  const ChangeBatch w = decide();
  REQUIRE(w.changed_v4.size() == 1);
  CHECK(w.changed_v4[0].prefix() == kP);
  CHECK_FALSE(w.changed_v4[0].has_path);
  CHECK(w.decided.prefixes.empty());
  CHECK(w.attrs.empty());

  // A freed id reused for another set is copied again, an unchanged one shared.
  rib.withdraw(p, two, 0);
  rib.withdraw(q, two, 0);
  rib.withdraw(p, v6, 0);
  changes.clear();
  rib.decide(changes);
  const RouteAttrs other = attrs({65001, 7}, "10.0.0.1");
  rib.announce(p, kP, 0, rib.attrs().intern(other));  // reuses a freed id
  const ChangeBatch b2 = decide();
  REQUIRE(b2.attrs.size() == 1);
  CHECK(*b2.attrs[0] == other);
  rib.announce(p, *Prefix::parse("10.244.5.0/24"), 0, rib.attrs().intern(other));
  const ChangeBatch b3 = decide();
  REQUIRE(b3.attrs.size() == 1);
  CHECK(b3.attrs[0] == b2.attrs[0]);  // the same shared copy

  // A batch given back lends its memory to the next decision.
  ChangeBatch spare = decide();  // nothing decided: empty
  spare.changed_v4.reserve(4096);
  builder.give(std::move(spare));
  rib.announce(p, *Prefix::parse("10.244.6.0/24"), 0, rib.attrs().intern(other));
  const ChangeBatch b4 = decide();
  CHECK(b4.changed_v4.size() == 1);
  CHECK(b4.changed_v4.capacity() >= 4096);
}

TEST_CASE("the snapshot keeps every path (each peer's accepted routes), the journal only selection changes") {
  StoredRib f(2);
  Rib& rib = f.rib;
  auto& s = f.store;
  auto decide = [&] { f.decide(); };
  const PeerId p1 = f.add("10.0.0.1", 65001), p2 = f.add("10.0.0.2", 65002), p3 = f.add("10.0.0.3", 65003);
  rib.announce(p1, kP, 0, rib.attrs().intern(attrs({65001}, "10.0.0.1")));
  decide();
  // Behind the best (a longer AS path): the selection stays, no journal entry.
  rib.announce(p2, kP, 0, rib.attrs().intern(attrs({65002, 65009}, "10.0.0.2")));
  decide();
  CHECK(s->history(kP).size() == 1);
  auto snap = s->load_snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->size() == 1);
  CHECK((*snap)[0].selected == 1);
  REQUIRE((*snap)[0].paths.size() == 2);
  CHECK((*snap)[0].paths[0].peer.name == "peer1");
  CHECK((*snap)[0].paths[1].peer.name == "peer2");
  CHECK((*snap)[0].paths[1].attrs == attrs({65002, 65009}, "10.0.0.2"));
  // An equal path: ECMP of two, a journal entry (the best's change of set).
  rib.announce(p3, kP, 0, rib.attrs().intern(attrs({65003}, "10.0.0.3")));
  decide();
  snap = s->load_snapshot();
  REQUIRE(snap.has_value());
  CHECK((*snap)[0].selected == 2);
  REQUIRE((*snap)[0].paths.size() == 3);
  CHECK((*snap)[0].paths[2].peer.name == "peer2");  // the loser last
  CHECK(s->history(kP).size() == 2);
  // Every path gone: the snapshot entry goes with the withdraw.
  rib.withdraw(p1, kP, 0);
  rib.withdraw(p2, kP, 0);
  rib.withdraw(p3, kP, 0);
  decide();
  CHECK(s->load_snapshot()->empty());
  const auto h = s->history(kP);
  REQUIRE(h.size() == 3);
  CHECK(h[2].change == ChangeKind::withdraw);
  // An ECMP pair that is every path: written from the change alone.
  rib.announce(p1, kP, 0, rib.attrs().intern(attrs({65001}, "10.0.0.1")));
  rib.announce(p3, kP, 0, rib.attrs().intern(attrs({65003}, "10.0.0.3")));
  decide();
  snap = s->load_snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->size() == 1);
  CHECK((*snap)[0].selected == 2);
  CHECK((*snap)[0].paths.size() == 2);
  CHECK(s->history(kP).size() == 4);
  CHECK(s->history(kP).back().change == ChangeKind::announce);
}

TEST_CASE("an ECMP set that grows and shrinks behind the same best: the journal lists its next hops, best first") {
  StoredRib f(4);
  Rib& rib = f.rib;
  auto& s = f.store;
  auto decide = [&] { f.decide(); };
  const PeerId p1 = f.add("10.0.0.1", 65001), p2 = f.add("10.0.0.2", 65002), p3 = f.add("10.0.0.3", 65003);
  auto next_hops = [](const JournalEntry& e) {
    std::vector<std::string> out{e.attrs.next_hop.to_string()};
    for (const auto& nh : e.attrs.other_next_hops) out.push_back(nh.to_string());
    return out;
  };
  using V = std::vector<std::string>;
  rib.announce(p1, kP, 0, rib.attrs().intern(attrs({65001}, "10.0.0.1")));
  decide();
  // A second next hop joins; peer1 (the lowest router id) stays the best.
  rib.announce(p2, kP, 0, rib.attrs().intern(attrs({65002}, "10.0.0.2")));
  decide();
  // A third, then the second leaves.
  rib.announce(p3, kP, 0, rib.attrs().intern(attrs({65003}, "10.0.0.3")));
  decide();
  rib.withdraw(p2, kP, 0);
  decide();
  const auto h = s->history(kP);
  REQUIRE(h.size() == 4);
  CHECK(h[0].change == ChangeKind::announce);
  CHECK(next_hops(h[0]) == V{"10.0.0.1"});
  CHECK(h[1].change == ChangeKind::replace);
  CHECK(h[1].peer.name == "peer1");  // the same best
  CHECK(next_hops(h[1]) == V{"10.0.0.1", "10.0.0.2"});
  CHECK(describe(h[1].attrs) == "via 10.0.0.1, 10.0.0.2 [AS65001 i] local-pref 100");
  CHECK(describe(h[1].attrs) != describe(h[0].attrs));
  CHECK(next_hops(h[2]) == V{"10.0.0.1", "10.0.0.2", "10.0.0.3"});
  CHECK(next_hops(h[3]) == V{"10.0.0.1", "10.0.0.3"});
  CHECK(h[3].attrs.as_path.to_string() == "65001");  // the best's attributes
  // Every path withdrawn but one: a single next hop again (a ChangedV4 record).
  rib.withdraw(p3, kP, 0);
  decide();
  REQUIRE(s->history(kP).size() == 5);
  CHECK(next_hops(s->history(kP).back()) == V{"10.0.0.1"});
}

TEST_CASE("a database another process holds is left alone: no store, nothing moved") {
  TempDir dir;
  auto first = Store::open(options(dir.path / "db"), nullptr);
  REQUIRE(first);
  first->submit(batch(kNow, kTor1, attrs({65001}, "10.0.0.1"), {kP}));
  REQUIRE(first->flush(std::chrono::seconds(10)));
  Logged logged;
  auto second = Store::open(options(dir.path / "db"), logged.log());
  CHECK_FALSE(second);
  REQUIRE(logged.warnings.size() == 1);
  CHECK(logged.warnings[0].find("in use by another process") != std::string::npos);
  CHECK(logged.warnings[0].find("running without the store") != std::string::npos);
  const auto entries = std::distance(fs::directory_iterator(dir.path), fs::directory_iterator());
  CHECK(entries == 1);  // no db.bad-*
  CHECK(first->history(kP).size() == 1);
}

TEST_CASE("a store that falls behind drops the oldest batches, counts them, and distrusts its snapshot") {
  TempDir dir;
  StoreOptions o = options(dir.path / "db");
  o.queue_max_records = 100;
  auto s = Store::open(o, nullptr);
  REQUIRE(s);
  // 100 batches of 30 changes, submitted far faster than any disk takes them.
  for (int i = 0; i < 100; ++i) {
    std::vector<Prefix> prefixes;
    for (int k = 0; k < 30; ++k)
      prefixes.push_back(Prefix::make(IpAddress::v4(0x0a000000u + static_cast<uint32_t>((i * 30 + k) << 8)), 24));
    s->submit(batch(kNow + i, kTor1, attrs({65001}, "10.0.0.1"), prefixes));
    CHECK(s->stats().queued_records <= 100);
  }
  REQUIRE(s->flush(std::chrono::seconds(10)));
  const StoreStats st = s->stats();
  CHECK(st.records_dropped > 0);
  CHECK(st.records_dropped + st.records_written == 3000);
  CHECK(st.journal_entries == st.records_written);
  CHECK_FALSE(st.snapshot_complete);
  auto snap = s->load_snapshot();
  REQUIRE_FALSE(snap.has_value());
  CHECK(snap.error().find("the snapshot is incomplete") != std::string::npos);
  // The newest batch is never the one dropped.
  CHECK(s->history(Prefix::make(IpAddress::v4(0x0a000000u + (2999u << 8)), 24)).size() == 1);
  s->reset_snapshot();
  REQUIRE(s->flush(std::chrono::seconds(10)));
  CHECK(s->stats().snapshot_complete);
  CHECK(s->load_snapshot().has_value());
}

TEST_CASE("warm restart: the snapshot stays until the reset; the reset drops what came before it, keeps what follows") {
  TempDir dir;
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    s->submit(batch(kNow + 1000, kTor1, attrs({65001}, "10.0.0.1"), {kP, kQ}));
  }
  auto s = Store::open(options(dir.path / "db"), nullptr);
  REQUIRE(s);
  // Loaded at start; not reset yet: a second restart now finds the same snapshot.
  REQUIRE(s->load_snapshot().has_value());
  CHECK(s->load_snapshot()->size() == 2);
  // A change queued before the reset (kQ from tor2), then the reset and the whole
  // selection after the release (kP from tor2): only what follows the reset stays.
  s->submit(batch(kNow + 2000, kTor2, attrs({65002}, "10.0.0.2"), {kQ}));
  s->reset_snapshot();
  s->submit(batch(kNow + 3000, kTor2, attrs({65002}, "10.0.0.2"), {kP}));
  REQUIRE(s->flush(std::chrono::seconds(10)));
  auto snap = s->load_snapshot();
  REQUIRE(snap.has_value());
  REQUIRE(snap->size() == 1);
  CHECK((*snap)[0].prefix == kP);
  REQUIRE((*snap)[0].paths.size() == 1);
  CHECK((*snap)[0].paths[0].peer == kTor2);
}

// ---- schema 3: the set installed in the kernel, peers' graceful-restart state

namespace {
KernelRoute via(const char* prefix, const char* gateway, uint32_t metric = 0) {
  return KernelRoute{*Prefix::parse(prefix), false, metric, {{*IpAddress::parse(gateway), 0, 1}}};
}
KernelRoute blackhole(const char* prefix) { return KernelRoute{*Prefix::parse(prefix), true, 0, {}}; }
KernelBatch full(std::vector<KernelRoute> routes) {
  KernelBatch b;
  b.full = true;
  for (auto& r : routes) b.changes.push_back({r.prefix, r});
  return b;
}
}  // namespace

TEST_CASE("the kernel set: none recorded, then a full set, changes and removals; it survives a reopen") {
  TempDir dir;
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    auto none = s->load_kernel_set();
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error() == "the store holds no record of the kernel's routes yet");
    // A full set replaces whatever was there; changes follow in queue order.
    s->submit_kernel(full({via("10.244.1.0/24", "10.0.0.1"), blackhole("10.244.0.0/24")}));
    KernelBatch changes;
    changes.changes.push_back({*Prefix::parse("10.244.1.0/24"), via("10.244.1.0/24", "10.0.0.2")});  // replaced
    changes.changes.push_back({*Prefix::parse("2001:db8:3::/48"), via("2001:db8:3::/48", "fe80::1", 1024)});
    changes.changes.push_back({*Prefix::parse("10.244.0.0/24"), std::nullopt});  // removed
    s->submit_kernel(std::move(changes));
    REQUIRE(s->flush(std::chrono::seconds(5)));
    auto set = s->load_kernel_set();
    REQUIRE(set.has_value());
    CHECK(*set == std::vector<KernelRoute>{via("10.244.1.0/24", "10.0.0.2"), via("2001:db8:3::/48", "fe80::1", 1024)});
  }
  auto s = Store::open(options(dir.path / "db"), nullptr);
  REQUIRE(s);
  auto set = s->load_kernel_set();
  REQUIRE(set.has_value());
  CHECK(set->size() == 2);
  // A second full set (the writer started again) forgets the first.
  s->submit_kernel(full({blackhole("10.244.9.0/24")}));
  REQUIRE(s->flush(std::chrono::seconds(5)));
  CHECK(*s->load_kernel_set() == std::vector<KernelRoute>{blackhole("10.244.9.0/24")});
  // The snapshot's reset (a warm restart's release) leaves the kernel set alone.
  s->reset_snapshot();
  REQUIRE(s->flush(std::chrono::seconds(5)));
  CHECK(s->load_kernel_set()->size() == 1);
}

TEST_CASE("a store that falls behind drops kernel confirmations too, and distrusts the kernel set until a full one") {
  TempDir dir;
  StoreOptions o = options(dir.path / "db");
  o.queue_max_records = 3;
  auto s = Store::open(o, nullptr);
  REQUIRE(s);
  s->submit_kernel(full({via("10.244.1.0/24", "10.0.0.1")}));
  REQUIRE(s->flush(std::chrono::seconds(5)));
  // Five confirmations at once: beyond the bound the oldest go (the writer
  // waits for the queue to settle first, so they meet in the queue).
  KernelBatch many;
  for (int i = 0; i < 4; ++i) {
    const Prefix p = Prefix::make(IpAddress::v4(0x0af40000u + (uint32_t(i) << 8)), 24);
    many.changes.push_back({p, KernelRoute{p, true, 0, {}}});
  }
  s->submit_kernel(std::move(many));
  KernelBatch one;
  one.changes.push_back({*Prefix::parse("10.244.7.0/24"), blackhole("10.244.7.0/24")});
  s->submit_kernel(std::move(one));
  REQUIRE(s->flush(std::chrono::seconds(5)));
  CHECK_FALSE(s->stats().kernel_set_complete);
  auto set = s->load_kernel_set();
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().find("incomplete") != std::string::npos);
  s.reset();
  // Persisted: a reopen still distrusts it, until a full set comes.
  s = Store::open(o, nullptr);
  REQUIRE(s);
  CHECK_FALSE(s->load_kernel_set().has_value());
  s->submit_kernel(full({blackhole("10.244.7.0/24")}));
  REQUIRE(s->flush(std::chrono::seconds(5)));
  CHECK(s->load_kernel_set().has_value());
}

TEST_CASE("peers' graceful-restart state: the last one recorded per peer, kept across a reopen") {
  TempDir dir;
  PeerRestartState tor1;
  tor1.name = "tor1";
  tor1.address = *IpAddress::parse("10.0.0.1");
  tor1.established = true;
  tor1.graceful_restart = true;
  tor1.restart_time = 120;
  tor1.families = {true, false};
  tor1.forwarding_preserved = {true, false};
  tor1.time_ms = kNow;
  PeerRestartState tor2 = tor1;
  tor2.name = "tor2";
  tor2.address = *IpAddress::parse("10.0.0.2");
  tor2.graceful_restart = false;
  tor2.families = {};
  tor2.forwarding_preserved = {};
  {
    auto s = Store::open(options(dir.path / "db"), nullptr);
    REQUIRE(s);
    CHECK(s->load_peer_states()->empty());
    s->record_peer_state(tor1);
    s->record_peer_state(tor2);
    PeerRestartState down = tor2;
    down.established = false;
    s->record_peer_state(down);  // tor2 went down afterwards
    REQUIRE(s->flush(std::chrono::seconds(5)));
  }
  auto s = Store::open(options(dir.path / "db"), nullptr);
  REQUIRE(s);
  auto states = s->load_peer_states();
  REQUIRE(states.has_value());
  REQUIRE(states->size() == 2);
  CHECK((*states)[0] == tor1);
  CHECK((*states)[1].name == "tor2");
  CHECK_FALSE((*states)[1].established);
}
