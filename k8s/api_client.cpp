// k8s/api_client.cpp — TLS connections, GETs and line streams to the API server.
#include "k8s/api_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace petrel::k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

namespace {

using Request = http::request<http::empty_body>;

std::string host_header(const ClusterAccess& a) {
  const bool v6 = a.host.find(':') != std::string::npos;
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

// A GET of `target` with the host, user agent, JSON accept and bearer token.
Result<Request, ApiError> make_get(const std::string& target, bool keep_alive, const ClusterAccess& access,
                                   const ClientOptions& options, TokenSource& tokens) {
  Request req{http::verb::get, target, 11};
  req.set(http::field::host, host_header(access));
  req.set(http::field::user_agent, options.user_agent);
  req.set(http::field::accept, "application/json");
  if (keep_alive) req.keep_alive(true);
  auto token = tokens.get();
  if (!token) return ApiError{ApiError::Kind::auth, 0, token.error().message};
  if (!token->empty()) req.set(http::field::authorization, "Bearer " + *token);
  return req;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

auto tuple_token() { return asio::as_tuple(asio::use_awaitable); }

}  // namespace

std::string url_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

void Connection::close() {
  boost::system::error_code ec;
  resolver.cancel();
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(stream).close();
  ready = false;
}

ApiClient::ApiClient(asio::any_io_executor ex, ClusterAccess access, const Clock& clock, ClientOptions options)
    : ex_(std::move(ex)),
      access_(std::move(access)),
      options_(std::move(options)),
      tls_(ssl::context::tls_client),
      tokens_(access_.token, access_.token_file, clock) {}

Result<std::shared_ptr<ApiClient>, Error> ApiClient::create(asio::any_io_executor ex, ClusterAccess access,
                                                            const Clock& clock, ClientOptions options) {
  std::shared_ptr<ApiClient> c(new ApiClient(std::move(ex), std::move(access), clock, std::move(options)));
  boost::system::error_code ec;
  const std::string& src = c->access_.source;
  c->tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                      ec);
  c->tls_.set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Error{src + ": cannot enable certificate verification: " + ec.message()};
  if (c->access_.ca_pem.empty()) {
    c->tls_.set_default_verify_paths(ec);
    if (ec) return Error{src + ": cannot load the system's CA certificates: " + ec.message()};
  } else {
    c->tls_.add_certificate_authority(asio::buffer(c->access_.ca_pem), ec);
    if (ec) return Error{src + ": the CA bundle is not a PEM certificate: " + ec.message()};
  }
  if (!c->access_.client_cert_pem.empty()) {
    c->tls_.use_certificate_chain(asio::buffer(c->access_.client_cert_pem), ec);
    if (ec) return Error{src + ": the client certificate is not a PEM certificate: " + ec.message()};
    c->tls_.use_private_key(asio::buffer(c->access_.client_key_pem), ssl::context::pem, ec);
    if (ec) return Error{src + ": the client key cannot be used with the certificate: " + ec.message()};
    if (SSL_CTX_check_private_key(c->tls_.native_handle()) != 1)
      return Error{src + ": the client key does not match the client certificate"};
  }
  return c;
}

std::string ApiClient::endpoint() const { return host_header(access_); }

std::unique_ptr<Connection> ApiClient::new_connection() { return std::make_unique<Connection>(ex_, tls_); }

asio::awaitable<Result<bool, ApiError>> ApiClient::connect(Connection& conn) {
  auto& tcp_layer = beast::get_lowest_layer(conn.stream);
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code ec;
  const bool ip_literal = is_ip_literal(access_.host);
  if (ip_literal) {
    endpoints.emplace_back(asio::ip::make_address(access_.host, ec), access_.port);
  } else {
    auto [rec, results] = co_await conn.resolver.async_resolve(access_.host, std::to_string(access_.port), tuple_token());
    if (rec) co_return ApiError{ApiError::Kind::transport, 0, "resolve " + access_.host + ": " + rec.message()};
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  tcp_layer.expires_after(options_.connect_timeout);
  auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, tuple_token());
  if (cec) co_return ApiError{ApiError::Kind::transport, 0, "connect to " + endpoint() + ": " + cec.message()};

  SSL* ssl_handle = conn.stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
  if (ip_literal) {
    X509_VERIFY_PARAM_set1_ip_asc(param, access_.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_handle, access_.host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, access_.host.c_str(), 0);
  }
  auto [hec] = co_await conn.stream.async_handshake(ssl::stream_base::client, tuple_token());
  if (hec) {
    const long verify = SSL_get_verify_result(ssl_handle);
    std::string why = verify != X509_V_OK ? std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify)
                                          : hec.message();
    co_return ApiError{ApiError::Kind::tls, 0, "TLS handshake with " + endpoint() + " failed: " + why};
  }
  tcp_layer.expires_never();
  conn.ready = true;
  co_return true;
}

