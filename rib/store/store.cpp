// rib/store/store.cpp — the RocksDB store (store.hpp).
#include "rib/store/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>

namespace petrel::rib::store {
namespace {

namespace fs = std::filesystem;

const std::string kSnapshotIncompleteKey{"\0snapshot-incomplete", 20};

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T>
Result<T, std::string> fail(std::string m) {
  return Result<T, std::string>(boost::system::in_place_error, std::move(m));
}

// Changes written to RocksDB per WriteBatch at most (a big decision is split).
constexpr std::size_t kMaxBatchRecords = 50'000;
// The writer waits for decisions to pause this long, at most kMaxDelay.
constexpr std::chrono::milliseconds kSettle{50};
constexpr std::chrono::milliseconds kMaxDelay{2000};
// Record vectors kept for reuse at most.
constexpr std::size_t kMaxSpare = 4;
// Retention by age runs at most this often.
constexpr std::chrono::seconds kTrimInterval{10};
// The store thread's nice value (the event loop keeps the daemon's).
constexpr int kStoreNice = 19;
// Encoded attribute sets kept by the store thread at most (then started over).
constexpr std::size_t kMaxEncodedSets = 200'000;

}  // namespace

Store::Store(const StoreOptions& options, Log log) : options_(options), log_(std::move(log)) {}

std::unique_ptr<Store> Store::open(const StoreOptions& options, Log log) {
  std::unique_ptr<Store> s(new Store(options, log));
  std::string why;
  if (!s->try_open(why)) {
    if (s->in_use_) {
      if (log) log(LogLevel::warning, "store " + options.path + ": " + why + "; running without the store");
      return nullptr;
    }
    const std::string aside = options.path + ".bad-" + std::to_string(now_unix_ms() / 1000);
    std::error_code ec;
    fs::rename(options.path, aside, ec);
    if (ec) {
      if (log) log(LogLevel::warning, "store " + options.path + ": " + why + "; cannot move it aside (" + ec.message() +
                                          "): running without the store");
      return nullptr;
    }
    if (log) log(LogLevel::warning, "store " + options.path + ": " + why + "; moved it aside to " + aside +
                                        ", starting with an empty store (cold start)");
    s->cold_start_reason_ = why;
    std::string again;
    if (!s->try_open(again)) {
      if (log) log(LogLevel::warning, "store " + options.path + ": " + again + ": running without the store");
      return nullptr;
    }
  }
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

bool Store::try_open(std::string& why) {
  std::error_code ec;
  const fs::path path(options_.path);
  const bool existed = fs::exists(path, ec);
  if (existed && !fs::is_directory(path, ec)) {
    why = "not a directory";
    return false;
  }
  if (!existed) {
    fs::create_directories(path, ec);
    if (ec) {
      why = "cannot create the directory: " + ec.message();
      return false;
    }
    if (log_) log_(LogLevel::info, "store " + options_.path + ": no database yet, creating one");
  }
  rocksdb::Options o;
  o.create_if_missing = true;
  o.paranoid_checks = true;
  o.max_background_jobs = 2;
  o.write_buffer_size = 64 << 20;
  // Writes come in big batches and reads are rare (a `show route history`, the
  // trim's seek): a vector memtable appends and sorts once per flush, where a
  // skip list compares keys on every insert (most of the store's time).
  o.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  o.allow_concurrent_memtable_write = false;
  // RocksDB's flush and compaction threads yield to everything else: idle
  // scheduling where the kernel allows it (nice 19 otherwise).
  for (auto pool : {rocksdb::Env::Priority::LOW, rocksdb::Env::Priority::HIGH})
    if (!o.env->LowerThreadPoolCPUPriority(pool, rocksdb::CpuPriority::kIdle).ok())
      o.env->LowerThreadPoolCPUPriority(pool);
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status st = rocksdb::DB::Open(o, options_.path, &raw);
  if (!st.ok()) {
    // Another process holds it (a second petreld on the same path): not broken,
    // never moved aside.
    in_use_ = st.IsIOError() && st.ToString().find("lock") != std::string::npos;
    why = (in_use_ ? "in use by another process: " : "cannot open the database: ") + st.ToString();
    return false;
  }
  db_.reset(raw);
  std::string schema;
  const rocksdb::Status sg = db_->Get(rocksdb::ReadOptions(), std::string(kSchemaKey), &schema);
  if (sg.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) {
      why = "no schema version in a database that holds data (not a Petrel store?)";
      it.reset();
      db_.reset();
      return false;
    }
    db_->Put(rocksdb::WriteOptions(), std::string(kSchemaKey), schema_value());
  } else if (!sg.ok()) {
    why = "cannot read the schema version: " + sg.ToString();
    db_.reset();
    return false;
  } else {
    const auto version = parse_schema_value(schema);
    if (!version || *version != kSchemaVersion) {
      why = version ? "schema version " + std::to_string(*version) + ", this petreld reads version " +
                          std::to_string(kSchemaVersion)
                    : "schema key holds '" + schema.substr(0, 40) + "', not a Petrel schema version";
      db_.reset();
      return false;
    }
  }
  // The journal's sequence range.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek("j");
  if (it->Valid() && it->key().starts_with("j")) {
    if (auto first = decode_seq(it->key().ToStringView())) first_seq_ = *first;
    it->SeekForPrev(journal_key(~uint64_t{0}));
    if (it->Valid() && it->key().starts_with("j"))
      if (auto last = decode_seq(it->key().ToStringView())) next_seq_ = *last + 1;
  }
  std::string flag;
  snapshot_complete_ = !db_->Get(rocksdb::ReadOptions(), kSnapshotIncompleteKey, &flag).ok();
  kernel_known_ = db_->Get(rocksdb::ReadOptions(), std::string(kKernelStateKey), &flag).ok();
  kernel_complete_ = !kernel_known_ || flag == "complete";
  if (db_->Get(rocksdb::ReadOptions(), std::string(kDrainingKey), &flag).ok()) {
    auto since = decode_draining(flag);
    if (since) draining_at_open_ = *since;
    else if (log_) log_(LogLevel::warning, "store " + options_.path + ": " + since.error() + "; not draining");
  }
  return true;
}

bool Store::record_draining(bool on, int64_t now_ms) {
  const rocksdb::Status st = on ? db_->Put(rocksdb::WriteOptions(), std::string(kDrainingKey), encode_draining(now_ms))
                                : db_->Delete(rocksdb::WriteOptions(), std::string(kDrainingKey));
  if (!st.ok() && log_)
    log_(LogLevel::warning, "store " + options_.path + ": cannot record the drain state: " + st.ToString());
  return st.ok();
}

Store::~Store() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Store::submit(ChangeBatch&& batch) {
  if (batch.size() == 0) return;
  Item item;
  item.batch = std::move(batch);
  enqueue(std::move(item));
}

void Store::submit_kernel(KernelBatch&& batch) {
  if (batch.changes.empty() && !batch.full) return;
  Item item;
  item.kind = Item::Kind::kernel;
  item.kernel = std::move(batch);
  enqueue(std::move(item));
}

void Store::record_peer_state(PeerRestartState state) {
  Item item;
  item.kind = Item::Kind::peer;
  item.peer = std::move(state);
  enqueue(std::move(item));
}

void Store::enqueue(Item&& item) {
  bool dropped_now = false;
  bool kernel_dropped = false;
  bool was_empty = false;
  {
    std::lock_guard lock(mutex_);
    last_submit_ = Clock::now();
    was_empty = queue_.empty();
    if (was_empty) first_queued_ = last_submit_;
    queued_records_ += item.size();
    queue_.push_back(std::move(item));
    // Bounded: drop the oldest decisions or kernel confirmations (never the
    // newest, never a reset or a peer's state).
    while (queued_records_ > options_.queue_max_records && queue_.size() > 1) {
      auto victim = std::find_if(queue_.begin(), queue_.end() - 1, [](const Item& i) {
        return i.kind == Item::Kind::decision || i.kind == Item::Kind::kernel;
      });
      if (victim == queue_.end() - 1) break;
      queued_records_ -= victim->size();
      if (victim->kind == Item::Kind::kernel) kernel_dropped = true;
      else dropped_ += victim->batch.size(), dropped_now = true;
      queue_.erase(victim);
    }
  }
  if (dropped_now) snapshot_complete_ = false;  // written to the database by the thread
  if (kernel_dropped) kernel_complete_ = false;
  if (was_empty || dropped_now || kernel_dropped) wake_.notify_one();
}

ChangeBatch Store::take_spare() {
  std::lock_guard lock(mutex_);
  if (spare_.empty()) return {};
  auto v = std::move(spare_.back());
  spare_.pop_back();
  return v;
}

void Store::reset_snapshot() {
  {
    std::lock_guard lock(mutex_);
    // Counts as a submission for the writer's settling, so that the batch that
    // follows a reset (the whole selection) lands in the same WriteBatch: woken
    // by the reset alone, the writer could otherwise write the emptied snapshot
    // before the batch is queued, and a kill -9 then would find it empty.
    last_submit_ = Clock::now();
    if (queue_.empty()) first_queued_ = last_submit_;
    Item item;
    item.kind = Item::Kind::reset;
    queue_.push_back(std::move(item));
  }
  wake_.notify_one();
}

bool Store::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++flush_waiters_;  // the thread stops settling
  wake_.notify_all();
  const bool done = idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !writing_; });
  --flush_waiters_;
  return done;
}

