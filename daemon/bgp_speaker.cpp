// daemon/bgp_speaker.cpp — see bgp_speaker.hpp.
#include "daemon/bgp_speaker.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "bgp/session/listener.hpp"
#include "bgp/session/session.hpp"
#include "bgp/session/tcp_transport.hpp"
#include "bgp/wire/route_refresh.hpp"
#include "daemon/config_diff.hpp"
#include "rib/adj_rib_in.hpp"
#include "rib/policy.hpp"
#include "rib/selection_deferral.hpp"

namespace petrel::daemon {

namespace asio = boost::asio;
namespace wire = bgp::wire;
namespace fsm = bgp::fsm;
namespace session = bgp::session;

namespace {

// Export policy ids of the update groups: none, everything, or 2 + i for the
// i-th named policy (stable per name across reloads).
constexpr uint32_t kExportNothing = 0;
constexpr uint32_t kExportAll = 1;

// The connected subnet that holds `local` (getifaddrs): the peer's next hops
// inside it are reachable by the peer directly (third-party next hop).
std::optional<Prefix> connected_subnet(const IpAddress& local) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return std::nullopt;
  std::optional<Prefix> found;
  for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || !i->ifa_netmask) continue;
    if (i->ifa_addr->sa_family == AF_INET && local.is_v4()) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      const auto* m = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask);
      if (IpAddress::v4(ntohl(a->sin_addr.s_addr)) != local) continue;
      const int len = __builtin_popcount(ntohl(m->sin_addr.s_addr));
      found = Prefix::make(local, static_cast<uint8_t>(len));
    } else if (i->ifa_addr->sa_family == AF_INET6 && !local.is_v4()) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      const auto* m = reinterpret_cast<const sockaddr_in6*>(i->ifa_netmask);
      std::array<uint8_t, 16> bytes;
      std::copy(std::begin(a->sin6_addr.s6_addr), std::end(a->sin6_addr.s6_addr), bytes.begin());
      if (IpAddress::v6(bytes) != local) continue;
      int len = 0;
      for (uint8_t b : m->sin6_addr.s6_addr) len += __builtin_popcount(b);
      found = Prefix::make(local, static_cast<uint8_t>(len));
    }
  }
  freeifaddrs(list);
  return found;
}

rib::MaxPrefix::Action to_rib(LimitAction a) {
  switch (a) {
    case LimitAction::warn: return rib::MaxPrefix::Action::warn;
    case LimitAction::block: return rib::MaxPrefix::Action::block;
    case LimitAction::restart: return rib::MaxPrefix::Action::restart;
  }
  return rib::MaxPrefix::Action::warn;
}

rib::NextHopMode to_rib(NextHopConfig n) {
  switch (n) {
    case NextHopConfig::automatic: return rib::NextHopMode::automatic;
    case NextHopConfig::self: return rib::NextHopMode::self;
    case NextHopConfig::keep: return rib::NextHopMode::keep;
    case NextHopConfig::address: return rib::NextHopMode::explicit_address;
  }
  return rib::NextHopMode::automatic;
}

fsm::RemoteAs remote_as(const PeerConfig& pc) {
  switch (pc.remote_as_kind) {
    case RemoteAsKind::internal: return fsm::RemoteAs::internal();
    case RemoteAsKind::external: return fsm::RemoteAs::external();
    case RemoteAsKind::exact: break;
  }
  return fsm::RemoteAs::exact_as(pc.remote_as);
}

}  // namespace

struct BgpSpeaker::Net {
  explicit Net(asio::io_context& io) : listener(io.get_executor(), table) {}
  session::PeerTable table;
  session::Listener listener;
};

struct BgpSpeaker::Deferral {
  Deferral(asio::io_context& io, TimePoint deadline) : state(deadline), timer(io) {}
  rib::SelectionDeferral state;
  asio::steady_timer timer;
  std::vector<Peer*> members;  // established while deferring: their tables wait
};

// One configured peer: its session, and what it is in the RIB while established.
struct BgpSpeaker::Peer : session::SessionObserver {
  Peer(BgpSpeaker& s, PeerConfig c) : speaker(s), cfg(std::move(c)), gr_timer(s.io_) {}

  void on_state_change(fsm::State from, fsm::State to, std::string_view reason) override;
  void on_established(const fsm::Negotiated& n) override;
  void on_down(std::string_view reason) override;
  void on_update(const wire::Update& u) override;
  void on_writable() override { speaker.drain(*this); }
  void on_route_refresh(const wire::RouteRefreshMessage& m) override;
  void on_bfd(const bfd::SessionView& v, const bfd::Transition& t);
  void on_notification(bool sent, const wire::NotificationMessage& n) override {
    last_notification = n;
    last_notification_sent = sent;
    speaker.note(fmt::format("peer {} {} {}/{} {}", cfg.name, sent ? "notification-sent" : "notification-received",
                             int(n.code), int(n.subcode), wire::describe_code(n.code, n.subcode)));
  }

  bool keeps_routes_through_restart() const;
  wire::NotificationMessage deconfigured_notification() const;
  void sweep(const char* why);
  void expire_stale(const char* why);
  void forget_rib();

  BgpSpeaker& speaker;
  PeerConfig cfg;
  std::string range_of;  // a dynamic neighbour: the name of its range's configuration
  session::TcpPeerOptions options;
  std::unique_ptr<session::Session> session;
  bool enabled = true;
  fsm::State state = fsm::State::idle;
  std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
  std::string last_reason;
  std::optional<rib::PeerId> rib_id;
  rib::ImportSettings import;
  rib::ImportState import_state;
  std::optional<fsm::Negotiated> negotiated;
  std::optional<IpAddress> local_address;
  std::unique_ptr<rib::AdjRibIn> received;  // soft reconfiguration
  // Graceful restart, receiving speaker (RFC 4724 §4.2, RFC 8538, RFC 9494).
  std::optional<fsm::PeerGracefulRestart> peer_gr;
  std::optional<wire::NotificationMessage> last_notification;
  bool last_notification_sent = false;
  bool awaiting_end_of_rib = false;
  bool stale = false;
  asio::steady_timer gr_timer;
  bool bfd_attached = false;  // a BFD session to its address runs in bfd_
  // After a restart: selection waits for its End-of-RIB (daemon/restart_peers.hpp).
  bool waited_at_restart = false;
  std::string restart_wait_reason;
};

// ---------------------------------------------------------------- construction

