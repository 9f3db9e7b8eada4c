// bfd/service.hpp — the I/O shell around bfd::Session: UDP sockets, timers and
// demultiplexing (RFC 5881 single hop, RFC 5883 multihop).
//
// Receiving: one socket per address family and port (3784 single hop, 4784
// multihop), opened when the first session needs it. A packet goes to the
// session its Your Discriminator names, or, while that is zero, to the session
// of its source address (RFC 5880 §6.8.6, RFC 5881 §3). Single-hop packets must
// arrive with TTL / hop limit 255 (RFC 5881 §5, GTSM); multihop packets are
// taken at any TTL (RFC 5883 §5 leaves the check to configuration). Packets
// that fail a check are counted and dropped, never a crash.
// Sending: each session has its own socket, bound to its local address (if
// given) and to a source port in 49152–65535 (RFC 5881 §4), TTL 255.
//
// Runs on one executor and is not thread-safe: every call, and the Clock, on
// the thread that runs that executor. In petreld that is the BFD thread of a
// bfd::ServiceThread (bfd/service_thread.hpp), never the daemon's event loop,
// so that a long handler there cannot stop BFD transmission. The Clock feeds
// the pure sessions; Asio timers only say when to look again. A state change
// is reported to the session's listener (on the Service's thread) after the
// Service has finished with the packet or timer, so the listener may add or
// remove sessions.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bfd/session.hpp"
#include "core/clock.hpp"
#include "core/ip.hpp"
#include "core/result.hpp"

namespace petrel::bfd {

inline constexpr uint16_t kSingleHopPort = 3784;  // RFC 5881 §4
inline constexpr uint16_t kMultihopPort = 4784;   // RFC 5883 §5

// The UDP ports: the RFCs' unless a test runs two Services on one host.
struct Ports {
  uint16_t single_hop = kSingleHopPort;
  uint16_t multihop = kMultihopPort;
};
struct ServiceOptions {
  Ports receive;  // the receiving sockets' ports
  Ports send;     // the peers' ports, where Control packets go
};

struct SessionRequest {
  IpAddress peer;
  std::optional<IpAddress> local;  // source address; none: the kernel chooses
  bool multihop = false;
  SessionSettings settings;
};

struct SessionView {
  IpAddress peer;
  std::optional<IpAddress> local;
  bool multihop = false;
  State state = State::down;
  State remote_state = State::down;
  Diag diag = Diag::none;
  uint32_t local_discriminator = 0;
  uint32_t remote_discriminator = 0;
  bool remote_control_plane_independent = false;
  Micros tx_interval{0};      // negotiated, before jitter; 0 before the first packet
  Micros detection_time{0};   // 0 before the first packet
  SessionSettings settings;
  std::chrono::system_clock::time_point since;  // of the last state change
  uint64_t packets_in = 0, packets_out = 0;
};

struct ServiceCounters {
  uint64_t received = 0;         // datagrams read
  uint64_t discarded = 0;        // failed a check (below)
  uint64_t sent = 0;
  uint64_t send_errors = 0;
  std::string last_discard;      // why the last one was dropped
};

class Service {
 public:
  using Listener = std::function<void(const SessionView&, const Transition&)>;

  Service(boost::asio::any_io_executor executor, const Clock& clock, ServiceOptions options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // One session per peer address. Fails (with a message naming the socket and
  // errno) when the receiving or sending socket cannot be opened; a second
  // add() for the same peer replaces the first.
  Result<void, std::string> add(const SessionRequest& request, Listener on_change);
  // New intervals (Poll sequence, RFC 5880 §6.8.3); false: no such session.
  bool update(const IpAddress& peer, const SessionSettings& settings);
  // AdminDown to the peer (RFC 5880 §6.8.16) for a detection time, then gone.
  // The listener is not called again.
  void remove(const IpAddress& peer);

  std::optional<SessionView> find(const IpAddress& peer) const;
  std::vector<SessionView> sessions() const;  // by peer address
  const ServiceCounters& counters() const { return counters_; }

 private:
  struct Entry;
  struct Receiver;

  Result<void, std::string> ensure_receiver(bool v4, bool multihop);
  void on_readable(Receiver& r);
  void handle_datagram(Receiver& r, std::span<const uint8_t> bytes, const IpAddress& source, int ttl);
  void run(const std::shared_ptr<Entry>& e);   // expire, transmit, arm the timer
  void arm(const std::shared_ptr<Entry>& e);
  void send(Entry& e, const ControlPacket& p);
  void discard(std::string why);
  uint32_t new_discriminator();
  SessionView view(const Entry& e) const;

  boost::asio::any_io_executor executor_;
  const Clock& clock_;
  ServiceOptions options_;
  std::map<IpAddress, std::shared_ptr<Entry>> sessions_;
  std::map<uint32_t, std::weak_ptr<Entry>> by_discriminator_;
  std::vector<std::shared_ptr<Entry>> leaving_;  // sending AdminDown before they go
  std::vector<std::unique_ptr<Receiver>> receivers_;
  ServiceCounters counters_;
  uint32_t random_;
};

}  // namespace petrel::bfd
