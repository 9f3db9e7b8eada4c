// daemon/metrics_server.cpp — the HTTP/1.1 endpoint for Prometheus (Boost.Beast).
//
// One acceptor and one Connection per client, all on the executor given to
// MetricsServer (one thread, no locks). A Connection reads one request at a
// time (keep-alive: several in turn), answers it and reads the next. Every
// input from a client is bounded and every failure ends only that connection:
//   - request headers up to 8 KiB (431 beyond), bodies up to 8 KiB (413);
//   - bytes that are not HTTP: 400 and close;
//   - a client that goes away mid-request or mid-response: the connection closes;
//   - a client that stalls: reads time out after 60 s, writes after 10 s;
//   - after the last response, what the client still sends is read and
//     discarded for up to 5 s until it closes (lingering close);
//   - at most 64 clients at once; the next ones are closed at once.
// Routing: /metrics, /healthz and /readyz answer GET and HEAD (405 for other methods;
// /readyz 503 while the readiness function gives a reason);
// any other path is 404. A query string is ignored.
// State shared with pending handlers lives in a shared_ptr, so destroying the
// server with handlers still queued is safe: they see `stopped` and return.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <chrono>
#include <exception>
#include <optional>
#include <set>

#include "daemon/metrics.hpp"

namespace petrel::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t header_limit = 8 * 1024;
constexpr std::size_t body_limit = 8 * 1024;
constexpr std::size_t read_buffer_limit = header_limit + body_limit + 1024;
constexpr std::size_t max_connections = 64;
constexpr auto read_timeout = std::chrono::seconds(60);
constexpr auto write_timeout = std::chrono::seconds(10);
constexpr auto linger_timeout = std::chrono::seconds(5);
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);
constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

class Connection;

struct State {
  MetricsServer::SnapshotFn snapshot;
  MetricsServer::ReadinessFn ready;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::set<Connection*> connections;  // each removes itself when destroyed
  bool stopped = false;
};

using Response = http::response<http::string_body>;

