// rib/store/records.cpp — keys and values of the store (records.hpp).
#include "rib/store/records.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "bgp/wire/message.hpp"
#include "bgp/wire/update.hpp"
#include "core/bytes.hpp"

namespace petrel::rib::store {
namespace {

namespace wire = bgp::wire;

template <class T>
Result<T, std::string> fail(std::string m) {
  return Result<T, std::string>(boost::system::in_place_error, std::move(m));
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string to_string(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

void put_be16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}
void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_be64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t get_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void put_address(ByteWriter& w, const IpAddress& a) {
  w.u8(a.is_v4() ? 4 : 6);
  w.bytes(a.data(), 16);
}
std::optional<IpAddress> get_address(ByteReader& r) {
  const uint8_t family = r.u8();
  auto b = r.bytes(16);
  if (!r.ok()) return std::nullopt;
  if (family == 4) {
    for (std::size_t i = 4; i < 16; ++i)
      if (b[i] != 0) return std::nullopt;
    return IpAddress::v4_bytes(b.data());
  }
  if (family == 6) return IpAddress::v6_bytes(b.data());
  return std::nullopt;
}

void put_string(ByteWriter& w, std::string_view s) {
  w.u8(static_cast<uint8_t>(std::min<std::size_t>(s.size(), 255)));
  w.bytes(reinterpret_cast<const uint8_t*>(s.data()), std::min<std::size_t>(s.size(), 255));
}
std::optional<std::string> get_string(ByteReader& r) {
  const uint8_t n = r.u8();
  auto b = r.bytes(n);
  if (!r.ok()) return std::nullopt;
  return std::string(b.begin(), b.end());
}

void put_peer(ByteWriter& w, const PeerRef& p) {
  put_string(w, p.name);
  put_address(w, p.address);
  w.u32(p.as);
  w.u32(p.router_id);
}
std::optional<PeerRef> get_peer(ByteReader& r) {
  PeerRef p;
  auto name = get_string(r);
  if (!name) return std::nullopt;
  p.name = std::move(*name);
  auto a = get_address(r);
  if (!a) return std::nullopt;
  p.address = *a;
  p.as = r.u32();
  p.router_id = r.u32();
  if (!r.ok()) return std::nullopt;
  return p;
}

// Optional 32-bit values: a presence byte, then the value.
void put_opt(ByteWriter& w, const std::optional<uint32_t>& v) {
  w.u8(v ? 1 : 0);
  if (v) w.u32(*v);
}
std::optional<uint32_t> get_opt(ByteReader& r, bool& ok) {
  const uint8_t present = r.u8();
  if (present > 1) ok = false;
  if (present != 1) return std::nullopt;
  return r.u32();
}

void put_summary_attrs(ByteWriter& w, const AttrSummary& a) {
  w.u8(a.origin ? static_cast<uint8_t>(*a.origin) : 0xff);
  w.u8(static_cast<uint8_t>(std::min<std::size_t>(a.as_path.segments.size(), 255)));
  for (std::size_t i = 0; i < a.as_path.segments.size() && i < 255; ++i) {
    const auto& s = a.as_path.segments[i];
    w.u8(static_cast<uint8_t>(s.type));
    w.u16(static_cast<uint16_t>(std::min<std::size_t>(s.asns.size(), 65535)));
    for (std::size_t k = 0; k < s.asns.size() && k < 65535; ++k) w.u32(s.asns[k]);
  }
  put_opt(w, a.local_pref);
  put_opt(w, a.med);
  w.u16(static_cast<uint16_t>(std::min<std::size_t>(a.communities.size(), 65535)));
  for (std::size_t i = 0; i < a.communities.size() && i < 65535; ++i) w.u32(a.communities[i]);
  w.u16(static_cast<uint16_t>(std::min<std::size_t>(a.large_communities.size(), 65535)));
  for (std::size_t i = 0; i < a.large_communities.size() && i < 65535; ++i) {
    w.u32(a.large_communities[i].global);
    w.u32(a.large_communities[i].local1);
    w.u32(a.large_communities[i].local2);
  }
}
bool get_summary(ByteReader& r, AttrSummary& a) {
  const uint8_t next_hops = r.u8();
  if (!r.ok() || next_hops == 0) return false;
  for (uint8_t i = 0; i < next_hops; ++i) {
    auto nh = get_address(r);
    if (!nh) return false;
    if (i == 0) a.next_hop = *nh;
    else a.other_next_hops.push_back(*nh);
  }
  const uint8_t origin = r.u8();
  if (origin <= 2) a.origin = static_cast<wire::Origin>(origin);
  else if (origin != 0xff) return false;
  const uint8_t segments = r.u8();
  for (uint8_t i = 0; i < segments && r.ok(); ++i) {
    wire::AsPathSegment s;
    const uint8_t type = r.u8();
    if (type < 1 || type > 4) return false;
    s.type = static_cast<wire::AsSegmentType>(type);
    const uint16_t n = r.u16();
    if (!r.has(4u * n)) return false;
    for (uint16_t k = 0; k < n; ++k) s.asns.push_back(r.u32());
    a.as_path.segments.push_back(std::move(s));
  }
  bool ok = true;
  a.local_pref = get_opt(r, ok);
  a.med = get_opt(r, ok);
  const uint16_t nc = r.u16();
  if (!r.has(4u * nc)) return false;
  for (uint16_t i = 0; i < nc; ++i) a.communities.push_back(r.u32());
  const uint16_t nl = r.u16();
  if (!r.has(12u * nl)) return false;
  for (uint16_t i = 0; i < nl; ++i) {
    wire::LargeCommunity c;
    c.global = r.u32();
    c.local1 = r.u32();
    c.local2 = r.u32();
    a.large_communities.push_back(c);
  }
  return ok && r.ok();
}

}  // namespace

std::string schema_value(uint32_t version) { return "petrel-store/" + std::to_string(version); }

std::optional<uint32_t> parse_schema_value(std::string_view value) {
  constexpr std::string_view head = "petrel-store/";
  if (!value.starts_with(head)) return std::nullopt;
  value.remove_prefix(head.size());
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return std::nullopt;
  return v;
}

std::string_view to_string(ChangeKind k) {
  switch (k) {
    case ChangeKind::announce: return "announce";
    case ChangeKind::replace: return "replace";
    case ChangeKind::withdraw: return "withdraw";
  }
  return "?";
}

AttrSummary summarize(const RouteAttrs& a) {
  AttrSummary s;
  s.next_hop = a.next_hop;
  s.origin = a.attrs.origin;
  if (a.attrs.as_path) s.as_path = *a.attrs.as_path;
  s.local_pref = a.attrs.local_pref;
  s.med = a.attrs.med;
  s.communities = a.attrs.communities;
  s.large_communities = a.attrs.large_communities;
  return s;
}

void add_next_hop(AttrSummary& a, const IpAddress& nh) {
  if (nh == a.next_hop) return;
  for (const IpAddress& o : a.other_next_hops)
    if (o == nh) return;
  a.other_next_hops.push_back(nh);
}

std::string describe(const AttrSummary& a) {
  std::string out = "via " + a.next_hop.to_string();
  for (const IpAddress& nh : a.other_next_hops) out += ", " + nh.to_string();
  out += " [";
  const std::string path = a.as_path.to_string();
  if (!path.empty()) out += "AS" + path + " ";
  out += !a.origin ? "?" : *a.origin == wire::Origin::igp ? "i" : *a.origin == wire::Origin::egp ? "e" : "?";
  out += "]";
  if (a.local_pref) out += " local-pref " + std::to_string(*a.local_pref);
  if (a.med) out += " med " + std::to_string(*a.med);
  if (!a.communities.empty()) {
    out += " communities";
    for (uint32_t c : a.communities) out += " (" + std::to_string(c >> 16) + "," + std::to_string(c & 0xffff) + ")";
  }
  if (!a.large_communities.empty()) {
    out += " large-communities";
    for (const auto& c : a.large_communities)
      out += " (" + std::to_string(c.global) + "," + std::to_string(c.local1) + "," + std::to_string(c.local2) + ")";
  }
  return out;
}

std::string prefix_key(const Prefix& p) {
  std::string k;
  k.reserve(18);
  k.push_back(p.is_v4() ? 4 : 6);
  k.push_back(static_cast<char>(p.length()));
  k.append(reinterpret_cast<const char*>(p.address().data()), 16);
  return k;
}

std::string journal_key(uint64_t seq) {
  std::string k(1, 'j');
  put_be64(k, seq);
  return k;
}

// A tag byte, then the prefix key (built in place: GCC 12 at -O3 warns about
// `"h" + std::string` with a false -Wrestrict).
std::string tagged_prefix_key(char tag, const Prefix& p) {
  std::string k;
  k.reserve(27);
  k.push_back(tag);
  k.append(prefix_key(p));
  return k;
}

std::string history_prefix(const Prefix& p) { return tagged_prefix_key('h', p); }

std::string history_key(const Prefix& p, uint64_t seq) {
  std::string k = history_prefix(p);
  put_be64(k, seq);
  return k;
}

std::string snapshot_key(const Prefix& p) { return tagged_prefix_key('s', p); }

Result<Prefix, std::string> decode_prefix_key(std::span<const uint8_t> b) {
  if (b.size() != 18) return fail<Prefix>("prefix key of " + std::to_string(b.size()) + " bytes (want 18)");
  // The family byte, then the 16 address bytes (the length byte sits between).
  std::array<uint8_t, 17> tmp{};
  tmp[0] = b[0];
  std::copy(b.begin() + 2, b.end(), tmp.begin() + 1);
  ByteReader tr(tmp);
  auto a = get_address(tr);
  if (!a) return fail<Prefix>("prefix key with a bad family or address");
  if (b[1] > a->max_prefix_length()) return fail<Prefix>("prefix key with length " + std::to_string(b[1]));
  const Prefix p = Prefix::make(*a, b[1]);
  if (p.address() != *a) return fail<Prefix>("prefix key with host bits set");
  return p;
}

Result<uint64_t, std::string> decode_seq(std::string_view key) {
  if (key.size() < 9) return fail<uint64_t>("key too short for a sequence number");
  return get_be64(reinterpret_cast<const uint8_t*>(key.data() + key.size() - 8));
}

Result<Prefix, std::string> decode_snapshot_key(std::string_view key) {
  if (key.empty() || key[0] != 's') return fail<Prefix>("not a snapshot key");
  return decode_prefix_key(as_bytes(key.substr(1)));
}

std::string encode_peer(const PeerRef& p) {
  std::vector<uint8_t> out;
  out.reserve(32 + p.name.size());
  ByteWriter w(out);
  put_peer(w, p);
  return to_string(out);
}

std::string encode_summary_attrs(const AttrSummary& a) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  put_summary_attrs(w, a);
  return to_string(out);
}

void append_summary_next_hops(std::string& out, std::span<const IpAddress> next_hops) {
  PETREL_CHECK(!next_hops.empty(), "a journal summary names at least the best's next hop");
  const std::size_t n = std::min<std::size_t>(next_hops.size(), 255);
  std::vector<uint8_t> bytes;
  ByteWriter w(bytes);
  w.u8(static_cast<uint8_t>(n));
  for (std::size_t i = 0; i < n; ++i) put_address(w, next_hops[i]);
  out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string encode_summary(const AttrSummary& a) {
  std::vector<IpAddress> next_hops{a.next_hop};
  next_hops.insert(next_hops.end(), a.other_next_hops.begin(), a.other_next_hops.end());
  std::string out;
  append_summary_next_hops(out, next_hops);
  return out + encode_summary_attrs(a);
}

void append_journal_value(std::string& out, int64_t time_ms, ChangeKind change, const Prefix& prefix,
                          std::string_view encoded_peer, std::string_view encoded_summary) {
  put_be64(out, static_cast<uint64_t>(time_ms));
  out.push_back(static_cast<char>(change));
  out.push_back(prefix.is_v4() ? 4 : 6);
  out.push_back(static_cast<char>(prefix.length()));
  out.append(reinterpret_cast<const char*>(prefix.address().data()), 16);
  out.append(encoded_peer);
  if (change != ChangeKind::withdraw) out.append(encoded_summary);
}

std::string encode_journal(const JournalEntry& e) {
  std::string out;
  append_journal_value(out, e.time_ms, e.change, e.prefix, encode_peer(e.peer),
                       e.change == ChangeKind::withdraw ? std::string() : encode_summary(e.attrs));
  return out;
}

Result<JournalEntry, std::string> decode_journal(std::string_view value, uint64_t seq) {
  ByteReader r(as_bytes(value));
  JournalEntry e;
  e.seq = seq;
  const uint64_t hi = r.u32();
  const uint64_t lo = r.u32();
  e.time_ms = static_cast<int64_t>((hi << 32) | lo);
  const uint8_t change = r.u8();
  if (!r.ok()) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": truncated header");
  if (change < 1 || change > 3) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": bad change kind " + std::to_string(change));
  e.change = static_cast<ChangeKind>(change);
  auto pk = r.bytes(18);
  if (!r.ok()) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": truncated prefix");
  auto p = decode_prefix_key(pk);
  if (!p) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": " + p.error());
  e.prefix = *p;
  auto peer = get_peer(r);
  if (!peer) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": bad peer");
  e.peer = std::move(*peer);
  if (e.change != ChangeKind::withdraw && !get_summary(r, e.attrs))
    return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": bad attributes");
  if (!r.empty()) return fail<JournalEntry>("journal entry " + std::to_string(seq) + ": trailing bytes");
  return e;
}

