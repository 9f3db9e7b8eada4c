// bgp/fsm/fsm.hpp — the BGP finite state machine of RFC 4271 §8, one per peer.
//
// A pure function of (state, event, now): Fsm::on() returns the actions the
// session must carry out (connect, send, close, tell the RIB) and never does I/O
// or reads a clock. Timers are data: deadlines the session reads through
// next_deadline() and turns back into events with due_timer(). Collisions between
// two connections are resolved above this machine (collision.hpp); it sees one
// connection at a time. Unexpected messages get RFC 6608 subcodes.
//
// IdleHold (RFC 4271 §8.1.1 DampPeerOscillations): after an error the machine
// waits in Idle before starting again, doubling the wait on each consecutive
// failure up to a maximum, and forgetting failures once a session stays up.
// Single-threaded: owned by the peer's strand.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "bgp/fsm/negotiate.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"
#include "bgp/wire/wire_error.hpp"
#include "core/clock.hpp"

namespace petrel::bgp::fsm {

enum class State : uint8_t { idle, connect, active, open_sent, open_confirm, established };
inline constexpr State kAllStates[] = {State::idle,      State::connect,      State::active,
                                       State::open_sent, State::open_confirm, State::established};
std::string_view to_string(State s);

// RFC 4271 §8.1 events, named as there (numbers in comments).
enum class EventType : uint8_t {
  manual_start,                 // 1
  manual_stop,                  // 2
  automatic_start,              // 3
  automatic_stop,               // 8
  connect_retry_timer_expires,  // 9
  hold_timer_expires,           // 10
  keepalive_timer_expires,      // 11
  delay_open_timer_expires,     // 12
  idle_hold_timer_expires,      // 13
  tcp_connection_valid,         // 14: an incoming connection for this peer was accepted
  tcp_connection_confirmed,     // 16/17: our outgoing connection is up
  tcp_connection_fails,         // 18
  bgp_open,                     // 19/20: a well-formed OPEN arrived
  bgp_header_error,             // 21
  bgp_open_message_error,       // 22
  open_collision_dump,          // 23
  notification_version_error,   // 24
  notification_received,        // 25
  keepalive_received,           // 26
  update_received,              // 27
  update_error,                 // 28
  route_refresh_received,       // RFC 2918: not in RFC 4271's list
  message_sent,                 // an UPDATE or ROUTE-REFRESH went out: restart KeepaliveTimer
};
inline constexpr EventType kAllEvents[] = {
    EventType::manual_start,           EventType::manual_stop,
    EventType::automatic_start,        EventType::automatic_stop,
    EventType::connect_retry_timer_expires, EventType::hold_timer_expires,
    EventType::keepalive_timer_expires, EventType::delay_open_timer_expires,
    EventType::idle_hold_timer_expires, EventType::tcp_connection_valid,
    EventType::tcp_connection_confirmed, EventType::tcp_connection_fails,
    EventType::bgp_open,               EventType::bgp_header_error,
    EventType::bgp_open_message_error, EventType::open_collision_dump,
    EventType::notification_version_error, EventType::notification_received,
    EventType::keepalive_received,     EventType::update_received,
    EventType::update_error,           EventType::route_refresh_received,
    EventType::message_sent};
std::string_view to_string(EventType e);

struct Event {
  EventType type;
  std::optional<wire::OpenMessage> open;                  // with bgp_open
  std::optional<wire::NotificationMessage> notification;  // received, or to send (stop, errors)
  std::string reason;                                     // for the state history and logs
  // ManualStop because this speaker is about to restart (restart_close.hpp): an
  // Established peer that keeps our routes gets no NOTIFICATION, or (N bit) a Cease
  // that is not a Hard Reset.
  bool restart = false;

