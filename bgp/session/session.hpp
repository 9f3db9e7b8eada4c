// bgp/session/session.hpp — one BGP peer: its connections, the FSM that drives
// them, reading and framing in place, the write queue, and collisions.
//
// The Session carries out what the pure Fsm decides: it connects, reads into the
// framer's buffer and decodes each message there (no copy per message), queues
// writes, arms one timer per connection at the FSM's next deadline, and reports
// to a SessionObserver (the RIB side, logs, the shell). A second, incoming
// connection that arrives during OpenSent/OpenConfirm gets its own Fsm until
// RFC 4271 §6.8 picks the survivor. UPDATE bytes to send come pre-encoded; the
// write queue pushes back above a high-water mark (send() returns false) and calls
// on_writable() once it drains below half of it.
// Runs on one executor (strand); not thread-safe. Times come from the injected
// Clock; the Asio timer only says when to look again.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/fsm/fsm.hpp"
#include "bgp/session/peer_stats.hpp"
#include "bgp/session/transport.hpp"
#include "bgp/wire/framer.hpp"
#include "bgp/wire/route_refresh.hpp"
#include "bgp/wire/update.hpp"
#include "core/clock.hpp"

namespace petrel::bgp::session {

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_state_change(fsm::State /*from*/, fsm::State /*to*/, std::string_view /*reason*/) {}
  virtual void on_established(const fsm::Negotiated&) {}
  virtual void on_down(std::string_view /*reason*/) {}
  // The Update's NLRI views point into the read buffer: valid during the call only.
  virtual void on_update(const wire::Update&) {}
  virtual void on_route_refresh(const wire::RouteRefreshMessage&) {}
  virtual void on_writable() {}
  virtual void on_notification(bool /*sent*/, const wire::NotificationMessage&) {}
  virtual void on_connection(bool /*incoming*/, std::string_view /*local*/, std::string_view /*remote*/) {}
  virtual void on_collision(bool /*kept_incoming*/) {}
  virtual void on_idle_hold(Duration) {}
};

struct SessionConfig {
  std::string name;
  fsm::SessionSettings settings;
  fsm::FsmTimers timers;
  bool passive = false;
  std::size_t write_high_water = 4u << 20;  // bytes queued before send() pushes back
  std::size_t read_chunk = 64u << 10;       // bytes asked of each read
};

class Session {
 public:
  Session(boost::asio::any_io_executor executor, SessionConfig config, std::unique_ptr<Connector> connector,
          const Clock& clock, SessionObserver& observer);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();                             // ManualStart
  void stop(std::string_view message);      // ManualStop: Cease / Administrative Shutdown (RFC 9003)
  // ManualStop sending `notification` instead (e.g. Peer De-configured).
  void stop(wire::NotificationMessage notification, std::string reason);
  // ManualStop because this speaker restarts (graceful restart): a peer that keeps our
  // routes is not sent the Cease that would make it flush them (fsm/restart_close.hpp).
  void stop_for_restart(std::string_view message);
  void restart(std::string_view message);   // Cease / Administrative Reset, then start again
  // AutomaticStop (RFC 4271 §8.1.2) with the NOTIFICATION to send, e.g. RFC 4486
  // Maximum Number of Prefixes Reached; the session starts again after IdleHold.
  // `hold_down`: the restart that follows waits at least this long (see
  // Fsm::hold_down_next), e.g. a max-prefix restart interval.
  void automatic_stop(wire::NotificationMessage notification, std::string reason, Duration hold_down = {});
  // An incoming connection the listener matched to this peer.
  void accept(std::unique_ptr<Transport> transport);
  // Queues encoded UPDATE (or ROUTE-REFRESH) bytes; Established only. Returns
  // false when not established or above the high-water mark (then wait for
  // on_writable()); the bytes are queued anyway when established.
  bool send(std::vector<uint8_t> bytes);
  bool writable() const;
  // Looks at the FSM timers now (the Asio timer calls this; tests with a
  // ManualClock call it after advancing the clock).
  void check_timers();
  // Applies new settings (on reload); they take effect with the next OPEN.
  void update_settings(fsm::SessionSettings settings);

  const std::string& name() const { return config_.name; }
  fsm::State state() const;
  const fsm::Fsm& fsm() const;
  const PeerStats& stats() const { return stats_; }
  std::size_t queued_bytes() const;
  // Our address on the current connection (from the socket), when connected.
  std::optional<IpAddress> local_address() const;

 private:
  struct Connection;

  std::unique_ptr<Connection> make_connection(bool passive);
  void drive(Connection& c, const fsm::Event& e);
  void execute(Connection& c, const std::vector<fsm::Action>& actions);
  void connect(Connection& c);
  void attach(Connection& c, std::unique_ptr<Transport> t, bool incoming);
  void read(Connection& c);
  void on_read(Connection& c, const boost::system::error_code& ec, std::size_t n);
  void handle_frame(Connection& c, const wire::Frame& frame);
  void handle_open(Connection& c, std::span<const uint8_t> bytes);
  void enqueue(Connection& c, std::vector<uint8_t> bytes);
  void write_next(Connection& c);
  void close(Connection& c);
  void arm_timer(Connection& c);
  void settle();  // promotes or drops the second connection after events
  Connection* other(const Connection& c);
  void record_error(std::string what);

  boost::asio::any_io_executor executor_;
  SessionConfig config_;
  std::unique_ptr<Connector> connector_;
  const Clock& clock_;
  SessionObserver& observer_;
  std::unique_ptr<Connection> primary_;
  std::unique_ptr<Connection> second_;  // an incoming connection in a collision window
  PeerStats stats_;
  bool connecting_ = false;
  std::shared_ptr<bool> alive_;  // handlers check it: the Session may be gone
};

}  // namespace petrel::bgp::session