std::string encode_route_attrs(const RouteAttrs& a) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  put_address(w, a.next_hop);
  w.u8(a.link_local_next_hop ? 1 : 0);
  if (a.link_local_next_hop) put_address(w, *a.link_local_next_hop);
  // The path attributes as a whole BGP UPDATE without NLRI (4-octet AS), so the
  // codec that reads them from peers reads them back.
  const std::size_t start = wire::begin_message(out, wire::MessageType::update);
  w.u16(0);  // no withdrawn routes
  const std::size_t len_at = out.size();
  w.u16(0);
  wire::CodecContext ctx;
  ctx.four_octet_as = true;
  ctx.extended_message = true;
  // An originated blackhole's NEXT_HOP is 0.0.0.0, which the codec refuses from
  // a peer (RFC 4271 §6.3): left out here, restored from the next hop above.
  if (a.attrs.next_hop && a.attrs.next_hop->is_unspecified()) {
    wire::PathAttributes without = a.attrs;
    without.next_hop.reset();
    wire::encode_path_attributes(without, ctx, out);
  } else {
    wire::encode_path_attributes(a.attrs, ctx, out);
  }
  w.patch_u16(len_at, static_cast<uint16_t>(out.size() - len_at - 2));
  wire::finish_message(out, start);
  return to_string(out);
}

