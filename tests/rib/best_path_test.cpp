// Best-path decision (RFC 4271 §9.1.2.2, RFC 4456 §9, RFC 9494 §4.3): a baseline
// path and one row per step that loses on exactly that step, both directions and
// every insertion order; MED between neighbour ASes and its non-transitivity;
// ECMP; eligibility; a seeded property test over random candidate sets.
#include "rib/best_path.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <numeric>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

// Counts heap allocations, to show that compare() makes none.
namespace {
std::size_t g_allocations = 0;
}  // namespace

// Out of line, so that GCC does not see malloc() paired with delete.
[[gnu::noinline]] void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace petrel::rib {
// Lets doctest print steps and comparisons in failure messages.
std::ostream& operator<<(std::ostream& os, Step s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, const Comparison& c) {
  return os << "{winner " << c.winner << ", " << to_string(c.step) << "}";
}
}  // namespace petrel::rib

// ... and the outcomes of select(), as lists of indices.
template <>
struct doctest::StringMaker<std::vector<std::size_t>> {
  static doctest::String convert(const std::vector<std::size_t>& v) {
    std::string s = "[";
    for (std::size_t i : v) s += " " + std::to_string(i);
    return (s + " ]").c_str();
  }
};
template <>
struct doctest::StringMaker<std::optional<std::size_t>> {
  static doctest::String convert(const std::optional<std::size_t>& v) {
    return v ? std::to_string(*v).c_str() : "none";
  }
};

using namespace petrel;
using namespace petrel::rib;
namespace wire = petrel::bgp::wire;

namespace {

// Owns what a Candidate points at. Candidates are built with view() once the
// vector of paths no longer grows.
struct Path {
  std::string name;
  wire::PathAttributes attrs;
  PeerInfo peer;
  uint32_t path_id = 0;
  uint32_t igp_cost = 0;
  bool reachable = true;
  bool llgr_stale = false;

