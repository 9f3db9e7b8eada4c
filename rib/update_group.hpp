// rib/update_group.hpp — the Adj-RIB-Out, kept per update group: peers whose
// UPDATEs would be byte-for-byte the same share one export and one encoding.
//
// A group is defined by its GroupKey: everything the bytes depend on (the export
// context of each negotiated family, the codec bits that change the encoding,
// the export policy's identity, the MRAI). For each batch of RouteChanges from
// Rib::decide(), each group runs export_route() once per changed prefix (memoised
// per (attribute set, source peer) within the batch), diffs the result against
// its Adj-RIB-Out (prefix -> exported AttrId), buckets the differences by
// attribute set and packs them: the UPDATE bytes are built once and the same
// immutable buffer (a shared_ptr) is queued to every member.
//
// Split horizon without per-member encoding: the Adj-RIB-Out remembers the peer
// each advertised prefix came from. A member never holds the prefixes whose
// source is itself, so each change goes to one of three audiences — every member;
// every member but one (the source); or one member alone (the source that must
// now withdraw it, or a former source that must now be sent it) — and each
// audience gets one buffer per batch, shared by all its members. A batch thus
// encodes every prefix once (twice at most: the one-member withdrawal that goes
// with a move of the best path onto that member) and produces one buffer for
// everybody, plus one per member that is the source of a changed prefix, plus
// one per member that must be told something alone.
//
// Interning: exported sets are interned in the Rib's AttrStore. One id space
// makes "unchanged export" an integer compare, an iBGP export that only keeps
// the path (LOCAL_PREF already present, next hop kept) costs no memory at all,
// and groups exporting the same set share it. The price: UpdateGroups holds
// references in the Rib's store, so it must be destroyed before the Rib (its
// destructor releases them) and runs on the RIB's thread.
//
// Output and backpressure: each member has a FIFO of shared buffers. The session
// pops buffers while its socket's write queue is below its high-water mark and
// stops above it; a slow member's queue here grows (one pointer per buffer, the
// bytes are shared) and never stalls the group or the other members.
// pending_bytes() is what a session reports as its backlog. There is no limit
// here yet: a member whose backlog grows without bound is the session's to reset.
//
// MRAI (RFC 4271 §9.2.1.1): with a non-zero interval, a group that sent within
// the last interval holds further changes (the latest state per prefix wins,
// withdrawals included) until flush(now) is called at or after its deadline.
// Nothing here reads a clock or owns a timer: the caller passes `now` and asks
// next_deadline().
//
// Drain (RFC 8326, rib/graceful_shutdown.hpp): while set_draining(true, …)
// holds, every route exported to any group carries GRACEFUL_SHUTDOWN and, to
// internal peers, LOCAL_PREF 0 (applied after the export rules and the export
// policy, so a policy cannot take it away), and the locally originated
// prefixes the `withhold` predicate names (service IPs) are withdrawn. Turning
// it on or off re-exports through reevaluate(): only the differences are sent,
// no session is reset, and turning it off sends back exactly what was
// advertised before (the same attribute values).
//
// No errors are returned: a set too large to carry even one prefix in a message
// (attributes that fit a peer with Extended Message, sent to one without) is
// withdrawn instead and counted in encode_failures().
// Single-threaded: the RIB's thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bgp/wire/codec_context.hpp"
#include "core/clock.hpp"
#include "rib/export_rules.hpp"
#include "rib/rib.hpp"

namespace petrel::rib {

// Encoded UPDATEs (whole messages back to back), shared by every member they go to.
using OutBuffer = std::shared_ptr<const std::vector<uint8_t>>;

// What a member negotiated and is configured with, as far as export goes.
struct MemberConfig {
  // The export context of each family the session negotiated (our local address
  // differs by family); absent = the family is not negotiated.
  std::array<std::optional<ExportPeer>, bgp::wire::kFamilyCount> families;
  bgp::wire::CodecContext codec;
  // Opaque identity of the peer's export policy (0 = none): members with
  // different policies never share a group. The policy itself is not run here.
  uint32_t export_policy = 0;
  Duration mrai{};  // minimum route advertisement interval; zero = every batch
};

// Peers with equal keys join the same group.
struct GroupKey {
  std::array<std::optional<ExportPeer>, bgp::wire::kFamilyCount> families;
  // The CodecContext bits that change the bytes we send (the receive-side ones,
  // add_path_receive and external_peer, do not).
  bool four_octet_as = true;
  bool extended_message = false;
  std::array<bool, bgp::wire::kFamilyCount> add_path_send{};
  bool ipv4_with_ipv6_next_hop = false;
  uint32_t export_policy = 0;
  Duration mrai{};
};
bool operator==(const GroupKey& a, const GroupKey& b);

GroupKey group_key(const MemberConfig& config);

// Without ADD-PATH send the best path alone is advertised; the group records it
// under this id. With ADD-PATH send (RFC 7911) each path of the selection (the
// ECMP set) gets its own id, the lowest free one for the prefix, kept while the
// path stays selected.
inline constexpr uint32_t kAdvertisedPathId = 1;

// One path the Adj-RIB-Out holds for a member.
struct AdvertisedPath {
  uint32_t path_id = kAdvertisedPathId;
  AttrId attrs = kNoAttrs;
};

class UpdateGroup;  // update_group.cpp

class UpdateGroups {
 public:
  UpdateGroups(Rib& rib, const LocalSpeaker& me);
  ~UpdateGroups();  // releases its references in the Rib's AttrStore
  UpdateGroups(const UpdateGroups&) = delete;
  UpdateGroups& operator=(const UpdateGroups&) = delete;

