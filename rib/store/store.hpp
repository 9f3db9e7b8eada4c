// rib/store/store.hpp — the RocksDB store: the route journal (history of
// best-path changes, with retention by age and by entries) and the snapshot of
// every path the RIB holds (best first, per prefix) that a warm restart loads.
//
// Threads: submit() is called on the RIB's thread and never waits for the disk:
// it appends the batch to a bounded queue (when the queue holds more than
// `queue_max_records`, the oldest batches are dropped and counted, and the
// snapshot is marked incomplete). The store's own thread, at a low CPU priority
// (nice 19, as are RocksDB's flush and compaction threads), waits for the
// decisions to pause (50 ms without a batch, at most 2 s after the oldest one):
// a convergence burst runs without a writer competing for the CPU. Then it
// takes everything queued and writes it in RocksDB WriteBatches (journal entry,
// history index, snapshot key per change), then applies retention. Queries (history(),
// for_each_journal(), load_snapshot()) read RocksDB on the caller's thread.
// The same queue carries the FIB writer's confirmations (submit_kernel(), called
// on the writer's thread: a push under the queue's mutex, never a disk wait) and
// the peers' graceful-restart state (record_peer_state(), on the RIB's thread);
// both are written in the same WriteBatches, in queue order.
//
// Crash safety: every write goes through RocksDB's write-ahead log, so a kill -9
// loses at most what was still queued and never leaves a half batch. A database
// that cannot be used (corrupt files, not a directory, another schema version)
// is moved aside to PATH.bad-UNIXTIME with a log line saying why, and the store
// starts empty (a cold start); open() returns null when even an empty
// database cannot be created, or when another process holds the database (its
// lock): that one is left alone. The store never touches the kernel.
// Schema: rib/store/records.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "rib/store/change_batch.hpp"
#include "rib/store/records.hpp"

namespace rocksdb {
class DB;
}

namespace petrel::rib::store {

struct StoreOptions {
  std::string path = "/var/lib/petrel";
  std::chrono::seconds history_max_age{7 * 24 * 3600};
  uint64_t history_max_entries = 1'000'000;
  std::size_t queue_max_records = 4'000'000;
};

struct StoreStats {
  uint64_t journal_entries = 0;   // kept now
  uint64_t records_written = 0;   // journal entries written since start
  uint64_t records_dropped = 0;   // decided prefixes lost to queue overflow, since start
  uint64_t entries_expired = 0;   // removed by retention, since start
  std::size_t queued_records = 0;
  bool snapshot_complete = true;
  bool kernel_set_complete = true;
};

// What the kernel acknowledged (the FIB writer's confirmations): a route
// installed or replaced, or (no route) removed. `full`: the whole set, which
// replaces what the store had (the writer's start-up reconcile).
struct KernelChange {
  Prefix prefix;
  std::optional<KernelRoute> route;
};
struct KernelBatch {
  bool full = false;
  std::vector<KernelChange> changes;
};

class Store {
 public:
  enum class LogLevel { info, warning };
  using Log = std::function<void(LogLevel, const std::string&)>;

  static std::unique_ptr<Store> open(const StoreOptions& options, Log log);
  ~Store();  // writes what is queued, then stops the thread
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Queues one decision's changes; never blocks on the disk.
  void submit(ChangeBatch&& batch);
  // A written batch, its vectors cleared (capacity kept), for
  // ChangeBatchBuilder::give() (empty when none is spare).
  ChangeBatch take_spare();
  // Starts the snapshot over (in queue order): the RIB starts empty, so what the
  // snapshot held before is gone. Call after a warm restart loaded it.
  void reset_snapshot();
  // The kernel's confirmations (any thread; never blocks on the disk). Dropped
  // like decisions when the store falls behind: the kernel set is then marked
  // incomplete until the next full one.
  void submit_kernel(KernelBatch&& batch);
  // A peer's graceful-restart state now (RIB's thread; never blocks on the disk).
  void record_peer_state(PeerRestartState state);
  // The operator's drain (RFC 8326) on or off, kept across a restart. Written
  // at once on the caller's thread (one small write through the WAL, not the
  // queue): a kill -9 right after `drain` still finds it. False when the write
  // failed (logged).
  bool record_draining(bool on, int64_t now_ms);
  // Whether a drain was on when the store was opened (since when, Unix ms);
  // nothing when none was, or the value does not decode (logged).
  std::optional<int64_t> draining_at_open() const { return draining_at_open_; }
  // Waits until everything queued so far is written; false on timeout.
  bool flush(std::chrono::milliseconds timeout);

