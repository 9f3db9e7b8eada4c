// BGP socket options: read back with getsockopt, error values, and for real —
// TCP-MD5 (RFC 2385), GTSM (RFC 5082) and IPv6 link-local sessions between two
// network namespaces this test creates and always removes (needs root).
//
// Topology of each namespace test (names unique to this process):
//   ptr-so-<pid>-<n>-a  ptr-a  10.12.0.1/24 fd00:12::1/64 fe80::12:1/64
//          |  veth
//   ptr-so-<pid>-<n>-b  ptr-b  10.12.0.2/24 fd00:12::2/64 fe80::12:2/64
// Sockets are created by a thread that has entered a namespace (setns); a socket
// stays in the namespace it was created in, so the test thread uses them after.
//
// A dropped SYN can only be seen as "no connection within kDropWait"; each such
// wait also checks the kernel counter that names why the segment was dropped.
#include "bgp/session/socket_options.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

using namespace petrel;
using namespace petrel::bgp::session;
using namespace std::chrono_literals;

namespace {

constexpr auto kConnectWait = 3s;  // a connection that should work: bounded, normally milliseconds
constexpr auto kDropWait = 2s;     // a connection the kernel should refuse: the SYN retransmit at 1 s is dropped too
constexpr uint16_t kBgpPort = 179;

// ---- small POSIX helpers --------------------------------------------------------

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// CHECK(ok(r)): doctest cannot print a Result<_, Error>, so say the message here.
template <class T>
bool ok(const Result<T, Error>& r) {
  if (!r) MESSAGE(r.error().message);
  return r.has_value();
}

int get_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  REQUIRE(::getsockopt(fd, level, name, &v, &len) == 0);
  return v;
}

// Runs argv (no shell); returns the exit status, -1 if it could not run.
int run(const std::vector<std::string>& argv, bool quiet = false) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string capture(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Runs fn() on a thread that has entered network namespace `ns`.
template <class F>
auto in_netns(const std::string& ns, F fn) -> decltype(fn()) {
  decltype(fn()) result{};
  std::string error;
  std::thread t([&] {
    const int nsfd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || ::setns(nsfd, CLONE_NEWNET) != 0) {
      error = "cannot enter netns " + ns + ": " + std::strerror(errno);
      if (nsfd >= 0) ::close(nsfd);
      return;
    }
    ::close(nsfd);
    result = fn();
  });
  t.join();
  REQUIRE_MESSAGE(error.empty(), error);
  return result;
}

Fd socket_in(const std::string& ns, int domain) {
  Fd fd = in_netns(ns, [domain] { return Fd(::socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
  REQUIRE(fd);
  return fd;
}

// A TcpExt counter of /proc/net/netstat as seen from namespace `ns`.
uint64_t tcp_ext(const std::string& ns, const std::string& name) {
  const std::string text = in_netns(ns, [] {
    std::ifstream in("/proc/thread-self/net/netstat");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  });
  std::istringstream lines(text);
  std::string names, values;
  while (std::getline(lines, names) && std::getline(lines, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    std::istringstream n(names), v(values);
    std::string key, value;
    while (n >> key && v >> value) {
      if (key == name) return std::stoull(value);
    }
  }
  FAIL("no TcpExt counter " << name);
  return 0;
}

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SockAddr sock_addr(std::string_view text, uint16_t port) {
  const auto ip = IpAddress::parse(text);
  REQUIRE(ip);
  SockAddr a;
  if (ip->is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip->data(), 4);
    a.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, ip->data(), 16);
    a.length = sizeof(sockaddr_in6);
  }
  return a;
}

SockAddr sock_addr(const boost::asio::ip::tcp::endpoint& e) {
  SockAddr a;
  std::memcpy(&a.storage, e.data(), e.size());
  a.length = static_cast<socklen_t>(e.size());
  return a;
}

void listen_at(const Fd& fd, const SockAddr& at) {
  REQUIRE(ok(set_reuse_address(fd.get())));
  REQUIRE_MESSAGE(::bind(fd.get(), at.get(), at.length) == 0, std::strerror(errno));
  REQUIRE(::listen(fd.get(), 8) == 0);
}

// Starts a non-blocking connect on every (fd, address) and waits at most `wait`
// for all of them. Per attempt: 0 when connected, else the errno (ETIMEDOUT when
// still unanswered at the deadline).
std::vector<int> connect_all(const std::vector<std::pair<int, SockAddr>>& attempts,
                             std::chrono::milliseconds wait) {
  std::vector<int> result(attempts.size(), ETIMEDOUT);
  std::vector<bool> pending(attempts.size(), false);
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const int fd = attempts[i].first;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (::connect(fd, attempts[i].second.get(), attempts[i].second.length) == 0) {
      result[i] = 0;
    } else if (errno == EINPROGRESS) {
      pending[i] = true;
    } else {
      result[i] = errno;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      if (!pending[i]) continue;
      fds.push_back({attempts[i].first, POLLOUT, 0});
      index.push_back(i);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (fds.empty() || left.count() <= 0) break;
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) <= 0) continue;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      pending[index[k]] = false;
      result[index[k]] = get_int(fds[k].fd, SOL_SOCKET, SO_ERROR);
    }
  }
  return result;
}