std::string encode_snapshot(const SnapshotRoute& r) {
  std::string v;
  const auto n = static_cast<uint32_t>(std::min<std::size_t>(r.paths.size(), kMaxSnapshotPaths));
  append_snapshot_head(v, r.selected, n);
  for (uint32_t i = 0; i < n; ++i)
    append_snapshot_path(v, r.paths[i].path_id, encode_peer(r.paths[i].peer), encode_route_attrs(r.paths[i].attrs));
  return v;
}

void append_snapshot_head(std::string& out, uint32_t selected, uint32_t paths) {
  out.push_back(static_cast<char>(std::min<uint32_t>(selected, 255)));
  put_be16(out, static_cast<uint16_t>(std::min(paths, kMaxSnapshotPaths)));
}

void append_snapshot_path(std::string& out, uint32_t path_id, std::string_view encoded_peer,
                          std::string_view encoded_attrs) {
  put_be32(out, path_id);
  out.append(encoded_peer);
  put_be32(out, static_cast<uint32_t>(encoded_attrs.size()));
  out.append(encoded_attrs);
}

namespace {

// encode_route_attrs() bytes back to RouteAttrs; empty: fine, otherwise why not.
std::string decode_route_attrs(std::span<const uint8_t> bytes, RouteAttrs& out) {
  ByteReader r(bytes);
  auto nh = get_address(r);
  if (!nh) return "bad next hop";
  out.next_hop = *nh;
  const uint8_t has_ll = r.u8();
  if (!r.ok()) return "truncated";
  if (has_ll > 1) return "bad link-local flag";
  if (has_ll) {
    auto ll = get_address(r);
    if (!ll) return "bad link-local next hop";
    out.link_local_next_hop = *ll;
  }
  if (!r.ok()) return "truncated";
  const std::span<const uint8_t> message(r.current(), r.remaining());
  wire::CodecContext ctx;
  ctx.four_octet_as = true;
  ctx.extended_message = true;
  auto u = wire::decode_update(message, ctx);
  if (!u) return "attributes: " + wire::to_string(u.error());
  if (u->action != wire::ErrorAction::none) return "attributes: " + wire::to_string(u->errors.front());
  out.attrs = u->attrs;
  if (!out.attrs.next_hop && out.next_hop.is_v4() && out.next_hop.is_unspecified())
    out.attrs.next_hop = out.next_hop;  // an originated blackhole (see encode_route_attrs)
  return {};
}

}  // namespace

