// tests/bgp/wire/tshark_crosscheck_test.cpp — an independent decoder agrees with
// Petrel's encoders.
//
// Encodes an OPEN, a KEEPALIVE and UPDATEs (every attribute Petrel sends, IPv4 and
// IPv6 announcements and withdrawals, ADD-PATH, packed UPDATEs, End-of-RIB) with
// bgp/wire, writes them as one TCP stream into a pcap file (several messages per
// segment, messages split across segments), has tshark dissect it, and checks
// that tshark reads the values this file put in. Expectations are this file's
// literals, never Petrel's own decode. tshark runs once, with a private empty
// configuration; when it is missing every case fails (scripts/install-deps.sh
// installs it).
//
// Two tshark heuristics shape the data: it guesses ADD-PATH per NLRI field (a
// field that also parses as plain NLRI is plain; a /0 followed by more bytes is
// taken as ADD-PATH), so ADD-PATH path ids are small and default routes are the
// only prefix of their field; and the AS number size is set to 4 octets by a
// preference, as the session in this capture negotiated.
#include "bgp/wire/update_packer.hpp"

#include <doctest/doctest.h>

// Boost.JSON header-only: this file is its one translation unit in the program.
#include <boost/json/src.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/wire/message.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/update.hpp"
#include "tests/support/pcap_writer.hpp"

namespace json = boost::json;

// Failure messages show lists: the first dozen elements, then how many in all.
namespace petrel_test_print {
template <class T>
void put(std::ostream& s, const std::vector<T>& v);
template <class A, class B>
void put(std::ostream& s, const std::pair<A, B>& p);
inline void put(std::ostream& s, const std::string& x) { s << '"' << x << '"'; }
template <class T>
void put(std::ostream& s, const T& x) {
  s << x;
}
template <class T>
void put(std::ostream& s, const std::vector<T>& v) {
  s << "{";
  for (std::size_t i = 0; i < v.size() && i < 12; ++i) {
    if (i) s << ", ";
    put(s, v[i]);
  }
  if (v.size() > 12) s << ", ... (" << v.size() << " in all)";
  s << "}";
}
template <class A, class B>
void put(std::ostream& s, const std::pair<A, B>& p) {
  s << "(";
  put(s, p.first);
  s << " ";
  put(s, p.second);
  s << ")";
}
}  // namespace petrel_test_print

namespace doctest {
template <class T>
struct StringMaker<std::vector<T>> {
  static String convert(const std::vector<T>& v) {
    std::ostringstream s;
    petrel_test_print::put(s, v);
    return String(s.str().c_str());
  }
};
}  // namespace doctest
using namespace petrel;
using namespace petrel::bgp::wire;

namespace {

// ---- what this test sends -------------------------------------------------------

constexpr uint32_t kOurAs = 4200000001;  // needs the 4-octet AS capability
constexpr uint16_t kOpenMyAs = 23456;     // AS_TRANS in the 2-octet field (RFC 6793 §4.1)
constexpr uint16_t kHoldTime = 90;
constexpr uint32_t kRouterId = 0xC0000201;
constexpr std::string_view kRouterIdText = "192.0.2.1";

struct AsSegment {
  int type;  // 1 AS_SET, 2 AS_SEQUENCE
  std::vector<uint32_t> asns;
};

// UPDATE "ipv4_full": every attribute Petrel knows, IPv4 NLRI field.
const std::vector<AsSegment> kFullAsPath = {{2, {kOurAs, 65001, 64512}}, {1, {65002, 4200000002}}};
constexpr std::string_view kFullNextHop = "192.0.2.1";
constexpr uint32_t kFullMed = 150;
constexpr uint32_t kFullLocalPref = 200;
constexpr uint32_t kAggregatorAs = 65001;
constexpr uint32_t kAggregatorAddress = 0xC0000207;
constexpr std::string_view kAggregatorAddressText = "192.0.2.7";
const std::vector<uint32_t> kFullCommunities = {(65001u << 16) | 100, (65001u << 16) | 200, community::no_export};
constexpr uint32_t kOriginatorId = 0xC0000209;
constexpr std::string_view kOriginatorIdText = "192.0.2.9";
const std::vector<uint32_t> kClusterList = {0x01020304, 0x0AFF0001};
const std::vector<std::string> kClusterListText = {"1.2.3.4", "10.255.0.1"};
struct ExtCase {
  ExtendedCommunity bytes;
  std::string tshark;  // "type subtype global local" as tshark splits it
};
const std::vector<ExtCase> kExtCommunities = {
    {{0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64}, "0x00 0x02 65001 100"},        // RT 65001:100
    {{0x02, 0x02, 0xfa, 0x56, 0xea, 0x01, 0x00, 0x07}, "0x02 0x02 4200000001 7"},     // RT 4200000001:7
    {{0x01, 0x03, 0xc0, 0x00, 0x02, 0x01, 0x01, 0x2c}, "0x01 0x03 192.0.2.1 300"},    // SoO 192.0.2.1:300
};
const std::vector<LargeCommunity> kFullLarge = {{kOurAs, 1, 2}, {65001, 3, 4}};
const std::vector<std::string> kFullNlri = {"10.1.0.0/16", "10.2.3.0/24", "192.168.77.128/25", "172.16.0.1/32",
                                            "10.8.8.0/21"};

// UPDATE "ipv6_reach": MP_REACH_NLRI with a global and a link-local next hop.
const std::vector<AsSegment> kV6AsPath = {{2, {65001, 4200000003}}};
constexpr std::string_view kV6NextHop = "2001:db8::1";
constexpr std::string_view kV6LinkLocal = "fe80::1:2ff:fe03:405";
const std::vector<uint32_t> kV6Communities = {community::graceful_shutdown, (64512u << 16) | 7};
const std::vector<LargeCommunity> kV6Large = {{65001, 100, 200}};
const std::vector<std::string> kV6Nlri = {"2001:db8:100::/40", "2001:db8:1:2::/64", "2001:db8:ffff:ffff::1/128",
                                          "2001:db8:8000::/33"};

// UPDATE "defaults": 0.0.0.0/0 in the NLRI field and ::/0 in MP_REACH_NLRI with a
// global next hop alone (16 bytes), an empty AS_PATH (iBGP, locally originated).
constexpr std::string_view kDefaultsNextHop = "192.0.2.254";
constexpr std::string_view kDefaultsV6NextHop = "2001:db8::fe";

// UPDATEs "withdraw_v4" and "withdraw_v6".
const std::vector<std::string> kWithdrawV4 = {"10.9.0.0/16", "10.10.10.0/24", "10.11.12.13/32", "10.128.0.0/9"};
const std::vector<std::string> kWithdrawV6 = {"2001:db8:dead::/48", "2001:db8:beef:1::/64", "2001:db8::1/128"};

// UPDATE "add_path": path identifiers on both families (RFC 7911).
struct PathCase {
  uint32_t path_id;
  std::string prefix;
};
const std::vector<PathCase> kAddPathV4 = {{1, "10.1.0.0/16"}, {2, "10.1.0.0/16"}, {7, "10.2.3.0/24"}};
const std::vector<PathCase> kAddPathV6 = {{1, "2001:db8:100::/40"}, {65536, "2001:db8:100::/40"}};

// Packed groups: hundreds of prefixes sharing one attribute set.
const std::vector<AsSegment> kPackedAsPath = {{2, {kOurAs, 65010}}};
constexpr std::string_view kPackedNextHop = "192.0.2.33";
constexpr std::string_view kPackedV6NextHop = "2001:db8::33";
constexpr std::string_view kPackedV6LinkLocal = "fe80::33";
const std::vector<uint32_t> kPackedCommunities = {(65010u << 16) | 1};

std::string hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", v);
  return buf;
}