int connect_within(const Fd& fd, const SockAddr& to, std::chrono::milliseconds wait = kConnectWait) {
  return connect_all({{fd.get(), to}}, wait)[0];
}

bool readable_within(int fd, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) == 1;
}

Fd accept_within(const Fd& listener, std::chrono::milliseconds wait = kConnectWait) {
  if (!readable_within(listener.get(), wait)) return Fd();
  return Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

std::string read_within(const Fd& fd, std::size_t n, std::chrono::milliseconds wait = kConnectWait) {
  std::string out;
  char buf[64];
  while (out.size() < n && readable_within(fd.get(), wait)) {
    const ssize_t got = ::recv(fd.get(), buf, std::min(sizeof buf, n - out.size()), MSG_DONTWAIT);
    if (got <= 0) break;
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

// Accepts the client's connection and passes a few bytes each way.
void check_session(const Fd& listener, const Fd& client) {
  Fd server = accept_within(listener);
  REQUIRE(server);
  REQUIRE(::send(client.get(), "OPEN?", 5, MSG_NOSIGNAL) == 5);
  CHECK(read_within(server, 5) == "OPEN?");
  REQUIRE(::send(server.get(), "OPEN!", 5, MSG_NOSIGNAL) == 5);
  CHECK(read_within(client, 5) == "OPEN!");
}

IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

Prefix prefix(std::string_view text) {
  auto p = Prefix::parse(text);
  REQUIRE(p);
  return *p;
}

// ---- namespaces -----------------------------------------------------------------

const std::string kNetnsPrefix = "ptr-so-";

// Deletes namespaces left by this process or by a run of this test that died
// (its pid no longer exists); those of a live run are left alone.
void remove_leftover_netns() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/var/run/netns", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kNetnsPrefix, 0) != 0) continue;
    const std::string pid = name.substr(kNetnsPrefix.size(), name.find('-', kNetnsPrefix.size()) - kNetnsPrefix.size());
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stol(pid) == ::getpid() || !std::filesystem::exists("/proc/" + pid)) {
      run({"ip", "netns", "del", name}, /*quiet=*/true);
    }
  }
}

// One namespace, deleted when this goes out of scope (even when a CHECK threw).
class NetnsGuard {
 public:
  explicit NetnsGuard(std::string name) : name_(std::move(name)) {
    created_ = run({"ip", "netns", "add", name_}) == 0;
  }
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;
  ~NetnsGuard() {
    if (created_) run({"ip", "netns", "del", name_}, /*quiet=*/true);
  }
  const std::string& name() const { return name_; }
  bool created() const { return created_; }

 private:
  std::string name_;
  bool created_ = false;
};