Response make_response(http::status status, unsigned version, std::string_view content_type, std::string body) {
  Response res{status, version};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

// What to answer for one well-formed request.
Response answer(const http::request<http::string_body>& req, State& state) {
  std::string_view path = req.target();
  if (const auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  // /readyz is the DaemonSet's readiness probe (etc/k8s/daemonset.yaml): the
  // daemon's readiness function decides (configuration loaded, Kubernetes caches
  // listed once); it must not follow BGP sessions (graceful restart keeps
  // forwarding) nor the API server's reachability.
  const bool known = path == "/metrics" || path == "/healthz" || path == "/readyz";
  const bool get_or_head = req.method() == http::verb::get || req.method() == http::verb::head;

  Response res;
  if (!known) {
    res = make_response(http::status::not_found, req.version(), "text/plain; charset=utf-8", "not found\n");
  } else if (!get_or_head) {
    res = make_response(http::status::method_not_allowed, req.version(), "text/plain; charset=utf-8",
                        "method not allowed\n");
    res.set(http::field::allow, "GET, HEAD");
  } else if (path == "/readyz" && state.ready) {
    std::optional<std::string> why_not;
    try {
      why_not = state.ready();
    } catch (...) {
      why_not = "readiness check failed";
    }
    if (why_not)
      res = make_response(http::status::service_unavailable, req.version(), "text/plain; charset=utf-8",
                          "not ready: " + *why_not + "\n");
    else
      res = make_response(http::status::ok, req.version(), "text/plain; charset=utf-8", "ok");
  } else if (path == "/healthz" || path == "/readyz") {
    res = make_response(http::status::ok, req.version(), "text/plain; charset=utf-8", "ok");
  } else {
    // The snapshot is the daemon's code: whatever it throws must not take the
    // server (or the daemon) down.
    try {
      res = make_response(http::status::ok, req.version(), metrics_content_type, render_prometheus(state.snapshot()));
    } catch (const std::exception& e) {
      res = make_response(http::status::internal_server_error, req.version(), "text/plain; charset=utf-8",
                          std::string("snapshot failed: ") + e.what() + "\n");
    } catch (...) {
      res = make_response(http::status::internal_server_error, req.version(), "text/plain; charset=utf-8",
                          "snapshot failed\n");
    }
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays that of GET
  return res;
}

// The answer to bytes that did not parse as a request within the limits.
Response answer_bad_request(const error_code& ec) {
  http::status status = http::status::bad_request;
  if (ec == http::error::header_limit) status = http::status::request_header_fields_too_large;
  if (ec == http::error::body_limit) status = http::status::payload_too_large;
  Response res = make_response(status, 11, "text/plain; charset=utf-8", std::string(http::obsolete_reason(status)) + "\n");
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

// Beast's parser rejected the bytes (as opposed to a socket error or timeout).
bool is_parse_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<State> state)
      : stream_(std::move(socket)), buffer_(read_buffer_limit), state_(std::move(state)) {
    state_->connections.insert(this);
  }
  ~Connection() { state_->connections.erase(this); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() { read_request(); }

  // Ends the connection: pending operations complete with operation_aborted
  // (and, when the server is going away, their handlers see `stopped`).
  void close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void read_request() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    stream_.expires_after(read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (state_->stopped) return;
    if (!ec) {
      response_ = answer(parser_->get(), *state_);
      return write_response();
    }
    // The client closed between requests, went away, or stalled: just close.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message || !is_parse_error(ec))
      return close();
    // Not HTTP, or over a limit: say so, then close.
    response_ = answer_bad_request(ec);
    write_response();
  }

  void write_response() {
    stream_.expires_after(write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    if (state_->stopped) return;
    if (ec) return close();
    if (response_.need_eof()) return finish();
    read_request();
  }

  // The last response is written: send FIN, then read and discard what the
  // client still sends until it closes too, so that closing with unread bytes
  // (a garbage request's tail) does not reset the connection and destroy the
  // response before the client reads it (a "lingering close").
  void finish() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(linger_timeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (self->state_->stopped) return;
      if (ec) return self->close();
      self->drain();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  std::array<char, 1024> drain_buf_{};
  std::shared_ptr<State> state_;
};

void accept_next(const std::shared_ptr<State>& state);

void on_accept(const std::shared_ptr<State>& state, error_code ec, tcp::socket socket) {
  if (state->stopped || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors, or the like: try again a little later rather
    // than spin on an error that will not go away by itself.
    state->accept_retry->expires_after(accept_retry_delay);
    state->accept_retry->async_wait([state](error_code wait_ec) {
      if (!wait_ec && !state->stopped) accept_next(state);
    });
    return;
  }
  if (state->connections.size() >= max_connections) {
    error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Connection>(std::move(socket), state)->start();
  }
  accept_next(state);
}

void accept_next(const std::shared_ptr<State>& state) {
  state->acceptor->async_accept(
      [state](error_code ec, tcp::socket socket) { on_accept(state, ec, std::move(socket)); });
}

std::string fail(const std::string& address, std::string_view what, const error_code& ec) {
  return "metrics address " + address + ": " + std::string(what) + ": " + ec.message();
}

}  // namespace

struct MetricsServer::Impl {
  asio::any_io_executor executor;
  std::shared_ptr<State> state = std::make_shared<State>();
};

MetricsServer::MetricsServer(asio::any_io_executor executor, SnapshotFn snapshot) : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->state->snapshot = std::move(snapshot);
}

MetricsServer::~MetricsServer() {
  State& state = *impl_->state;
  state.stopped = true;
  error_code ignored;
  if (state.acceptor) state.acceptor->close(ignored);
  if (state.accept_retry) state.accept_retry->cancel();
  // Copied: a Connection may be destroyed (and leave the set) while we iterate.
  const std::set<Connection*> open = state.connections;
  for (Connection* c : open) c->close();
}

Result<void, std::string> MetricsServer::listen(const std::string& address) {
  State& state = *impl_->state;
  if (state.acceptor) return "metrics address " + address + ": already listening";
  auto parsed = parse_metrics_address(address);
  if (!parsed) return parsed.error();
  const asio::ip::address ip = parsed->address.is_v4()
                                   ? asio::ip::address(asio::ip::address_v4(parsed->address.v4_value()))
                                   : asio::ip::address(asio::ip::address_v6(parsed->address.bytes()));
  const tcp::endpoint endpoint(ip, parsed->port);

  tcp::acceptor acceptor(impl_->executor);
  error_code ec;
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail(address, "socket", ec);
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail(address, "SO_REUSEADDR", ec);
  if (acceptor.bind(endpoint, ec); ec) return fail(address, "bind", ec);
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return fail(address, "listen", ec);

  state.acceptor.emplace(std::move(acceptor));
  state.accept_retry.emplace(impl_->executor);
  accept_next(impl_->state);
  return {};
}

void MetricsServer::set_readiness(ReadinessFn ready) { impl_->state->ready = std::move(ready); }

uint16_t MetricsServer::port() const {
  const State& state = *impl_->state;
  if (!state.acceptor) return 0;
  error_code ec;
  const auto endpoint = state.acceptor->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace petrel::daemon
