// bfd/service.cpp — see service.hpp.
#include "bfd/service.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace petrel::bfd {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

asio::ip::address to_asio(const IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  asio::ip::address_v6::bytes_type b;
  std::copy(a.bytes().begin(), a.bytes().end(), b.begin());
  return asio::ip::address_v6(b);
}

Result<void, std::string> failure(std::string what, const boost::system::error_code& ec) {
  return Result<void, std::string>(boost::system::in_place_error, what + ": " + ec.message());
}

}  // namespace

struct Service::Entry {
  Entry(asio::any_io_executor ex, SessionRequest r, Listener l, uint32_t discr, uint32_t seed, TimePoint now)
      : request(std::move(r)), listener(std::move(l)), session(discr, request.settings, seed, now), socket(ex), timer(ex) {}
  SessionRequest request;
  Listener listener;
  Session session;
  udp::socket socket;
  asio::steady_timer timer;
  std::chrono::system_clock::time_point since = std::chrono::system_clock::now();
  uint64_t packets_in = 0, packets_out = 0;
  std::optional<TimePoint> leave_at;  // set once removed: AdminDown until then
};

struct Service::Receiver {
  Receiver(asio::any_io_executor ex, bool v4_, bool multihop_) : socket(ex), v4(v4_), multihop(multihop_) {}
  udp::socket socket;
  bool v4;
  bool multihop;
};

Service::Service(asio::any_io_executor executor, const Clock& clock, ServiceOptions options)
    : executor_(std::move(executor)), clock_(clock), options_(options), random_(std::random_device{}() | 1u) {}

Service::~Service() = default;

uint32_t Service::new_discriminator() {
  for (;;) {
    random_ ^= random_ << 13;
    random_ ^= random_ >> 17;
    random_ ^= random_ << 5;
    if (random_ != 0 && !by_discriminator_.count(random_)) return random_;
  }
}

Result<void, std::string> Service::ensure_receiver(bool v4, bool multihop) {
  for (const auto& r : receivers_)
    if (r->v4 == v4 && r->multihop == multihop) return {};
  auto r = std::make_unique<Receiver>(executor_, v4, multihop);
  const uint16_t port = multihop ? options_.receive.multihop : options_.receive.single_hop;
  const std::string name = std::string("BFD ") + (multihop ? "multihop" : "single-hop") + " socket " +
                           (v4 ? "0.0.0.0" : "[::]") + ":" + std::to_string(port);
  boost::system::error_code ec;
  r->socket.open(v4 ? udp::v4() : udp::v6(), ec);
  if (ec) return failure(name + ": open", ec);
  if (!v4) r->socket.set_option(asio::ip::v6_only(true), ec);
  if (ec) return failure(name + ": IPV6_V6ONLY", ec);
  // The TTL / hop limit of each datagram, for RFC 5881 §5.
  const int on = 1;
  const int fd = r->socket.native_handle();
  const int rc = v4 ? ::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on)
                    : ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
  if (rc != 0) return failure(name + (v4 ? ": IP_RECVTTL" : ": IPV6_RECVHOPLIMIT"), {errno, boost::system::system_category()});
  r->socket.bind(udp::endpoint(v4 ? udp::v4() : udp::v6(), port), ec);
  if (ec) return failure(name + ": bind", ec);
  r->socket.non_blocking(true, ec);
  Receiver& ref = *r;
  receivers_.push_back(std::move(r));
  ref.socket.async_wait(udp::socket::wait_read, [this, &ref](const boost::system::error_code& e) {
    if (!e) on_readable(ref);
  });
  return {};
}

void Service::on_readable(Receiver& r) {
  const int fd = r.socket.native_handle();
  for (int i = 0; i < 64; ++i) {  // a burst, then back to the loop
    uint8_t buf[512];
    sockaddr_storage from{};
    alignas(cmsghdr) uint8_t control[128];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) break;
    ++counters_.received;
    int ttl = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
          (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
        std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    }
    IpAddress source;
    if (from.ss_family == AF_INET) {
      const auto* s = reinterpret_cast<const sockaddr_in*>(&from);
      source = IpAddress::v4(ntohl(s->sin_addr.s_addr));
    } else if (from.ss_family == AF_INET6) {
      const auto* s = reinterpret_cast<const sockaddr_in6*>(&from);
      source = IpAddress::v6_bytes(s->sin6_addr.s6_addr);
    } else {
      discard("datagram from an address family other than IPv4 and IPv6");
      continue;
    }
    if (msg.msg_flags & MSG_TRUNC) {
      discard("datagram from " + source.to_string() + " longer than " + std::to_string(sizeof buf) + " bytes");
      continue;
    }
    handle_datagram(r, std::span<const uint8_t>(buf, static_cast<std::size_t>(n)), source, ttl);
  }
  r.socket.async_wait(udp::socket::wait_read, [this, &r](const boost::system::error_code& e) {
    if (!e) on_readable(r);
  });
}

