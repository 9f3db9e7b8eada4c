// kubeconfig files, in-cluster service-account access, and token rotation.
#include "k8s/cluster_access.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "k8s/token_source.hpp"

using namespace petrel;
using namespace petrel::k8s;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system's temporary directory, removed afterwards.
struct TempDir {
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "petrel-k8s-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = path + "/" + name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    return p;
  }
  std::string path;
};

const char* kCa = "-----BEGIN CERTIFICATE-----\nfake-ca\n-----END CERTIFICATE-----\n";

std::string b64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (in.size() - i == 1) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

std::string kubeconfig(const std::string& cluster_extra, const std::string& user_extra,
                       const std::string& server = "https://10.0.0.5:6443") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: admin@lab\n"
         "clusters:\n- name: other\n  cluster:\n    server: https://other:1\n"
         "- name: lab\n  cluster:\n    server: " + server + "\n" + cluster_extra +
         "contexts:\n- name: admin@lab\n  context:\n    cluster: lab\n    user: admin\n    namespace: petrel\n"
         "- name: plain\n  context:\n    cluster: lab\n"
         "users:\n- name: admin\n  user:\n" + user_extra;
}

std::string token_of(TokenSource& t) {
  auto r = t.get();
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("kubeconfig with inline CA, client certificate and key") {
  TempDir dir;
  const std::string path = dir.write(
      "config", kubeconfig("    certificate-authority-data: " + b64(kCa) + "\n",
                           "    client-certificate-data: " + b64("CERT") + "\n    client-key-data: " + b64("KEY") + "\n"));
  auto a = load_kubeconfig(path);
  REQUIRE(a.has_value());
  CHECK(a->host == "10.0.0.5");
  CHECK(a->port == 6443);
  CHECK(a->ca_pem == kCa);
  CHECK(a->client_cert_pem == "CERT");
  CHECK(a->client_key_pem == "KEY");
  CHECK(a->token.empty());
  CHECK(a->default_namespace == "petrel");
  CHECK(a->source == "kubeconfig " + path + " context admin@lab");
}

TEST_CASE("kubeconfig with CA and certificate files relative to the kubeconfig, and a token") {
  TempDir dir;
  dir.write("ca.crt", kCa);
  dir.write("client.crt", "CERTFILE");
  dir.write("client.key", "KEYFILE");
  const std::string path = dir.write(
      "config", kubeconfig("    certificate-authority: ca.crt\n",
                           "    client-certificate: client.crt\n    client-key: " + dir.path + "/client.key\n    token: abc\n",
                           "https://[fd00::5]:8443/"));
  auto a = load_kubeconfig(path);
  REQUIRE(a.has_value());
  CHECK(a->host == "fd00::5");
  CHECK(a->port == 8443);
  CHECK(a->ca_pem == kCa);
  CHECK(a->client_cert_pem == "CERTFILE");
  CHECK(a->client_key_pem == "KEYFILE");
  CHECK(a->token == "abc");
}

TEST_CASE("kubeconfig: a named context, tokenFile, and the default port") {
  TempDir dir;
  dir.write("token", "t0k3n\n");
  const std::string path =
      dir.write("config", kubeconfig("", "    tokenFile: token\n", "https://api.lab.example"));
  auto a = load_kubeconfig(path, "plain");
  REQUIRE(a.has_value());
  CHECK(a->host == "api.lab.example");
  CHECK(a->port == 443);
  CHECK(a->token_file.empty());  // the "plain" context has no user
  CHECK(a->default_namespace == "default");
  auto b = load_kubeconfig(path);
  REQUIRE(b.has_value());
  CHECK(b->token_file == dir.path + "/token");
}

TEST_CASE("kubeconfig refusals and errors name the file and the key") {
  TempDir dir;
  SUBCASE("insecure-skip-tls-verify is refused") {
    const std::string path = dir.write("config", kubeconfig("    insecure-skip-tls-verify: true\n", "    token: x\n"));
    auto a = load_kubeconfig(path);
    REQUIRE(a.has_error());
    CHECK(a.error().key == "clusters[lab].cluster.insecure-skip-tls-verify");
    CHECK(a.error().message == "is refused: Petrel always verifies the API server's certificate");
    CHECK(a.error().file == path);
    CHECK(a.error().line == 11);
  }
  SUBCASE("plain http is refused") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("", "    token: x\n", "http://10.0.0.5:8080")));
    REQUIRE(a.has_error());
    CHECK(a.error().key == "clusters[lab].cluster.server");
    CHECK(a.error().message.find("refused, TLS verification is always on") != std::string::npos);
  }
  SUBCASE("a missing CA file") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("    certificate-authority: nope.crt\n", "    token: x\n")));
    REQUIRE(a.has_error());
    CHECK(a.error().key == "clusters[lab].cluster.certificate-authority");
    CHECK(a.error().message.find("cannot read " + dir.path + "/nope.crt") == 0);
  }
  SUBCASE("bad base64") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("    certificate-authority-data: '***'\n", "    token: x\n")));
    REQUIRE(a.has_error());
    CHECK(a.error().to_string().find("clusters[lab].cluster.certificate-authority-data: is not valid base64") !=
          std::string::npos);
  }
  SUBCASE("a certificate without its key") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("", "    client-certificate-data: " + b64("C") + "\n")));
    REQUIRE(a.has_error());
    CHECK(a.error().key == "users[admin].user");
  }
  SUBCASE("an exec plugin") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("", "    exec:\n      command: aws\n")));
    REQUIRE(a.has_error());
    CHECK(a.error().key == "users[admin].user.exec");
  }
  SUBCASE("an unknown context") {
    auto a = load_kubeconfig(dir.write("config", kubeconfig("", "    token: x\n")), "nope");
    REQUIRE(a.has_error());
    CHECK(a.error().message == "names \"nope\", which is not in contexts");
  }
  SUBCASE("no such file") {
    auto a = load_kubeconfig(dir.path + "/missing");
    REQUIRE(a.has_error());
    CHECK(a.error().file == dir.path + "/missing");
  }
  SUBCASE("not YAML") {
    auto a = load_kubeconfig(dir.write("config", "clusters: [\n"));
    REQUIRE(a.has_error());
    CHECK(a.error().line > 0);
  }
}

