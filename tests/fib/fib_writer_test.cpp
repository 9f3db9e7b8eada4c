// The writer thread against the dry-run sink: start-up reconcile (adopt, no
// flush), coalescing, removes, drift repair on request, retries of failed prefixes.
#include "fib/fib_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <utility>
#include <functional>
#include <thread>

#include "fib/dry_run_sink.hpp"
#include "fib/route_text.hpp"

using namespace petrel;
using namespace petrel::fib;
using namespace std::chrono_literals;

namespace {

Route route(std::string_view text) {
  auto r = parse_route(text);
  REQUIRE_MESSAGE(r.has_value(), text);
  return *r;
}

std::vector<std::string> ops_text(const DryRunSink& sink) {
  std::vector<std::string> out;
  for (const Operation& op : sink.operations()) {
    out.push_back((op.kind == Operation::Kind::install ? "install " : op.kind == Operation::Kind::replace ? "replace " : "remove ") + to_string(op.route));
  }
  return out;
}

FibWriterOptions quick() {
  FibWriterOptions o;
  o.retry_initial = 1ms;
  o.retry_max = 4ms;
  o.resync_interval = 0ms;  // resyncs only on request: the test decides
  return o;
}

// `count` routes via 10.9.0.1: FIRST.x.y.0/24 (burst(10, 8): 10.0.0.0/24 … 10.0.7.0/24).
std::vector<RouteChange> burst(int first_octet, int count) {
  std::vector<RouteChange> changes;
  for (int i = 0; i < count; ++i) {
    Route r = route(std::to_string(first_octet) + "." + std::to_string(i / 256) + "." + std::to_string(i % 256) +
                    ".0/24 via 10.9.0.1");
    changes.push_back({r.prefix, r});
  }
  return changes;
}

}  // namespace

TEST_CASE("start-up adopts what the kernel already has, replaces and removes the rest") {
  DryRunSink sink;
  sink.drift_put(route("10.0.1.0/24 via 10.9.0.1"));  // left by the previous run: right
  sink.drift_put(route("10.0.2.0/24 via 10.9.0.1"));  // wrong next hop now
  sink.drift_put(route("10.0.3.0/24 blackhole"));     // nobody wants it any more
  FibWriter writer(sink, quick());
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  writer.put(route("10.0.2.0/24 via 10.9.0.2"));
  writer.put(route("10.0.4.0/24 blackhole"));
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  auto ops = ops_text(sink);
  std::sort(ops.begin(), ops.end());
  CHECK(ops == std::vector<std::string>{"install 10.0.4.0/24 blackhole", "remove 10.0.3.0/24 metric 0",
                                        "replace 10.0.2.0/24 via 10.9.0.2"});
  CHECK(writer.counters().adopted == 1);
  CHECK(writer.counters().resyncs == 1);
  CHECK(sink.table().size() == 3);
}

TEST_CASE("changes before the writer catches up fold into one operation per prefix") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  writer.stop();  // hold the thread so that the changes pile up in the queue
  for (int i = 1; i <= 50; ++i) {
    writer.put(route("10.0.1.0/24 via 10.9.0." + std::to_string(i)));
  }
  writer.put(route("10.0.2.0/24 blackhole"));
  writer.remove(*Prefix::parse("10.0.2.0/24"));
  CHECK(writer.queued() == 2);
  CHECK(writer.counters().coalesced == 50);
  writer.start();  // a restart reconciles: the queue is the desired state
  REQUIRE(writer.wait_idle(5s));
  CHECK(ops_text(sink) == std::vector<std::string>{"install 10.0.1.0/24 via 10.9.0.50"});
  CHECK(sink.table().size() == 1);
}

TEST_CASE("put and remove after start go to the sink; remove of a missing route is no failure") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  writer.start();
  writer.put(route("10.0.1.0/24 via 10.9.0.1 metric 7"));
  REQUIRE(writer.wait_idle(5s));
  writer.remove(*Prefix::parse("10.0.1.0/24"));
  writer.remove(*Prefix::parse("10.0.9.0/24"));
  REQUIRE(writer.wait_idle(5s));
  CHECK(ops_text(sink) == std::vector<std::string>{"install 10.0.1.0/24 via 10.9.0.1 metric 7",
                                                   "remove 10.0.1.0/24 metric 7", "remove 10.0.9.0/24"});
  CHECK(sink.table().empty());
  CHECK(writer.counters().failures == 0);
  CHECK(writer.counters().removes == 2);
}