  Candidate view() const { return {&attrs, &peer, path_id, igp_cost, reachable, llgr_stale}; }
};

wire::AsPath seq(std::initializer_list<uint32_t> asns) {
  return wire::AsPath{{{wire::AsSegmentType::sequence, asns}}};
}

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

std::vector<Candidate> views(const std::vector<Path>& paths) {
  std::vector<Candidate> v;
  for (const Path& p : paths) v.push_back(p.view());
  return v;
}

// compare() in both directions: `better` wins on `step`, and the reverse names the
// other winner on the same step; each path equals itself.
void check_beats(const Path& better, const Path& worse, Step step, const BestPathOptions& o = {}) {
  INFO(better.name, " over ", worse.name);
  CHECK(compare(better.view(), worse.view(), o) == Comparison{-1, step});
  CHECK(compare(worse.view(), better.view(), o) == Comparison{+1, step});
  CHECK(compare(better.view(), better.view(), o) == Comparison{0, Step::none});
  CHECK(compare(worse.view(), worse.view(), o) == Comparison{0, Step::none});
}

// What select() said, with candidates named by their index in the original
// `paths` vector, whatever order they were passed in.
struct Outcome {
  std::optional<std::size_t> best;
  Step reason = Step::none;
  std::vector<std::size_t> multipath;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& r) {
  os << "{best " << (r.best ? std::to_string(*r.best) : "none") << ", " << to_string(r.reason) << ", [";
  for (std::size_t i : r.multipath) os << ' ' << i;
  return os << " ]}";
}

Outcome select_in_order(const std::vector<Path>& paths, const std::vector<std::size_t>& perm,
                        const BestPathOptions& o) {
  std::vector<Candidate> c;
  for (std::size_t i : perm) c.push_back(paths[i].view());
  const Selection s = select(c, o);
  Outcome r;
  if (s.best) r.best = perm[*s.best];
  r.reason = s.reason;
  for (std::size_t i : s.multipath) r.multipath.push_back(perm[i]);
  return r;
}

// select() over every insertion order of `paths` (up to 8 paths: 40320 orders),
// or over `samples` seeded random orders plus the identity and its reverse,
// gives the same outcome, which is returned.
Outcome select_every_order(const std::vector<Path>& paths, const BestPathOptions& o, std::size_t samples = 20000) {
  std::vector<std::size_t> perm(paths.size());
  std::iota(perm.begin(), perm.end(), 0);
  const Outcome first = select_in_order(paths, perm, o);
  std::size_t orders = 0;
  const auto same = [&](const std::vector<std::size_t>& p) {
    ++orders;
    const Outcome got = select_in_order(paths, p, o);
    if (got == first) return true;
    std::string order;
    for (std::size_t i : p) order += paths[i].name + " ";
    INFO("order: ", order);
    CHECK(got == first);
    return false;
  };
  if (paths.size() <= 8) {
    while (std::next_permutation(perm.begin(), perm.end()))
      if (!same(perm)) break;
  } else {
    std::mt19937 rng(4271);
    std::reverse(perm.begin(), perm.end());
    bool ok = same(perm);
    for (std::size_t n = 0; ok && n < samples; ++n) {
      std::shuffle(perm.begin(), perm.end(), rng);
      ok = same(perm);
    }
  }
  // Every order was tried (the identity is `first`), unless one disagreed.
  std::size_t all = 1;
  for (std::size_t k = 2; k <= paths.size(); ++k) all *= k;
  CHECK(orders == (paths.size() <= 8 ? all - 1 : samples + 1));
  return first;
}

// The baseline carries every "better" value at once, including flags no real
// path combines (locally originated and from an external peer, with an AS_PATH):
// compare() reads each on its own step, which is what the table shows.
Path baseline() {
  Path p;
  p.name = "baseline";
  p.attrs.local_pref = 200;
  p.attrs.as_path = seq({65001});
  p.attrs.origin = wire::Origin::igp;
  p.attrs.med = 10;
  p.peer.address = ip("10.0.0.1");
  p.peer.router_id = 0x01010101;
  p.peer.peer_as = 65001;
  p.peer.external = true;
  p.peer.local = true;
  p.path_id = 1;
  p.igp_cost = 10;
  return p;
}

struct Row {
  Step step;
  void (*worsen)(Path&);
};

// One row per step, in step order: the baseline made worse on that step only.
const Row kRows[] = {
    {Step::reachability, [](Path& p) { p.reachable = false; }},
    {Step::llgr_stale, [](Path& p) { p.llgr_stale = true; }},
    {Step::local_pref, [](Path& p) { p.attrs.local_pref = 150; }},
    {Step::local_origin, [](Path& p) { p.peer.local = false; }},
    {Step::as_path_length, [](Path& p) { p.attrs.as_path = seq({65001, 65002}); }},
    {Step::origin, [](Path& p) { p.attrs.origin = wire::Origin::egp; }},
    {Step::med, [](Path& p) { p.attrs.med = 20; }},
    {Step::ebgp_over_ibgp, [](Path& p) { p.peer.external = false; }},
    {Step::igp_cost, [](Path& p) { p.igp_cost = 20; }},
    {Step::router_id, [](Path& p) { p.peer.router_id = 0x02020202; }},
    {Step::cluster_list_length, [](Path& p) { p.attrs.cluster_list = {0x0a000001}; }},
    {Step::peer_address, [](Path& p) { p.peer.address = ip("10.0.0.2"); }},
    {Step::path_id, [](Path& p) { p.path_id = 2; }},
};

// paths[0] is the baseline, paths[1 + k] loses on kRows[k].step.
std::vector<Path> table() {
  std::vector<Path> paths{baseline()};
  for (const Row& row : kRows) {
    Path p = baseline();
    p.name = std::string("loses on ") + std::string(to_string(row.step));
    row.worsen(p);
    paths.push_back(p);
  }
  return paths;
}

std::size_t row_index(Step step) { return static_cast<std::size_t>(step); }  // == 1 + k in table()

}  // namespace

TEST_CASE("every step has its own name") {
  std::set<std::string_view> names;
  for (int s = 0; s <= static_cast<int>(Step::path_id); ++s) {
    const std::string_view n = to_string(static_cast<Step>(s));
    CHECK(!n.empty());
    CHECK(n != "unknown");
    names.insert(n);
  }
  CHECK(names.size() == static_cast<std::size_t>(Step::path_id) + 1);
  CHECK(to_string(Step::local_pref) == "LOCAL_PREF");
  CHECK(to_string(Step::as_path_length) == "AS_PATH length");
  CHECK(to_string(Step::ebgp_over_ibgp) == "eBGP over iBGP");
}

TEST_CASE("table: each row loses to the baseline on exactly its step, in both directions") {
  const auto paths = table();
  REQUIRE(paths.size() == 14);
  for (std::size_t k = 0; k < std::size(kRows); ++k) {
    CHECK(row_index(kRows[k].step) == k + 1);  // the rows are in step order
    check_beats(paths[0], paths[k + 1], kRows[k].step);
  }
}