BgpSpeaker::BgpSpeaker(asio::io_context& io, const Config& config, ChangeSink sink, bool restarting,
                       std::array<bool, 2> forwarding_preserved, rib::NextHopResolver* resolver)
    : io_(io), config_(config), sink_(std::move(sink)), restarting_(restarting),
      forwarding_preserved_(forwarding_preserved) {
  rib::BestPathOptions o;
  o.max_paths = config_.max_paths;
  o.multipath_relax = config_.multipath_relax;
  o.always_compare_med = config_.always_compare_med;
  rib_ = std::make_unique<rib::Rib>(o, resolver);
  const uint32_t cluster = config_.cluster_id.value_or(config_.router_id);
  groups_ = std::make_unique<rib::UpdateGroups>(*rib_, rib::LocalSpeaker{config_.local_as, config_.router_id, cluster, 100});
  groups_->set_export_policy([this](uint32_t id, const Prefix& prefix, rib::RouteAttrs& attrs) {
    if (id < 2 || id - 2 >= export_policy_names_.size()) return id == kExportAll;
    const rib::Policy* policy = config_.policies.find(export_policy_names_[id - 2]);
    if (!policy) return false;
    const rib::PolicyContext ctx{"", {}, config_.local_as, std::nullopt};
    return rib::evaluate(*policy, prefix, attrs, ctx) == rib::Verdict::accept;
  });
  net_ = std::make_unique<Net>(io_);
  // BFD's own thread: its listeners are posted back to this one.
  bfd_ = std::make_unique<bfd::ServiceThread>(io_.get_executor());
  if (restarting_) {
    const auto seconds = std::chrono::seconds(config_.selection_deferral.value_or(120));
    deferral_ = std::make_unique<Deferral>(io_, clock_.now() + seconds);
    deferring_ = true;
    deferral_->timer.expires_after(seconds);
    deferral_->timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) schedule_decision();
    });
  }
  for (const PeerConfig& pc : config_.peers) add_peer(pc);
  originate(config_.originate);
}

BgpSpeaker::~BgpSpeaker() {
  peers_.clear();
  groups_.reset();
}

Result<void, std::string> BgpSpeaker::listen() {
  for (const ListenAddress& l : config_.listen)
    if (auto r = net_->listener.listen({session::to_asio(l.address), l.port}); !r)
      return Result<void, std::string>(boost::system::in_place_error,
                                       "listen " + l.address.to_string() + " port " + std::to_string(l.port) + ": " +
                                           r.error().message);
  return {};
}

void BgpSpeaker::start() {
  for (auto& p : peers_)
    if (p->enabled) start_peer(*p);
  schedule_decision();
}

void BgpSpeaker::start_peer(Peer& p) {
  p.session->start();
  bfd_attach(p);
}

// A peer with `bfd:` gets a BFD session to its address while it is started:
// single hop, or multihop (RFC 5883) when the BGP session is multihop. Its
// local address is the configured one, else the kernel's choice of source.
void BgpSpeaker::bfd_attach(Peer& p) {
  if (!p.cfg.bfd || !p.cfg.address) return;
  bfd::SessionRequest r;
  r.peer = *p.cfg.address;
  r.local = p.cfg.local_address;
  r.multihop = p.cfg.multihop > 1;
  r.settings.desired_min_tx = std::chrono::milliseconds(p.cfg.bfd->interval_ms);
  r.settings.required_min_rx = std::chrono::milliseconds(p.cfg.bfd->interval_ms);
  r.settings.detect_mult = p.cfg.bfd->multiplier;
  // BFD runs inside petreld, beside BGP: it does not survive our control plane,
  // so the C bit stays clear (RFC 5880 §4.1).
  r.settings.control_plane_independent = false;
  const std::string name = p.cfg.name;
  auto added = bfd_->add(r, [this, name](const bfd::SessionView& v, const bfd::Transition& t) {
    if (Peer* peer = find(name)) peer->on_bfd(v, t);
  });
  if (!added) {
    note(fmt::format("peer {} BFD session not started: {}", name, added.error()));
    return;
  }
  p.bfd_attached = true;
  note(fmt::format("peer {} BFD session started ({}, {} ms x {})", name, r.multihop ? "multihop" : "single hop",
                   p.cfg.bfd->interval_ms, int(p.cfg.bfd->multiplier)));
}

void BgpSpeaker::bfd_detach(Peer& p) {
  if (!p.bfd_attached) return;
  p.bfd_attached = false;
  bfd_->remove(*p.cfg.address);  // AdminDown to the peer: not a failure for it (RFC 5882 §3.2)
  note(fmt::format("peer {} BFD session stopped", p.cfg.name));
}

void BgpSpeaker::stop(std::string_view message) {
  for (auto& p : peers_) {
    p->session->stop(message);
    // RFC 5880 §6.8.16: AdminDown tells the peer this is no failure (RFC 5882
    // §3.2), which matters for a peer keeping our routes through a restart.
    bfd_detach(*p);
  }
}

void BgpSpeaker::stop_for_restart(std::string_view message) {
  stopping_for_restart_ = true;  // the store keeps the peers' state as it is now
  for (auto& p : peers_) {
    p->session->stop_for_restart(message);
    bfd_detach(*p);  // AdminDown, as in stop(): no failure, keep our routes (RFC 5882 §3.2)
  }
}

namespace {
// "clients" and 10.0.0.5 -> "clients_10_0_0_5": a protocol name as BIRD would allow.
std::string dynamic_name(const std::string& range_name, const IpAddress& a) {
  std::string n = a.to_string();
  for (char& c : n)
    if (c == '.' || c == ':') c = '_';
  return range_name + "_" + n;
}
constexpr std::size_t kDynamicLimit = 4096;  // neighbours per range
}  // namespace

BgpSpeaker::Peer* BgpSpeaker::add_peer(const PeerConfig& pc) {
  if (pc.range) {
    add_range(pc);
    return nullptr;
  }
  Peer* p = make_peer(pc);
  net_->table.add_peer(*pc.address, p->session.get(), p->options);
  // RFC 4724 §4.1 after our restart: selection waits for this peer's session too
  // (a peer added after the start, by a reload or Kubernetes, as decided then).
  if (deferring_ && p->waited_at_restart) deferral_->state.expect_session(pc.name);
  if (deferring_ && restart_rule_)
    note(fmt::format("graceful restart: selection {} peer {}: {}", p->waited_at_restart ? "waits for" : "does not wait for",
                     pc.name, p->restart_wait_reason));
  // RFC 2385: the key must be on the listening sockets before the peer's SYN
  // arrives (the listener keeps it for sockets opened later too).
  if (pc.password)
    if (auto r = net_->listener.set_md5(*pc.address, pc.password->value); !r)
      note(fmt::format("peer {}: TCP-MD5 key on the listening socket: {}", pc.name, r.error().message));
  return p;
}

// Dynamic neighbours (BIRD's `neighbor range`, FRR's `bgp listen range`): a
// connection from an address in the range creates a passive session named
// RANGE_ADDRESS with the range's settings; it goes away with its session.
void BgpSpeaker::add_range(const PeerConfig& pc) {
  const std::string name = pc.name;
  ranges_.emplace_back(name, *pc.range);
  net_->table.add_range(*pc.range, kDynamicLimit, [this, name](const IpAddress& a) -> session::Session* {
    const PeerConfig* rc = config_.peer(name);
    if (!rc || !rc->range || rc->disabled) return nullptr;
    PeerConfig c = *rc;
    c.name = dynamic_name(name, a);
    c.range.reset();
    c.address = a;
    c.passive = true;
    Peer* p = make_peer(c);
    p->range_of = name;
    note(fmt::format("peer {} dynamic neighbour {} from range {}", c.name, a.to_string(), rc->range->to_string()));
    start_peer(*p);
    return p->session.get();
  });
  if (pc.password)
    if (auto r = net_->listener.set_md5(*pc.range, pc.password->value); !r)
      note(fmt::format("peer {}: TCP-MD5 key on the listening socket: {}", pc.name, r.error().message));
}