void Service::handle_datagram(Receiver& r, std::span<const uint8_t> bytes, const IpAddress& source, int ttl) {
  // RFC 5881 §5: without authentication, single-hop packets not sent with TTL
  // 255 are discarded (they came from further away than the link).
  if (!r.multihop && ttl != 255)
    return discard("single-hop packet from " + source.to_string() + " with TTL " + std::to_string(ttl) + ", expected 255");
  auto decoded = decode_control(bytes);
  if (!decoded) return discard("packet from " + source.to_string() + ": " + decoded.error().message);
  const ControlPacket& p = *decoded;
  std::shared_ptr<Entry> e;
  if (p.your_discriminator != 0) {
    // RFC 5880 §6.8.6: the session is the one Your Discriminator names.
    auto it = by_discriminator_.find(p.your_discriminator);
    if (it != by_discriminator_.end()) e = it->second.lock();
    if (!e) return discard("packet from " + source.to_string() + " for unknown discriminator " + std::to_string(p.your_discriminator));
    if (e->request.peer != source || e->request.multihop != r.multihop)
      return discard("packet from " + source.to_string() + " for the session of " + e->request.peer.to_string());
  } else {
    // RFC 5881 §3: the first packets are matched by source address.
    auto it = sessions_.find(source);
    if (it == sessions_.end() || it->second->request.multihop != r.multihop)
      return discard("packet from " + source.to_string() + ", no BFD session configured for it");
    e = it->second;
  }
  if (e->leave_at) return;  // AdminDown until it goes; nothing to learn
  ++e->packets_in;
  const auto t = e->session.receive(p, clock_.now());
  if (t) e->since = std::chrono::system_clock::now();
  run(e);
  if (t && e->listener) e->listener(view(*e), *t);
}

void Service::run(const std::shared_ptr<Entry>& e) {
  const TimePoint now = clock_.now();
  std::optional<Transition> t = e->session.expire(now);
  if (t) e->since = std::chrono::system_clock::now();
  for (int i = 0; i < 2; ++i) {  // an owed Final and a periodic packet at most
    auto p = e->session.transmit(now);
    if (!p) break;
    send(*e, *p);
  }
  arm(e);
  if (t && e->listener && !e->leave_at) e->listener(view(*e), *t);
}

void Service::arm(const std::shared_ptr<Entry>& e) {
  TimePoint at = e->session.next_deadline();
  if (e->leave_at) at = std::min(at, *e->leave_at);
  const Duration wait = std::max(Duration::zero(), at - clock_.now());
  e->timer.expires_after(wait);
  std::weak_ptr<Entry> weak = e;
  e->timer.async_wait([this, weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    if (self->leave_at && clock_.now() >= *self->leave_at) {
      by_discriminator_.erase(self->session.local_discriminator());
      leaving_.erase(std::remove(leaving_.begin(), leaving_.end(), self), leaving_.end());
      return;
    }
    run(self);
  });
}

void Service::send(Entry& e, const ControlPacket& p) {
  const auto bytes = encode_control(p);
  const uint16_t port = e.request.multihop ? options_.send.multihop : options_.send.single_hop;
  boost::system::error_code ec;
  e.socket.send_to(asio::buffer(bytes), udp::endpoint(to_asio(e.request.peer), port), 0, ec);
  if (ec) {
    ++counters_.send_errors;
    return;
  }
  ++counters_.sent;
  ++e.packets_out;
}

void Service::discard(std::string why) {
  ++counters_.discarded;
  counters_.last_discard = std::move(why);
}