// 1000 IPv4 prefixes, /24 and /32 alternating.
std::vector<std::string> packed_v4() {
  std::vector<std::string> out;
  for (unsigned i = 0; i < 1000; ++i) {
    const std::string net = "100." + std::to_string(64 + i / 256) + "." + std::to_string(i % 256) + ".";
    out.push_back(i % 2 == 0 ? net + "0/24" : net + std::to_string(1 + i % 200) + "/32");
  }
  return out;
}
// 700 IPv6 prefixes, /48 and /64 alternating (text as RFC 5952 writes it).
std::vector<std::string> packed_v6() {
  std::vector<std::string> out;
  for (unsigned i = 1; i <= 700; ++i)
    out.push_back(i % 2 == 0 ? "2001:db8:" + hex(i) + "::/48" : "2001:db8:" + hex(i) + ":1::/64");
  return out;
}
// 400 IPv6 /64s withdrawn.
std::vector<std::string> packed_withdraw_v6() {
  std::vector<std::string> out;
  for (unsigned i = 1; i <= 400; ++i) out.push_back("2001:db8:ffff:" + hex(i) + "::/64");
  return out;
}

// ---- building the messages ------------------------------------------------------

IpAddress address(std::string_view text) {
  auto a = IpAddress::parse(text);
  if (!a) throw std::invalid_argument("bad address in test data: " + std::string(text));
  return *a;
}
std::vector<NlriEntry> entries(const std::vector<std::string>& prefixes) {
  std::vector<NlriEntry> out;
  for (const auto& text : prefixes) {
    auto p = Prefix::parse(text);
    if (!p) throw std::invalid_argument("bad prefix in test data: " + text);
    out.push_back({0, *p});
  }
  return out;
}
std::vector<NlriEntry> entries(const std::vector<PathCase>& cases) {
  std::vector<NlriEntry> out;
  for (const auto& c : cases) out.push_back({c.path_id, entries({c.prefix}).front().prefix});
  return out;
}
AsPath as_path(const std::vector<AsSegment>& segments) {
  AsPath path;
  for (const auto& s : segments) path.segments.push_back({static_cast<AsSegmentType>(s.type), s.asns});
  return path;
}

OpenMessage the_open() {
  OpenMessage o;
  o.my_as = kOpenMyAs;
  o.hold_time = kHoldTime;
  o.bgp_identifier = kRouterId;
  auto& c = o.capabilities;
  c.multiprotocol = {{kAfiIpv4, kSafiUnicast}, {kAfiIpv6, kSafiUnicast}};
  c.route_refresh = true;
  c.enhanced_route_refresh = true;
  c.extended_message = true;
  c.four_octet_as = kOurAs;
  c.graceful_restart = GracefulRestartCapability{/*restarting=*/true, /*notification=*/true, /*restart_time=*/120,
                                                 {{{kAfiIpv4, kSafiUnicast}, /*forwarding_preserved=*/true},
                                                  {{kAfiIpv6, kSafiUnicast}, /*forwarding_preserved=*/false}}};
  c.add_path = {{{kAfiIpv4, kSafiUnicast}, AddPathMode::both}, {{kAfiIpv6, kSafiUnicast}, AddPathMode::send}};
  return o;
}

