#include "fib/fib_writer.hpp"

#include <pthread.h>

#include <algorithm>
#include <cerrno>

namespace petrel::fib {

using Clock = std::chrono::steady_clock;

FibWriter::FibWriter(RouteSink& sink, FibWriterOptions options) : sink_(sink), options_(options) {}

FibWriter::~FibWriter() { stop(); }

void FibWriter::put(Route route) {
  normalize(route);
  std::lock_guard lock(mutex_);
  queue_.put(std::move(route));
  wake_.notify_one();
}

void FibWriter::remove(const Prefix& prefix) {
  std::lock_guard lock(mutex_);
  queue_.remove(prefix);
  wake_.notify_one();
}

void FibWriter::submit(std::vector<RouteChange> changes) {
  for (RouteChange& change : changes) {
    if (change.route) normalize(*change.route);
  }
  std::lock_guard lock(mutex_);
  for (RouteChange& change : changes) {
    if (change.route) {
      queue_.put(std::move(*change.route));
    } else {
      queue_.remove(change.prefix);
    }
  }
  wake_.notify_one();
}

void FibWriter::request_resync() {
  std::lock_guard lock(mutex_);
  resync_requested_ = true;
  wake_.notify_one();
}

void FibWriter::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  busy_ = true;  // the start-up reconcile counts as work in flight
  worker_ = std::make_unique<SinkWorker>(sink_);
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "petrel-fib");  // what `top -H` shows
}

void FibWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  worker_.reset();  // idle: the writer thread waits for every call it hands over
}

bool FibWriter::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout,
                        [&] { return queue_.empty() && !busy_ && !resync_requested_ && scheduled_retries_ == 0; });
}

bool FibWriter::wait_flushed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_ && !resync_requested_; });
}

FibCounters FibWriter::counters() const {
  std::lock_guard lock(mutex_);
  FibCounters c = counters_;
  c.coalesced = queue_.coalesced();
  return c;
}

std::size_t FibWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t FibWriter::pending_retries() const {
  std::lock_guard lock(mutex_);
  return retry_count_;
}

void FibWriter::run() {
  // Start-up: everything queued so far is the desired state; reconcile against the
  // kernel instead of writing it blindly (routes already right stay untouched).
  {
    {
      std::lock_guard lock(mutex_);
      queue_.take_all(taken_);
    }
    if (table_.size() + taken_.size() > table_.max_load()) table_.reserve(table_.size() + taken_.size());
    for (RouteChange& change : taken_.changes) {
      if (change.route) {
        want(table_[change.prefix], *change.route);
      } else if (auto it = table_.find(change.prefix); it != table_.end()) {
        unwant(it->second);
        if (!it->second.installed) table_.erase(it);
      }
    }
    taken_.clear();
    resync();
    std::lock_guard lock(mutex_);
    busy_ = false;
    idle_.notify_all();
  }
  next_resync_ = Clock::now() + (resync_failed_ ? std::chrono::milliseconds(1000) : options_.resync_interval);

  std::unique_lock lock(mutex_);
  for (;;) {
    auto now = Clock::now();
    bool resync_due = resync_requested_ ||
                      ((options_.resync_interval.count() > 0 || resync_failed_) && now >= next_resync_);
    if (stopping_) break;
    if (!queue_.empty()) {
      // The queue goes first: a resync reconciles the newest desired state.
      let_burst_settle(lock);
      queue_.take_all(taken_);
      busy_ = true;
      lock.unlock();
      process_taken();
      lock.lock();
      busy_ = false;
    } else if (resync_due) {
      resync_requested_ = false;
      resync_failed_ = false;
      busy_ = true;
      lock.unlock();
      resync();
      next_resync_ = Clock::now() + (resync_failed_ ? std::chrono::milliseconds(1000) : options_.resync_interval);
      lock.lock();
      busy_ = false;
    } else {
      idle_.notify_all();
      lock.unlock();
      requeue_due_retries(now);
      lock.lock();
      if (!queue_.empty() || resync_requested_ || stopping_) continue;
      wake_.wait_until(lock, next_wakeup(now));
      continue;
    }
    if (queue_.empty() && !resync_requested_) idle_.notify_all();
  }
  idle_.notify_all();
}