TEST_CASE("table: between two rows, the one that lost on the earlier step loses, on that step") {
  // Shows every row equal to the baseline on all other steps: a row that also
  // differed on a later step would decide some of these pairs there instead.
  const auto paths = table();
  for (std::size_t i = 1; i < paths.size(); ++i)
    for (std::size_t j = i + 1; j < paths.size(); ++j) check_beats(paths[j], paths[i], kRows[i - 1].step);
}

TEST_CASE("table: select() over the baseline and every row, in every insertion order") {
  const auto paths = table();
  SUBCASE("no multipath") {
    const Outcome r = select_every_order(paths, {});
    CHECK(r.best == 0u);
    // The runner-up is the row that lost latest: on the path id.
    CHECK(r.reason == Step::path_id);
    CHECK(r.multipath == std::vector<std::size_t>{0});
  }
  SUBCASE("multipath takes the rows that lost only on a tie-break, in preference order") {
    BestPathOptions o;
    o.max_paths = 16;
    const Outcome r = select_every_order(paths, o);
    CHECK(r.best == 0u);
    CHECK(r.reason == Step::path_id);
    CHECK(r.multipath == std::vector<std::size_t>{0, row_index(Step::path_id), row_index(Step::peer_address),
                                                  row_index(Step::cluster_list_length), row_index(Step::router_id)});
  }
  SUBCASE("all orders of eight: the baseline and the first seven rows") {
    const std::vector<Path> first(paths.begin(), paths.begin() + 8);
    const Outcome r = select_every_order(first, {});
    CHECK(r.best == 0u);
    CHECK(r.reason == Step::med);
  }
  SUBCASE("all orders of eight: the baseline and the last seven rows") {
    std::vector<Path> last{paths[0]};
    last.insert(last.end(), paths.end() - 7, paths.end());
    BestPathOptions o;
    o.max_paths = 3;
    const Outcome r = select_every_order(last, o);
    CHECK(r.best == 0u);
    CHECK(r.reason == Step::path_id);
    CHECK(r.multipath == std::vector<std::size_t>{0, 7, 6});  // path id row, then peer address row
  }
  SUBCASE("without the baseline, the row that lost latest is best") {
    const std::vector<Path> rows(paths.begin() + 1, paths.end());
    const Outcome r = select_every_order(rows, {});
    CHECK(r.best == 12u);  // the path id row
    CHECK(r.reason == Step::peer_address);
  }
}

TEST_CASE("compare() does not allocate") {
  const auto paths = table();
  const auto v = views(paths);
  BestPathOptions o;
  o.missing_med_worst = true;
  int sum = 0;
  const std::size_t before = g_allocations;
  for (const Candidate& a : v)
    for (const Candidate& b : v) sum += compare(a, b, o).winner;
  CHECK(g_allocations == before);
  CHECK(sum == 0);  // antisymmetric
}

