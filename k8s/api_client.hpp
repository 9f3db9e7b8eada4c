// k8s/api_client.hpp — HTTPS GETs to the Kubernetes API server (Boost.Beast + OpenSSL).
//
// ApiClient holds what all requests share: the server's address, the TLS context
// (peer verification always on: the configured CA bundle or the system's roots;
// the server's name or IP address is checked against its certificate), the client
// certificate and the bearer token source. Requests run as C++20 coroutines on
// the caller's executor; they use a Connection the caller owns, so the caller can
// close it to cancel (ListWatch does on stop()).
//  - get(): one GET on a keep-alive connection, reconnecting once when a reused
//    connection turns out closed; on 401 the token is re-read and the request
//    retried once (rotated service-account tokens).
//  - stream_lines(): a GET whose 200 body is read as it arrives (chunked or not)
//    and handed over line by line: the watch protocol's newline-delimited JSON.
// Errors are values (ApiError) naming the host and what failed; nothing throws
// out of here. Single-threaded: everything runs on one io_context.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "k8s/cluster_access.hpp"
#include "k8s/token_source.hpp"

namespace petrel::k8s {

struct ApiError {
  enum class Kind { transport, tls, http, auth };
  Kind kind = Kind::transport;
  int status = 0;  // the HTTP status for Kind::http
  std::string message;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

struct ClientOptions {
  Duration connect_timeout = std::chrono::seconds(10);
  Duration request_timeout = std::chrono::seconds(60);
  std::size_t max_body_bytes = 256u << 20;
  std::string user_agent = "petrel/0.1";
};

// One TLS connection; owned by whoever makes the requests, closed to cancel them.
struct Connection {
  Connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context& tls) : resolver(ex), stream(ex, tls) {}
  void close();
  boost::asio::ip::tcp::resolver resolver;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream;
  boost::beast::flat_buffer buffer;
  bool ready = false;  // connected and TLS established
};

class ApiClient {
 public:
  static Result<std::shared_ptr<ApiClient>, Error> create(boost::asio::any_io_executor ex, ClusterAccess access,
                                                          const Clock& clock, ClientOptions options = {});

  const boost::asio::any_io_executor& executor() const { return ex_; }
  const ClusterAccess& access() const { return access_; }
  std::string endpoint() const;  // "host:port" for messages

  // GET `target` (path and query) on `conn`, connecting it if it is null.
  boost::asio::awaitable<Result<HttpReply, ApiError>> get(std::unique_ptr<Connection>& conn, std::string target);

  // GET `target` on a fresh connection kept in `conn`; for a 200 reply, calls
  // on_line(line) for each complete line as it arrives (without the newline)
  // until it returns false or the body ends. `idle` bounds the wait for each read.
  // Ok(true) when the body ended cleanly or on_line stopped it; an ApiError when
  // the reply was not 200 (with status and the body as message) or the connection
  // failed (a partial last line is dropped).
  boost::asio::awaitable<Result<bool, ApiError>> stream_lines(std::unique_ptr<Connection>& conn, std::string target,
                                                              std::function<bool(std::string_view)> on_line,
                                                              Duration idle);

 private:
  ApiClient(boost::asio::any_io_executor ex, ClusterAccess access, const Clock& clock, ClientOptions options);
  boost::asio::awaitable<Result<bool, ApiError>> connect(Connection& conn);
  std::unique_ptr<Connection> new_connection();

  boost::asio::any_io_executor ex_;
  ClusterAccess access_;
  ClientOptions options_;
  boost::asio::ssl::context tls_;
  TokenSource tokens_;
};

// Percent-encodes a query value (continue tokens are base64 with '+', '/', '=').
std::string url_encode(std::string_view value);

}  // namespace petrel::k8s
