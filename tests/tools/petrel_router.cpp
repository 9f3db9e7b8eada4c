// tests/tools/petrel_router.cpp — sessions wired to the RIB, for interop tests
// until petreld exists: every UPDATE goes through import_update() into the Rib,
// one decision per event-loop turn, changes exported by the update groups to
// every established peer (route reflection, eBGP rewriting, RFC 8212), End-of-RIB
// after each initial table. Configured from a small YAML file (see below); prints
// one line per event on stdout:
//   peer NAME state FROM -> TO: REASON
//   peer NAME established peer-as=N hold=S
//   peer NAME notification-sent|notification-received CODE/SUBCODE DESCRIPTION
//   route PREFIX via NAME[,NAME…] reason STEP      (the ECMP set, best first)
//   route PREFIX withdrawn
// Config keys: local-as, router-id, cluster-id, listen [addresses], hold-time,
// max-paths, originate [prefixes], prefix-sets, policies (rib/policy_config.hpp),
// peers [{name, address, remote-as, local-address, rr-client, passive,
// export: all|none|{policy: NAME}, import: {policy: NAME}, max-prefix: {limit,
// action, restart-after: SECONDS}, families, graceful-restart: SECONDS}]. As graceful-restart helper
// (RFC 4724 §4.2) it keeps a restarting peer's routes stale until its End-of-RIB
// or its restart time, printing `peer NAME graceful-restart keeping N routes for
// S seconds`, `peer NAME stale routes swept: N (…)` and `peer NAME graceful-restart
// timer expired: N stale routes removed`.
// More keys per peer: soft-reconfiguration: true (keep routes as received),
// add-path: send|receive|both (RFC 7911, for every configured family).
// SIGHUP reloads prefix-sets, policies and each peer's import/export policy and
// rr-client without resetting sessions: routes are re-imported from the stored
// Adj-RIB-In (`peer NAME soft-reconfiguration: N routes re-evaluated`) or asked
// for again with ROUTE-REFRESH (`peer NAME route-refresh sent`), and every update
// group exports again, sending only differences (`reload: ok` or `reload failed:
// WHY`, the running configuration kept). A peer's ROUTE-REFRESH is answered with
// its Adj-RIB-Out (`peer NAME route-refresh received FAMILY`); its enhanced route
// refresh markers (RFC 7313) bracket a stale-and-sweep of its routes.
// With --restarting (graceful restart, restarting speaker, RFC 4724 §4.1) the
// OPENs carry the Restart State bit (and no Forwarding State bit: this program
// keeps no FIB), and route selection, and every peer's initial table, wait for
// the End-of-RIB of each graceful-restart peer or `selection-deferral` seconds
// (default 60): `graceful-restart: selection deferred until End-of-RIB from N
// peers`, then `graceful-restart: selection released (all End-of-RIB|deadline)`.
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <map>
#include <memory>

#include "bgp/session/listener.hpp"
#include "bgp/session/session.hpp"
#include "bgp/session/tcp_transport.hpp"
#include "rib/adj_rib_in.hpp"
#include "rib/import.hpp"
#include "rib/policy.hpp"
#include "rib/policy_config.hpp"
#include "rib/rib.hpp"
#include "rib/selection_deferral.hpp"
#include "rib/update_group.hpp"

namespace asio = boost::asio;
using namespace petrel;
using namespace petrel::bgp;

