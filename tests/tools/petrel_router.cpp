// tests/tools/petrel_router.cpp — petreld's BGP side (daemon/bgp_speaker.hpp) without
// the kernel or the control socket, printing what it does, for the RIB interop
// tests (tests/interop/rib_interop.sh): sessions, import, best path, update groups,
// route reflection, policies, graceful restart in both roles, route refresh.
//
//   petrel-router --config FILE.yaml [--restarting]
//
// FILE.yaml is a petreld configuration (etc/petrel.yaml); `fib` and
// `control-socket` are ignored. --restarting: as after a restart of petreld
// (graceful restart, restarting speaker: the R bit, selection deferred until
// End-of-RIB); no FIB here, so the F bit stays clear. Prints on stdout the
// speaker's event lines (BgpSpeaker::on_event, e.g. "peer NAME state A -> B: WHY",
// "peer NAME established peer-as=N hold=S") and one line per route change:
//   route PREFIX via NAME[,NAME…] reason STEP      (the ECMP set, best first)
//   route PREFIX withdrawn
// SIGHUP reads the file again and applies the difference (BgpSpeaker::apply),
// printing its lines and `reload: ok`, or `reload failed: WHY` (running
// configuration kept). SIGTERM/SIGINT stop the sessions and exit.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <iostream>
#include <string>

#include "daemon/bgp_speaker.hpp"
#include "daemon/config.hpp"

namespace asio = boost::asio;
using namespace petrel;
using namespace petrel::daemon;

int main(int argc, char** argv) {
  const bool restarting = argc == 4 && std::string(argv[3]) == "--restarting";
  if ((argc != 3 && !restarting) || std::string(argv[1]) != "--config") {
    std::cerr << "usage: petrel-router --config FILE.yaml [--restarting]\n";
    return 2;
  }
  const std::string file = argv[2];
  auto config = load_config(file);
  if (!config) {
    std::cerr << "petrel-router: " << config.error().to_string() << "\n";
    return 2;
  }

  asio::io_context io;
  BgpSpeaker* self = nullptr;
  auto print_changes = [&](std::span<const rib::RouteChange> changes, const rib::DecidedPaths&, const rib::Rib&) {
    for (const auto& c : changes) {
      std::cout << "route " << c.prefix.to_string();
      if (c.selected.empty()) {
        std::cout << " withdrawn" << std::endl;
        continue;
      }
      std::cout << " via ";
      for (std::size_t i = 0; i < c.selected.size(); ++i)
        std::cout << (i ? "," : "") << (c.selected[i].peer == rib::kLocalPeer ? "local" : self->name_of(c.selected[i].peer));
      std::cout << " reason " << rib::to_string(c.reason) << std::endl;
    }
  };
  BgpSpeaker speaker(io, *config, print_changes, restarting, /*forwarding_preserved=*/{});
  self = &speaker;
  speaker.on_event([](const std::string& line) { std::cout << line << std::endl; });
  if (auto r = speaker.listen(); !r) {
    std::cerr << "petrel-router: " << r.error() << "\n";
    return 2;
  }

  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (auto next = load_config(file)) {
        for (const auto& line : speaker.apply(*next)) std::cout << line << std::endl;
        std::cout << "reload: ok" << std::endl;
      } else {
        std::cout << "reload failed: " << next.error().to_string() << std::endl;
      }
      wait_hangup();
    });
  };
  wait_hangup();
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    hangup.cancel();
    speaker.stop("petrel-router stopping");
    grace.expires_after(std::chrono::milliseconds(300));
    grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });
  speaker.start();
  io.run();
  return 0;
}