Result<void, std::string> Service::add(const SessionRequest& request, Listener on_change) {
  if (auto r = ensure_receiver(request.peer.is_v4(), request.multihop); !r) return r;
  remove(request.peer);
  // A session to the same peer still saying AdminDown goes now: its packets
  // would only confuse the peer about the new one.
  for (auto it = leaving_.begin(); it != leaving_.end();) {
    if ((*it)->request.peer == request.peer) {
      by_discriminator_.erase((*it)->session.local_discriminator());
      (*it)->timer.cancel();
      it = leaving_.erase(it);
    } else {
      ++it;
    }
  }
  const uint32_t discr = new_discriminator();
  auto e = std::make_shared<Entry>(executor_, request, std::move(on_change), discr, new_discriminator(), clock_.now());
  // RFC 5881 §4: a source port in 49152..65535, the same for the whole session;
  // TTL 255 so that the peer's GTSM check passes (§5).
  const std::string name = "BFD socket to " + request.peer.to_string();
  boost::system::error_code ec;
  const bool v4 = request.peer.is_v4();
  e->socket.open(v4 ? udp::v4() : udp::v6(), ec);
  if (ec) return failure(name + ": open", ec);
  if (!v4) e->socket.set_option(asio::ip::v6_only(true), ec);
  const int ttl = 255;
  const int fd = e->socket.native_handle();
  const int rc = v4 ? ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
                    : ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
  if (rc != 0) return failure(name + ": TTL 255", {errno, boost::system::system_category()});
  const asio::ip::address local = request.local ? to_asio(*request.local)
                                                : (v4 ? asio::ip::address(asio::ip::address_v4::any())
                                                      : asio::ip::address(asio::ip::address_v6::any()));
  const uint16_t first = static_cast<uint16_t>(49152 + new_discriminator() % 16384);
  for (uint32_t i = 0; i < 16384; ++i) {
    const auto port = static_cast<uint16_t>(49152 + (first - 49152 + i) % 16384);
    e->socket.bind(udp::endpoint(local, port), ec);
    if (!ec || ec != asio::error::address_in_use) break;
  }
  if (ec) return failure(name + ": bind to a port in 49152..65535", ec);
  e->socket.non_blocking(true, ec);
  by_discriminator_[discr] = e;
  sessions_[request.peer] = e;
  run(e);
  return {};
}

bool Service::update(const IpAddress& peer, const SessionSettings& settings) {
  auto it = sessions_.find(peer);
  if (it == sessions_.end()) return false;
  it->second->request.settings = settings;
  it->second->session.update(settings, clock_.now());
  run(it->second);
  return true;
}

void Service::remove(const IpAddress& peer) {
  auto it = sessions_.find(peer);
  if (it == sessions_.end()) return;
  std::shared_ptr<Entry> e = it->second;
  sessions_.erase(it);
  // RFC 5880 §6.8.16: AdminDown, sent for a detection time so that the peer
  // sees it and does not count it as a failure; at least one second.
  const TimePoint now = clock_.now();
  e->session.admin_down(now);
  const Duration linger = std::max<Duration>(std::chrono::seconds(1), e->session.detection_time());
  e->leave_at = now + linger;
  leaving_.push_back(e);
  run(e);
}

SessionView Service::view(const Entry& e) const {
  SessionView v;
  v.peer = e.request.peer;
  v.local = e.request.local;
  v.multihop = e.request.multihop;
  v.state = e.session.state();
  v.remote_state = e.session.remote_state();
  v.diag = e.session.local_diag();
  v.local_discriminator = e.session.local_discriminator();
  v.remote_discriminator = e.session.remote_discriminator();
  v.remote_control_plane_independent = e.session.remote_control_plane_independent();
  if (e.session.received_any()) {
    v.tx_interval = e.session.tx_interval();
    v.detection_time = e.session.detection_time();
  }
  v.settings = e.session.settings();
  v.since = e.since;
  v.packets_in = e.packets_in;
  v.packets_out = e.packets_out;
  return v;
}

std::optional<SessionView> Service::find(const IpAddress& peer) const {
  auto it = sessions_.find(peer);
  if (it == sessions_.end()) return std::nullopt;
  return view(*it->second);
}

std::vector<SessionView> Service::sessions() const {
  std::vector<SessionView> out;
  for (const auto& [peer, e] : sessions_) out.push_back(view(*e));
  return out;
}

}  // namespace petrel::bfd
