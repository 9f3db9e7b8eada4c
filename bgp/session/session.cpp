#include "bgp/session/session.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "bgp/fsm/collision.hpp"
#include "bgp/wire/message.hpp"
#include "bgp/wire/notification.hpp"
#include "bgp/wire/open.hpp"

namespace petrel::bgp::session {

using boost::system::error_code;
using fsm::Event;
using fsm::EventType;
using fsm::State;

// The bytes side of one TCP connection: transport, framer, write queue. Shared,
// so that a connection the FSM has let go of can still flush its last
// NOTIFICATION before closing; `owner` is null once it is let go.
struct Wire : std::enable_shared_from_this<Wire> {
  static constexpr std::size_t kHeaderSize = wire::kHeaderSize;
  std::unique_ptr<Transport> transport;
  wire::Framer framer;
  std::deque<std::vector<uint8_t>> queue;
  std::size_t queued = 0;
  bool writing = false;
  bool incoming = false;
  bool reading = false;
  void* owner = nullptr;  // the Session::Connection, while it owns this wire
  wire::Update update;    // decoded into message after message, keeping its storage

  // Let go: what is being written finishes, a NOTIFICATION queued last still
  // goes out (the peer must learn why), anything else queued is dropped; then close.
  void release() {
    owner = nullptr;
    const bool notification_last = !queue.empty() && queue.back().size() > kHeaderSize &&
                                   queue.back()[18] == static_cast<uint8_t>(wire::MessageType::notification);
    std::deque<std::vector<uint8_t>> keep;
    if (writing && !queue.empty()) keep.push_back(std::move(queue.front()));
    if (notification_last && (queue.size() > 1 || !writing)) keep.push_back(std::move(queue.back()));
    queue = std::move(keep);
    queued = 0;
    for (const auto& b : queue) queued += b.size();
    if (!writing) flush_and_shut();
  }
  // Writes what is left of a released wire, one message after another, then closes.
  void flush_and_shut() {
    if (queue.empty() || !transport) return shut();
    writing = true;
    transport->async_write(queue.front(), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
      self->writing = false;
      if (ec) return self->shut();
      self->queue.pop_front();
      self->flush_and_shut();
    });
  }
  void shut() {
    if (transport) transport->close();
    queue.clear();
    queued = 0;
  }
};

struct Session::Connection {
  Connection(const boost::asio::any_io_executor& ex, fsm::Fsm machine) : fsm(std::move(machine)), timer(ex) {}
  fsm::Fsm fsm;
  std::shared_ptr<Wire> wire;
  std::optional<wire::CodecContext> ctx;
  bool pushed_back = false;  // send() said no; on_writable() is owed
  boost::asio::steady_timer timer;
  std::shared_ptr<bool> token = std::make_shared<bool>(true);
};

namespace {

// Counts every message in a buffer of whole messages.
void count_messages(MessageCounters& counters, std::span<const uint8_t> bytes) {
  std::size_t at = 0;
  while (at + wire::kHeaderSize <= bytes.size()) {
    const std::size_t len = (std::size_t{bytes[at + 16]} << 8) | bytes[at + 17];
    if (len < wire::kHeaderSize) break;
    counters.count(static_cast<wire::MessageType>(bytes[at + 18]), len);
    at += len;
  }
}

std::vector<uint8_t> encoded(const wire::NotificationMessage& n) {
  std::vector<uint8_t> out;
  wire::encode_notification(n, out);
  return out;
}

}  // namespace

Session::Session(boost::asio::any_io_executor executor, SessionConfig config, std::unique_ptr<Connector> connector,
                 const Clock& clock, SessionObserver& observer)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      connector_(std::move(connector)),
      clock_(clock),
      observer_(observer),
      alive_(std::make_shared<bool>(true)) {
  primary_ = make_connection(config_.passive);
}

Session::~Session() {
  for (auto* c : {primary_.get(), second_.get()})
    if (c && c->wire) c->wire->shut();
  if (connecting_ && connector_) connector_->cancel();
}

std::unique_ptr<Session::Connection> Session::make_connection(bool passive) {
  return std::make_unique<Connection>(executor_, fsm::Fsm(config_.settings, config_.timers, passive));
}

