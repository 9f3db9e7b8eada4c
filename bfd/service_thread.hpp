// bfd/service_thread.hpp — a bfd::Service on a thread of its own, so that BFD
// keeps its 100 ms rhythm while the daemon's event loop is busy.
//
// Why: petreld runs BGP, the RIB, the control socket and metrics on one event
// loop. A long handler there (one decision over a full table when a full-table
// peer goes down, `mrt dump rib`, `show route` of a big table) would stop BFD
// transmission for as long, and with 100 ms x 3 every other peer's session
// would flap: one failure cascading. BIRD runs BFD in its own thread, FRR in
// its own daemon (bfdd); this is the same.
//
// Threads: the constructor starts the BFD thread, which runs its own
// io_context with the Service (sockets, timers, the pure sessions) and its own
// SteadyClock; nothing else touches the Service. The methods below are for
// the daemon's thread (any thread but the BFD thread): add() and the views wait
// for the BFD thread's answer (at most kAnswerTimeout; it only ever runs short
// handlers, so the wait is a thread hand-over), update() and remove() are
// posted and return at once. A session's state change is posted back to
// `home` (the daemon's executor) and its listener runs there, after the
// Service has finished with the packet or timer; a listener of a session that
// was removed (or replaced by a second add()) since is not called — for that
// guarantee call remove() on the home executor's thread.
//
// Stopping: the destructor lets the BFD thread finish what was posted before
// (the AdminDown of sessions removed just before, RFC 5880 §6.8.16), then
// stops and joins it. Errors: add() returns the Service's message, or says the
// BFD thread did not answer; views then come back empty.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bfd/service.hpp"
#include "core/clock.hpp"

namespace petrel::bfd {

class ServiceThread {
 public:
  using Listener = Service::Listener;
  static constexpr std::chrono::seconds kAnswerTimeout{2};

  explicit ServiceThread(boost::asio::any_io_executor home, ServiceOptions options = {});
  ~ServiceThread();
  ServiceThread(const ServiceThread&) = delete;
  ServiceThread& operator=(const ServiceThread&) = delete;

  // As Service::add(); the listener runs on `home`.
  Result<void, std::string> add(const SessionRequest& request, Listener on_change);
  // As Service::update(), posted; false: no such session.
  bool update(const IpAddress& peer, const SessionSettings& settings);
  // As Service::remove(), posted: AdminDown for a detection time, then gone.
  void remove(const IpAddress& peer);

  // Copies taken on the BFD thread.
  std::optional<SessionView> find(const IpAddress& peer) const;
  std::vector<SessionView> sessions() const;  // by peer address
  ServiceCounters counters() const;

 private:
  struct Registry;
  template <class F>
  auto ask(F f) const -> std::optional<std::invoke_result_t<F, Service&>>;

  boost::asio::any_io_executor home_;
  std::shared_ptr<Registry> registry_;  // listeners by peer; shared with posted relays
  mutable boost::asio::io_context io_;  // the BFD thread's
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  SteadyClock clock_;                   // read on the BFD thread only
  std::unique_ptr<Service> service_;    // used on the BFD thread only
  std::thread thread_;
};

}  // namespace petrel::bfd