UpdateMessage ipv4_full() {
  UpdateMessage u;
  auto& a = u.attrs;
  a.origin = Origin::igp;
  a.as_path = as_path(kFullAsPath);
  a.next_hop = address(kFullNextHop);
  a.med = kFullMed;
  a.local_pref = kFullLocalPref;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{kAggregatorAs, kAggregatorAddress};
  a.communities = kFullCommunities;
  a.originator_id = kOriginatorId;
  a.cluster_list = kClusterList;
  for (const auto& e : kExtCommunities) a.ext_communities.push_back(e.bytes);
  a.large_communities = kFullLarge;
  u.nlri = entries(kFullNlri);
  return u;
}

UpdateMessage ipv6_reach() {
  UpdateMessage u;
  u.attrs.origin = Origin::incomplete;
  u.attrs.as_path = as_path(kV6AsPath);
  u.attrs.communities = kV6Communities;
  u.attrs.large_communities = kV6Large;
  u.mp_reach = MpReachMessage{Family::ipv6_unicast, {address(kV6NextHop), address(kV6LinkLocal)}, entries(kV6Nlri)};
  return u;
}

UpdateMessage defaults() {
  UpdateMessage u;
  u.attrs.origin = Origin::egp;
  u.attrs.as_path = AsPath{};
  u.attrs.next_hop = address(kDefaultsNextHop);
  u.attrs.local_pref = 100;
  u.nlri = entries(std::vector<std::string>{"0.0.0.0/0"});
  u.mp_reach = MpReachMessage{Family::ipv6_unicast, {address(kDefaultsV6NextHop), std::nullopt},
                              entries(std::vector<std::string>{"::/0"})};
  return u;
}

UpdateMessage add_path() {
  UpdateMessage u;
  u.attrs.origin = Origin::igp;
  u.attrs.as_path = as_path(kFullAsPath);
  u.attrs.next_hop = address(kFullNextHop);
  u.nlri = entries(kAddPathV4);
  u.mp_reach = MpReachMessage{Family::ipv6_unicast, {address(kV6NextHop), address(kV6LinkLocal)}, entries(kAddPathV6)};
  return u;
}

PathAttributes packed_attrs(bool with_next_hop) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = as_path(kPackedAsPath);
  if (with_next_hop) a.next_hop = address(kPackedNextHop);
  a.communities = kPackedCommunities;
  return a;
}

// ---- running tshark -------------------------------------------------------------

// A group of consecutive messages in the stream, as this test sent them.
struct Group {
  std::size_t first = 0;
  std::size_t count = 0;
};

struct Capture {
  std::string error;                      // why there is nothing to check; empty when tshark ran
  std::vector<json::object> messages;     // tshark's BGP messages in stream order
  std::vector<std::string> problems;      // tshark's warnings, errors and malformed packets
  std::map<std::string, Group> groups;    // what this test sent, by name
  std::size_t stream_bytes = 0;           // BGP bytes in the TCP stream
};