TEST_CASE("absent attributes read as their documented defaults") {
  const auto with = [](const char* name, auto change) {
    Path p;
    p.name = name;
    p.attrs.origin = wire::Origin::igp;
    p.attrs.as_path = seq({65001});
    p.peer.address = ip("10.0.0.1");
    change(p);
    return p;
  };
  SUBCASE("LOCAL_PREF: absent is options.default_local_pref") {
    const Path absent = with("no LOCAL_PREF", [](Path&) {});
    const Path lower = with("LOCAL_PREF 99", [](Path& p) { p.attrs.local_pref = 99; });
    const Path higher = with("LOCAL_PREF 101", [](Path& p) { p.attrs.local_pref = 101; });
    const Path same = with("LOCAL_PREF 100", [](Path& p) { p.attrs.local_pref = 100; });
    check_beats(absent, lower, Step::local_pref);
    check_beats(higher, absent, Step::local_pref);
    CHECK(compare(absent.view(), same.view(), {}).winner == 0);
    BestPathOptions o;
    o.default_local_pref = 50;
    check_beats(lower, absent, Step::local_pref, o);
  }
  SUBCASE("AS_PATH: absent is length 0") {
    const Path absent = with("no AS_PATH", [](Path& p) { p.attrs.as_path.reset(); });
    const Path one = with("65001", [](Path&) {});
    check_beats(absent, one, Step::as_path_length);
  }
  SUBCASE("AS_PATH length: a SET counts one, confederation segments none") {
    const Path set = with("65001 {1 2 3}", [](Path& p) {
      p.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, {65001}}, {wire::AsSegmentType::set, {1, 2, 3}}}};
    });
    const Path confed = with("(64600 64601) 65001", [](Path& p) {
      p.attrs.as_path = wire::AsPath{
          {{wire::AsSegmentType::confed_sequence, {64600, 64601}}, {wire::AsSegmentType::sequence, {65001}}}};
    });
    const Path three = with("65001 65002 65003", [](Path& p) { p.attrs.as_path = seq({65001, 65002, 65003}); });
    check_beats(set, three, Step::as_path_length);
    check_beats(confed, set, Step::as_path_length);
  }
  SUBCASE("ORIGIN: IGP < EGP < INCOMPLETE, absent is INCOMPLETE") {
    const Path igp = with("IGP", [](Path&) {});
    const Path egp = with("EGP", [](Path& p) { p.attrs.origin = wire::Origin::egp; });
    const Path incomplete = with("INCOMPLETE", [](Path& p) { p.attrs.origin = wire::Origin::incomplete; });
    const Path absent = with("no ORIGIN", [](Path& p) { p.attrs.origin.reset(); });
    check_beats(igp, egp, Step::origin);
    check_beats(egp, incomplete, Step::origin);
    check_beats(egp, absent, Step::origin);
    CHECK(compare(incomplete.view(), absent.view(), {}).winner == 0);
  }
  SUBCASE("MED: absent is 0, or the worst with missing_med_worst") {
    const Path absent = with("no MED", [](Path&) {});
    const Path five = with("MED 5", [](Path& p) { p.attrs.med = 5; });
    const Path max = with("MED 4294967295", [](Path& p) { p.attrs.med = 4294967295u; });
    check_beats(absent, five, Step::med);
    BestPathOptions o;
    o.missing_med_worst = true;
    check_beats(five, absent, Step::med, o);
    CHECK(compare(absent.view(), max.view(), o).winner == 0);
  }
  SUBCASE("CLUSTER_LIST: absent is length 0, compared by length only") {
    const Path absent = with("no CLUSTER_LIST", [](Path&) {});
    const Path one = with("one cluster", [](Path& p) { p.attrs.cluster_list = {9}; });
    const Path two = with("two clusters", [](Path& p) { p.attrs.cluster_list = {1, 2}; });
    check_beats(absent, one, Step::cluster_list_length);
    check_beats(one, two, Step::cluster_list_length);
  }
  SUBCASE("null attributes and peer read as empty attributes and a default peer") {
    Candidate bare;  // attrs and peer null
    Path empty;
    CHECK(compare(bare, empty.view(), {}) == Comparison{0, Step::none});
    // No AS_PATH is length 0: shorter than a learned path's.
    CHECK(compare(bare, with("learned", [](Path&) {}).view(), {}) == Comparison{-1, Step::as_path_length});
  }
}

TEST_CASE("MED is compared only between paths from the same neighbour AS") {
  const auto path = [](const char* name, wire::AsPath as_path, uint32_t med, uint32_t igp, const char* address) {
    Path p;
    p.name = name;
    p.attrs.origin = wire::Origin::igp;
    p.attrs.as_path = std::move(as_path);
    p.attrs.med = med;
    p.igp_cost = igp;
    p.peer.address = ip(address);
    return p;
  };
  const Path a = path("AS 65001 MED 100", seq({65001, 65010}), 100, 1, "10.0.0.1");
  const Path b = path("AS 65002 MED 0", seq({65002, 65010}), 0, 2, "10.0.0.2");
  const Path c = path("AS 65001 MED 0", seq({65001, 65011}), 0, 2, "10.0.0.3");

  SUBCASE("a lower MED from another AS does not win") {
    check_beats(a, b, Step::igp_cost);
    const Outcome r = select_every_order({a, b}, {});
    CHECK(r.best == 0u);
    CHECK(r.reason == Step::igp_cost);
  }
  SUBCASE("... unless always_compare_med") {
    BestPathOptions o;
    o.always_compare_med = true;
    check_beats(b, a, Step::med, o);
    const Outcome r = select_every_order({a, b}, o);
    CHECK(r.best == 1u);
    CHECK(r.reason == Step::med);
  }
  SUBCASE("a lower MED from the same AS wins") {
    check_beats(c, a, Step::med);
  }
  SUBCASE("the neighbour AS is the first AS after confederation segments") {
    const Path confed = path("(64600) 65001 65012 MED 0",
                             wire::AsPath{{{wire::AsSegmentType::confed_sequence, {64600}},
                                           {wire::AsSegmentType::sequence, {65001, 65012}}}},
                             0, 2, "10.0.0.4");
    check_beats(confed, a, Step::med);
  }
  SUBCASE("local and internal paths (no AS_PATH, an empty one, only confederation segments) share our AS") {
    Path none = path("no AS_PATH MED 100", {}, 100, 1, "10.0.0.5");
    none.attrs.as_path.reset();
    const Path empty = path("empty AS_PATH MED 0", {}, 0, 2, "10.0.0.6");
    const Path confed_only = path("(64600) MED 50",
                                  wire::AsPath{{{wire::AsSegmentType::confed_sequence, {64600}}}}, 50, 2, "10.0.0.7");
    check_beats(empty, none, Step::med);
    check_beats(empty, confed_only, Step::med);
    check_beats(confed_only, none, Step::med);
  }
  SUBCASE("a path that starts with an AS_SET has no neighbour AS: its MED is compared with nothing") {
    const wire::AsPath set_path{{{wire::AsSegmentType::set, {65001, 65002}}}};
    const Path s1 = path("{65001 65002} MED 100", set_path, 100, 1, "10.0.0.10");
    const Path s2 = path("{65001 65002} MED 0", set_path, 0, 2, "10.0.0.11");
    check_beats(s1, s2, Step::igp_cost);
    BestPathOptions o;
    o.always_compare_med = true;
    check_beats(s2, s1, Step::med, o);
    const Outcome r = select_every_order({s1, s2}, {});
    CHECK(r.best == 0u);
  }
}

