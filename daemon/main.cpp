// daemon/main.cpp — petreld: wires the modules together and does nothing else.
//
//   petreld -c FILE [-s SOCKET] [--check] [--foreground]
//
// Edges (typed queues and callbacks), each named:
//   config file  -> load_config -> file Config                 (start, SIGHUP, `configure`)
//   Kubernetes API -> K8sFeed informers -> (coalesced, ~100 ms) -> derive()
//   file Config + derived -> build_effective_config -> Config  (daemon/effective_config.hpp)
//   Config       -> BgpSpeaker::apply                          (sessions, RIB, update groups; differences only)
//   BgpSpeaker   -> ChangeSink -> FibFeed -> FibWriter queue    (RIB changes to the kernel; never waits)
//                            -> StoreFeed -> Store queue        (route journal, snapshot; its own thread, never waits)
//   kernel links/addresses/routes -> NextHopFeed -> BgpSpeaker::next_hops_changed  (RIB reconverges)
//   control socket line -> ControlHandler -> BgpSpeaker / hooks -> Reply
//   MetricsServer scrape -> snapshot of BgpSpeaker and FibWriter; /readyz -> ready()
//   BFD thread (bfd::ServiceThread, owned by BgpSpeaker) -> post -> Peer::on_bfd -> its Session
// One thread runs the io_context (BGP, RIB, control, metrics); the FIB writer
// and the store have their own threads behind their queues, and BFD has its
// own thread and io_context, so that a long handler here (a decision over a
// full table, `mrt dump rib`) never stops BFD transmission.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "core/log.hpp"
#include "daemon/bgp_speaker.hpp"
#include "daemon/config.hpp"
#include "daemon/control_handler.hpp"
#include "daemon/control_server.hpp"
#include "daemon/config_diff.hpp"
#include "daemon/daemon_fib.hpp"
#include "daemon/effective_config.hpp"
#include "daemon/forwarding_state.hpp"
#include "fib/fib_writer.hpp"
#include "daemon/k8s_feed.hpp"
#include "daemon/k8s_show.hpp"
#include "daemon/metrics.hpp"
#include "daemon/nexthop_feed.hpp"
#include "daemon/store_feed.hpp"

#ifndef PETREL_VERSION
#define PETREL_VERSION "0.0.0"
#endif

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace petrel;
using namespace petrel::daemon;

namespace {

struct Options {
  std::string config_file;
  std::optional<std::string> socket;
  bool check = false;
  bool foreground = false;
};

// Exit codes: 0 ok, 1 bad configuration or start failure, 2 bad command line.
std::optional<Options> parse_args(int argc, char** argv, int& exit_code) {
  Options o;
  po::options_description d("petreld options");
  d.add_options()("help,h", "this help")("config,c", po::value<std::string>(&o.config_file), "configuration file (YAML)")(
      "socket,s", po::value<std::string>(), "control socket (overrides control-socket in the file)")(
      "check", po::bool_switch(&o.check), "check the configuration, print it normalized, exit")(
      "foreground", po::bool_switch(&o.foreground), "stay in the foreground, log to stderr");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, d), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "petreld: " << e.what() << "\n" << d;
    exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << "usage: petreld -c FILE [-s SOCKET] [--check] [--foreground]\n" << d;
    exit_code = 0;
    return std::nullopt;
  }
  if (o.config_file.empty()) {
    std::cerr << "petreld: -c FILE is required\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("socket")) o.socket = vm["socket"].as<std::string>();
  return o;
}