  // The journal entries of `prefix`, oldest first, at most the last `limit`.
  std::vector<JournalEntry> history(const Prefix& prefix, std::size_t limit = 1000) const;
  // Every journal entry, oldest first. Undecodable entries are skipped (counted in the result).
  std::size_t for_each_journal(const std::function<void(const JournalEntry&)>& f) const;
  // The snapshot (every path of every prefix, best first), for a warm restart; an error (say why) when
  // it cannot be trusted (changes were dropped, an entry does not decode).
  Result<std::vector<SnapshotRoute>, std::string> load_snapshot() const;
  // The set installed in the kernel as last confirmed; an error (say why) when
  // none was ever recorded, confirmations were dropped, or an entry does not decode.
  Result<std::vector<KernelRoute>, std::string> load_kernel_set() const;
  // Every peer's last graceful-restart state; an error when an entry does not decode.
  Result<std::vector<PeerRestartState>, std::string> load_peer_states() const;
  // Retention: removes journal entries older than the maximum age (relative to
  // `now_ms`, Unix milliseconds) and the oldest beyond the maximum count. The
  // store thread runs it after every write; returns how many it removed.
  uint64_t trim(int64_t now_ms);

  StoreStats stats() const;
  const std::string& path() const { return options_.path; }
  // Why the database found at start was not used (empty: it was).
  const std::string& cold_start_reason() const { return cold_start_reason_; }

 private:
  struct Item {
    enum class Kind : uint8_t { decision, reset, kernel, peer } kind = Kind::decision;
    ChangeBatch batch;
    KernelBatch kernel;
    std::optional<PeerRestartState> peer;
    std::size_t size() const { return kind == Kind::kernel ? kernel.changes.size() : batch.size(); }
  };
  void enqueue(Item&& item);

  Store(const StoreOptions& options, Log log);
  bool try_open(std::string& why);
  void run();
  void write(std::vector<Item>& items);
  uint32_t intern_peer(const PeerRef& p);
  void set_snapshot_complete(bool complete);

  StoreOptions options_;
  Log log_;
  std::unique_ptr<rocksdb::DB> db_;
  std::string cold_start_reason_;
  std::optional<int64_t> draining_at_open_;
  bool in_use_ = false;  // the database is locked by another process

  // Journal sequence range [first_seq_, next_seq_): entries are removed only from the front.
  std::atomic<uint64_t> first_seq_{1};
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> expired_{0};
  std::atomic<bool> snapshot_complete_{true};
  std::atomic<bool> kernel_complete_{true};   // no confirmation dropped since the last full set
  bool kernel_known_ = false;                 // a kernel set was recorded (store thread, open)

  // Store thread only: whose best each prefix has now (announce vs replace, and
  // the peer of a withdraw), with the peers interned.
  boost::unordered_flat_map<Prefix, uint32_t> best_peer_;
  std::vector<PeerRef> peers_;
  std::vector<std::string> peer_bytes_;  // encode_peer() of each
  boost::unordered_flat_map<std::string, uint32_t> peer_ids_;
  struct Encoded {
    std::shared_ptr<const RouteAttrs> keep;  // the key stays valid while cached
    std::string summary;                     // encode_summary_attrs() (the next hops are per entry)
    std::string attrs;                       // encode_route_attrs()
  };
  std::unordered_map<const RouteAttrs*, Encoded> encoded_;  // node-based: entries stay put
  std::mutex trim_mutex_;  // trim() from a test and from the thread
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_trim_{};  // store thread

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Item> queue_;
  std::size_t queued_records_ = 0;
  std::vector<ChangeBatch> spare_;  // written batches' memory, for reuse
  bool writing_ = false;
  int flush_waiters_ = 0;
  Clock::time_point last_submit_{};   // the newest batch's arrival
  Clock::time_point first_queued_{};  // the oldest queued batch's arrival
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace petrel::rib::store
