// daemon/daemon_fib.hpp — the edge from the RIB to the kernel: each decision's
// changes become fib::Routes (the ECMP set's next hops; a blackhole for an
// originated prefix, none for one originated with blackhole: false) on the FibWriter's queue, which never makes BGP wait.
//
// Restart without a forwarding gap: at start the kernel is asked which routes of
// Petrel's protocol it still holds. When there are some, the writer (whose first
// act is to reconcile the kernel to its queue) starts only once route selection
// ran after the restart (BgpSpeaker releases it at End-of-RIB or the deferral
// time), so the kernel keeps the old routes until the new ones are known.
// `fib: {enabled: false}` uses the dry-run sink: nothing reaches the kernel.
// `show fib` compares what Petrel wants with what the kernel holds.
// What the kernel acknowledged goes to set_confirmed()'s callback, on the
// writer's thread (the store keeps it: the set installed in the kernel).
// Runs on the daemon's thread; the FibWriter has its own.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <span>
#include <string>

#include "daemon/config.hpp"
#include "daemon/control_command.hpp"
#include "daemon/control_reply.hpp"
#include "daemon/metrics.hpp"
#include "rib/rib.hpp"

#include "fib/route.hpp"

namespace petrel::fib {
class RouteSink;
class FibWriter;
struct KernelConfirmation;
}  // namespace petrel::fib

namespace petrel::daemon {

class FibFeed {
 public:
  explicit FibFeed(const FibConfig& config);
  ~FibFeed();
  FibFeed(const FibFeed&) = delete;
  FibFeed& operator=(const FibFeed&) = delete;

  // Our routes the kernel held at start (a restart: keep them until selection ran).
  std::size_t adopted_routes() const { return adopted_; }
  // Those routes (dump_own() at start, before the writer ran); the second call gets nothing.
  std::vector<fib::Route> take_found_at_start() { return std::move(found_); }
  // Before start(): the writer's confirmations (fib/fib_writer.hpp) go to `f`,
  // on the writer's thread; only when writing a real kernel.
  void set_confirmed(std::function<void(fib::KernelConfirmation&&)> f);
  // Starts the writer thread now (cold start) or when selection ran (restart).
  void start();
  // Stops the writer thread (its confirmations end): before what they go to goes.
  void stop();
  bool started() const { return started_; }

  // Prefixes we originate with `blackhole: false` (service IPs from
  // Kubernetes): announced, never installed. Takes effect with the RIB's next
  // change of each prefix (BgpSpeaker re-originates a prefix whose entry changed).
  void set_announce_only(std::set<Prefix> prefixes) { announce_only_ = std::move(prefixes); }
  void apply(std::span<const rib::RouteChange> changes, const rib::Rib& rib);
  // Shutting down: what the RIB withdraws from now on (sessions closing) stays
  // in the kernel, so forwarding survives until the next petreld reconciles.
  void freeze() { frozen_ = true; }
  Reply show(const Command& c) const;
  FibMetrics metrics() const;

 private:
  FibConfig config_;
  std::unique_ptr<fib::RouteSink> sink_;       // the writer's: kernel or dry run
  std::unique_ptr<fib::RouteSink> observer_;   // a second kernel socket, for `show fib`
  std::unique_ptr<fib::FibWriter> writer_;
  std::map<Prefix, fib::Route> desired_;       // what we asked for (show fib)
  std::set<Prefix> announce_only_;
  bool frozen_ = false;
  std::size_t adopted_ = 0;
  std::vector<fib::Route> found_;
  bool started_ = false;
};

}  // namespace petrel::daemon