std::string next_netns_base() {
  static int counter = 0;
  return kNetnsPrefix + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// Namespaces A and B joined by a veth pair (ptr-a in A, ptr-b in B).
class NetnsFixture {
 public:
  NetnsFixture() : base_((remove_leftover_netns(), next_netns_base())), a_(base_ + "-a"), b_(base_ + "-b") {
    error_ = setup();
  }

  const std::string& a() const { return a_.name(); }
  const std::string& b() const { return b_.name(); }
  const std::string& error() const { return error_; }

 private:
  std::string setup() {
    if (!a_.created() || !b_.created()) return "ip netns add failed (root needed)";
    const std::string& a = a_.name();
    const std::string& b = b_.name();
    // No address is ever added outside A and B: the veth is created inside A with
    // its peer moved straight into B.
    const std::vector<std::vector<std::string>> steps = {
        {"ip", "-n", a, "link", "set", "lo", "up"},
        {"ip", "-n", b, "link", "set", "lo", "up"},
        {"ip", "-n", a, "link", "add", "ptr-a", "type", "veth", "peer", "name", "ptr-b", "netns", b},
        // No automatic link-local address (it would sit in DAD); ours are nodad.
        {"ip", "-n", a, "link", "set", "ptr-a", "addrgenmode", "none"},
        {"ip", "-n", b, "link", "set", "ptr-b", "addrgenmode", "none"},
        {"ip", "-n", a, "link", "set", "ptr-a", "up"},
        {"ip", "-n", b, "link", "set", "ptr-b", "up"},
        {"ip", "-n", a, "addr", "add", "10.12.0.1/24", "dev", "ptr-a"},
        {"ip", "-n", b, "addr", "add", "10.12.0.2/24", "dev", "ptr-b"},
        {"ip", "-n", a, "addr", "add", "fd00:12::1/64", "dev", "ptr-a", "nodad"},
        {"ip", "-n", b, "addr", "add", "fd00:12::2/64", "dev", "ptr-b", "nodad"},
        {"ip", "-n", a, "addr", "add", "fe80::12:1/64", "dev", "ptr-a", "nodad"},
        {"ip", "-n", b, "addr", "add", "fe80::12:2/64", "dev", "ptr-b", "nodad"},
    };
    for (const auto& step : steps) {
      if (run(step) != 0) {
        std::string cmd;
        for (const auto& s : step) cmd += s + " ";
        return "setup step failed: " + cmd;
      }
    }
    // The kernel turns carrier into operational state asynchronously (linkwatch);
    // until then the veth's queue discards. Bounded wait for both ends.
    for (const auto& [ns, dev] : {std::pair{a, "ptr-a"}, std::pair{b, "ptr-b"}}) {
      bool up = false;
      for (int i = 0; i < 300 && !up; ++i) {
        up = capture("ip -n " + ns + " -o link show dev " + dev).find("state UP") != std::string::npos;
        if (!up) std::this_thread::sleep_for(10ms);
      }
      if (!up) return std::string(dev) + " did not come up";
    }
    return {};
  }

  std::string base_;
  NetnsGuard a_;
  NetnsGuard b_;
  std::string error_;
};

#define REQUIRE_NETNS() REQUIRE_MESSAGE(error().empty(), error())

}  // namespace

// ---- 1. read back ---------------------------------------------------------------

TEST_CASE("IPv4 socket: TTL, DSCP, GTSM and stream flags read back") {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(fd);

  REQUIRE(ok(set_ttl(fd.get(), AddressFamily::ipv4, 7)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_TTL) == 7);

  REQUIRE(ok(set_dscp_cs6(fd.get(), AddressFamily::ipv4)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_TOS) == 0xc0);

  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv4, 1)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_TTL) == 255);
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_MINTTL) == 255);
  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv4, 3)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_MINTTL) == 253);
  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv4, 255)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_MINTTL) == 1);

  REQUIRE(ok(set_reuse_address(fd.get())));
  CHECK(get_int(fd.get(), SOL_SOCKET, SO_REUSEADDR) == 1);
  REQUIRE(ok(set_no_delay(fd.get())));
  CHECK(get_int(fd.get(), IPPROTO_TCP, TCP_NODELAY) == 1);

  // IPv6 options have no meaning on an IPv4 socket: the kernel refuses them.
  auto r = set_ttl(fd.get(), AddressFamily::ipv6, 5);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("IPV6_UNICAST_HOPS") != std::string::npos);
}