// A dynamic neighbour whose session ended (and whose routes are gone) leaves.
void BgpSpeaker::retire_dynamic(Peer& p) {
  net_->table.release_dynamic(*p.cfg.address);
  auto it = std::find_if(peers_.begin(), peers_.end(), [&](const auto& x) { return x.get() == &p; });
  if (it == peers_.end()) return;
  note(fmt::format("peer {} dynamic neighbour gone", p.cfg.name));
  bfd_detach(p);
  // Called from inside the session's own callback: destroyed on a later turn.
  std::shared_ptr<Peer> doomed(it->release());
  peers_.erase(it);
  asio::post(io_, [doomed] {});
}

BgpSpeaker::Peer* BgpSpeaker::make_peer(const PeerConfig& pc) {
  auto peer = std::make_unique<Peer>(*this, pc);
  peer->enabled = !pc.disabled;
  if (deferring_) {
    const RestartWait w = restart_wait(pc);
    peer->waited_at_restart = w.wait;
    peer->restart_wait_reason = w.reason;
  }
  session::SessionConfig sc;
  sc.name = pc.name;
  sc.settings.local_as = config_.local_as;
  sc.settings.router_id = config_.router_id;
  sc.settings.remote_as = remote_as(pc);
  sc.settings.hold_time = pc.hold_time;
  sc.settings.families = pc.families;
  for (auto f : pc.families) {
    sc.settings.add_path_send[wire::index(f)] = pc.add_path_send;
    sc.settings.add_path_receive[wire::index(f)] = pc.add_path_receive;
  }
  if (pc.graceful_restart) {
    fsm::GracefulRestartSettings gr;
    gr.restart_time = pc.graceful_restart->restart_time;
    gr.long_lived_stale_time = pc.graceful_restart->long_lived_stale_time;
    gr.restarting = restarting_ && deferring_;          // R: we are back from a restart
    gr.forwarding_preserved = forwarding_preserved_;    // F per family: only if the kernel kept our routes
    sc.settings.graceful_restart = gr;
  }
  sc.passive = pc.passive;
  sc.timers.connect_retry = std::chrono::seconds(pc.connect_retry);
  sc.timers.idle_hold_initial = std::chrono::seconds(1);
  session::TcpPeerOptions popts;
  popts.address = *pc.address;
  popts.local_address = pc.local_address;
  if (pc.password) popts.md5_key = pc.password->value;
  if (pc.ttl_security_hops) popts.ttl_security_hops = pc.ttl_security_hops;
  if (pc.multihop) popts.ttl = static_cast<int>(pc.multihop);
  peer->session = std::make_unique<session::Session>(
      io_.get_executor(), sc, std::make_unique<session::TcpConnector>(io_.get_executor(), popts), clock_, *peer);
  peer->options = popts;
  set_import(*peer);
  peers_.push_back(std::move(peer));
  return peers_.back().get();
}

void BgpSpeaker::remove_peer(std::string_view name) {
  // A range: no new neighbours, and the live ones go too.
  for (auto r = ranges_.begin(); r != ranges_.end();) {
    if (r->first == name) {
      net_->table.remove_range(r->second);
      r = ranges_.erase(r);
    } else {
      ++r;
    }
  }
  std::vector<std::string> children;
  for (const auto& p : peers_)
    if (p->range_of == name) children.push_back(p->cfg.name);
  for (const auto& child : children) remove_peer(child);
  auto it = std::find_if(peers_.begin(), peers_.end(), [&](const auto& p) { return p->cfg.name == name; });
  if (it == peers_.end()) return;
  Peer& p = **it;
  if (deferring_) {
    deferral_->state.session_settled(name);
    schedule_decision();
  }
  p.session->stop(p.deconfigured_notification(), "peer removed from the configuration");
  bfd_detach(p);
  p.gr_timer.cancel();
  p.forget_rib();
  if (p.cfg.address) {
    if (p.range_of.empty()) net_->table.remove_peer(*p.cfg.address);
    else net_->table.release_dynamic(*p.cfg.address);
  }
  // The session may still be flushing its NOTIFICATION: destroy it on a later turn.
  std::shared_ptr<Peer> doomed(it->release());
  peers_.erase(it);
  asio::post(io_, [doomed] {});
  schedule_decision();
}

BgpSpeaker::Peer* BgpSpeaker::find(std::string_view name) const {
  for (const auto& p : peers_)
    if (p->cfg.name == name) return p.get();
  return nullptr;
}

void BgpSpeaker::set_import(Peer& p) {
  p.import.local_as = config_.local_as;
  p.import.router_id = config_.router_id;
  p.import.cluster_id = config_.cluster_id.value_or(0);
  p.import.allow_own_as = p.cfg.allow_own_as;
  p.import.enforce_first_as = true;
  p.import.max_prefix.reset();
  if (p.cfg.import_limit) p.import.max_prefix = rib::MaxPrefix{*p.cfg.import_limit, to_rib(p.cfg.import_limit_action)};
  p.import.policy = nullptr;
  const bool external = p.negotiated ? p.negotiated->external : p.cfg.remote_as_kind == RemoteAsKind::external ||
                                                                    (p.cfg.remote_as_kind == RemoteAsKind::exact &&
                                                                     p.cfg.remote_as != config_.local_as);
  if (p.cfg.import_policy.empty()) {
    // RFC 8212: nothing is accepted from an external peer without a policy.
    if (external) p.import.policy = [](const Prefix&, rib::RouteAttrs&) { return false; };
    return;
  }
  const std::string policy_name = p.cfg.import_policy;
  const std::string peer_name = p.cfg.name;
  const IpAddress addr = p.cfg.address.value_or(IpAddress{});
  p.import.policy = [this, policy_name, peer_name, addr](const Prefix& prefix, rib::RouteAttrs& attrs) {
    const rib::Policy* policy = config_.policies.find(policy_name);
    if (!policy) return false;
    const rib::PolicyContext ctx{peer_name, addr, config_.local_as, std::nullopt};
    return rib::evaluate(*policy, prefix, attrs, ctx) == rib::Verdict::accept;
  };
}

uint32_t BgpSpeaker::export_policy_id(const PeerConfig& pc) const {
  if (pc.export_policy.empty()) {
    const bool internal = pc.remote_as_kind == RemoteAsKind::internal ||
                          (pc.remote_as_kind == RemoteAsKind::exact && pc.remote_as == config_.local_as);
    return internal ? kExportAll : kExportNothing;  // RFC 8212 for external peers
  }
  for (std::size_t i = 0; i < export_policy_names_.size(); ++i)
    if (export_policy_names_[i] == pc.export_policy) return static_cast<uint32_t>(i + 2);
  export_policy_names_.push_back(pc.export_policy);
  return static_cast<uint32_t>(export_policy_names_.size() + 1);
}

