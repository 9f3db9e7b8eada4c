// daemon/bgp_speaker.hpp — petreld's BGP side: one Session per configured peer
// wired to the RIB (import, one decision per event-loop turn, update groups),
// originated routes, graceful restart in both roles, and the operator's
// actions (enable, disable, restart, reload in/out, configuration reload).
//
// Edges (named here, wired in daemon/main.cpp):
//   sessions -> import_update -> Rib            (this thread)
//   Rib::decide -> UpdateGroups -> sessions     (this thread)
//   Rib::decide -> ChangeSink                   (to the FIB queue; never waits)
//   next-hop changes -> Rib::next_hops_changed   (re-decided like UPDATEs)
//   BFD thread -> (posted) Peer::on_bfd -> sessions  (BFD Down tears the session down)
// Everything runs on the io_context's single thread; the control server calls
// in on the same thread. BFD (sockets, timers, sessions) runs on its own thread
// (bfd::ServiceThread, started here): a long handler on this thread never
// stops BFD transmission; its state changes come back here by post.
// Must not know netlink, the control protocol's text or Kubernetes.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bfd/reaction.hpp"
#include "bfd/service_thread.hpp"
#include "bgp/fsm/fsm.hpp"
#include "bgp/session/peer_stats.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "daemon/config.hpp"
#include "daemon/restart_peers.hpp"
#include "rib/import.hpp"
#include "rib/rib.hpp"
#include "rib/store/snapshot_seed.hpp"
#include "rib/update_group.hpp"

namespace petrel::daemon {

// One peer as the shell shows it.
struct PeerView {
  std::string name;
  std::string config_name;  // its entry in `peers:` (a range's, for a dynamic neighbour)
  IpAddress address;
  bool enabled = true;
  bgp::fsm::State state = bgp::fsm::State::idle;
  std::chrono::system_clock::time_point since;  // of the last state change
  std::string last_reason;                      // why it changed
  std::optional<bgp::fsm::Negotiated> negotiated;
  std::optional<IpAddress> local_address;
  bgp::session::PeerStats stats;
  rib::ImportState import;
  std::size_t routes_advertised = 0;
  bool graceful_restart_stale = false;          // its routes are kept stale now
  // After a restart of petreld (selection deferred): whether selection waited
  // for this peer's End-of-RIB, and why (daemon/restart_peers.hpp).
  std::optional<bool> waited_at_restart;
  std::string restart_wait_reason;
  std::optional<rib::PeerId> rib_id;
  std::optional<bfd::SessionView> bfd;          // with `bfd:` configured and the peer started
};

// One BFD session with the peer it serves, for `show bfd sessions`.
struct BfdSessionRow {
  std::string peer;  // the peer's name
  bfd::SessionView session;
};

class BgpSpeaker {
 public:
  // The RIB's changes of one decision, for the FIB and the store; called after
  // the update groups had them, also when only `decided` holds something.
  // `decided`: every path of each decided prefix (rib::DecidedPaths), filled
  // only after set_report_paths(true) (the store's snapshot); the sink may take
  // its contents (the store does, without a copy). AttrIds are live during the call.
  using ChangeSink = std::function<void(std::span<const rib::RouteChange>, rib::DecidedPaths& decided, const rib::Rib&)>;

  // `restarting`: we come back from a restart (graceful restart, restarting
  // speaker); `forwarding_preserved`: per family (IPv4, IPv6 unicast), the
  // kernel still holds the routes we had installed (daemon/forwarding_state.hpp),
  // which the OPEN's F bit then says. `resolver`: how next
  // hops resolve (outlives the speaker); none: every next hop resolves at cost 0.
  BgpSpeaker(boost::asio::io_context& io, const Config& config, ChangeSink sink, bool restarting = false,
             std::array<bool, 2> forwarding_preserved = {}, rib::NextHopResolver* resolver = nullptr);
  ~BgpSpeaker();
  BgpSpeaker(const BgpSpeaker&) = delete;
  BgpSpeaker& operator=(const BgpSpeaker&) = delete;