std::string shell_quote(const std::filesystem::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  return false;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Calls f on every object at or under v, in document order.
template <class F>
void for_each_object(const json::value& v, F&& f);
template <class F>
void for_each_object(const json::object& o, F&& f) {
  f(o);
  for (const auto& kv : o) for_each_object(kv.value(), f);
}
template <class F>
void for_each_object(const json::value& v, F&& f) {
  if (const auto* o = v.if_object()) for_each_object(*o, f);
  if (const auto* a = v.if_array())
    for (const auto& e : *a) for_each_object(e, f);
}

// The tshark warnings (severity >= PI_WARN) and malformed-packet marks in `doc`.
std::vector<std::string> problems_in(const json::value& doc) {
  constexpr long kPiWarn = 0x00600000;
  std::vector<std::string> out;
  for_each_object(doc, [&](const json::object& o) {
    if (o.contains("_ws.malformed")) out.push_back("malformed packet");
    const auto* sev = o.if_contains("_ws.expert.severity");
    const auto* msg = o.if_contains("_ws.expert.message");
    if (sev && sev->is_string() && std::stol(std::string(sev->as_string())) >= kPiWarn)
      out.push_back(msg && msg->is_string() ? std::string(msg->as_string()) : "expert info");
  });
  return out;
}

// Encodes every message this test sends. Each group is one encoder call; its
// message count is what the encoder reports, and tshark must find that many.
struct Stream {
  std::vector<uint8_t> opening;  // OPEN and KEEPALIVE
  std::vector<uint8_t> updates;  // everything after them
  std::map<std::string, Group> groups;
};
Stream encode_stream() {
  Stream s;
  std::size_t messages = 0;
  auto add = [&](const std::string& name, std::size_t count) {
    s.groups[name] = Group{messages, count};
    messages += count;
  };
  auto must = [](const auto& result, const std::string& what) {
    if (!result) throw std::runtime_error(what + ": " + result.error().message);
  };
  encode_open(the_open(), s.opening);
  add("open", 1);
  encode_keepalive(s.opening);
  add("keepalive", 1);

  CodecContext ctx;  // 4-octet AS, no ADD-PATH, 4096-byte messages
  CodecContext ap_ctx = ctx;
  ap_ctx.add_path_send[index(Family::ipv4_unicast)] = true;
  ap_ctx.add_path_send[index(Family::ipv6_unicast)] = true;
  const std::pair<std::string, UpdateMessage> singles[] = {
      {"ipv4_full", ipv4_full()},
      {"ipv6_reach", ipv6_reach()},
      {"defaults", defaults()},
      {"withdraw_v4", UpdateMessage{.withdrawn = entries(kWithdrawV4)}},
      {"withdraw_v6", UpdateMessage{.mp_unreach = MpUnreachMessage{Family::ipv6_unicast, entries(kWithdrawV6)}}},
  };
  for (const auto& [name, update] : singles) {
    must(encode_update(update, ctx, s.updates), "encode_update(" + name + ")");
    add(name, 1);
  }
  must(encode_update(add_path(), ap_ctx, s.updates), "encode_update(add_path)");
  add("add_path", 1);

  const auto v4 = entries(packed_v4());
  auto n = pack_announcements(Family::ipv4_unicast, packed_attrs(/*with_next_hop=*/true), std::nullopt, v4, ctx,
                              s.updates);
  must(n, "pack_announcements(ipv4)");
  add("packed_v4", *n);
  const auto v6 = entries(packed_v6());
  n = pack_announcements(Family::ipv6_unicast, packed_attrs(/*with_next_hop=*/false),
                         MpNextHop{address(kPackedV6NextHop), address(kPackedV6LinkLocal)}, v6, ctx, s.updates);
  must(n, "pack_announcements(ipv6)");
  add("packed_v6", *n);
  const auto wv6 = entries(packed_withdraw_v6());
  add("packed_withdraw_v6", pack_withdrawals(Family::ipv6_unicast, wv6, ctx, s.updates));
  encode_end_of_rib(Family::ipv4_unicast, s.updates);
  add("eor_v4", 1);
  encode_end_of_rib(Family::ipv6_unicast, s.updates);
  add("eor_v6", 1);
  return s;
}

// Runs tshark on `pcap` in a fresh temporary directory that is also its HOME and
// XDG_CONFIG_HOME, so no user preference applies; returns its JSON document.
// The directory is removed on success and kept, named in the error, on failure.
json::value run_tshark(const std::vector<uint8_t>& pcap) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "petrel-tshark-XXXXXX").string();
  if (!::mkdtemp(dir_template.data())) throw std::runtime_error("cannot create " + dir_template);
  const std::filesystem::path dir = dir_template;
  const auto pcap_path = dir / "stream.pcap";
  const auto out_path = dir / "tshark.json";
  const auto err_path = dir / "tshark.stderr";
  {
    std::ofstream f(pcap_path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(pcap.data()), static_cast<std::streamsize>(pcap.size()));
    if (!f) throw std::runtime_error("cannot write " + pcap_path.string());
  }
  const std::string cmd = "HOME=" + shell_quote(dir) + " XDG_CONFIG_HOME=" + shell_quote(dir) +
                          " tshark -n -r " + shell_quote(pcap_path) +
                          " -o tcp.desegment_tcp_streams:TRUE -o bgp.desegment:TRUE -o bgp.asn_len:4"
                          " -T json --no-duplicate-keys >" +
                          shell_quote(out_path) + " 2>" + shell_quote(err_path);
  const int status = std::system(cmd.c_str());
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("tshark failed (wait status " + std::to_string(status) + "; files kept in " +
                             dir.string() + "): " + read_text(err_path));
  json::error_code ec;
  json::value doc = json::parse(read_text(out_path), ec);
  if (ec || !doc.is_array())
    throw std::runtime_error("tshark output is not a JSON array (" + ec.message() + "; files kept in " + dir.string() +
                             ")");
  std::filesystem::remove_all(dir);
  return doc;
}

Capture run_capture() {
  Capture cap;
  if (!on_path("tshark")) {
    cap.error = "tshark is not installed or not on PATH: this test needs it as the independent decoder "
                "(scripts/install-deps.sh installs it)";
    return cap;
  }
  try {
    Stream stream = encode_stream();
    cap.groups = std::move(stream.groups);
    cap.stream_bytes = stream.opening.size() + stream.updates.size();
    // OPEN and KEEPALIVE share the first segment; the rest is cut at a typical
    // MSS, so small UPDATEs share segments and large ones span several.
    test::PcapWriter pcap;
    pcap.send(stream.opening);
    pcap.send_stream(stream.updates, 1448);
    const json::value doc = run_tshark(pcap.file());
    for (const auto& packet : doc.as_array()) {
      const auto* source = packet.is_object() ? packet.as_object().if_contains("_source") : nullptr;
      const auto* layers = source && source->is_object() ? source->as_object().if_contains("layers") : nullptr;
      const auto* bgp = layers && layers->is_object() ? layers->as_object().if_contains("bgp") : nullptr;
      if (!bgp) continue;
      if (bgp->is_object()) cap.messages.push_back(bgp->as_object());
      if (bgp->is_array())
        for (const auto& m : bgp->as_array())
          if (m.is_object()) cap.messages.push_back(m.as_object());
    }
    cap.problems = problems_in(doc);
  } catch (const std::exception& e) {
    cap.error = e.what();
  }
  return cap;
}

const Capture& capture() {
  static const Capture cap = run_capture();
  return cap;
}

// ---- reading tshark's tree --------------------------------------------------------

const json::object kNoObject;

// Every value of `key` at or under `o` as text, in document order; the arrays that
// --no-duplicate-keys makes of repeated keys are flattened.
std::vector<std::string> values_of(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for_each_object(o, [&](const json::object& x) {
    const auto* v = x.if_contains(key);
    if (!v) return;
    if (v->is_string()) out.emplace_back(v->as_string());
    if (v->is_array())
      for (const auto& e : v->as_array())
        if (e.is_string()) out.emplace_back(e.as_string());
  });
  return out;
}