Result<SnapshotRoute, std::string> decode_snapshot(const Prefix& prefix, std::string_view value) {
  const std::string where = "snapshot of " + prefix.to_string() + ": ";
  ByteReader r(as_bytes(value));
  SnapshotRoute s;
  s.prefix = prefix;
  s.selected = r.u8();
  const uint16_t count = r.u16();
  if (!r.ok()) return fail<SnapshotRoute>(where + "truncated head");
  if (count == 0) return fail<SnapshotRoute>(where + "no paths");
  if (s.selected > count) return fail<SnapshotRoute>(where + "selected " + std::to_string(s.selected) + " of " +
                                                     std::to_string(count) + " paths");
  s.paths.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    const std::string at = where + "path " + std::to_string(i + 1) + ": ";
    SnapshotPath p;
    p.path_id = r.u32();
    if (!r.ok()) return fail<SnapshotRoute>(at + "truncated");
    auto peer = get_peer(r);
    if (!peer) return fail<SnapshotRoute>(at + "bad peer");
    p.peer = std::move(*peer);
    const uint32_t len = r.u32();
    auto bytes = r.bytes(len);
    if (!r.ok()) return fail<SnapshotRoute>(at + "truncated attributes");
    if (auto why = decode_route_attrs(bytes, p.attrs); !why.empty()) return fail<SnapshotRoute>(at + why);
    s.paths.push_back(std::move(p));
  }
  if (!r.empty()) return fail<SnapshotRoute>(where + "trailing bytes");
  return s;
}