// The running daemon: what the hooks of the control socket act on.
class Daemon {
 public:
  Daemon(asio::io_context& io, Config config, k8s::KubernetesConfig kube, Options options)
      : io_(io), options_(std::move(options)), file_config_(config), kube_(std::move(kube)), config_(std::move(config)),
        fib_(config_.fib), next_hops_(NextHopFeed::open(io, config_.fib)),
        store_(config_, [this](rib::PeerId id) { return speaker_.name_of(id); }, restarting()),
        speaker_(io, config_,
                 [this](std::span<const rib::RouteChange> c, rib::DecidedPaths& d, const rib::Rib& r) {
                   if (!c.empty()) fib_.apply(c, r);
                   store_.apply(c, d, r);
                 },
                 restarting(), forwarding_state(), next_hops_ ? &next_hops_->resolver() : nullptr),
        handler_(speaker_, hooks(), PETREL_VERSION),
        control_(io.get_executor(), [this](std::string_view line, bool ro) { return handler_.handle(line, ro); },
                 std::string("Petrel ") + PETREL_VERSION + " ready."),
        undo_timer_(io), down_timer_(io) {
    fib_.set_announce_only(announce_only(config_));
    // What the kernel acknowledges, to the store (the set installed in the kernel).
    fib_.set_confirmed([this](fib::KernelConfirmation&& c) { store_.confirm_kernel(std::move(c)); });
    // Restart: the kernel keeps our old routes until selection ran (FibFeed).
    if (!restarting()) fib_.start();
    else speaker_.on_selection_released([this] { fib_.start(); });
    // Warm restart: the snapshot's paths stand in until selection is released.
    speaker_.set_report_paths(store_.store() != nullptr);  // the snapshot keeps every path
    speaker_.seed_snapshot(store_.take_snapshot());
    // Warm restart: selection waits for the peers that were Established with
    // graceful restart before it (daemon/restart_peers.hpp); their state is kept
    // current in the store as sessions go up and down.
    speaker_.on_peer_state([this](const rib::store::PeerRestartState& s) { store_.record_peer_state(s); });
    speaker_.set_restart_peer_states(store_.peer_states_before(), /*release_when_none=*/!kube_.enabled);
    // A drain lasts until `drain stop`, across restarts (a cordon persists until
    // uncordon): on before any session comes up, so no peer is ever sent our
    // routes unmarked, nor the service IPs.
    if (store_.draining_before()) {
      speaker_.set_draining(true);
      spdlog::warn("drained before the restart: still draining; `drain stop` ends it");
    }
    // The kernel's state was read before the first decision; from now on its
    // changes re-decide the prefixes whose next hops they affect.
    if (next_hops_)
      next_hops_->start([this](const std::vector<IpAddress>& changed) { speaker_.next_hops_changed(changed); });
  }

  // The FIB writer hands confirmations to the store: it stops first.
  ~Daemon() { fib_.stop(); }

  bool start() {
    const std::string socket = options_.socket.value_or(config_.control_socket);
    if (auto r = control_.listen(socket, false); !r) return fail(r.error());
    if (config_.control_socket_readonly)
      if (auto r = control_.listen(*config_.control_socket_readonly, true); !r) return fail(r.error());
    if (auto r = speaker_.listen(); !r) return fail(r.error());
    if (config_.metrics) {
      metrics_ = std::make_unique<MetricsServer>(io_.get_executor(), [this] { return snapshot(); });
      metrics_->set_readiness([this] { return not_ready(); });
      if (auto r = metrics_->listen(*config_.metrics); !r) return fail("metrics: " + r.error());
    }
    if (kube_.enabled) {
      auto client = make_api_client(io_.get_executor(), kube_, clock_);
      if (!client) return fail(client.error());
      start_feed(*client);
    }
    speaker_.start();
    if (speaker_.deferring())
      spdlog::info("graceful restart: {} routes kept in the kernel; selection waits for End-of-RIB",
                   fib_.adopted_routes());
    spdlog::info("petreld {} started: router id {}, AS {}, {} peers, control socket {}", PETREL_VERSION,
                 IpAddress::v4(config_.router_id).to_string(), config_.local_as, config_.peers.size(), socket);
    return true;
  }