State Session::state() const { return primary_->fsm.state(); }
const fsm::Fsm& Session::fsm() const { return primary_->fsm; }
std::size_t Session::queued_bytes() const { return primary_->wire ? primary_->wire->queued : 0; }
bool Session::writable() const { return state() == State::established && queued_bytes() < config_.write_high_water; }

void Session::update_settings(fsm::SessionSettings settings) {
  config_.settings = settings;
  primary_->fsm.update_settings(settings);
  if (second_) second_->fsm.update_settings(std::move(settings));
}

void Session::start() { drive(*primary_, Event::of(EventType::manual_start)); }

void Session::stop(std::string_view message) {
  if (second_) drive(*second_, Event::stop(message));
  drive(*primary_, Event::stop(message));
}

void Session::stop(wire::NotificationMessage notification, std::string reason) {
  Event e = Event::stop(reason);
  e.notification = std::move(notification);
  e.reason = std::move(reason);
  if (second_) drive(*second_, e);
  drive(*primary_, e);
}

void Session::stop_for_restart(std::string_view message) {
  if (second_) drive(*second_, Event::restart_stop(message));
  drive(*primary_, Event::restart_stop(message));
}

void Session::restart(std::string_view message) {
  Event e = Event::stop(message);
  e.notification = wire::make_shutdown(wire::err::administrative_reset, message);
  e.reason = "administratively reset";
  if (second_) drive(*second_, e);
  drive(*primary_, e);
  drive(*primary_, Event::of(EventType::manual_start));
}

std::optional<IpAddress> Session::local_address() const {
  if (!primary_ || !primary_->wire || !primary_->wire->transport) return std::nullopt;
  // "ADDR:PORT" or "[ADDR]:PORT" (see Transport::local_endpoint); a scope
  // ("%eth0") after a link-local address is dropped.
  const std::string endpoint = primary_->wire->transport->local_endpoint();  // a copy: the view below reads it
  std::string_view ep = endpoint;
  const auto colon = ep.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  ep = ep.substr(0, colon);
  if (ep.size() >= 2 && ep.front() == '[' && ep.back() == ']') ep = ep.substr(1, ep.size() - 2);
  if (const auto pct = ep.find('%'); pct != std::string_view::npos) ep = ep.substr(0, pct);
  auto a = IpAddress::parse(ep);
  return a ? std::optional<IpAddress>(*a) : std::nullopt;
}

void Session::automatic_stop(wire::NotificationMessage notification, std::string reason, Duration hold_down) {
  primary_->fsm.hold_down_next(hold_down);
  drive(*primary_, Event{EventType::automatic_stop, std::nullopt, std::move(notification), std::move(reason)});
}

Session::Connection* Session::other(const Connection& c) {
  if (&c == primary_.get()) return second_.get();
  return primary_.get();
}

void Session::record_error(std::string what) {
  stats_.last_error = std::move(what);
  stats_.last_error_at = std::chrono::system_clock::now();
}

void Session::drive(Connection& c, const Event& e) {
  const State before = c.fsm.state();
  const auto actions = c.fsm.on(e, clock_.now());
  execute(c, actions);
  const State after = c.fsm.state();
  if (&c == primary_.get() && before != after) {
    observer_.on_state_change(before, after, c.fsm.history().back().reason);
    if (after == State::idle && c.fsm.idle_hold_until())
      observer_.on_idle_hold(*c.fsm.idle_hold_until() - clock_.now());
  }
  arm_timer(c);
  settle();  // may destroy `c` when it is the second connection
}

