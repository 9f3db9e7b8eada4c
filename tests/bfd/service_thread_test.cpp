// tests/bfd/service_thread_test.cpp — bfd::ServiceThread over real UDP on
// loopback: two Services, each on its own BFD thread, between 127.0.0.1 and
// 127.0.0.2 (ports picked free, ServiceOptions), at 100 ms x 3 (300 ms
// detection). The "daemon" is an io_context on a thread of its own; a handler
// that sleeps 1.5 s blocks it, as a decision over a full table blocks petreld.
// - the sessions stay Up through the block (the BFD threads keep sending) and
//   the listener runs on the daemon's thread;
// - one side gone without a word: the other's listener gets Down (detection
//   time expired), in under a second; remove(): the peer sees AdminDown and our
//   listener is not called again, also when the thread is stopped right after
//   (a planned stop of petreld);
// - the old design, a Service on the daemon's own loop, for contrast: the same
//   block takes the peer's session Down. That is the cascade this class stops.
// Real time, by necessity: the thing under test is what happens while a
// thread sleeps. About 8 s in all.
#include "bfd/service_thread.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

using namespace petrel;
using namespace petrel::bfd;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

const IpAddress kA = IpAddress::v4(0x7f000001);  // 127.0.0.1
const IpAddress kB = IpAddress::v4(0x7f000002);  // 127.0.0.2

// An event loop on a thread of its own: the daemon's, or the peer's.
struct Loop {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~Loop() {
    work.reset();
    io.stop();
    thread.join();
  }
  // Runs f on the loop and waits for it.
  template <class F>
  auto call(F f) {
    auto task = std::make_shared<std::packaged_task<std::invoke_result_t<F>()>>(std::move(f));
    auto result = task->get_future();
    asio::post(io, [task] { (*task)(); });
    return result.get();
  }
  // Every handler posted before this call has run.
  void drain() { call([] {}); }
};

struct Seen {
  State to;
  Diag diag;
  bool remote_admin_down;
  std::thread::id thread;
  std::chrono::steady_clock::time_point at;
};

// A listener's record, read from the test's thread.
struct Record {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Seen> seen;

  Service::Listener listener() {
    return [this](const SessionView&, const Transition& t) {
      std::lock_guard lock(mutex);
      seen.push_back({t.to, t.diag, t.remote_admin_down, std::this_thread::get_id(), std::chrono::steady_clock::now()});
      changed.notify_all();
    };
  }
  bool wait_for(State to, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] {
      for (const Seen& s : seen)
        if (s.to == to) return true;
      return false;
    });
  }
  std::vector<Seen> copy() {
    std::lock_guard lock(mutex);
    return seen;
  }
  std::size_t count(State to) {
    std::size_t n = 0;
    for (const Seen& s : copy()) n += s.to == to;
    return n;
  }
};

// A receives on `a` and sends to `b`; B the other way round. Two distinct ports
// that are free, both bound at once while they are chosen, and below the kernel's
// ephemeral range (32768 up) and the BFD source ports (49152 up), so that neither
// a session's own sending socket nor a test running beside this one takes them
// between the choice and the Services' bind.
struct PortPair {
  uint16_t a = 0;
  uint16_t b = 0;
  PortPair() {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(20000, 32767);
    asio::io_context io;
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const auto pa = static_cast<uint16_t>(pick(random)), pb = static_cast<uint16_t>(pick(random));
      if (pa == pb) continue;
      boost::system::error_code ea, eb;
      asio::ip::udp::socket sa(io), sb(io);
      sa.open(asio::ip::udp::v4(), ea);
      if (!ea) sa.bind(asio::ip::udp::endpoint(asio::ip::udp::v4(), pa), ea);
      sb.open(asio::ip::udp::v4(), eb);
      if (!eb) sb.bind(asio::ip::udp::endpoint(asio::ip::udp::v4(), pb), eb);
      if (!ea && !eb) {
        a = pa;
        b = pb;
        return;
      }
    }
    FAIL("no two free UDP ports in 20000-32767");
  }
  ServiceOptions for_a() const { return {{a, kMultihopPort}, {b, kMultihopPort}}; }
  ServiceOptions for_b() const { return {{b, kMultihopPort}, {a, kMultihopPort}}; }
};

