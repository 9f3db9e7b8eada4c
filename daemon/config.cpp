// daemon/config.cpp — the YAML file → Config, checked (see config.hpp and
// etc/petrel.yaml, which documents every key with its default and unit).
//
// Inside this file a mistake is thrown as YamlFailure (daemon/yaml_reader.hpp)
// and caught, with any yaml-cpp exception, at the one edge, parse_document(),
// which returns a ConfigError. Nothing escapes to callers.
#include "daemon/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <set>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "daemon/policy_text.hpp"
#include "daemon/yaml_reader.hpp"

namespace petrel::daemon {

namespace wire = petrel::bgp::wire;

const PeerConfig* Config::peer(std::string_view name) const {
  for (const PeerConfig& p : peers)
    if (p.name == name) return &p;
  return nullptr;
}

namespace {

constexpr uint64_t kMaxU32 = UINT32_MAX;
// TCP_MD5SIG_MAXKEYLEN in <linux/tcp.h>.
constexpr std::size_t kMaxPasswordLength = 80;
// sockaddr_un::sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPath = 107;
constexpr uint32_t kAsTrans = 23456;  // RFC 6793 §9

// ---- small values ----------------------------------------------------------

uint32_t read_asn(const YAML::Node& n, std::string_view path) {
  const auto v = static_cast<uint32_t>(read_number(n, path, 1, kMaxU32));
  if (v == kAsTrans) fail_at(n, path, "23456 is AS_TRANS (RFC 6793), not an AS number a speaker may use");
  return v;
}

// A BGP identifier / cluster id: a non-zero IPv4 address (RFC 6286 §2.1).
uint32_t read_identifier(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  auto a = IpAddress::parse(s);
  if (!a || !a->is_v4()) fail_at(n, path, "must be an IPv4 address (a BGP identifier, RFC 6286), got " + in_quotes(s));
  if (a->v4_value() == 0) fail_at(n, path, "must not be 0.0.0.0 (RFC 6286 §2.1)");
  return a->v4_value();
}

// A cluster id: an IPv4 address or a number (as BIRD's `rr cluster id`).
uint32_t read_cluster_id(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  if (s.find('.') == std::string::npos) return static_cast<uint32_t>(read_number(n, path, 1, kMaxU32));
  return read_identifier(n, path);
}

std::string read_socket_path(const YAML::Node& n, std::string_view path) {
  std::string s = read_string(n, path);
  if (s.size() > kMaxSocketPath)
    fail_at(n, path, "a socket path may have at most " + std::to_string(kMaxSocketPath) + " bytes, this one has " + std::to_string(s.size()));
  return s;
}

// "ADDRESS:PORT" or "[IPV6]:PORT", returned in canonical form.
std::string read_endpoint(const YAML::Node& n, std::string_view path) {
  const std::string& s = read_scalar(n, path);
  const std::string expected = "must be ADDRESS:PORT (\"127.0.0.1:9469\", \"[::1]:9469\"), got " + in_quotes(s);
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find("]:");
    if (close == std::string::npos) fail_at(n, path, expected);
    host = std::string_view(s).substr(1, close - 1);
    port = std::string_view(s).substr(close + 2);
  } else {
    const std::size_t colon = s.rfind(':');
    if (colon == std::string::npos) fail_at(n, path, expected);
    host = std::string_view(s).substr(0, colon);
    port = std::string_view(s).substr(colon + 1);
  }
  const auto a = IpAddress::parse(host);
  if (!a || (a->is_v6() && s.front() != '[')) fail_at(n, path, expected);
  unsigned number = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || number > 65535) fail_at(n, path, expected);
    number = number * 10 + static_cast<unsigned>(c - '0');
  }
  if (port.empty() || number == 0 || number > 65535) fail_at(n, path, "port must be from 1 to 65535, got " + in_quotes(s));
  return (a->is_v6() ? "[" + a->to_string() + "]" : a->to_string()) + ":" + std::to_string(number);
}

// ---- password files --------------------------------------------------------

