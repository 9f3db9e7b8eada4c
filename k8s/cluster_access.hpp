// k8s/cluster_access.hpp — where the API server is and how to authenticate to it.
//
// Two sources, as client-go has them:
//  - in-cluster: KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT and the
//    service account's token, ca.crt and namespace files (Kubernetes "Accessing
//    the API from a Pod"); the token file is re-read as the kubelet rotates it
//    (see TokenSource).
//  - a kubeconfig file (Kubernetes "Organizing Cluster Access Using kubeconfig
//    Files"): current-context (or a named context) → cluster (server,
//    certificate-authority or -data) and user (client-certificate/-key or -data,
//    token, tokenFile). Relative file paths are relative to the kubeconfig's folder.
// TLS verification is always on: insecure-skip-tls-verify: true, http:// servers,
// exec and auth-provider plugins are refused with an error naming file and key.
// Reads files; never throws (yaml-cpp exceptions are caught here).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "k8s/config.hpp"

namespace petrel::k8s {

struct ClusterAccess {
  std::string host;  // name or address, IPv6 without brackets
  uint16_t port = 443;
  std::string ca_pem;  // trusted CAs; empty: the system's roots
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string token;       // a fixed bearer token
  std::string token_file;  // or a bearer token read (and re-read) from this file
  std::string default_namespace;
  std::string source;  // "kubeconfig /etc/k.yaml context ctx" or "in-cluster"
};

struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

// `context` empty: the file's current-context.
Result<ClusterAccess, ConfigError> load_kubeconfig(const std::string& path, const std::string& context = "");
Result<ClusterAccess, ConfigError> load_in_cluster(const EnvLookup& env = process_env,
                                                   const InClusterPaths& paths = InClusterPaths{});

// Reads a whole file; the error names the file and the system's reason.
Result<std::string, Error> read_file(const std::string& path);

}  // namespace petrel::k8s
