// tests/k8s/support/test_pki.hpp — a throwaway CA and certificates made at test time.
//
// make_test_pki() creates, with the OpenSSL API (no openssl CLI, no key files in
// the repository): a CA, a server certificate for 127.0.0.1, ::1 and localhost
// signed by it, and a client certificate (CN=system:node:petrel, O=petrel) signed
// by it. Keys are P-256. Everything is returned as PEM text. Aborts the test
// program if OpenSSL fails (test support only).
//
// issue_from_ca() does the same with a CA given as PEM (a long-lived CA that a
// restarted server reuses, so that clients keep trusting it); it returns an
// error message instead when the PEM text is not a certificate and its key.
#pragma once

#include <string>

namespace petrel::k8s::test {

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

struct TestPki {
  CertAndKey ca;
  CertAndKey server;
  CertAndKey client;
};

inline constexpr const char* loopback_names = "IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes.default.svc";

// `ca_name` becomes the CA's common name; two calls give two unrelated CAs.
// `server_names` is the server certificate's subjectAltName.
TestPki make_test_pki(const std::string& ca_name = "petrel-test-ca", const std::string& server_names = loopback_names);

// A server and a client certificate signed by `ca`; `error` is set (and the
// result empty) when ca.cert_pem / ca.key_pem do not parse or do not match.
TestPki issue_from_ca(const CertAndKey& ca, const std::string& server_names, std::string& error);

}  // namespace petrel::k8s::test