// The one value of `key` under `o`; "<none>" or "<N values>" otherwise.
std::string value_of(const json::object& o, std::string_view key) {
  const auto all = values_of(o, key);
  if (all.size() == 1) return all.front();
  return all.empty() ? "<none>" : "<" + std::to_string(all.size()) + " values>";
}

// Objects at or under `o` that hold `key` directly, in document order.
std::vector<const json::object*> objects_with(const json::object& o, std::string_view key) {
  std::vector<const json::object*> out;
  for_each_object(o, [&](const json::object& x) {
    if (x.contains(key)) out.push_back(&x);
  });
  return out;
}

// The prefixes whose address tshark puts in `key`, as "address/length", with
// " id N" when it read an ADD-PATH path identifier.
std::vector<std::string> prefixes(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const auto* p : objects_with(o, key)) {
    std::string text = value_of(*p, key) + "/" + value_of(*p, "bgp.prefix_length");
    if (p->contains("bgp.nlri_path_id")) text += " id " + value_of(*p, "bgp.nlri_path_id");
    out.push_back(text);
  }
  return out;
}
std::vector<std::string> with_ids(const std::vector<PathCase>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.prefix + " id " + std::to_string(c.path_id));
  return out;
}

// The path attributes of an UPDATE, in wire order.
std::vector<const json::object*> attributes(const json::object& msg) {
  return objects_with(msg, "bgp.update.path_attribute.type_code");
}
std::vector<int> type_codes(const json::object& msg) {
  std::vector<int> out;
  for (const auto* a : attributes(msg)) out.push_back(std::stoi(value_of(*a, "bgp.update.path_attribute.type_code")));
  return out;
}
// The attribute of `type`; an empty object when absent (every field then reads "<none>").
const json::object& attribute(const json::object& msg, int type) {
  for (const auto* a : attributes(msg))
    if (value_of(*a, "bgp.update.path_attribute.type_code") == std::to_string(type)) return *a;
  return kNoObject;
}

using Segments = std::vector<std::pair<int, std::vector<uint32_t>>>;

// The segments of the AS_PATH attribute as (type, 4-octet ASNs).
Segments as_path_of(const json::object& msg) {
  Segments out;
  const auto& path = attribute(msg, attr::as_path);
  for (const auto* seg : objects_with(path, "bgp.update.path_attribute.as_path_segment.type")) {
    std::vector<uint32_t> asns;
    for (const auto& a : values_of(*seg, "bgp.update.path_attribute.as_path_segment.as4"))
      asns.push_back(static_cast<uint32_t>(std::stoul(a)));
    out.emplace_back(std::stoi(value_of(*seg, "bgp.update.path_attribute.as_path_segment.type")), asns);
  }
  return out;
}
Segments expected(const std::vector<AsSegment>& segments) {
  Segments out;
  for (const auto& s : segments) out.emplace_back(s.type, s.asns);
  return out;
}

// COMMUNITIES as 32-bit values, sorted: tshark files well-known ones apart.
std::vector<uint32_t> communities_of(const json::object& msg) {
  const auto& attr = attribute(msg, attr::communities);
  std::vector<uint32_t> out;
  for (const auto* c : objects_with(attr, "bgp.update.path_attribute.community_as"))
    out.push_back(static_cast<uint32_t>((std::stoul(value_of(*c, "bgp.update.path_attribute.community_as")) << 16) |
                                        std::stoul(value_of(*c, "bgp.update.path_attribute.community_value"))));
  for (const auto& w : values_of(attr, "bgp.update.path_attribute.community_wellknown"))
    out.push_back(static_cast<uint32_t>(std::stoul(w, nullptr, 16)));
  std::sort(out.begin(), out.end());
  return out;
}
std::vector<uint32_t> sorted(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// LARGE_COMMUNITY as "global:local1:local2".
std::vector<std::string> large_of(const json::object& msg) {
  std::vector<std::string> out;
  for (const auto* c : objects_with(attribute(msg, attr::large_communities), "bgp.large_communities.ga"))
    out.push_back(value_of(*c, "bgp.large_communities.ga") + ":" + value_of(*c, "bgp.large_communities.ldp1") + ":" +
                  value_of(*c, "bgp.large_communities.ldp2"));
  return out;
}
std::vector<std::string> expected(const std::vector<LargeCommunity>& list) {
  std::vector<std::string> out;
  for (const auto& c : list)
    out.push_back(std::to_string(c.global) + ":" + std::to_string(c.local1) + ":" + std::to_string(c.local2));
  return out;
}

// EXTENDED_COMMUNITIES, each as "type subtype global local".
std::vector<std::string> ext_communities_of(const json::object& msg) {
  std::vector<std::string> out;
  for (const auto* c : objects_with(attribute(msg, attr::ext_communities), "bgp.ext_com.type")) {
    std::string subtype = "<none>", global = "<none>", local = "<none>";
    for (const auto& kv : *c) {
      if (!kv.value().is_string()) continue;
      const std::string_view key = kv.key();
      const std::string value(kv.value().as_string());
      if (key.starts_with("bgp.ext_com.stype")) subtype = value;
      if (key == "bgp.ext_com.value_as2" || key == "bgp.ext_com.value_as4" || key == "bgp.ext_com.value_IP4")
        global = value;
      if (key == "bgp.ext_com.value_an2" || key == "bgp.ext_com.value_an4") local = value;
    }
    out.push_back(value_of(*c, "bgp.ext_com.type") + " " + subtype + " " + global + " " + local);
  }
  return out;
}

// Where two long lists first differ, for a failure message.
std::string first_difference(const std::vector<std::string>& got, const std::vector<std::string>& want) {
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i)
    if (got[i] != want[i]) return "element " + std::to_string(i) + ": tshark " + got[i] + ", sent " + want[i];
  if (got.size() != want.size())
    return "tshark read " + std::to_string(got.size()) + " prefixes, " + std::to_string(want.size()) + " were sent";
  return "none";
}