// Resolves `path` against the directory of the config file.
std::string resolve(const std::string& path, const std::string& config_file) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(config_file).parent_path() / p;
  std::error_code ec;
  fs::path absolute = fs::absolute(p, ec);
  return (ec ? p : absolute).lexically_normal().string();
}

// Reads at most `limit` bytes (and one more, to tell that there were more);
// false with `error` set ("No such file or directory") when it cannot.
bool read_file(const std::string& path, std::size_t limit, std::string& out, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[4096];
  std::size_t got = 0;
  while (out.size() <= limit && (got = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, got);
  const int read_errno = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (read_errno != 0) {
    error = std::strerror(read_errno);
    return false;
  }
  return true;
}

// Reads a secret; messages name the file, never its content.
Secret read_secret(const YAML::Node& at, std::string_view key_path, const std::string& file) {
  std::string value, error;
  if (!read_file(file, 4096, value, error)) fail_at(at, key_path, "cannot read " + file + ": " + error);
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) fail_at(at, key_path, file + " is empty");
  if (value.size() > kMaxPasswordLength)
    fail_at(at, key_path, file + " holds more than " + std::to_string(kMaxPasswordLength) + " bytes (the kernel's TCP-MD5 key limit)");
  if (value.find('\n') != std::string::npos) fail_at(at, key_path, file + " holds more than one line");
  return Secret{file, std::move(value)};
}

// ---- sections --------------------------------------------------------------

std::vector<ListenAddress> read_listen(const YAML::Node& n, std::string_view path) {
  std::vector<ListenAddress> out;
  std::size_t i = 0;
  for (const YAML::Node& e : read_list(n, path)) {
    const std::string at = index_path(path, i++);
    ListenAddress l;
    if (e.IsScalar()) {
      l.address = read_address(e, at);
    } else {
      MapReader m(e, at, {"address", "port"});
      l.address = read_address(m.require("address"), m.path("address"));
      if (m.has("port")) l.port = static_cast<uint16_t>(read_number(m.get("port"), m.path("port"), 1, 65535));
    }
    if (std::find(out.begin(), out.end(), l) != out.end())
      fail_at(e, at, l.address.to_string() + " port " + std::to_string(l.port) + " is listed twice");
    out.push_back(l);
  }
  return out;
}

std::vector<Originate> read_originate(const YAML::Node& n, std::string_view path) {
  std::vector<Originate> out;
  std::size_t i = 0;
  for (const YAML::Node& e : read_list(n, path)) {
    const std::string at = index_path(path, i++);
    Originate o;
    if (e.IsScalar()) {
      o.prefix = read_prefix(e, at);
    } else {
      MapReader m(e, at, {"prefix", "blackhole", "communities"});
      o.prefix = read_prefix(m.require("prefix"), m.path("prefix"));
      if (m.has("blackhole")) o.blackhole = read_bool(m.get("blackhole"), m.path("blackhole"));
      if (m.has("communities")) {
        std::size_t j = 0;
        for (const YAML::Node& c : read_list(m.get("communities"), m.path("communities"))) {
          const std::string cpath = index_path(m.path("communities"), j++);
          const uint32_t value = read_community(c, cpath);
          if (std::find(o.communities.begin(), o.communities.end(), value) != o.communities.end())
            fail_at(c, cpath, community_text(value) + " is listed twice");
          o.communities.push_back(value);
        }
      }
    }
    for (const Originate& other : out)
      if (other.prefix == o.prefix) fail_at(e, at, o.prefix.to_string() + " is listed twice");
    out.push_back(std::move(o));
  }
  return out;
}