rib::MemberConfig BgpSpeaker::member_config(const Peer& p) const {
  const fsm::Negotiated& n = *p.negotiated;
  rib::MemberConfig m;
  const IpAddress local = p.cfg.local_address ? *p.cfg.local_address : p.local_address.value_or(IpAddress{});
  const uint32_t policy = export_policy_id(p.cfg);
  for (auto f : p.cfg.families) {
    if (!n.families[wire::index(f)]) continue;
    // Only families whose next hop we can give in our session address's family.
    if ((f == wire::Family::ipv4_unicast) != local.is_v4()) continue;
    rib::ExportPeer e;
    e.external = n.external;
    e.rr_client = p.cfg.route_reflector_client;
    e.peer_as = n.peer_as;
    e.local_address = local;
    if (n.external && !p.cfg.multihop) e.shared_subnet = connected_subnet(local);
    e.next_hop = to_rib(p.cfg.next_hop);
    e.next_hop_address = p.cfg.next_hop_address;
    e.has_export_policy = policy != kExportNothing || !n.external;
    m.families[wire::index(f)] = e;
  }
  m.codec = n.codec_context();
  m.export_policy = n.external && policy == kExportNothing ? kExportNothing : policy;
  m.mrai = std::chrono::milliseconds(p.cfg.mrai_ms);
  return m;
}

// Only what changed: an unchanged entry keeps its path (no UPDATE, no kernel
// change); a changed one is withdrawn and announced again in the same decision,
// so that its selection shows as changed (the FIB reads `blackhole` again).
void BgpSpeaker::originate(const std::vector<Originate>& routes) {
  std::map<Prefix, Originate> next;
  for (const Originate& o : routes) next.emplace(o.prefix, o);
  for (const auto& [p, old] : originated_) {
    auto it = next.find(p);
    if (it == next.end() || !(it->second == old)) rib_->withdraw(rib::kLocalPeer, p, 0);
  }
  for (const auto& [p, o] : next) {
    if (auto it = originated_.find(p); it != originated_.end() && it->second == o) continue;
    rib::RouteAttrs ra;
    ra.attrs.origin = wire::Origin::igp;
    ra.attrs.as_path = wire::AsPath{};
    ra.attrs.communities = o.communities;
    ra.next_hop = o.prefix.is_v4() ? IpAddress::v4(0) : IpAddress::v6({});
    if (o.prefix.is_v4()) ra.attrs.next_hop = ra.next_hop;
    rib_->announce(rib::kLocalPeer, o.prefix, 0, rib_->attrs().intern(ra));
  }
  originated_ = std::move(next);
  schedule_decision();
}

// ---------------------------------------------------------------- decisions

void BgpSpeaker::next_hops_changed(std::span<const IpAddress> next_hops) {
  const std::size_t n = rib_->next_hops_changed(next_hops);
  if (n == 0) return;
  std::string list;
  for (const IpAddress& a : next_hops) list += (list.empty() ? "" : " ") + a.to_string();
  note(fmt::format("next hops changed: {}; {} prefixes to decide again", list, n));
  schedule_decision();
}

void BgpSpeaker::seed_snapshot(std::vector<rib::store::SnapshotRoute> routes) {
  if (routes.empty()) return;
  if (!deferring_) {
    note(fmt::format("warm restart: selection is not deferred; the snapshot's {} paths are not used", routes.size()));
    return;
  }
  seed_ = rib::store::seed_snapshot(*rib_, routes, config_.local_as);
  for (const auto& src : seed_->sources)
    if (const Peer* p = find(src.peer.name); p && p->cfg.route_reflector_client) groups_->set_rr_client(src.rib_peer, true);
  // This decision goes to the update groups only: the FIB keeps the kernel's
  // routes and the store its snapshot until the release.
  std::vector<rib::RouteChange> changes;
  rib_->decide(changes);
  groups_->process(changes, clock_.now());
  note(fmt::format("warm restart: {} snapshot paths from {} sources stand in until selection is released", seed_->paths,
                   seed_->sources.size()));
}

void BgpSpeaker::schedule_decision() {
  if (decision_pending_) return;
  decision_pending_ = true;
  asio::post(io_, [this] { decide(); });
}

// One decision per event-loop turn, for everything that changed since the last.
void BgpSpeaker::decide() {
  decision_pending_ = false;
  bool released = false;
  if (deferring_) {
    if (deferral_->state.deferring(clock_.now())) return;
    release_deferral();
    released = true;
  }
  std::vector<rib::RouteChange> changes;
  decided_.clear();
  rib_->decide(changes, report_paths_ ? &decided_ : nullptr);
  if (!changes.empty()) groups_->process(changes, clock_.now());
  if (sink_whole_selection_) {
    // The snapshot's decision went to the peers only: the FIB and the store
    // get the whole selection now (the store every path), as after a cold
    // restart's first decision.
    sink_whole_selection_ = false;
    std::vector<rib::RouteChange> whole;
    rib_->for_each_selected([&](const Prefix& prefix, std::span<const rib::SelectedPath> sel) {
      whole.push_back({prefix, {sel.begin(), sel.end()}, rib::Step::none});
    });
    decided_.clear();
    if (report_paths_) rib_->all_paths(decided_);
    if (sink_ && (!whole.empty() || !decided_.prefixes.empty())) sink_(whole, decided_, *rib_);
  } else if (sink_ && (!changes.empty() || !decided_.prefixes.empty())) {
    sink_(changes, decided_, *rib_);
  }
  if (released && on_released_) on_released_();
  if (changes.empty()) return;
  for (auto& p : peers_) drain(*p);
  if (auto next = groups_->next_deadline()) {
    // MRAI: come back when the earliest held-back change may go.
    auto timer = std::make_shared<asio::steady_timer>(io_, *next - clock_.now());
    timer->async_wait([this, timer](const boost::system::error_code& ec) {
      if (ec) return;
      groups_->flush(clock_.now());
      for (auto& p : peers_) drain(*p);
    });
  }
}

void BgpSpeaker::drain(Peer& p) {
  if (!p.rib_id || groups_->group_of(*p.rib_id) == 0) return;
  while (p.session->writable()) {
    auto buf = groups_->pop(*p.rib_id);
    if (!buf) break;
    p.session->send(*buf);
  }
}

// RFC 4724 §4.1: selection ran late; members join now, each sent the decided
// table and End-of-RIB. Later connections are not restarts: the R bit goes.
void BgpSpeaker::release_deferral() {
  deferring_ = false;
  deferral_->timer.cancel();
  note(fmt::format("graceful-restart: selection released ({})",
                   deferral_->state.waited_for_all() ? "all End-of-RIB" : "deadline"));
  if (seed_) {
    const std::size_t gone = rib::store::retire_snapshot(*rib_, *seed_);
    seed_.reset();
    sink_whole_selection_ = true;
    note(fmt::format("warm restart: {} snapshot paths swept; the live paths decide", gone));
  }
  for (auto& p : peers_)
    if (p->cfg.graceful_restart) {
      fsm::SessionSettings s = p->session->fsm().settings();
      s.graceful_restart->restarting = false;
      p->session->update_settings(s);
    }
  asio::post(io_, [this] {
    for (Peer* p : deferral_->members)
      if (p->rib_id && p->negotiated) groups_->add_member(*p->rib_id, member_config(*p));
    deferral_->members.clear();
    for (auto& p : peers_) drain(*p);
  });
}

// ---------------------------------------------------------------- peer events

