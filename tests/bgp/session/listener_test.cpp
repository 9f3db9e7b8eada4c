// Listener and PeerTable on loopback sockets (127.0.0.0/8 needs no addresses):
// configured peers are handed their connection, dynamic neighbours are created
// from a range up to its limit, everyone else is closed.
#include "bgp/session/listener.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <doctest/doctest.h>

#include "bgp/session/tcp_transport.hpp"

using namespace petrel;
using namespace petrel::bgp;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Quiet : session::SessionObserver {
  int connections = 0;
  void on_connection(bool, std::string_view, std::string_view) override { ++connections; }
};

session::SessionConfig config(uint32_t remote_as) {
  session::SessionConfig c;
  c.settings.local_as = 64512;
  c.settings.router_id = 1;
  c.settings.remote_as = fsm::RemoteAs::exact_as(remote_as);
  c.passive = true;
  return c;
}

// Connects from `source` and reports whether the listener kept the connection:
// a kept one receives our OPEN (the session is passive and answers), a refused
// one is closed with nothing sent.
bool kept(asio::io_context& io, const tcp::endpoint& server, const char* source) {
  tcp::socket s(io);
  s.open(tcp::v4());
  s.bind({asio::ip::make_address(source), 0});
  s.connect(server);
  uint8_t header[19];
  boost::system::error_code ec;
  bool done = false;
  asio::async_read(s, asio::buffer(header), [&](const boost::system::error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  io.restart();
  for (int i = 0; i < 200 && !done; ++i) io.run_for(std::chrono::milliseconds(10));
  return done && !ec && header[18] == 1;  // an OPEN arrived
}

}  // namespace

TEST_CASE("configured peers, dynamic ranges with a limit, and strangers") {
  asio::io_context io;
  SteadyClock clock;
  Quiet obs;
  session::Session configured(io.get_executor(), config(65001), nullptr, clock, obs);
  configured.start();
  std::vector<std::unique_ptr<session::Session>> dynamic;
  session::PeerTable table;
  table.add_peer(*IpAddress::parse("127.0.0.2"), &configured);
  const auto range = *Prefix::parse("127.0.1.0/24");
  table.add_range(range, 2, [&](const IpAddress&) {
    dynamic.push_back(std::make_unique<session::Session>(io.get_executor(), config(65002), nullptr, clock, obs));
    dynamic.back()->start();
    return dynamic.back().get();
  });
  session::Listener listener(io.get_executor(), table);
  REQUIRE(listener.listen({asio::ip::make_address("127.0.0.1"), 0}).has_value());
  const auto server = listener.endpoints().at(0);

  CHECK(kept(io, server, "127.0.0.2"));
  CHECK(configured.state() == fsm::State::open_sent);
  CHECK_FALSE(kept(io, server, "127.0.0.3"));  // nobody's
  CHECK(kept(io, server, "127.0.1.1"));
  CHECK(kept(io, server, "127.0.1.2"));
  CHECK(table.dynamic_count(range) == 2);
  CHECK_FALSE(kept(io, server, "127.0.1.3"));  // the range is full
  CHECK(dynamic.size() == 2);
  table.release_dynamic(*IpAddress::parse("127.0.1.1"));
  CHECK(kept(io, server, "127.0.1.3"));
  CHECK(listener.refused() == 2);
  // A removed range takes no new neighbours; its live ones can still be released.
  table.remove_range(range);
  CHECK_FALSE(kept(io, server, "127.0.1.4"));
  table.release_dynamic(*IpAddress::parse("127.0.1.2"));
  CHECK(table.dynamic_count(range) == 0);
  CHECK(listener.refused() == 3);
}

TEST_CASE("a listener on a port already taken says so") {
  asio::io_context io;
  session::PeerTable table;
  session::Listener a(io.get_executor(), table);
  REQUIRE(a.listen({asio::ip::make_address("127.0.0.1"), 0}).has_value());
  session::Listener b(io.get_executor(), table);
  tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto r = b.listen(taken.local_endpoint());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("bind") != std::string::npos);
}