std::vector<std::string> to_strings(const std::vector<int>& v) {
  std::vector<std::string> out;
  for (int x : v) out.push_back(std::to_string(x));
  return out;
}

// The messages of a group; fails the case when tshark could not run.
std::span<const json::object> group(const std::string& name) {
  const Capture& cap = capture();
  REQUIRE_MESSAGE(cap.error.empty(), cap.error);
  const Group g = cap.groups.at(name);
  REQUIRE_MESSAGE(cap.messages.size() >= g.first + g.count,
                  "tshark found " << cap.messages.size() << " BGP messages, the stream has more");
  return std::span<const json::object>(cap.messages).subspan(g.first, g.count);
}
const json::object& single(const std::string& name) {
  const auto msgs = group(name);
  REQUIRE(msgs.size() == 1);
  return msgs.front();
}

// RFC 4271 §5 and RFC 4760 §3/§4: Optional, Transitive and Partial bits of each
// attribute this test sends (Extended Length is the encoder's choice).
int expected_flags(int type) {
  switch (type) {
    case attr::origin:
    case attr::as_path:
    case attr::next_hop:
    case attr::local_pref:
    case attr::atomic_aggregate:
      return 0x40;
    case attr::med:
    case attr::originator_id:
    case attr::cluster_list:
    case attr::mp_reach_nlri:
    case attr::mp_unreach_nlri:
      return 0x80;
    case attr::aggregator:
    case attr::communities:
    case attr::ext_communities:
    case attr::large_communities:
      return 0xC0;
    default:
      return -1;
  }
}

}  // namespace

// ---- the checks ---------------------------------------------------------------------

TEST_CASE("tshark: the stream holds exactly the messages sent, none malformed") {
  const Capture& cap = capture();
  REQUIRE_MESSAGE(cap.error.empty(), cap.error);
  std::size_t sent = 0;
  for (const auto& [name, g] : cap.groups) sent += g.count;
  CHECK(cap.messages.size() == sent);
  std::size_t bytes = 0;
  for (const auto& m : cap.messages) bytes += std::stoul(value_of(m, "bgp.length"));
  CHECK(bytes == cap.stream_bytes);
  CHECK(cap.problems == std::vector<std::string>{});
  for (const auto& [name, g] : cap.groups) {
    CAPTURE(name);
    const std::string type = name == "open" ? "1" : name == "keepalive" ? "4" : "2";
    for (std::size_t i = g.first; i < g.first + g.count && i < cap.messages.size(); ++i) {
      CHECK(value_of(cap.messages[i], "bgp.type") == type);
      CHECK(value_of(cap.messages[i], "bgp.marker") == "ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff");
      CHECK(std::stoul(value_of(cap.messages[i], "bgp.length")) <= kMaxMessageSize);
    }
  }
  CHECK(value_of(single("keepalive"), "bgp.length") == "19");
}

TEST_CASE("tshark: OPEN carries the AS, hold time, identifier and capabilities") {
  const auto open = single("open");
  CHECK(value_of(open, "bgp.open.version") == "4");
  CHECK(value_of(open, "bgp.open.myas") == std::to_string(kOpenMyAs));
  CHECK(value_of(open, "bgp.open.holdtime") == std::to_string(kHoldTime));
  CHECK(value_of(open, "bgp.open.identifier") == kRouterIdText);

  auto types = values_of(open, "bgp.cap.type");
  std::sort(types.begin(), types.end(),
            [](const std::string& a, const std::string& b) { return std::stoi(a) < std::stoi(b); });
  // multiprotocol ×2, route refresh, extended message, graceful restart, 4-octet AS,
  // ADD-PATH, enhanced route refresh.
  CHECK(types == to_strings({1, 1, 2, 6, 64, 65, 69, 70}));

  CHECK(values_of(open, "bgp.cap.mp.afi") == to_strings({kAfiIpv4, kAfiIpv6}));
  CHECK(values_of(open, "bgp.cap.mp.safi") == to_strings({kSafiUnicast, kSafiUnicast}));
  CHECK(value_of(open, "bgp.cap.4as") == std::to_string(kOurAs));

  CHECK(value_of(open, "bgp.cap.gr.timers.restart_flag") == "1");
  CHECK(value_of(open, "bgp.cap.gr.timers.notification_flag") == "1");
  CHECK(value_of(open, "bgp.cap.gr.timers.restart_time") == "120");
  CHECK(values_of(open, "bgp.cap.gr.afi") == to_strings({kAfiIpv4, kAfiIpv6}));
  CHECK(values_of(open, "bgp.cap.gr.safi") == to_strings({kSafiUnicast, kSafiUnicast}));
  CHECK(values_of(open, "bgp.cap.gr.flag.pfs") == std::vector<std::string>{"1", "0"});

  CHECK(values_of(open, "bgp.cap.ap.afi") == to_strings({kAfiIpv4, kAfiIpv6}));
  CHECK(values_of(open, "bgp.cap.ap.safi") == to_strings({kSafiUnicast, kSafiUnicast}));
  CHECK(values_of(open, "bgp.cap.ap.sendreceive") == to_strings({3, 2}));  // RFC 7911 §4: both, send
}

