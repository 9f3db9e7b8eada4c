// The metrics HTTP endpoint for real: MetricsServer on 127.0.0.1 port 0 runs on
// its own io_context thread; the test thread is the client (Boost.Beast, or
// raw bytes for what a well-behaved client never sends). Client sockets get a
// 10 s receive timeout so that a broken server fails the test instead of
// hanging it; nothing here sleeps or waits on the clock.
#include "daemon/metrics.hpp"

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <iterator>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/daemon/exposition_check.hpp"

namespace petrel::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

MetricsSnapshot small_snapshot(std::size_t peers = 2) {
  MetricsSnapshot s;
  s.version = "0.1.0-test";
  s.start_time_seconds = 1763757000;
  for (std::size_t i = 0; i < peers; ++i) {
    PeerMetrics p;
    p.name = "peer" + std::to_string(i);
    p.address = "192.0.2." + std::to_string(i % 250 + 1);
    p.state = i % 2 ? "active" : "established";
    p.messages_in = i;
    s.peers.push_back(p);
  }
  s.fib.enabled = true;
  s.fib.routes = 7;
  return s;
}

// A MetricsServer listening on 127.0.0.1:0, run by a thread of its own.
struct Server {
  explicit Server(MetricsServer::SnapshotFn fn = nullptr, MetricsServer::ReadinessFn ready = nullptr) {
    if (!fn) fn = [this] {
      ++scrapes;
      return small_snapshot(peers);
    };
    server = std::make_unique<MetricsServer>(ioc.get_executor(), std::move(fn));
    if (ready) server->set_readiness(std::move(ready));
    auto r = server->listen("127.0.0.1:0");
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error()));
    port = server->port();
    thread = std::thread([this] { ioc.run(); });
  }
  // Destroys the server on its own thread, then lets the io_context run dry:
  // a server that leaves work behind (a connection, a timer) hangs here.
  ~Server() { stop(); }
  void stop() {
    if (!thread.joinable()) return;
    asio::post(ioc, [this] {
      server.reset();
      work.reset();
    });
    thread.join();
  }

  std::atomic<std::size_t> peers{2};  // the size of the snapshot served
  std::atomic<int> scrapes{0};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
  std::unique_ptr<MetricsServer> server;
  uint16_t port = 0;
  std::thread thread;
};

// A blocking client connection on the test thread.
struct Client {
  explicit Client(uint16_t port, int receive_buffer = 0) : socket(ioc) {
    socket.open(tcp::v4());
    if (receive_buffer) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    timeval tv{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    socket.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port));
  }

  void send_raw(std::string_view bytes) { asio::write(socket, asio::buffer(bytes.data(), bytes.size())); }

  void send(http::verb method, std::string_view target, unsigned version = 11) {
    http::request<http::empty_body> req{method, target, version};
    req.set(http::field::host, "127.0.0.1");
    http::write(socket, req);
  }

  http::response<http::string_body> receive(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head);  // a response to HEAD has no body whatever Content-Length says
    http::read(socket, buffer, parser);
    return parser.release();
  }

  http::response<http::string_body> get(std::string_view target) {
    send(http::verb::get, target);
    return receive();
  }

  // True when the server closed the connection: the next read sees end of file.
  bool closed_by_server() {
    char byte;
    error_code ec;
    socket.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::io_context ioc;
  tcp::socket socket;
  beast::flat_buffer buffer;
};

TEST_CASE("GET /metrics: 200, the 0.0.4 content type, the rendered snapshot") {
  Server s;
  Client c(s.port);
  auto res = c.get("/metrics");
  CHECK(res.result() == http::status::ok);
  CHECK(res[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(res.body() == render_prometheus(small_snapshot(s.peers)));
  CHECK(test::check_exposition(res.body()) == "");
  CHECK(s.scrapes == 1);
  // A query string does not change the route.
  CHECK(c.get("/metrics?name[]=petrel_fib_routes").result() == http::status::ok);
  CHECK(s.scrapes == 2);
}

TEST_CASE("GET /healthz: 200 ok, without taking a snapshot") {
  Server s;
  Client c(s.port);
  auto res = c.get("/healthz");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "ok");
  CHECK(s.scrapes == 0);
}

TEST_CASE("GET /readyz: 503 with the reason while the daemon is not ready, then 200 ok") {
  std::atomic<bool> ready{false};
  Server s(nullptr, [&]() -> std::optional<std::string> {
    if (ready) return std::nullopt;
    return std::string("kubernetes caches not listed yet");
  });
  Client c(s.port);
  auto res = c.get("/readyz");
  CHECK(res.result() == http::status::service_unavailable);
  CHECK(res.body() == "not ready: kubernetes caches not listed yet\n");
  CHECK(c.get("/healthz").result() == http::status::ok);  // liveness does not follow readiness
  ready = true;
  res = c.get("/readyz");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == "ok");
  // Without a readiness function /readyz is always ready.
  Server plain;
  Client p(plain.port);
  CHECK(p.get("/readyz").body() == "ok");
  CHECK(s.scrapes == 0);
}

