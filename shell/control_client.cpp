// shell/control_client.cpp — UNIX socket I/O for the control protocol.
#include "shell/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace petrel::shell {

namespace {
constexpr std::size_t max_line = 1 << 20;  // a reply line longer than this is refused
}

std::string connect_error_message(const std::string& path, int error_number) {
  std::string what;
  switch (error_number) {
    case ENOENT: what = "no such file (is petreld running?)"; break;
    case ECONNREFUSED: what = "connection refused (is petreld running?)"; break;
    case EACCES:
    case EPERM: what = "permission denied (the socket is mode 0660; are you in its group?)"; break;
    case ENOTSOCK: what = "not a socket"; break;
    case ENOTDIR: what = "a component of the path is not a directory"; break;
    default: what = std::strerror(error_number); break;
  }
  return "cannot connect to " + path + ": " + what;
}

boost::system::result<ControlClient, std::string> ControlClient::connect(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(sa.sun_path)) {
    return "cannot connect to " + path + ": path empty or longer than " + std::to_string(sizeof(sa.sun_path) - 1) +
           " bytes";
  }
  std::memcpy(sa.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
  ControlClient client(fd);
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return connect_error_message(path, errno);
  auto greeting = client.read_reply();
  if (!greeting) return "no greeting from " + path + ": " + greeting.error();
  if (greeting->final_code != 1) {
    std::string text = greeting->lines.empty() ? std::string() : greeting->lines.back().raw;
    return path + " did not greet with 0001 (it said \"" + text + "\"); is it a BIRD-protocol control socket?";
  }
  client.greeting_ = std::move(*greeting);
  return client;
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(other.fd_), buffer_(std::move(other.buffer_)), greeting_(std::move(other.greeting_)) {
  other.fd_ = -1;
}

ControlClient& ControlClient::operator=(ControlClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
    buffer_ = std::move(other.buffer_);
    greeting_ = std::move(other.greeting_);
  }
  return *this;
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

boost::system::result<std::string, Error> ControlClient::read_line() {
  for (;;) {
    std::size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return {boost::system::in_place_value, std::move(line)};
    }
    if (buffer_.size() > max_line) return Error{"reply line longer than 1 MiB"};
    char chunk[8192];
    ssize_t n = ::read(fd_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::string("read error: ") + std::strerror(errno)};
    if (n == 0) return Error{"connection closed by the server"};
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

boost::system::result<Reply, std::string> ControlClient::read_reply() {
  ReplyAssembler assembler;
  for (;;) {
    auto line = read_line();
    if (!line) return line.error().message;
    if (assembler.feed(*line)) return assembler.take();
  }
}

boost::system::result<Reply, std::string> ControlClient::command(std::string_view line) {
  std::string out(line);
  out += '\n';
  std::size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::string("write error: ") + std::strerror(errno);
    sent += static_cast<std::size_t>(n);
  }
  return read_reply();
}

}  // namespace petrel::shell