void Store::run() {
  // Below the event loop: on a busy machine the RIB's thread goes first, and
  // the journal catches up when there is time (the queue is bounded). Idle
  // scheduling (SCHED_IDLE): a waking event loop or FIB writer preempts the
  // store at once, where a nice-19 thread may finish its time slice first (a
  // full-table convergence on two cores showed the difference,
  // bench/convergence_bench.sh). The nice value stays as the fallback and for
  // kernels that ignore it.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kStoreNice);
  sched_param idle{};
  ::sched_setscheduler(0, SCHED_IDLE, &idle);  // this thread; refused: stays nice 19
  std::vector<Item> items;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Settle: while decisions keep coming (a convergence in progress), wait
      // until they pause for kSettle, at most kMaxDelay after the oldest queued
      // one (or until the queue is half full, or someone flushes), so that the
      // writer does not compete with the RIB for the CPU during the burst.
      while (!stopping_ && flush_waiters_ == 0 && queued_records_ < options_.queue_max_records / 2) {
        const auto quiet_at = last_submit_ + kSettle;
        const auto deadline = first_queued_ + kMaxDelay;
        if (Clock::now() >= std::min(quiet_at, deadline)) break;
        wake_.wait_until(lock, std::min(quiet_at, deadline));
      }
      items.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
      queued_records_ = 0;
      writing_ = true;
    }
    write(items);
    {
      std::lock_guard lock(mutex_);
      for (Item& i : items)
        if (spare_.size() < kMaxSpare &&
            (i.batch.decided.prefixes.capacity() > 0 || i.batch.changed_v4.capacity() > 0)) {
          ChangeBatch spare;
          spare.decided = std::move(i.batch.decided);
          spare.decided.clear();
          spare.changed_v4 = std::move(i.batch.changed_v4);
          spare.changed_v4.clear();
          spare_.push_back(std::move(spare));
        }
    }
    items.clear();
    // Retention: at once when over the count, otherwise every few seconds
    // (each trim seeks, which sorts the vector memtable).
    const auto now = Clock::now();
    if (next_seq_ - first_seq_ > options_.history_max_entries || now - last_trim_ >= kTrimInterval) {
      trim(now_unix_ms());
      last_trim_ = now;
    }
    {
      std::lock_guard lock(mutex_);
      writing_ = false;
    }
    idle_.notify_all();
  }
}