TEST_CASE("tshark: UPDATE with every attribute and an IPv4 NLRI field") {
  const auto msg = single("ipv4_full");
  CHECK(type_codes(msg) == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 32});
  CHECK(value_of(attribute(msg, attr::origin), "bgp.update.path_attribute.origin") == "0");
  CHECK(as_path_of(msg) == expected(kFullAsPath));
  CHECK(value_of(attribute(msg, attr::next_hop), "bgp.update.path_attribute.next_hop") == kFullNextHop);
  CHECK(value_of(attribute(msg, attr::med), "bgp.update.path_attribute.multi_exit_disc") == std::to_string(kFullMed));
  CHECK(value_of(attribute(msg, attr::local_pref), "bgp.update.path_attribute.local_pref") ==
        std::to_string(kFullLocalPref));
  CHECK(value_of(attribute(msg, attr::atomic_aggregate), "bgp.update.path_attribute.length") == "0");
  CHECK(value_of(attribute(msg, attr::aggregator), "bgp.update.path_attribute.aggregator_as") ==
        std::to_string(kAggregatorAs));
  CHECK(value_of(attribute(msg, attr::aggregator), "bgp.update.path_attribute.aggregator_origin") ==
        kAggregatorAddressText);
  CHECK(communities_of(msg) == sorted(kFullCommunities));
  CHECK(value_of(attribute(msg, attr::originator_id), "bgp.update.path_attribute.originator_id") ==
        kOriginatorIdText);
  CHECK(values_of(attribute(msg, attr::cluster_list), "bgp.path_attribute.cluster_id") == kClusterListText);

  std::vector<std::string> ext_expected;
  for (const auto& e : kExtCommunities) ext_expected.push_back(e.tshark);
  CHECK(ext_communities_of(msg) == ext_expected);

  CHECK(large_of(msg) == expected(kFullLarge));
  CHECK(prefixes(msg, "bgp.nlri_prefix") == kFullNlri);
  CHECK(prefixes(msg, "bgp.withdrawn_prefix").empty());
}

TEST_CASE("tshark: UPDATE with IPv6 MP_REACH_NLRI, global and link-local next hop") {
  const auto msg = single("ipv6_reach");
  CHECK(type_codes(msg) == std::vector<int>{14, 1, 2, 8, 32});
  const auto mp = attribute(msg, attr::mp_reach_nlri);
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.afi") == "2");
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.safi") == "1");
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6") == kV6NextHop);
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local") == kV6LinkLocal);
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.nbr_snpa") == "0");
  CHECK(prefixes(mp, "bgp.mp_reach_nlri_ipv6_prefix") == kV6Nlri);
  CHECK(value_of(attribute(msg, attr::origin), "bgp.update.path_attribute.origin") == "2");
  CHECK(as_path_of(msg) == expected(kV6AsPath));
  CHECK(communities_of(msg) == sorted(kV6Communities));
  CHECK(large_of(msg) == expected(kV6Large));
  CHECK(prefixes(msg, "bgp.nlri_prefix").empty());
}

