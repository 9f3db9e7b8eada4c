#include "policy/metrics.hpp"

#include "core/ip.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

namespace petrel::policy {

void Metrics::add(const std::string& name, const std::string& labels, double delta) {
  std::lock_guard lock(mutex_);
  families_[name].samples[labels] += delta;
}

void Metrics::set(const std::string& name, const std::string& labels, double value) {
  std::lock_guard lock(mutex_);
  families_[name].samples[labels] = value;
}

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  families_[name].type = type;
  families_[name].help = help;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, value] : f.samples) {
      char buf[64];
      if (value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", value);
      else
        std::snprintf(buf, sizeof buf, "%.6g", value);
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + buf + "\n";
    }
  }
  return out;
}

MetricsServer::~MetricsServer() { stop(); }

Result<void, Error> MetricsServer::start(const std::string& address) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Error{"metrics: '" + address + "' is not HOST:PORT"};
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  std::string port_text = address.substr(colon + 1);
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return Error{"metrics: bad port in '" + address + "'"};
  auto ip = IpAddress::parse(host);
  if (!ip) return Error{"metrics: bad address in '" + address + "'"};
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (ip->is_v4()) {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sa->sin_addr, ip->data(), 4);
    len = sizeof(sockaddr_in);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&sa->sin6_addr, ip->data(), 16);
    len = sizeof(sockaddr_in6);
  }
  fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Error{std::string("metrics: socket: ") + std::strerror(errno)};
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd_, 16) != 0) {
    std::string why = std::strerror(errno);
    close(fd_);
    fd_ = -1;
    return Error{"metrics: cannot listen on " + address + ": " + why};
  }
  thread_ = std::thread([this] { serve(); });
  return {};
}

std::string http_response(std::string_view request_head, bool ready, const Metrics& metrics) {
  // The request line: METHOD SP TARGET SP VERSION.
  std::string_view line = request_head.substr(0, request_head.find("\r\n"));
  std::string_view target;
  if (auto sp = line.find(' '); sp != std::string_view::npos) {
    target = line.substr(sp + 1);
    target = target.substr(0, target.find(' '));
    target = target.substr(0, target.find('?'));
  }
  std::string status = "200 OK";
  std::string type = "text/plain; version=0.0.4";
  std::string body;
  if (target == "/healthz") {
    type = "text/plain";
    body = "ok\n";
  } else if (target == "/readyz") {
    type = "text/plain";
    if (ready) {
      body = "ok\n";
    } else {
      status = "503 Service Unavailable";
      body = "not ready: the first sync has not been written yet\n";
    }
  } else {
    body = metrics.render();
  }
  return "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

void MetricsServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void MetricsServer::serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    // Read the request head (up to the blank line, 8 KiB or 1 s), then answer.
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
      pollfd r{c, POLLIN, 0};
      if (poll(&r, 1, 1000) <= 0) break;
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::string response = http_response(request, ready_, metrics_);
    std::size_t done = 0;
    while (done < response.size()) {
      ssize_t n = send(c, response.data() + done, response.size() - done, MSG_NOSIGNAL);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    close(c);
  }
}

}  // namespace petrel::policy