asio::awaitable<Result<HttpReply, ApiError>> ApiClient::get(std::unique_ptr<Connection>& conn, std::string target) {
  bool retried_closed = false;
  bool retried_auth = false;
  for (;;) {
    const bool reused = conn && conn->ready;
    if (!reused) {
      conn = new_connection();
      auto c = co_await connect(*conn);
      if (!c) {
        conn.reset();
        co_return c.error();
      }
    }
    auto made = make_get(target, /*keep_alive=*/true, access_, options_, tokens_);
    if (!made) co_return made.error();
    Request& req = *made;

    auto& tcp_layer = beast::get_lowest_layer(conn->stream);
    tcp_layer.expires_after(options_.request_timeout);
    auto [wec, wn] = co_await http::async_write(conn->stream, req, tuple_token());
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    boost::system::error_code rec = wec;
    if (!wec) std::tie(rec, std::ignore) = co_await http::async_read(conn->stream, conn->buffer, parser, tuple_token());
    if (rec) {
      conn.reset();
      // An idle keep-alive connection the server closed: once more on a fresh one.
      if (reused && !retried_closed && !parser.got_some()) {
        retried_closed = true;
        continue;
      }
      co_return ApiError{ApiError::Kind::transport, 0, "GET " + target + " from " + endpoint() + ": " + rec.message()};
    }
    tcp_layer.expires_never();
    auto res = parser.release();
    if (!res.keep_alive()) conn.reset();
    const int status = static_cast<int>(res.result_int());
    if (status == 401 && access_.token.empty() && !access_.token_file.empty() && !retried_auth) {
      tokens_.invalidate();  // perhaps rotated: read the file again and retry once
      retried_auth = true;
      continue;
    }
    co_return HttpReply{status, std::move(res.body())};
  }
}

asio::awaitable<Result<bool, ApiError>> ApiClient::stream_lines(std::unique_ptr<Connection>& conn, std::string target,
                                                                std::function<bool(std::string_view)> on_line,
                                                                Duration idle) {
  bool retried_auth = false;
  for (;;) {
    conn = new_connection();
    auto c = co_await connect(*conn);
    if (!c) {
      conn.reset();
      co_return c.error();
    }
    auto made = make_get(target, /*keep_alive=*/false, access_, options_, tokens_);
    if (!made) co_return made.error();
    Request& req = *made;

    auto& tcp_layer = beast::get_lowest_layer(conn->stream);
    tcp_layer.expires_after(options_.request_timeout);
    auto [wec, wn] = co_await http::async_write(conn->stream, req, tuple_token());
    const std::string what = "watch " + target + " on " + endpoint();
    if (wec) {
      conn.reset();
      co_return ApiError{ApiError::Kind::transport, 0, what + ": " + wec.message()};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    auto [hec, hn] = co_await http::async_read_header(conn->stream, conn->buffer, parser, tuple_token());
    if (hec) {
      conn.reset();
      co_return ApiError{ApiError::Kind::transport, 0, what + ": " + hec.message()};
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (status != 200) {
      parser.body_limit(options_.max_body_bytes);
      auto [bec, bn] = co_await http::async_read(conn->stream, conn->buffer, parser, tuple_token());
      std::string body = bec ? std::string() : parser.get().body();
      conn.reset();
      if (status == 401 && access_.token.empty() && !access_.token_file.empty() && !retried_auth) {
        tokens_.invalidate();
        retried_auth = true;
        continue;
      }
      co_return ApiError{ApiError::Kind::http, status, body};
    }
    // Lines are taken out of the body as they complete; the string body reader
    // appends at the body's current end, so erasing the consumed front is safe.
    const std::size_t max_line = options_.max_body_bytes;
    for (;;) {
      std::string& body = parser.get().body();
      std::size_t start = 0;
      for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!on_line(std::string_view(body).substr(start, nl - start))) {
          conn->close();
          conn.reset();
          co_return true;
        }
      }
      body.erase(0, start);
      if (body.size() > max_line) {
        conn.reset();
        co_return ApiError{ApiError::Kind::transport, 0, what + ": an event line exceeds " + std::to_string(max_line) + " bytes"};
      }
      if (parser.is_done()) break;
      tcp_layer.expires_after(idle);
      auto [rec, rn] = co_await http::async_read_some(conn->stream, conn->buffer, parser, tuple_token());
      if (rec) {
        conn.reset();
        co_return ApiError{ApiError::Kind::transport, 0, what + ": connection lost: " + rec.message()};
      }
    }
    // A body that ends without a newline still ends its last line.
    if (!parser.get().body().empty()) on_line(parser.get().body());
    conn.reset();
    co_return true;
  }
}

}  // namespace petrel::k8s
