// daemon/control_server.cpp — see control_server.hpp.
#include "daemon/control_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <filesystem>
#include <istream>
#include <vector>

namespace petrel::daemon {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {
constexpr std::size_t kMaxLine = 4096;

Result<void, std::string> failure(std::string m) { return Result<void, std::string>(boost::system::in_place_error, std::move(m)); }
}  // namespace

struct ControlServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor ex, Handler h, std::string g) : executor(ex), handler(std::move(h)), greeting(std::move(g)) {}

  struct Listening {
    std::unique_ptr<local::acceptor> acceptor;
    std::string path;
    bool read_only = false;
  };

  struct Client : std::enable_shared_from_this<Client> {
    Client(local::socket s, std::weak_ptr<Impl> o, bool ro) : socket(std::move(s)), owner(std::move(o)), read_only(ro) {}
    local::socket socket;
    std::weak_ptr<Impl> owner;
    bool read_only;
    asio::streambuf in{kMaxLine};
    std::string out;

    void send(std::string bytes, bool then_read) {
      out = std::move(bytes);
      asio::async_write(socket, asio::buffer(out), [self = shared_from_this(), then_read](boost::system::error_code ec, std::size_t) {
        if (!ec && then_read) self->read();
      });
    }
    void read() {
      asio::async_read_until(socket, in, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (ec == asio::error::not_found) {  // longer than kMaxLine without a newline
          self->send(Reply::error(reply_code::parse_error, "command too long").encode(), false);
          return;
        }
        if (ec) return;  // the client went away
        std::string line(asio::buffers_begin(self->in.data()), asio::buffers_begin(self->in.data()) + static_cast<long>(n));
        self->in.consume(n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        auto o = self->owner.lock();
        if (!o) return;
        if (line.find_first_not_of(" \t") == std::string::npos) return self->read();  // empty line: nothing
        self->send(o->handler(line, self->read_only).encode(), true);
      });
    }
  };

  void accept(Listening& l) {
    l.acceptor->async_accept([self = shared_from_this(), &l](boost::system::error_code ec, local::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        auto client = std::make_shared<Client>(std::move(s), self, l.read_only);
        client->send(self->greeting + "\n", true);
      }
      self->accept(l);
    });
  }

  asio::any_io_executor executor;
  Handler handler;
  std::string greeting;
  std::vector<std::unique_ptr<Listening>> sockets;
};

ControlServer::ControlServer(asio::any_io_executor executor, Handler handler, std::string greeting)
    : impl_(std::make_shared<Impl>(executor, std::move(handler), "0001 " + greeting)) {}

ControlServer::~ControlServer() {
  for (auto& l : impl_->sockets) {
    boost::system::error_code ec;
    l->acceptor->close(ec);
    ::unlink(l->path.c_str());
  }
}

Result<void, std::string> ControlServer::listen(const std::string& path, bool read_only) {
  namespace fs = std::filesystem;
  std::error_code fec;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::exists(dir, fec)) {
    fs::create_directories(dir, fec);
    if (fec) return failure("control socket " + path + ": cannot create " + dir.string() + ": " + fec.message());
    ::chmod(dir.c_str(), 0750);
  }
  if (fs::exists(path, fec)) {
    // A daemon that answers there is alive: never steal its socket.
    local::socket probe(impl_->executor);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) return failure("control socket " + path + ": another daemon is listening there");
    ::unlink(path.c_str());
  }
  auto l = std::make_unique<Impl::Listening>();
  l->path = path;
  l->read_only = read_only;
  l->acceptor = std::make_unique<local::acceptor>(impl_->executor);
  boost::system::error_code ec;
  l->acceptor->open(local(), ec);
  if (!ec) l->acceptor->bind(local::endpoint(path), ec);
  if (!ec) l->acceptor->listen(16, ec);
  if (ec) return failure("control socket " + path + ": " + ec.message());
  if (::chmod(path.c_str(), 0660) != 0) return failure("control socket " + path + ": chmod 0660 failed");
  impl_->sockets.push_back(std::move(l));
  impl_->accept(*impl_->sockets.back());
  return {};
}

}  // namespace petrel::daemon
