// daemon/store_feed.hpp — petreld's edge to the RocksDB store (rib/store): the
// speaker's second change consumer (after the FIB), `show route history` and
// `mrt dump rib|history`.
//
// Runs on the daemon's thread. apply() turns one decision into one
// ChangeBatch and queues it; the store's own thread writes it, so the event
// loop never waits for the disk. With `store: {enabled: false}`, or when the
// database cannot be used even after moving it aside, petreld runs without it
// (logged once; the commands then say so). Never touches the kernel.
// Warm restart: constructed with `warm` (petreld comes back from a restart and
// the kernel kept its routes), it loads the snapshot (every path) before
// anything else (take_snapshot()); the snapshot is started over only with the
// first decision it is given (selection released), so a second restart before
// then finds the same snapshot. Cold (not warm, no store, a snapshot that
// cannot be trusted): started over at once, with a log line saying why.
// The set installed in the kernel: confirm_kernel() (called on the FIB
// writer's thread; it only queues) hands the kernel's acknowledgements to the
// store; kernel_set_before() is the set the store held at start, for the
// forwarding-state verdict (daemon/forwarding_state.hpp).
// The drain state: draining_before() / record_draining() (kept across a restart).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "daemon/config.hpp"
#include "daemon/control_command.hpp"
#include "daemon/control_reply.hpp"
#include "fib/fib_writer.hpp"
#include "rib/rib.hpp"
#include "rib/store/change_batch.hpp"
#include "rib/store/store.hpp"

namespace petrel::daemon {

class BgpSpeaker;

class StoreFeed {
 public:
  // `peer_name`: the shell's name of a RIB peer (called during apply() only).
  StoreFeed(const Config& config, std::function<std::string(rib::PeerId)> peer_name, bool warm = false);
  ~StoreFeed();

  // One decision: its changes and the paths of the decided prefixes they do not
  // describe whole (the journal takes those whose selection changed).
  void apply(std::span<const rib::RouteChange> changes, rib::DecidedPaths& decided,
             const rib::Rib& rib);  // takes decided's contents
  Reply show_history(const Command& c);
  // `mrt dump rib FILE` (every path of the RIB, TABLE_DUMP_V2) and
  // `mrt dump history FILE` (the journal, BGP4MP).
  Reply mrt_dump(const Command& c, BgpSpeaker& speaker);

  rib::store::Store* store() { return store_.get(); }
  // The FIB writer's confirmations, to the store's queue (any thread; never waits).
  void confirm_kernel(fib::KernelConfirmation&& c);
  // The kernel set the store held at start, or why there is none (the second call: an error).
  Result<std::vector<rib::store::KernelRoute>, std::string> take_kernel_set_before() {
    return std::exchange(kernel_before_, {boost::system::in_place_error, std::string("taken")});
  }
  // The peers' graceful-restart state the store held at start (a warm restart), or why there is none.
  const Result<std::vector<rib::store::PeerRestartState>, std::string>& peer_states_before() const {
    return peers_before_;
  }
  // A peer's graceful-restart state now, to the store's queue (never waits).
  void record_peer_state(const rib::store::PeerRestartState& s) {
    if (store_) store_->record_peer_state(s);
  }
  // The operator's drain (RFC 8326) is kept across a restart, as a Kubernetes
  // cordon is until uncordon: whether one was on when petreld stopped (the
  // store's drain key), and record_draining() at each `drain` / `drain stop`.
  // Without a store the drain is not kept (record_draining() logs so).
  bool draining_before() const { return store_ && store_->draining_at_open(); }
  void record_draining(bool on);
  // The snapshot loaded at a warm start (empty otherwise); the second call gets nothing.
  std::vector<rib::store::SnapshotRoute> take_snapshot() { return std::move(snapshot_); }

 private:
  std::string why_off_;
  rib::store::ChangeBatchBuilder builder_;
  std::unique_ptr<rib::store::Store> store_;
  std::vector<rib::store::SnapshotRoute> snapshot_;
  bool reset_pending_ = false;
  Result<std::vector<rib::store::KernelRoute>, std::string> kernel_before_{boost::system::in_place_error,
                                                                          std::string("no store")};
  Result<std::vector<rib::store::PeerRestartState>, std::string> peers_before_{boost::system::in_place_error,
                                                                              std::string("no store")};  // warm: start the snapshot over with the first decision
};

}  // namespace petrel::daemon
