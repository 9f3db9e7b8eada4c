// tests/tools/petrel_speaker.cpp — a one-peer BGP speaker for interop tests,
// until petreld exists: it runs one Session (with the real TCP connector and
// listener, MD5, GTSM, collisions) and prints one line per event on stdout:
//   state FROM -> TO: REASON
//   established peer-as=N hold=S keepalive=S families=… four-octet-as=yes|no …
//   notification-sent|notification-received CODE/SUBCODE DESCRIPTION
//   idle-hold SECONDS
//   connection incoming|outgoing LOCAL -> REMOTE
//   collision kept incoming|outgoing
//   update announced=N withdrawn=M
// SIGTERM or SIGINT stops the session with an RFC 9003 message, then exits.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bgp/session/listener.hpp"
#include "bgp/session/session.hpp"
#include "bgp/session/tcp_transport.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;
using namespace petrel;
using namespace petrel::bgp;

namespace {

std::string families(const std::array<bool, wire::kFamilyCount>& f) {
  std::string out;
  for (auto fam : {wire::Family::ipv4_unicast, wire::Family::ipv6_unicast})
    if (f[wire::index(fam)]) out += std::string(out.empty() ? "" : ",") + (fam == wire::Family::ipv4_unicast ? "ipv4" : "ipv6");
  return out.empty() ? "none" : out;
}
const char* yes(bool b) { return b ? "yes" : "no"; }

struct Printer : session::SessionObserver {
  bool graceful_restart_offered = false;
  void line(const std::string& s) { std::cout << s << std::endl; }
  void on_state_change(fsm::State from, fsm::State to, std::string_view reason) override {
    line("state " + std::string(fsm::to_string(from)) + " -> " + std::string(fsm::to_string(to)) + ": " + std::string(reason));
  }
  void on_established(const fsm::Negotiated& n) override {
    std::ostringstream o;
    o << "established peer-as=" << n.peer_as << " hold=" << n.hold_time << " keepalive=" << n.keepalive_time
      << " families=" << families(n.families) << " four-octet-as=" << yes(n.four_octet_as)
      << " route-refresh=" << yes(n.route_refresh) << " enhanced-route-refresh=" << yes(n.enhanced_route_refresh)
      << " extended-message=" << yes(n.extended_message) << " add-path-rx=" << families(n.add_path_receive)
      << " add-path-tx=" << families(n.add_path_send) << " graceful-restart=" << yes(graceful_restart_offered && n.graceful_restart.has_value());
    line(o.str());
  }
  void on_notification(bool sent, const wire::NotificationMessage& n) override {
    std::string text = std::string(sent ? "notification-sent " : "notification-received ") + std::to_string(n.code) +
                       "/" + std::to_string(n.subcode) + " " + wire::describe_code(n.code, n.subcode);
    if (auto m = n.shutdown_message()) text += ": " + *m;
    line(text);
  }
  void on_idle_hold(Duration d) override {
    line("idle-hold " + std::to_string(std::lround(std::chrono::duration<double>(d).count())));
  }
  void on_connection(bool incoming, std::string_view local, std::string_view remote) override {
    line(std::string("connection ") + (incoming ? "incoming " : "outgoing ") + std::string(local) + " -> " + std::string(remote));
  }
  void on_collision(bool kept_incoming) override { line(std::string("collision kept ") + (kept_incoming ? "incoming" : "outgoing")); }
  void on_update(const wire::Update& u) override {
    const std::size_t ann = u.nlri.size() + (u.mp_reach ? u.mp_reach->nlri.size() : 0);
    const std::size_t wd = u.withdrawn.size() + (u.mp_unreach ? u.mp_unreach->nlri.size() : 0);
    line("update announced=" + std::to_string(ann) + " withdrawn=" + std::to_string(wd));
  }
};

std::optional<wire::Family> parse_family(const std::string& s) {
  if (s == "ipv4") return wire::Family::ipv4_unicast;
  if (s == "ipv6") return wire::Family::ipv6_unicast;
  return std::nullopt;
}

[[noreturn]] void usage_error(const std::string& what) {
  std::cerr << "petrel-speaker: " << what << "\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("petrel-speaker options");
  desc.add_options()("help", "this help")
      ("local-as", po::value<uint32_t>()->required(), "our AS")
      ("router-id", po::value<std::string>()->required(), "our BGP identifier (an IPv4 address)")
      ("peer", po::value<std::string>()->required(), "the peer's address")
      ("remote-as", po::value<std::string>()->required(), "the peer's AS, or internal / external")
      ("local-address", po::value<std::string>(), "source address for outgoing connections")
      ("port", po::value<uint16_t>()->default_value(179), "the peer's port, and ours to listen on")
      ("listen", po::value<std::vector<std::string>>(), "address to listen on (repeatable)")
      ("hold-time", po::value<uint16_t>()->default_value(90), "hold time offered, seconds")
      ("connect-retry", po::value<unsigned>()->default_value(30), "ConnectRetry, seconds")
      ("idle-hold", po::value<unsigned>()->default_value(5), "first IdleHold after an error, seconds")
      ("password-file", po::value<std::string>(), "TCP-MD5 key (RFC 2385), read from this file")
      ("passive", "never connect; wait for the peer")
      ("family", po::value<std::vector<std::string>>(), "ipv4 | ipv6 (repeatable; default ipv4)")
      ("add-path-receive", po::value<std::vector<std::string>>(), "family to receive ADD-PATH for")
      ("add-path-send", po::value<std::vector<std::string>>(), "family to send ADD-PATH for")
      ("graceful-restart", po::value<uint16_t>(), "announce graceful restart with this restart time")
      ("ttl-security", po::value<int>(), "GTSM: accept only peers this many hops away (RFC 5082)")
      ("multihop", po::value<int>(), "TTL for a multihop peer")
      ("interface", po::value<std::string>(), "interface of an IPv6 link-local peer");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(e.what());
  }