namespace {

// A configuration error: fatal at start (main prints it and exits 2); on a
// reload, reported and the running configuration kept.
[[noreturn]] void config_error(const std::string& what) { throw std::runtime_error(what); }

IpAddress address(const YAML::Node& n, const char* what) {
  auto a = IpAddress::parse(n.as<std::string>());
  if (!a) config_error(std::string(what) + ": not an address: " + n.as<std::string>());
  return *a;
}

uint32_t ipv4_id(const YAML::Node& n, const char* what) {
  const IpAddress a = address(n, what);
  if (!a.is_v4()) config_error(std::string(what) + " must be an IPv4 address");
  return a.v4_value();
}

struct PeerConfig {
  std::string name;
  IpAddress address;
  fsm::RemoteAs remote_as;
  IpAddress local_address;
  bool rr_client = false;
  bool passive = false;
  bool export_all = false;
  std::string export_policy;  // a named policy ("export: {policy: NAME}")
  std::string import_policy;  // "import: {policy: NAME}"; none: accept all
  std::optional<rib::MaxPrefix> max_prefix;
  std::vector<wire::Family> families{wire::Family::ipv4_unicast};
  std::optional<uint16_t> graceful_restart;  // our restart time, advertised (RFC 4724)
  uint32_t max_prefix_restart_after = 0;  // seconds before reconnecting after a max-prefix Cease
  bool soft_reconfiguration = false;
  bool add_path_send = false, add_path_receive = false;
};

class Router;

// One configured peer: its session, and what it is in the RIB while established.
struct Peer : session::SessionObserver {
  Peer(Router& r, PeerConfig c, asio::io_context& io) : router(r), cfg(std::move(c)), gr_timer(io) {}
  void on_state_change(fsm::State from, fsm::State to, std::string_view reason) override;
  void on_established(const fsm::Negotiated& n) override;
  void on_down(std::string_view) override;
  void on_update(const wire::Update& u) override;
  void on_writable() override;
  void on_route_refresh(const wire::RouteRefreshMessage& m) override;
  void on_notification(bool sent, const wire::NotificationMessage& n) override {
    last_notification = n;
    last_notification_sent = sent;
    std::cout << "peer " << cfg.name << (sent ? " notification-sent " : " notification-received ") << int(n.code) << "/"
              << int(n.subcode) << " " << wire::describe_code(n.code, n.subcode) << std::endl;
  }