TEST_CASE("IPv6 socket: hop limit, traffic class, GTSM; IPv4 options for v4-mapped peers") {
  Fd fd(::socket(AF_INET6, SOCK_STREAM, 0));
  REQUIRE(fd);

  REQUIRE(ok(set_ttl(fd.get(), AddressFamily::ipv6, 9)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 9);

  REQUIRE(ok(set_dscp_cs6(fd.get(), AddressFamily::ipv6)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_TCLASS) == 0xc0);

  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv6, 1)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 255);
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_MINHOPCOUNT) == 255);
  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv6, 2)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_MINHOPCOUNT) == 254);

  // A dual-stack socket carries IPv4 peers as IPv4 packets: the IPv4 options.
  REQUIRE(ok(set_ttl(fd.get(), AddressFamily::ipv4, 11)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_TTL) == 11);
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 255);  // untouched
  REQUIRE(ok(set_dscp_cs6(fd.get(), AddressFamily::ipv4)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_TOS) == 0xc0);
  REQUIRE(ok(set_ttl_security(fd.get(), AddressFamily::ipv4, 1)));
  CHECK(get_int(fd.get(), IPPROTO_IP, IP_MINTTL) == 255);

  REQUIRE(ok(set_v6_only(fd.get(), true)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY) == 1);
  REQUIRE(ok(set_v6_only(fd.get(), false)));
  CHECK(get_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY) == 0);
}

// ---- 5. errors ------------------------------------------------------------------

namespace {
bool mentions(const Result<void, Error>& r, std::string_view a, std::string_view b = {}) {
  if (r) return false;
  const auto& m = r.error().message;
  const bool ok = m.find(a) != std::string::npos && m.find(b) != std::string::npos;
  if (!ok) MESSAGE("message was: " << m);
  return ok;
}
}  // namespace