TEST_CASE("a resync repairs drift behind the writer's back") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  writer.put(route("10.0.2.0/24 via 10.9.0.1"));
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  sink.clear_operations();
  const uint64_t repaired_before = writer.counters().repaired;
  sink.drift_remove(*Prefix::parse("10.0.1.0/24"));       // `ip route del`
  sink.drift_put(route("10.0.2.0/24 via 10.66.0.1"));      // changed
  sink.drift_put(route("10.0.3.0/24 via 10.66.0.1"));      // added with our protocol
  writer.request_resync();
  REQUIRE(writer.wait_idle(5s));
  auto ops = ops_text(sink);
  std::sort(ops.begin(), ops.end());
  CHECK(ops == std::vector<std::string>{"install 10.0.1.0/24 via 10.9.0.1", "remove 10.0.3.0/24 metric 0",
                                        "replace 10.0.2.0/24 via 10.9.0.1"});
  CHECK(writer.counters().repaired - repaired_before == 3);
}

TEST_CASE("a prefix known to be ours is replaced; a new metric installs the new key before removing the old") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  writer.start();
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  REQUIRE(writer.wait_idle(5s));
  writer.put(route("10.0.1.0/24 via 10.9.0.2"));
  REQUIRE(writer.wait_idle(5s));
  writer.put(route("10.0.1.0/24 via 10.9.0.2 metric 9"));
  REQUIRE(writer.wait_idle(5s));
  CHECK(ops_text(sink) == std::vector<std::string>{"install 10.0.1.0/24 via 10.9.0.1", "replace 10.0.1.0/24 via 10.9.0.2",
                                                   "install 10.0.1.0/24 via 10.9.0.2 metric 9",
                                                   "remove 10.0.1.0/24 metric 0"});
  CHECK(writer.counters().failures == 0);
}

TEST_CASE("a metric change whose install fails keeps the old route until the new one is in") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  const Prefix p = *Prefix::parse("10.0.1.0/24");
  writer.start();
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  REQUIRE(writer.wait_idle(5s));
  sink.clear_operations();
  sink.fail_prefix(p, ENETUNREACH);
  writer.put(route("10.0.1.0/24 via 10.9.0.1 metric 9"));
  CHECK_FALSE(writer.wait_idle(50ms));  // retrying the new key
  CHECK(writer.counters().failures >= 1);
  for (const Operation& op : sink.operations()) CHECK(op.kind == Operation::Kind::install);  // no remove sent
  CHECK(to_string(sink.table().at(p)) == "10.0.1.0/24 via 10.9.0.1");  // still forwarding
  // The kernel takes the new key: then, and only then, the old one goes.
  sink.clear_operations();
  sink.fail_prefix(p, 0);
  REQUIRE(writer.wait_idle(5s));
  const auto ops = ops_text(sink);
  REQUIRE(ops.size() >= 2);
  CHECK(ops[ops.size() - 2] == "install 10.0.1.0/24 via 10.9.0.1 metric 9");
  CHECK(ops.back() == "remove 10.0.1.0/24 metric 0");
  CHECK(writer.pending_retries() == 0);
}

TEST_CASE("an install on a key held by another owner fails with EEXIST, is counted and retried, never forced") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  sink.drift_put(route("10.0.1.0/24 via 10.66.0.1"));  // appears after the start-up dump
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  CHECK_FALSE(writer.wait_idle(50ms));
  CHECK(writer.counters().failures >= 1);
  for (const Operation& op : sink.operations()) CHECK(op.kind == Operation::Kind::install);
  CHECK(to_string(sink.table().at(*Prefix::parse("10.0.1.0/24"))) == "10.0.1.0/24 via 10.66.0.1");
}

TEST_CASE("a failing prefix is retried with backoff and counted until it succeeds") {
  DryRunSink sink;
  FibWriter writer(sink, quick());
  const Prefix bad = *Prefix::parse("10.0.1.0/24");
  sink.fail_prefix(bad, ENETUNREACH);
  writer.start();
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  writer.put(route("10.0.2.0/24 via 10.9.0.1"));
  CHECK_FALSE(writer.wait_idle(100ms));  // still retrying
  CHECK(writer.counters().failures >= 2);
  CHECK(writer.counters().retries >= 1);
  CHECK(writer.pending_retries() == 1);
  CHECK(sink.table().size() == 1);
  sink.fail_prefix(bad, 0);
  REQUIRE(writer.wait_idle(5s));
  CHECK(sink.table().size() == 2);
  CHECK(writer.pending_retries() == 0);
  // A newer state replaces the retry: a remove of the failing prefix ends it.
  sink.fail_prefix(*Prefix::parse("10.0.5.0/24"), EINVAL);
  writer.put(route("10.0.5.0/24 via 10.9.0.1"));
  writer.remove(*Prefix::parse("10.0.5.0/24"));
  REQUIRE(writer.wait_idle(5s));
  CHECK(writer.pending_retries() == 0);
}