  // Opens the listening sockets; fails with a message (port in use, …).
  Result<void, std::string> listen();
  void start();                          // every enabled peer
  void stop(std::string_view message);   // Cease / Administrative Shutdown to all
  // petreld stops and will come back (`down`, SIGTERM; its routes stay in the kernel):
  // peers that do graceful restart keep our routes meanwhile (RFC 4724 §4.2, RFC 8538),
  // the others get the Cease of stop().
  void stop_for_restart(std::string_view message);

  // The shell's actions; errors are for the operator ("no such peer").
  Result<void, std::string> enable(std::string_view peer);
  Result<void, std::string> disable(std::string_view peer, std::string_view message);
  Result<void, std::string> restart(std::string_view peer, std::string_view message);
  // Import again: from the stored Adj-RIB-In, or by ROUTE-REFRESH.
  Result<void, std::string> reload_in(std::string_view peer);
  // Export again: the peer's Adj-RIB-Out is sent anew.
  Result<void, std::string> reload_out(std::string_view peer);

  // Drain (RFC 8326; rib/graceful_shutdown.hpp, rib/update_group.hpp): while
  // on, every route advertised to every peer carries GRACEFUL_SHUTDOWN (65535:0)
  // and, to internal peers, LOCAL_PREF 0; the originated service IPs (`originate`
  // entries with `blackhole: false`) are withdrawn from the peers (the RIB and
  // the kernel keep them). Sent through the update groups at once, without a
  // session reset; off sends back what was advertised before. Returns false
  // when it was already in that state (nothing sent).
  bool set_draining(bool on);
  bool draining() const { return groups_->draining(); }
  // How many originated prefixes a drain withdraws (the service IPs).
  std::size_t service_ips() const;

  // The resolver's answers for these next hops may have changed (a link went
  // down or up): the prefixes whose paths use them are decided again in the
  // next decision, which updates the peers and the FIB as for an UPDATE.
  void next_hops_changed(std::span<const IpAddress> next_hops);

  // A new configuration: applies only the difference (daemon/config_diff.hpp).
  // Returns one line per thing done, for the log and the shell.
  std::vector<std::string> apply(const Config& next);

  std::vector<PeerView> peers() const;
  std::vector<BfdSessionRow> bfd_sessions() const;  // by peer address
  bfd::ServiceCounters bfd_counters() const { return bfd_->counters(); }  // a copy from the BFD thread
  std::optional<PeerView> peer(std::string_view name) const;
  std::string name_of(rib::PeerId id) const;  // "static" for our own routes
  const Config& config() const { return config_; }
  rib::Rib& rib() { return *rib_; }
  const rib::Rib& rib() const { return *rib_; }
  const rib::UpdateGroups& groups() const { return *groups_; }
  // One line per session state change, graceful-restart step, route refresh and
  // limit event ("peer tor1 state Established -> Idle: hold timer expired", …);
  // petreld logs them, test programs print them. Default: spdlog at info level.
  // Never one line per route.
  void on_event(std::function<void(const std::string&)> f) { events_ = std::move(f); }
  bool deferring() const { return deferring_; }
  // Warm restart (rib/store/snapshot_seed.hpp): while selection is deferred, the
  // snapshot's best paths stand in for what we advertised before the restart:
  // each peer is sent them (and End-of-RIB) as soon as its session is up, instead
  // of waiting for the release; at the release they are swept, the live paths
  // decide and only the differences go out. Ignored when not deferring or empty
  // (a cold start: peers wait for the release as before). Call before start().
  void seed_snapshot(std::vector<rib::store::SnapshotRoute> routes);
  // How many snapshot paths stand in now (0 once selection is released).
  std::size_t snapshot_paths() const { return seed_ ? seed_->paths : 0; }
  // Called once, after the first route selection that follows a restart's
  // deferral (at once-only semantics; never when not restarting).
  void on_selection_released(std::function<void()> f) { on_released_ = std::move(f); }
  // Warm restart: the peers' graceful-restart state from before the restart
  // (the store's), which decides whose End-of-RIB selection waits for
  // (daemon/restart_peers.hpp); each decision is logged. With
  // `release_when_none`, no peer to wait for releases selection at once (not
  // with Kubernetes: derived peers come later). Call before start(); ignored
  // when not deferring.
  void set_restart_peer_states(const Result<std::vector<rib::store::PeerRestartState>, std::string>& states,
                               bool release_when_none);
  // Each peer's graceful-restart state as it changes (Established with what it
  // negotiated; down), for the store; a planned stop (stop_for_restart) leaves
  // it as it was. Called on the io_context's thread.
  void on_peer_state(std::function<void(const rib::store::PeerRestartState&)> f) { on_peer_state_ = std::move(f); }
  // Whether decisions also report every path of each decided prefix to the sink.
  void set_report_paths(bool on) { report_paths_ = on; }
  std::chrono::system_clock::time_point started() const { return started_; }
  std::chrono::system_clock::time_point last_reconfigured() const { return reconfigured_; }