TEST_CASE("MED's non-transitive triple gives one answer in every order (deterministic MED)") {
  // Pairwise: B beats A on MED (same AS), A beats C on IGP cost (MED not compared
  // across ASes), C beats B on IGP cost: a cycle, so "compare with the best so
  // far" would answer by arrival order. Grouping by neighbour AS first: B is the
  // best of AS 65001, C of AS 65002, and C beats B on IGP cost.
  const auto path = [](const char* name, uint32_t first_as, uint32_t med, uint32_t igp, const char* address) {
    Path p;
    p.name = name;
    p.attrs.origin = wire::Origin::igp;
    p.attrs.as_path = seq({first_as, 65100});
    p.attrs.med = med;
    p.igp_cost = igp;
    p.peer.address = ip(address);
    return p;
  };
  const std::vector<Path> paths{path("A: AS 65001 MED 10 igp 2", 65001, 10, 2, "10.0.0.1"),
                                path("B: AS 65001 MED 5 igp 4", 65001, 5, 4, "10.0.0.2"),
                                path("C: AS 65002 MED 7 igp 3", 65002, 7, 3, "10.0.0.3")};
  const Path& a = paths[0];
  const Path& b = paths[1];
  const Path& c = paths[2];
  check_beats(b, a, Step::med);
  check_beats(a, c, Step::igp_cost);
  check_beats(c, b, Step::igp_cost);

  const Outcome r = select_every_order(paths, {});
  CHECK(r.best == 2u);
  CHECK(r.reason == Step::igp_cost);  // C over B, the best of the other group

  SUBCASE("with always_compare_med the order is transitive: the lowest MED, B, wins") {
    BestPathOptions o;
    o.always_compare_med = true;
    const Outcome m = select_every_order(paths, o);
    CHECK(m.best == 1u);
    CHECK(m.reason == Step::med);
  }
  SUBCASE("a bigger mix of groups, all 40320 orders") {
    std::vector<Path> more = paths;
    more.push_back(path("D: AS 65002 MED 1 igp 1", 65002, 1, 1, "10.0.0.4"));
    more.push_back(path("E: AS 65003 MED 0 igp 5", 65003, 0, 5, "10.0.0.5"));
    more.push_back(path("F: AS 65001 MED 5 igp 3", 65001, 5, 3, "10.0.0.6"));
    more.push_back(path("G: AS 65003 MED 9 igp 0", 65003, 9, 0, "10.0.0.7"));
    more.push_back(path("H: AS 65002 MED 0 igp 3", 65002, 0, 3, "10.0.0.8"));
    BestPathOptions o;
    o.max_paths = 8;
    o.multipath_relax = true;
    const Outcome m = select_every_order(more, o);
    // Group bests: AS 65001: F (MED 5, igp 3, before B on IGP cost and A on MED);
    // AS 65002: H (MED 0, then D, then C); AS 65003: E (MED 0). F and H tie up to
    // the peer address, where F (10.0.0.6) beats H (10.0.0.8).
    CHECK(m.best == 5u);
    CHECK(m.reason == Step::peer_address);
    // ECMP, relaxed: H from another AS is equal to F through the IGP cost. C is
    // too, but not to H: same AS, higher MED. The set is pairwise equal.
    CHECK(m.multipath == std::vector<std::size_t>{5, 7});
    CHECK(multipath_equal(more[5].view(), more[2].view(), o));
    CHECK(!multipath_equal(more[7].view(), more[2].view(), o));
  }
}