void FibWriter::let_burst_settle(std::unique_lock<std::mutex>& lock) {
  if (queue_.size() < kFirstBatch || options_.max_settle.count() == 0) return;  // a trickle: no wait
  const auto deadline = Clock::now() + options_.max_settle;
  for (;;) {
    const std::size_t before = queue_.size();
    wake_.wait_for(lock, options_.settle_step, [&] { return stopping_; });
    if (stopping_ || queue_.size() - before < options_.settle_growth || Clock::now() >= deadline) return;
  }
}

void FibWriter::process_taken() {
  order_.clear();
  order_.reserve(taken_.size());
  for (RouteChange& change : taken_.changes) order_.emplace_back(kernel_order_key(change.prefix), &change);
  std::sort(order_.begin(), order_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<RouteChange*> chunk;
  const std::size_t batch = std::max<std::size_t>(options_.batch, 1);
  // Pipelined: while the SinkWorker applies one batch, this thread prepares the next;
  // then it records the first's answers and hands over the second.
  Batch* in_flight = nullptr;
  std::size_t in_flight_begin = 0;  // its changes are order_[in_flight_begin, start)
  bool merged = false;              // a burst joined since the batch in flight was prepared
  auto drain = [&] {
    if (in_flight == nullptr) return;
    worker_->wait();
    finish(*in_flight);
    in_flight = nullptr;
  };
  for (std::size_t start = 0; start < order_.size();) {
    if (start > 0) {
      bool stop = false;
      bool merge = false;
      {
        std::lock_guard lock(mutex_);
        stop = stopping_;
        // A burst still arriving (a large share of what is left): fold it into this
        // round, so that the whole burst goes out in one kernel order rather than as
        // several rounds of neighbouring prefixes. At most a few times per round, so
        // that the prefixes at the end of the order are not put off for long.
        if (!stop && bursts_used_ < kMaxMergesPerRound && !queue_.empty() &&
            queue_.size() * 4 >= order_.size() - start) {
          queue_.take_all(bursts_[bursts_used_++]);
          merge = true;
        }
      }
      if (stop) {  // stop() lets the sink call in flight finish; the rest waits queued
        drain();
        std::lock_guard lock(mutex_);
        for (std::size_t i = start; i < order_.size(); ++i) queue_.restore(std::move(*order_[i].second));
        break;
      }
      if (merge) {
        merge_burst(bursts_[bursts_used_ - 1], start);  // while the kernel works (it touches no table entry)
        merged = true;
      }
    }
    chunk.clear();
    // A round's first batch is small: the kernel starts at once, and a burst still
    // arriving is looked for (and folded in) early, not after a whole batch.
    const std::size_t size = start == 0 ? std::min(batch, kFirstBatch) : batch;
    const std::size_t end = std::min(start + size, order_.size());
    std::size_t puts = 0;
    for (std::size_t i = start; i < end; ++i) {
      chunk.push_back(order_[i].second);
      puts += chunk.back()->route ? 1 : 0;
    }
    // Grow the table once for the rest of the round. (Only when needed: boost's
    // reserve() rehashes to the size asked, even a smaller one.) The rehash moves
    // every entry: the batch in flight then finds its entries again by prefix.
    if (table_.size() + puts > table_.max_load()) {
      ++table_generation_;
      std::size_t round_puts = 0;
      for (std::size_t i = start; i < order_.size(); ++i) round_puts += order_[i].second->route ? 1 : 0;
      table_.reserve(table_.size() + round_puts);
    }
    // A prefix of the batch in flight that came again with a burst is prepared only
    // once the kernel's answer for it is recorded.
    if (merged && in_flight != nullptr && shares_prefix(in_flight_begin, start, start, end)) drain();
    merged = false;
    Batch& next = in_flight == &batches_[0] ? batches_[1] : batches_[0];
    prepare(chunk, next);
    drain();
    worker_->start(next.ops, next.errors);
    in_flight = &next;
    in_flight_begin = start;
    start = end;
  }
  drain();
  order_.clear();
  taken_.clear();
  for (std::size_t i = 0; i < bursts_used_; ++i) bursts_[i].clear();  // their capacity serves the next bursts
  bursts_used_ = 0;
}

bool FibWriter::shares_prefix(std::size_t a, std::size_t b, std::size_t c, std::size_t d) const {
  // Both ranges are sorted by key, and a key is a prefix: one walk through both.
  while (a < b && c < d) {
    if (order_[a].first < order_[c].first) {
      ++a;
    } else if (order_[c].first < order_[a].first) {
      ++c;
    } else {
      return true;
    }
  }
  return false;
}

void FibWriter::merge_burst(PendingChanges& burst, std::size_t start) {
  // The burst's changes stay where they are (no copies); the order points at them.
  const std::size_t first_new = order_.size();
  for (RouteChange& change : burst.changes) order_.emplace_back(kernel_order_key(change.prefix), &change);
  auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(order_.begin() + static_cast<std::ptrdiff_t>(first_new), order_.end(), by_key);
  // Stable: of a prefix still waiting in the round and again in the burst (one key:
  // the key is the prefix), the waiting change comes first.
  std::inplace_merge(order_.begin() + static_cast<std::ptrdiff_t>(start),
                     order_.begin() + static_cast<std::ptrdiff_t>(first_new), order_.end(), by_key);
  // Latest wins: of equal keys keep the last. A prefix written earlier in the round
  // (before `start`) is simply written again.
  auto out = order_.begin() + static_cast<std::ptrdiff_t>(start);
  for (auto it = out; it != order_.end(); ++it) {
    if (std::next(it) != order_.end() && std::next(it)->first == it->first) continue;
    *out++ = *it;
  }
  order_.erase(out, order_.end());
}

Clock::time_point FibWriter::next_wakeup(Clock::time_point now) const {
  Clock::time_point wakeup = now + std::chrono::seconds(1);
  if (options_.resync_interval.count() > 0 || resync_failed_) wakeup = std::min(wakeup, next_resync_);
  for (const auto& [prefix, retry] : retry_) wakeup = std::min(wakeup, retry.due);  // max() when parked
  return std::max(wakeup, now);
}

void FibWriter::requeue_due_retries(Clock::time_point now) {
  std::vector<Prefix> due;
  for (const auto& [prefix, retry] : retry_) {
    if (retry.due <= now) due.push_back(prefix);
  }
  if (due.empty()) return;
  std::lock_guard lock(mutex_);
  for (const Prefix& prefix : due) {
    auto it = table_.find(prefix);
    if (it != table_.end() && it->second.wanted) {
      queue_.put(attributes_.route(prefix, it->second.attributes));
    } else {
      queue_.remove(prefix);
    }
    // The retry stays recorded (its attempt count drives the next backoff) but is
    // not due again until the re-queued change fails once more.
    retry_[prefix].due = Clock::time_point::max();
    ++counters_.retries;
  }
  scheduled_retries_ = count_scheduled_retries();
}

std::size_t FibWriter::count_scheduled_retries() const {
  std::size_t n = 0;
  for (const auto& [prefix, retry] : retry_) n += retry.due != Clock::time_point::max() ? 1 : 0;
  return n;
}

void FibWriter::prepare(std::span<RouteChange* const> changes, Batch& batch) {
  std::vector<Operation>& ops = batch.ops;
  std::vector<FibTable::iterator>& entries = batch.entries;
  ops.clear();
  entries.clear();
  batch.removes_after.clear();
  // The caller made room: no insert below rehashes, so the iterators stay valid
  // until finish() has recorded the sink's answers (erasing one moves no other),
  // unless the caller grows the table meanwhile (table_generation_ then differs).
  batch.table_generation = table_generation_;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    // The changes come in kernel order, scattered over memory: fetch ahead.
    if (i + 8 < changes.size()) {
      const char* ahead = reinterpret_cast<const char*>(changes[i + 8]);
      for (std::size_t line = 0; line < sizeof(RouteChange); line += 64) __builtin_prefetch(ahead + line);
    }
    const Prefix& prefix = changes[i]->prefix;
    std::optional<Route>& route = changes[i]->route;
    // One probe per change: the entry holds both what is wanted and what is installed.
    if (route) {
      auto it = table_.try_emplace(prefix).first;
      FibEntry& entry = it->second;
      const uint32_t metric = effective_metric(*route);
      want(entry, *route);
      if (entry.installed && entry.installed_metric == metric) {
        ops.push_back({Operation::Kind::replace, std::move(*route)});
      } else {
        if (entry.installed) {  // a new metric is a new kernel key
          Route old;
          old.prefix = prefix;
          old.metric = entry.installed_metric;
          batch.removes_after.emplace_back(Operation{Operation::Kind::remove, std::move(old)}, ops.size());
        }
        ops.push_back({Operation::Kind::install, std::move(*route)});
      }
      entries.push_back(it);
    } else {
      auto it = table_.find(prefix);  // none: not ours as far as we know; the remove is harmless
      Route r;
      r.prefix = prefix;
      if (it != table_.end()) {
        unwant(it->second);
        if (it->second.installed) r.metric = it->second.installed_metric;
      }
      ops.push_back({Operation::Kind::remove, std::move(r)});
      entries.push_back(it);
    }
  }
  batch.errors.assign(ops.size(), 0);
}

