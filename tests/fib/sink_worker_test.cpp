// The SinkWorker: sink calls run on its own thread, one at a time and in the order
// handed over; wait() returns once the call is done and its answers are visible;
// the destructor lets a call in flight finish.
#include "fib/sink_worker.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace petrel;
using namespace petrel::fib;

namespace {

// Answers each operation with its metric as the "errno"; records the calls.
class RecordingSink final : public RouteSink {
 public:
  void apply(std::span<const Operation> ops, std::span<int> errors) override {
    const int running = ++running_;
    max_running = std::max(max_running.load(), running);
    caller = std::this_thread::get_id();
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    for (std::size_t i = 0; i < ops.size(); ++i) errors[i] = static_cast<int>(ops[i].route.metric.value_or(0));
    calls.push_back(ops.size());
    --running_;
  }
  Result<std::vector<Route>, Error> dump_own() override { return std::vector<Route>{}; }

  int delay_ms = 0;
  std::atomic<int> max_running{0};
  std::thread::id caller;
  std::vector<std::size_t> calls;  // read after wait(): no lock needed

 private:
  std::atomic<int> running_{0};
};

std::vector<Operation> removes_with_metrics(std::vector<uint32_t> metrics) {
  std::vector<Operation> ops;
  for (uint32_t m : metrics) {
    Route r;
    r.prefix = *Prefix::parse("10.0.0.0/24");
    r.metric = m;
    ops.push_back({Operation::Kind::remove, r});
  }
  return ops;
}

}  // namespace

TEST_CASE("a call handed over runs on the worker's thread; wait() makes its answers visible") {
  RecordingSink sink;
  sink.delay_ms = 20;
  SinkWorker worker(sink);
  auto ops = removes_with_metrics({7, 9});
  std::vector<int> errors(ops.size(), -1);
  worker.start(ops, errors);
  worker.wait();
  CHECK(errors == std::vector<int>{7, 9});
  CHECK(sink.caller != std::this_thread::get_id());
  CHECK(sink.calls == std::vector<std::size_t>{2});
}

TEST_CASE("calls run one at a time, in the order handed over") {
  RecordingSink sink;
  sink.delay_ms = 5;
  SinkWorker worker(sink);
  auto first = removes_with_metrics({1});
  auto second = removes_with_metrics({2, 3});
  std::vector<int> e1(1), e2(2);
  worker.start(first, e1);
  worker.start(second, e2);  // waits for the first to finish before handing over
  worker.wait();
  CHECK(sink.calls == std::vector<std::size_t>{1, 2});
  CHECK(sink.max_running == 1);
  CHECK(e1 == std::vector<int>{1});
  CHECK(e2 == std::vector<int>{2, 3});
}

TEST_CASE("destroying the worker lets the call in flight finish") {
  RecordingSink sink;
  sink.delay_ms = 30;
  auto ops = removes_with_metrics({4});
  std::vector<int> errors(1, -1);
  {
    SinkWorker worker(sink);
    worker.start(ops, errors);
  }
  CHECK(errors == std::vector<int>{4});
  CHECK(sink.calls.size() == 1);
}