FibConfig read_fib(const YAML::Node& n, std::string_view path) {
  FibConfig f;
  MapReader m(n, std::string(path), {"enabled", "table", "protocol", "ecmp-max-paths", "metric", "nexthop-objects"});
  if (m.has("enabled")) f.enabled = read_bool(m.get("enabled"), m.path("enabled"));
  if (YAML::Node t = m.get("table")) {
    if (t.IsScalar() && t.Scalar() == "main") {
      f.table = 254;
    } else {
      const std::string& s = read_scalar(t, m.path("table"));
      const bool numeric = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!numeric) fail_at(t, m.path("table"), "must be main or a table number, got " + in_quotes(s));
      f.table = static_cast<uint32_t>(read_number(t, m.path("table"), 1, kMaxU32));
      // The kernel's own tables (rtnetlink.h): 0 unspec, 253 default, 255 local.
      if (f.table == 253 || f.table == 255)
        fail_at(t, m.path("table"), "table " + s + " is the kernel's " + (f.table == 253 ? "default" : "local") + " table; use main or a table of your own");
    }
  }
  if (YAML::Node p = m.get("protocol")) {
    if (p.IsScalar() && p.Scalar() == "petrel") {
      f.protocol = 201;
    } else {
      const std::string& s = read_scalar(p, m.path("protocol"));
      const bool numeric = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!numeric) fail_at(p, m.path("protocol"), "must be petrel or a protocol number, got " + in_quotes(s));
      // 0..4 are the kernel's (unspec, redirect, kernel, boot, static).
      f.protocol = static_cast<uint8_t>(read_number(p, m.path("protocol"), 5, 255));
    }
  }
  if (m.has("ecmp-max-paths"))
    f.ecmp_max_paths = static_cast<uint32_t>(read_number(m.get("ecmp-max-paths"), m.path("ecmp-max-paths"), 1, 256));
  if (m.has("metric")) f.metric = static_cast<uint32_t>(read_number(m.get("metric"), m.path("metric"), 0, kMaxU32));
  if (m.has("nexthop-objects")) f.nexthop_objects = read_bool(m.get("nexthop-objects"), m.path("nexthop-objects"));
  return f;
}

// ---- peers -----------------------------------------------------------------

std::string family_name(AddressFamily f) { return f == AddressFamily::ipv4 ? "IPv4" : "IPv6"; }

struct PeerReader {
  const std::string& config_file;
  const Config& config;  // router id, local AS and policies already read