void BgpSpeaker::Peer::on_state_change(fsm::State from, fsm::State to, std::string_view reason) {
  state = to;
  since = std::chrono::system_clock::now();
  last_reason = std::string(reason);
  speaker.note(fmt::format("peer {} state {} -> {}: {}", cfg.name, fsm::to_string(from), fsm::to_string(to), reason));
}

void BgpSpeaker::Peer::on_established(const fsm::Negotiated& n) {
  speaker.note(fmt::format("peer {} established peer-as={} hold={}", cfg.name, n.peer_as, n.hold_time));
  rib::PeerInfo info{*cfg.address, n.peer_router_id, n.peer_as, n.external, false};
  // RFC 4271 §5.1.3: a directly connected eBGP peer's next hops are on the shared
  // subnet; they resolve through connected prefixes only (BIRD's `direct`).
  info.direct = n.external && !cfg.multihop;
  negotiated = n;
  local_address = session->local_address();
  last_notification.reset();
  if (rib_id) {
    // Back within the restart time: stale routes wait for its End-of-RIB, unless
    // it did not keep forwarding state for IPv4 unicast (RFC 4724 §4.2).
    gr_timer.cancel();
    speaker.rib_->update_peer(*rib_id, info);
    const auto v4 = wire::index(wire::Family::ipv4_unicast);
    if (n.graceful_restart && n.graceful_restart->announced[v4] && n.graceful_restart->forwarding_preserved[v4])
      awaiting_end_of_rib = true;
    else
      sweep("forwarding state not preserved");
  } else {
    rib_id = speaker.rib_->add_peer(info);
  }
  peer_gr = n.graceful_restart;
  speaker.set_import(*this);
  if (cfg.soft_reconfiguration) received = std::make_unique<rib::AdjRibIn>(speaker.rib_->attrs());
  speaker.groups_->set_rr_client(*rib_id, cfg.route_reflector_client);
  speaker.record_peer_state(*this, /*established=*/true);
  if (speaker.deferring_) {
    // Only a peer we wait for (Established with graceful restart before the restart).
    for (auto f : cfg.families)
      if (waited_at_restart && n.families[wire::index(f)] && n.graceful_restart &&
          n.graceful_restart->announced[wire::index(f)])
        speaker.deferral_->state.expect(*rib_id, f);
    speaker.deferral_->state.session_settled(cfg.name);
    const std::size_t to_come = speaker.deferral_->state.sessions_outstanding();
    speaker.note(fmt::format("graceful-restart: selection deferred until End-of-RIB from {} peer families{}",
                             speaker.deferral_->state.outstanding(),
                             to_come ? fmt::format(" and {} peers not up yet", to_come) : std::string()));
    speaker.schedule_decision();  // it may have been the last one waited for
    if (speaker.seed_) {
      // Warm restart: what we advertised before, at once (the snapshot's paths),
      // so that a helper's End-of-RIB sweep keeps it; the release sends only the
      // differences.
      speaker.groups_->add_member(*rib_id, speaker.member_config(*this));
      speaker.drain(*this);
    } else {
      speaker.deferral_->members.push_back(this);
    }
    return;
  }
  speaker.groups_->add_member(*rib_id, speaker.member_config(*this));  // the table, then End-of-RIB
  speaker.drain(*this);
}

// Cease / Peer De-configured (RFC 4486); wrapped in a Hard Reset when both sides
// set the N bit (RFC 8538 §3, §5: Peer De-configured is a Hard Reset), so that the
// peer does not keep our routes as if we were restarting. A planned stop of
// petreld, on the contrary, is a restart (stop_for_restart, fsm/restart_close.hpp):
// Administrative Reset with the N bit, no NOTIFICATION without it, so that the
// peer's graceful restart keeps them (hitless restart).
wire::NotificationMessage BgpSpeaker::Peer::deconfigured_notification() const {
  const wire::NotificationMessage inner{wire::err::cease, wire::err::peer_deconfigured, {}};
  const bool both_n = peer_gr && peer_gr->notification && cfg.graceful_restart.has_value();
  return both_n ? wire::make_hard_reset(inner) : inner;
}

// RFC 4724 §4.2: a session that ends without a NOTIFICATION, with a peer that
// advertised graceful restart for IPv4 unicast, keeps the peer's routes. RFC 8538
// (both sides set the N bit): after a NOTIFICATION too, except a Hard Reset or a
// Cease we sent (we meant the session to end).
bool BgpSpeaker::Peer::keeps_routes_through_restart() const {
  const auto v4 = wire::index(wire::Family::ipv4_unicast);
  if (!peer_gr || peer_gr->restart_time == 0 || !peer_gr->announced[v4]) return false;
  if (!last_notification) return true;
  const bool both_n = peer_gr->notification && cfg.graceful_restart.has_value();
  const bool hard_reset = last_notification->code == wire::err::cease && last_notification->subcode == wire::err::hard_reset;
  const bool our_cease = last_notification_sent && last_notification->code == wire::err::cease;
  return both_n && !hard_reset && !our_cease;
}

void BgpSpeaker::Peer::sweep(const char* why) {
  awaiting_end_of_rib = false;
  stale = false;
  if (!rib_id) return;
  const std::size_t n = speaker.rib_->sweep_stale(*rib_id);
  speaker.note(fmt::format("peer {} stale routes swept: {} ({})", cfg.name, n, why));
  import_state.prefixes -= std::min<uint64_t>(import_state.prefixes, n);
  speaker.schedule_decision();
}

void BgpSpeaker::Peer::forget_rib() {
  if (speaker.deferral_) speaker.deferral_->state.forget(rib_id.value_or(0));
  if (speaker.deferral_) {
    auto& m = speaker.deferral_->members;
    m.erase(std::remove(m.begin(), m.end(), this), m.end());
  }
  if (!rib_id) return;
  speaker.groups_->remove_member(*rib_id);
  received.reset();
  speaker.rib_->remove_peer(*rib_id);
  rib_id.reset();
  import_state = {};
  stale = false;
  speaker.schedule_decision();
}

void BgpSpeaker::Peer::expire_stale(const char* why) {
  const std::size_t gone = speaker.rib_->sweep_stale(*rib_id);
  speaker.note(fmt::format("peer {} {}: {} stale routes removed", cfg.name, why, gone));
  forget_rib();
  if (!range_of.empty()) speaker.retire_dynamic(*this);
}

