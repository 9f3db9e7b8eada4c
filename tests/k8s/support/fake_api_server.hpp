// tests/k8s/support/fake_api_server.hpp — a local HTTPS server speaking the
// Kubernetes list/watch wire protocol, for the client's tests.
//
// It is not a mock of Petrel's client: it is a small API server that any client
// (kubectl included) could talk to. It serves collections such as /api/v1/nodes:
//  - TLS 1.2+/1.3 with a certificate from a CA made at test time (TestPki);
//  - auth: "Authorization: Bearer TOKEN" or a client certificate signed by the CA,
//    else 401 with a Status object;
//  - list: ?limit=N gives pages with metadata.continue tokens (base64, served from
//    a snapshot as the real server does) and metadata.resourceVersion;
//    remainingItemCount; a continue token older than the compaction point: 410;
//  - watch: ?watch=1&resourceVersion=RV: HTTP/1.1 200 with Transfer-Encoding:
//    chunked, one JSON event per line (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR), each
//    line in its own chunk; an RV older than the compaction point: HTTP 410 with a
//    Status body, or (gone_as_event) 200 and an ERROR event with a Status of code 410;
//  - fieldSelector=metadata.name=X on lists and watches (what RBAC resourceNames
//    needs);
//  - GET of one object by name (COLLECTION/NAME, or .../namespaces/NS/RESOURCE/NAME),
//    and fixed documents (set_document: discovery for kubectl);
//  - one global resourceVersion counter, as etcd has.
// The test thread drives it: every method below runs on the server's own thread
// and returns when done; with(fn) runs several changes as one atomic step, so that
// no watch sees part of them.
// It listens on 127.0.0.1 and a free port unless told otherwise (the standalone
// tests/tools/fake-apiserver listens on a namespace's address); binding errors
// throw boost::system::system_error from the constructor. dump()/restore() save
// and load every collection with the resourceVersion counter, as etcd keeps them
// across an API server restart (the watch history is not kept: a restored server
// counts as compacted at its resourceVersion).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/value.hpp>

#include "tests/k8s/support/test_pki.hpp"

namespace petrel::k8s::test {

class FakeApiServer {
 public:
  struct Counters {
    int connections = 0;
    int unauthorized = 0;
    std::map<std::string, int> lists;    // by path, one per page
    std::map<std::string, int> watches;  // by path
    std::vector<std::string> targets;    // every request target, in order
  };

  // The server's state; its methods must run on the server thread (inside with()).
  class State;

  FakeApiServer(const TestPki& pki, std::string token = "test-token", const std::string& listen_address = "127.0.0.1",
                uint16_t port = 0);
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  uint16_t port() const { return port_; }

  void with(const std::function<void(State&)>& fn);

  // Shorthands, each one step.
  void add_collection(const std::string& path, const std::string& list_kind, const std::string& api_version);
  void upsert(const std::string& path, boost::json::value object);
  void remove(const std::string& path, const std::string& key);
  void set_token(std::string token);  // empty: no bearer token is accepted
  void set_gone_as_event(bool on);
  void bookmark(const std::string& path);
  void gone_event(const std::string& path);
  void drop_watches(const std::string& path, bool mid_line);
  void end_watches(const std::string& path);
  void raw_line(const std::string& path, const std::string& line);
  void compact();
  void expire_next_continue();
  void advance_rv(int n);
  int active_watches(const std::string& path);
  uint64_t resource_version();
  Counters counters();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::thread thread_;
};

class FakeApiServer::State {
 public:
  virtual ~State() = default;
  virtual void add_collection(const std::string& path, const std::string& list_kind, const std::string& api_version) = 0;
  virtual void upsert(const std::string& path, boost::json::value object) = 0;
  virtual void remove(const std::string& path, const std::string& key) = 0;
  virtual void set_token(std::string token) = 0;
  virtual void set_gone_as_event(bool on) = 0;
  virtual void bookmark(const std::string& path) = 0;
  virtual void gone_event(const std::string& path) = 0;
  virtual void drop_watches(const std::string& path, bool mid_line) = 0;
  virtual void end_watches(const std::string& path) = 0;
  virtual void raw_line(const std::string& path, const std::string& line) = 0;
  virtual void compact() = 0;
  // The next list page that hands out a continue token is followed by a
  // compaction, so that the token has expired when the client uses it (once).
  virtual void expire_next_continue() = 0;
  virtual void advance_rv(int n) = 0;
  virtual int active_watches(const std::string& path) const = 0;
  virtual uint64_t resource_version() const = 0;
  virtual const Counters& counters() const = 0;
  // A fixed JSON document served on GET of exactly `path` (discovery: /api, /apis,
  // /api/v1, /version, ... so that kubectl can talk to the server).
  virtual void set_document(const std::string& path, boost::json::value document) = 0;
  virtual bool has_collection(const std::string& path) const = 0;
  virtual std::vector<std::string> collection_paths() const = 0;
  virtual bool contains(const std::string& path, const std::string& key) const = 0;
  // {"resourceVersion": "N", "collections": {PATH: {"kind": LIST_KIND, "apiVersion": V, "items": [...]}}}
  virtual boost::json::object dump() const = 0;
  // Replaces every collection and the counter with a dump()'s; an empty string on
  // success, else what is wrong with the document (the state is then unchanged).
  virtual std::string restore(const boost::json::object& dump) = 0;
};

}  // namespace petrel::k8s::test