  static Event of(EventType t) { return Event{t, std::nullopt, std::nullopt, {}}; }
  // A header/OPEN/UPDATE error found by the codec: the NOTIFICATION to send.
  static Event error(EventType t, const wire::WireError& e);
  static Event open_received(wire::OpenMessage m) { return Event{EventType::bgp_open, std::move(m), std::nullopt, {}}; }
  static Event notification_in(wire::NotificationMessage n) {
    return Event{EventType::notification_received, std::nullopt, std::move(n), {}};
  }
  // Manual stop with an RFC 9003 shutdown message.
  static Event stop(std::string_view message);
  // Manual stop for a restart of this speaker (graceful restart, RFC 4724 §4).
  static Event restart_stop(std::string_view message);
};

enum class ActionType : uint8_t {
  connect,            // open an outgoing TCP connection
  disconnect,         // close the TCP connection
  send_open,          // send local_open()
  send_keepalive,
  send_notification,  // Action::notification
  established,        // the session is up: negotiated() holds what was agreed
  down,               // the session left Established: its routes must go
  deliver,            // hand the received UPDATE / ROUTE-REFRESH on
};
std::string_view to_string(ActionType a);

struct Action {
  ActionType type;
  std::optional<wire::NotificationMessage> notification;
  friend bool operator==(const Action&, const Action&) = default;
};

struct FsmTimers {
  Duration connect_retry = std::chrono::seconds(30);
  Duration delay_open = Duration::zero();         // zero: no DelayOpen
  Duration open_hold = std::chrono::minutes(4);   // RFC 4271 §8.2.2: "a large value"
  Duration idle_hold_initial = std::chrono::seconds(5);
  Duration idle_hold_max = std::chrono::seconds(120);
  Duration stable_after = std::chrono::seconds(60);  // up this long: failures forgotten
};

struct Transition {
  TimePoint when;
  State from;
  State to;
  std::string reason;
};

class Fsm {
 public:
  Fsm(SessionSettings settings, FsmTimers timers = {}, bool passive = false);

  std::vector<Action> on(const Event& event, TimePoint now);

  // The earliest running timer's deadline, for the session's one Asio timer.
  std::optional<TimePoint> next_deadline() const;
  // The event of a timer whose deadline has passed, if any (earliest first).
  std::optional<EventType> due_timer(TimePoint now) const;

  State state() const { return state_; }
  const wire::OpenMessage& local_open() const { return local_open_; }
  const std::optional<Negotiated>& negotiated() const { return negotiated_; }
  const std::deque<Transition>& history() const { return history_; }
  uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  uint32_t consecutive_failures() const { return failures_; }
  bool enabled() const { return enabled_; }
  std::optional<TimePoint> established_since() const { return established_since_; }
  // When a restart after an error is scheduled (IdleHold), its deadline.
  std::optional<TimePoint> idle_hold_until() const { return deadlines_.idle_hold; }
  bool passive() const { return passive_; }
  void set_passive(bool passive) { passive_ = passive; }
  // The next IdleHold (after the next error) lasts at least `d`, whatever the
  // backoff says: a max-prefix restart interval (RFC 4486 §4; FRR's
  // `maximum-prefix N restart MINUTES`). Used once.
  void hold_down_next(Duration d) { hold_down_ = d; }
  // The settings changed (on reload): they take effect on the next OPEN.
  void update_settings(SessionSettings s);
  const SessionSettings& settings() const { return settings_; }

 private:
  struct Deadlines {
    std::optional<TimePoint> connect_retry, hold, keepalive, delay_open, idle_hold;
  };

  void go(State to, TimePoint now, std::string reason);
  // Leaves for Idle after an error: closes, counts, and schedules the restart.
  void fail(TimePoint now, std::string reason, std::optional<wire::NotificationMessage> send);
  void hold_timer_expired(TimePoint now);
  void collision_dump(TimePoint now);
  void send_keepalive(TimePoint now);
  void stop_timers() { deadlines_ = {}; }
  void start_connecting(TimePoint now);
  void open_sent(TimePoint now);
  void accept_open(const Event& e, TimePoint now);
  void start_session_timers(TimePoint now);
  void emit(ActionType t, std::optional<wire::NotificationMessage> n = std::nullopt) {
    out_.push_back({t, std::move(n)});
  }
  wire::NotificationMessage unexpected(State s) const;

  SessionSettings settings_;
  FsmTimers timers_;
  bool passive_;
  wire::OpenMessage local_open_;
  State state_ = State::idle;
  bool enabled_ = false;
  Deadlines deadlines_;
  uint32_t connect_retry_counter_ = 0;
  uint32_t failures_ = 0;
  Duration hold_down_{};
  std::optional<TimePoint> established_since_;
  std::optional<Negotiated> negotiated_;
  std::deque<Transition> history_;
  std::vector<Action> out_;  // actions of the event being handled
};

}  // namespace petrel::bgp::fsm
