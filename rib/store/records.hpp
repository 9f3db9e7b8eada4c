// rib/store/records.hpp — the store's schema: what the RocksDB store keeps and
// how its keys and values are laid out, as pure functions (bytes in, values or a
// precise error out; no RocksDB here).
//
//   "\0schema"                 -> "petrel-store/<kSchemaVersion>"   (a mismatch: cold start)
//   'j' seq(be64)              -> JournalEntry           (route history, oldest first)
//   'h' prefix-key seq(be64)   -> ""                     (history index by prefix)
//   's' prefix-key             -> SnapshotRoute          (every path of a prefix, best first: schema 2)
//   'k' prefix-key             -> KernelRoute            (what the kernel confirmed installed: schema 3)
//   "\0kernel-state"           -> "complete" | "incomplete" (absent: never recorded)
//   'g' peer name              -> PeerRestartState       (a peer's graceful-restart state: schema 3)
//   "\0draining"               -> Unix ms, decimal       (present while the operator's drain is on)
//
// A prefix key is family (4|6), length, then the 16 address bytes, so that the
// index groups a prefix's entries and sorts them by sequence (time) order.
// Values are versioned by the schema key only; decoding checks every length.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/wire/path_attributes.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"
#include "rib/attr_store.hpp"

namespace petrel::rib::store {

// 1: the snapshot kept each prefix's best path only. 2: every path (each
// peer's accepted routes), best first, with the size of the ECMP set. 3: also
// the set installed in the kernel ('k') and each peer's graceful-restart state ('g').
inline constexpr uint32_t kSchemaVersion = 3;
inline constexpr std::string_view kSchemaKey{"\0schema", 7};
std::string schema_value(uint32_t version = kSchemaVersion);
// The version a schema value names, or nothing when it is not one of ours.
std::optional<uint32_t> parse_schema_value(std::string_view value);

// What a best-path change did to a prefix.
enum class ChangeKind : uint8_t { announce = 1, replace = 2, withdraw = 3 };
std::string_view to_string(ChangeKind k);

// The peer a best path came from ("static" with an unspecified address for our own).
struct PeerRef {
  std::string name;
  IpAddress address;
  uint32_t as = 0;
  uint32_t router_id = 0;
  friend bool operator==(const PeerRef&, const PeerRef&) = default;
};

// What the journal keeps of a change's selected paths: the best path's
// attributes, and the next hops of the whole ECMP set (best first), so that a
// second next hop joining or leaving behind the same best shows.
struct AttrSummary {
  IpAddress next_hop;                      // the best path's
  std::vector<IpAddress> other_next_hops;  // the rest of the ECMP set's, in selection order, distinct, not next_hop
  std::optional<bgp::wire::Origin> origin;
  bgp::wire::AsPath as_path;
  std::optional<uint32_t> local_pref;
  std::optional<uint32_t> med;
  std::vector<uint32_t> communities;
  std::vector<bgp::wire::LargeCommunity> large_communities;
  friend bool operator==(const AttrSummary&, const AttrSummary&) = default;
};
// The best path's attributes alone (no other next hop).
AttrSummary summarize(const RouteAttrs& a);
// Adds `nh` to the ECMP set's next hops unless it is one already.
void add_next_hop(AttrSummary& a, const IpAddress& nh);
// One line: "via 10.0.0.1 [AS65001 65002 i] local-pref 100 med 5 communities (65001,1)";
// an ECMP set of several next hops: "via 10.0.0.1, 10.0.0.2 [...]".
std::string describe(const AttrSummary& a);

struct JournalEntry {
  uint64_t seq = 0;       // assigned by the store, increasing
  int64_t time_ms = 0;    // Unix time of the decision, milliseconds
  Prefix prefix;
  ChangeKind change = ChangeKind::announce;
  PeerRef peer;           // the new best's peer; for a withdraw, the last best's
  AttrSummary attrs;      // empty for a withdraw
  friend bool operator==(const JournalEntry&, const JournalEntry&) = default;
};

// One path of a prefix as the snapshot keeps it: the peer it came from (after
// import policy: the Adj-RIB-In as the RIB holds it), its ADD-PATH id, and its
// full attributes.
struct SnapshotPath {
  PeerRef peer;
  uint32_t path_id = 0;
  RouteAttrs attrs;
  friend bool operator==(const SnapshotPath&, const SnapshotPath&) = default;
};

// Every path of a prefix, best first, as the store keeps it for a warm restart;
// the first `selected` were the ECMP set (0: none was usable).
struct SnapshotRoute {
  Prefix prefix;
  uint32_t selected = 0;
  std::vector<SnapshotPath> paths;
  friend bool operator==(const SnapshotRoute&, const SnapshotRoute&) = default;
};

// Keys.
std::string prefix_key(const Prefix& p);               // 18 bytes
std::string journal_key(uint64_t seq);                 // 'j' + be64
std::string history_key(const Prefix& p, uint64_t seq);
std::string history_prefix(const Prefix& p);           // the index keys of one prefix start so
std::string snapshot_key(const Prefix& p);
Result<Prefix, std::string> decode_prefix_key(std::span<const uint8_t> bytes);
// The sequence number of a journal or history key.
Result<uint64_t, std::string> decode_seq(std::string_view key);
// The prefix of a snapshot key.
Result<Prefix, std::string> decode_snapshot_key(std::string_view key);

// Values. A journal value is head (time, change, prefix), peer, then (not for a
// withdraw) the summary: the next-hop count (u8, 1..255) and the next hops
// (best first), then the best path's attributes (encode_summary_attrs()). The
// peer and the attributes are encoded once per batch by the store, the next
// hops per entry.
std::string encode_peer(const PeerRef& p);
std::string encode_summary(const AttrSummary& a);
// The summary after its next hops: ORIGIN, AS path, LOCAL_PREF, MED, communities.
std::string encode_summary_attrs(const AttrSummary& a);
// The next-hop part of a summary: `next_hops` best first (at most 255 kept, at least one).
void append_summary_next_hops(std::string& out, std::span<const IpAddress> next_hops);
void append_journal_value(std::string& out, int64_t time_ms, ChangeKind change, const Prefix& prefix,
                          std::string_view encoded_peer, std::string_view encoded_summary);
std::string encode_journal(const JournalEntry& e);
Result<JournalEntry, std::string> decode_journal(std::string_view value, uint64_t seq);
// A snapshot value (schema 2) is: selected (u8), path count (u16), then per
// path: ADD-PATH id (u32), the peer (encode_peer()), the attributes' length
// (u32) and encode_route_attrs() of them. The store appends the parts, encoded
// once per peer and attribute set in a batch.
std::string encode_snapshot(const SnapshotRoute& r);
void append_snapshot_head(std::string& out, uint32_t selected, uint32_t paths);
void append_snapshot_path(std::string& out, uint32_t path_id, std::string_view encoded_peer,
                          std::string_view encoded_attrs);
// Paths per prefix a snapshot value holds at most (the u16 count).
inline constexpr uint32_t kMaxSnapshotPaths = 65535;
std::string encode_route_attrs(const RouteAttrs& a);
Result<SnapshotRoute, std::string> decode_snapshot(const Prefix& prefix, std::string_view value);

// ---- The set installed in the kernel (schema 3)
// One route as the kernel acknowledged it (the FIB writer's confirmation): a
// blackhole, or next hops (gateway, interface index, ECMP weight), at a metric.
struct KernelNextHop {
  IpAddress gateway;
  uint32_t ifindex = 0;
  uint16_t weight = 1;
  friend bool operator==(const KernelNextHop&, const KernelNextHop&) = default;
};
struct KernelRoute {
  Prefix prefix;
  bool blackhole = false;
  uint32_t metric = 0;  // the effective metric (the kernel key)
  std::vector<KernelNextHop> next_hops;
  friend bool operator==(const KernelRoute&, const KernelRoute&) = default;
};
// Key: 'k' + prefix key. Value: flags (u8, bit 0 blackhole; other bits zero),
// metric (u32), next-hop count (u8), then per next hop: family (u8, 4|6), 16
// address bytes, ifindex (u32), weight (u16). At most 255 next hops.
inline constexpr std::string_view kKernelStateKey{"\0kernel-state", 13};
std::string kernel_key(const Prefix& p);
Result<Prefix, std::string> decode_kernel_key(std::string_view key);
std::string encode_kernel_route(const KernelRoute& r);
Result<KernelRoute, std::string> decode_kernel_route(const Prefix& prefix, std::string_view value);

// ---- The operator's drain (RFC 8326), kept across a restart
// Present from `drain` until `drain stop`; the value is when the drain began
// (Unix ms, decimal text). An additive key of schema 3: a reader that does not
// know it never reads it (every read is by its own key or key prefix), so no
// version bump.
inline constexpr std::string_view kDrainingKey{"\0draining", 9};
std::string encode_draining(int64_t since_ms);
// The time a drain value names, or an error naming the bad value.
Result<int64_t, std::string> decode_draining(std::string_view value);

// ---- Peers' graceful-restart state (schema 3)
// What a peer's session negotiated about graceful restart (RFC 4724, RFC 9494)
// the last time its state changed, and whether it was Established then. A
// planned stop of petreld leaves it as it was (the sessions were up).
struct PeerRestartState {
  std::string name;
  IpAddress address;
  bool established = false;
  bool graceful_restart = false;          // both sides announced the capability
  uint16_t restart_time = 0;              // the peer's, seconds
  std::array<bool, 2> families{};         // per family (IPv4, IPv6 unicast): GR negotiated for it
  std::array<bool, 2> forwarding_preserved{};  // the peer's F bit per family
  std::array<std::optional<uint32_t>, 2> llgr_stale_time{};  // RFC 9494, per family
  int64_t time_ms = 0;                    // when it was recorded (Unix ms)
  friend bool operator==(const PeerRestartState&, const PeerRestartState&) = default;
};
// Key: 'g' + the peer's name (1..255 bytes). Value: flags (u8: bit 0
// established, bit 1 graceful restart; other bits zero), address (family u8,
// 16 bytes), restart time (u16), per family IPv4 then IPv6: flags (u8: bit 0
// negotiated, bit 1 F, bit 2 LLGR present) and the LLGR stale time (u32), then
// time (i64 big-endian).
std::string peer_state_key(std::string_view name);
Result<std::string, std::string> decode_peer_state_key(std::string_view key);
std::string encode_peer_state(const PeerRestartState& s);
Result<PeerRestartState, std::string> decode_peer_state(std::string_view name, std::string_view value);

}  // namespace petrel::rib::store