  PeerConfig read(const YAML::Node& n, const std::string& path) const {
    MapReader m(n, path,
                {"name", "address", "range", "remote-as", "local-address", "password-file", "password", "hold-time",
                 "connect-retry", "passive", "families", "next-hop", "route-reflector-client", "graceful-restart", "bfd",
                 "add-path", "soft-reconfiguration", "allow-own-as", "ttl-security", "multihop", "import", "export",
                 "mrai-ms", "disabled"});
    PeerConfig p;
    const YAML::Node name = m.require("name");
    p.name = read_scalar(name, m.path("name"));
    if (!valid_peer_name(p.name))
      fail_at(name, m.path("name"), "must be 1 to 64 letters, digits, '_', '.' or '-', got " + in_quotes(p.name));

    const YAML::Node address = m.get("address"), range = m.get("range");
    if (address && range) fail_at(range, m.path("range"), "give either address or range, not both");
    if (!address && !range) fail_at(n, path, "needs an address (one neighbour) or a range (dynamic neighbours)");
    if (address) {
      p.address = read_address(address, m.path("address"));
      if (p.address->is_unspecified() || p.address->is_multicast())
        fail_at(address, m.path("address"), p.address->to_string() + " cannot be a neighbour's address");
    } else {
      p.range = read_prefix(range, m.path("range"));
    }
    const AddressFamily family = address ? p.address->family() : p.range->family();

    const YAML::Node remote = m.require("remote-as");
    if (remote.IsScalar() && remote.Scalar() == "internal") {
      p.remote_as_kind = RemoteAsKind::internal;
    } else if (remote.IsScalar() && remote.Scalar() == "external") {
      p.remote_as_kind = RemoteAsKind::external;
    } else {
      const std::string& s = read_scalar(remote, m.path("remote-as"));
      if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        fail_at(remote, m.path("remote-as"), "must be an AS number, internal or external, got " + in_quotes(s));
      p.remote_as = read_asn(remote, m.path("remote-as"));
    }

    if (YAML::Node v = m.get("local-address")) {
      p.local_address = read_address(v, m.path("local-address"));
      if (p.local_address->family() != family)
        fail_at(v, m.path("local-address"), p.local_address->to_string() + " is " + family_name(p.local_address->family()) +
                                                 " but the neighbour is " + family_name(family));
    }
    read_password(m, p);

    if (YAML::Node v = m.get("hold-time")) {
      const auto h = read_number(v, m.path("hold-time"), 0, 65535);
      // RFC 4271 §4.2: zero, or at least three seconds.
      if (h == 1 || h == 2) fail_at(v, m.path("hold-time"), "must be 0 or 3..65535 seconds (RFC 4271 §4.2), got " + std::to_string(h));
      p.hold_time = static_cast<uint16_t>(h);
    }
    if (m.has("connect-retry"))
      p.connect_retry = static_cast<uint16_t>(read_number(m.get("connect-retry"), m.path("connect-retry"), 1, 65535));
    if (m.has("passive")) p.passive = read_bool(m.get("passive"), m.path("passive"));
    if (YAML::Node v = m.get("families")) p.families = read_families(v, m.path("families"));

    if (YAML::Node v = m.get("next-hop")) {
      const std::string& s = read_scalar(v, m.path("next-hop"));
      if (s == "auto") {
        p.next_hop = NextHopConfig::automatic;
      } else if (s == "self") {
        p.next_hop = NextHopConfig::self;
      } else if (s == "keep") {
        p.next_hop = NextHopConfig::keep;
      } else if (auto a = IpAddress::parse(s)) {
        if (a->family() != family)
          fail_at(v, m.path("next-hop"), a->to_string() + " is " + family_name(a->family()) + " but the neighbour is " + family_name(family));
        p.next_hop = NextHopConfig::address;
        p.next_hop_address = *a;
      } else {
        fail_at(v, m.path("next-hop"), "must be auto, self, keep or an address, got " + in_quotes(s));
      }
    }
    if (YAML::Node v = m.get("route-reflector-client")) {
      p.route_reflector_client = read_bool(v, m.path("route-reflector-client"));
      const bool internal = p.remote_as_kind == RemoteAsKind::internal ||
                            (p.remote_as_kind == RemoteAsKind::exact && p.remote_as == config.local_as);
      // RFC 4456 §6: reflection is between internal peers only.
      if (p.route_reflector_client && !internal)
        fail_at(v, m.path("route-reflector-client"), "only an internal peer (remote-as equal to local-as, or internal) can be a route reflector client (RFC 4456)");
    }
    if (YAML::Node v = m.get("graceful-restart")) p.graceful_restart = read_graceful_restart(v, m.path("graceful-restart"));
    if (YAML::Node v = m.get("bfd")) p.bfd = read_bfd(v, m.path("bfd"));
    if (YAML::Node v = m.get("add-path")) {
      const std::string mode = read_word(v, m.path("add-path"), {"none", "send", "receive", "both"});
      p.add_path_send = mode == "send" || mode == "both";
      p.add_path_receive = mode == "receive" || mode == "both";
    }
    if (m.has("soft-reconfiguration"))
      p.soft_reconfiguration = read_bool(m.get("soft-reconfiguration"), m.path("soft-reconfiguration"));
    if (m.has("allow-own-as"))
      p.allow_own_as = static_cast<uint8_t>(read_number(m.get("allow-own-as"), m.path("allow-own-as"), 0, 255));
    if (m.has("ttl-security"))
      p.ttl_security_hops = static_cast<uint8_t>(read_number(m.get("ttl-security"), m.path("ttl-security"), 0, 254));
    if (YAML::Node v = m.get("multihop")) {
      p.multihop = static_cast<uint32_t>(read_number(v, m.path("multihop"), 0, 255));
      // RFC 5082 §3: GTSM sends with TTL 255; a multihop TTL would contradict it.
      if (p.multihop != 0 && p.ttl_security_hops != 0)
        fail_at(v, m.path("multihop"), "cannot be combined with ttl-security (GTSM always sends with TTL 255, RFC 5082)");
    }
    if (YAML::Node v = m.get("import")) read_import(v, m.path("import"), p);
    if (YAML::Node v = m.get("export")) {
      MapReader e(v, m.path("export"), {"policy"});
      if (YAML::Node pol = e.get("policy")) p.export_policy = read_policy_name(pol, e.path("policy"));
    }
    if (m.has("mrai-ms")) p.mrai_ms = static_cast<uint32_t>(read_number(m.get("mrai-ms"), m.path("mrai-ms"), 0, 600000));
    if (m.has("disabled")) p.disabled = read_bool(m.get("disabled"), m.path("disabled"));
    return p;
  }