void Session::execute(Connection& c, const std::vector<fsm::Action>& actions) {
  for (const auto& a : actions) {
    switch (a.type) {
      case fsm::ActionType::connect: connect(c); break;
      case fsm::ActionType::disconnect: close(c); break;
      case fsm::ActionType::send_open: {
        std::vector<uint8_t> out;
        wire::encode_open(c.fsm.local_open(), out);
        enqueue(c, std::move(out));
        break;
      }
      case fsm::ActionType::send_keepalive: {
        std::vector<uint8_t> out;
        wire::encode_keepalive(out);
        enqueue(c, std::move(out));
        break;
      }
      case fsm::ActionType::send_notification:
        stats_.last_notification_sent = *a.notification;
        record_error("sent " + wire::describe_code(a.notification->code, a.notification->subcode));
        observer_.on_notification(/*sent=*/true, *a.notification);
        enqueue(c, encoded(*a.notification));
        break;
      case fsm::ActionType::established: {
        const auto& n = *c.fsm.negotiated();
        c.ctx = n.codec_context();
        if (c.wire) c.wire->framer.set_max_message_size(c.ctx->max_message_size());
        ++stats_.established_count;
        observer_.on_established(n);
        break;
      }
      case fsm::ActionType::down:
        ++stats_.flaps;
        c.ctx.reset();
        observer_.on_down(c.fsm.history().empty() ? "" : c.fsm.history().back().reason);
        break;
      case fsm::ActionType::deliver: break;  // handle_frame hands the message on
    }
  }
}

void Session::connect(Connection& c) {
  if (!connector_ || &c != primary_.get()) return;
  if (connecting_) connector_->cancel();
  connecting_ = true;
  connector_->async_connect([this, alive = std::weak_ptr<bool>(alive_), token = std::weak_ptr<bool>(c.token), &c](
                                const error_code& ec, std::unique_ptr<Transport> t) {
    if (alive.expired() || token.expired()) {
      if (t) t->close();
      return;
    }
    connecting_ = false;
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      record_error("connect: " + ec.message());
      drive(c, Event{EventType::tcp_connection_fails, std::nullopt, std::nullopt, "connect: " + ec.message()});
      return;
    }
    if (c.fsm.state() != State::connect && c.fsm.state() != State::active) {
      t->close();  // no longer wanted
      return;
    }
    attach(c, std::move(t), /*incoming=*/false);
    drive(c, Event::of(EventType::tcp_connection_confirmed));
  });
}

void Session::accept(std::unique_ptr<Transport> t) {
  switch (primary_->fsm.state()) {
    case State::connect:
    case State::active:
      if (connecting_) {
        connector_->cancel();
        connecting_ = false;
      }
      close(*primary_);
      attach(*primary_, std::move(t), /*incoming=*/true);
      drive(*primary_, Event::of(EventType::tcp_connection_valid));
      return;
    case State::open_sent:
    case State::open_confirm:
      // RFC 4271 §6.8: keep both until an OPEN tells who wins.
      if (!second_) {
        second_ = make_connection(/*passive=*/true);
        Connection& s = *second_;
        drive(s, Event::of(EventType::manual_start));
        attach(s, std::move(t), /*incoming=*/true);
        drive(s, Event::of(EventType::tcp_connection_valid));
        return;
      }
      break;
    case State::idle:         // not wanted now (disabled, or waiting out IdleHold)
    case State::established:  // RFC 4271 §6.8: an Established connection wins
      break;
  }
  t->close();
}

void Session::attach(Connection& c, std::unique_ptr<Transport> t, bool incoming) {
  if (c.wire) c.wire->release();
  c.wire = std::make_shared<Wire>();
  c.wire->transport = std::move(t);
  c.wire->incoming = incoming;
  c.wire->owner = &c;
  c.ctx.reset();
  c.pushed_back = false;
  observer_.on_connection(incoming, c.wire->transport->local_endpoint(), c.wire->transport->remote_endpoint());
  read(c);
}

void Session::read(Connection& c) {
  auto w = c.wire;
  if (!w || w->reading) return;
  w->reading = true;
  auto into = w->framer.prepare(config_.read_chunk);
  w->transport->async_read_some(into, [this, alive = std::weak_ptr<bool>(alive_), w](const error_code& ec, std::size_t n) {
    w->reading = false;
    if (alive.expired() || w->owner == nullptr) return;
    on_read(*static_cast<Connection*>(w->owner), ec, n);
  });
}

