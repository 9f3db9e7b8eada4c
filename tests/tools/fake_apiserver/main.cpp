// tests/tools/fake_apiserver/main.cpp — fake-apiserver: the test suite's list/watch
// API server (tests/k8s/support/fake_api_server.hpp) as a program of its own, for
// network-namespace scenarios where petreld and petrel-policy run as processes.
//
//   fake-apiserver serve --dir DIR [--listen ADDR] [--port N] [--token TOKEN]
//                        [--namespace NS]... [--san NAMES] [--without KIND]...
//   fake-apiserver ctl SOCKET COMMAND...
//
// serve: makes (or, when DIR already holds them, reuses) a CA in DIR/ca.crt and
// DIR/ca.key, issues a server certificate for ADDR (plus 127.0.0.1, ::1, localhost,
// kubernetes.default.svc and any --san "IP:x,DNS:y"), listens on ADDR:N over TLS
// (default 127.0.0.1, a free port), and writes DIR/kubeconfig (server URL,
// certificate-authority-data, token) for clients. It serves nodes, namespaces,
// services, pods, endpointslices, networkpolicies cluster-wide and secrets per
// namespace (--namespace, default petrel, kube-system and default; applying a
// Secret elsewhere adds its namespace). Objects and the resourceVersion counter
// are kept in DIR/state.json after every change and loaded at start, so a
// restarted server goes on where it stopped, as one backed by etcd does.
// --without KIND leaves KIND's collection out (lists and watches of it get 404,
// as from a server that lacks the resource; a saved state's objects of that kind
// are dropped, and the state file written without them) until an object of that
// kind is applied.
// Commands (control.hpp) arrive on the Unix socket DIR/control.sock, one per
// line, each answered with one line. When ready it prints
// "fake-apiserver: serving https://ADDR:PORT" on standard output. SIGTERM or
// SIGINT stops it.
// ctl: sends one command, prints the answer; exit 0 for "ok", 1 for "error", 2
// when the server cannot be reached.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"
#include "tests/tools/fake_apiserver/control.hpp"
#include "tests/tools/fake_apiserver/kinds.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using local = asio::local::stream_protocol;
using petrel::k8s::test::CertAndKey;
using petrel::k8s::test::FakeApiServer;
using petrel::k8s::test::TestPki;

namespace {

const char* const usage =
    "usage: fake-apiserver serve --dir DIR [--listen ADDR] [--port N] [--token TOKEN] [--namespace NS]... "
    "[--san NAMES] [--without KIND]...\n"
    "       fake-apiserver ctl SOCKET COMMAND...\n";

struct ServeOptions {
  std::string dir;
  std::string listen = "127.0.0.1";
  uint16_t port = 0;
  std::string token = "petrel-test-token";
  std::vector<std::string> namespaces;
  std::string extra_san;
  std::vector<const petrel::k8s::fake::KindInfo*> without;  // collections not served at start
};

[[noreturn]] void die(const std::string& message) {
  std::cerr << "fake-apiserver: " << message << "\n";
  std::exit(1);
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text, fs::perms perms) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) die("cannot write " + tmp.string() + ": " + std::strerror(errno));
    out << text;
    if (!out.flush()) die("cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::permissions(tmp, perms, ec);
  fs::rename(tmp, path, ec);
  if (ec) die("cannot rename " + tmp.string() + ": " + ec.message());
}

ServeOptions parse_serve(int argc, char** argv) {
  ServeOptions o;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value\n" + usage);
      return argv[++i];
    };
    if (a == "--dir") {
      o.dir = value();
    } else if (a == "--listen") {
      o.listen = value();
    } else if (a == "--port") {
      const std::string v = value();
      char* end = nullptr;
      const unsigned long p = std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || p > 65535) die("--port: \"" + v + "\" is not a port number");
      o.port = static_cast<uint16_t>(p);
    } else if (a == "--token") {
      o.token = value();
    } else if (a == "--namespace") {
      o.namespaces.push_back(value());
    } else if (a == "--san") {
      o.extra_san = value();
    } else if (a == "--without") {
      const std::string v = value();
      const auto* kind = petrel::k8s::fake::find_kind(v);
      if (kind == nullptr) die("--without: unknown kind \"" + v + "\"");
      o.without.push_back(kind);
    } else {
      die("unknown option \"" + a + "\"\n" + usage);
    }
  }
  if (o.dir.empty()) die(std::string("--dir is required\n") + usage);
  if (o.namespaces.empty()) o.namespaces = {"petrel", "kube-system", "default"};
  boost::system::error_code ec;
  asio::ip::make_address(o.listen, ec);
  if (ec) die("--listen: \"" + o.listen + "\" is not an IP address");
  return o;
}