  Router& router;
  PeerConfig cfg;
  std::unique_ptr<session::Session> session;
  std::optional<rib::PeerId> rib_id;
  rib::ImportSettings import;
  rib::ImportState state;
  std::optional<fsm::Negotiated> negotiated;  // while established
  std::unique_ptr<rib::AdjRibIn> received;    // soft reconfiguration
  rib::MemberConfig member_config() const;
  // Graceful restart, receiving speaker (RFC 4724 §4.2, RFC 8538).
  std::optional<fsm::PeerGracefulRestart> peer_gr;  // what the peer advertised last time
  std::optional<wire::NotificationMessage> last_notification;
  bool last_notification_sent = false;
  bool awaiting_end_of_rib = false;
  asio::steady_timer gr_timer;
  bool keeps_routes_through_restart() const;
  void sweep(const char* why);
  void expire_stale(const char* why);  // the restart (or long-lived stale) time ran out
};

class Router {
 public:
  Router(asio::io_context& io, const YAML::Node& cfg, std::string_view file, bool restarting)
      : io_(io), restarting_(restarting), deferral_timer_(io) {
    auto compiled = rib::compile_policies(cfg, file);
    if (!compiled) config_error(compiled.error().to_string());
    policies_ = std::move(*compiled);
    local_as_ = cfg["local-as"].as<uint32_t>();
    router_id_ = ipv4_id(cfg["router-id"], "router-id");
    cluster_id_ = cfg["cluster-id"] ? ipv4_id(cfg["cluster-id"], "cluster-id") : router_id_;
    rib::BestPathOptions o;
    o.max_paths = cfg["max-paths"] ? cfg["max-paths"].as<std::size_t>() : 1;
    rib_ = std::make_unique<rib::Rib>(o);
    groups_ = std::make_unique<rib::UpdateGroups>(*rib_, rib::LocalSpeaker{local_as_, router_id_, cluster_id_, 100});
    // Export policy ids: 1 = export all, 2 + i = the i-th named policy in use.
    groups_->set_export_policy([this](uint32_t id, const Prefix& prefix, rib::RouteAttrs& attrs) {
      if (id < 2 || id - 2 >= export_policies_.size()) return id == 1;
      const rib::PolicyContext ctx{"", {}, local_as_, std::nullopt};
      return rib::evaluate(*export_policies_[id - 2], prefix, attrs, ctx) == rib::Verdict::accept;
    });
    const uint16_t hold = cfg["hold-time"] ? cfg["hold-time"].as<uint16_t>() : 90;
    if (restarting_) {
      const auto seconds = cfg["selection-deferral"] ? cfg["selection-deferral"].as<uint32_t>() : 60;
      deferral_ = rib::SelectionDeferral(clock_.now() + std::chrono::seconds(seconds));
      deferral_timer_.expires_after(std::chrono::seconds(seconds));
      deferral_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) schedule_decision();
      });
    }

    for (const auto& pn : cfg["peers"]) add_peer(parse_peer(pn), hold);

    for (const auto& a : cfg["listen"])
      if (auto r = listener_.listen({session::to_asio(address(a, "listen")), 179}); !r) config_error(r.error().message);
    if (cfg["originate"])
      for (const auto& p : cfg["originate"]) {
        auto prefix = Prefix::parse(p.as<std::string>());
        if (!prefix) config_error("originate: not a prefix: " + p.as<std::string>());
        rib::RouteAttrs ra;
        ra.attrs.origin = wire::Origin::igp;
        ra.attrs.as_path = wire::AsPath{};
        ra.next_hop = prefix->is_v4() ? IpAddress::v4(0) : IpAddress::v6({});
        if (prefix->is_v4()) ra.attrs.next_hop = ra.next_hop;
        rib_->announce(rib::kLocalPeer, *prefix, 0, rib_->attrs().intern(ra));
      }
    schedule_decision();
  }

  // One entry of `peers:`; throws std::runtime_error (config_error) or
  // YAML::Exception on an error.
  PeerConfig parse_peer(const YAML::Node& pn) const { return parse_peer(pn, policies_); }
  static PeerConfig parse_peer(const YAML::Node& pn, const rib::PolicySet& policies) {
    PeerConfig pc;
    pc.name = pn["name"].as<std::string>();
    pc.address = address(pn["address"], "address");
    const auto ras = pn["remote-as"].as<std::string>();
    pc.remote_as = ras == "internal"   ? fsm::RemoteAs::internal()
                   : ras == "external" ? fsm::RemoteAs::external()
                                       : fsm::RemoteAs::exact_as(pn["remote-as"].as<uint32_t>());
    pc.local_address = address(pn["local-address"], "local-address");
    pc.rr_client = pn["rr-client"] && pn["rr-client"].as<bool>();
    pc.passive = pn["passive"] && pn["passive"].as<bool>();
    if (pn["export"] && pn["export"].IsMap()) pc.export_policy = pn["export"]["policy"].as<std::string>();
    else pc.export_all = pn["export"] && pn["export"].as<std::string>() == "all";
    if (pn["import"]) pc.import_policy = pn["import"]["policy"].as<std::string>();
    for (const auto* name : {&pc.export_policy, &pc.import_policy})
      if (!name->empty() && !policies.find(*name)) config_error("peer " + pc.name + ": no policy named " + *name);
    if (pn["max-prefix"]) {
      rib::MaxPrefix m;
      m.limit = pn["max-prefix"]["limit"].as<uint32_t>();
      const auto action = pn["max-prefix"]["action"] ? pn["max-prefix"]["action"].as<std::string>() : "warn";
      m.action = action == "restart" ? rib::MaxPrefix::Action::restart
                 : action == "block" ? rib::MaxPrefix::Action::block
                                     : rib::MaxPrefix::Action::warn;
      pc.max_prefix = m;
      if (pn["max-prefix"]["restart-after"]) pc.max_prefix_restart_after = pn["max-prefix"]["restart-after"].as<uint32_t>();
    }
    if (pn["graceful-restart"]) pc.graceful_restart = pn["graceful-restart"].as<uint16_t>();
    pc.soft_reconfiguration = pn["soft-reconfiguration"] && pn["soft-reconfiguration"].as<bool>();
    if (pn["add-path"]) {
      const auto mode = pn["add-path"].as<std::string>();
      if (mode != "send" && mode != "receive" && mode != "both") config_error("peer " + pc.name + ": add-path: send, receive or both");
      pc.add_path_send = mode != "receive";
      pc.add_path_receive = mode != "send";
    }
    if (pn["families"]) {
      pc.families.clear();
      for (const auto& f : pn["families"])
        pc.families.push_back(f.as<std::string>() == "ipv6" ? wire::Family::ipv6_unicast : wire::Family::ipv4_unicast);
    }
    return pc;
  }

  void start() {
    for (auto& p : peers_) p->session->start();
  }
  void stop() {
    for (auto& p : peers_) p->session->stop("petrel-router stopping");
  }

  void schedule_decision() {
    if (decision_pending_) return;
    decision_pending_ = true;
    asio::post(io_, [this] { decide(); });
  }

  // One decision per event-loop turn, for everything that changed since the last.
  void decide() {
    decision_pending_ = false;
    if (deferring_) {
      if (deferral_.deferring(clock_.now())) return;
      release_deferral();
    }
    std::vector<rib::RouteChange> changes;
    rib_->decide(changes);
    for (const auto& c : changes) {
      std::cout << "route " << c.prefix.to_string();
      if (c.selected.empty()) {
        std::cout << " withdrawn" << std::endl;
        continue;
      }
      std::cout << " via ";
      for (std::size_t i = 0; i < c.selected.size(); ++i) std::cout << (i ? "," : "") << name_of(c.selected[i].peer);
      std::cout << " reason " << rib::to_string(c.reason) << std::endl;
    }
    groups_->process(changes, clock_.now());
    for (auto& p : peers_) drain(*p);
  }

  // RFC 4724 §4.1: while we are the restarting speaker, a peer that does
  // graceful restart is waited for; nobody is sent a table before selection ran.
  bool deferring() const { return deferring_; }
  rib::SelectionDeferral& deferral() { return deferral_; }
  void defer_member(Peer& p) {
    if (std::find(deferred_members_.begin(), deferred_members_.end(), &p) == deferred_members_.end())
      deferred_members_.push_back(&p);
  }
  void forget_deferred(Peer& p) {
    deferred_members_.erase(std::remove(deferred_members_.begin(), deferred_members_.end(), &p),
                            deferred_members_.end());
  }
  void release_deferral();

  // Hands queued UPDATE bytes to the session while it accepts them.
  void drain(Peer& p) {
    if (!p.rib_id) return;
    while (p.session->writable()) {
      auto buf = groups_->pop(*p.rib_id);
      if (!buf) break;
      p.session->send(*buf);
    }
  }

  std::string name_of(rib::PeerId id) const {
    if (id == rib::kLocalPeer) return "local";
    for (const auto& p : peers_)
      if (p->rib_id == id) return p->cfg.name;
    return "?";
  }

  // The export policy id for a peer (see set_export_policy above): stable per
  // policy name, so a reload that changes a policy's body keeps the groups.
  uint32_t export_policy_id(const PeerConfig& pc) {
    if (pc.export_policy.empty()) return pc.export_all ? 1 : 0;
    for (std::size_t i = 0; i < export_policy_names_.size(); ++i)
      if (export_policy_names_[i] == pc.export_policy) return static_cast<uint32_t>(i + 2);
    export_policy_names_.push_back(pc.export_policy);
    export_policies_.push_back(policies_.find(pc.export_policy));
    return static_cast<uint32_t>(export_policies_.size() + 1);
  }

  // SIGHUP: policies and per-peer policy settings from the file again, applied
  // without a session reset. Peers are matched by name; other keys are not reloaded.
  void reload(const std::string& file) {
    std::vector<std::pair<Peer*, PeerConfig>> changed;
    rib::PolicySet fresh;
    try {
      const YAML::Node cfg = YAML::LoadFile(file);
      auto compiled = rib::compile_policies(cfg, file);
      if (!compiled) config_error(compiled.error().to_string());
      fresh = std::move(*compiled);
      for (const auto& pn : cfg["peers"]) {
        PeerConfig pc = parse_peer(pn, fresh);
        for (auto& p : peers_)
          if (p->cfg.name == pc.name) changed.emplace_back(p.get(), std::move(pc));
      }
    } catch (const YAML::Exception& e) {
      std::cout << "reload failed: " << file << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": " << e.msg
                << std::endl;
      return;
    } catch (const std::runtime_error& e) {
      std::cout << "reload failed: " << e.what() << std::endl;
      return;
    }
    policies_ = std::move(fresh);
    for (std::size_t i = 0; i < export_policy_names_.size(); ++i)
      export_policies_[i] = policies_.find(export_policy_names_[i]);
    for (auto& [peer, pc] : changed) {
      peer->cfg.import_policy = pc.import_policy;
      peer->cfg.export_policy = pc.export_policy;
      peer->cfg.export_all = pc.export_all;
      peer->cfg.rr_client = pc.rr_client;
      peer->cfg.soft_reconfiguration = pc.soft_reconfiguration;
      peer->import.max_prefix = pc.max_prefix;
      set_import_policy(*peer);
    }
    for (auto& [peer, pc] : changed) {
      if (!peer->rib_id || !peer->negotiated) continue;
      groups_->set_rr_client(*peer->rib_id, peer->cfg.rr_client);
      groups_->change_member(*peer->rib_id, peer->member_config());
      if (peer->received) {
        const auto r = rib::reimport(*rib_, *peer->rib_id, *peer->received, peer->import, peer->state);
        std::cout << "peer " << peer->cfg.name << " soft-reconfiguration: " << peer->received->size()
                  << " routes re-evaluated (" << r.announced << " accepted, " << r.rejected << " rejected)" << std::endl;
      } else if (peer->negotiated->route_refresh) {
        for (auto f : peer->cfg.families) {
          if (!peer->negotiated->families[wire::index(f)]) continue;
          std::vector<uint8_t> bytes;
          wire::encode_route_refresh({wire::to_afi_safi(f), wire::RefreshSubtype::request}, bytes);
          peer->session->send(bytes);
        }
        std::cout << "peer " << peer->cfg.name << " route-refresh sent" << std::endl;
      } else {
        std::cout << "peer " << peer->cfg.name << " import policy not re-evaluated: no soft-reconfiguration and no "
                  << "route refresh" << std::endl;
      }
    }
    groups_->reevaluate();
    std::cout << "reload: ok" << std::endl;
    schedule_decision();
    for (auto& p : peers_) drain(*p);
  }
  const rib::PolicySet& policies() const { return policies_; }

  rib::Rib& rib() { return *rib_; }
  rib::UpdateGroups& groups() { return *groups_; }
  uint32_t local_as() const { return local_as_; }
  uint32_t router_id() const { return router_id_; }
  uint32_t cluster_id() const { return cluster_id_; }

 private:
  void add_peer(PeerConfig pc, uint16_t hold) {
    auto peer = std::make_unique<Peer>(*this, pc, io_);
    session::SessionConfig sc;
    sc.name = pc.name;
    sc.settings.local_as = local_as_;
    sc.settings.router_id = router_id_;
    sc.settings.remote_as = pc.remote_as;
    sc.settings.hold_time = hold;
    sc.settings.families = pc.families;
    sc.passive = pc.passive;
    if (pc.graceful_restart) {
      fsm::GracefulRestartSettings gr{*pc.graceful_restart};
      gr.restarting = restarting_;    // R: we are back from a restart
      gr.forwarding_preserved = false;  // F: no FIB here, so nothing was preserved
      sc.settings.graceful_restart = gr;
    }
    for (auto f : pc.families) {
      sc.settings.add_path_send[wire::index(f)] = pc.add_path_send;
      sc.settings.add_path_receive[wire::index(f)] = pc.add_path_receive;
    }
    sc.timers.connect_retry = std::chrono::seconds(2);
    sc.timers.idle_hold_initial = std::chrono::seconds(1);
    session::TcpPeerOptions popts;
    popts.address = pc.address;
    popts.local_address = pc.local_address;
    peer->import.local_as = local_as_;
    peer->import.router_id = router_id_;
    peer->import.cluster_id = cluster_id_;
    peer->import.max_prefix = pc.max_prefix;
    set_import_policy(*peer);
    peer->session = std::make_unique<session::Session>(
        io_.get_executor(), sc, std::make_unique<session::TcpConnector>(io_.get_executor(), popts), clock_, *peer);
    table_.add_peer(pc.address, peer->session.get(), popts);
    peers_.push_back(std::move(peer));
  }

  void set_import_policy(Peer& peer) {
    peer.import.policy = nullptr;
    if (peer.cfg.import_policy.empty()) return;
    const rib::Policy* policy = policies_.find(peer.cfg.import_policy);
    const std::string name = peer.cfg.name;
    const IpAddress addr = peer.cfg.address;
    const uint32_t las = local_as_;
    peer.import.policy = [policy, name, addr, las](const Prefix& prefix, rib::RouteAttrs& attrs) {
      const rib::PolicyContext ctx{name, addr, las, std::nullopt};
      return rib::evaluate(*policy, prefix, attrs, ctx) == rib::Verdict::accept;
    };
  }

  asio::io_context& io_;
  SteadyClock clock_;
  bool restarting_ = false;
  bool deferring_ = restarting_;
  rib::SelectionDeferral deferral_;
  asio::steady_timer deferral_timer_;
  std::vector<Peer*> deferred_members_;
  rib::PolicySet policies_;
  std::vector<const rib::Policy*> export_policies_;
  std::vector<std::string> export_policy_names_;
  uint32_t local_as_ = 0, router_id_ = 0, cluster_id_ = 0;
  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<rib::UpdateGroups> groups_;  // destroyed before the Rib
  std::vector<std::unique_ptr<Peer>> peers_;
  session::PeerTable table_;
  session::Listener listener_{io_.get_executor(), table_};
  bool decision_pending_ = false;
};