TEST_CASE("other paths: 404; other methods: 405 with Allow") {
  Server s;
  Client c(s.port);
  CHECK(c.get("/").result() == http::status::not_found);
  CHECK(c.get("/metricsx").result() == http::status::not_found);
  CHECK(c.get("/metrics/").result() == http::status::not_found);
  c.send(http::verb::post, "/metrics");
  auto res = c.receive();
  CHECK(res.result() == http::status::method_not_allowed);
  CHECK(res[http::field::allow] == "GET, HEAD");
  c.send(http::verb::delete_, "/healthz");
  CHECK(c.receive().result() == http::status::method_not_allowed);
  CHECK(s.scrapes == 0);
  // All of these on one keep-alive connection: it is still open and serving.
  CHECK(c.get("/metrics").result() == http::status::ok);
}

TEST_CASE("HEAD /metrics: the headers of GET, no body") {
  Server s;
  Client c(s.port);
  c.send(http::verb::head, "/metrics");
  auto head = c.receive(/*head=*/true);
  CHECK(head.result() == http::status::ok);
  CHECK(head[http::field::content_length] == std::to_string(render_prometheus(small_snapshot(s.peers)).size()));
  CHECK(head.body().empty());
  // Had the server sent a body, this response would be read from its bytes.
  auto get = c.get("/healthz");
  CHECK(get.result() == http::status::ok);
  CHECK(get.body() == "ok");
}

TEST_CASE("keep-alive: several requests on one connection; HTTP/1.0 without it is closed") {
  Server s;
  {
    Client c(s.port);
    for (int i = 0; i < 3; ++i) CHECK(c.get("/metrics").result() == http::status::ok);
    CHECK(s.scrapes == 3);
    c.send(http::verb::get, "/healthz");
    c.send(http::verb::get, "/metrics");  // pipelined
    CHECK(c.receive().body() == "ok");
    CHECK(c.receive().result() == http::status::ok);
  }
  {
    Client c(s.port);
    c.send(http::verb::get, "/healthz", /*version=*/10);
    auto res = c.receive();
    CHECK(res.result() == http::status::ok);
    CHECK(!res.keep_alive());
    CHECK(c.closed_by_server());
  }
  {
    Client c(s.port);
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(c.receive().body() == "ok");
    CHECK(c.closed_by_server());
  }
}

TEST_CASE("a malformed request gets 400 and a close; the server keeps serving") {
  Server s;
  {
    Client c(s.port);
    static const char tls_hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc garbage\r\n\r\n";
    c.send_raw(std::string(tls_hello, sizeof tls_hello - 1) + std::string(3000, 'x'));
    auto res = c.receive();
    CHECK(res.result() == http::status::bad_request);
    CHECK(c.closed_by_server());
  }
  {
    Client c(s.port);
    c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
    CHECK(c.receive().result() == http::status::bad_request);
  }
  Client c(s.port);
  CHECK(c.get("/metrics").result() == http::status::ok);
}

TEST_CASE("bounded requests: headers over 8 KiB get 431, a body over 8 KiB gets 413") {
  Server s;
  {
    Client c(s.port);
    c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(9000, 'a') + "\r\n\r\n");
    CHECK(c.receive().result() == http::status::request_header_fields_too_large);
    CHECK(c.closed_by_server());
  }
  {
    Client c(s.port);
    c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'b'));
    CHECK(c.receive().result() == http::status::payload_too_large);
    CHECK(c.closed_by_server());
  }
  {
    // Headers just under the limit are fine.
    Client c(s.port);
    c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(7000, 'a') + "\r\n\r\n");
    CHECK(c.receive().body() == "ok");
  }
  CHECK(s.scrapes == 0);
}

TEST_CASE("a client that disconnects mid-request or mid-response does not hurt the server") {
  Server s;
  {
    Client c(s.port);
    c.send_raw("GET /metr");
  }  // closed with half a request line
  {
    Client c(s.port);
    c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\n");
  }  // closed with half the headers
  {
    // A big response into a tiny receive window, then a close with it unread:
    // the server's write fails (reset) and only that connection ends.
    s.peers = 2000;
    Client c(s.port, /*receive_buffer=*/4096);
    c.send(http::verb::get, "/metrics");
    char first;
    asio::read(c.socket, asio::buffer(&first, 1));  // the response has started
    CHECK(first == 'H');
  }
  s.peers = 2;
  Client c(s.port);
  auto res = c.get("/metrics");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() == render_prometheus(small_snapshot(s.peers)));
}

