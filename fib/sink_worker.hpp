// fib/sink_worker.hpp — runs the FIB writer's RouteSink::apply() calls on a thread of
// its own, so that the writer prepares its next batch (table probes, operations,
// recording the last batch's answers) while the kernel works through the current one.
//
// Why: at a million routes the writer's own work (cache misses on its table, first
// touches of fresh memory) is about a third of a batch's time and the kernel's
// (rtnetlink, trie inserts) the rest; one after the other on one thread they add
// up, on two cores they overlap (bench/README.md, FIB section). FRR's zebra splits
// the same way: its main thread builds contexts, a dataplane thread talks netlink.
//
// Contract: one call in flight at a time. start() hands over a call (the spans must
// stay valid until wait() returns); wait() blocks until it is done, and what the
// call wrote (errors, the sink's own state) is then visible to the caller. Between
// wait() and the next start() the caller may use the sink directly. The destructor
// waits for a call in flight and joins the thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <span>
#include <thread>

#include "fib/route_sink.hpp"

namespace petrel::fib {

class SinkWorker {
 public:
  explicit SinkWorker(RouteSink& sink);
  ~SinkWorker();
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;

  void start(std::span<const Operation> ops, std::span<int> errors);
  void wait();

 private:
  void run();

  RouteSink& sink_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::span<const Operation> ops_;
  std::span<int> errors_;
  bool pending_ = false;  // a call handed over and not yet finished
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace petrel::fib
