#include "bgp/fsm/fsm.hpp"

#include <algorithm>

#include "bgp/fsm/restart_close.hpp"

namespace petrel::bgp::fsm {

using wire::NotificationMessage;
namespace err = wire::err;

std::string_view to_string(State s) {
  switch (s) {
    case State::idle: return "Idle";
    case State::connect: return "Connect";
    case State::active: return "Active";
    case State::open_sent: return "OpenSent";
    case State::open_confirm: return "OpenConfirm";
    case State::established: return "Established";
  }
  return "?";
}

std::string_view to_string(EventType e) {
  switch (e) {
    case EventType::manual_start: return "ManualStart";
    case EventType::manual_stop: return "ManualStop";
    case EventType::automatic_start: return "AutomaticStart";
    case EventType::automatic_stop: return "AutomaticStop";
    case EventType::connect_retry_timer_expires: return "ConnectRetryTimer_Expires";
    case EventType::hold_timer_expires: return "HoldTimer_Expires";
    case EventType::keepalive_timer_expires: return "KeepaliveTimer_Expires";
    case EventType::delay_open_timer_expires: return "DelayOpenTimer_Expires";
    case EventType::idle_hold_timer_expires: return "IdleHoldTimer_Expires";
    case EventType::tcp_connection_valid: return "TcpConnection_Valid";
    case EventType::tcp_connection_confirmed: return "TcpConnectionConfirmed";
    case EventType::tcp_connection_fails: return "TcpConnectionFails";
    case EventType::bgp_open: return "BGPOpen";
    case EventType::bgp_header_error: return "BGPHeaderErr";
    case EventType::bgp_open_message_error: return "BGPOpenMsgErr";
    case EventType::open_collision_dump: return "OpenCollisionDump";
    case EventType::notification_version_error: return "NotifMsgVerErr";
    case EventType::notification_received: return "NotifMsg";
    case EventType::keepalive_received: return "KeepAliveMsg";
    case EventType::update_received: return "UpdateMsg";
    case EventType::update_error: return "UpdateMsgErr";
    case EventType::route_refresh_received: return "RouteRefreshMsg";
    case EventType::message_sent: return "MessageSent";
  }
  return "?";
}

std::string_view to_string(ActionType a) {
  switch (a) {
    case ActionType::connect: return "connect";
    case ActionType::disconnect: return "disconnect";
    case ActionType::send_open: return "send-open";
    case ActionType::send_keepalive: return "send-keepalive";
    case ActionType::send_notification: return "send-notification";
    case ActionType::established: return "established";
    case ActionType::down: return "down";
    case ActionType::deliver: return "deliver";
  }
  return "?";
}

Event Event::error(EventType t, const wire::WireError& e) {
  return Event{t, std::nullopt, wire::to_notification(e), wire::to_string(e)};
}

Event Event::stop(std::string_view message) {
  return Event{EventType::manual_stop, std::nullopt, wire::make_shutdown(err::administrative_shutdown, message),
               "administratively stopped"};
}

Event Event::restart_stop(std::string_view message) {
  Event e = stop(message);
  e.reason = "stopped for a restart";
  e.restart = true;
  return e;
}

Fsm::Fsm(SessionSettings settings, FsmTimers timers, bool passive)
    : settings_(std::move(settings)), timers_(timers), passive_(passive), local_open_(build_local_open(settings_)) {}

void Fsm::update_settings(SessionSettings s) {
  settings_ = std::move(s);
  local_open_ = build_local_open(settings_);
}

std::optional<TimePoint> Fsm::next_deadline() const {
  std::optional<TimePoint> best;
  for (const auto& d : {deadlines_.connect_retry, deadlines_.hold, deadlines_.keepalive, deadlines_.delay_open,
                        deadlines_.idle_hold})
    if (d && (!best || *d < *best)) best = d;
  return best;
}

std::optional<EventType> Fsm::due_timer(TimePoint now) const {
  std::optional<EventType> due;
  std::optional<TimePoint> at;
  auto consider = [&](const std::optional<TimePoint>& d, EventType e) {
    if (d && *d <= now && (!at || *d < *at)) {
      at = d;
      due = e;
    }
  };
  consider(deadlines_.hold, EventType::hold_timer_expires);
  consider(deadlines_.keepalive, EventType::keepalive_timer_expires);
  consider(deadlines_.connect_retry, EventType::connect_retry_timer_expires);
  consider(deadlines_.delay_open, EventType::delay_open_timer_expires);
  consider(deadlines_.idle_hold, EventType::idle_hold_timer_expires);
  return due;
}

void Fsm::go(State to, TimePoint now, std::string reason) {
  if (to == state_) return;
  history_.push_back({now, state_, to, std::move(reason)});
  if (history_.size() > 32) history_.pop_front();
  state_ = to;
}

NotificationMessage Fsm::unexpected(State s) const {
  // RFC 6608 §4: the subcode names the state the unexpected message arrived in.
  const uint8_t sub = s == State::open_sent ? 1 : s == State::open_confirm ? 2 : s == State::established ? 3 : 0;
  return {err::fsm, sub, {}};
}

void Fsm::start_connecting(TimePoint now) {
  deadlines_ = {};
  deadlines_.connect_retry = now + timers_.connect_retry;
  if (passive_) {
    go(State::active, now, "started, waiting for the peer to connect");
  } else {
    emit(ActionType::connect);
    go(State::connect, now, "started, connecting");
  }
}

void Fsm::open_sent(TimePoint now) {
  deadlines_.connect_retry.reset();
  deadlines_.delay_open.reset();
  emit(ActionType::send_open);
  // RFC 4271 §8.2.2: until the peer's OPEN arrives, the hold timer is large.
  deadlines_.hold = now + timers_.open_hold;
  go(State::open_sent, now, "connection up, OPEN sent");
}

void Fsm::start_session_timers(TimePoint now) {
  deadlines_.hold.reset();
  deadlines_.keepalive.reset();
  if (negotiated_ && negotiated_->hold_time != 0) {
    deadlines_.hold = now + std::chrono::seconds(negotiated_->hold_time);
    deadlines_.keepalive = now + std::chrono::seconds(negotiated_->keepalive_time);
  }
}

void Fsm::accept_open(const Event& e, TimePoint now) {
  const bool delayed = state_ == State::connect || state_ == State::active;
  auto n = negotiate(settings_, local_open_, *e.open);
  if (!n) {
    // The peer must know why: when our OPEN is still delayed, send it first.
    if (delayed) emit(ActionType::send_open);
    return fail(now, "OPEN refused: " + wire::describe_code(n.error().code, n.error().subcode), n.error());
  }
  negotiated_ = std::move(*n);
  deadlines_.connect_retry.reset();
  deadlines_.delay_open.reset();
  if (delayed) emit(ActionType::send_open);
  emit(ActionType::send_keepalive);
  start_session_timers(now);
  go(State::open_confirm, now, "OPEN accepted");
}

// RFC 4271 §8.2.2, every state past Connect/Active: HoldTimer_Expires sends
// Hold Timer Expired (code 4).
void Fsm::hold_timer_expired(TimePoint now) {
  fail(now, "hold timer expired", NotificationMessage{err::hold_timer_expired, 0, {}});
}

// RFC 4271 §6.8: the losing connection sends Cease / Connection Collision Resolution.
void Fsm::collision_dump(TimePoint now) {
  fail(now, "connection collision", NotificationMessage{err::cease, err::connection_collision, {}});
}

// RFC 4271 §8.2.2: KeepaliveTimer_Expires sends a KEEPALIVE and restarts the timer.
void Fsm::send_keepalive(TimePoint now) {
  emit(ActionType::send_keepalive);
  deadlines_.keepalive = now + std::chrono::seconds(negotiated_->keepalive_time);
}

void Fsm::fail(TimePoint now, std::string reason, std::optional<NotificationMessage> send) {
  if (send) emit(ActionType::send_notification, std::move(send));
  emit(ActionType::disconnect);
  if (state_ == State::established) emit(ActionType::down);
  // Failures count from the last stable session: one that stayed up long enough
  // starts the backoff afresh.
  const bool was_stable = established_since_ && now - *established_since_ >= timers_.stable_after;
  failures_ = was_stable ? 1 : failures_ + 1;
  established_since_.reset();
  negotiated_.reset();
  ++connect_retry_counter_;
  deadlines_ = {};
  if (enabled_) {
    Duration wait = timers_.idle_hold_initial;
    for (uint32_t i = 1; i < failures_ && wait < timers_.idle_hold_max; ++i) wait *= 2;
    deadlines_.idle_hold = now + std::max(std::min(wait, timers_.idle_hold_max), hold_down_);
  }
  hold_down_ = {};
  go(State::idle, now, std::move(reason));
}

std::vector<Action> Fsm::on(const Event& e, TimePoint now) {
  out_.clear();
  const std::string what = e.reason.empty() ? std::string(to_string(e.type)) : e.reason;
  const auto cease = [&](uint8_t sub) { return e.notification.value_or(NotificationMessage{err::cease, sub, {}}); };

  // The events every state treats alike come first; then one switch per state.
  switch (e.type) {
    case EventType::manual_stop: {
      const bool open_was_sent = state_ == State::open_sent || state_ == State::open_confirm || state_ == State::established;
      enabled_ = false;
      if (state_ == State::idle) {
        deadlines_ = {};
        return std::move(out_);
      }
      // RFC 4271 §8.2.2: Cease (RFC 9003 Administrative Shutdown with its message).
      // A restart tells a peer that keeps our routes otherwise (restart_close.hpp).
      if (open_was_sent) {
        std::optional<NotificationMessage> n = cease(err::administrative_shutdown);
        if (e.restart && state_ == State::established && negotiated_)
          n = restart_notification(settings_, *negotiated_, *n);
        if (n) emit(ActionType::send_notification, std::move(n));
      }
      emit(ActionType::disconnect);
      if (state_ == State::established) emit(ActionType::down);
      connect_retry_counter_ = 0;
      deadlines_ = {};
      established_since_.reset();
      negotiated_.reset();
      go(State::idle, now, what);
      return std::move(out_);
    }
    case EventType::manual_start:
    case EventType::automatic_start:
      if (e.type == EventType::manual_start) {
        enabled_ = true;
        failures_ = 0;
      }
      if (state_ == State::idle && enabled_ && !(e.type == EventType::automatic_start && deadlines_.idle_hold)) {
        connect_retry_counter_ = 0;
        start_connecting(now);
      }
      return std::move(out_);
    default: break;
  }

  switch (state_) {
    case State::idle:
      switch (e.type) {
        case EventType::idle_hold_timer_expires:
          deadlines_.idle_hold.reset();
          if (enabled_) start_connecting(now);
          break;
        case EventType::tcp_connection_valid:
        case EventType::tcp_connection_confirmed:
          emit(ActionType::disconnect);  // no session is wanted now
          break;
        default: break;  // RFC 4271 §8.2.2: other events leave Idle unchanged
      }
      break;

    case State::connect:
    case State::active:
      switch (e.type) {
        case EventType::automatic_stop: fail(now, what, std::nullopt); break;
        case EventType::connect_retry_timer_expires:
          deadlines_.delay_open.reset();
          deadlines_.connect_retry = now + timers_.connect_retry;
          if (passive_) break;
          if (state_ == State::connect) emit(ActionType::disconnect);
          emit(ActionType::connect);
          go(State::connect, now, "connect retry");
          break;
        case EventType::delay_open_timer_expires: open_sent(now); break;
        case EventType::tcp_connection_valid:
        case EventType::tcp_connection_confirmed:
          if (timers_.delay_open > Duration::zero()) {
            deadlines_.connect_retry.reset();
            deadlines_.delay_open = now + timers_.delay_open;
          } else {
            open_sent(now);
          }
          break;
        case EventType::tcp_connection_fails:
          // Keep listening and try again when ConnectRetry fires, as BIRD and FRR do.
          emit(ActionType::disconnect);
          deadlines_.delay_open.reset();
          deadlines_.connect_retry = now + timers_.connect_retry;
          go(State::active, now, what);
          break;
        case EventType::bgp_open:
          if (deadlines_.delay_open) accept_open(e, now);  // RFC 4271 event 20
          else fail(now, "OPEN before ours was sent", std::nullopt);
          break;
        case EventType::bgp_header_error:
        case EventType::bgp_open_message_error: fail(now, what, e.notification); break;
        case EventType::notification_version_error:
          if (deadlines_.delay_open) {
            // RFC 4271 §8.2.2: no penalty when our OPEN was not yet sent.
            emit(ActionType::disconnect);
            deadlines_ = {};
            go(State::idle, now, what);
            if (enabled_) deadlines_.idle_hold = now + timers_.idle_hold_initial;
          } else {
            fail(now, what, std::nullopt);
          }
          break;
        case EventType::message_sent:
        case EventType::idle_hold_timer_expires: break;
        default: fail(now, "unexpected " + std::string(to_string(e.type)), std::nullopt); break;
      }
      break;

    case State::open_sent:
      switch (e.type) {
        case EventType::automatic_stop: fail(now, what, cease(err::out_of_resources)); break;
        case EventType::hold_timer_expires: hold_timer_expired(now); break;
        case EventType::tcp_connection_fails:
          emit(ActionType::disconnect);
          deadlines_ = {};
          deadlines_.connect_retry = now + timers_.connect_retry;
          go(State::active, now, what);
          break;
        case EventType::bgp_open: accept_open(e, now); break;
        case EventType::bgp_header_error:
        case EventType::bgp_open_message_error:
        case EventType::update_error: fail(now, what, e.notification); break;
        case EventType::open_collision_dump:
          collision_dump(now);
          break;
        case EventType::notification_version_error:
        case EventType::notification_received: fail(now, what, std::nullopt); break;
        case EventType::keepalive_received:
        case EventType::update_received:
        case EventType::route_refresh_received:
        case EventType::connect_retry_timer_expires:
        case EventType::keepalive_timer_expires:
        case EventType::delay_open_timer_expires:
          fail(now, "unexpected " + std::string(to_string(e.type)), unexpected(state_));
          break;
        default: break;
      }
      break;

    case State::open_confirm:
      switch (e.type) {
        case EventType::automatic_stop: fail(now, what, cease(err::out_of_resources)); break;
        case EventType::hold_timer_expires: hold_timer_expired(now); break;
        case EventType::keepalive_timer_expires:
          send_keepalive(now);
          break;
        case EventType::tcp_connection_fails:
        case EventType::notification_version_error:
        case EventType::notification_received: fail(now, what, std::nullopt); break;
        case EventType::bgp_header_error:
        case EventType::bgp_open_message_error:
        case EventType::update_error: fail(now, what, e.notification); break;
        case EventType::open_collision_dump:
          collision_dump(now);
          break;
        case EventType::keepalive_received:
          if (negotiated_->hold_time != 0) deadlines_.hold = now + std::chrono::seconds(negotiated_->hold_time);
          established_since_ = now;
          emit(ActionType::established);
          go(State::established, now, "KEEPALIVE received");
          break;
        case EventType::bgp_open:
        case EventType::update_received:
        case EventType::route_refresh_received:
        case EventType::connect_retry_timer_expires:
        case EventType::delay_open_timer_expires:
          fail(now, "unexpected " + std::string(to_string(e.type)), unexpected(state_));
          break;
        default: break;
      }
      break;

    case State::established:
      switch (e.type) {
        case EventType::automatic_stop: fail(now, what, cease(err::out_of_resources)); break;
        case EventType::hold_timer_expires: hold_timer_expired(now); break;
        case EventType::keepalive_timer_expires:
          send_keepalive(now);
          break;
        case EventType::message_sent:
          // RFC 4271 §4.4: any UPDATE sent restarts the KeepaliveTimer.
          if (deadlines_.keepalive) deadlines_.keepalive = now + std::chrono::seconds(negotiated_->keepalive_time);
          break;
        case EventType::keepalive_received:
          if (deadlines_.hold) deadlines_.hold = now + std::chrono::seconds(negotiated_->hold_time);
          break;
        case EventType::update_received:
        case EventType::route_refresh_received:
          if (deadlines_.hold) deadlines_.hold = now + std::chrono::seconds(negotiated_->hold_time);
          emit(ActionType::deliver);
          break;
        case EventType::update_error:
        case EventType::bgp_header_error:
        case EventType::bgp_open_message_error: fail(now, what, e.notification); break;
        case EventType::open_collision_dump:
          collision_dump(now);
          break;
        case EventType::tcp_connection_fails:
        case EventType::notification_version_error:
        case EventType::notification_received: fail(now, what, std::nullopt); break;
        case EventType::bgp_open:
        case EventType::connect_retry_timer_expires:
        case EventType::delay_open_timer_expires:
          fail(now, "unexpected " + std::string(to_string(e.type)), unexpected(state_));
          break;
        default: break;
      }
      break;
  }
  return std::move(out_);
}

}  // namespace petrel::bgp::fsm
