// bfd/session.hpp — one BFD session in asynchronous mode (RFC 5880 §6.2,
// §6.8.1–§6.8.7): the state machine, discriminators, the Poll/Final sequence of
// a timer change (§6.5), negotiated intervals, detection time, jitter and the
// slow 1 s rate while not Up. Pure: time comes in as arguments, randomness
// from a seeded generator; it never does I/O. Echo and Demand mode are not
// implemented (we never set D; a peer's Demand mode is honoured, §6.8.7).
//
// The I/O shell (bfd/service.hpp) calls receive() for each packet that passed
// decode_control() and was matched to the session, expire() at
// next_deadline(), and sends what transmit() returns. Each returns the state
// change it caused, if any. Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <optional>

#include "bfd/packet.hpp"
#include "core/clock.hpp"

namespace petrel::bfd {

using Micros = std::chrono::microseconds;

struct SessionSettings {
  Micros desired_min_tx{300'000};   // bfd.DesiredMinTxInterval once Up
  Micros required_min_rx{300'000};  // bfd.RequiredMinRxInterval
  uint8_t detect_mult = 3;          // bfd.DetectMult
  // The C bit we send: true only when BFD survives our control plane (it does
  // not in petreld: BFD runs in the same process as BGP).
  bool control_plane_independent = false;
  friend bool operator==(const SessionSettings&, const SessionSettings&) = default;
};

struct Transition {
  State from, to;
  Diag diag;                  // bfd.LocalDiag after the change
  bool remote_admin_down;     // the peer said AdminDown (RFC 5882 §3.2: not a failure)
};

// RFC 5880 §6.8.3: not less than one second while the session is not Up.
inline constexpr Micros kSlowTxInterval{1'000'000};

class Session {
 public:
  Session(uint32_t local_discriminator, SessionSettings settings, uint32_t seed, TimePoint now);

  // RFC 5880 §6.8.6, from "Set bfd.RemoteDiscr" on: the packet passed
  // decode_control() and its Your Discriminator (or source) picked this session.
  std::optional<Transition> receive(const ControlPacket& p, TimePoint now);
  // RFC 5880 §6.8.4/§6.8.5: the detection time passed without a packet.
  std::optional<Transition> expire(TimePoint now);
  // The packet to send now, if one is due (periodic, §6.8.7) or owed (the Final
  // answering a Poll, §6.5); schedules the next periodic one.
  std::optional<ControlPacket> transmit(TimePoint now);
  // When to call expire()/transmit() again.
  TimePoint next_deadline() const;

  // New intervals or multiplier (reconfiguration); a Poll sequence when they
  // change (§6.8.3).
  void update(const SessionSettings& s, TimePoint now);
  // RFC 5880 §6.8.16: AdminDown (Diag 7), for a peer being removed or disabled;
  // admin_up() goes back to Down.
  std::optional<Transition> admin_down(TimePoint now);
  std::optional<Transition> admin_up(TimePoint now);

  State state() const { return state_; }
  State remote_state() const { return remote_state_; }
  Diag local_diag() const { return local_diag_; }
  uint32_t local_discriminator() const { return local_discr_; }
  uint32_t remote_discriminator() const { return remote_discr_; }
  bool remote_control_plane_independent() const { return remote_cpi_; }
  bool poll_active() const { return poll_active_; }
  const SessionSettings& settings() const { return settings_; }
  // The negotiated transmit interval (§6.8.2 / §6.8.7, before jitter) and the
  // detection time (§6.8.4): what `show bfd sessions` shows.
  Micros tx_interval() const;
  Micros detection_time() const;
  Micros remote_min_rx() const { return remote_min_rx_; }
  Micros remote_min_tx() const { return remote_min_tx_; }
  uint8_t remote_detect_mult() const { return remote_detect_mult_; }
  bool received_any() const { return last_rx_.has_value(); }

 private:
  std::optional<Transition> set_state(State to, Diag diag, bool remote_admin_down, TimePoint now);
  void set_desired_tx(Micros v);
  void set_required_rx(Micros v);
  Micros jittered(Micros interval);
  void schedule_tx(TimePoint now);
  bool periodic_allowed() const;

  uint32_t local_discr_;
  SessionSettings settings_;
  uint32_t random_;

  State state_ = State::down;
  State remote_state_ = State::down;
  Diag local_diag_ = Diag::none;
  uint32_t remote_discr_ = 0;
  bool remote_demand_ = false;
  bool remote_cpi_ = false;
  uint8_t remote_detect_mult_ = 0;
  Micros remote_min_rx_{1};   // §6.8.1: initial value 1
  Micros remote_min_tx_{0};   // the last Desired Min TX Interval received

  // bfd.DesiredMinTxInterval / bfd.RequiredMinRxInterval as sent, and the values
  // in force for our own timing until a Poll sequence confirms a change (§6.8.3).
  Micros desired_tx_;
  Micros required_rx_;
  Micros desired_tx_in_use_;
  Micros required_rx_in_use_;
  bool poll_active_ = false;
  bool final_owed_ = false;

  TimePoint next_tx_;
  std::optional<TimePoint> last_rx_;
  bool detection_armed_ = false;  // a packet came since the last expiry
};

}  // namespace petrel::bfd