TEST_CASE("a round of queued changes goes to the sink in kernel order, `batch` per call") {
  DryRunSink sink;
  FibWriterOptions options = quick();
  options.batch = 3;
  FibWriter writer(sink, options);
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  const uint64_t batches_before = writer.counters().batches;
  writer.submit(burst(10, 8));  // one submit: the writer takes them as one round
  REQUIRE(writer.wait_idle(5s));
  CHECK(ops_text(sink) == std::vector<std::string>{
                              "install 10.0.0.0/24 via 10.9.0.1", "install 10.0.4.0/24 via 10.9.0.1",
                              "install 10.0.2.0/24 via 10.9.0.1", "install 10.0.6.0/24 via 10.9.0.1",
                              "install 10.0.1.0/24 via 10.9.0.1", "install 10.0.5.0/24 via 10.9.0.1",
                              "install 10.0.3.0/24 via 10.9.0.1", "install 10.0.7.0/24 via 10.9.0.1"});
  CHECK(writer.counters().batches - batches_before == 3);  // 3 + 3 + 2
  CHECK(sink.table().size() == 8);
}

TEST_CASE("the start-up reconcile sends its installs, then its removes, each in kernel order") {
  DryRunSink sink;
  for (int i = 0; i < 4; ++i) sink.drift_put(route("10.1." + std::to_string(i) + ".0/24 via 10.9.0.1"));
  FibWriter writer(sink, quick());
  for (int i = 0; i < 4; ++i) writer.put(route("10.0." + std::to_string(i) + ".0/24 via 10.9.0.1"));
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  CHECK(ops_text(sink) == std::vector<std::string>{
                              "install 10.0.0.0/24 via 10.9.0.1", "install 10.0.2.0/24 via 10.9.0.1",
                              "install 10.0.1.0/24 via 10.9.0.1", "install 10.0.3.0/24 via 10.9.0.1",
                              "remove 10.1.0.0/24 metric 0", "remove 10.1.2.0/24 metric 0",
                              "remove 10.1.1.0/24 metric 0", "remove 10.1.3.0/24 metric 0"});
}

namespace {
// The dry-run sink, with a hook run (on the writer thread) after its first apply.
class HookSink final : public RouteSink {
 public:
  void apply(std::span<const Operation> ops, std::span<int> errors) override {
    inner.apply(ops, errors);
    if (calls_++ == 0 && after_first_apply) after_first_apply();
  }
  Result<std::vector<Route>, Error> dump_own() override { return inner.dump_own(); }
  DryRunSink inner;
  std::function<void()> after_first_apply;

 private:
  int calls_ = 0;
};
}  // namespace

