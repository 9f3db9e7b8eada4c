// Debian's bgpdump reads Petrel's MRT export: a TABLE_DUMP_V2 RIB dump (IPv4
// and IPv6, two peers, ECMP) and the BGP4MP journal dump of a store, and
// `bgpdump -m` prints exactly the routes and changes that were written.
// Exit 77 (skipped) when bgpdump is not installed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "rib/store/mrt_dump.hpp"

using namespace petrel;
using namespace petrel::rib;
using namespace petrel::rib::store;
namespace wire = petrel::bgp::wire;
namespace fs = std::filesystem;

namespace {

int failures = 0;

void expect_lines(const std::string& what, const std::string& got, const std::vector<std::string>& want) {
  std::vector<std::string> lines;
  std::istringstream in(got);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (lines == want) {
    std::cout << "ok: " << what << " (" << lines.size() << " lines)\n";
    return;
  }
  ++failures;
  std::cout << "FAIL: " << what << "\n  got:\n";
  for (const auto& l : lines) std::cout << "    " << l << "\n";
  std::cout << "  want:\n";
  for (const auto& l : want) std::cout << "    " << l << "\n";
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

RouteAttrs attrs(std::vector<uint32_t> path, const char* next_hop, std::optional<uint32_t> med = std::nullopt,
                 std::vector<uint32_t> communities = {}) {
  RouteAttrs a;
  a.attrs.origin = wire::Origin::igp;
  a.attrs.as_path = wire::AsPath{{{wire::AsSegmentType::sequence, std::move(path)}}};
  a.attrs.med = med;
  a.attrs.local_pref = 100;
  a.attrs.communities = std::move(communities);
  a.next_hop = *IpAddress::parse(next_hop);
  return a;
}

}  // namespace

int main() {
  if (std::system("command -v bgpdump >/dev/null 2>&1") != 0) {
    std::cout << "bgpdump is not installed: skipped\n";
    return 77;
  }
  std::string t = (fs::temp_directory_path() / "sto-mrt-XXXXXX").string();
  const fs::path dir = ::mkdtemp(t.data());

  const PeerRef tor1{"tor1", *IpAddress::parse("10.0.0.1"), 65001, 0x0a000001};
  const PeerRef tor2{"tor2", *IpAddress::parse("10.0.0.2"), 65002, 0x0a000002};
  const PeerRef tor6{"tor6", *IpAddress::parse("2001:db8::2"), 4200000000u, 0x0a000006};
  const RouteAttrs a1 = attrs({65001, 65010}, "10.0.0.1", 5, {(65001u << 16) | 100});
  const RouteAttrs a2 = attrs({65002, 65010}, "10.0.0.2");
  const RouteAttrs a6 = attrs({4200000000u}, "2001:db8::2");
  const mrt::DumpRoute routes[] = {
      {*Prefix::parse("10.244.3.0/24"), {{tor1, &a1}, {tor2, &a2}}},
      {*Prefix::parse("10.244.4.0/22"), {{tor2, &a2}}},
      {*Prefix::parse("2001:db8:3::/48"), {{tor6, &a6}}},
  };
  write_file(dir / "rib.mrt", mrt::encode_rib_dump(1'600'000'000, 0x0a00000b, "petrel", routes, 1'600'000'000));
  expect_lines("bgpdump -m reads the TABLE_DUMP_V2 RIB", run("bgpdump -m " + (dir / "rib.mrt").string() + " 2>/dev/null"),
               {
                   "TABLE_DUMP2|1600000000|B|10.0.0.1|65001|10.244.3.0/24|65001 65010|IGP|10.0.0.1|100|5|65001:100|NAG||",
                   "TABLE_DUMP2|1600000000|B|10.0.0.2|65002|10.244.3.0/24|65002 65010|IGP|10.0.0.2|100|0||NAG||",
                   "TABLE_DUMP2|1600000000|B|10.0.0.2|65002|10.244.4.0/22|65002 65010|IGP|10.0.0.2|100|0||NAG||",
                   "TABLE_DUMP2|1600000000|B|2001:db8::2|4200000000|2001:db8:3::/48|4200000000|IGP|2001:db8::2|100|0||NAG||",
               });

  // The journal: a store with an announce, a replace and a withdraw, IPv4 and IPv6.
  {
    StoreOptions o;
    o.path = (dir / "db").string();
    o.history_max_age = std::chrono::hours(24 * 365 * 100);  // keep 2020's entries
    auto s = Store::open(o, nullptr);
    if (!s) {
      std::cout << "FAIL: cannot open the store\n";
      return 1;
    }
    auto batch = [](int64_t ms, const PeerRef& peer, const RouteAttrs& a, const char* prefix, bool withdrawn) {
      ChangeBatch b;
      b.time_ms = ms;
      b.peers.push_back(peer);
      b.attrs.push_back(std::make_shared<const RouteAttrs>(a));
      DecidedPaths::Entry e;
      e.prefix = *Prefix::parse(prefix);
      e.selection_changed = true;
      e.selected = withdrawn ? 0 : 1;
      e.count = withdrawn ? 0 : 1;
      if (!withdrawn) b.decided.paths.push_back({0, 0, 0});  // peers[0], attrs[0]
      b.decided.prefixes.push_back(e);
      return b;
    };
    s->submit(batch(1'600'000'001'000, tor1, a1, "10.244.3.0/24", false));
    s->submit(batch(1'600'000'002'000, tor2, a2, "10.244.3.0/24", false));
    s->submit(batch(1'600'000'003'000, tor6, a6, "2001:db8:3::/48", false));
    s->submit(batch(1'600'000'004'000, tor2, a2, "10.244.3.0/24", true));
    s->submit(batch(1'600'000'005'000, tor6, a6, "2001:db8:3::/48", true));
    s->flush(std::chrono::seconds(10));
    std::size_t skipped = 0;
    write_file(dir / "journal.mrt", mrt::encode_journal_dump(*s, 64512, *IpAddress::parse("10.0.0.11"), &skipped));
    if (skipped != 0) ++failures;
  }
  expect_lines("bgpdump -m reads the BGP4MP journal", run("bgpdump -m " + (dir / "journal.mrt").string() + " 2>/dev/null"),
               {
                   "BGP4MP|1600000001|A|10.0.0.1|65001|10.244.3.0/24|65001 65010|IGP|10.0.0.1|100|5|65001:100|NAG||",
                   "BGP4MP|1600000002|A|10.0.0.2|65002|10.244.3.0/24|65002 65010|IGP|10.0.0.2|100|0||NAG||",
                   "BGP4MP|1600000003|A|2001:db8::2|4200000000|2001:db8:3::/48|4200000000|IGP|2001:db8::2|100|0||NAG||",
                   "BGP4MP|1600000004|W|10.0.0.2|65002|10.244.3.0/24",
                   "BGP4MP|1600000005|W|2001:db8::2|4200000000|2001:db8:3::/48",
               });
  std::error_code ec;
  fs::remove_all(dir, ec);
  std::cout << (failures ? "FAILED\n" : "all ok\n");
  return failures ? 1 : 0;
}
