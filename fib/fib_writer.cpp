#include "fib/fib_writer.hpp"

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
  thread_ = std::thread([this] { run(); });
}

void FibWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
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
    std::vector<RouteChange> initial;
    {
      std::lock_guard lock(mutex_);
      initial = queue_.take(queue_.size());
    }
    for (RouteChange& change : initial) {
      if (change.route) {
        desired_[change.prefix] = std::move(*change.route);
      } else {
        desired_.erase(change.prefix);
      }
    }
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
      auto changes = queue_.take(options_.batch);
      busy_ = true;
      lock.unlock();
      process(std::move(changes));
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
    auto it = desired_.find(prefix);
    if (it != desired_.end()) {
      queue_.put(it->second);
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

void FibWriter::process(std::vector<RouteChange> changes) {
  std::vector<Operation> ops;
  ops.reserve(changes.size());
  // Removes of old metrics, each with the index of the install of its new key:
  // sent only once that install succeeded, so that a failed install (EEXIST on a
  // key another owner holds, ENETUNREACH, …) never leaves the prefix with no
  // route. The old route stays until the retry of the new one succeeds.
  std::vector<std::pair<Operation, std::size_t>> removes;
  for (RouteChange& change : changes) {
    auto ours = installed_.find(change.prefix);
    if (change.route) {
      desired_[change.prefix] = *change.route;
      const uint32_t metric = effective_metric(*change.route);
      if (ours != installed_.end() && ours->second == metric) {
        ops.push_back({Operation::Kind::replace, std::move(*change.route)});
        continue;
      }
      if (ours != installed_.end()) {  // a new metric is a new kernel key
        Route old;
        old.prefix = change.prefix;
        old.metric = ours->second;
        removes.emplace_back(Operation{Operation::Kind::remove, std::move(old)}, ops.size());
      }
      ops.push_back({Operation::Kind::install, std::move(*change.route)});
    } else {
      desired_.erase(change.prefix);
      Route r;
      r.prefix = change.prefix;
      if (ours != installed_.end()) r.metric = ours->second;
      ops.push_back({Operation::Kind::remove, std::move(r)});
    }
  }
  const std::vector<int> errors = apply(ops);
  std::vector<Operation> after;
  for (auto& [remove, install] : removes)
    if (errors[install] == 0) after.push_back(std::move(remove));
  apply(after);
}

std::vector<int> FibWriter::apply(std::vector<Operation>& ops) {
  std::vector<int> errors(ops.size(), 0);
  if (ops.empty()) return errors;
  sink_.apply(ops, errors);
  FibCounters delta;
  delta.batches = 1;
  auto now = Clock::now();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Operation& op = ops[i];
    const Prefix& prefix = op.route.prefix;
    // Removing what is already gone is success: the kernel is where we want it.
    bool ok = errors[i] == 0 || (op.kind == Operation::Kind::remove && errors[i] == ESRCH);
    if (ok) {
      if (op.kind == Operation::Kind::remove) {
        ++delta.removes;
        auto it = installed_.find(prefix);
        if (it != installed_.end() && (!op.route.metric || *op.route.metric == it->second)) installed_.erase(it);
        // A remove of an old metric does not end the retry of the prefix's new route.
        if (!desired_.contains(prefix)) retry_.erase(prefix);
      } else {
        ++delta.installs;
        installed_[prefix] = effective_metric(op.route);
        retry_.erase(prefix);
      }
      continue;
    }
    ++delta.failures;
    Retry& retry = retry_[prefix];
    auto backoff = options_.retry_initial * (1LL << std::min(retry.attempts, 20));
    retry.due = now + std::min<std::chrono::milliseconds>(backoff, options_.retry_max);
    ++retry.attempts;
  }
  std::lock_guard lock(mutex_);
  counters_.installs += delta.installs;
  counters_.removes += delta.removes;
  counters_.failures += delta.failures;
  counters_.batches += delta.batches;
  retry_count_ = retry_.size();
  scheduled_retries_ = count_scheduled_retries();
  return errors;
}

void FibWriter::resync() {
  auto observed = sink_.dump_own();
  if (!observed) {
    std::lock_guard lock(mutex_);
    ++counters_.resync_errors;
    resync_failed_ = true;  // run() tries again a second later
    return;
  }
  ReconcilePlan plan = reconcile(desired_, *observed);
  // What the dump shows is ours; apply() then tracks the plan's operations. Of a
  // prefix with several routes the plan keeps at most one, removing the others.
  installed_.clear();
  for (const Route& route : *observed) {
    auto it = desired_.find(route.prefix);
    bool kept = it != desired_.end() && effective_metric(it->second) == effective_metric(route);
    if (kept || !installed_.contains(route.prefix)) installed_[route.prefix] = effective_metric(route);
  }
  apply(plan.operations);
  std::lock_guard lock(mutex_);
  ++counters_.resyncs;
  counters_.adopted = plan.adopted;
  counters_.repaired += plan.operations.size();
}

}  // namespace petrel::fib