TEST_CASE("a burst arriving during a round joins it: one kernel order, the latest change per prefix") {
  HookSink sink;
  FibWriterOptions options = quick();
  options.batch = 2;
  FibWriter writer(sink, options);
  sink.after_first_apply = [&] {  // the first two routes are written; the producer goes on
    writer.put(route("10.0.0.0/24 via 10.9.0.2"));   // written already: written again
    writer.put(route("10.0.1.0/24 via 10.9.0.2"));   // not yet written: replaces the queued one
    writer.put(route("10.0.8.0/24 via 10.9.0.1"));   // new
    writer.put(route("10.0.12.0/24 via 10.9.0.1"));  // new
  };
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  writer.submit(burst(10, 8));
  REQUIRE(writer.wait_idle(5s));
  // The writer prepares one batch while the sink applies the one before (pipelined),
  // so the burst joins after the first batch or after the second, depending on when
  // the hook (on the sink's thread) runs. Either way the burst merges into the rest
  // of the round by key, and 10.0.1.0/24 is written once, with its latest route.
  const std::vector<std::string> joined_after_first = {
      "install 10.0.0.0/24 via 10.9.0.1", "install 10.0.4.0/24 via 10.9.0.1",
      "replace 10.0.0.0/24 via 10.9.0.2", "install 10.0.8.0/24 via 10.9.0.1",
      "install 10.0.12.0/24 via 10.9.0.1", "install 10.0.2.0/24 via 10.9.0.1",
      "install 10.0.6.0/24 via 10.9.0.1", "install 10.0.1.0/24 via 10.9.0.2",
      "install 10.0.5.0/24 via 10.9.0.1", "install 10.0.3.0/24 via 10.9.0.1",
      "install 10.0.7.0/24 via 10.9.0.1"};
  const std::vector<std::string> joined_after_second = {
      "install 10.0.0.0/24 via 10.9.0.1", "install 10.0.4.0/24 via 10.9.0.1",
      "install 10.0.2.0/24 via 10.9.0.1", "install 10.0.6.0/24 via 10.9.0.1",
      "replace 10.0.0.0/24 via 10.9.0.2", "install 10.0.8.0/24 via 10.9.0.1",
      "install 10.0.12.0/24 via 10.9.0.1", "install 10.0.1.0/24 via 10.9.0.2",
      "install 10.0.5.0/24 via 10.9.0.1", "install 10.0.3.0/24 via 10.9.0.1",
      "install 10.0.7.0/24 via 10.9.0.1"};
  const std::vector<std::string> written = ops_text(sink.inner);
  std::string shown;
  for (const std::string& line : written) shown += line + "\n";
  CHECK_MESSAGE((written == joined_after_first || written == joined_after_second), shown);
  CHECK(sink.inner.table().size() == 10);
  CHECK(to_string(sink.inner.table().at(*Prefix::parse("10.0.0.0/24"))) == "10.0.0.0/24 via 10.9.0.2");
}

TEST_CASE("a prefix of the batch in flight that comes again with a burst is written again, never as a clash") {
  HookSink sink;
  FibWriterOptions options = quick();
  options.batch = 2;
  FibWriter writer(sink, options);
  sink.after_first_apply = [&] {
    // By now the writer has prepared the second batch (10.0.2.0, 10.0.6.0) and waits
    // for this one; the burst comes while the second is in flight.
    std::this_thread::sleep_for(20ms);
    writer.put(route("10.0.2.0/24 via 10.9.0.2"));
    writer.put(route("10.0.9.0/24 via 10.9.0.1"));
  };
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  writer.submit(burst(10, 8));
  REQUIRE(writer.wait_idle(5s));
  const std::vector<std::string> written = ops_text(sink.inner);
  // Written again after the kernel's answer for the first write was recorded: a
  // replace of the key known to be ours (had the burst come before the second batch
  // was prepared, it would have replaced the waiting change: one install).
  const bool again = std::count(written.begin(), written.end(), "replace 10.0.2.0/24 via 10.9.0.2") == 1 &&
                     std::count(written.begin(), written.end(), "install 10.0.2.0/24 via 10.9.0.1") == 1;
  const bool folded = std::count(written.begin(), written.end(), "install 10.0.2.0/24 via 10.9.0.2") == 1;
  CHECK((again || folded));
  CHECK(writer.counters().failures == 0);  // no exclusive install on a key the batch in flight took
  CHECK(to_string(sink.inner.table().at(*Prefix::parse("10.0.2.0/24"))) == "10.0.2.0/24 via 10.9.0.2");
  CHECK(sink.inner.table().size() == 9);
}

TEST_CASE("a burst still pouring in is let in before its round starts: one round in kernel order") {
  DryRunSink sink;
  FibWriterOptions options = quick();
  options.settle_step = 300ms;  // generous: the submits below land within the first step
  options.settle_growth = 1000;
  options.max_settle = 5s;
  FibWriter writer(sink, options);
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  auto a = burst(20, 5000), b = burst(30, 5000), c = burst(40, 5000);
  const uint64_t batches_before = writer.counters().batches;
  writer.submit(std::move(a));  // a burst (at least 4,096): the writer waits while more comes
  std::this_thread::sleep_for(50ms);  // long enough for the writer to take `a` on its own, were it not to wait
  writer.submit(std::move(b));
  std::this_thread::sleep_for(50ms);
  writer.submit(std::move(c));
  REQUIRE(writer.wait_idle(10s));
  const std::vector<Operation> ops = sink.operations();
  REQUIRE(ops.size() == 15000);
  // One round: its first sink call (4,096 operations) already in the kernel order of
  // all three submits, then the other 10,904 in one call.
  int from[3] = {0, 0, 0};
  for (std::size_t i = 0; i < FibWriter::kFirstBatch; ++i) {
    const uint8_t octet = ops[i].route.prefix.address().data()[0];
    if (octet >= 20 && octet <= 40 && octet % 10 == 0) ++from[(octet - 20) / 10];
  }
  CHECK(from[0] > 0);
  CHECK(from[1] > 0);
  CHECK(from[2] > 0);
  CHECK(writer.counters().batches - batches_before == 2);
  CHECK(sink.table().size() == 15000);
}