void Session::on_read(Connection& c, const error_code& ec, std::size_t n) {
  if (ec) {
    record_error("read: " + ec.message());
    drive(c, Event{EventType::tcp_connection_fails, std::nullopt, std::nullopt,
                   ec == boost::asio::error::eof ? "connection closed by peer" : "read: " + ec.message()});
    return;
  }
  const auto w = c.wire;
  w->framer.commit(n);
  const std::weak_ptr<bool> token = c.token;
  for (;;) {
    auto frame = w->framer.next();
    if (!frame) {
      drive(c, Event::error(EventType::bgp_header_error, frame.error()));
      return;
    }
    if (!*frame) break;
    handle_frame(c, **frame);
    // The frame may have ended this connection, or this Connection itself.
    if (token.expired() || c.wire != w || w->owner == nullptr) return;
  }
  read(c);
}

void Session::handle_frame(Connection& c, const wire::Frame& frame) {
  stats_.in.count(frame.type, frame.bytes.size());
  const std::weak_ptr<bool> token = c.token;
  switch (frame.type) {
    case wire::MessageType::open: handle_open(c, frame.bytes); return;
    case wire::MessageType::keepalive: drive(c, Event::of(EventType::keepalive_received)); return;
    case wire::MessageType::notification: {
      auto n = wire::decode_notification(frame.bytes);
      if (!n) return drive(c, Event::error(EventType::bgp_header_error, n.error()));
      stats_.last_notification_received = *n;
      record_error("received " + wire::describe_code(n->code, n->subcode));
      observer_.on_notification(/*sent=*/false, *n);
      // RFC 4271 §8.1: version errors have their own event.
      const bool version = n->code == wire::err::open && n->subcode == wire::err::unsupported_version;
      std::string reason = "NOTIFICATION received: " + wire::describe_code(n->code, n->subcode);
      if (auto text = n->shutdown_message()) reason += ": " + *text;
      drive(c, Event{version ? EventType::notification_version_error : EventType::notification_received, std::nullopt,
                     std::move(*n), std::move(reason)});
      return;
    }
    case wire::MessageType::update: {
      if (c.fsm.state() != State::established || !c.ctx) return drive(c, Event::of(EventType::update_received));
      const auto w = c.wire;  // keeps the decoded Update alive through the observer call
      wire::Update& u = w->update;
      if (auto r = wire::decode_update(frame.bytes, *c.ctx, u); !r)
        return drive(c, Event::error(EventType::update_error, r.error()));
      // RFC 7606 §2 allows a session reset where AFI/SAFI disable is not supported.
      if (u.action == wire::ErrorAction::afisafi_disable) {
        for (const auto& e : u.errors)
          if (e.action == wire::ErrorAction::afisafi_disable) return drive(c, Event::error(EventType::update_error, e));
      }
      drive(c, Event::of(EventType::update_received));
      if (!token.expired() && c.fsm.state() == State::established) observer_.on_update(u);
      return;
    }
    case wire::MessageType::route_refresh: {
      auto m = wire::decode_route_refresh(frame.bytes);
      if (!m) return drive(c, Event::error(EventType::update_error, m.error()));
      if (!*m) return;  // RFC 7313 §5: unknown subtype, ignored
      drive(c, Event::of(EventType::route_refresh_received));
      if (!token.expired() && c.fsm.state() == State::established) observer_.on_route_refresh(**m);
      return;
    }
  }
}

void Session::handle_open(Connection& c, std::span<const uint8_t> bytes) {
  auto open = wire::decode_open(bytes);
  if (!open) return drive(c, Event::error(EventType::bgp_open_message_error, open.error()));
  // RFC 4271 §6.8: an OPEN on one connection while the other has passed
  // OpenSent decides which one lives.
  Connection* o = other(c);
  if (o && o->wire && (o->fsm.state() == State::open_confirm || o->fsm.state() == State::established)) {
    if (o->fsm.state() == State::established) return drive(c, Event::of(EventType::open_collision_dump));
    const auto keep = fsm::surviving_connection(config_.settings.router_id, open->bgp_identifier);
    const auto mine = c.wire->incoming ? fsm::Initiator::remote : fsm::Initiator::local;
    observer_.on_collision(/*kept_incoming=*/keep == fsm::Initiator::remote);
    if (keep != mine) return drive(c, Event::of(EventType::open_collision_dump));
    // This connection wins. If it is the second one, it becomes the peer's
    // connection first: only the losing connection goes to Idle, not the peer.
    if (&c == second_.get()) {
      const State was = primary_->fsm.state();
      std::swap(primary_, second_);
      primary_->fsm.set_passive(config_.passive);
      observer_.on_state_change(was, primary_->fsm.state(), "collision: the incoming connection carries on");
    }
    drive(*second_, Event::of(EventType::open_collision_dump));
  }
  drive(c, Event::open_received(std::move(*open)));
}