// The CA of an earlier run in DIR, or a new one written there.
TestPki load_or_make_pki(const ServeOptions& o) {
  const fs::path cert = fs::path(o.dir) / "ca.crt", key = fs::path(o.dir) / "ca.key";
  std::string names = std::string(petrel::k8s::test::loopback_names);
  const auto addr = asio::ip::make_address(o.listen);
  if (!addr.is_unspecified() && !addr.is_loopback()) names = "IP:" + o.listen + "," + names;
  if (!o.extra_san.empty()) names += "," + o.extra_san;
  auto cert_pem = read_file(cert);
  auto key_pem = read_file(key);
  if (cert_pem && key_pem) {
    std::string error;
    TestPki pki = petrel::k8s::test::issue_from_ca({*cert_pem, *key_pem}, names, error);
    if (!error.empty()) die(cert.string() + ", " + key.string() + ": " + error);
    return pki;
  }
  TestPki pki = petrel::k8s::test::make_test_pki("petrel-fake-apiserver-ca", names);
  write_file(key, pki.ca.key_pem, fs::perms::owner_read | fs::perms::owner_write);
  write_file(cert, pki.ca.cert_pem, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                        fs::perms::others_read);
  return pki;
}

std::string server_url(const ServeOptions& o, uint16_t port) {
  const auto addr = asio::ip::make_address(o.listen);
  std::string host = o.listen;
  if (addr.is_unspecified()) host = addr.is_v6() ? "::1" : "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "https://" + host + ":" + std::to_string(port);
}

std::string kubeconfig_text(const std::string& url, const std::string& ca_pem, const std::string& token) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: fake\n"
         "  cluster:\n"
         "    server: " + url + "\n"
         "    certificate-authority-data: " + petrel::k8s::test::base64_encode(ca_pem) + "\n"
         "users:\n"
         "- name: petrel\n"
         "  user:\n"
         "    token: " + token + "\n"
         "contexts:\n"
         "- name: fake\n"
         "  context:\n"
         "    cluster: fake\n"
         "    user: petrel\n"
         "current-context: fake\n";
}

struct Server {
  FakeApiServer& api;
  fs::path state_file;

  void save(const json::object& dump) {
    write_file(state_file, json::serialize(dump) + "\n", fs::perms::owner_read | fs::perms::owner_write);
  }

  std::string answer(const std::string& line) {
    petrel::k8s::fake::Answer a;
    json::object dump;
    api.with([&](FakeApiServer::State& s) {
      a = petrel::k8s::fake::run_command(line, s);
      if (a.changed) dump = s.dump();
    });
    if (a.changed) save(dump);
    std::cerr << "fake-apiserver: " << line << " -> " << a.text << "\n";
    return a.text;
  }

  asio::awaitable<void> client(local::socket socket) {
    asio::streambuf buf;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(socket, buf, '\n', asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + static_cast<long>(n) - 1);
      buf.consume(n);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string reply = answer(line) + "\n";
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
      if (wec) break;
    }
  }

  asio::awaitable<void> accept(local::acceptor& acceptor) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(acceptor.get_executor(), client(std::move(socket)), asio::detached);
    }
  }
};

// Leaves the collections of the --without kinds out of a saved state (a dump());
// returns how many it left out.
std::size_t drop_collections(json::object& dump, const std::vector<const petrel::k8s::fake::KindInfo*>& without) {
  json::value* collections = dump.if_contains("collections");
  if (collections == nullptr || !collections->is_object()) return 0;  // restore() says what is wrong
  std::vector<std::string> dropped;
  for (const auto& [path, _] : collections->as_object())
    for (const auto* kind : without)
      if (petrel::k8s::fake::is_collection_of(*kind, path)) dropped.emplace_back(path);
  for (const std::string& path : dropped) collections->as_object().erase(path);
  return dropped.size();
}