  void read_password(const MapReader& m, PeerConfig& p) const {
    const YAML::Node file = m.get("password-file"), printed = m.get("password");
    if (file && printed) fail_at(printed, m.path("password"), "give either password-file or password, not both");
    if (file) {
      const std::string name = read_string(file, m.path("password-file"));
      p.password = read_secret(file, m.path("password-file"), resolve(name, config_file));
    } else if (printed) {
      // Only the form print_config() writes, "<from FILE>", so that its output
      // is itself a valid config; a password never appears in the file.
      const std::string& s = read_scalar(printed, m.path("password"));
      constexpr std::string_view open = "<from ";
      if (s.size() <= open.size() + 1 || s.compare(0, open.size(), open) != 0 || s.back() != '>')
        fail_at(printed, m.path("password"), "a password is never written in the config: put it in a file and name the file with password-file");
      const std::string name = s.substr(open.size(), s.size() - open.size() - 1);
      p.password = read_secret(printed, m.path("password"), resolve(name, config_file));
    }
  }

  static std::vector<wire::Family> read_families(const YAML::Node& n, const std::string& path) {
    std::vector<wire::Family> out;
    std::size_t i = 0;
    for (const YAML::Node& e : read_list(n, path)) {
      const std::string at = index_path(path, i++);
      const wire::Family f = read_word(e, at, {"ipv4", "ipv6"}) == "ipv4" ? wire::Family::ipv4_unicast : wire::Family::ipv6_unicast;
      if (std::find(out.begin(), out.end(), f) != out.end()) fail_at(e, at, e.Scalar() + " is listed twice");
      out.push_back(f);
    }
    if (out.empty()) fail_at(n, path, "must name at least one family (ipv4, ipv6)");
    // One order whatever the file says, so that reordering is no change.
    std::sort(out.begin(), out.end());
    return out;
  }

  static GracefulRestartConfig read_graceful_restart(const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, {"restart-time", "long-lived-stale-time"});
    GracefulRestartConfig g;
    // RFC 4724 §3: the restart time is 12 bits; RFC 9494 §3: the long-lived stale time is 24 bits.
    if (m.has("restart-time"))
      g.restart_time = static_cast<uint16_t>(read_number(m.get("restart-time"), m.path("restart-time"), 1, 4095));
    if (m.has("long-lived-stale-time"))
      g.long_lived_stale_time =
          static_cast<uint32_t>(read_number(m.get("long-lived-stale-time"), m.path("long-lived-stale-time"), 1, 16777215));
    return g;
  }

  static BfdConfig read_bfd(const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, {"interval-ms", "multiplier"});
    BfdConfig b;
    if (m.has("interval-ms")) b.interval_ms = static_cast<uint32_t>(read_number(m.get("interval-ms"), m.path("interval-ms"), 10, 60000));
    // RFC 5880 §4.1: Detect Mult is a non-zero 8-bit number.
    if (m.has("multiplier")) b.multiplier = static_cast<uint8_t>(read_number(m.get("multiplier"), m.path("multiplier"), 1, 255));
    return b;
  }

  void read_import(const YAML::Node& n, const std::string& path, PeerConfig& p) const {
    MapReader m(n, path, {"policy", "limit"});
    if (YAML::Node pol = m.get("policy")) p.import_policy = read_policy_name(pol, m.path("policy"));
    if (YAML::Node v = m.get("limit")) {
      MapReader l(v, m.path("limit"), {"max", "action", "restart-after"});
      p.import_limit = static_cast<uint32_t>(read_number(l.require("max"), l.path("max"), 1, kMaxU32));
      if (YAML::Node a = l.get("action")) {
        const std::string action = read_word(a, l.path("action"), {"warn", "block", "restart"});
        p.import_limit_action = action == "warn" ? LimitAction::warn : action == "block" ? LimitAction::block : LimitAction::restart;
      }
      if (YAML::Node r = l.get("restart-after")) {
        p.import_limit_restart_after = static_cast<uint32_t>(read_number(r, l.path("restart-after"), 0, 86400));
        if (p.import_limit_restart_after != 0 && p.import_limit_action != LimitAction::restart)
          fail_at(r, l.path("restart-after"), "applies only with action: restart");
      }
    }
  }

  std::string read_policy_name(const YAML::Node& n, const std::string& path) const {
    const std::string name = read_string(n, path);
    if (config.policies.find(name)) return name;
    std::string known;
    for (const auto& [k, v] : config.policies.policies) known += (known.empty() ? "" : ", ") + k;
    fail_at(n, path, "no policy named " + in_quotes(name) + (known.empty() ? " (no policies are defined)" : " (defined: " + known + ")"));
  }
};