void BgpSpeaker::Peer::on_down(std::string_view) {
  if (!speaker.stopping_for_restart_) speaker.record_peer_state(*this, /*established=*/false);
  if (speaker.deferral_) {
    if (rib_id) speaker.deferral_->state.forget(*rib_id);
    auto& m = speaker.deferral_->members;
    m.erase(std::remove(m.begin(), m.end(), this), m.end());
  }
  negotiated.reset();
  received.reset();  // kept routes are stale now, re-sent in full after the restart
  if (!rib_id) {
    if (!range_of.empty()) speaker.retire_dynamic(*this);
    return;
  }
  speaker.groups_->remove_member(*rib_id);
  awaiting_end_of_rib = false;
  if (!keeps_routes_through_restart()) {
    forget_rib();
    if (!range_of.empty()) speaker.retire_dynamic(*this);
    return;
  }
  const std::size_t n = speaker.rib_->mark_stale(*rib_id);
  stale = true;
  const unsigned seconds = peer_gr->restart_time;
  speaker.note(fmt::format("peer {} graceful-restart keeping {} routes for {} seconds", cfg.name, n, seconds));
  gr_timer.expires_after(std::chrono::seconds(seconds));
  gr_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !rib_id || session->state() == fsm::State::established) return;
    // RFC 9494 §4.2: with long-lived graceful restart, the routes stay for the
    // long-lived stale time, least preferred.
    const auto llst = peer_gr->long_lived_stale_time[wire::index(wire::Family::ipv4_unicast)];
    if (!llst || *llst == 0) return expire_stale("graceful-restart timer expired");
    const std::size_t marked = speaker.rib_->mark_llgr_stale(*rib_id);
    speaker.note(fmt::format("peer {} long-lived graceful restart: {} routes LLGR_STALE for {} seconds", cfg.name,
                             marked, *llst));
    speaker.schedule_decision();
    gr_timer.expires_after(std::chrono::seconds(*llst));
    gr_timer.async_wait([this](const boost::system::error_code& ec2) {
      if (ec2 || !rib_id || session->state() == fsm::State::established) return;
      expire_stale("long-lived stale timer expired");
    });
  });
}

void BgpSpeaker::Peer::on_update(const wire::Update& u) {
  if (!rib_id) return;
  if (auto f = u.end_of_rib(); f && speaker.deferring_) {
    speaker.deferral_->state.end_of_rib(*rib_id, *f);
    speaker.schedule_decision();
  }
  // RFC 4724 §4.2: the End-of-RIB of a restarted peer ends its stale routes.
  if (awaiting_end_of_rib && u.end_of_rib() == wire::Family::ipv4_unicast) return sweep("End-of-RIB");
  const auto report = rib::import_update(*speaker.rib_, *rib_id, u, import, import_state, received.get());
  if (report.limit == rib::LimitEvent::warning)
    speaker.note(fmt::format("peer {} max-prefix warning: {} prefixes, over the limit of {}", cfg.name,
                             import_state.prefixes, *cfg.import_limit));
  if (report.limit == rib::LimitEvent::restart) {
    // RFC 4486: tell the peer why, then start again after the hold-down.
    session->automatic_stop(rib::max_prefix_notification(wire::Family::ipv4_unicast, *cfg.import_limit),
                            "maximum number of prefixes reached",
                            std::chrono::seconds(cfg.import_limit_restart_after));
  }
  speaker.schedule_decision();
}

// RFC 2918 §4 / RFC 7313 §4: a request is answered with the Adj-RIB-Out of the
// family; the peer's own Beginning/End-of-Route-Refresh bracket a re-send of its
// routes: what it did not send again in between is gone.
void BgpSpeaker::Peer::on_route_refresh(const wire::RouteRefreshMessage& m) {
  if (!rib_id || !negotiated) return;
  const wire::Family family = m.afi_safi == wire::to_afi_safi(wire::Family::ipv6_unicast) ? wire::Family::ipv6_unicast
                                                                                          : wire::Family::ipv4_unicast;
  if (m.afi_safi != wire::to_afi_safi(family)) return;  // not a family we carry (RFC 2918 §4: ignore)
  switch (m.subtype) {
    case wire::RefreshSubtype::request:
      speaker.note(fmt::format("peer {} route-refresh received {}", cfg.name, wire::to_string(family)));
      speaker.groups_->resend(*rib_id, family, negotiated->enhanced_route_refresh);
      speaker.drain(*this);
      break;
    case wire::RefreshSubtype::begin:
      speaker.rib_->mark_stale(*rib_id, family);
      break;
    case wire::RefreshSubtype::end: {
      const std::size_t n = speaker.rib_->sweep_stale(*rib_id, family);
      import_state.prefixes -= std::min<uint64_t>(import_state.prefixes, n);
      speaker.note(fmt::format("peer {} enhanced route refresh done: {} routes swept", cfg.name, n));
      speaker.schedule_decision();
      break;
    }
  }
}

// BFD and BGP (RFC 5882; the rules are bfd::react(), bfd/reaction.hpp):
// - tear_down (BGP Established over a path BFD says is dead): a NOTIFICATION
//   Cease / BFD Down (RFC 9384 subcode 10) and the session closes at once
//   (RFC 5882 §4.3). We send it rather than just closing so that the peer's log
//   says why if the link still works one way, and because a Cease we sent makes
//   on_down() withdraw the peer's routes now, with no graceful-restart
//   retention: a restarting peer ends its TCP connection first, so a live
//   transport means forwarding failed, not its control plane. The session
//   starts again after the idle hold, as after any automatic stop.
// - abandon_restart / continue_restart (BGP already down, routes held stale):
//   RFC 5882 §3.4 and the peer's C bit.
// - none: the peer's AdminDown (§3.2), or BFD never was Up.
void BgpSpeaker::Peer::on_bfd(const bfd::SessionView& v, const bfd::Transition& t) {
  speaker.note(fmt::format("peer {} BFD {} -> {}: {}", cfg.name, bfd::to_string(t.from), bfd::to_string(t.to),
                           bfd::to_string(t.diag)));
  const bfd::ClientState client{session->state() == fsm::State::established, stale && rib_id.has_value()};
  switch (bfd::react(t, v.remote_control_plane_independent, client)) {
    case bfd::Reaction::none:
      if (t.remote_admin_down)
        speaker.note(fmt::format("peer {} BFD: the peer took its session down administratively; BGP left alone", cfg.name));
      break;
    case bfd::Reaction::tear_down:
      speaker.note(fmt::format("peer {} BFD down: tearing down the BGP session, routes withdrawn", cfg.name));
      session->automatic_stop(wire::NotificationMessage{wire::err::cease, wire::err::bfd_down, {}}, "BFD session down");
      break;
    case bfd::Reaction::abandon_restart:
      gr_timer.cancel();
      expire_stale("BFD down with the C bit set: forwarding failed, graceful restart abandoned");
      break;
    case bfd::Reaction::continue_restart:
      speaker.note(fmt::format("peer {} BFD down while it restarts; C bit clear: graceful restart goes on", cfg.name));
      break;
  }
}

// ---------------------------------------------------------------- the operator's actions

namespace {
Result<void, std::string> no_such_peer(std::string_view name) {
  return Result<void, std::string>(boost::system::in_place_error, "no such peer: " + std::string(name));
}
}  // namespace

Result<void, std::string> BgpSpeaker::enable(std::string_view name) {
  Peer* p = find(name);
  if (!p) return no_such_peer(name);
  if (p->enabled) return Result<void, std::string>(boost::system::in_place_error, std::string(name) + ": already enabled");
  p->enabled = true;
  start_peer(*p);
  return {};
}

Result<void, std::string> BgpSpeaker::disable(std::string_view name, std::string_view message) {
  Peer* p = find(name);
  if (!p) return no_such_peer(name);
  if (!p->enabled) return Result<void, std::string>(boost::system::in_place_error, std::string(name) + ": already disabled");
  p->enabled = false;
  p->session->stop(message.empty() ? "disabled by the operator" : message);
  bfd_detach(*p);
  if (deferring_) {
    deferral_->state.session_settled(name);  // not waited for after a restart any more
    schedule_decision();
  }
  return {};
}