void Peer::on_state_change(fsm::State from, fsm::State to, std::string_view reason) {
  std::cout << "peer " << cfg.name << " state " << fsm::to_string(from) << " -> " << fsm::to_string(to) << ": " << reason
            << std::endl;
}

void Peer::on_established(const fsm::Negotiated& n) {
  std::cout << "peer " << cfg.name << " established peer-as=" << n.peer_as << " hold=" << n.hold_time << std::endl;
  rib::PeerInfo info{cfg.address, n.peer_router_id, n.peer_as, n.external, false};
  last_notification.reset();
  if (rib_id) {
    // Back within the restart time: its stale routes wait for its End-of-RIB,
    // unless it no longer preserves forwarding for IPv4 unicast (RFC 4724 §4.2).
    gr_timer.cancel();
    router.rib().update_peer(*rib_id, info);
    const auto v4 = wire::index(wire::Family::ipv4_unicast);
    if (n.graceful_restart && n.graceful_restart->announced[v4] && n.graceful_restart->forwarding_preserved[v4])
      awaiting_end_of_rib = true;
    else
      sweep("forwarding state not preserved");
  } else {
    rib_id = router.rib().add_peer(info);
  }
  peer_gr = n.graceful_restart;
  negotiated = n;
  import.enforce_first_as = true;
  if (cfg.soft_reconfiguration) received = std::make_unique<rib::AdjRibIn>(router.rib().attrs());
  router.groups().set_rr_client(*rib_id, cfg.rr_client);
  if (router.deferring()) {
    for (auto f : cfg.families)
      if (n.families[wire::index(f)] && n.graceful_restart && n.graceful_restart->announced[wire::index(f)])
        router.deferral().expect(*rib_id, f);
    std::cout << "graceful-restart: selection deferred until End-of-RIB from " << router.deferral().outstanding()
              << " peer families" << std::endl;
    router.defer_member(*this);
    return;
  }
  router.groups().add_member(*rib_id, member_config());  // queues the table and End-of-RIB
  router.drain(*this);
}

