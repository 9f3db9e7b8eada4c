#include "bgp/session/tcp_transport.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "bgp/session/socket_options.hpp"

namespace petrel::bgp::session {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

std::string to_string(const tcp::endpoint& e) {
  const auto a = e.address();
  std::string out;
  if (a.is_v6()) out += '[';
  out += a.to_string();
  if (a.is_v6()) out += ']';
  out += ':';
  out += std::to_string(e.port());
  return out;
}

IpAddress to_ip(const asio::ip::address& a) {
  if (a.is_v4()) return IpAddress::v4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
  if (v6.is_v4_mapped()) return IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  return IpAddress::v6(v6.to_bytes());
}

asio::ip::address to_asio(const IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_value());
  return asio::ip::address_v6(a.bytes());
}

TcpTransport::TcpTransport(tcp::socket socket) : socket_(std::move(socket)) {
  error_code ec;
  if (auto l = socket_.local_endpoint(ec); !ec) local_ = to_string(l);
  if (auto r = socket_.remote_endpoint(ec); !ec) remote_ = to_string(r);
  (void)session::set_no_delay(socket_.native_handle());
}

void TcpTransport::async_read_some(std::span<uint8_t> into, IoHandler handler) {
  socket_.async_read_some(asio::buffer(into.data(), into.size()), std::move(handler));
}

void TcpTransport::async_write(std::span<const uint8_t> bytes, IoHandler handler) {
  asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
}

void TcpTransport::close() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

Result<void, Error> apply_peer_options(int fd, const TcpPeerOptions& o) {
  const auto family = o.address.family();
  if (!o.md5_key.empty())
    if (auto r = set_tcp_md5(fd, o.address, o.md5_key); !r) return r;
  if (o.ttl_security_hops) {
    if (auto r = set_ttl_security(fd, family, *o.ttl_security_hops); !r) return r;
  } else if (o.ttl) {
    if (auto r = set_ttl(fd, family, *o.ttl); !r) return r;
  }
  if (o.dscp_cs6)
    if (auto r = set_dscp_cs6(fd, family); !r) return r;
  if (!o.interface.empty())
    if (auto r = bind_to_device(fd, o.interface); !r) return r;
  return {};
}

TcpConnector::TcpConnector(asio::any_io_executor executor, TcpPeerOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

void TcpConnector::async_connect(ConnectHandler handler) {
  cancel();
  auto sock = std::make_shared<tcp::socket>(executor_);
  pending_ = sock;
  auto fail = [&](error_code ec) {
    asio::post(executor_, [h = std::move(handler), ec] { h(ec, nullptr); });
  };
  tcp::endpoint remote(to_asio(options_.address), options_.port);
  if (options_.address.is_link_local() && options_.address.is_v6()) {
    auto ep = link_local_endpoint(options_.address, options_.interface, options_.port);
    if (!ep) return fail(make_error_code(boost::system::errc::invalid_argument));
    remote = *ep;
  }
  error_code ec;
  sock->open(remote.protocol(), ec);
  if (ec) return fail(ec);
  if (!apply_peer_options(sock->native_handle(), options_)) return fail(make_error_code(boost::system::errc::invalid_argument));
  if (options_.local_address || options_.local_port) {
    const auto local = options_.local_address ? to_asio(*options_.local_address)
                                              : (remote.protocol() == tcp::v4() ? asio::ip::address(asio::ip::address_v4::any())
                                                                               : asio::ip::address(asio::ip::address_v6::any()));
    sock->set_option(tcp::socket::reuse_address(true), ec);
    sock->bind(tcp::endpoint(local, options_.local_port), ec);
    if (ec) return fail(ec);
  }
  sock->async_connect(remote, [sock, h = std::move(handler)](const error_code& e) mutable {
    if (e) return h(e, nullptr);
    h({}, std::make_unique<TcpTransport>(std::move(*sock)));
  });
}

void TcpConnector::cancel() {
  if (pending_) {
    error_code ignored;
    pending_->close(ignored);  // the connect completes with operation_aborted
    pending_.reset();
  }
}

}  // namespace petrel::bgp::session