  // Whether routes learned from `peer` count as learned from a route-reflector
  // client (RFC 4456 §6). add_member() sets it from the member's ExportPeer too.
  // Export policy, run after the protocol's own rules (export_route) on each
  // route of a group whose export_policy id is not 0; it may rewrite the
  // attributes, and false means "do not advertise". Set before members join.
  using ExportPolicy = std::function<bool(uint32_t policy_id, const Prefix&, RouteAttrs&)>;
  void set_export_policy(ExportPolicy policy) { export_policy_ = std::move(policy); }

  void set_rr_client(PeerId peer, bool client);

  // `peer` became Established: it joins the group of its key (created, and filled
  // by exporting the Rib's current selections, if there is none) and its queue
  // gets the group's Adj-RIB-Out (minus its own routes) followed by an
  // End-of-RIB for each negotiated family (RFC 4724 §2). A member already in a
  // group leaves it first.
  void add_member(PeerId peer, const MemberConfig& config);
  // `peer` went down: it leaves its group (freed with its last member) and its
  // queue is dropped.
  void remove_member(PeerId peer);
  // An Established member's settings changed (export policy, route-reflector
  // client, next-hop mode, …) without a session reset: it moves to the group of
  // its new key and is sent the difference — the new group's routes, then
  // withdrawals of what it held from the old group and the new one lacks.
  void change_member(PeerId peer, const MemberConfig& config);

  // Route refresh in (RFC 2918 §4, RFC 7313 §4): the member asked for `family`
  // again; its queue gets the group's Adj-RIB-Out of that family, bracketed by
  // Beginning- and End-of-Route-Refresh when `enhanced` was negotiated.
  void resend(PeerId member, bgp::wire::Family family, bool enhanced);
  // An export policy changed, or route-reflector client flags did: every group
  // whose export policy id is `policy_id` (0: every group) exports the Rib's
  // selections again and sends only what differs from its Adj-RIB-Out.
  void reevaluate(uint32_t policy_id = 0);

  // Drain on or off (see the header comment): sent at once to every group,
  // like reevaluate(). `withhold_local(prefix)`: true for a locally originated
  // prefix that must not be advertised while draining; empty: none.
  using Withhold = std::function<bool(const Prefix&)>;
  void set_draining(bool on, Withhold withhold_local = {});
  bool draining() const { return draining_; }

  // One batch from Rib::decide(), passed before the RIB changes again: the
  // AttrIds in `changes` must still be live.
  void process(std::span<const RouteChange> changes, TimePoint now);
  // Sends what groups held back for MRAI whose deadline is at or before `now`.
  void flush(TimePoint now);
  // The earliest deadline of held-back changes: when to call flush() next.
  std::optional<TimePoint> next_deadline() const;

  // The member's output queue, oldest first.
  std::size_t pending_bytes(PeerId member) const;
  std::size_t pending_buffers(PeerId member) const;
  OutBuffer pop(PeerId member);  // null when empty
  std::vector<OutBuffer> drain(PeerId member);

  // Inspection (tests, `petrelc show`).
  std::size_t group_count() const { return groups_.size(); }
  // The id of the member's group; 0 when `peer` is not a member.
  uint32_t group_of(PeerId peer) const;
  // What the member has been sent for `prefix` (the exported set of its first
  // path), or kNoAttrs.
  AttrId advertised(PeerId member, const Prefix& prefix) const;
  // Every path the member has been sent for `prefix`, with its path id.
  std::vector<AdvertisedPath> advertised_paths(PeerId member, const Prefix& prefix) const;
  // Prefixes the member has been sent.
  std::size_t advertised_count(PeerId member) const;
  std::size_t encode_failures() const { return encode_failures_; }

 private:
  struct Member {
    UpdateGroup* group = nullptr;
    std::deque<OutBuffer> queue;
    std::size_t bytes = 0;
  };

  bool rr_client(PeerId peer) const { return peer < rr_client_.size() && rr_client_[peer]; }
  Member* member(PeerId peer);
  const Member* member(PeerId peer) const;
  void push(PeerId peer, OutBuffer buffer);
  // The exported set of one selected path for the group (one reference), or
  // kNoAttrs when the export rules or policy refuse it.
  AttrId export_path(UpdateGroup& g, const Prefix& prefix, const SelectedPath& path);
  // Records the group's wanted state for `prefix` (the latest wins).
  void stage(UpdateGroup& g, const Prefix& prefix, std::span<const SelectedPath> selected);
  // Diffs the staged state against the Adj-RIB-Out, encodes and queues it.
  void send_staged(UpdateGroup& g, TimePoint now);
  // Queues the group's Adj-RIB-Out (minus the member's own routes) to `peer`.
  void send_table(UpdateGroup& g, PeerId peer, bool end_of_rib);
  UpdateGroup& join(PeerId peer, const MemberConfig& config);
  void clear_memo(UpdateGroup& g);
  void free_group(UpdateGroup& g);

  Rib& rib_;
  LocalSpeaker me_;
  std::vector<std::unique_ptr<UpdateGroup>> groups_;
  std::vector<Member> members_;  // by PeerId
  std::vector<bool> rr_client_;  // by PeerId
  uint32_t next_group_id_ = 1;
  ExportPolicy export_policy_;
  bool draining_ = false;
  Withhold withhold_local_;
  std::size_t encode_failures_ = 0;
};

}  // namespace petrel::rib