SessionRequest to(const IpAddress& peer, const IpAddress& local) {
  SessionRequest r;
  r.peer = peer;
  r.local = local;
  r.settings.desired_min_tx = 100ms;
  r.settings.required_min_rx = 100ms;
  r.settings.detect_mult = 3;
  return r;
}

// Both sides Up at 100 ms x 3, the Poll sequence done (300 ms detection in force).
template <class SideA, class SideB>
bool fast_and_up(SideA& a, SideB& b) {
  for (int i = 0; i < 100; ++i) {
    auto va = a(), vb = b();
    if (va && vb && va->state == State::up && vb->state == State::up && va->detection_time == 300ms &&
        vb->detection_time == 300ms && va->tx_interval == 100ms && vb->tx_interval == 100ms)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("BFD on its own thread: sessions stay Up while the daemon's loop is blocked for 1.5 s") {
  Loop daemon, peer_loop;
  const PortPair ports;
  Record ra, rb;
  auto a = std::make_unique<ServiceThread>(daemon.io.get_executor(), ports.for_a());
  auto b = std::make_unique<ServiceThread>(peer_loop.io.get_executor(), ports.for_b());
  const auto added_a = a->add(to(kB, kA), ra.listener());
  REQUIRE_MESSAGE(added_a.has_value(), added_a.error());
  const auto added_b = b->add(to(kA, kB), rb.listener());
  REQUIRE_MESSAGE(added_b.has_value(), added_b.error());
  REQUIRE(ra.wait_for(State::up, 10s));
  REQUIRE(rb.wait_for(State::up, 10s));
  auto view_a = [&] { return a->find(kB); };
  auto view_b = [&] { return b->find(kA); };
  REQUIRE(fast_and_up(view_a, view_b));
  const std::thread::id daemon_thread = daemon.call([] { return std::this_thread::get_id(); });
  for (const Seen& s : ra.copy()) CHECK_MESSAGE(s.thread == daemon_thread, "the listener runs on the home executor");

  // The daemon's loop busy for 1.5 s: five detection times.
  const uint64_t b_in_before = view_b()->packets_in;
  const uint64_t a_out_before = view_a()->packets_out;
  std::promise<void> blocked;
  asio::post(daemon.io, [&] {
    blocked.set_value();
    std::this_thread::sleep_for(1500ms);
  });
  blocked.get_future().wait();
  const auto block_start = std::chrono::steady_clock::now();
  daemon.drain();  // returns once the sleeping handler is done
  const auto block = std::chrono::steady_clock::now() - block_start;
  const uint64_t b_in_after = view_b()->packets_in;
  const uint64_t a_out_after = view_a()->packets_out;
  MESSAGE("daemon loop blocked for ", std::chrono::duration<double>(block).count(), " s; A sent ",
          a_out_after - a_out_before, " packets meanwhile, B received ", b_in_after - b_in_before);
  CHECK(block >= 1400ms);
  // 100 ms with jitter (75–100 %): about 15–20 in 1.5 s.
  CHECK(a_out_after - a_out_before >= 12);
  CHECK(b_in_after - b_in_before >= 12);
  CHECK(ra.count(State::down) == 0);  // nothing was waiting behind the block either
  CHECK(rb.count(State::down) == 0);
  CHECK(view_a()->state == State::up);
  CHECK(view_b()->state == State::up);

  SUBCASE("one side stops sending: the listener gets Down, on the daemon's thread, in under a second") {
    const auto gone = std::chrono::steady_clock::now();
    b.reset();  // its thread stops without AdminDown, as a dead link or kill -9
    REQUIRE(ra.wait_for(State::down, 2s));
    const auto seen = ra.copy();
    const Seen& down = seen.back();
    CHECK(down.to == State::down);
    CHECK(down.diag == Diag::detection_time_expired);
    CHECK_FALSE(down.remote_admin_down);
    CHECK(down.thread == daemon_thread);
    const auto after = down.at - gone;
    MESSAGE("Down seen by the listener ", std::chrono::duration<double>(after).count(), " s after B stopped");
    CHECK(after < 1s);
    CHECK(a->find(kB)->state == State::down);
  }
  SUBCASE("a planned stop: remove() and the thread stopped at once; the AdminDown still goes out") {
    // As petreld's exit: the sessions removed, then the BFD thread stopped and
    // joined on the daemon's thread, with nothing in between. (The destructor
    // posts its stop behind the removal; an io_context::stop() called directly
    // would race with it, which this end-to-end check cannot always catch.)
    daemon.call([&] {
      a->remove(kB);
      a.reset();
    });
    REQUIRE(rb.wait_for(State::down, 2s));
    const Seen down = rb.copy().back();
    CHECK_MESSAGE(down.remote_admin_down, "the peer saw AdminDown, not a silence");
    CHECK(down.diag == Diag::neighbor_down);
  }
  SUBCASE("remove(): the peer sees AdminDown, our listener is not called again") {
    const std::size_t before = ra.copy().size();
    daemon.call([&] { a->remove(kB); });
    REQUIRE(rb.wait_for(State::down, 2s));
    const Seen down = rb.copy().back();
    CHECK(down.remote_admin_down);
    CHECK(down.diag == Diag::neighbor_down);
    CHECK_FALSE(a->find(kB).has_value());
    CHECK_FALSE(a->update(kB, to(kB, kA).settings));
    daemon.drain();
    CHECK(ra.copy().size() == before);
    const auto counters = a->counters();
    CHECK(counters.sent >= a_out_after);
    CHECK(counters.send_errors == 0);
  }
}

TEST_CASE("ServiceThread: a socket that cannot be opened is an error, not a session") {
  Loop daemon;
  const PortPair ports;
  ServiceThread a(daemon.io.get_executor(), ports.for_a());
  Record r;
  // 192.0.2.1 (TEST-NET-1) is no address of this host: the bind fails.
  const auto added = a.add(to(kB, IpAddress::v4(0xc0000201)), r.listener());
  REQUIRE_FALSE(added.has_value());
  CHECK(added.error().find("BFD socket to 127.0.0.2") != std::string::npos);
  CHECK_FALSE(a.find(kB).has_value());
  CHECK_FALSE(a.update(kB, to(kB, kA).settings));
  CHECK(a.sessions().empty());
}

// The design before bfd::ServiceThread: the Service on the daemon's own loop.
// The same 1.5 s block stops our transmission and the peer declares us dead.
TEST_CASE("contrast: a Service on the daemon's own loop lets a 1.5 s block take the peer's session Down") {
  Loop daemon, peer_loop;
  const PortPair ports;
  Record ra, rb;
  SteadyClock clock;
  auto a = daemon.call([&] { return std::make_unique<Service>(daemon.io.get_executor(), clock, ports.for_a()); });
  ServiceThread b(peer_loop.io.get_executor(), ports.for_b());
  const auto added_a = daemon.call([&] { return a->add(to(kB, kA), ra.listener()); });
  REQUIRE_MESSAGE(added_a.has_value(), added_a.error());
  REQUIRE(b.add(to(kA, kB), rb.listener()).has_value());
  REQUIRE(rb.wait_for(State::up, 10s));
  auto view_a = [&] { return daemon.call([&] { return a->find(kB); }); };
  auto view_b = [&] { return b.find(kA); };
  REQUIRE(fast_and_up(view_a, view_b));
  daemon.call([] { std::this_thread::sleep_for(1500ms); });
  CHECK(rb.wait_for(State::down, 1s));
  // The Down for the silence; what follows once the loop runs again (A's own
  // Down or Up coming in: Init, Up) may already be there too.
  const auto seen = rb.copy();
  CHECK(std::any_of(seen.begin(), seen.end(), [](const Seen& t) {
    return t.to == State::down && t.diag == Diag::detection_time_expired;
  }));
  daemon.call([&] { a.reset(); });
}