  // SIGHUP and `configure`: read the file again, apply only the difference.
  Reply reconfigure(const Command& c) {
    switch (c.configure) {
      case Command::Configure::confirm:
        if (!undo_) return Reply().end(reply_code::ok, "No configuration to confirm");
        undo_.reset();
        undo_timer_.cancel();
        return Reply().end(reply_code::reconfigured, "Reconfiguration confirmed");
      case Command::Configure::undo: {
        if (!previous_) return Reply::error(reply_code::runtime_error, "Nothing to undo");
        const Config back = *previous_;
        previous_.reset();
        undo_.reset();
        undo_timer_.cancel();
        auto kube = prepare_kubernetes(back);  // it was valid when it ran; the access may have changed
        if (!kube) return Reply::error(reply_code::runtime_error, kube.error());
        for (const auto& line : set_file_config(back, std::move(*kube))) spdlog::info("configure undo: {}", line);
        return Reply().end(reply_code::undo_requested, "Undo requested");
      }
      default: break;
    }
    const std::string file = c.file.empty() ? options_.config_file : c.file;
    Reply r;
    r.line(reply_code::reading_config, "Reading configuration from " + file);
    auto next = load_config(file);
    if (!next) {
      spdlog::error("configuration {} rejected, running configuration kept: {}", file, next.error().to_string());
      return r.end(8002, next.error().to_string());
    }
    // The kubernetes section is read (and the API server's access checked) before
    // anything is applied: a bad one keeps the running configuration.
    auto kube = prepare_kubernetes(*next);
    if (!kube) {
      spdlog::error("configuration {} rejected, running configuration kept: {}", file, kube.error());
      return r.end(8002, kube.error());
    }
    if (c.configure == Command::Configure::check) return r.end(reply_code::config_ok, "Configuration OK");
    previous_ = file_config_;
    for (const auto& line : set_file_config(*next, std::move(*kube))) {
      spdlog::info("configure: {}", line);
      r.line(reply_code::reading_config, line);
    }
    if (c.configure == Command::Configure::timeout) {
      undo_ = previous_;
      undo_timer_.expires_after(std::chrono::seconds(c.timeout_seconds));
      undo_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !undo_) return;
        spdlog::warn("configure timeout: not confirmed, rolling back");
        Command u;
        u.verb = Command::Verb::configure;
        u.configure = Command::Configure::undo;
        reconfigure(u);
      });
      return r.end(reply_code::reconfigured, "Reconfigured; undo in " + std::to_string(c.timeout_seconds) +
                                                 " s unless `configure confirm`");
    }
    return r.end(reply_code::reconfigured, "Reconfigured");
  }

  // `drain and down SECONDS`: the peers move their traffic away while we wait,
  // then the sessions close as with `down`. nullopt (`drain stop`) cancels.
  bool down_after(std::optional<uint32_t> seconds) {
    const bool pending = down_pending_;
    down_pending_ = seconds.has_value();
    down_timer_.cancel();
    if (!seconds) return pending;
    spdlog::info("drain and down: shutting down in {} s", *seconds);
    down_timer_.expires_after(std::chrono::seconds(*seconds));
    down_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !down_pending_) return;
      shutdown("drain and down", /*restart=*/false);
    });
    return pending;
  }

  // `restart`: `down` and SIGTERM, petreld comes back; the kernel keeps forwarding
  // to our peers' routes and graceful-restart peers keep forwarding to ours until
  // we are back or their restart timer ends (stop_for_restart). `drain and down`
  // is a leave: the traffic has moved, every peer gets the Cease and flushes.
  void shutdown(const char* why, bool restart = true) {
    if (stopping_) return;
    stopping_ = true;
    spdlog::info("petreld stopping ({}); kernel routes stay in place", why);
    fib_.freeze();
    if (restart) speaker_.stop_for_restart("petreld restarting");
    else speaker_.stop("petreld shutting down");
    // Let the NOTIFICATIONs go out, then stop the loop.
    auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(300));
    t->async_wait([this, t](const boost::system::error_code&) { io_.stop(); });
  }

 private:
  // Originated prefixes without a blackhole route in the kernel.
  static std::set<Prefix> announce_only(const Config& c) {
    std::set<Prefix> out;
    for (const Originate& o : c.originate)
      if (!o.blackhole) out.insert(o.prefix);
    return out;
  }

  // A restart in the graceful-restart sense: our routes are still in the kernel
  // and some peer does graceful restart, so selection waits for its End-of-RIB.
  // Without such a peer there is nothing to wait for: the FIB reconciles at once.
  // Peers derived from Kubernetes come later and all do graceful restart.
  // The OPEN's F bit per family (daemon/forwarding_state.hpp): set only when
  // the kernel still holds every route we had installed before the restart.
  // Called once, while the speaker is built (the records are let go afterwards).
  std::array<bool, 2> forwarding_state() {
    const auto before = store_.take_kernel_set_before();
    const auto found = fib_.take_found_at_start();
    const bool had = before && !before->empty();
    if (!restarting() && !had) return {};
    const ForwardingVerdict v = judge_forwarding(before, found);
    const auto lines = describe(v);
    for (std::size_t f = 0; f < lines.size(); ++f)
      if (restarting()) spdlog::info("graceful restart: {}", lines[f]);
      else if (v.family[f].installed > 0) spdlog::info("cold start: {}", lines[f]);  // why no restart
    return restarting() ? v.f_bits() : std::array<bool, 2>{};
  }

  bool restarting() const {
    return fib_.adopted_routes() > 0 &&
           (kube_.enabled || std::any_of(config_.peers.begin(), config_.peers.end(),
                                         [](const PeerConfig& p) { return p.graceful_restart.has_value(); }));
  }

  // ---- Kubernetes

  // A new feed on `client` (the old one, if any, is gone): what the old one
  // derived stays announced until the new one has listed the nodes.
  void start_feed(std::shared_ptr<k8s::ApiClient> client) {
    feed_ = std::make_unique<K8sFeed>(std::move(client), kube_, [this] { refresh(); });
    feed_->start();
  }

  // A configuration's kubernetes section, and a client for it when it differs
  // from the running one and is enabled: everything that can fail, before
  // anything is applied.
  struct KubernetesChange {
    k8s::KubernetesConfig config;
    std::shared_ptr<k8s::ApiClient> client;  // null: no new feed needed
  };
  Result<KubernetesChange, std::string> prepare_kubernetes(const Config& file) {
    using R = Result<KubernetesChange, std::string>;
    auto kube = kubernetes_section(file);
    if (!kube) return R(boost::system::in_place_error, kube.error());
    KubernetesChange change{std::move(*kube), nullptr};
    if (change.config.enabled && !(change.config == kube_)) {
      auto client = make_api_client(io_.get_executor(), change.config, clock_);
      if (!client) return R(boost::system::in_place_error, client.error());
      change.client = *client;
    }
    return change;
  }

  // The file's configuration changed (reload, undo): the feed restarts when the
  // kubernetes section changed, then the effective configuration is applied.
  std::vector<std::string> set_file_config(Config file, KubernetesChange kube_change) {
    std::vector<std::string> done;
    k8s::KubernetesConfig& kube = kube_change.config;
    if (!(kube == kube_)) {
      if (feed_ && !held_) held_ = feed_->derive(file_config_.local_as);
      feed_.reset();
      kube_ = std::move(kube);
      if (!kube_.enabled) {
        held_.reset();
        done.push_back("kubernetes: disabled, nothing derived any more");
      } else {
        start_feed(std::move(kube_change.client));
        done.push_back("kubernetes: section changed, watching again (what was derived stays until the nodes are listed)");
      }
    }
    file_config_ = std::move(file);
    for (auto& line : apply_effective()) done.push_back(std::move(line));
    if (done.empty()) done.push_back("nothing changed");
    return done;
  }

  // The feed saw a change (coalesced): derive again and apply the difference.
  void refresh() {
    if (stopping_) return;
    for (const auto& line : apply_effective()) spdlog::info("kubernetes: {}", line);
  }

  std::optional<k8s::Derived> current_derived() {
    if (!feed_) return std::nullopt;
    if (feed_->synced()) k8s_synced_once_ = true;
    auto d = feed_->derive(file_config_.local_as);
    if (d) held_.reset();
    else d = held_;  // a restarted feed that has not listed the nodes yet
    if (d) feed_->watch_secrets(*d);
    return d;
  }

  std::vector<std::string> apply_effective() {
    derived_ = current_derived();
    EffectiveConfig next = build_effective_config(file_config_, derived_, [this](const k8s::SecretKeyRef& ref) {
      return feed_ ? feed_->secret(ref) : std::nullopt;
    });
    if (next.notes != effective_notes_)
      for (const auto& n : next.notes) spdlog::info("kubernetes: {}", n);
    effective_notes_ = std::move(next.notes);
    if (equivalent(next.config, config_) && next.config.file == config_.file) return {};
    fib_.set_announce_only(announce_only(next.config));  // before the decision the apply schedules
    auto done = speaker_.apply(next.config);
    config_ = std::move(next.config);
    return done;
  }

  // /readyz: the configuration is loaded (we run) and, with Kubernetes, the
  // caches were listed once; afterwards ready for good (API outages and graceful
  // restart do not make petreld unready).
  std::optional<std::string> not_ready() {
    if (!kube_.enabled || k8s_synced_once_) return std::nullopt;
    if (feed_ && feed_->synced()) {
      k8s_synced_once_ = true;
      return std::nullopt;
    }
    return std::string("kubernetes: nodes, services and endpointslices not listed yet");
  }

  Reply show_k8s(const Command& c) {
    K8sView v;
    v.enabled = kube_.enabled;
    v.node_name = kube_.node_name;
    if (feed_) {
      v.server = feed_->server();
      v.informers = feed_->status();
    }
    v.synced_once = k8s_synced_once_ || (feed_ && feed_->synced());
    v.derived = derived_;
    v.held = derived_ && held_ && !(feed_ && feed_->nodes_synced());
    v.effective_notes = effective_notes_;
    return daemon::show_k8s(v, c.json);
  }

  ControlHandler::Hooks hooks() {
    ControlHandler::Hooks h;
    h.configure = [this](const Command& c) { return reconfigure(c); };
    h.down = [this] { shutdown("down"); };
    h.down_after = [this](std::optional<uint32_t> seconds) { return down_after(seconds); };
    h.show_fib = [this](const Command& c) { return fib_.show(c); };
    h.store = [this](const Command& c) {
      return c.verb == Command::Verb::mrt_dump ? store_.mrt_dump(c, speaker_) : store_.show_history(c);
    };
    h.show_k8s = [this](const Command& c) { return show_k8s(c); };
    h.draining_changed = [this](bool on) { store_.record_draining(on); };
    return h;
  }

  MetricsSnapshot snapshot() {
    MetricsSnapshot s;
    s.version = PETREL_VERSION;
    s.start_time_seconds =
        std::chrono::duration<double>(speaker_.started().time_since_epoch()).count();
    s.draining = speaker_.draining();
    const auto now = std::chrono::system_clock::now();
    for (const PeerView& p : speaker_.peers()) {
      PeerMetrics m;
      m.name = p.name;
      m.address = p.address.to_string();
      std::string st(bgp::fsm::to_string(p.state));
      for (char& ch : st) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      m.state = st;
      if (p.state == bgp::fsm::State::established) m.uptime_seconds = std::chrono::duration<double>(now - p.since).count();
      m.flaps = p.stats.flaps;
      m.messages_in = p.stats.in.total();
      m.messages_out = p.stats.out.total();
      m.updates_in = p.stats.in[bgp::wire::MessageType::update];
      m.updates_out = p.stats.out[bgp::wire::MessageType::update];
      m.prefixes_accepted = p.import.prefixes;
      m.prefixes_received = p.import.prefixes + p.import.rejected_by_policy;
      m.prefixes_advertised = p.routes_advertised;
      if (p.bfd) m.bfd_up = p.bfd->state == bfd::State::up;
      s.peers.push_back(std::move(m));
    }
    s.rib_prefixes = speaker_.rib().prefix_count();
    s.rib_paths = speaker_.rib().path_count();
    s.rib_attribute_sets = speaker_.rib().attrs().size();
    s.rib_memory_bytes = speaker_.rib().table_memory_bytes();
    s.fib = fib_.metrics();
    if (auto* st = store_.store()) {
      const auto x = st->stats();
      s.store = StoreMetrics{true, x.journal_entries, x.records_written, x.records_dropped, x.entries_expired,
                             x.queued_records};
    }
    s.bfd_packets_discarded = speaker_.bfd_counters().discarded;
    s.k8s.enabled = kube_.enabled;
    s.k8s.synced = k8s_synced_once_ || (feed_ && feed_->synced());
    if (derived_ && derived_->node_known) {
      s.k8s.announcements = derived_->announcements.size();
      s.k8s.peers = derived_->peers.size();
    }
    if (feed_)
      for (const InformerStatus& i : feed_->status())
        s.k8s.informers.push_back({i.resource, i.synced, static_cast<uint64_t>(i.errors)});
    return s;
  }

  bool fail(const std::string& why) {
    spdlog::error("{}", why);
    return false;
  }

  asio::io_context& io_;
  Options options_;
  Config file_config_;             // what the file says
  k8s::KubernetesConfig kube_;     // its kubernetes section
  Config config_;                  // what runs: the file's plus what Kubernetes derives
  FibFeed fib_;          // before the speaker: the speaker's sink feeds it
  std::unique_ptr<NextHopFeed> next_hops_;  // before the speaker: its RIB resolves through it
  StoreFeed store_;      // before the speaker: the speaker's sink feeds it
  BgpSpeaker speaker_;
  ControlHandler handler_;
  ControlServer control_;
  std::unique_ptr<MetricsServer> metrics_;
  SteadyClock clock_;                      // the API client's
  std::unique_ptr<K8sFeed> feed_;          // with kubernetes.enabled
  std::optional<k8s::Derived> held_;       // the previous feed's, until the new one lists the nodes
  std::optional<k8s::Derived> derived_;    // what the last refresh derived (show k8s)
  std::vector<std::string> effective_notes_;
  bool k8s_synced_once_ = false;
  std::optional<Config> previous_;  // the file's configuration, for `configure undo`
  std::optional<Config> undo_;      // armed by `configure timeout`
  asio::steady_timer undo_timer_;
  asio::steady_timer down_timer_;  // `drain and down`
  bool down_pending_ = false;
  bool stopping_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = parse_args(argc, argv, exit_code);
  if (!options) return exit_code;

  auto config = load_config(options->config_file);
  if (!config) {
    std::cerr << "petreld: " << config.error().to_string() << "\n";
    return 1;
  }
  auto kube = kubernetes_section(*config);
  if (!kube) {
    std::cerr << "petreld: " << kube.error() << "\n";
    return 1;
  }
  if (options->check) {
    std::cout << print_config(*config);
    return 0;
  }
  init_logging(parse_log_level(config->log_level).value_or(LogLevel::info), /*with_timestamps=*/true);
  if (!options->foreground && ::daemon(/*nochdir=*/1, /*noclose=*/1) != 0) {
    spdlog::error("cannot go to the background");
    return 1;
  }

  asio::io_context io(1);
  Daemon d(io, std::move(*config), std::move(*kube), *options);
  if (!d.start()) return 1;
  asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) d.shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      Command c;
      c.verb = Command::Verb::configure;
      const Reply r = d.reconfigure(c);
      for (const auto& [code, text] : r.entries()) spdlog::info("SIGHUP: {}", text);
      wait_hangup();
    });
  };
  wait_hangup();
  io.run();
  return 0;
}