// ---- The set installed in the kernel

std::string kernel_key(const Prefix& p) { return tagged_prefix_key('k', p); }

Result<Prefix, std::string> decode_kernel_key(std::string_view key) {
  if (key.empty() || key[0] != 'k') return fail<Prefix>("not a kernel-set key");
  return decode_prefix_key(as_bytes(key.substr(1)));
}

std::string encode_kernel_route(const KernelRoute& r) {
  std::vector<uint8_t> out;
  out.reserve(6 + 23 * r.next_hops.size());
  ByteWriter w(out);
  w.u8(r.blackhole ? 1 : 0);
  w.u32(r.metric);
  const std::size_t n = r.blackhole ? 0 : std::min<std::size_t>(r.next_hops.size(), 255);
  w.u8(static_cast<uint8_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    put_address(w, r.next_hops[i].gateway);
    w.u32(r.next_hops[i].ifindex);
    w.u16(r.next_hops[i].weight);
  }
  return to_string(out);
}

Result<KernelRoute, std::string> decode_kernel_route(const Prefix& prefix, std::string_view value) {
  const std::string where = "kernel route " + prefix.to_string() + ": ";
  ByteReader r(as_bytes(value));
  KernelRoute k;
  k.prefix = prefix;
  const uint8_t flags = r.u8();
  k.metric = r.u32();
  const uint8_t n = r.u8();
  if (!r.ok()) return fail<KernelRoute>(where + "truncated head");
  if (flags > 1) return fail<KernelRoute>(where + "unknown flags " + std::to_string(flags));
  k.blackhole = flags & 1;
  if (k.blackhole && n > 0) return fail<KernelRoute>(where + "a blackhole with next hops");
  if (!k.blackhole && n == 0) return fail<KernelRoute>(where + "neither a blackhole nor next hops");
  for (uint8_t i = 0; i < n; ++i) {
    KernelNextHop h;
    auto a = get_address(r);
    if (!a) return fail<KernelRoute>(where + "next hop " + std::to_string(i + 1) + ": bad or truncated address");
    h.gateway = *a;
    h.ifindex = r.u32();
    h.weight = r.u16();
    if (!r.ok()) return fail<KernelRoute>(where + "next hop " + std::to_string(i + 1) + ": truncated");
    k.next_hops.push_back(h);
  }
  if (!r.empty()) return fail<KernelRoute>(where + "trailing bytes");
  return k;
}

