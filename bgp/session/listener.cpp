#include "bgp/session/listener.hpp"

#include "bgp/session/socket_options.hpp"
#include "bgp/session/tcp_transport.hpp"

namespace petrel::bgp::session {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

void PeerTable::add_peer(const IpAddress& address, Session* session, std::optional<TcpPeerOptions> options) {
  peers_[address] = session;
  if (options) options_[address] = std::move(*options);
  else options_.erase(address);
}

void PeerTable::remove_peer(const IpAddress& address) {
  peers_.erase(address);
  options_.erase(address);
}

const TcpPeerOptions* PeerTable::options_for(const IpAddress& remote) const {
  auto it = options_.find(remote);
  return it == options_.end() ? nullptr : &it->second;
}

void PeerTable::add_range(const Prefix& range, std::size_t limit, Factory factory) {
  ranges_.push_back(std::make_unique<Range>(Range{range, limit, std::move(factory), 0}));
}

void PeerTable::remove_range(const Prefix& range) {
  for (auto it = ranges_.begin(); it != ranges_.end();) {
    if ((*it)->prefix == range) {
      retired_.push_back(std::move(*it));
      it = ranges_.erase(it);
    } else {
      ++it;
    }
  }
}

void PeerTable::release_dynamic(const IpAddress& address) {
  auto it = dynamic_.find(address);
  if (it == dynamic_.end()) return;
  --it->second->count;
  peers_.erase(address);
  dynamic_.erase(it);
}

std::size_t PeerTable::dynamic_count(const Prefix& range) const {
  for (const auto& r : ranges_)
    if (r->prefix == range) return r->count;
  return 0;
}

OfferResult PeerTable::offer(const IpAddress& remote, std::unique_ptr<Transport> t) {
  if (auto it = peers_.find(remote); it != peers_.end()) {
    it->second->accept(std::move(t));
    return OfferResult::accepted;
  }
  // The most specific range that holds the address decides.
  Range* best = nullptr;
  for (const auto& r : ranges_)
    if (r->prefix.contains(remote) && (!best || r->prefix.length() > best->prefix.length())) best = r.get();
  if (!best) {
    t->close();
    return OfferResult::unknown_peer;
  }
  if (best->count >= best->limit) {
    t->close();
    return OfferResult::range_full;
  }
  Session* s = best->factory(remote);
  if (!s) {
    t->close();
    return OfferResult::unknown_peer;
  }
  ++best->count;
  peers_[remote] = s;
  dynamic_[remote] = best;
  s->accept(std::move(t));
  return OfferResult::accepted;
}

struct Listener::Acceptor {
  explicit Acceptor(const asio::any_io_executor& ex) : socket(ex) {}
  tcp::acceptor socket;
  bool v6 = false;
};

Listener::Listener(asio::any_io_executor executor, PeerTable& peers) : executor_(std::move(executor)), peers_(peers) {}

Listener::~Listener() {
  for (auto& a : acceptors_) {
    error_code ignored;
    a->socket.close(ignored);
  }
}

Result<void, Error> Listener::apply_keys(int fd, bool v6) const {
  for (const auto& [peer, key] : peer_keys_)
    if (peer.is_v6() <= v6)  // an IPv6 socket takes IPv4 peers as mapped addresses
      if (auto r = set_tcp_md5(fd, peer, key); !r) return r;
  for (const auto& [range, key] : range_keys_)
    if (range.is_v4() || v6)
      if (auto r = set_tcp_md5_prefix(fd, range, key); !r) return r;
  return {};
}

Result<void, Error> Listener::listen(const tcp::endpoint& endpoint) {
  auto a = std::make_unique<Acceptor>(executor_);
  error_code ec;
  auto fail = [&](const char* what) { return Error{std::string("listen on ") + to_string(endpoint) + ": " + what + ": " + ec.message()}; };
  a->socket.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  a->v6 = endpoint.protocol() == tcp::v6();
  const int fd = a->socket.native_handle();
  if (auto r = set_reuse_address(fd); !r) return r.error();
  if (a->v6)
    if (auto r = set_v6_only(fd, true); !r) return r.error();
  if (auto r = apply_keys(fd, a->v6); !r) return r.error();
  a->socket.bind(endpoint, ec);
  if (ec) return fail("bind");
  a->socket.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  acceptors_.push_back(std::move(a));
  accept(*acceptors_.back());
  return {};
}

Result<void, Error> Listener::set_md5(const IpAddress& peer, const std::string& key) {
  peer_keys_[peer] = key;
  for (auto& a : acceptors_)
    if (peer.is_v6() <= a->v6)
      if (auto r = set_tcp_md5(a->socket.native_handle(), peer, key); !r) return r;
  return {};
}

Result<void, Error> Listener::set_md5(const Prefix& peers, const std::string& key) {
  range_keys_[peers] = key;
  for (auto& a : acceptors_)
    if (peers.is_v4() || a->v6)
      if (auto r = set_tcp_md5_prefix(a->socket.native_handle(), peers, key); !r) return r;
  return {};
}

std::vector<tcp::endpoint> Listener::endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& a : acceptors_) {
    error_code ec;
    out.push_back(a->socket.local_endpoint(ec));
  }
  return out;
}

void Listener::accept(Acceptor& a) {
  a.socket.async_accept([this, &a](const error_code& ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      error_code e2;
      const auto remote = s.remote_endpoint(e2);
      if (e2) {
        ++refused_;
      } else {
        const IpAddress from = to_ip(remote.address());
        // The accepted socket speaks for the peer from now on: same TTL, GTSM and DSCP
        // as an outgoing connection. (Its MD5 key came from the listening socket.)
        bool ok = true;
        if (const auto* o = peers_.options_for(from)) {
          TcpPeerOptions accepted = *o;
          accepted.md5_key.clear();
          accepted.interface.clear();
          ok = apply_peer_options(s.native_handle(), accepted).has_value();
        }
        if (!ok) {
          ++refused_;
          s.close(e2);
        } else if (peers_.offer(from, std::make_unique<TcpTransport>(std::move(s))) != OfferResult::accepted) {
          ++refused_;
        }
      }
    }
    accept(a);
  });
}

}  // namespace petrel::bgp::session