 private:
  struct Peer;
  friend struct Peer;

  Peer* add_peer(const PeerConfig& pc);   // null for a range (its neighbours come later)
  Peer* make_peer(const PeerConfig& pc);  // the Peer and its Session, not yet reachable
  void add_range(const PeerConfig& pc);
  void retire_dynamic(Peer& p);
  void remove_peer(std::string_view name);
  Peer* find(std::string_view name) const;
  PeerView view(const Peer& p) const;  // without its BFD session
  void set_import(Peer& p);
  uint32_t export_policy_id(const PeerConfig& pc) const;  // assigns an id on first use
  rib::MemberConfig member_config(const Peer& p) const;
  void originate(const std::vector<Originate>& routes);
  bool is_service_ip(const Prefix& prefix) const;  // originated without a blackhole
  void schedule_decision();
  void decide();
  void drain(Peer& p);
  void release_deferral();
  void note(const std::string& line) const;
  void start_peer(Peer& p);   // its BGP session, and its BFD session if configured
  void bfd_attach(Peer& p);
  void bfd_detach(Peer& p);
  void record_peer_state(const Peer& p, bool established);
  RestartWait restart_wait(const PeerConfig& pc) const;

  boost::asio::io_context& io_;
  Config config_;
  ChangeSink sink_;
  SteadyClock clock_;
  bool restarting_ = false;
  std::array<bool, 2> forwarding_preserved_{};
  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<rib::UpdateGroups> groups_;  // destroyed before the Rib
  std::unique_ptr<bfd::ServiceThread> bfd_;    // outlives the peers (they remove their sessions)
  mutable std::vector<std::string> export_policy_names_;  // policy id 2 + i, grown by export_policy_id()
  std::vector<std::unique_ptr<Peer>> peers_;     // destroyed before the groups
  struct Net;                                     // listener and peer table
  std::unique_ptr<Net> net_;
  std::map<Prefix, Originate> originated_;     // what originate() announced
  std::vector<std::pair<std::string, Prefix>> ranges_;  // dynamic-neighbour ranges by config name
  bool decision_pending_ = false;
  bool deferring_ = false;
  struct Deferral;
  std::unique_ptr<Deferral> deferral_;
  std::optional<rib::store::SnapshotSeed> seed_;  // warm restart, until the release
  bool sink_whole_selection_ = false;  // the release after a seed: the sink has seen nothing yet
  bool report_paths_ = false;
  rib::DecidedPaths decided_;  // one decision's, memory reused
  std::function<void()> on_released_;
  std::optional<RestartWaitRule> restart_rule_;  // warm restart: from the store's peer states
  std::function<void(const rib::store::PeerRestartState&)> on_peer_state_;
  bool stopping_for_restart_ = false;
  std::function<void(const std::string&)> events_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
  std::chrono::system_clock::time_point reconfigured_ = started_;
};

}  // namespace petrel::daemon