// ---- Peers' graceful-restart state

std::string peer_state_key(std::string_view name) {
  std::string k(1, 'g');
  k.append(name.substr(0, 255));
  return k;
}

Result<std::string, std::string> decode_peer_state_key(std::string_view key) {
  if (key.empty() || key[0] != 'g') return fail<std::string>("not a peer-state key");
  if (key.size() == 1 || key.size() > 256) return fail<std::string>("peer-state key with a name of " +
                                                                   std::to_string(key.size() - 1) + " bytes");
  return Result<std::string, std::string>(boost::system::in_place_value, std::string(key.substr(1)));
}

std::string encode_peer_state(const PeerRestartState& s) {
  std::vector<uint8_t> out;
  out.reserve(40);
  ByteWriter w(out);
  w.u8((s.established ? 1 : 0) | (s.graceful_restart ? 2 : 0));
  put_address(w, s.address);
  w.u16(s.restart_time);
  for (std::size_t f = 0; f < 2; ++f) {
    w.u8((s.families[f] ? 1 : 0) | (s.forwarding_preserved[f] ? 2 : 0) | (s.llgr_stale_time[f] ? 4 : 0));
    w.u32(s.llgr_stale_time[f].value_or(0));
  }
  std::string v = to_string(out);
  put_be64(v, static_cast<uint64_t>(s.time_ms));
  return v;
}

Result<PeerRestartState, std::string> decode_peer_state(std::string_view name, std::string_view value) {
  const std::string where = "graceful-restart state of peer " + std::string(name) + ": ";
  ByteReader r(as_bytes(value));
  PeerRestartState s;
  s.name = std::string(name);
  const uint8_t flags = r.u8();
  if (!r.ok()) return fail<PeerRestartState>(where + "empty");
  if (flags > 3) return fail<PeerRestartState>(where + "unknown flags " + std::to_string(flags));
  s.established = flags & 1;
  s.graceful_restart = flags & 2;
  auto a = get_address(r);
  if (!a) return fail<PeerRestartState>(where + "bad or truncated address");
  s.address = *a;
  s.restart_time = r.u16();
  for (std::size_t f = 0; f < 2; ++f) {
    const uint8_t ff = r.u8();
    const uint32_t llst = r.u32();
    if (!r.ok()) return fail<PeerRestartState>(where + "truncated family " + std::to_string(f + 1));
    if (ff > 7) return fail<PeerRestartState>(where + "unknown family flags " + std::to_string(ff));
    s.families[f] = ff & 1;
    s.forwarding_preserved[f] = ff & 2;
    if (ff & 4) s.llgr_stale_time[f] = llst;
  }
  auto t = r.bytes(8);
  if (!r.ok()) return fail<PeerRestartState>(where + "truncated time");
  s.time_ms = static_cast<int64_t>(get_be64(t.data()));
  if (!r.empty()) return fail<PeerRestartState>(where + "trailing bytes");
  return s;
}

std::string encode_draining(int64_t since_ms) { return std::to_string(since_ms); }

Result<int64_t, std::string> decode_draining(std::string_view value) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || v < 0)
    return fail<int64_t>("drain state: '" + std::string(value.substr(0, 40)) + "' is not a time");
  return v;
}

}  // namespace petrel::rib::store
