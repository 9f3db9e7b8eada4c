// k8s/cluster_access.cpp — kubeconfig files and in-cluster service-account access.
#include "k8s/cluster_access.hpp"

#include <cerrno>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "k8s/models.hpp"

namespace petrel::k8s {

Result<std::string, Error> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read " + path + ": " + std::strerror(errno)};
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error{"cannot read " + path + ": " + std::strerror(errno)};
  return Result<std::string, Error>(boost::system::in_place_value, s.str());
}

namespace {

struct Failure {
  YAML::Mark mark;
  std::string key;
  std::string message;
};

[[noreturn]] void fail(const YAML::Node& at, std::string key, std::string message) {
  throw Failure{at ? at.Mark() : YAML::Mark::null_mark(), std::move(key), std::move(message)};
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(n, key, "must be a single value");
  return n.Scalar();
}

std::optional<uint16_t> parse_port(std::string_view s) {
  uint16_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

// "https://host[:port][/]" → host and port.
void parse_server(const YAML::Node& n, const std::string& key, ClusterAccess& out) {
  std::string url = scalar(n, key);
  if (url.rfind("http://", 0) == 0)
    fail(n, key, "\"" + url + "\" is plain http: refused, TLS verification is always on");
  if (url.rfind("https://", 0) != 0) fail(n, key, "\"" + url + "\" must start with https://");
  std::string rest = url.substr(8);
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    if (rest.substr(slash) != "/") fail(n, key, "\"" + url + "\": a path prefix on the server is not supported");
    rest.resize(slash);
  }
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) fail(n, key, "\"" + url + "\": unbalanced [ in the address");
    out.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') fail(n, key, "\"" + url + "\": expected :port after ]");
      port_text = rest.substr(close + 2);
    }
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty()) fail(n, key, "\"" + url + "\" has no host");
  out.port = 443;
  if (!port_text.empty()) {
    auto p = parse_port(port_text);
    if (!p) fail(n, key, "\"" + url + "\": bad port \"" + port_text + "\"");
    out.port = *p;
  }
}

std::string resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || dir.empty()) return path;
  return dir + "/" + path;
}

std::string file_field(const YAML::Node& n, const std::string& key, const std::string& dir) {
  const std::string path = resolve(dir, scalar(n, key));
  auto content = read_file(path);
  if (!content) fail(n, key, content.error().message);
  return *content;
}

std::string data_field(const YAML::Node& n, const std::string& key) {
  std::string text = scalar(n, key);
  std::erase_if(text, [](char c) { return c == '\n' || c == '\r' || c == ' '; });
  auto bytes = decode_base64(text);
  if (!bytes) fail(n, key, "is not valid base64");
  return *bytes;
}

// The entry named `name` of a kubeconfig list (clusters, users, contexts).
YAML::Node find_named(const YAML::Node& root, const std::string& list, const std::string& name,
                      const YAML::Node& referrer, const std::string& referrer_key) {
  const YAML::Node entries = root[list];
  if (entries && !entries.IsSequence()) fail(entries, list, "must be a list");
  if (entries) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const YAML::Node e = entries[i];
      if (e["name"] && e["name"].IsScalar() && e["name"].Scalar() == name) {
        const std::string inner = list == "clusters" ? "cluster" : list == "users" ? "user" : "context";
        if (!e[inner] || !e[inner].IsMap())
          fail(e, list + "[" + std::to_string(i) + "]." + inner, "is required and must be a map");
        return e[inner];
      }
    }
  }
  fail(referrer, referrer_key, "names \"" + name + "\", which is not in " + list);
}

