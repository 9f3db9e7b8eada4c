// bfd/session.cpp — see session.hpp. Section numbers are RFC 5880's.
#include "bfd/session.hpp"

#include <algorithm>

namespace petrel::bfd {

Session::Session(uint32_t local_discriminator, SessionSettings settings, uint32_t seed, TimePoint now)
    : local_discr_(local_discriminator), settings_(settings), random_(seed ? seed : 0x9e3779b9u) {
  // §6.8.3: not Up yet, so at least one second between packets.
  desired_tx_ = desired_tx_in_use_ = std::max(settings_.desired_min_tx, kSlowTxInterval);
  required_rx_ = required_rx_in_use_ = settings_.required_min_rx;
  next_tx_ = now;  // the first packet goes at once
}

Micros Session::tx_interval() const {
  // §6.8.7: never faster than the larger of bfd.DesiredMinTxInterval and
  // bfd.RemoteMinRxInterval.
  return std::max(desired_tx_in_use_, remote_min_rx_);
}

Micros Session::detection_time() const {
  // §6.8.4 (asynchronous mode): the remote's Detect Mult times the larger of
  // our bfd.RequiredMinRxInterval and its last Desired Min TX Interval.
  return remote_detect_mult_ * std::max(required_rx_in_use_, remote_min_tx_);
}

std::optional<Transition> Session::receive(const ControlPacket& p, TimePoint now) {
  // §6.8.6, after the discriminator checks.
  remote_discr_ = p.my_discriminator;
  remote_state_ = p.state;
  remote_demand_ = p.demand;
  remote_cpi_ = p.control_plane_independent;
  remote_min_rx_ = Micros(p.required_min_rx_us);
  remote_min_tx_ = Micros(p.desired_min_tx_us);
  remote_detect_mult_ = p.detect_mult;
  // §6.5: a Final ends our Poll sequence; the changed timers apply from now.
  if (p.final && poll_active_) {
    poll_active_ = false;
    desired_tx_in_use_ = desired_tx_;
    required_rx_in_use_ = required_rx_;
  }
  // §6.8.6 last paragraph: the packet counts for the detection time.
  last_rx_ = now;
  detection_armed_ = true;
  // §6.5: a Poll is answered with a Final at once, whatever the timers say.
  if (p.poll) final_owed_ = true;
  // A slower receiver: the next packet must not come earlier than it allows.
  next_tx_ = std::min(next_tx_, now + tx_interval());

  if (state_ == State::admin_down) return std::nullopt;  // §6.8.6: discard
  if (p.state == State::admin_down) {
    if (state_ != State::down) return set_state(State::down, Diag::neighbor_down, /*remote_admin_down=*/true, now);
    return std::nullopt;
  }
  switch (state_) {
    case State::down:
      if (p.state == State::down) return set_state(State::init, Diag::none, false, now);
      if (p.state == State::init) return set_state(State::up, Diag::none, false, now);
      break;
    case State::init:
      if (p.state == State::init || p.state == State::up) return set_state(State::up, Diag::none, false, now);
      break;
    case State::up:
      if (p.state == State::down) return set_state(State::down, Diag::neighbor_down, false, now);
      break;
    case State::admin_down: break;
  }
  return std::nullopt;
}

std::optional<Transition> Session::expire(TimePoint now) {
  if (!detection_armed_ || !last_rx_ || detection_time() == Micros::zero()) return std::nullopt;
  if (now < *last_rx_ + detection_time()) return std::nullopt;
  // §6.8.1: bfd.RemoteDiscr is reset when the detection time passes; §6.8.5:
  // an Init or Up session goes Down with Diag 1.
  detection_armed_ = false;
  remote_discr_ = 0;
  remote_state_ = State::down;
  if (state_ == State::init || state_ == State::up)
    return set_state(State::down, Diag::detection_time_expired, false, now);
  return std::nullopt;
}

std::optional<ControlPacket> Session::transmit(TimePoint now) {
  const bool owed = final_owed_;
  const bool due = now >= next_tx_;
  if (!owed && !due) return std::nullopt;
  if (due) next_tx_ = now + jittered(tx_interval());
  if (!owed && !periodic_allowed()) return std::nullopt;
  final_owed_ = false;
  // §6.8.7: the contents of a transmitted Control packet.
  ControlPacket p;
  p.diag = local_diag_;
  p.state = state_;
  p.final = owed;
  p.poll = poll_active_ && !owed;  // §6.5: never P and F together
  p.control_plane_independent = settings_.control_plane_independent;
  p.detect_mult = settings_.detect_mult;
  p.my_discriminator = local_discr_;
  p.your_discriminator = remote_discr_;
  p.desired_min_tx_us = static_cast<uint32_t>(desired_tx_.count());
  p.required_min_rx_us = static_cast<uint32_t>(required_rx_.count());
  p.required_min_echo_rx_us = 0;  // no Echo function
  return p;
}

TimePoint Session::next_deadline() const {
  if (final_owed_) return TimePoint::min();
  TimePoint t = next_tx_;
  if (detection_armed_ && last_rx_ && detection_time() > Micros::zero())
    t = std::min(t, *last_rx_ + std::chrono::duration_cast<Duration>(detection_time()));
  return t;
}

void Session::update(const SessionSettings& s, TimePoint now) {
  settings_ = s;
  set_desired_tx(state_ == State::up ? s.desired_min_tx : std::max(s.desired_min_tx, kSlowTxInterval));
  set_required_rx(s.required_min_rx);
  if (poll_active_) next_tx_ = now;  // start the Poll sequence at once
}

std::optional<Transition> Session::admin_down(TimePoint now) {
  return set_state(State::admin_down, Diag::admin_down, false, now);
}

std::optional<Transition> Session::admin_up(TimePoint now) {
  if (state_ != State::admin_down) return std::nullopt;
  return set_state(State::down, Diag::none, false, now);
}

std::optional<Transition> Session::set_state(State to, Diag diag, bool remote_admin_down, TimePoint now) {
  if (to == state_) return std::nullopt;
  const State from = state_;
  state_ = to;
  local_diag_ = diag;
  // §6.8.3: the configured rate only while Up, at least one second otherwise.
  set_desired_tx(to == State::up ? settings_.desired_min_tx : std::max(settings_.desired_min_tx, kSlowTxInterval));
  // Tell the peer at once rather than at the next periodic packet.
  next_tx_ = now;
  return Transition{from, to, diag, remote_admin_down};
}

// §6.8.3: a change starts a Poll sequence. A slower transmit rate while Up
// applies only once the peer has answered (so its detection time can follow).
void Session::set_desired_tx(Micros v) {
  if (v == desired_tx_) return;
  const bool hold = state_ == State::up && v > desired_tx_in_use_;
  desired_tx_ = v;
  if (!hold) desired_tx_in_use_ = v;
  poll_active_ = true;
}

// §6.8.3: a smaller RequiredMinRxInterval while Up counts for our detection
// time only once the peer has answered the Poll (it may still send slowly).
void Session::set_required_rx(Micros v) {
  if (v == required_rx_) return;
  const bool hold = state_ == State::up && v < required_rx_in_use_;
  required_rx_ = v;
  if (!hold) required_rx_in_use_ = v;
  poll_active_ = true;
}

bool Session::periodic_allowed() const {
  // §6.8.7: nothing periodic to a peer that wants none (RemoteMinRxInterval 0),
  // nor while the peer runs Demand mode on an Up session.
  if (remote_min_rx_ == Micros::zero()) return false;
  return !(remote_demand_ && state_ == State::up && remote_state_ == State::up);
}

// §6.8.7: each interval shortened by 0 to 25 % at random; with a Detect Mult
// of 1, by 10 to 25 %.
Micros Session::jittered(Micros interval) {
  random_ ^= random_ << 13;
  random_ ^= random_ >> 17;
  random_ ^= random_ << 5;
  const uint32_t span = settings_.detect_mult == 1 ? 150 : 250;  // permille
  const uint32_t permille = 750 + random_ % (span + 1);
  return Micros(interval.count() * permille / 1000);
}

}  // namespace petrel::bfd