TEST_CASE("errors are values naming the option and the errno text") {
  const std::string bad_fd = std::system_category().message(EBADF);
  const auto v4 = AddressFamily::ipv4;
  const auto v6 = AddressFamily::ipv6;

  SUBCASE("invalid fd") {
    CHECK(mentions(set_tcp_md5(-1, ip("10.0.0.1"), "secret"), "TCP_MD5SIG for peer 10.0.0.1 on fd -1", bad_fd));
    CHECK(mentions(set_tcp_md5_prefix(-1, prefix("10.0.0.0/24"), "secret"), "TCP_MD5SIG_EXT for peers 10.0.0.0/24",
                   bad_fd));
    CHECK(mentions(set_ttl(-1, v4, 64), "IP_TTL", bad_fd));
    CHECK(mentions(set_ttl(-1, v6, 64), "IPV6_UNICAST_HOPS", bad_fd));
    CHECK(mentions(set_ttl_security(-1, v4, 1), "IP_TTL", bad_fd));
    CHECK(mentions(set_dscp_cs6(-1, v4), "IP_TOS", bad_fd));
    CHECK(mentions(set_dscp_cs6(-1, v6), "IPV6_TCLASS", bad_fd));
    CHECK(mentions(bind_to_device(-1, "lo"), "SO_BINDTODEVICE for interface lo", bad_fd));
    CHECK(mentions(set_reuse_address(-1), "SO_REUSEADDR", bad_fd));
    CHECK(mentions(set_no_delay(-1), "TCP_NODELAY", bad_fd));
    CHECK(mentions(set_v6_only(-1, true), "IPV6_V6ONLY", bad_fd));
  }

  SUBCASE("an fd that is not a socket") {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    Fd r(pipe_fds[0]), w(pipe_fds[1]);
    CHECK(mentions(set_tcp_md5(r.get(), ip("10.0.0.1"), "k"), "TCP_MD5SIG", std::system_category().message(ENOTSOCK)));
    CHECK(mentions(set_ttl(r.get(), v4, 1), "IP_TTL", std::system_category().message(ENOTSOCK)));
  }

  SUBCASE("TCP-MD5 key length and family") {
    Fd fd4(::socket(AF_INET, SOCK_STREAM, 0));
    Fd fd6(::socket(AF_INET6, SOCK_STREAM, 0));
    REQUIRE(fd4);
    REQUIRE(fd6);
    const std::string longest(kTcpMd5MaxKeyLength, 'k');
    CHECK(ok(set_tcp_md5(fd4.get(), ip("10.0.0.1"), longest)));
    CHECK(mentions(set_tcp_md5(fd4.get(), ip("10.0.0.1"), longest + "k"), "TCP_MD5SIG", "81 bytes"));
    CHECK(mentions(set_tcp_md5_prefix(fd6.get(), prefix("fd00::/8"), longest + "k"), "TCP_MD5SIG_EXT", "80"));
    CHECK(mentions(set_tcp_md5(fd4.get(), ip("fd00::1"), "k"), "TCP_MD5SIG", "IPv6 peer on an IPv4 socket"));
    // Keys bind to a socket of either family; removing one twice is not an error.
    CHECK(ok(set_tcp_md5(fd6.get(), ip("10.0.0.1"), "k")));
    CHECK(ok(set_tcp_md5(fd6.get(), ip("fd00::1"), "k")));
    CHECK(ok(set_tcp_md5(fd6.get(), ip("fd00::1"), "")));
    CHECK(ok(set_tcp_md5(fd6.get(), ip("fd00::1"), "")));
    CHECK(ok(set_tcp_md5(fd4.get(), ip("192.0.2.9"), "")));
    CHECK(ok(set_tcp_md5_prefix(fd4.get(), prefix("10.0.0.0/8"), "k")));
    CHECK(ok(set_tcp_md5_prefix(fd4.get(), prefix("10.0.0.0/8"), "")));
    CHECK(ok(set_tcp_md5_prefix(fd6.get(), prefix("10.0.0.0/8"), "k")));
  }

  SUBCASE("out-of-range TTL and hops are refused before the kernel sees them") {
    Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    REQUIRE(fd);
    CHECK(mentions(set_ttl(fd.get(), v4, 0), "IP_TTL", "1..255"));
    CHECK(mentions(set_ttl(fd.get(), v4, 256), "IP_TTL", "1..255"));
    CHECK(mentions(set_ttl_security(fd.get(), v4, 0), "IP_MINTTL", "hops must be 1..255"));
    CHECK(mentions(set_ttl_security(fd.get(), v6, 256), "IPV6_MINHOPCOUNT", "hops must be 1..255"));
  }

  SUBCASE("interfaces") {
    Fd fd(::socket(AF_INET6, SOCK_STREAM, 0));
    REQUIRE(fd);
    CHECK(mentions(bind_to_device(fd.get(), "no-such-ptr0"), "SO_BINDTODEVICE for interface no-such-ptr0",
                   std::system_category().message(ENODEV)));
    CHECK(mentions(bind_to_device(fd.get(), "a-name-much-too-long"), "SO_BINDTODEVICE", "not a valid interface name"));
    CHECK(ok(bind_to_device(fd.get(), "")));  // unbinding an unbound socket

    auto e = link_local_endpoint(ip("fd00::1"), "lo", kBgpPort);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().message.find("not an IPv6 link-local address") != std::string::npos);
    e = link_local_endpoint(ip("169.254.0.1"), "lo", kBgpPort);
    CHECK_FALSE(e.has_value());
    e = link_local_endpoint(ip("fe80::1"), "no-such-ptr0", kBgpPort);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().message.find("if_nametoindex") != std::string::npos);
    e = link_local_endpoint(ip("fe80::1"), "lo", kBgpPort);
    REQUIRE(ok(e));
    CHECK(e->address().to_v6().scope_id() == ::if_nametoindex("lo"));
    CHECK(e->port() == kBgpPort);
  }
}

// ---- 2. TCP-MD5 for real --------------------------------------------------------