Result<void, std::string> BgpSpeaker::restart(std::string_view name, std::string_view message) {
  Peer* p = find(name);
  if (!p) return no_such_peer(name);
  p->enabled = true;
  p->session->restart(message.empty() ? "restarted by the operator" : message);
  return {};
}

Result<void, std::string> BgpSpeaker::reload_in(std::string_view name) {
  Peer* p = find(name);
  if (!p) return no_such_peer(name);
  if (!p->rib_id || !p->negotiated) return Result<void, std::string>(boost::system::in_place_error, std::string(name) + ": not established");
  set_import(*p);
  if (p->received) {
    rib::reimport(*rib_, *p->rib_id, *p->received, p->import, p->import_state);
  } else if (p->negotiated->route_refresh) {
    for (auto f : p->cfg.families) {
      if (!p->negotiated->families[wire::index(f)]) continue;
      std::vector<uint8_t> bytes;
      wire::encode_route_refresh({wire::to_afi_safi(f), wire::RefreshSubtype::request}, bytes);
      p->session->send(bytes);
    }
  } else {
    return Result<void, std::string>(boost::system::in_place_error,
                                     std::string(name) + ": no soft-reconfiguration and no route refresh: restart it");
  }
  schedule_decision();
  return {};
}

Result<void, std::string> BgpSpeaker::reload_out(std::string_view name) {
  Peer* p = find(name);
  if (!p) return no_such_peer(name);
  if (!p->rib_id || !p->negotiated) return Result<void, std::string>(boost::system::in_place_error, std::string(name) + ": not established");
  for (auto f : p->cfg.families)
    if (p->negotiated->families[wire::index(f)]) groups_->resend(*p->rib_id, f, p->negotiated->enhanced_route_refresh);
  drain(*p);
  return {};
}

bool BgpSpeaker::is_service_ip(const Prefix& prefix) const {
  return std::any_of(config_.originate.begin(), config_.originate.end(),
                     [&](const Originate& o) { return !o.blackhole && o.prefix == prefix; });
}

std::size_t BgpSpeaker::service_ips() const {
  return static_cast<std::size_t>(
      std::count_if(config_.originate.begin(), config_.originate.end(), [](const Originate& o) { return !o.blackhole; }));
}

bool BgpSpeaker::set_draining(bool on) {
  if (groups_->draining() == on) return false;
  // The predicate reads config_ when called: service IPs originated later
  // (a reload, Kubernetes) are withheld too while draining.
  groups_->set_draining(on, [this](const Prefix& p) { return is_service_ip(p); });
  note(on ? fmt::format("drain started: routes sent with GRACEFUL_SHUTDOWN (RFC 8326), {} service IPs withdrawn",
                        service_ips())
          : std::string("drain stopped: routes sent as before"));
  for (auto& p : peers_) drain(*p);
  return true;
}

std::vector<std::string> BgpSpeaker::apply(const Config& next) {
  const ReloadPlan plan = plan_reload(config_, next);
  std::vector<std::string> done;
  reconfigured_ = std::chrono::system_clock::now();
  if (plan.global_reset) {
    // Router id, AS or listening addresses: every session starts again.
    done.push_back("global settings changed: every session restarts");
    std::vector<std::string> names;
    for (const auto& r : ranges_) names.push_back(r.first);  // with their neighbours
    for (const auto& p : peers_) names.push_back(p->cfg.name);
    for (const auto& name : names) remove_peer(name);
    config_ = next;
    for (const PeerConfig& pc : config_.peers)
      if (Peer* p = add_peer(pc); p && p->enabled) start_peer(*p);
    originate(config_.originate);
    return done;
  }
  config_ = next;  // policies are looked up by name in config_: new bodies apply now
  for (const auto& name : plan.peers_removed) {
    remove_peer(name);
    done.push_back("peer " + name + " removed");
  }
  for (const auto& name : plan.peers_reset) {
    remove_peer(name);
    if (const PeerConfig* pc = config_.peer(name))
      if (Peer* p = add_peer(*pc); p && p->enabled) start_peer(*p);
    done.push_back("peer " + name + " restarted (session settings changed)");
  }
  for (const auto& name : plan.peers_added) {
    if (const PeerConfig* pc = config_.peer(name))
      if (Peer* p = add_peer(*pc); p && p->enabled) start_peer(*p);
    done.push_back("peer " + name + " added");
  }
  // Live settings: BFD starts, stops or changes its intervals (a Poll
  // sequence, RFC 5880 §6.8.3) with BGP left up; connect-retry is read at the
  // next retry.
  for (const auto& name : plan.peers_updated) {
    const PeerConfig* pc = config_.peer(name);
    if (!pc) continue;
    std::vector<Peer*> targets;
    if (Peer* p = find(name)) targets.push_back(p);
    for (const auto& child : peers_)
      if (child->range_of == name) targets.push_back(child.get());
    for (Peer* p : targets) {
      const bool had = p->cfg.bfd.has_value();
      p->cfg.bfd = pc->bfd;
      p->cfg.connect_retry = pc->connect_retry;
      if (!p->enabled) continue;
      if (had && !pc->bfd) {
        bfd_detach(*p);
      } else if (!p->bfd_attached && pc->bfd) {
        bfd_attach(*p);
      } else if (pc->bfd) {
        bfd::SessionSettings s;
        s.desired_min_tx = s.required_min_rx = std::chrono::milliseconds(pc->bfd->interval_ms);
        s.detect_mult = pc->bfd->multiplier;
        bfd_->update(*p->cfg.address, s);
      }
    }
    done.push_back("peer " + name + " updated");
  }
  for (const auto& name : plan.peers_reevaluated) {
    const PeerConfig* pc = config_.peer(name);
    if (!pc) continue;
    // The configured peer, or a range's live neighbours (each with its own address).
    std::vector<std::pair<Peer*, PeerConfig>> targets;
    if (Peer* p = find(name)) targets.emplace_back(p, *pc);
    for (const auto& child : peers_)
      if (child->range_of == name) {
        PeerConfig c = *pc;
        c.name = child->cfg.name;
        c.range.reset();
        c.address = child->cfg.address;
        c.passive = true;
        targets.emplace_back(child.get(), std::move(c));
      }
    for (auto& [p, next_cfg] : targets) {
      const bool soft_changed = p->cfg.soft_reconfiguration != next_cfg.soft_reconfiguration;
      p->cfg = std::move(next_cfg);
      set_import(*p);
      if (!p->rib_id || !p->negotiated) continue;
      if (soft_changed) p->received.reset();  // takes effect with the next session
      groups_->set_rr_client(*p->rib_id, p->cfg.route_reflector_client);
      if (groups_->group_of(*p->rib_id) != 0) groups_->change_member(*p->rib_id, member_config(*p));
      const std::string& pname = p->cfg.name;
      if (p->received) {
        const auto r = rib::reimport(*rib_, *p->rib_id, *p->received, p->import, p->import_state);
        done.push_back(fmt::format("peer {} soft-reconfiguration: {} routes re-evaluated ({} accepted, {} rejected)",
                                   pname, p->received->size(), r.announced, r.rejected));
      } else if (p->negotiated->route_refresh) {
        (void)reload_in(pname);
        done.push_back("peer " + pname + " route-refresh sent");
      } else {
        done.push_back("peer " + pname + " import policy not re-evaluated: no soft-reconfiguration and no route refresh");
      }
    }
  }
  // Every peer whose policy body changed (same name) is re-evaluated too.
  for (auto& p : peers_) {
    const bool uses_changed = std::any_of(plan.policies_changed.begin(), plan.policies_changed.end(), [&](const auto& n) {
      return n == p->cfg.import_policy;
    });
    if (!uses_changed || !p->rib_id || !p->negotiated) continue;
    if (std::find(plan.peers_reevaluated.begin(), plan.peers_reevaluated.end(), p->cfg.name) !=
        plan.peers_reevaluated.end())
      continue;
    set_import(*p);
    if (p->received) {
      const auto r = rib::reimport(*rib_, *p->rib_id, *p->received, p->import, p->import_state);
      done.push_back(fmt::format("peer {} soft-reconfiguration: {} routes re-evaluated ({} accepted, {} rejected)",
                                 p->cfg.name, p->received->size(), r.announced, r.rejected));
    } else if (p->negotiated->route_refresh) {
      (void)reload_in(p->cfg.name);
      done.push_back("peer " + p->cfg.name + " route-refresh sent");
    }
  }
  if (!plan.policies_changed.empty() || !plan.peers_reevaluated.empty()) groups_->reevaluate();
  if (plan.originate_changed) {
    originate(config_.originate);
    done.push_back("originated routes updated");
    // An entry whose blackhole flag alone changed is a service IP now, or no
    // longer: what a drain withholds changed without a RIB change.
    if (groups_->draining()) groups_->reevaluate();
  }
  schedule_decision();
  for (auto& p : peers_) drain(*p);
  if (done.empty()) done.push_back("nothing changed");
  return done;
}

