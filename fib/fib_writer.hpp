// fib/fib_writer.hpp — the FIB writer thread: keeps a RouteSink (the kernel, or the
// dry run) in step with the routes the daemon wants.
//
// The producer (the daemon's RIB thread) calls put()/remove(), which only fold the
// change into the coalescing RouteQueue under a mutex: it never waits for the
// kernel. The writer thread takes everything queued at once (a round; a burst still
// pouring in faster than the kernel could take it is let in first, for up to
// max_settle), sorts it into the order that costs the kernel least
// (fib/kernel_order.hpp), and hands it to the sink `batch` changes per call (the
// netlink sink sends them many per sendmsg). The calls run on a SinkWorker thread (sink_worker.hpp): while the kernel
// works through one batch, the writer prepares the next and then records the
// answers of the first. A burst still arriving is folded into the rest of the round
// (at most kMaxMergesPerRound times); other changes wait for the next round. Either
// way the latest change per prefix is the last one written. A prefix whose kernel key
// (prefix, metric) is known to hold Petrel's route is replaced in place; any other
// install is exclusive, so a route of another owner on the same key is never
// overwritten (EEXIST, counted, retried). A failed prefix is retried with
// exponential backoff and counted; a newer change for it replaces the retry. At start the thread takes
// everything queued so far as the desired state, dumps the routes of Petrel's
// protocol and reconciles (adopt, replace, remove: never a flush), so forwarding
// survives a restart. Afterwards a resync runs every `resync_interval` and on
// request_resync() (the observer calls it when one of our routes changes behind our
// back). Owns its table (fib_table.hpp: per prefix the desired route and the kernel
// key it knows holds ours, one entry, one probe per change); knows nothing of BGP.
// Confirmations: with set_confirmed_sink(), after each sink call the writer hands
// what the kernel acknowledged (a route installed or replaced; a prefix's route
// removed) to the sink, on the writer thread; the first reconcile that succeeds
// hands the whole set the kernel then holds of ours (`full`). The sink must not
// block (the daemon queues them for the store).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "fib/fib_table.hpp"
#include "fib/kernel_order.hpp"
#include "fib/route_queue.hpp"
#include "fib/route_sink.hpp"
#include "fib/sink_worker.hpp"

