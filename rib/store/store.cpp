// rib/store/store.cpp — the RocksDB store (store.hpp).
#include "rib/store/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

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

// Bytes written to RocksDB per WriteBatch at most (a big decision is split).
constexpr std::size_t kMaxBatchRecords = 50'000;

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
  return true;
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
  if (batch.records.empty()) return;
  bool dropped_now = false;
  {
    std::lock_guard lock(mutex_);
    queued_records_ += batch.records.size();
    queue_.push_back(Item{false, std::move(batch)});
    // Bounded: drop the oldest batches (never the newest, never a reset).
    while (queued_records_ > options_.queue_max_records && queue_.size() > 1) {
      auto victim = std::find_if(queue_.begin(), queue_.end() - 1, [](const Item& i) { return !i.reset; });
      if (victim == queue_.end() - 1) break;
      queued_records_ -= victim->batch.records.size();
      dropped_ += victim->batch.records.size();
      queue_.erase(victim);
      dropped_now = true;
    }
  }
  if (dropped_now) snapshot_complete_ = false;  // written to the database by the thread
  wake_.notify_one();
}

void Store::reset_snapshot() {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{true, {}});
  }
  wake_.notify_one();
}

bool Store::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !writing_; });
}

void Store::run() {
  std::vector<Item> items;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      items.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
      queued_records_ = 0;
      writing_ = true;
    }
    write(items);
    items.clear();
    trim(now_unix_ms());
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
  if (fresh) peers_.push_back(p);
  return it->second;
}

void Store::set_snapshot_complete(bool complete) {
  if (complete) db_->Delete(rocksdb::WriteOptions(), kSnapshotIncompleteKey);
  else db_->Put(rocksdb::WriteOptions(), kSnapshotIncompleteKey, "1");
}

void Store::write(std::vector<Item>& items) {
  rocksdb::WriteBatch wb;
  std::size_t in_batch = 0;
  uint64_t seq = next_seq_;
  auto commit = [&] {
    if (in_batch == 0) return;
    const rocksdb::Status st = db_->Write(rocksdb::WriteOptions(), &wb);
    if (!st.ok() && log_) log_(LogLevel::warning, "store " + options_.path + ": write failed: " + st.ToString());
    written_ += in_batch;
    next_seq_ = seq;
    wb.Clear();
    in_batch = 0;
  };
  if (!snapshot_complete_) set_snapshot_complete(false);
  std::vector<std::string> encoded_attrs;
  std::vector<AttrSummary> summaries;
  std::vector<uint32_t> peer_ids;
  for (Item& item : items) {
    if (item.reset) {
      commit();
      db_->DeleteRange(rocksdb::WriteOptions(), db_->DefaultColumnFamily(), "s", "t");
      best_peer_.clear();
      snapshot_complete_ = true;
      set_snapshot_complete(true);
      continue;
    }
    const ChangeBatch& b = item.batch;
    encoded_attrs.assign(b.attrs.size(), std::string());
    summaries.clear();
    for (const RouteAttrs& a : b.attrs) summaries.push_back(summarize(a));
    peer_ids.clear();
    for (const PeerRef& p : b.peers) peer_ids.push_back(intern_peer(p));
    JournalEntry e;
    e.time_ms = b.time_ms;
    for (const ChangeBatch::Record& r : b.records) {
      e.prefix = r.prefix;
      const std::string skey = snapshot_key(r.prefix);
      if (r.withdrawn) {
        auto it = best_peer_.find(r.prefix);
        e.change = ChangeKind::withdraw;
        e.peer = it != best_peer_.end() ? peers_[it->second] : PeerRef{};
        e.attrs = AttrSummary();
        if (it != best_peer_.end()) best_peer_.erase(it);
        wb.Delete(skey);
      } else {
        const uint32_t pid = peer_ids[r.peer];
        auto [it, fresh] = best_peer_.try_emplace(r.prefix, pid);
        if (!fresh) it->second = pid;
        e.change = fresh ? ChangeKind::announce : ChangeKind::replace;
        e.peer = b.peers[r.peer];
        e.attrs = summaries[r.attrs];
        std::string& enc = encoded_attrs[r.attrs];
        if (enc.empty()) enc = encode_route_attrs(b.attrs[r.attrs]);
        wb.Put(skey, encode_snapshot(b.peers[r.peer], enc));
      }
      wb.Put(journal_key(seq), encode_journal(e));
      wb.Put(history_key(r.prefix, seq), rocksdb::Slice());
      ++seq;
      if (++in_batch >= kMaxBatchRecords) commit();
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

StoreStats Store::stats() const {
  StoreStats s;
  s.journal_entries = next_seq_ - first_seq_;
  s.records_written = written_;
  s.records_dropped = dropped_;
  s.entries_expired = expired_;
  s.snapshot_complete = snapshot_complete_;
  std::lock_guard lock(mutex_);
  s.queued_records = queued_records_;
  return s;
}

}  // namespace petrel::rib::store