void Router::release_deferral() {
  deferring_ = false;
  deferral_timer_.cancel();
  std::cout << "graceful-restart: selection released ("
            << (deferral_.waited_for_all() ? "all End-of-RIB" : "deadline") << ")" << std::endl;
  // The next connections are not restarts any more: the R bit goes.
  for (auto& p : peers_)
    if (p->cfg.graceful_restart) {
      fsm::SessionSettings s = p->session->fsm().settings();
      s.graceful_restart->restarting = false;
      p->session->update_settings(s);
    }
  // Selection runs now (in the caller); members join after it, so that their
  // first table is the decided one (then End-of-RIB).
  asio::post(io_, [this] {
    for (Peer* p : deferred_members_)
      if (p->rib_id && p->negotiated) groups_->add_member(*p->rib_id, p->member_config());
    deferred_members_.clear();
    for (auto& p : peers_) drain(*p);
  });
}

rib::MemberConfig Peer::member_config() const {
  const fsm::Negotiated& n = *negotiated;
  rib::MemberConfig m;
  for (auto f : cfg.families) {
    if (!n.families[wire::index(f)]) continue;
    rib::ExportPeer e;
    e.external = n.external;
    e.rr_client = cfg.rr_client;
    e.peer_as = n.peer_as;
    e.local_address = cfg.local_address;
    e.has_export_policy = cfg.export_all || !cfg.export_policy.empty();
    // Only families whose next hop we can give in our session address's family.
    if ((f == wire::Family::ipv4_unicast) == cfg.local_address.is_v4()) m.families[wire::index(f)] = e;
  }
  m.codec = n.codec_context();
  m.export_policy = router.export_policy_id(cfg);
  return m;
}