TEST_CASE("ECMP: equal paths share forwarding, best first, at most max_paths") {
  const auto path = [](const char* name, uint32_t router_id, const char* address, uint32_t igp) {
    Path p;
    p.name = name;
    p.attrs.origin = wire::Origin::igp;
    p.attrs.as_path = seq({65001, 65010});
    p.peer.address = ip(address);
    p.peer.router_id = router_id;
    p.igp_cost = igp;
    return p;
  };
  const std::vector<Path> paths{path("rid 3", 3, "10.0.0.3", 10), path("rid 1", 1, "10.0.0.1", 10),
                                path("rid 2 worse igp", 2, "10.0.0.4", 20), path("rid 2", 2, "10.0.0.2", 10)};
  BestPathOptions o;
  o.max_paths = 4;
  Outcome r = select_every_order(paths, o);
  CHECK(r.best == 1u);
  CHECK(r.reason == Step::router_id);
  CHECK(r.multipath == std::vector<std::size_t>{1, 3, 0});

  o.max_paths = 2;
  r = select_every_order(paths, o);
  CHECK(r.multipath == std::vector<std::size_t>{1, 3});

  o.max_paths = 1;
  r = select_every_order(paths, o);
  CHECK(r.multipath == std::vector<std::size_t>{1});

  o.max_paths = 0;  // read as 1: best is always in the set
  r = select_every_order(paths, o);
  CHECK(r.multipath == std::vector<std::size_t>{1});

  CHECK(multipath_equal(paths[0].view(), paths[1].view(), {}));
  CHECK(!multipath_equal(paths[1].view(), paths[2].view(), {}));
}

TEST_CASE("ECMP across AS paths only with multipath_relax, and never across lengths") {
  const auto path = [](const char* name, wire::AsPath as_path, const char* address) {
    Path p;
    p.name = name;
    p.attrs.origin = wire::Origin::igp;
    p.attrs.as_path = std::move(as_path);
    p.peer.address = ip(address);
    p.peer.external = true;
    return p;
  };
  const std::vector<Path> paths{path("65001 65010", seq({65001, 65010}), "10.0.0.1"),
                                path("65002 65010", seq({65002, 65010}), "10.0.0.2"),
                                path("65003 65011 65010", seq({65003, 65011, 65010}), "10.0.0.3"),
                                path("65001 65010 again", seq({65001, 65010}), "10.0.0.4")};
  BestPathOptions o;
  o.max_paths = 4;
  Outcome r = select_every_order(paths, o);
  CHECK(r.best == 0u);
  CHECK(r.multipath == std::vector<std::size_t>{0, 3});
  CHECK(!multipath_equal(paths[0].view(), paths[1].view(), o));

  o.multipath_relax = true;
  r = select_every_order(paths, o);
  CHECK(r.multipath == std::vector<std::size_t>{0, 1, 3});
  CHECK(multipath_equal(paths[0].view(), paths[1].view(), o));
  CHECK(!multipath_equal(paths[0].view(), paths[2].view(), o));

  SUBCASE("a different MED from the same neighbour AS is not equal, relaxed or not") {
    std::vector<Path> med = paths;
    med[3].attrs.med = 5;
    CHECK(!multipath_equal(med[0].view(), med[3].view(), o));
    CHECK(select_every_order(med, o).multipath == std::vector<std::size_t>{0, 1});
  }
  SUBCASE("absent and empty AS_PATHs are the same path") {
    Path x = path("no AS_PATH", {}, "10.0.0.5");
    x.attrs.as_path.reset();
    const Path y = path("empty AS_PATH", {}, "10.0.0.6");
    CHECK(multipath_equal(x.view(), y.view(), {}));
  }
}