ClusterAccess parse_kubeconfig(const YAML::Node& root, const std::string& path, const std::string& wanted_context) {
  ClusterAccess out;
  if (!root.IsMap()) fail(root, "", "a kubeconfig must be a map");
  const std::string dir = path.find('/') == std::string::npos ? "" : path.substr(0, path.rfind('/'));
  std::string context_name = wanted_context;
  YAML::Node ctx_ref = root["current-context"];
  if (context_name.empty()) {
    if (!ctx_ref || ctx_ref.IsNull() || scalar(ctx_ref, "current-context").empty())
      fail(root, "current-context", "is not set and no context was named");
    context_name = scalar(ctx_ref, "current-context");
  }
  const YAML::Node ctx = find_named(root, "contexts", context_name, ctx_ref ? ctx_ref : root, "current-context");
  const std::string ck = "contexts[" + context_name + "].context";
  if (!ctx["cluster"]) fail(ctx, ck + ".cluster", "is required");
  const std::string cluster_name = scalar(ctx["cluster"], ck + ".cluster");
  const YAML::Node cluster = find_named(root, "clusters", cluster_name, ctx["cluster"], ck + ".cluster");
  const std::string kk = "clusters[" + cluster_name + "].cluster";
  if (ctx["namespace"]) out.default_namespace = scalar(ctx["namespace"], ck + ".namespace");
  if (out.default_namespace.empty()) out.default_namespace = "default";

  if (!cluster["server"]) fail(cluster, kk + ".server", "is required");
  parse_server(cluster["server"], kk + ".server", out);
  if (cluster["insecure-skip-tls-verify"] && scalar(cluster["insecure-skip-tls-verify"], kk + ".insecure-skip-tls-verify") == "true")
    fail(cluster["insecure-skip-tls-verify"], kk + ".insecure-skip-tls-verify",
         "is refused: Petrel always verifies the API server's certificate");
  if (cluster["certificate-authority-data"]) {
    out.ca_pem = data_field(cluster["certificate-authority-data"], kk + ".certificate-authority-data");
  } else if (cluster["certificate-authority"]) {
    out.ca_pem = file_field(cluster["certificate-authority"], kk + ".certificate-authority", dir);
  }

  if (ctx["user"] && !ctx["user"].IsNull()) {
    const std::string user_name = scalar(ctx["user"], ck + ".user");
    const YAML::Node user = find_named(root, "users", user_name, ctx["user"], ck + ".user");
    const std::string uk = "users[" + user_name + "].user";
    for (const char* unsupported : {"exec", "auth-provider", "username", "password"}) {
      if (user[unsupported])
        fail(user[unsupported], uk + "." + unsupported,
             "is not supported: use a client certificate, token or tokenFile");
    }
    if (user["client-certificate-data"]) {
      out.client_cert_pem = data_field(user["client-certificate-data"], uk + ".client-certificate-data");
    } else if (user["client-certificate"]) {
      out.client_cert_pem = file_field(user["client-certificate"], uk + ".client-certificate", dir);
    }
    if (user["client-key-data"]) {
      out.client_key_pem = data_field(user["client-key-data"], uk + ".client-key-data");
    } else if (user["client-key"]) {
      out.client_key_pem = file_field(user["client-key"], uk + ".client-key", dir);
    }
    if (out.client_cert_pem.empty() != out.client_key_pem.empty())
      fail(user, uk, "a client certificate needs its key and a key its certificate");
    if (user["token"]) out.token = scalar(user["token"], uk + ".token");
    if (user["tokenFile"]) {
      out.token_file = resolve(dir, scalar(user["tokenFile"], uk + ".tokenFile"));
      if (auto t = read_file(out.token_file); !t) fail(user["tokenFile"], uk + ".tokenFile", t.error().message);
    }
  }
  out.source = "kubeconfig " + path + " context " + context_name;
  return out;
}

ConfigError error_at(const std::string& file, const YAML::Mark& mark, std::string key, std::string message) {
  return ConfigError::at(file, mark, std::move(key), std::move(message));
}

}  // namespace

Result<ClusterAccess, ConfigError> load_kubeconfig(const std::string& path, const std::string& context) {
  auto text = read_file(path);
  if (!text) return ConfigError{path, 0, 0, "", text.error().message};
  try {
    return parse_kubeconfig(YAML::Load(*text), path, context);
  } catch (const Failure& f) {
    return error_at(path, f.mark, f.key, f.message);
  } catch (const YAML::Exception& e) {
    return error_at(path, e.mark, "", e.msg);
  } catch (const std::exception& e) {
    return error_at(path, YAML::Mark::null_mark(), "", e.what());
  }
}

Result<ClusterAccess, ConfigError> load_in_cluster(const EnvLookup& env, const InClusterPaths& paths) {
  ClusterAccess out;
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty())
    return ConfigError{"environment", 0, 0, "KUBERNETES_SERVICE_HOST",
                       "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set in-cluster"};
  out.host = *host;
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  auto p = parse_port(*port);
  if (!p) return ConfigError{"environment", 0, 0, "KUBERNETES_SERVICE_PORT", "\"" + *port + "\" is not a port"};
  out.port = *p;
  auto token = read_file(paths.token);
  if (!token) return ConfigError{paths.token, 0, 0, "token", token.error().message};
  out.token_file = paths.token;
  auto ca = read_file(paths.ca);
  if (!ca) return ConfigError{paths.ca, 0, 0, "ca.crt", ca.error().message};
  out.ca_pem = *ca;
  if (auto ns = read_file(paths.namespace_file)) {
    out.default_namespace = *ns;
    while (!out.default_namespace.empty() && std::isspace(static_cast<unsigned char>(out.default_namespace.back())))
      out.default_namespace.pop_back();
  }
  if (out.default_namespace.empty()) out.default_namespace = "default";
  out.source = "in-cluster";
  return out;
}

}  // namespace petrel::k8s