TEST_CASE("in-cluster access from the environment and the service account files") {
  TempDir dir;
  InClusterPaths paths{dir.write("token", "sa-token\n"), dir.write("ca.crt", kCa), dir.write("namespace", "petrel")};
  auto env = [](const std::string& n) -> std::optional<std::string> {
    if (n == "KUBERNETES_SERVICE_HOST") return std::string("10.96.0.1");
    if (n == "KUBERNETES_SERVICE_PORT") return std::string("443");
    return std::nullopt;
  };
  auto a = load_in_cluster(env, paths);
  REQUIRE(a.has_value());
  CHECK(a->host == "10.96.0.1");
  CHECK(a->port == 443);
  CHECK(a->ca_pem == kCa);
  CHECK(a->token_file == paths.token);
  CHECK(a->default_namespace == "petrel");
  CHECK(a->source == "in-cluster");

  auto no_env = load_in_cluster([](const std::string&) { return std::optional<std::string>(); }, paths);
  REQUIRE(no_env.has_error());
  CHECK(no_env.error().key == "KUBERNETES_SERVICE_HOST");
  paths.ca = dir.path + "/none";
  auto no_ca = load_in_cluster(env, paths);
  REQUIRE(no_ca.has_error());
  CHECK(no_ca.error().file == dir.path + "/none");
}

TEST_CASE("the token file is re-read when it changes, after a minute, or after a 401") {
  TempDir dir;
  const std::string file = dir.write("token", "one\n");
  ManualClock clock;
  TokenSource tokens("", file, clock);
  CHECK(token_of(tokens) == "one");
  CHECK(token_of(tokens) == "one");
  CHECK(tokens.reads() == 1);

  dir.write("token", "second");  // rotated: a different size
  CHECK(token_of(tokens) == "second");
  CHECK(tokens.reads() == 2);

  clock.advance(std::chrono::seconds(61));
  CHECK(token_of(tokens) == "second");
  CHECK(tokens.reads() == 3);

  tokens.invalidate();
  CHECK(token_of(tokens) == "second");
  CHECK(tokens.reads() == 4);

  fs::remove(file);  // being replaced: the last token stays in use
  CHECK(token_of(tokens) == "second");

  TokenSource fixed("static", "", clock);
  CHECK(token_of(fixed) == "static");
  TokenSource missing("", dir.path + "/none", clock);
  CHECK(missing.get().has_error());
}