TEST_CASE("unreachable candidates are never selected") {
  Path good;
  good.name = "reachable LOCAL_PREF 50";
  good.attrs.local_pref = 50;
  good.peer.address = ip("10.0.0.1");
  Path bad = good;
  bad.name = "unreachable LOCAL_PREF 1000";
  bad.attrs.local_pref = 1000;
  bad.reachable = false;
  bad.peer.address = ip("10.0.0.2");
  Path bad2 = bad;
  bad2.name = "unreachable 2";
  bad2.peer.address = ip("10.0.0.3");

  check_beats(good, bad, Step::reachability);
  BestPathOptions o;
  o.max_paths = 4;
  o.multipath_relax = true;
  const Outcome r = select_every_order({bad, good, bad2}, o);
  CHECK(r.best == 1u);
  CHECK(r.reason == Step::none);  // alone among the eligible
  CHECK(r.multipath == std::vector<std::size_t>{1});
  CHECK(!multipath_equal(bad.view(), bad2.view(), o));

  const Outcome none = select_every_order({bad, bad2}, o);
  CHECK(!none.best);
  CHECK(none.reason == Step::none);
  CHECK(none.multipath.empty());
  CHECK(!select(std::span<const Candidate>{}, o).best);
}

TEST_CASE("LLGR stale paths lose to any fresh path, then compare as usual") {
  Path fresh;
  fresh.name = "fresh LOCAL_PREF 50";
  fresh.attrs.local_pref = 50;
  fresh.peer.address = ip("10.0.0.1");
  Path stale = fresh;
  stale.name = "stale LOCAL_PREF 1000";
  stale.attrs.local_pref = 1000;
  stale.llgr_stale = true;
  stale.peer.address = ip("10.0.0.2");
  Path stale_low = stale;
  stale_low.name = "stale LOCAL_PREF 10";
  stale_low.attrs.local_pref = 10;
  stale_low.peer.address = ip("10.0.0.3");

  check_beats(fresh, stale, Step::llgr_stale);
  check_beats(stale, stale_low, Step::local_pref);
  const Outcome r = select_every_order({stale, fresh, stale_low}, {});
  CHECK(r.best == 1u);
  CHECK(r.reason == Step::llgr_stale);

  // Stale and fresh never share forwarding, even when otherwise equal.
  Path twin = fresh;
  twin.peer.address = ip("10.0.0.4");
  CHECK(multipath_equal(fresh.view(), twin.view(), {}));
  twin.llgr_stale = true;
  CHECK(!multipath_equal(fresh.view(), twin.view(), {}));
  const Outcome only_stale = select_every_order({stale, stale_low}, {});
  CHECK(only_stale.best == 0u);
}

TEST_CASE("ORIGINATOR_ID stands in for the peer's router id (RFC 4456 §9)") {
  Path reflected;
  reflected.name = "via peer rid 1, ORIGINATOR_ID 9";
  reflected.peer.router_id = 1;
  reflected.peer.address = ip("10.0.0.1");
  reflected.attrs.originator_id = 9;
  Path direct;
  direct.name = "from peer rid 5";
  direct.peer.router_id = 5;
  direct.peer.address = ip("10.0.0.2");

  check_beats(direct, reflected, Step::router_id);
  Path unreflected = reflected;
  unreflected.attrs.originator_id.reset();
  check_beats(unreflected, direct, Step::router_id);
  Path other = direct;
  other.attrs.originator_id = 7;
  check_beats(other, reflected, Step::router_id);  // 7 < 9: ORIGINATOR_IDs against each other
}

TEST_CASE("a locally originated path beats a learned one at the local-origin step") {
  Path local;
  local.name = "local";
  local.peer.local = true;
  local.attrs.origin = wire::Origin::incomplete;  // worse on every later step it can be
  local.attrs.med = 1000;
  local.igp_cost = 100;
  local.peer.router_id = 0xffffffff;
  Path learned;
  learned.name = "learned from eBGP";
  learned.attrs.as_path = wire::AsPath{};
  learned.attrs.origin = wire::Origin::igp;
  learned.peer.external = true;
  learned.peer.router_id = 1;
  learned.peer.address = ip("10.0.0.1");

  check_beats(local, learned, Step::local_origin);
  // LOCAL_PREF comes first.
  learned.attrs.local_pref = 101;
  check_beats(learned, local, Step::local_pref);
}

