// bench/store_bench.cpp — does the RocksDB store slow convergence? 1M IPv4
// prefixes (5,000 attribute sets) are announced and decided through the RIB in
// event-loop-sized turns (--turn routes announced, then one decide()), then
// withdrawn the same way: 2M best-path changes. With --peers=N, N peers
// announce every prefix (the later ones with longer AS paths: losers behind the
// first's best, each decided prefix's paths reported by the RIB), then withdraw
// them in the same order. Once with the store off (no change consumer), once
// with it on (each turn's decision -> ChangeBatch -> Store::submit; the store
// thread writes the journal and the snapshot of every path), in the
// same run, for --rounds rounds after a warm-up round, the order rotating per
// round. Prints the RIB's time for each (convergence as the event loop sees
// it) twice: wall time, and the CPU time of the whole process over the same
// window (every thread of ours, the store's and RocksDB's included, but not
// other programs: on a shared machine the robust figure); the medians of the
// rounds' paired on/off ratios (target: <= +10%); and how long the store
// thread needed after that to have everything on disk.
#include <sys/statvfs.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "rib/rib.hpp"
#include "rib/store/change_batch.hpp"
#include "rib/store/store.hpp"

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// CPU time of the whole process (every thread: the RIB's, the store's, RocksDB's),
// in seconds: what other programs on the machine do does not count in it.
double process_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
double thread_cpu_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
long minor_faults() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

std::vector<RouteAttrs> make_sets(std::size_t n, std::mt19937_64& rng) {
  std::vector<RouteAttrs> sets(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& a = sets[i].attrs;
    a.origin = wire::Origin::igp;
    wire::AsPathSegment seg;
    seg.asns.push_back(65001);
    for (int k = 0; k < 2 + int(rng() % 5); ++k) seg.asns.push_back(1 + rng() % 400000);
    a.as_path = wire::AsPath{{seg}};
    a.local_pref = 100;
    if (rng() % 3 == 0) a.med = static_cast<uint32_t>(rng() % 1000);
    for (int k = 0; k < int(rng() % 4); ++k) a.communities.push_back((65001u << 16) | (rng() % 4000));
    sets[i].next_hop = IpAddress::v4(0xc0000201);
  }
  return sets;
}

struct Run {
  double rib_s = 0;       // announce + decide (+ the store's submit when on), all turns: wall time
  double cpu_s = 0;       // the same window: CPU time of the whole process (every thread)
  double thread_cpu_s = 0;  // the same window: CPU time of the RIB's thread alone
  long faults = 0;          // the same window: minor page faults of the process
  double drained_s = 0;   // after that, until the store had written everything
  uint64_t written = 0;
  uint64_t dropped = 0;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Run run_once(const std::vector<Prefix>& prefixes, const std::vector<RouteAttrs>& sets, std::size_t turn,
             store::Store* db, bool build_only = false, std::size_t peer_count = 1) {
  Rib rib;
  std::vector<PeerId> peers;
  std::vector<std::vector<AttrId>> peer_ids;  // per peer: its attribute sets, each AS path longer by the peer's index
  for (std::size_t k = 0; k < peer_count; ++k) {
    PeerInfo info;
    info.address = IpAddress::v4(0xc0000201 + static_cast<uint32_t>(k));
    info.peer_as = 65001;
    info.router_id = 0xc0000201 + static_cast<uint32_t>(k);
    info.external = true;
    peers.push_back(rib.add_peer(info));
    auto& ids = peer_ids.emplace_back();
    for (RouteAttrs s : sets) {
      for (std::size_t n = 0; n < k; ++n) { auto& asns = s.attrs.as_path->segments.front().asns; asns.insert(asns.begin(), 65001); }
      s.next_hop = info.address;
      ids.push_back(rib.attrs().intern(s));
    }
  }
  store::ChangeBatchBuilder builder([](PeerId) { return std::string("tor1"); });
  std::vector<RouteChange> changes;
  changes.reserve(turn);
  Run r;
  const auto t0 = Clock::now();
  const double c0 = process_cpu_s();
  const double tc0 = thread_cpu_s();
  const long f0 = minor_faults();
  DecidedPaths decided;  // every path of each decided prefix: the snapshot's content
  auto decide = [&] {
    changes.clear();
    decided.clear();
    rib.decide(changes, db || build_only ? &decided : nullptr);
    if (db || build_only) {
      if (db) builder.give(db->take_spare());
      auto batch = builder.build(changes, decided, rib, now_ms());
      if (db) db->submit(std::move(batch));
    }
  };
  for (std::size_t k = 0; k < peer_count; ++k) {
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      const AttrId a = peer_ids[k][i % peer_ids[k].size()];
      rib.attrs().acquire(a);
      rib.announce(peers[k], prefixes[i], 0, a);
      if ((i + 1) % turn == 0) decide();
    }
    decide();
  }
  for (std::size_t k = 0; k < peer_count; ++k) {
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
      rib.withdraw(peers[k], prefixes[i], 0);
      if ((i + 1) % turn == 0) decide();
    }
    decide();
  }
  r.rib_s = seconds_since(t0);
  r.cpu_s = process_cpu_s() - c0;
  r.thread_cpu_s = thread_cpu_s() - tc0;
  r.faults = minor_faults() - f0;
  if (db) {
    const auto t1 = Clock::now();
    db->flush(std::chrono::minutes(10));
    r.drained_s = seconds_since(t1);
    r.written = db->stats().records_written;
    r.dropped = db->stats().records_dropped;
  }
  for (const auto& ids : peer_ids)
    for (AttrId a : ids) rib.attrs().release(a);
  return r;
}