TEST_CASE_FIXTURE(NetnsFixture, "TCP-MD5 (RFC 2385), IPv4 and IPv6: right key connects, wrong or no key does not") {
  REQUIRE_NETNS();
  struct Case {
    const char* name;
    const char* a_addr;
    const char* b_addr;
  };
  for (const Case& c : {Case{"IPv4", "10.12.0.1", "10.12.0.2"}, Case{"IPv6", "fd00:12::1", "fd00:12::2"}}) {
    CAPTURE(c.name);
    const int domain = ip(c.b_addr).is_v4() ? AF_INET : AF_INET6;
    Fd listener = socket_in(b(), domain);
    REQUIRE(ok(set_tcp_md5(listener.get(), ip(c.a_addr), "s3cret")));
    listen_at(listener, sock_addr(c.b_addr, kBgpPort));

    Fd good = socket_in(a(), domain);
    REQUIRE(ok(set_tcp_md5(good.get(), ip(c.b_addr), "s3cret")));
    REQUIRE(connect_within(good, sock_addr(c.b_addr, kBgpPort)) == 0);
    check_session(listener, good);

    const uint64_t failures = tcp_ext(b(), "TCPMD5Failure");
    const uint64_t not_found = tcp_ext(b(), "TCPMD5NotFound");
    Fd wrong = socket_in(a(), domain);
    REQUIRE(ok(set_tcp_md5(wrong.get(), ip(c.b_addr), "s3cref")));
    Fd unsigned_client = socket_in(a(), domain);
    const auto to = sock_addr(c.b_addr, kBgpPort);
    const auto results = connect_all({{wrong.get(), to}, {unsigned_client.get(), to}}, kDropWait);
    CHECK(results[0] == ETIMEDOUT);
    CHECK(results[1] == ETIMEDOUT);
    CHECK_FALSE(readable_within(listener.get(), 0ms));
    CHECK(tcp_ext(b(), "TCPMD5Failure") > failures);     // bad signature
    CHECK(tcp_ext(b(), "TCPMD5NotFound") > not_found);   // no signature where one is expected

    // An empty key removes it: now only unsigned connections get in.
    REQUIRE(ok(set_tcp_md5(listener.get(), ip(c.a_addr), "")));
    Fd plain = socket_in(a(), domain);
    REQUIRE(connect_within(plain, to) == 0);
    check_session(listener, plain);
  }
}

TEST_CASE_FIXTURE(NetnsFixture, "TCP-MD5 prefix keys (dynamic neighbours), IPv4 and IPv6") {
  REQUIRE_NETNS();
  Fd listener4 = socket_in(b(), AF_INET);
  REQUIRE(ok(set_tcp_md5_prefix(listener4.get(), prefix("10.12.0.0/24"), "range-key")));
  listen_at(listener4, sock_addr("10.12.0.2", kBgpPort));
  Fd listener6 = socket_in(b(), AF_INET6);
  REQUIRE(ok(set_v6_only(listener6.get(), true)));
  REQUIRE(ok(set_tcp_md5_prefix(listener6.get(), prefix("fd00:12::/64"), "range-key")));
  listen_at(listener6, sock_addr("fd00:12::2", kBgpPort));

  Fd good4 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_tcp_md5(good4.get(), ip("10.12.0.2"), "range-key")));
  REQUIRE(connect_within(good4, sock_addr("10.12.0.2", kBgpPort)) == 0);
  check_session(listener4, good4);
  Fd good6 = socket_in(a(), AF_INET6);
  REQUIRE(ok(set_tcp_md5(good6.get(), ip("fd00:12::2"), "range-key")));
  REQUIRE(connect_within(good6, sock_addr("fd00:12::2", kBgpPort)) == 0);
  check_session(listener6, good6);

  const uint64_t failures = tcp_ext(b(), "TCPMD5Failure");
  Fd wrong4 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_tcp_md5(wrong4.get(), ip("10.12.0.2"), "other-key")));
  Fd wrong6 = socket_in(a(), AF_INET6);
  REQUIRE(ok(set_tcp_md5(wrong6.get(), ip("fd00:12::2"), "other-key")));
  const auto results = connect_all(
      {{wrong4.get(), sock_addr("10.12.0.2", kBgpPort)}, {wrong6.get(), sock_addr("fd00:12::2", kBgpPort)}}, kDropWait);
  CHECK(results[0] == ETIMEDOUT);
  CHECK(results[1] == ETIMEDOUT);
  CHECK_FALSE(readable_within(listener4.get(), 0ms));
  CHECK_FALSE(readable_within(listener6.get(), 0ms));
  CHECK(tcp_ext(b(), "TCPMD5Failure") >= failures + 2);
}