int serve(int argc, char** argv) {
  const ServeOptions o = parse_serve(argc, argv);
  std::error_code fec;
  fs::create_directories(o.dir, fec);
  if (fec) die("cannot create " + o.dir + ": " + fec.message());
  const TestPki pki = load_or_make_pki(o);

  std::unique_ptr<FakeApiServer> api;
  try {
    api = std::make_unique<FakeApiServer>(pki, o.token, o.listen, o.port);
  } catch (const boost::system::system_error& e) {
    die("cannot listen on " + o.listen + " port " + std::to_string(o.port) + ": " + e.code().message());
  }
  std::string restore_error;
  bool dropped_saved = false;  // --without left saved collections out: the state file is written again
  json::object restored;
  const fs::path state_file = fs::path(o.dir) / "state.json";
  const auto saved = read_file(state_file);
  api->with([&](FakeApiServer::State& s) {
    if (saved) {
      boost::system::error_code ec;
      json::value doc = json::parse(*saved, ec);
      if (ec || !doc.is_object()) {
        restore_error = "not a JSON object";
      } else {
        dropped_saved = drop_collections(doc.as_object(), o.without) > 0;
        restore_error = s.restore(doc.as_object());
      }
      if (!restore_error.empty()) return;
    }
    using petrel::k8s::fake::KindInfo;
    for (const KindInfo& k : petrel::k8s::fake::kinds()) {
      if (std::ranges::find(o.without, &k) != o.without.end()) continue;
      if (!k.per_namespace_path) {
        if (!s.has_collection(k.path())) s.add_collection(k.path(), k.list_kind(), std::string(k.api_version));
        continue;
      }
      for (const std::string& ns : o.namespaces)
        if (!s.has_collection(k.path(ns))) s.add_collection(k.path(ns), k.list_kind(), std::string(k.api_version));
    }
    if (dropped_saved) restored = s.dump();
  });
  if (!restore_error.empty()) die(state_file.string() + ": " + restore_error);
  if (dropped_saved) write_file(state_file, json::serialize(restored) + "\n", fs::perms::owner_read | fs::perms::owner_write);

  const std::string url = server_url(o, api->port());
  api->with([&](FakeApiServer::State& s) {
    for (auto& [path, doc] : petrel::k8s::fake::discovery_documents(url.substr(std::string("https://").size())))
      s.set_document(path, std::move(doc));
  });
  write_file(fs::path(o.dir) / "kubeconfig", kubeconfig_text(url, pki.ca.cert_pem, o.token),
             fs::perms::owner_read | fs::perms::owner_write);

  asio::io_context ioc;
  const fs::path sock_path = fs::path(o.dir) / "control.sock";
  fs::remove(sock_path, fec);
  local::acceptor acceptor(ioc);
  try {
    acceptor = local::acceptor(ioc, local::endpoint(sock_path.string()));
  } catch (const boost::system::system_error& e) {
    die("cannot listen on " + sock_path.string() + ": " + e.code().message());
  }
  ::chmod(sock_path.c_str(), 0600);
  Server server{*api, state_file};
  asio::co_spawn(ioc, server.accept(acceptor), asio::detached);
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });

  std::cout << "fake-apiserver: serving " << url << " (kubeconfig " << (fs::path(o.dir) / "kubeconfig").string()
            << ", control " << sock_path.string() << ")" << std::endl;
  ioc.run();
  fs::remove(sock_path, fec);
  std::cout << "fake-apiserver: stopped" << std::endl;
  return 0;
}

int ctl(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << usage;
    return 2;
  }
  std::string line;
  for (int i = 3; i < argc; ++i) line += (i > 3 ? " " : "") + std::string(argv[i]);
  asio::io_context ioc;
  local::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect(local::endpoint(argv[2]), ec);
  if (ec) {
    std::cerr << "fake-apiserver ctl: cannot connect to " << argv[2] << ": " << ec.message() << "\n";
    return 2;
  }
  line += "\n";
  asio::write(socket, asio::buffer(line), ec);
  asio::streambuf buf;
  if (!ec) asio::read_until(socket, buf, '\n', ec);
  if (ec) {
    std::cerr << "fake-apiserver ctl: no answer from " << argv[2] << ": " << ec.message() << "\n";
    return 2;
  }
  std::string answer(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
  if (auto nl = answer.find('\n'); nl != std::string::npos) answer.resize(nl);
  std::cout << answer << "\n";
  return answer == "ok" || answer.starts_with("ok ") ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve") return serve(argc, argv);
  if (mode == "ctl") return ctl(argc, argv);
  std::cerr << usage;
  return 2;
}