uint32_t Store::intern_peer(const PeerRef& p) {
  std::string key = p.name;
  key.push_back('\0');
  key.append(reinterpret_cast<const char*>(p.address.data()), 16);
  key.append(std::to_string(p.as));
  auto [it, fresh] = peer_ids_.try_emplace(std::move(key), static_cast<uint32_t>(peers_.size()));
  if (fresh) {
    peers_.push_back(p);
    peer_bytes_.push_back(encode_peer(p));
  }
  return it->second;
}

void Store::set_snapshot_complete(bool complete) {
  if (complete) db_->Delete(rocksdb::WriteOptions(), kSnapshotIncompleteKey);
  else db_->Put(rocksdb::WriteOptions(), kSnapshotIncompleteKey, "1");
}

void Store::write(std::vector<Item>& items) {
  // Journal keys are written in sequence order; the history and snapshot keys
  // of a chunk are written sorted by prefix (stable: a prefix's changes keep
  // their order), so that RocksDB's memtable inserts each next to the last
  // instead of searching its skip list from the top (the store thread's main
  // cost with random prefixes).
  struct Pending {
    Prefix prefix;
    bool v4_record;       // `record` indexes the batch's changed_v4, else decided.prefixes
    uint64_t seq;         // its journal entry (0: none, the selection stayed)
    uint32_t item;        // index into items
    uint32_t record;      // index into its batch's records
  };
  rocksdb::WriteBatch wb;
  std::vector<Pending> pending;
  std::vector<uint32_t> order;
  std::string value;
  std::string summary;               // a journal entry's summary: its next hops, then its best's attributes
  std::vector<IpAddress> next_hops;  // a journal entry's ECMP set's
  uint64_t seq = next_seq_;
  uint64_t journal = 0;
  // Per batch: its peers interned, its attribute sets encoded.
  std::vector<std::vector<uint32_t>> peer_ids(items.size());
  std::vector<std::vector<const Encoded*>> encoded(items.size());
  auto commit = [&] {
    if (pending.empty() && wb.Count() == 0) return;  // a staged reset alone is written too
    order.resize(pending.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return pending[a].prefix < pending[b].prefix; });
    for (uint32_t i : order)
      if (pending[i].seq) wb.Put(history_key(pending[i].prefix, pending[i].seq), rocksdb::Slice());
    for (uint32_t i : order) {
      const Pending& p = pending[i];
      const std::size_t bi = p.item;
      const ChangeBatch& b = items[bi].batch;
      if (p.v4_record) {
        const ChangedV4& r = b.changed_v4[p.record];
        if (!r.has_path) {
          wb.Delete(snapshot_key(p.prefix));
          continue;
        }
        value.clear();
        append_snapshot_head(value, 1, 1);
        append_snapshot_path(value, r.path_id, peer_bytes_[peer_ids[bi][r.peer]], encoded[bi][r.attrs]->attrs);
        wb.Put(snapshot_key(p.prefix), value);
        continue;
      }
      const DecidedPaths::Entry& r = b.decided.prefixes[p.record];
      if (r.count == 0) {
        wb.Delete(snapshot_key(p.prefix));
        continue;
      }
      const uint32_t n = std::min(r.count, kMaxSnapshotPaths);
      value.clear();
      append_snapshot_head(value, r.selected, n);
      for (uint32_t k = 0; k < n; ++k) {
        const SelectedPath& path = b.decided.paths[r.first + k];
        append_snapshot_path(value, path.path_id, peer_bytes_[peer_ids[bi][path.peer]], encoded[bi][path.attrs]->attrs);
      }
      wb.Put(snapshot_key(p.prefix), value);
    }
    const rocksdb::Status st = db_->Write(rocksdb::WriteOptions(), &wb);
    if (!st.ok() && log_) log_(LogLevel::warning, "store " + options_.path + ": write failed: " + st.ToString());
    written_ += journal;
    journal = 0;
    next_seq_ = seq;
    wb.Clear();
    pending.clear();
  };
  if (!snapshot_complete_) set_snapshot_complete(false);
  if (!kernel_complete_ && kernel_known_) db_->Put(rocksdb::WriteOptions(), std::string(kKernelStateKey), "incomplete");
  // Each attribute set's summary and BGP encoding, once (kept while in use).
  if (encoded_.size() > kMaxEncodedSets) encoded_.clear();
  for (std::size_t bi = 0; bi < items.size(); ++bi) {
    Item& item = items[bi];
    if (item.kind == Item::Kind::kernel) {
      // The kernel's confirmations go into the same WriteBatch, in queue order
      // (their keys are apart from the journal's and the snapshot's).
      if (item.kernel.full) {
        wb.DeleteRange("k", "l");
        kernel_known_ = true;
        kernel_complete_ = true;
        wb.Put(std::string(kKernelStateKey), "complete");
      }
      for (const KernelChange& c : item.kernel.changes) {
        if (c.route) wb.Put(kernel_key(c.prefix), encode_kernel_route(*c.route));
        else wb.Delete(kernel_key(c.prefix));
      }
      if (wb.Count() >= kMaxBatchRecords) commit();
      continue;
    }
    if (item.kind == Item::Kind::peer) {
      wb.Put(peer_state_key(item.peer->name), encode_peer_state(*item.peer));
      continue;
    }
    if (item.kind == Item::Kind::reset) {
      // In the same WriteBatch as the snapshot keys that follow: a kill -9 never
      // finds the snapshot emptied but not yet written again (a warm restart
      // that restarts again at once still loads a full snapshot).
      commit();  // what came before the reset
      wb.DeleteRange("s", "t");
      best_peer_.clear();
      snapshot_complete_ = true;
      set_snapshot_complete(true);
      continue;
    }
    const ChangeBatch& b = item.batch;
    for (const PeerRef& p : b.peers) peer_ids[bi].push_back(intern_peer(p));
    for (const auto& a : b.attrs) {
      auto [it, fresh] = encoded_.try_emplace(a.get());
      if (fresh) it->second = Encoded{a, encode_summary_attrs(summarize(*a)), encode_route_attrs(*a)};
      encoded[bi].push_back(&it->second);
    }
    // A journal entry: `best` is the batch's index of the new best's peer and
    // attributes, none for a withdraw; `ecmp_next_hops` the ECMP set's, best first.
    auto journal_entry = [&](const Prefix& prefix, std::optional<std::pair<uint32_t, uint32_t>> best,
                             std::span<const IpAddress> ecmp_next_hops) {
      ChangeKind change;
      uint32_t pid = 0;
      const Encoded* enc = nullptr;
      if (!best) {
        // The peer of a withdraw: whose best it was (none known: unnamed).
        auto it = best_peer_.find(prefix);
        change = ChangeKind::withdraw;
        pid = it != best_peer_.end() ? it->second : intern_peer(PeerRef{});
        if (it != best_peer_.end()) best_peer_.erase(it);
      } else {
        pid = peer_ids[bi][best->first];
        enc = encoded[bi][best->second];
        auto [it, fresh] = best_peer_.try_emplace(prefix, pid);
        if (!fresh) it->second = pid;
        change = fresh ? ChangeKind::announce : ChangeKind::replace;
      }
      summary.clear();
      if (enc) {
        append_summary_next_hops(summary, ecmp_next_hops);
        summary.append(enc->summary);
      }
      value.clear();
      append_journal_value(value, b.time_ms, change, prefix, peer_bytes_[pid], summary);
      wb.Put(journal_key(seq), value);
      ++journal;
      return seq++;
    };
    // Each prefix is once in a batch (one decision), so the two forms' order
    // does not matter.
    for (uint32_t ri = 0; ri < b.changed_v4.size(); ++ri) {
      const ChangedV4& r = b.changed_v4[ri];
      const Prefix prefix = r.prefix();
      next_hops.clear();
      if (r.has_path) next_hops.push_back(b.attrs[r.attrs]->next_hop);
      const uint64_t entry = journal_entry(
          prefix, r.has_path ? std::optional(std::pair(uint32_t{r.peer}, r.attrs)) : std::nullopt, next_hops);
      pending.push_back(Pending{prefix, true, entry, static_cast<uint32_t>(bi), ri});
      if (pending.size() >= kMaxBatchRecords) commit();
    }
    for (uint32_t ri = 0; ri < b.decided.prefixes.size(); ++ri) {
      const DecidedPaths::Entry& r = b.decided.prefixes[ri];
      uint64_t entry = 0;
      if (r.selection_changed) {
        std::optional<std::pair<uint32_t, uint32_t>> best;
        if (r.selected > 0) best = std::pair(uint32_t{b.decided.paths[r.first].peer}, b.decided.paths[r.first].attrs);
        // The ECMP set's next hops, best first, each once (ADD-PATH may give
        // two paths through one next hop).
        next_hops.clear();
        for (uint32_t k = 0; k < r.selected && k < r.count; ++k) {
          const IpAddress& nh = b.attrs[b.decided.paths[r.first + k].attrs]->next_hop;
          if (std::find(next_hops.begin(), next_hops.end(), nh) == next_hops.end()) next_hops.push_back(nh);
        }
        entry = journal_entry(r.prefix, best, next_hops);
      }
      pending.push_back(Pending{r.prefix, false, entry, static_cast<uint32_t>(bi), ri});
      if (pending.size() >= kMaxBatchRecords) commit();
    }
  }
  commit();
}