// RFC 2918 §4 / RFC 7313 §4: a request is answered with the Adj-RIB-Out of the
// family; the peer's own Beginning/End-of-Route-Refresh bracket a re-send of its
// routes: what it did not send again in between is gone.
void Peer::on_route_refresh(const wire::RouteRefreshMessage& m) {
  if (!rib_id || !negotiated) return;
  const wire::Family family =
      m.afi_safi == wire::to_afi_safi(wire::Family::ipv6_unicast) ? wire::Family::ipv6_unicast : wire::Family::ipv4_unicast;
  if (m.afi_safi != wire::to_afi_safi(family)) return;  // not a family we carry (RFC 2918 §4: ignore)
  switch (m.subtype) {
    case wire::RefreshSubtype::request:
      std::cout << "peer " << cfg.name << " route-refresh received " << wire::to_string(family) << std::endl;
      router.groups().resend(*rib_id, family, negotiated->enhanced_route_refresh);
      router.drain(*this);
      break;
    case wire::RefreshSubtype::begin:
      router.rib().mark_stale(*rib_id, family);
      break;
    case wire::RefreshSubtype::end: {
      const std::size_t n = router.rib().sweep_stale(*rib_id, family);
      state.prefixes -= std::min<uint64_t>(state.prefixes, n);
      std::cout << "peer " << cfg.name << " enhanced route refresh done: " << n << " routes swept" << std::endl;
      router.schedule_decision();
      break;
    }
  }
}

