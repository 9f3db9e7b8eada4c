// petrel-probe — tiny TCP/UDP echo server and client for the NetworkPolicy
// end-to-end tests (tests/policy). Exit code is the result, so shell scripts can
// assert "this connection succeeds / fails" without external packages.
//
//   petrel-probe serve --tcp 8080,8081 --udp 53     echo on every listed port (IPv4 and IPv6)
//   petrel-probe tcp IP PORT [TIMEOUT_MS]            0: connected and echoed, 1: not
//   petrel-probe udp IP PORT [TIMEOUT_MS]            0: a reply came back, 1: none
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::vector<int> parse_ports(const char* list) {
  std::vector<int> out;
  std::string s(list);
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    std::string item = s.substr(pos, comma - pos);
    if (!item.empty()) out.push_back(std::atoi(item.c_str()));
    pos = comma + 1;
  }
  return out;
}

// An IPv4 or IPv6 socket address from text.
bool make_addr(const char* ip, int port, sockaddr_in6& sa6, socklen_t& len) {
  std::memset(&sa6, 0, sizeof sa6);
  if (std::strchr(ip, ':')) {
    sa6.sin6_family = AF_INET6;
    sa6.sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
    return inet_pton(AF_INET6, ip, &sa6.sin6_addr) == 1;
  }
  auto* sa = reinterpret_cast<sockaddr_in*>(&sa6);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(static_cast<uint16_t>(port));
  len = sizeof(sockaddr_in);
  return inet_pton(AF_INET, ip, &sa->sin_addr) == 1;
}

// A dual-stack listener on [::]:port (IPv4 arrives as v4-mapped addresses).
int listener(int type, int port) {
  int fd = socket(AF_INET6, type, 0);
  int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  sockaddr_in6 sa;
  socklen_t len = 0;
  make_addr("::", port, sa, len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
    std::fprintf(stderr, "bind %d: %s\n", port, std::strerror(errno));
    std::exit(2);
  }
  if (type == SOCK_STREAM) listen(fd, 64);
  return fd;
}

int serve(int argc, char** argv) {
  std::vector<pollfd> fds;
  std::vector<bool> is_tcp;
  for (int i = 2; i + 1 < argc; i += 2) {
    bool tcp = std::strcmp(argv[i], "--tcp") == 0;
    if (!tcp && std::strcmp(argv[i], "--udp") != 0) return 2;
    for (int p : parse_ports(argv[i + 1])) {
      fds.push_back({listener(tcp ? SOCK_STREAM : SOCK_DGRAM, p), POLLIN, 0});
      is_tcp.push_back(tcp);
    }
  }
  std::printf("ready\n");
  std::fflush(stdout);
  char buf[512];
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return 2;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (is_tcp[i]) {
        int c = accept(fds[i].fd, nullptr, nullptr);
        if (c < 0) continue;
        pollfd one{c, POLLIN, 0};
        if (poll(&one, 1, 1000) > 0) {
          ssize_t n = read(c, buf, sizeof buf);
          if (n > 0) (void)!write(c, buf, static_cast<std::size_t>(n));
        }
        close(c);
      } else {
        sockaddr_in6 from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fds[i].fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) sendto(fds[i].fd, buf, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    }
  }
}

bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN);
}

int probe(bool tcp, const char* ip, int port, int timeout_ms) {
  sockaddr_in6 sa;
  socklen_t len = 0;
  if (!make_addr(ip, port, sa, len)) return 2;
  int fd = socket(sa.sin6_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  const char msg[] = "petrel-probe";
  if (tcp) {
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) return 1;
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return 1;
    int err = 0;
    socklen_t err_len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) return 1;
    if (write(fd, msg, sizeof msg) != static_cast<ssize_t>(sizeof msg)) return 1;
  } else {
    if (sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&sa), len) < 0) return 1;
  }
  if (!wait_readable(fd, timeout_ms)) return 1;
  char buf[64];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  close(fd);
  return n == static_cast<ssize_t>(sizeof msg) && std::memcmp(buf, msg, sizeof msg) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "serve") == 0) return serve(argc, argv);
  if (argc >= 4 && (std::strcmp(argv[1], "tcp") == 0 || std::strcmp(argv[1], "udp") == 0)) {
    int timeout = argc >= 5 ? std::atoi(argv[4]) : 1000;
    return probe(std::strcmp(argv[1], "tcp") == 0, argv[2], std::atoi(argv[3]), timeout);
  }
  std::fprintf(stderr, "usage: petrel-probe serve --tcp P,P --udp P | tcp|udp IP PORT [TIMEOUT_MS]\n");
  return 2;
}
