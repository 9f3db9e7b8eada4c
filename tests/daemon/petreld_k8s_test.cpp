// petreld itself (the program, main.cpp's wiring) with Kubernetes enabled, against
// the local HTTPS API server of tests/k8s/support running in this process: a
// kubeconfig made here, petreld started as a child process (FIB in dry run, no
// listening socket, everything on loopback), checked through its control socket
// and /readyz. No namespaces, no kernel routes. Each wait is bounded (10 s) and
// polls petreld's answers, as an operator would.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "k8s/informer.hpp"

#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"

extern char** environ;

using namespace petrel::k8s;
using namespace petrel::k8s::test;
namespace fs = std::filesystem;

namespace {

// Reads what is there within `ms`, until `done(text)` holds or the peer closes.
std::string read_until(int fd, const std::function<bool(const std::string&)>& done, int ms = 5000) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!done(out)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// The reply is complete with its last line: "DDDD text\n" (four digits and a space).
bool reply_complete(const std::string& text) {
  if (text.empty() || text.back() != '\n') return false;
  const std::size_t start = text.rfind('\n', text.size() - 2);
  const std::string last = text.substr(start == std::string::npos ? 0 : start + 1);
  return last.size() >= 5 && std::isdigit(static_cast<unsigned char>(last[0])) && last[4] == ' ';
}

// One command on a fresh connection to the control socket; "" when it cannot connect.
std::string control(const std::string& socket_path, const std::string& command) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "";
  }
  read_until(fd, reply_complete);  // the greeting
  const std::string line = command + "\n";
  (void)!::write(fd, line.data(), line.size());
  std::string reply = read_until(fd, reply_complete);
  ::close(fd);
  return reply;
}

// GET path over HTTP/1.0 on 127.0.0.1:port; the whole response.
std::string http_get(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "";
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out = read_until(fd, [](const std::string&) { return false; }, 2000);
  ::close(fd);
  return out;
}

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <class Pred>
bool eventually(Pred p) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!p()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Starts petreld -c CONFIG --foreground with stderr to LOG. Only fds 0-2 are
// passed on: an inherited copy of the API server's listening socket would keep
// it "reachable" after the server is gone.
pid_t spawn_petreld(const std::string& config, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) ::dup2(fd, 2);
  ::close_range(3, ~0U, 0);
  const char* argv[] = {PETRELD_PATH, "-c", config.c_str(), "--foreground", nullptr};
  ::execve(PETRELD_PATH, const_cast<char* const*>(argv), environ);
  ::_exit(127);
}

struct Petreld {
  pid_t pid = -1;
  ~Petreld() { stop(); }
  // SIGTERM; true when petreld exited 0 (under the sanitizers: with no report).
  bool stop() {
    if (pid <= 0) return false;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
};

}  // namespace