void FibWriter::finish(Batch& batch) {
  const bool entries_valid = batch.table_generation == table_generation_;
  record(batch.ops, batch.errors, entries_valid ? std::span<const FibTable::iterator>(batch.entries) : std::span<const FibTable::iterator>());
  // Removes of old metrics go only once the install of the new key succeeded, so
  // that a failed install (EEXIST on a key another owner holds, ENETUNREACH, …)
  // never leaves the prefix with no route: the old route stays until the retry of
  // the new one succeeds. Rare; sent at once (nothing else is in flight here).
  if (!batch.removes_after.empty()) {
    std::vector<Operation> after;
    for (auto& [remove, install] : batch.removes_after)
      if (batch.errors[install] == 0) after.push_back(std::move(remove));
    std::vector<int> after_errors;
    apply(after, after_errors);
  }
  hand_over_confirmed();
}

void FibWriter::want(FibEntry& entry, const Route& route) {
  const RouteAttributeTable::Id id = attributes_.acquire(route);  // before the release: a set kept is not forgotten
  if (entry.wanted) attributes_.release(entry.attributes);
  entry.attributes = id;
  entry.wanted = true;
}

void FibWriter::unwant(FibEntry& entry) {
  if (entry.wanted) attributes_.release(entry.attributes);
  entry.wanted = false;
}

