// petrel-fake-apiserver — the in-suite Kubernetes API server (tests/k8s/support/
// fake_api_server.hpp) as a program, for end-to-end runs of the real binaries.
//
//   petrel-fake-apiserver --dir DIR [--without pods]
//
// Serves pods, namespaces and networkpolicies (the kinds petrel-policy watches) over
// HTTPS on 127.0.0.1 with a CA made at start, and writes DIR/kubeconfig (CA inline,
// bearer token) for clients. Then it reads commands, one per line, from the FIFO
// DIR/commands (held open, so writers come and go) and appends "ok LINE" or
// "error LINE: why" to DIR/applied after each:
//   upsert PATH FILE.json      add or change the object in FILE under collection PATH
//   remove PATH NAMESPACE/NAME
//   drop PATH                  drop the open watches of PATH (clients resume)
//   compact                    forget the event history (resumes get 410 Gone)
//   add-collection pods        serve a collection left out with --without
//   quit
// Loopback only; a test tool, not a product.
#include "k8s/informer.hpp"
#include "tests/k8s/support/fake_api_server.hpp"
#include "tests/k8s/support/fixtures.hpp"
#include "tests/k8s/support/test_pki.hpp"

#include <boost/json/parse.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

using namespace petrel;
using namespace petrel::k8s::test;

namespace {

struct Collection {
  const char* path;
  const char* list_kind;
  const char* api_version;
};
const std::map<std::string, Collection> kCollections = {
    {"pods", {k8s::pods_path, "PodList", "v1"}},
    {"namespaces", {k8s::namespaces_path, "NamespaceList", "v1"}},
    {"networkpolicies", {k8s::network_policies_path, "NetworkPolicyList", "networking.k8s.io/v1"}},
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::string without;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--dir") dir = argv[i + 1];
    else if (a == "--without") without = argv[i + 1];
  }
  if (dir.empty()) {
    std::cerr << "usage: petrel-fake-apiserver --dir DIR [--without pods|namespaces|networkpolicies]\n";
    return 2;
  }
  const TestPki pki = make_test_pki();
  FakeApiServer server(pki);
  for (const auto& [name, c] : kCollections)
    if (name != without) server.add_collection(c.path, c.list_kind, c.api_version);

  const std::string fifo = dir + "/commands";
  if (mkfifo(fifo.c_str(), 0600) != 0 && errno != EEXIST) {
    std::perror("mkfifo");
    return 1;
  }
  {
    std::ofstream kc(dir + "/kubeconfig.tmp");
    kc << "apiVersion: v1\nkind: Config\ncurrent-context: fake\n"
       << "clusters:\n- name: fake\n  cluster:\n    server: https://127.0.0.1:" << server.port()
       << "\n    certificate-authority-data: " << base64_encode(pki.ca.cert_pem) << "\n"
       << "users:\n- name: petrel\n  user:\n    token: test-token\n"
       << "contexts:\n- name: fake\n  context: {cluster: fake, user: petrel}\n";
  }
  std::rename((dir + "/kubeconfig.tmp").c_str(), (dir + "/kubeconfig").c_str());
  std::cout << "serving on 127.0.0.1:" << server.port() << std::endl;

  // O_RDWR: we are a writer too, so the FIFO never reports end-of-file between
  // the test's writes.
  int fd = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    std::perror("open commands");
    return 1;
  }
  FILE* in = fdopen(fd, "r");
  std::ofstream applied(dir + "/applied", std::ios::app);
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in)) > 0) {
    std::string text(line, static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::istringstream words(text);
    std::string cmd, a, b;
    words >> cmd >> a >> b;
    std::string error;
    try {
      if (cmd == "quit") break;
      auto path = [&](const std::string& name) -> std::string {
        auto it = kCollections.find(name);
        if (it == kCollections.end()) throw std::runtime_error("unknown collection " + name);
        return it->second.path;
      };
      if (cmd == "upsert") server.upsert(path(a), boost::json::parse(read_all(b)));
      else if (cmd == "remove") server.remove(path(a), b);
      else if (cmd == "drop") server.drop_watches(path(a), /*mid_line=*/false);
      else if (cmd == "compact") server.compact();
      else if (cmd == "add-collection") {
        const Collection& c = kCollections.at(a);
        server.add_collection(c.path, c.list_kind, c.api_version);
      } else if (!cmd.empty()) error = "unknown command";
    } catch (const std::exception& e) {
      error = e.what();
    }
    applied << (error.empty() ? "ok " + text : "error " + text + ": " + error) << std::endl;
  }
  free(line);
  fclose(in);
  return 0;
}