// RFC 4724 §4.2: a session that ends without a NOTIFICATION, with a peer that
// advertised graceful restart for IPv4 unicast, keeps the peer's routes. RFC 8538
// (both sides set the N bit): after a NOTIFICATION too, except a Hard Reset or a
// Cease we sent (we meant the session to end).
bool Peer::keeps_routes_through_restart() const {
  const auto v4 = wire::index(wire::Family::ipv4_unicast);
  if (!peer_gr || peer_gr->restart_time == 0 || !peer_gr->announced[v4]) return false;
  if (!last_notification) return true;
  const bool both_n = peer_gr->notification && cfg.graceful_restart.has_value();
  const bool hard_reset = last_notification->code == wire::err::cease && last_notification->subcode == wire::err::hard_reset;
  const bool our_cease = last_notification_sent && last_notification->code == wire::err::cease;
  return both_n && !hard_reset && !our_cease;
}

void Peer::sweep(const char* why) {
  awaiting_end_of_rib = false;
  if (!rib_id) return;
  const std::size_t n = router.rib().sweep_stale(*rib_id);
  std::cout << "peer " << cfg.name << " stale routes swept: " << n << " (" << why << ")" << std::endl;
  state.prefixes -= std::min<uint64_t>(state.prefixes, n);
  router.schedule_decision();
}