uint64_t Store::trim(int64_t now_ms) {
  std::lock_guard guard(trim_mutex_);
  const int64_t cutoff = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.history_max_age).count();
  const uint64_t next = next_seq_;
  uint64_t first = first_seq_;
  uint64_t removed = 0;
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(journal_key(first)); it->Valid() && it->key().starts_with("j"); it->Next()) {
    const auto seq = decode_seq(it->key().ToStringView());
    if (!seq || *seq >= next) break;
    const auto e = decode_journal(it->value().ToStringView(), *seq);
    const bool over_count = next - *seq > options_.history_max_entries;
    const bool too_old = e && e->time_ms < cutoff;
    if (e && !over_count && !too_old) break;  // an undecodable entry goes too
    wb.Delete(it->key());
    if (e) wb.Delete(history_key(e->prefix, *seq));
    first = *seq + 1;
    ++removed;
    if (wb.Count() >= 2 * kMaxBatchRecords) {
      db_->Write(rocksdb::WriteOptions(), &wb);
      wb.Clear();
    }
  }
  if (wb.Count() > 0) db_->Write(rocksdb::WriteOptions(), &wb);
  if (removed > 0) first_seq_ = first;
  expired_ += removed;
  return removed;
}

std::vector<JournalEntry> Store::history(const Prefix& prefix, std::size_t limit) const {
  std::vector<uint64_t> seqs;
  const std::string head = history_prefix(prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(head); it->Valid() && it->key().starts_with(head); it->Next())
    if (auto s = decode_seq(it->key().ToStringView())) seqs.push_back(*s);
  if (seqs.size() > limit) seqs.erase(seqs.begin(), seqs.end() - static_cast<std::ptrdiff_t>(limit));
  std::vector<JournalEntry> out;
  std::string value;
  for (uint64_t s : seqs) {
    if (!db_->Get(rocksdb::ReadOptions(), journal_key(s), &value).ok()) continue;  // expired meanwhile
    if (auto e = decode_journal(value, s)) out.push_back(std::move(*e));
  }
  return out;
}

