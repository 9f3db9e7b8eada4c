#include "fib/sink_worker.hpp"

#include <pthread.h>

namespace petrel::fib {

SinkWorker::SinkWorker(RouteSink& sink) : sink_(sink), thread_([this] { run(); }) {
  pthread_setname_np(thread_.native_handle(), "petrel-fib-sink");  // what `top -H` shows
}

SinkWorker::~SinkWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void SinkWorker::start(std::span<const Operation> ops, std::span<int> errors) {
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !pending_; });  // one call at a time
    ops_ = ops;
    errors_ = errors;
    pending_ = true;
  }
  changed_.notify_all();
}

void SinkWorker::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !pending_; });
}

void SinkWorker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return pending_ || stopping_; });
    if (pending_) {  // a call handed over before a stop still runs
      lock.unlock();
      sink_.apply(ops_, errors_);
      lock.lock();
      pending_ = false;
      changed_.notify_all();
      continue;
    }
    return;
  }
}

}  // namespace petrel::fib