void FibWriter::hand_over_confirmed() {
  if (!confirmed_sink_ || (confirmed_.changes.empty() && !confirmed_.full)) return;
  KernelConfirmation c = std::move(confirmed_);
  confirmed_ = {};
  confirmed_sink_(std::move(c));
}

void FibWriter::apply(std::vector<Operation>& ops, std::vector<int>& errors) {
  errors.assign(ops.size(), 0);
  if (ops.empty()) return;
  sink_.apply(ops, errors);
  record(ops, errors, {});
}

void FibWriter::record(std::span<const Operation> ops, std::span<const int> errors,
                       std::span<const FibTable::iterator> entries) {
  FibCounters delta;
  delta.batches = 1;
  auto now = Clock::now();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    const Prefix& prefix = op.route.prefix;
    FibTable::iterator it = entries.empty() ? table_.find(prefix) : entries[i];
    FibEntry* entry = it != table_.end() ? &it->second : nullptr;
    // An entry neither wanted nor installed any more goes (erasing moves no other entry).
    auto erase_if_unused = [&] {
      if (entry != nullptr && !entry->wanted && !entry->installed) table_.erase(it);
    };
    // Removing what is already gone is success: the kernel is where we want it.
    bool ok = errors[i] == 0 || (op.kind == Operation::Kind::remove && errors[i] == ESRCH);
    if (ok && confirmed_sink_ && !confirmed_.full) {
      // What the kernel now holds of ours for the prefix (a remove of an old
      // metric's key, while the prefix's new route stays, is not a removal).
      if (op.kind != Operation::Kind::remove) confirmed_.changes.push_back({prefix, op.route});
      else if (entry == nullptr || !entry->wanted) confirmed_.changes.push_back({prefix, std::nullopt});
    }
    if (ok) {
      if (op.kind == Operation::Kind::remove) {
        ++delta.removes;
        if (entry != nullptr && entry->installed &&
            (!op.route.metric || *op.route.metric == entry->installed_metric)) {
          entry->installed = false;
        }
        // A remove of an old metric does not end the retry of the prefix's new route.
        if (!retry_.empty() && (entry == nullptr || !entry->wanted)) retry_.erase(prefix);
        erase_if_unused();
      } else {
        ++delta.installs;
        if (entry == nullptr) {  // (an install's entry exists; should it not, make one)
          entry = &table_[prefix];
          ++table_generation_;  // the insert may have rehashed: a prepared batch looks its entries up again
        }
        entry->installed = true;
        entry->installed_metric = effective_metric(op.route);
        if (!retry_.empty()) retry_.erase(prefix);
      }
      continue;
    }
    erase_if_unused();
    ++delta.failures;
    Retry& retry = retry_[prefix];
    auto backoff = options_.retry_initial * (1LL << std::min(retry.attempts, 20));
    retry.due = now + std::min<std::chrono::milliseconds>(backoff, options_.retry_max);
    ++retry.attempts;
  }
  const SinkCounters sink = sink_.counters();
  std::lock_guard lock(mutex_);
  counters_.plain_fallbacks = sink.plain_fallbacks;
  counters_.objects_refused = sink.objects_refused;
  counters_.installs += delta.installs;
  counters_.removes += delta.removes;
  counters_.failures += delta.failures;
  counters_.batches += delta.batches;
  retry_count_ = retry_.size();
  scheduled_retries_ = count_scheduled_retries();
}