// A signed SYN to a socket with no matching key is dropped (TCPMD5Unexpected), so
// each connection below proves the v4-mapped key was filed where the kernel looks.
TEST_CASE_FIXTURE(NetnsFixture, "TCP-MD5 for IPv4 peers on dual-stack AF_INET6 sockets (v4-mapped)") {
  REQUIRE_NETNS();
  Fd single = socket_in(b(), AF_INET6);
  REQUIRE(ok(set_v6_only(single.get(), false)));
  REQUIRE(ok(set_tcp_md5(single.get(), ip("10.12.0.1"), "mapped")));
  listen_at(single, sock_addr("::", kBgpPort));

  Fd ranged = socket_in(b(), AF_INET6);
  REQUIRE(ok(set_v6_only(ranged.get(), false)));
  REQUIRE(ok(set_tcp_md5_prefix(ranged.get(), prefix("10.12.0.0/24"), "mapped-range")));
  listen_at(ranged, sock_addr("::", kBgpPort + 1));

  // An IPv4 client talks to the dual-stack listener...
  Fd client4 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_tcp_md5(client4.get(), ip("10.12.0.2"), "mapped")));
  REQUIRE(connect_within(client4, sock_addr("10.12.0.2", kBgpPort)) == 0);
  check_session(single, client4);

  // ...and a dual-stack client keys its IPv4 peer on its AF_INET6 socket.
  Fd client6 = socket_in(a(), AF_INET6);
  REQUIRE(ok(set_tcp_md5(client6.get(), ip("10.12.0.2"), "mapped-range")));
  REQUIRE(connect_within(client6, sock_addr("::ffff:10.12.0.2", kBgpPort + 1)) == 0);
  check_session(ranged, client6);
}

// ---- 3. GTSM for real -----------------------------------------------------------

TEST_CASE_FIXTURE(NetnsFixture, "GTSM (RFC 5082): a directly connected peer must send with TTL 255") {
  REQUIRE_NETNS();
  Fd listener4 = socket_in(b(), AF_INET);
  REQUIRE(ok(set_ttl_security(listener4.get(), AddressFamily::ipv4, 1)));
  listen_at(listener4, sock_addr("10.12.0.2", kBgpPort));
  Fd listener6 = socket_in(b(), AF_INET6);
  REQUIRE(ok(set_v6_only(listener6.get(), true)));
  REQUIRE(ok(set_ttl_security(listener6.get(), AddressFamily::ipv6, 1)));
  listen_at(listener6, sock_addr("fd00:12::2", kBgpPort));
  // A dual-stack listener guards its IPv4 peers with the IPv4 option.
  Fd mapped = socket_in(b(), AF_INET6);
  REQUIRE(ok(set_v6_only(mapped.get(), false)));
  REQUIRE(ok(set_ttl_security(mapped.get(), AddressFamily::ipv4, 1)));
  listen_at(mapped, sock_addr("::", kBgpPort + 1));
  // Two hops allowed: TTL 254 is enough.
  Fd two_hops = socket_in(b(), AF_INET);
  REQUIRE(ok(set_ttl_security(two_hops.get(), AddressFamily::ipv4, 2)));
  listen_at(two_hops, sock_addr("10.12.0.2", kBgpPort + 2));

  // Clients with the default TTL / hop limit (64) are dropped.
  const uint64_t drops = tcp_ext(b(), "TCPMinTTLDrop");
  Fd plain4 = socket_in(a(), AF_INET);
  Fd plain6 = socket_in(a(), AF_INET6);
  Fd plain_mapped = socket_in(a(), AF_INET);
  Fd ttl253 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_ttl(ttl253.get(), AddressFamily::ipv4, 253)));
  const auto results = connect_all({{plain4.get(), sock_addr("10.12.0.2", kBgpPort)},
                                    {plain6.get(), sock_addr("fd00:12::2", kBgpPort)},
                                    {plain_mapped.get(), sock_addr("10.12.0.2", kBgpPort + 1)},
                                    {ttl253.get(), sock_addr("10.12.0.2", kBgpPort + 2)}},
                                   kDropWait);
  CHECK(results[0] == ETIMEDOUT);
  CHECK(results[1] == ETIMEDOUT);
  CHECK(results[2] == ETIMEDOUT);
  CHECK(results[3] == ETIMEDOUT);
  for (const Fd* l : {&listener4, &listener6, &mapped, &two_hops}) CHECK_FALSE(readable_within(l->get(), 0ms));
  CHECK(tcp_ext(b(), "TCPMinTTLDrop") >= drops + 4);

  // Clients sending with TTL 255 get in; the second one uses GTSM itself.
  Fd ttl255 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_ttl(ttl255.get(), AddressFamily::ipv4, 255)));
  REQUIRE(connect_within(ttl255, sock_addr("10.12.0.2", kBgpPort)) == 0);
  check_session(listener4, ttl255);

  Fd gtsm6 = socket_in(a(), AF_INET6);
  REQUIRE(ok(set_ttl_security(gtsm6.get(), AddressFamily::ipv6, 1)));
  REQUIRE(connect_within(gtsm6, sock_addr("fd00:12::2", kBgpPort)) == 0);
  check_session(listener6, gtsm6);

  Fd gtsm_mapped = socket_in(a(), AF_INET);
  REQUIRE(ok(set_ttl_security(gtsm_mapped.get(), AddressFamily::ipv4, 1)));
  REQUIRE(connect_within(gtsm_mapped, sock_addr("10.12.0.2", kBgpPort + 1)) == 0);
  check_session(mapped, gtsm_mapped);

  Fd ttl254 = socket_in(a(), AF_INET);
  REQUIRE(ok(set_ttl(ttl254.get(), AddressFamily::ipv4, 254)));
  REQUIRE(connect_within(ttl254, sock_addr("10.12.0.2", kBgpPort + 2)) == 0);
  check_session(two_hops, ttl254);
}