TEST_CASE("petreld with kubernetes enabled: announces, follows the cluster, keeps everything when the API server goes") {
  const TestPki pki = make_test_pki();
  auto server = std::make_unique<FakeApiServer>(pki);
  server->add_collection(nodes_path, "NodeList", "v1");
  server->add_collection(services_path, "ServiceList", "v1");
  server->add_collection(endpoint_slices_path, "EndpointSliceList", "discovery.k8s.io/v1");
  server->add_collection(secrets_path("petrel"), "SecretList", "v1");
  server->with([](FakeApiServer::State& s) {
    s.upsert(nodes_path, node_json("node-a", "127.0.0.1", "10.244.1.0/24"));
    s.upsert(nodes_path, node_json("node-b", "127.0.0.2", "10.244.2.0/24"));
    s.upsert(services_path, service_json("shop", "web", "Local", "10.96.12.34", {}, {"198.51.100.7"}));
    s.upsert(endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", true}}));
  });

  const fs::path dir = fs::temp_directory_path() / ("petreld-k8s-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "ca.crt") << pki.ca.cert_pem;
  std::ofstream(dir / "kubeconfig") << "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                                    << "clusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:" << server->port()
                                    << "\", certificate-authority: ca.crt}\n"
                                    << "users:\n- name: u\n  user: {token: test-token}\n"
                                    << "contexts:\n- name: test\n  context: {cluster: c, user: u}\n";
  const std::string socket = (dir / "ctl").string();
  const uint16_t metrics = free_port();
  std::ofstream(dir / "petrel.yaml") << "router-id: 10.0.0.11\nlocal-as: 64512\n"
                                     << "control-socket: " << socket << "\n"
                                     << "metrics: 127.0.0.1:" << metrics << "\n"
                                     << "fib: {enabled: false}\nstore: {path: " << (dir / "store").string() << "}\n"
                                     << "kubernetes:\n  enabled: true\n  kubeconfig: " << (dir / "kubeconfig").string()
                                     << "\n  node-name: ${PETREL_TEST_NODE}\n"
                                     << "  advertise: {pod-cidrs: true, cluster-ips: [10.96.0.0/12], "
                                        "load-balancer-ips: [198.51.100.0/24]}\n";

  ::setenv("PETREL_TEST_NODE", "node-a", 1);
  Petreld d;
  const std::string config = (dir / "petrel.yaml").string();
  const std::string log = (dir / "petreld.log").string();
  d.pid = spawn_petreld(config, log);
  REQUIRE(d.pid > 0);

  auto route = [&] { return control(socket, "show route"); };
  auto log_text = [&] {
    std::ifstream in(log);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  REQUIRE_MESSAGE(eventually([&] { return contains(route(), "198.51.100.7/32"); }), log_text());
  std::string r = route();
  CHECK(contains(r, "10.244.1.0/24"));
  CHECK(contains(r, "blackhole [static"));  // the pod CIDR
  CHECK(contains(r, "10.96.0.0/12"));
  CHECK_FALSE(contains(r, "10.244.2.0/24"));
  CHECK(contains(control(socket, "show protocols"), "node-node-b"));
  CHECK(contains(http_get(metrics, "/readyz"), "200 OK"));
  const std::string k8s = control(socket, "show k8s");
  CHECK(contains(k8s, "1101-Kubernetes: node node-a, API server 127.0.0.1:"));
  CHECK(contains(k8s, "node-node-b 127.0.0.2 AS64512 mesh <- node node-b (full mesh)"));
  CHECK(contains(control(socket, "json show k8s"), "\"synced_once\":true"));
  CHECK(contains(http_get(metrics, "/metrics"), "petrel_k8s_peers 1"));

  // The endpoint moves to node-b: the LoadBalancer IP is withdrawn here.
  server->upsert(endpoint_slices_path, slice_json("shop", "web", "web-abcde", {{"node-a", false}, {"node-b", true}}));
  CHECK(eventually([&] { return !contains(route(), "198.51.100.7/32"); }));
  // node-b leaves: its session goes.
  server->remove(nodes_path, "node-b");
  CHECK(eventually([&] { return !contains(control(socket, "show protocols"), "node-node-b"); }));
  // SIGHUP recomputes file + cluster: nothing changes.
  ::kill(d.pid, SIGHUP);
  CHECK(eventually([&] { return contains(log_text(), "SIGHUP: nothing changed"); }));

  // The API server goes away: nothing is withdrawn, petreld stays ready.
  const std::string before = route();
  server.reset();
  CHECK(eventually([&] { return contains(control(socket, "show k8s"), "Connection refused"); }));
  CHECK(route() == before);
  CHECK(contains(before, "10.244.1.0/24"));
  CHECK(contains(http_get(metrics, "/readyz"), "200 OK"));

  CHECK_MESSAGE(d.stop(), log_text());
  fs::remove_all(dir);
}

TEST_CASE("petreld with kubernetes enabled and the API server not there: not ready, nothing derived; a bad kubeconfig stops it") {
  const fs::path dir = fs::temp_directory_path() / ("petreld-k8s-test2-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const TestPki pki = make_test_pki();
  std::ofstream(dir / "ca.crt") << pki.ca.cert_pem;
  const uint16_t api = free_port();  // nobody listens there
  std::ofstream(dir / "kubeconfig") << "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                                    << "clusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:" << api
                                    << "\", certificate-authority: ca.crt}\n"
                                    << "users:\n- name: u\n  user: {token: t}\n"
                                    << "contexts:\n- name: test\n  context: {cluster: c, user: u}\n";
  const std::string socket = (dir / "ctl").string();
  const uint16_t metrics = free_port();
  auto write_config = [&](const std::string& kubeconfig) {
    std::ofstream(dir / "petrel.yaml") << "router-id: 10.0.0.11\nlocal-as: 64512\n"
                                       << "control-socket: " << socket << "\n"
                                       << "metrics: 127.0.0.1:" << metrics << "\n"
                                       << "fib: {enabled: false}\nstore: {path: " << (dir / "store").string() << "}\n"
                                       << "kubernetes: {enabled: true, node-name: node-a, kubeconfig: " << kubeconfig
                                       << "}\n";
  };
  write_config((dir / "kubeconfig").string());
  const std::string config = (dir / "petrel.yaml").string();
  auto spawn = [&](Petreld& d) {
    d.pid = spawn_petreld(config, (dir / "petreld.log").string());
    REQUIRE(d.pid > 0);
  };
  {
    Petreld d;
    spawn(d);
    REQUIRE(eventually([&] { return contains(http_get(metrics, "/readyz"), "503"); }));
    CHECK(contains(http_get(metrics, "/readyz"), "not ready: kubernetes"));
    CHECK(contains(control(socket, "show k8s"), "nothing derived yet"));
    CHECK(contains(control(socket, "show k8s"), "synced once: no"));
    // A reload naming a kubeconfig that does not exist is refused; the running one stays.
    write_config((dir / "missing").string());
    const std::string reply = control(socket, "configure");
    CHECK(contains(reply, "8002 kubernetes: "));
    CHECK(contains(reply, "missing"));
    CHECK(d.stop());
  }
  // At start, the same is an error and petreld exits 1.
  Petreld d;
  spawn(d);
  int status = 0;
  REQUIRE(::waitpid(d.pid, &status, 0) == d.pid);
  d.pid = -1;
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  fs::remove_all(dir);
}
