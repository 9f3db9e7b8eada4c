// The control-socket client over a real UNIX socket, with a scripted server thread on
// the other end: greeting, replies split into single bytes, server errors, a server
// that closes mid-reply, a socket that greets with something else.
#include "shell/control_client.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

using namespace petrel::shell;

namespace {

// A listening socket in a fresh temp directory; serve() runs `script` on the first
// connection in a thread.
class ScriptedSocket {
 public:
  ScriptedSocket() {
    char dir[] = "/tmp/pshl-client-test.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/ctl";
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path_.c_str(), sizeof(sa.sun_path) - 1);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
  }
  ~ScriptedSocket() {
    if (server_.joinable()) server_.join();
    ::close(listener_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

  void serve(std::function<void(int fd)> script) {
    server_ = std::thread([this, script = std::move(script)] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      script(fd);
      ::close(fd);
    });
  }
  void join() { server_.join(); }

  // Helpers for scripts.
  static void send_bytewise(int fd, const std::string& text) {
    for (char c : text) (void)!::write(fd, &c, 1);
  }
  static std::string read_line(int fd) {
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }

 private:
  std::string dir_, path_;
  int listener_ = -1;
  std::thread server_;
};

}  // namespace

TEST_CASE("greeting, then request and reply, with the reply split into single bytes") {
  ScriptedSocket s;
  std::string received1, received2;
  s.serve([&](int fd) {
    ScriptedSocket::send_bytewise(fd, "0001 Petrel 0.1.0 ready.\n");
    received1 = ScriptedSocket::read_line(fd);
    ScriptedSocket::send_bytewise(fd, "1000-Petrel 0.1.0\n1011-Router ID is 10.0.0.11\n uptime 5 s\n0013 Daemon is up and running\n");
    received2 = ScriptedSocket::read_line(fd);
    ScriptedSocket::send_bytewise(fd, "1100-{\"a\":\n [1, 2]}\n0000 \n");
  });
  auto client = ControlClient::connect(s.path());
  REQUIRE(client.has_value());
  CHECK(client->greeting().final_code == 1);
  CHECK(render_text(client->greeting()).out == "Petrel 0.1.0 ready.\n");
  auto reply = client->command("show status");
  REQUIRE(reply.has_value());
  CHECK(render_text(*reply).out == "Petrel 0.1.0\nRouter ID is 10.0.0.11\nuptime 5 s\nDaemon is up and running\n");
  CHECK(reply->final_code == 13);
  auto json = client->command("json show status");
  REQUIRE(json.has_value());
  auto doc = json_document(*json);
  REQUIRE(doc.has_value());
  CHECK(*doc == "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
  s.join();
  CHECK(received1 == "show status");
  CHECK(received2 == "json show status");
}

TEST_CASE("a server that closes in the middle of a reply is an error, not a hang") {
  ScriptedSocket s;
  s.serve([](int fd) {
    ScriptedSocket::send_bytewise(fd, "0001 BIRD 2.0.12 ready.\n");
    ScriptedSocket::read_line(fd);
    ScriptedSocket::send_bytewise(fd, "1002-tor1 BGP\n");
  });
  auto client = ControlClient::connect(s.path());
  REQUIRE(client.has_value());
  auto reply = client->command("show protocols");
  REQUIRE_FALSE(reply.has_value());
  CHECK(reply.error() == "connection closed by the server");
}

TEST_CASE("a socket that does not greet with 0001 is refused with what it said") {
  ScriptedSocket s;
  s.serve([](int fd) { ScriptedSocket::send_bytewise(fd, "HTTP/1.1 400 Bad Request\n9001 x\n"); });
  auto client = ControlClient::connect(s.path());
  REQUIRE_FALSE(client.has_value());
  CHECK(client.error() == s.path() +
                              " did not greet with 0001 (it said \"9001 x\"); is it a BIRD-protocol control socket?");
}

TEST_CASE("a server that closes before greeting") {
  ScriptedSocket s;
  s.serve([](int) {});
  auto client = ControlClient::connect(s.path());
  REQUIRE_FALSE(client.has_value());
  CHECK(client.error() == "no greeting from " + s.path() + ": connection closed by the server");
}