bool Session::send(std::vector<uint8_t> bytes) {
  Connection& c = *primary_;
  if (c.fsm.state() != State::established || !c.wire) return false;
  enqueue(c, std::move(bytes));
  drive(c, Event::of(EventType::message_sent));
  if (c.wire && c.wire->queued >= config_.write_high_water) {
    c.pushed_back = true;
    return false;
  }
  return true;
}

void Session::enqueue(Connection& c, std::vector<uint8_t> bytes) {
  if (!c.wire || bytes.empty()) return;
  count_messages(stats_.out, bytes);
  c.wire->queued += bytes.size();
  c.wire->queue.push_back(std::move(bytes));
  write_next(c);
}

void Session::write_next(Connection& c) {
  auto w = c.wire;
  if (!w || w->writing || w->queue.empty()) return;
  w->writing = true;
  const auto& front = w->queue.front();
  w->transport->async_write(front, [this, alive = std::weak_ptr<bool>(alive_), w](const error_code& ec, std::size_t) {
    w->writing = false;
    if (alive.expired()) return;
    if (!ec && !w->queue.empty()) {
      w->queued -= w->queue.front().size();
      w->queue.pop_front();
    }
    if (w->owner == nullptr) {  // let go: finish the flush, then close
      if (ec) return w->shut();
      return w->flush_and_shut();
    }
    Connection& c2 = *static_cast<Connection*>(w->owner);
    if (ec) {
      record_error("write: " + ec.message());
      return drive(c2, Event{EventType::tcp_connection_fails, std::nullopt, std::nullopt, "write: " + ec.message()});
    }
    if (c2.pushed_back && w->queued < config_.write_high_water / 2) {
      c2.pushed_back = false;
      observer_.on_writable();
    }
    write_next(c2);
  });
}

void Session::close(Connection& c) {
  if (&c == primary_.get() && connecting_) {
    connector_->cancel();
    connecting_ = false;
  }
  if (c.wire) {
    c.wire->release();
    c.wire.reset();
  }
  c.ctx.reset();
}

void Session::arm_timer(Connection& c) {
  const auto deadline = c.fsm.next_deadline();
  if (!deadline) {
    c.timer.cancel();
    return;
  }
  const auto wait = std::max(Duration::zero(), *deadline - clock_.now());
  c.timer.expires_after(wait);
  c.timer.async_wait([this, alive = std::weak_ptr<bool>(alive_), token = std::weak_ptr<bool>(c.token)](const error_code& ec) {
    if (ec || alive.expired() || token.expired()) return;
    check_timers();
  });
}

void Session::check_timers() {
  for (Connection* c : {primary_.get(), second_.get()}) {
    if (!c) continue;
    const std::weak_ptr<bool> token = c->token;
    while (!token.expired()) {
      auto due = c->fsm.due_timer(clock_.now());
      if (!due) break;
      drive(*c, Event::of(*due));
    }
  }
}

void Session::settle() {
  if (!second_) return;
  if (second_->fsm.state() == State::idle) {
    close(*second_);
    second_.reset();
    return;
  }
  // The first connection lost a collision: the second one carries on.
  if (primary_->fsm.state() == State::idle && !primary_->wire) {
    const State was = primary_->fsm.state();
    primary_ = std::move(second_);
    primary_->fsm.set_passive(config_.passive);
    observer_.on_state_change(was, primary_->fsm.state(), "collision: the incoming connection carries on");
  }
}

}  // namespace petrel::bgp::session