// Cross-peer rules: unique names and addresses.
void check_peers(const YAML::Node& list, const std::vector<PeerConfig>& peers) {
  for (std::size_t i = 0; i < peers.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const YAML::Node at = list[i];
      if (peers[i].name == peers[j].name)
        fail_at(at["name"], index_path("peers", i) + ".name", in_quotes(peers[i].name) + " is already the name of peers[" + std::to_string(j) + "]");
      if (peers[i].address && peers[i].address == peers[j].address)
        fail_at(at["address"], index_path("peers", i) + ".address",
                peers[i].address->to_string() + " is already the address of peer " + in_quotes(peers[j].name));
      if (peers[i].range && peers[i].range == peers[j].range)
        fail_at(at["range"], index_path("peers", i) + ".range", peers[i].range->to_string() + " is already the range of peer " + in_quotes(peers[j].name));
    }
  }
}

// Without a listening socket petreld only connects out: a peer that waits
// for the neighbour would never come up.
void check_peers_connect_out(const YAML::Node& list, const std::vector<PeerConfig>& peers) {
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const YAML::Node at = list[i];
    if (peers[i].range)
      fail_at(at["range"], index_path("peers", i) + ".range", "dynamic neighbours connect to us, but listen is empty (add listen: [0.0.0.0])");
    if (peers[i].passive && !peers[i].disabled)
      fail_at(at["passive"], index_path("peers", i) + ".passive", "a passive peer waits to be connected to, but listen is empty (add listen: [0.0.0.0])");
  }
}

std::string kubernetes_text(const YAML::Node& n) {
  if (!n.IsMap()) fail_at(n, "kubernetes", "must be a map, got " + describe(n));
  YAML::Emitter e;
  e << n;
  if (!e.good()) fail_at(n, "kubernetes", "cannot be written back: " + e.GetLastError());
  return e.c_str();
}