TEST_CASE("a trickle, or a burst smaller than one first batch, is never held up") {
  DryRunSink sink;
  FibWriterOptions options = quick();
  options.settle_step = 3s;  // were it applied, each wait below would time out
  options.settle_growth = 1;
  options.max_settle = 10s;
  FibWriter writer(sink, options);
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  writer.put(route("10.0.0.0/24 via 10.9.0.1"));
  CHECK(writer.wait_idle(1500ms));
  writer.submit(burst(20, static_cast<int>(FibWriter::kFirstBatch) - 1));
  CHECK(writer.wait_idle(1500ms));
  CHECK(sink.table().size() == FibWriter::kFirstBatch);
}

namespace {
// Confirmations as text, collected from the writer thread.
struct Confirmed {
  std::mutex mutex;
  std::vector<std::string> lines;
  FibWriter::ConfirmedSink sink() {
    return [this](KernelConfirmation&& c) {
      std::lock_guard lock(mutex);
      std::vector<std::string> set;
      for (const RouteChange& ch : c.changes)
        set.push_back(ch.route ? to_string(*ch.route) : "removed " + ch.prefix.to_string());
      if (c.full) std::sort(set.begin(), set.end());
      for (auto& s : set) lines.push_back((c.full ? "full: " : "") + s);
      if (c.full && set.empty()) lines.push_back("full: (none)");
    };
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return std::exchange(lines, {});
  }
};
}  // namespace

TEST_CASE("confirmations: the first reconcile hands over the whole set held, then what the kernel acknowledged") {
  DryRunSink sink;
  sink.drift_put(route("10.0.1.0/24 via 10.9.0.1"));  // adopted
  sink.drift_put(route("10.0.3.0/24 blackhole"));     // removed: not in the set
  const Prefix failing = *Prefix::parse("10.0.5.0/24");
  sink.fail_prefix(failing, ENETUNREACH);
  Confirmed confirmed;
  FibWriter writer(sink, quick());
  writer.set_confirmed_sink(confirmed.sink());
  writer.put(route("10.0.1.0/24 via 10.9.0.1"));
  writer.put(route("10.0.4.0/24 blackhole"));
  writer.put(route("10.0.5.0/24 via 10.9.0.1"));  // its install fails: not held
  writer.start();
  REQUIRE(writer.wait_flushed(5s));
  CHECK(confirmed.take() ==
        std::vector<std::string>{"full: 10.0.1.0/24 via 10.9.0.1", "full: 10.0.4.0/24 blackhole"});
  // The retry succeeds: confirmed then.
  sink.fail_prefix(failing, 0);
  REQUIRE(writer.wait_idle(5s));
  CHECK(confirmed.take() == std::vector<std::string>{"10.0.5.0/24 via 10.9.0.1"});
  // A replace, a metric change (the old key's remove is no removal), a remove.
  writer.put(route("10.0.1.0/24 via 10.9.0.2"));
  REQUIRE(writer.wait_idle(5s));
  writer.put(route("10.0.1.0/24 via 10.9.0.2 metric 9"));
  REQUIRE(writer.wait_idle(5s));
  writer.remove(*Prefix::parse("10.0.4.0/24"));
  REQUIRE(writer.wait_idle(5s));
  CHECK(confirmed.take() == std::vector<std::string>{"10.0.1.0/24 via 10.9.0.2", "10.0.1.0/24 via 10.9.0.2 metric 9",
                                                     "removed 10.0.4.0/24"});
  // A later resync repairs drift: only its operations are confirmed, not a full set again.
  sink.drift_remove(*Prefix::parse("10.0.5.0/24"));
  writer.request_resync();
  REQUIRE(writer.wait_idle(5s));
  CHECK(confirmed.take() == std::vector<std::string>{"10.0.5.0/24 via 10.9.0.1"});
}

TEST_CASE("confirmations: a kernel with nothing of ours and nothing wanted is an empty full set") {
  DryRunSink sink;
  Confirmed confirmed;
  FibWriter writer(sink, quick());
  writer.set_confirmed_sink(confirmed.sink());
  writer.start();
  REQUIRE(writer.wait_idle(5s));
  CHECK(confirmed.take() == std::vector<std::string>{"full: (none)"});
}