std::size_t Store::for_each_journal(const std::function<void(const JournalEntry&)>& f) const {
  std::size_t bad = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("j"); it->Valid() && it->key().starts_with("j"); it->Next()) {
    const auto seq = decode_seq(it->key().ToStringView());
    auto e = seq ? decode_journal(it->value().ToStringView(), *seq) : fail<JournalEntry>("bad key");
    if (!e) {
      ++bad;
      continue;
    }
    f(*e);
  }
  return bad;
}

Result<std::vector<SnapshotRoute>, std::string> Store::load_snapshot() const {
  using R = Result<std::vector<SnapshotRoute>, std::string>;
  if (!snapshot_complete_)
    return fail<std::vector<SnapshotRoute>>("the snapshot is incomplete: changes were dropped when the store fell behind");
  std::vector<SnapshotRoute> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("s"); it->Valid() && it->key().starts_with("s"); it->Next()) {
    auto p = decode_snapshot_key(it->key().ToStringView());
    if (!p) return fail<std::vector<SnapshotRoute>>("snapshot key: " + p.error());
    auto r = decode_snapshot(*p, it->value().ToStringView());
    if (!r) return fail<std::vector<SnapshotRoute>>(r.error());
    out.push_back(std::move(*r));
  }
  return R(std::move(out));
}

