// tests/k8s/support/test_pki.cpp — CA, server and client certificates via OpenSSL 3.
#include "tests/k8s/support/test_pki.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace petrel::k8s::test {

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_pki: %s failed\n", what);
    std::abort();
  }
}

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr new_key() {
  KeyPtr k(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(k != nullptr, "EVP_EC_gen");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

CertPtr new_cert(EVP_PKEY* key, const char* cn, const char* org, long serial, X509* issuer) {
  CertPtr cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (org) X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(org), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

std::string pem_cert(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  check(PEM_write_bio_X509(bio, cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::string pem_key(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

}  // namespace

namespace {

// The server and client certificates, signed by `ca` with `ca_key`.
TestPki issue(X509* ca, EVP_PKEY* ca_key, const std::string& server_names) {
  TestPki pki;
  static long serial = 1000;
  KeyPtr server_key = new_key();
  CertPtr server = new_cert(server_key.get(), "kube-apiserver", nullptr, serial++, ca);
  add_ext(server.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(server.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_ext(server.get(), ca, NID_ext_key_usage, "serverAuth");
  add_ext(server.get(), ca, NID_subject_alt_name, server_names.c_str());
  add_ext(server.get(), ca, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(server.get(), ca_key, EVP_sha256()) > 0, "X509_sign server");

  KeyPtr client_key = new_key();
  CertPtr client = new_cert(client_key.get(), "system:node:petrel", "petrel", serial++, ca);
  add_ext(client.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(client.get(), ca, NID_key_usage, "critical,digitalSignature");
  add_ext(client.get(), ca, NID_ext_key_usage, "clientAuth");
  check(X509_sign(client.get(), ca_key, EVP_sha256()) > 0, "X509_sign client");

  pki.ca = {pem_cert(ca), pem_key(ca_key)};
  pki.server = {pem_cert(server.get()), pem_key(server_key.get())};
  pki.client = {pem_cert(client.get()), pem_key(client_key.get())};
  return pki;
}

}  // namespace

TestPki make_test_pki(const std::string& ca_name, const std::string& server_names) {
  static long serial = 1;
  KeyPtr ca_key = new_key();
  CertPtr ca = new_cert(ca_key.get(), ca_name.c_str(), "petrel-tests", serial++, nullptr);
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign ca");
  return issue(ca.get(), ca_key.get(), server_names);
}

TestPki issue_from_ca(const CertAndKey& ca_pem, const std::string& server_names, std::string& error) {
  error.clear();
  BIO* cert_bio = BIO_new_mem_buf(ca_pem.cert_pem.data(), static_cast<int>(ca_pem.cert_pem.size()));
  CertPtr ca(PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr), X509_free);
  BIO_free(cert_bio);
  if (!ca) {
    error = "the CA certificate is not PEM";
    return {};
  }
  BIO* key_bio = BIO_new_mem_buf(ca_pem.key_pem.data(), static_cast<int>(ca_pem.key_pem.size()));
  KeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr), EVP_PKEY_free);
  BIO_free(key_bio);
  if (!ca_key) {
    error = "the CA key is not a PEM private key";
    return {};
  }
  if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
    error = "the CA key does not belong to the CA certificate";
    return {};
  }
  return issue(ca.get(), ca_key.get(), server_names);
}

}  // namespace petrel::k8s::test