Config read_config(YAML::Node root, std::string_view file) {
  Config c;
  c.file = std::string(file);
  const MapReader top(root, "",
                      {"router-id", "local-as", "cluster-id", "listen", "control-socket", "control-socket-readonly",
                       "metrics", "log-level", "store", "fib", "max-paths", "multipath-relax", "always-compare-med",
                       "selection-deferral", "originate", "peers", "prefix-sets", "policies", "kubernetes"});
  c.router_id = read_identifier(top.require("router-id"), "router-id");
  c.local_as = read_asn(top.require("local-as"), "local-as");
  if (YAML::Node v = top.get("cluster-id")) c.cluster_id = read_cluster_id(v, "cluster-id");
  if (YAML::Node v = top.get("listen")) c.listen = read_listen(v, "listen");
  if (YAML::Node v = top.get("control-socket")) c.control_socket = read_socket_path(v, "control-socket");
  if (YAML::Node v = top.get("control-socket-readonly")) {
    c.control_socket_readonly = read_socket_path(v, "control-socket-readonly");
    if (*c.control_socket_readonly == c.control_socket)
      fail_at(v, "control-socket-readonly", "must differ from control-socket");
  }
  if (YAML::Node v = top.get("metrics")) c.metrics = read_endpoint(v, "metrics");
  if (YAML::Node v = top.get("log-level")) c.log_level = read_word(v, "log-level", {"trace", "debug", "info", "warn", "error"});
  if (YAML::Node v = top.get("store")) {
    MapReader s(v, "store", {"path", "enabled", "history-max-age", "history-max-entries"});
    if (YAML::Node p = s.get("path")) c.store_path = read_string(p, s.path("path"));
    if (YAML::Node p = s.get("enabled")) c.store_enabled = read_bool(p, s.path("enabled"));
    if (YAML::Node p = s.get("history-max-age"))
      c.store_history_max_age = read_number(p, s.path("history-max-age"), 60, 10ull * 365 * 24 * 3600);
    if (YAML::Node p = s.get("history-max-entries"))
      c.store_history_max_entries = read_number(p, s.path("history-max-entries"), 1, 1'000'000'000);
  }
  if (YAML::Node v = top.get("fib")) c.fib = read_fib(v, "fib");
  if (YAML::Node v = top.get("max-paths")) c.max_paths = static_cast<uint32_t>(read_number(v, "max-paths", 1, 256));
  if (YAML::Node v = top.get("multipath-relax")) c.multipath_relax = read_bool(v, "multipath-relax");
  if (YAML::Node v = top.get("always-compare-med")) c.always_compare_med = read_bool(v, "always-compare-med");
  if (YAML::Node v = top.get("selection-deferral"))
    c.selection_deferral = static_cast<uint32_t>(read_number(v, "selection-deferral", 1, 3600));
  if (YAML::Node v = top.get("originate")) c.originate = read_originate(v, "originate");

  // Policies before peers: peers name them.
  auto policies = rib::compile_policies(root, c.file);
  if (!policies) {
    const ConfigError& e = policies.error();
    YAML::Mark mark = YAML::Mark::null_mark();
    if (e.line > 0) {
      mark.line = e.line - 1;
      mark.column = e.column - 1;
    }
    const std::string path = path_at(root, mark);
    throw YamlFailure{mark, path.empty() ? e.message : path + ": " + e.message};
  }
  c.policies = std::move(*policies);
  c.policy_text = normalized_policy_text(root);

  if (YAML::Node v = top.get("peers")) {
    const PeerReader reader{c.file, c};
    std::vector<PeerConfig> peers;
    std::size_t i = 0;
    for (const YAML::Node& e : read_list(v, "peers")) {
      peers.push_back(reader.read(e, index_path("peers", i)));
      ++i;
    }
    check_peers(v, peers);
    if (c.listen.empty()) check_peers_connect_out(v, peers);
    c.peers = std::move(peers);
  }
  if (YAML::Node v = top.get("kubernetes")) c.kubernetes_yaml = kubernetes_text(v);
  return c;
}

ConfigError error_at(std::string_view file, const YAML::Mark& mark, std::string message) {
  ConfigError e{std::string(file), 0, 0, std::move(message)};
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  return e;
}

std::optional<std::string> from_environment(const std::string& name) {
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

}  // namespace

Result<Config, ConfigError> parse_config(std::string_view yaml, std::string_view file) {
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
    if (documents.size() > 1)
      return error_at(file, documents[1].Mark(), "a second YAML document (after ---): petreld reads exactly one");
    if (documents.empty() || documents[0].IsNull()) {
      ConfigError e{std::string(file), 1, 1, "the configuration is empty (router-id and local-as are required)"};
      return e;
    }
    YAML::Node root = documents[0];
    substitute_environment(root, from_environment);
    return read_config(root, file);
  } catch (const YamlFailure& f) {
    return error_at(file, f.mark, f.message);
  } catch (const YAML::Exception& e) {
    return error_at(file, e.mark, "YAML syntax: " + e.msg);
  } catch (const std::exception& e) {
    return ConfigError{std::string(file), 0, 0, e.what()};
  }
}

Result<Config, ConfigError> load_config(const std::string& file) {
  constexpr std::size_t kLimit = 16 << 20;
  std::string text, error;
  if (!read_file(file, kLimit, text, error)) return ConfigError{file, 0, 0, "cannot read the file: " + error};
  if (text.size() > kLimit) return ConfigError{file, 0, 0, "the file is larger than 16 MiB"};
  return parse_config(text, file);
}

bool valid_peer_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace petrel::daemon