TEST_CASE("tshark: UPDATE with default routes of both families and an empty AS_PATH") {
  const auto msg = single("defaults");
  CHECK(type_codes(msg) == std::vector<int>{14, 1, 2, 3, 5});
  CHECK(value_of(attribute(msg, attr::origin), "bgp.update.path_attribute.origin") == "1");
  CHECK(value_of(attribute(msg, attr::as_path), "bgp.update.path_attribute.length") == "0");
  CHECK(as_path_of(msg).empty());
  CHECK(value_of(attribute(msg, attr::next_hop), "bgp.update.path_attribute.next_hop") == kDefaultsNextHop);
  CHECK(value_of(attribute(msg, attr::local_pref), "bgp.update.path_attribute.local_pref") == "100");
  CHECK(prefixes(msg, "bgp.nlri_prefix") == std::vector<std::string>{"0.0.0.0/0"});
  const auto mp = attribute(msg, attr::mp_reach_nlri);
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6") == kDefaultsV6NextHop);
  CHECK(values_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local").empty());
  CHECK(prefixes(mp, "bgp.mp_reach_nlri_ipv6_prefix") == std::vector<std::string>{"::/0"});
}

TEST_CASE("tshark: UPDATEs withdrawing IPv4 and IPv6 prefixes") {
  const auto v4 = single("withdraw_v4");
  CHECK(type_codes(v4).empty());
  CHECK(value_of(v4, "bgp.update.path_attributes.length") == "0");
  CHECK(prefixes(v4, "bgp.withdrawn_prefix") == kWithdrawV4);
  CHECK(prefixes(v4, "bgp.nlri_prefix").empty());

  const auto v6 = single("withdraw_v6");
  CHECK(type_codes(v6) == std::vector<int>{15});
  CHECK(value_of(v6, "bgp.update.withdrawn_routes.length") == "0");
  const auto mp = attribute(v6, attr::mp_unreach_nlri);
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_unreach_nlri.afi") == "2");
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_unreach_nlri.safi") == "1");
  CHECK(prefixes(mp, "bgp.mp_unreach_nlri_ipv6_prefix") == kWithdrawV6);
}

TEST_CASE("tshark: UPDATE with ADD-PATH path identifiers on both families") {
  const auto msg = single("add_path");
  CHECK(prefixes(msg, "bgp.nlri_prefix") == with_ids(kAddPathV4));
  CHECK(prefixes(attribute(msg, attr::mp_reach_nlri), "bgp.mp_reach_nlri_ipv6_prefix") ==
        with_ids(kAddPathV6));
  CHECK(as_path_of(msg) == expected(kFullAsPath));
  CHECK(value_of(attribute(msg, attr::next_hop), "bgp.update.path_attribute.next_hop") == kFullNextHop);
}

TEST_CASE("tshark: packed IPv4 UPDATEs carry every prefix once, each with the shared attributes") {
  const auto msgs = group("packed_v4");
  CHECK(msgs.size() >= 2);  // 1000 prefixes do not fit one 4096-byte message
  std::vector<std::string> seen;
  for (const auto& msg : msgs) {
    CHECK(type_codes(msg) == std::vector<int>{1, 2, 3, 8});
    CHECK(as_path_of(msg) == expected(kPackedAsPath));
    CHECK(value_of(attribute(msg, attr::next_hop), "bgp.update.path_attribute.next_hop") == kPackedNextHop);
    CHECK(communities_of(msg) == sorted(kPackedCommunities));
    const auto p = prefixes(msg, "bgp.nlri_prefix");
    seen.insert(seen.end(), p.begin(), p.end());
  }
  INFO("first difference: " << first_difference(seen, packed_v4()));
  CHECK(seen == packed_v4());
}

TEST_CASE("tshark: packed IPv6 UPDATEs carry every prefix once in MP_REACH_NLRI") {
  const auto msgs = group("packed_v6");
  CHECK(msgs.size() >= 2);
  std::vector<std::string> seen;
  for (const auto& msg : msgs) {
    CHECK(type_codes(msg) == std::vector<int>{14, 1, 2, 8});
    CHECK(as_path_of(msg) == expected(kPackedAsPath));
    CHECK(communities_of(msg) == sorted(kPackedCommunities));
    const auto mp = attribute(msg, attr::mp_reach_nlri);
    CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6") == kPackedV6NextHop);
    CHECK(value_of(mp, "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local") == kPackedV6LinkLocal);
    const auto p = prefixes(mp, "bgp.mp_reach_nlri_ipv6_prefix");
    seen.insert(seen.end(), p.begin(), p.end());
  }
  INFO("first difference: " << first_difference(seen, packed_v6()));
  CHECK(seen == packed_v6());

  std::vector<std::string> withdrawn;
  for (const auto& msg : group("packed_withdraw_v6")) {
    CHECK(type_codes(msg) == std::vector<int>{15});
    const auto p = prefixes(attribute(msg, attr::mp_unreach_nlri), "bgp.mp_unreach_nlri_ipv6_prefix");
    withdrawn.insert(withdrawn.end(), p.begin(), p.end());
  }
  INFO("first difference: " << first_difference(withdrawn, packed_withdraw_v6()));
  CHECK(withdrawn == packed_withdraw_v6());
}

TEST_CASE("tshark: End-of-RIB markers (RFC 4724 §2)") {
  const auto v4 = single("eor_v4");
  CHECK(value_of(v4, "bgp.length") == "23");
  CHECK(value_of(v4, "bgp.update.withdrawn_routes.length") == "0");
  CHECK(value_of(v4, "bgp.update.path_attributes.length") == "0");

  const auto v6 = single("eor_v6");
  CHECK(value_of(v6, "bgp.update.withdrawn_routes.length") == "0");
  CHECK(type_codes(v6) == std::vector<int>{15});
  const auto mp = attribute(v6, attr::mp_unreach_nlri);
  CHECK(value_of(mp, "bgp.update.path_attribute.length") == "3");
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_unreach_nlri.afi") == "2");
  CHECK(value_of(mp, "bgp.update.path_attribute.mp_unreach_nlri.safi") == "1");
  CHECK(prefixes(mp, "bgp.mp_unreach_nlri_ipv6_prefix").empty());
  CHECK(prefixes(v6, "bgp.nlri_prefix").empty());
}

TEST_CASE("tshark: attribute flags and order follow RFC 4271 §5 and RFC 7606 §5.1") {
  const Capture& cap = capture();
  REQUIRE_MESSAGE(cap.error.empty(), cap.error);
  for (std::size_t i = 0; i < cap.messages.size(); ++i) {
    CAPTURE(i);
    const auto codes = type_codes(cap.messages[i]);
    // MP_REACH_NLRI / MP_UNREACH_NLRI first, the rest in ascending type order.
    std::size_t k = 0;
    while (k < codes.size() && (codes[k] == attr::mp_reach_nlri || codes[k] == attr::mp_unreach_nlri)) ++k;
    CHECK(std::is_sorted(codes.begin() + static_cast<std::ptrdiff_t>(k), codes.end()));
    CHECK(std::count(codes.begin() + static_cast<std::ptrdiff_t>(k), codes.end(), attr::mp_reach_nlri) == 0);
    for (const auto* a : attributes(cap.messages[i])) {
      const int type = std::stoi(value_of(*a, "bgp.update.path_attribute.type_code"));
      const int flags = std::stoi(value_of(*a, "bgp.update.path_attribute.flags"), nullptr, 16);
      CAPTURE(type);
      CHECK((flags & 0xE0) == expected_flags(type));
      CHECK((flags & 0x0F) == 0);
    }
  }
}