// ---- 4. link-local --------------------------------------------------------------

TEST_CASE_FIXTURE(NetnsFixture, "IPv6 link-local peers: scope id from the interface name, or SO_BINDTODEVICE") {
  REQUIRE_NETNS();
  Fd listener = socket_in(b(), AF_INET6);
  listen_at(listener, sock_addr("::", kBgpPort));
  const auto peer = ip("fe80::12:2");

  // The scope id is ptr-a's index in A; the name means nothing outside A.
  const auto endpoint =
      in_netns(a(), [&] { return std::optional(link_local_endpoint(peer, "ptr-a", kBgpPort)); });
  REQUIRE(endpoint.has_value());
  REQUIRE(ok(*endpoint));
  const unsigned index_in_a = in_netns(a(), [] { return ::if_nametoindex("ptr-a"); });
  CHECK(index_in_a != 0);
  CHECK((*endpoint)->address().to_v6().scope_id() == index_in_a);
  // (Not checked through to_string(): Asio names the scope with if_indextoname in
  // the calling thread's namespace, where index 2 may be some other interface.)
  CHECK_FALSE(link_local_endpoint(peer, "ptr-a", kBgpPort).has_value());  // not in this namespace

  SUBCASE("scope id") {
    Fd client = socket_in(a(), AF_INET6);
    REQUIRE(connect_within(client, sock_addr(**endpoint)) == 0);
    check_session(listener, client);
  }

  SUBCASE("bound to the device, no scope id") {
    Fd client = socket_in(a(), AF_INET6);
    REQUIRE(ok(bind_to_device(client.get(), "ptr-a")));
    char name[IFNAMSIZ] = {};
    socklen_t len = sizeof name;
    REQUIRE(::getsockopt(client.get(), SOL_SOCKET, SO_BINDTODEVICE, name, &len) == 0);
    CHECK(std::string(name) == "ptr-a");
    REQUIRE(connect_within(client, sock_addr("fe80::12:2", kBgpPort)) == 0);
    check_session(listener, client);
  }

  SUBCASE("neither: the kernel cannot tell the link") {
    Fd client = socket_in(a(), AF_INET6);
    CHECK(connect_within(client, sock_addr("fe80::12:2", kBgpPort)) == EINVAL);
  }

  SUBCASE("with TCP-MD5 on the link-local addresses") {
    Fd keyed = socket_in(b(), AF_INET6);
    REQUIRE(ok(bind_to_device(keyed.get(), "ptr-b")));
    REQUIRE(ok(set_tcp_md5(keyed.get(), ip("fe80::12:1"), "unnumbered")));
    listen_at(keyed, sock_addr("::", kBgpPort + 1));
    Fd client = socket_in(a(), AF_INET6);
    REQUIRE(ok(bind_to_device(client.get(), "ptr-a")));
    REQUIRE(ok(set_tcp_md5(client.get(), peer, "unnumbered")));
    REQUIRE(connect_within(client, sock_addr("fe80::12:2", kBgpPort + 1)) == 0);
    check_session(keyed, client);
  }
}