void FibWriter::resync() {
  auto observed = sink_.dump_own();
  if (!observed) {
    std::lock_guard lock(mutex_);
    ++counters_.resync_errors;
    resync_failed_ = true;  // run() tries again a second later
    return;
  }
  ReconcilePlan plan = reconcile(WantedRoutes(table_, attributes_), *observed);
  // What the dump shows is ours; apply() then tracks the plan's operations. Of a
  // prefix with several routes the plan keeps at most one, removing the others.
  for (auto& [prefix, entry] : table_) entry.installed = false;
  for (const Route& route : *observed) {
    FibEntry& entry = table_[route.prefix];
    bool kept = entry.wanted && attributes_.effective_metric(route.prefix, entry.attributes) == effective_metric(route);
    if (kept || !entry.installed) {
      entry.installed = true;
      entry.installed_metric = effective_metric(route);
    }
  }
  erase_if(table_, [](const auto& item) { return !item.second.wanted && !item.second.installed; });
  // Installs and replaces stay before removes (a metric change's new key goes in
  // before its old one goes); each group in the kernel's cheapest order.
  auto removes = std::find_if(plan.operations.begin(), plan.operations.end(),
                              [](const Operation& op) { return op.kind == Operation::Kind::remove; });
  sort_for_kernel(std::span<Operation>(plan.operations.begin(), removes));
  sort_for_kernel(std::span<Operation>(removes, plan.operations.end()));
  std::vector<int> errors;
  const bool full = confirmed_sink_ && !full_confirmed_;
  if (full) confirmed_.full = true;  // apply() collects nothing: the whole set follows
  apply(plan.operations, errors);
  if (full) {
    // The first reconcile: every desired route the kernel holds now, adopted
    // (no operation) or installed by an operation that succeeded.
    boost::unordered_flat_map<Prefix, bool, PrefixHash, PrefixEqual> failed;
    for (std::size_t i = 0; i < plan.operations.size(); ++i)
      if (errors[i] != 0 && plan.operations[i].kind != Operation::Kind::remove) failed[plan.operations[i].route.prefix] = true;
    confirmed_.changes.clear();
    confirmed_.changes.reserve(table_.size());
    for (const auto& [prefix, entry] : table_)
      if (entry.wanted && !failed.contains(prefix)) confirmed_.changes.push_back({prefix, attributes_.route(prefix, entry.attributes)});
    full_confirmed_ = true;
  }
  hand_over_confirmed();
  std::lock_guard lock(mutex_);
  ++counters_.resyncs;
  counters_.adopted = plan.adopted;
  counters_.repaired += plan.operations.size();
}

}  // namespace petrel::fib