namespace petrel::fib {

struct FibWriterOptions {
  std::size_t batch = 16384;  // changes per sink call
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{30'000};
  std::chrono::milliseconds resync_interval{60'000};  // 0: only on request
  // A burst (at least FibWriter::kFirstBatch prefixes queued) still pouring in, at
  // least settle_growth new prefixes per settle_step (a million a second: twice the
  // rate the kernel installs at), is let in for up to max_settle before its round
  // starts: one round in kernel order costs the kernel much less than a round and
  // merges (bench/README.md, FIB section). max_settle 0: never wait.
  std::chrono::milliseconds settle_step{5};
  std::size_t settle_growth = 5000;
  std::chrono::milliseconds max_settle{500};
};

struct FibCounters {
  uint64_t installs = 0;        // install operations that succeeded
  uint64_t removes = 0;         // remove operations that succeeded (or found nothing)
  uint64_t failures = 0;        // operations the sink reported as failed
  uint64_t retries = 0;         // prefixes re-queued after a failure
  uint64_t coalesced = 0;       // changes folded into a queued one
  uint64_t batches = 0;         // sink calls
  uint64_t resyncs = 0;         // reconciles run (the start-up one included)
  uint64_t resync_errors = 0;   // dumps that failed
  uint64_t adopted = 0;         // last reconcile: routes kept as they were
  uint64_t repaired = 0;        // all reconciles: operations needed (drift found)
  uint64_t plain_fallbacks = 0; // routes sent plain although nexthop objects were wanted (the sink's count)
  uint64_t objects_refused = 0; // nexthop objects the kernel refused (the sink's count)
};

// What the kernel acknowledged: routes installed or replaced, prefixes whose
// route was removed (no route); `full`: every route of ours the kernel holds.
struct KernelConfirmation {
  bool full = false;
  std::vector<RouteChange> changes;
};

class FibWriter {
 public:
  using ConfirmedSink = std::function<void(KernelConfirmation&&)>;
  static constexpr std::size_t kMaxMergesPerRound = 8;
  static constexpr std::size_t kFirstBatch = 4096;  // at most, the first sink call of a round

  FibWriter(RouteSink& sink, FibWriterOptions options = {});
  ~FibWriter();
  FibWriter(const FibWriter&) = delete;
  FibWriter& operator=(const FibWriter&) = delete;

  // Producer side, any thread; never waits for the kernel. Routes are normalize()d.
  void put(Route route);
  void remove(const Prefix& prefix);
  void request_resync();
  // Many changes under one lock (a RIB decision run hands over its changes at once).
  void submit(std::vector<RouteChange> changes);

  // Before start(): where confirmations go (none by default).
  void set_confirmed_sink(ConfirmedSink sink) { confirmed_sink_ = std::move(sink); }

  void start();
  void stop();  // finishes the sink call in flight; the rest of the round goes back to the queue
  // Blocks until the queue is empty, no batch or resync runs and none is requested,
  // and no failed prefix waits for its retry; or until `timeout` passes (false). For tests, the benchmark and orderly shutdown.
  bool wait_idle(std::chrono::milliseconds timeout = std::chrono::hours(1));
  // Like wait_idle(), but does not wait for failed prefixes' retries: "everything
  // has been tried once" (the driver's ready line, the benchmark).
  bool wait_flushed(std::chrono::milliseconds timeout = std::chrono::hours(1));

  FibCounters counters() const;
  std::size_t queued() const;
  std::size_t pending_retries() const;

 private:
  struct Retry {
    int attempts = 0;
    std::chrono::steady_clock::time_point due;
  };

  void run();
  void let_burst_settle(std::unique_lock<std::mutex>& lock);  // the queue holds a burst: wait while it grows
  void process_taken();  // taken_ in kernel order, `batch` per sink call
  void merge_burst(PendingChanges& burst, std::size_t start);  // joins the rest of the round (order_ from `start`)
  // Do order_[a, b) and order_[c, d) (each sorted by key) hold a prefix in common?
  bool shares_prefix(std::size_t a, std::size_t b, std::size_t c, std::size_t d) const;
  // One sink call's worth of operations and what belongs to them: process_taken()
  // prepares one while the SinkWorker applies the other.
  struct Batch {
    std::vector<Operation> ops;
    std::vector<int> errors;                  // the sink's errno per operation
    std::vector<FibTable::iterator> entries;  // per operation, its table entry (taken while preparing)
    uint64_t table_generation = 0;            // entries are valid while table_generation_ is this
    // Removes of old metrics, each with the index of the install of its new key.
    std::vector<std::pair<Operation, std::size_t>> removes_after;
  };
  void prepare(std::span<RouteChange* const> changes, Batch& batch);  // the table updated, ops built
  void finish(Batch& batch);  // after the sink call: answers recorded, follow-up removes, confirmations
  void resync();
  void want(FibEntry& entry, const Route& route);  // the entry's desired route (attributes held)
  void unwant(FibEntry& entry);
  void hand_over_confirmed();
  // A sink call on this thread (resync, follow-up removes; nothing in flight), recorded.
  void apply(std::vector<Operation>& ops, std::vector<int>& errors);
  // The sink's answers: table entries, retries, counters, confirmations. entries: the
  // table entry of each operation (a Batch); empty: looked up by prefix.
  void record(std::span<const Operation> ops, std::span<const int> errors, std::span<const FibTable::iterator> entries);
  void requeue_due_retries(std::chrono::steady_clock::time_point now);
  std::chrono::steady_clock::time_point next_wakeup(std::chrono::steady_clock::time_point now) const;
  std::size_t count_scheduled_retries() const;

  RouteSink& sink_;
  const FibWriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  RouteQueue queue_;
  bool resync_requested_ = false;
  bool busy_ = false;
  bool stopping_ = false;
  FibCounters counters_;
  std::size_t retry_count_ = 0;        // mirror of retry_.size() for readers
  std::size_t scheduled_retries_ = 0;  // retries waiting for their backoff to expire

  // Writer thread only.
  PendingChanges taken_;  // the round being written (swapped out of queue_)
  // Bursts folded into the round under way (the first bursts_used_); cleared, not
  // freed, after the round.
  PendingChanges bursts_[kMaxMergesPerRound];
  std::size_t bursts_used_ = 0;
  // The round's changes by key (they live in taken_ and bursts_); those before the
  // current position are written, the rest hold one change per prefix.
  std::vector<std::pair<KernelOrderKey, RouteChange*>> order_;
  Batch batches_[2];
  std::unique_ptr<SinkWorker> worker_;  // from start() to stop()
  // Per prefix: the desired route, and the kernel key (metric) of Petrel's route there
  // as far as the writer knows (installs use NLM_F_EXCL unless the key is known to be ours).
  FibTable table_;
  RouteAttributeTable attributes_;  // the desired routes' attributes, shared (route_attributes.hpp)
  uint64_t table_generation_ = 0;  // counts the table's rehashes (they invalidate iterators)
  boost::unordered_flat_map<Prefix, Retry, PrefixHash, PrefixEqual> retry_;
  std::chrono::steady_clock::time_point next_resync_;
  bool resync_failed_ = false;  // the last dump failed: try again in a second
  ConfirmedSink confirmed_sink_;
  KernelConfirmation confirmed_;  // collected by apply(), handed over after each sink call
  bool full_confirmed_ = false;   // the whole set was handed over once
  std::thread thread_;
};

}  // namespace petrel::fib