  session::SessionConfig cfg;
  cfg.name = "peer";
  auto& s = cfg.settings;
  s.local_as = vm["local-as"].as<uint32_t>();
  auto rid = IpAddress::parse(vm["router-id"].as<std::string>());
  if (!rid || !rid->is_v4()) usage_error("--router-id must be an IPv4 address");
  s.router_id = rid->v4_value();
  const auto peer = IpAddress::parse(vm["peer"].as<std::string>());
  if (!peer) usage_error("--peer is not an address");
  const std::string ras = vm["remote-as"].as<std::string>();
  if (ras == "internal") s.remote_as = fsm::RemoteAs::internal();
  else if (ras == "external") s.remote_as = fsm::RemoteAs::external();
  else {
    try {
      s.remote_as = fsm::RemoteAs::exact_as(static_cast<uint32_t>(std::stoul(ras)));
    } catch (...) {
      usage_error("--remote-as must be a number, internal or external");
    }
  }
  s.hold_time = vm["hold-time"].as<uint16_t>();
  if (s.hold_time == 1 || s.hold_time == 2) usage_error("--hold-time must be 0 or at least 3");
  s.families.clear();
  if (vm.count("family")) {
    for (const auto& f : vm["family"].as<std::vector<std::string>>()) {
      auto fam = parse_family(f);
      if (!fam) usage_error("unknown family " + f);
      s.families.push_back(*fam);
    }
  } else {
    s.families = {wire::Family::ipv4_unicast};
  }
  for (const char* opt : {"add-path-receive", "add-path-send"}) {
    if (!vm.count(opt)) continue;
    for (const auto& f : vm[opt].as<std::vector<std::string>>()) {
      auto fam = parse_family(f);
      if (!fam) usage_error("unknown family " + f);
      (std::string(opt) == "add-path-receive" ? s.add_path_receive : s.add_path_send)[wire::index(*fam)] = true;
    }
  }
  if (vm.count("graceful-restart")) s.graceful_restart = fsm::GracefulRestartSettings{vm["graceful-restart"].as<uint16_t>()};
  cfg.passive = vm.count("passive") > 0;
  cfg.timers.connect_retry = std::chrono::seconds(vm["connect-retry"].as<unsigned>());
  cfg.timers.idle_hold_initial = std::chrono::seconds(vm["idle-hold"].as<unsigned>());

  session::TcpPeerOptions popts;
  popts.address = *peer;
  popts.port = vm["port"].as<uint16_t>();
  if (vm.count("local-address")) {
    auto la = IpAddress::parse(vm["local-address"].as<std::string>());
    if (!la) usage_error("--local-address is not an address");
    popts.local_address = *la;
  }
  if (vm.count("password-file")) {
    std::ifstream in(vm["password-file"].as<std::string>());
    if (!in) usage_error("cannot read " + vm["password-file"].as<std::string>());
    std::getline(in, popts.md5_key);
    if (popts.md5_key.empty()) usage_error("the password file is empty");
  }
  if (vm.count("ttl-security")) popts.ttl_security_hops = vm["ttl-security"].as<int>();
  if (vm.count("multihop")) popts.ttl = vm["multihop"].as<int>();
  if (vm.count("interface")) popts.interface = vm["interface"].as<std::string>();

  asio::io_context io;
  SteadyClock clock;
  Printer printer;
  printer.graceful_restart_offered = s.graceful_restart.has_value();  // negotiated means both sides
  session::Session sess(io.get_executor(), cfg, std::make_unique<session::TcpConnector>(io.get_executor(), popts), clock,
                        printer);
  session::PeerTable table;
  table.add_peer(*peer, &sess, popts);
  session::Listener listener(io.get_executor(), table);
  if (!popts.md5_key.empty())
    if (auto r = listener.set_md5(*peer, popts.md5_key); !r) usage_error(r.error().message);
  if (vm.count("listen")) {
    for (const auto& a : vm["listen"].as<std::vector<std::string>>()) {
      auto addr = IpAddress::parse(a);
      if (!addr) usage_error("--listen " + a + " is not an address");
      if (auto r = listener.listen({session::to_asio(*addr), popts.port}); !r) usage_error(r.error().message);
    }
  }

  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    sess.stop("petrel-speaker stopping");
    grace.expires_after(std::chrono::milliseconds(300));  // let the NOTIFICATION go out
    grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });
  sess.start();
  io.run();
  return 0;
}
