// daemon/control_handler.hpp — one control-socket command in, one Reply out:
// parses the line (daemon/control_command.hpp), reads the BGP speaker's state
// into rows and lays them out as BIRD does (daemon/bird_format.hpp), or acts
// (enable, disable, restart, reload, drain). Configuration reload, `down` (also
// the delayed one of `drain and down`), the FIB view and the Kubernetes view
// belong to main's wiring and come in as hooks.
// Runs on the daemon's thread. Must not know sockets.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/bgp_speaker.hpp"
#include "daemon/control_command.hpp"
#include "daemon/control_reply.hpp"

namespace petrel::daemon {

class ControlHandler {
 public:
  struct Hooks {
    std::function<Reply(const Command&)> configure;  // configure [check|timeout|confirm|undo]
    std::function<void()> down;                      // shut the daemon down
    // `drain and down`: shut down after `seconds`; nullopt cancels a pending
    // one. Returns whether one was pending before.
    std::function<bool(std::optional<uint32_t> seconds)> down_after;
    std::function<Reply(const Command&)> show_fib;   // desired vs kernel
    std::function<Reply(const Command&)> store;      // show route history, mrt dump
    std::function<Reply(const Command&)> show_k8s;   // the Kubernetes view (daemon/k8s_show.hpp)
    // The drain went on or off (`drain`, `drain and down`, `drain stop`): keep
    // it across a restart (the store).
    std::function<void(bool on)> draining_changed;
  };

  ControlHandler(BgpSpeaker& speaker, Hooks hooks, std::string version);

  // `read_only`: the command came on the read-only socket (changes refused).
  Reply handle(std::string_view line, bool read_only);

 private:
  Reply dispatch(const Command& c);
  Reply show_status(const Command& c);
  Reply show_protocols(const Command& c);
  Reply show_route(const Command& c);
  Reply show_interfaces(const Command& c);
  Reply show_memory(const Command& c);
  Reply show_counters(const Command& c);
  Reply show_bfd_sessions(const Command& c);
  Reply act(const Command& c);
  Reply drain(const Command& c);

  BgpSpeaker& speaker_;
  Hooks hooks_;
  std::string version_;
};

}  // namespace petrel::daemon