void Peer::on_down(std::string_view) {
  router.forget_deferred(*this);
  if (rib_id) router.deferral().forget(*rib_id);
  negotiated.reset();
  received.reset();  // kept routes are stale now, re-sent in full after the restart
  if (!rib_id) return;
  router.groups().remove_member(*rib_id);
  awaiting_end_of_rib = false;
  if (keeps_routes_through_restart()) {
    const std::size_t n = router.rib().mark_stale(*rib_id);
    const unsigned seconds = peer_gr->restart_time;
    std::cout << "peer " << cfg.name << " graceful-restart keeping " << n << " routes for " << seconds << " seconds"
              << std::endl;
    gr_timer.expires_after(std::chrono::seconds(seconds));
    gr_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !rib_id || session->state() == fsm::State::established) return;
      // RFC 9494 §4.2: with long-lived graceful restart, the routes stay for the
      // long-lived stale time, least preferred.
      const auto llst = peer_gr->long_lived_stale_time[wire::index(wire::Family::ipv4_unicast)];
      if (!llst || *llst == 0) return expire_stale("graceful-restart timer expired");
      const std::size_t marked = router.rib().mark_llgr_stale(*rib_id);
      std::cout << "peer " << cfg.name << " long-lived graceful restart: " << marked << " routes LLGR_STALE for " << *llst
                << " seconds" << std::endl;
      router.schedule_decision();
      gr_timer.expires_after(std::chrono::seconds(*llst));
      gr_timer.async_wait([this](const boost::system::error_code& ec2) {
        if (ec2 || !rib_id || session->state() == fsm::State::established) return;
        expire_stale("long-lived stale timer expired");
      });
    });
    return;
  }
  router.rib().remove_peer(*rib_id);
  rib_id.reset();
  state = {};
  router.schedule_decision();
}

void Peer::expire_stale(const char* why) {
  const std::size_t gone = router.rib().sweep_stale(*rib_id);
  std::cout << "peer " << cfg.name << " " << why << ": " << gone << " stale routes removed" << std::endl;
  router.rib().remove_peer(*rib_id);
  rib_id.reset();
  state = {};
  router.schedule_decision();
}

void Peer::on_update(const wire::Update& u) {
  if (!rib_id) return;
  if (auto f = u.end_of_rib(); f && router.deferring()) {
    router.deferral().end_of_rib(*rib_id, *f);
    router.schedule_decision();
  }
  // RFC 4724 §4.2: the End-of-RIB of a restarted peer ends its stale routes.
  if (awaiting_end_of_rib && u.end_of_rib() == wire::Family::ipv4_unicast) return sweep("End-of-RIB");
  const auto report = rib::import_update(router.rib(), *rib_id, u, import, state, received.get());
  if (report.limit == rib::LimitEvent::restart) {
    // RFC 4486: tell the peer why, then start again after IdleHold.
    session->automatic_stop(rib::max_prefix_notification(wire::Family::ipv4_unicast, import.max_prefix->limit),
                            "maximum number of prefixes reached",
                            std::chrono::seconds(cfg.max_prefix_restart_after));
  }
  router.schedule_decision();
}

void Peer::on_writable() { router.drain(*this); }

}  // namespace

int main(int argc, char** argv) {
  const bool restarting = argc == 4 && std::string(argv[3]) == "--restarting";
  if ((argc != 3 && !restarting) || std::string(argv[1]) != "--config") {
    std::cerr << "usage: petrel-router --config FILE.yaml [--restarting]\n";
    return 2;
  }
  YAML::Node cfg;
  try {
    cfg = YAML::LoadFile(argv[2]);
  } catch (const YAML::Exception& e) {
    std::cerr << "petrel-router: " << argv[2] << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": " << e.msg
              << "\n";
    return 2;
  }
  asio::io_context io;
  std::unique_ptr<Router> router;
  try {
    router = std::make_unique<Router>(io, cfg, argv[2], restarting);
  } catch (const YAML::Exception& e) {
    std::cerr << "petrel-router: " << argv[2] << ":" << e.mark.line + 1 << ": " << e.msg << "\n";
    return 2;
  } catch (const std::runtime_error& e) {
    std::cerr << "petrel-router: " << e.what() << "\n";
    return 2;
  }
  const std::string file = argv[2];
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      router->reload(file);
      wait_hangup();
    });
  };
  wait_hangup();
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    hangup.cancel();
    router->stop();
    grace.expires_after(std::chrono::milliseconds(300));
    grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });
  router->start();
  io.run();
  return 0;
}