TEST_CASE("seeded random bytes, alone or after a valid start, never hurt the server") {
  Server s;
  std::mt19937 rng(20261121);
  const std::string starts[] = {"", "GET ", "GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\nHost: x\r\n",
                                "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\n"};
  for (int round = 0; round < 300; ++round) {
    std::string bytes = starts[round % std::size(starts)];
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 600)(rng);
    std::uniform_int_distribution<int> byte(0, 255), printable(32, 126);
    for (std::size_t i = 0; i < n; ++i) {
      // Mostly header-like text, with CR LF and raw bytes mixed in.
      const int kind = byte(rng) % 16;
      bytes += kind == 0 ? '\r' : kind == 1 ? '\n' : kind == 2 ? static_cast<char>(byte(rng)) : static_cast<char>(printable(rng));
    }
    Client c(s.port);
    c.send_raw(bytes);
    c.socket.shutdown(tcp::socket::shutdown_send);
    // Whatever the server answers, it then closes: read to the end.
    std::string reply;
    error_code ec;
    asio::read(c.socket, asio::dynamic_buffer(reply), ec);
    REQUIRE_MESSAGE((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
    if (!reply.empty()) CHECK_MESSAGE(reply.starts_with("HTTP/1."), reply.substr(0, 40));
  }
  Client c(s.port);
  CHECK(c.get("/metrics").result() == http::status::ok);
}

TEST_CASE("two clients at once: one stalled mid-request does not block the other") {
  Server s;
  Client slow(s.port), fast(s.port);
  slow.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\n");  // headers not finished
  auto res = fast.get("/metrics");
  CHECK(res.result() == http::status::ok);
  CHECK(s.scrapes == 1);
  slow.send_raw("\r\n");
  CHECK(slow.receive().result() == http::status::ok);
  CHECK(s.scrapes == 2);
  // And interleaved on two keep-alive connections.
  for (int i = 0; i < 3; ++i) {
    CHECK(slow.get("/healthz").body() == "ok");
    CHECK(fast.get("/healthz").body() == "ok");
  }
}

TEST_CASE("at most 64 clients at once; the next one is closed, the first ones still served") {
  Server s;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 64; ++i) {
    clients.push_back(std::make_unique<Client>(s.port));
    // A round trip proves the server holds this connection before the next.
    CHECK(clients.back()->get("/healthz").result() == http::status::ok);
  }
  Client extra(s.port);
  CHECK(extra.closed_by_server());
  CHECK(clients.front()->get("/metrics").result() == http::status::ok);
  CHECK(clients.back()->get("/metrics").result() == http::status::ok);
}

TEST_CASE("a snapshot that throws gives 500; the next scrape works") {
  std::atomic<int> calls{0};
  Server s([&calls] {
    if (calls++ == 0) throw std::runtime_error("rib busy");
    return small_snapshot();
  });
  Client c(s.port);
  auto res = c.get("/metrics");
  CHECK(res.result() == http::status::internal_server_error);
  CHECK(res.body().find("rib busy") != std::string::npos);
  CHECK(c.get("/metrics").result() == http::status::ok);
}

TEST_CASE("destroying the server closes its clients and leaves no work behind") {
  Server s;
  Client idle(s.port), mid_request(s.port);
  CHECK(idle.get("/healthz").result() == http::status::ok);
  mid_request.send_raw("GET /metrics HTTP/1.1\r\n");
  s.stop();  // returns only once the io_context has nothing left to run
  CHECK(idle.closed_by_server());
  CHECK(mid_request.closed_by_server());
}

TEST_CASE("listen: IPv6 loopback, and precise errors") {
  asio::io_context ioc;
  MetricsServer v6(ioc.get_executor(), [] { return MetricsSnapshot{}; });
  auto r = v6.listen("[::1]:0");
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error()));
  CHECK(v6.port() != 0);

  auto again = v6.listen("[::1]:0");
  REQUIRE(!again);
  CHECK(again.error() == "metrics address [::1]:0: already listening");

  MetricsServer bad(ioc.get_executor(), [] { return MetricsSnapshot{}; });
  auto parse = bad.listen("localhost:9469");
  REQUIRE(!parse);
  CHECK(parse.error().find("\"localhost\" is not an IP address") != std::string::npos);
  CHECK(bad.port() == 0);

  // The port is taken (by the IPv6 server above, on the same address).
  const std::string taken = "[::1]:" + std::to_string(v6.port());
  auto in_use = bad.listen(taken);
  REQUIRE(!in_use);
  CHECK(in_use.error().starts_with("metrics address " + taken + ": bind: "));

  // 192.0.2.1 (TEST-NET-1) is not an address of this host.
  auto foreign = bad.listen("192.0.2.1:9469");
  REQUIRE(!foreign);
  CHECK(foreign.error().starts_with("metrics address 192.0.2.1:9469: bind: "));
}

}  // namespace
}  // namespace petrel::daemon