uint64_t dir_bytes(const fs::path& p) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(p, ec))
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  return n;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t routes = 1'000'000, set_count = 5'000, turn = 10'000, rounds = 3, peer_count = 1;
  std::string dir;
  std::string profile;  // off | built | on: that variant alone, `rounds` times, no comparison (for perf)
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--routes=", 9) == 0) routes = std::strtoull(argv[i] + 9, nullptr, 10);
    else if (std::strncmp(argv[i], "--sets=", 7) == 0) set_count = std::strtoull(argv[i] + 7, nullptr, 10);
    else if (std::strncmp(argv[i], "--peers=", 8) == 0) peer_count = std::clamp<std::size_t>(std::strtoull(argv[i] + 8, nullptr, 10), 1, 16);
    else if (std::strncmp(argv[i], "--turn=", 7) == 0) turn = std::max<std::size_t>(1, std::strtoull(argv[i] + 7, nullptr, 10));
    else if (std::strncmp(argv[i], "--rounds=", 9) == 0) rounds = std::max<std::size_t>(1, std::strtoull(argv[i] + 9, nullptr, 10));
    else if (std::strncmp(argv[i], "--dir=", 6) == 0) dir = argv[i] + 6;
    else if (std::strncmp(argv[i], "--profile=", 10) == 0) profile = argv[i] + 10;
    else {
      std::fprintf(stderr, "usage: %s [--routes=N] [--peers=N] [--sets=N] [--turn=N] [--rounds=N] [--dir=PATH] [--profile=off|built|on]\n", argv[0]);
      return 2;
    }
  }
  std::mt19937_64 rng(42);
  if (!profile.empty() && profile != "off" && profile != "built" && profile != "on") {
    std::fprintf(stderr, "--profile: off, built or on\n");
    return 2;
  }
  const auto sets = make_sets(set_count, rng);
  std::vector<Prefix> prefixes;
  prefixes.reserve(routes);
  for (std::size_t i = 0; i < routes; ++i)
    prefixes.push_back(Prefix::make(IpAddress::v4(0x10000000u + static_cast<uint32_t>(i << 8)), 24));
  std::shuffle(prefixes.begin(), prefixes.end(), rng);

  if (!profile.empty()) {
    for (std::size_t round = 0; round < rounds; ++round) {
      std::unique_ptr<store::Store> db;
      const fs::path path = fs::temp_directory_path() / ("store-bench-profile-" + std::to_string(::getpid()));
      if (profile == "on") {
        store::StoreOptions o;
        o.path = path.string();
        o.history_max_entries = 4 * routes * peer_count;
        db = store::Store::open(o, nullptr);
      }
      const Run r = run_once(prefixes, sets, turn, db.get(), profile == "built", peer_count);
      db.reset();
      std::error_code ec;
      fs::remove_all(path, ec);
      std::printf("%s: wall %.3f s, RIB thread CPU %.3f s\n", profile.c_str(), r.rib_s, r.thread_cpu_s);
    }
    return 0;
  }
  std::string tmp = dir;
  if (tmp.empty()) {
    tmp = (fs::temp_directory_path() / "store-bench-XXXXXX").string();
    if (!::mkdtemp(tmp.data())) {
      std::perror("mkdtemp");
      return 1;
    }
  }
  // The first peer's announcements and every withdrawal change a best path; the
  // later peers' announcements lose behind the first's.
  const std::size_t changes = (peer_count + 1) * routes;
  std::printf("store_bench: %zu prefixes from %zu peer(s), %zu attribute sets, %zu routes per turn, announced then "
              "withdrawn (%zu best-path changes per run), %zu rounds, store in %s\n",
              routes, peer_count, set_count, turn, changes, rounds, tmp.c_str());
  // Round 0 warms up (page cache, allocator, CPU frequency) and is not counted.
  // Each counted round runs the three variants back to back in a rotating order
  // (off, built, on / on, off, built / built, on, off …), so that neither side
  // always runs first; the headline is the median of the rounds' own on/off
  // ratios (paired: a load spike on the machine hits both sides of a round).
  std::vector<double> off, on, drained, paired, paired_built, paired_cpu, paired_cpu_built;
  for (std::size_t round = 0; round <= rounds; ++round) {
    const fs::path path = fs::path(tmp) / ("db" + std::to_string(round));
    Run a, b, c;
    uint64_t bytes = 0;
    for (int k = 0; k < 3; ++k) {
      switch ((round + k) % 3) {
        case 0: a = run_once(prefixes, sets, turn, nullptr, false, peer_count); break;
        case 1: c = run_once(prefixes, sets, turn, nullptr, /*build_only=*/true, peer_count); break;
        default: {
          store::StoreOptions o;
          o.path = path.string();
          o.history_max_entries = 4 * routes * peer_count;
          {
            auto db = store::Store::open(o, nullptr);
            if (!db) {
              std::fprintf(stderr, "cannot open the store at %s\n", o.path.c_str());
              return 1;
            }
            b = run_once(prefixes, sets, turn, db.get(), false, peer_count);
          }
          bytes = dir_bytes(path);
          std::error_code ec;
          fs::remove_all(path, ec);
        }
      }
    }
    const char* order[] = {"off, built, on", "built, on, off", "on, off, built"};
    std::printf("  RIB thread CPU: off %.3f s, built %.3f s, on %.3f s; page faults: off %ld, built %ld, on %ld\n",
                a.thread_cpu_s, c.thread_cpu_s, b.thread_cpu_s, a.faults, c.faults, b.faults);
    std::printf("%s %zu (%s): wall: store off %.3f s, built %.3f s (%+.1f%%), store on %.3f s (%+.1f%%); "
                "process CPU: off %.3f s, built %.3f s (%+.1f%%), on %.3f s (%+.1f%%); store thread done %.3f s later; "
                "%llu journal entries written, %llu dropped, %.1f MB on disk\n",
                round == 0 ? "warm-up" : "round", round, order[round % 3], a.rib_s, c.rib_s,
                100.0 * (c.rib_s / a.rib_s - 1), b.rib_s, 100.0 * (b.rib_s / a.rib_s - 1), a.cpu_s, c.cpu_s,
                100.0 * (c.cpu_s / a.cpu_s - 1), b.cpu_s, 100.0 * (b.cpu_s / a.cpu_s - 1), b.drained_s,
                static_cast<unsigned long long>(b.written), static_cast<unsigned long long>(b.dropped), bytes / 1e6);
    if (round == 0) continue;
    off.push_back(a.rib_s);
    on.push_back(b.rib_s);
    paired.push_back(b.rib_s / a.rib_s);
    paired_built.push_back(c.rib_s / a.rib_s);
    paired_cpu.push_back(b.cpu_s / a.cpu_s);
    paired_cpu_built.push_back(c.cpu_s / a.cpu_s);
    drained.push_back(b.drained_s);
  }
  const double m_off = median(off), m_on = median(on), m_pair = median(paired), m_cpu = median(paired_cpu);
  std::printf("medians of %zu rounds (wall): store off %.3f s (%.2f M changes/s), store on %.3f s (%.2f M changes/s)\n",
              rounds, m_off, changes / m_off / 1e6, m_on, changes / m_on / 1e6);
  std::printf("median of the rounds' paired ratios, store on / store off (the headline; target <= +10%%):\n"
              "  process CPU time (every thread of ours, immune to other programs' load): %+.1f%%: %s\n"
              "  wall time (includes whatever else the machine ran meanwhile): %+.1f%%: %s\n",
              100.0 * (m_cpu - 1), m_cpu <= 1.10 ? "met" : "NOT met", 100.0 * (m_pair - 1),
              m_pair <= 1.10 ? "met" : "NOT met");
  std::printf("the event loop's own share (batches built, not written; paired): CPU %+.1f%%, wall %+.1f%%; the store "
              "thread finished writing a median %.3f s after the RIB\n",
              100.0 * (median(paired_cpu_built) - 1), 100.0 * (median(paired_built) - 1), median(drained));
  if (dir.empty()) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  return 0;
}