Result<std::vector<KernelRoute>, std::string> Store::load_kernel_set() const {
  std::string state;
  if (!db_->Get(rocksdb::ReadOptions(), std::string(kKernelStateKey), &state).ok())
    return fail<std::vector<KernelRoute>>("the store holds no record of the kernel's routes yet");
  if (state != "complete" || !kernel_complete_)
    return fail<std::vector<KernelRoute>>(
        "the record of the kernel's routes is incomplete: confirmations were dropped when the store fell behind");
  std::vector<KernelRoute> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("k"); it->Valid() && it->key().starts_with("k"); it->Next()) {
    auto p = decode_kernel_key(it->key().ToStringView());
    if (!p) return fail<std::vector<KernelRoute>>("kernel-set key: " + p.error());
    auto r = decode_kernel_route(*p, it->value().ToStringView());
    if (!r) return fail<std::vector<KernelRoute>>(r.error());
    out.push_back(std::move(*r));
  }
  return Result<std::vector<KernelRoute>, std::string>(std::move(out));
}

Result<std::vector<PeerRestartState>, std::string> Store::load_peer_states() const {
  std::vector<PeerRestartState> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("g"); it->Valid() && it->key().starts_with("g"); it->Next()) {
    auto name = decode_peer_state_key(it->key().ToStringView());
    if (!name) return fail<std::vector<PeerRestartState>>(name.error());
    auto st = decode_peer_state(*name, it->value().ToStringView());
    if (!st) return fail<std::vector<PeerRestartState>>(st.error());
    out.push_back(std::move(*st));
  }
  return Result<std::vector<PeerRestartState>, std::string>(std::move(out));
}

StoreStats Store::stats() const {
  StoreStats s;
  s.journal_entries = next_seq_ - first_seq_;
  s.records_written = written_;
  s.records_dropped = dropped_;
  s.entries_expired = expired_;
  s.snapshot_complete = snapshot_complete_;
  s.kernel_set_complete = kernel_complete_;
  std::lock_guard lock(mutex_);
  s.queued_records = queued_records_;
  return s;
}

}  // namespace petrel::rib::store