TEST_CASE("property: compare() is antisymmetric and select() is order-free over random sets") {
  std::mt19937 rng(9494);
  const auto pick = [&](auto... options) {
    const std::array values{options...};
    return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
  };
  const std::vector<wire::AsPath> as_paths{
      {},
      seq({65001}),
      seq({65001, 65003}),
      seq({65002}),
      seq({65002, 65003}),
      seq({65003, 65001}),
      wire::AsPath{{{wire::AsSegmentType::set, {65001, 65002}}}},
      wire::AsPath{{{wire::AsSegmentType::confed_sequence, {64600}}, {wire::AsSegmentType::sequence, {65001}}}},
  };
  const auto random_path = [&](std::size_t n) {
    Path p;
    p.name = "p" + std::to_string(n);
    p.reachable = pick(true, true, true, true, true, true, true, true, true, false);
    p.llgr_stale = pick(false, false, false, false, false, false, false, false, false, true);
    if (pick(true, false)) p.attrs.local_pref = pick(100u, 200u);
    p.peer.local = pick(false, false, false, false, false, false, false, false, false, true);
    if (pick(true, true, true, false)) p.attrs.as_path = as_paths[pick(0, 1, 2, 3, 4, 5, 6, 7)];
    if (pick(true, true, true, false))
      p.attrs.origin = pick(wire::Origin::igp, wire::Origin::egp, wire::Origin::incomplete);
    if (pick(true, true, false)) p.attrs.med = pick(0u, 10u, 20u);
    p.peer.external = pick(true, false);
    p.igp_cost = pick(0u, 10u, 20u);
    p.peer.router_id = pick(1u, 2u, 3u);
    if (pick(false, false, true)) p.attrs.originator_id = pick(1u, 2u, 3u);
    p.attrs.cluster_list.resize(pick(0, 0, 1, 2));
    // Distinct addresses, so that no two candidates are equal on every step.
    p.peer.address = IpAddress::v4(0x0a000000u + static_cast<uint32_t>(pick(0, 1, 2, 3) * 16 + n));
    p.path_id = pick(0u, 1u);
    return p;
  };

  for (int round = 0; round < 150; ++round) {
    const std::size_t n = 2 + round % 5;  // 2..6 candidates: up to 720 orders each
    std::vector<Path> paths;
    for (std::size_t i = 0; i < n; ++i) paths.push_back(random_path(i));
    BestPathOptions o;
    o.always_compare_med = pick(false, false, true);
    o.missing_med_worst = pick(false, true);
    o.max_paths = pick(1u, 2u, 4u);
    o.multipath_relax = pick(false, true);
    INFO("round ", round);

    const auto v = views(paths);
    for (const Candidate& a : v)
      for (const Candidate& b : v) {
        const Comparison ab = compare(a, b, o);
        const Comparison ba = compare(b, a, o);
        CHECK(ab.winner == -ba.winner);
        CHECK(ab.step == ba.step);
        CHECK((ab.winner == 0) == (&a == &b));
        CHECK(multipath_equal(a, b, o) == multipath_equal(b, a, o));
      }

    const Outcome r = select_every_order(paths, o);
    const auto eligible = std::count_if(paths.begin(), paths.end(), [](const Path& p) { return p.reachable; });
    if (eligible == 0) {
      CHECK(!r.best);
      continue;
    }
    REQUIRE(r.best);
    const Candidate best = v[*r.best];
    CHECK(best.reachable);
    CHECK((r.reason == Step::none) == (eligible == 1));
    // best beats every eligible path it can be compared with without MED's
    // cycles: those from its own neighbour AS, or all with always_compare_med.
    const auto first = [](const Path& p) {
      return p.attrs.as_path ? p.attrs.as_path->first_as() : std::nullopt;
    };
    for (std::size_t i = 0; i < paths.size(); ++i) {
      if (i == *r.best || !paths[i].reachable) continue;
      const bool same_group = o.always_compare_med || (first(paths[i]) && first(paths[i]) == first(paths[*r.best]));
      if (same_group) CHECK(compare(best, v[i], o).winner < 0);
    }
    // The ECMP set: best first, no more than max_paths.
    REQUIRE(!r.multipath.empty());
    CHECK(r.multipath.front() == *r.best);
    CHECK(r.multipath.size() <= o.max_paths);
    // Pairwise equal, and nothing left out that is equal to all of it unless full.
    for (std::size_t x : r.multipath)
      for (std::size_t y : r.multipath)
        if (x != y) CHECK(multipath_equal(v[x], v[y], o));
    if (r.multipath.size() < o.max_paths)
      for (std::size_t i = 0; i < paths.size(); ++i) {
        if (std::find(r.multipath.begin(), r.multipath.end(), i) != r.multipath.end()) continue;
        CHECK(!std::all_of(r.multipath.begin(), r.multipath.end(),
                           [&](std::size_t m) { return multipath_equal(v[m], v[i], o); }));
      }
  }
}