// ---------------------------------------------------------------- views

// The BFD views come from the BFD thread (a posted request): one copy of all
// of them for the whole list, not one hand-over per peer.
std::vector<PeerView> BgpSpeaker::peers() const {
  std::vector<PeerView> out;
  const bool any_bfd = std::any_of(peers_.begin(), peers_.end(), [](const auto& p) { return p->bfd_attached; });
  const std::vector<bfd::SessionView> bfd_views = any_bfd ? bfd_->sessions() : std::vector<bfd::SessionView>{};
  for (const auto& p : peers_) {
    PeerView v = view(*p);
    if (p->bfd_attached)
      for (const bfd::SessionView& b : bfd_views)
        if (b.peer == *p->cfg.address) v.bfd = b;
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<PeerView> BgpSpeaker::peer(std::string_view name) const {
  const Peer* p = find(name);
  if (!p) return std::nullopt;
  PeerView v = view(*p);
  if (p->bfd_attached) v.bfd = bfd_->find(*p->cfg.address);
  return v;
}

RestartWait BgpSpeaker::restart_wait(const PeerConfig& pc) const {
  const RestartCandidate c{pc.name, pc.graceful_restart.has_value(), pc.disabled};
  if (restart_rule_) return restart_rule_->decide(c);
  // Until the store's states are known (or without them): every graceful-restart peer.
  return RestartWaitRule(Result<std::vector<rib::store::PeerRestartState>, std::string>(
                             boost::system::in_place_error, std::string("not known")))
      .decide(c);
}

void BgpSpeaker::set_restart_peer_states(const Result<std::vector<rib::store::PeerRestartState>, std::string>& states,
                                         bool release_when_none) {
  if (!deferring_) return;
  restart_rule_.emplace(states);
  if (!restart_rule_->from_store())
    note(fmt::format("graceful restart: no peer's graceful-restart state from before the restart ({}): selection "
                     "waits for every peer configured with graceful restart",
                     restart_rule_->why_not_from_store()));
  std::size_t waited = 0;
  for (auto& p : peers_) {
    const RestartWait w = restart_wait(p->cfg);
    p->waited_at_restart = w.wait;
    p->restart_wait_reason = w.reason;
    if (w.wait) {
      ++waited;
      deferral_->state.expect_session(p->cfg.name);
    } else {
      deferral_->state.session_settled(p->cfg.name);
    }
    note(fmt::format("graceful restart: selection {} peer {}: {}", w.wait ? "waits for" : "does not wait for",
                     p->cfg.name, w.reason));
  }
  if (restart_rule_->from_store() && waited == 0 && release_when_none) {
    note("graceful restart: no peer was Established with graceful restart before the restart: selection released "
         "at the first decision");
    deferral_->state.expect_nothing();
  }
  schedule_decision();
}

void BgpSpeaker::record_peer_state(const Peer& p, bool established) {
  if (!on_peer_state_ || !p.cfg.address) return;
  rib::store::PeerRestartState s;
  s.name = p.cfg.name;
  s.address = *p.cfg.address;
  s.established = established;
  s.graceful_restart = p.peer_gr.has_value() && p.cfg.graceful_restart.has_value();
  if (p.peer_gr) {
    s.restart_time = p.peer_gr->restart_time;
    for (std::size_t f = 0; f < 2; ++f) {
      s.families[f] = p.peer_gr->announced[f];
      s.forwarding_preserved[f] = p.peer_gr->forwarding_preserved[f];
      s.llgr_stale_time[f] = p.peer_gr->long_lived_stale_time[f];
    }
  }
  s.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
  on_peer_state_(s);
}

PeerView BgpSpeaker::view(const Peer& p) const {
  PeerView v;
  v.name = p.cfg.name;
  v.config_name = p.range_of.empty() ? p.cfg.name : p.range_of;
  v.address = p.cfg.address.value_or(IpAddress{});
  v.enabled = p.enabled;
  v.state = p.session->state();
  v.since = p.since;
  v.last_reason = p.last_reason;
  v.negotiated = p.negotiated;
  v.local_address = p.local_address;
  v.stats = p.session->stats();
  v.import = p.import_state;
  v.rib_id = p.rib_id;
  v.routes_advertised = p.rib_id ? groups_->advertised_count(*p.rib_id) : 0;
  v.graceful_restart_stale = p.stale;
  if (deferral_) {
    v.waited_at_restart = p.waited_at_restart;
    v.restart_wait_reason = p.restart_wait_reason;
  }
  return v;
}

std::vector<BfdSessionRow> BgpSpeaker::bfd_sessions() const {
  std::vector<BfdSessionRow> out;
  for (const bfd::SessionView& v : bfd_->sessions()) {
    std::string name = "?";
    for (const auto& p : peers_)
      if (p->bfd_attached && p->cfg.address == v.peer) name = p->cfg.name;
    out.push_back({name, v});
  }
  return out;
}

void BgpSpeaker::note(const std::string& line) const {
  if (events_) events_(line);
  else spdlog::info("{}", line);
}

std::string BgpSpeaker::name_of(rib::PeerId id) const {
  if (id == rib::kLocalPeer) return "static";
  if (seed_)
    for (const auto& src : seed_->sources)
      if (src.rib_peer == id) return "snapshot:" + src.peer.name;
  for (const auto& p : peers_)
    if (p->rib_id == id) return p->cfg.name;
  return "?";
}

}  // namespace petrel::daemon
