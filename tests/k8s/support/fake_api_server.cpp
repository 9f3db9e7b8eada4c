// tests/k8s/support/fake_api_server.cpp — the list/watch API server for tests,
// as coroutines on its own thread.
#include "tests/k8s/support/fake_api_server.hpp"

#include <deque>
#include <future>
#include <optional>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <openssl/ssl.h>

namespace petrel::k8s::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

auto tuple_token() { return asio::as_tuple(asio::use_awaitable); }

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    auto eq = kv.find('=');
    out[std::string(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

std::string base64(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

std::string status_json(int code, std::string_view reason, std::string_view message) {
  json::object o;
  o["kind"] = "Status";
  o["apiVersion"] = "v1";
  o["metadata"] = json::object();
  o["status"] = "Failure";
  o["message"] = message;
  o["reason"] = reason;
  o["code"] = code;
  return json::serialize(o);
}

// The X of fieldSelector=metadata.name=X (the only field selector served here).
std::string name_selector(const std::map<std::string, std::string>& query) {
  auto it = query.find("fieldSelector");
  const std::string prefix = "metadata.name=";
  if (it == query.end() || it->second.rfind(prefix, 0) != 0) return {};
  return it->second.substr(prefix.size());
}

std::string key_of(const json::object& o) {
  const auto& meta = o.at("metadata").as_object();
  std::string name(meta.at("name").as_string());
  if (const auto* ns = meta.if_contains("namespace"); ns && ns->is_string() && !ns->as_string().empty())
    return std::string(ns->as_string()) + "/" + name;
  return name;
}

}  // namespace

struct Collection {
  std::string list_kind;
  std::string api_version;
  std::map<std::string, json::object> objects;
  struct Logged {
    uint64_t rv;
    std::string name;
    std::string line;
  };
  std::vector<Logged> log;
};

struct Snapshot {
  uint64_t rv = 0;
  std::vector<json::object> items;
};

struct WatchState {
  enum class Action { none, drop, drop_mid_line, end };
  explicit WatchState(asio::io_context& ioc) : wake(ioc) {}
  std::string path;
  std::string only_name;  // fieldSelector=metadata.name=X
  bool bookmarks = false;
  std::deque<std::string> outbox;
  Action action = Action::none;
  asio::steady_timer wake;
};

struct FakeApiServer::Impl final : FakeApiServer::State {
  asio::io_context ioc;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::string token;
  bool gone_as_event = false;
  bool expire_continue = false;
  bool stopping = false;
  uint64_t rv = 1000;
  uint64_t compacted = 0;
  std::map<std::string, Collection> collections;
  std::map<std::string, json::value> documents;
  std::map<std::string, std::pair<std::shared_ptr<Snapshot>, std::size_t>> continues;
  std::set<std::shared_ptr<WatchState>> watches;
  std::set<std::shared_ptr<Stream>> streams;
  Counters stats;

  // --- State ---
  void add_collection(const std::string& path, const std::string& list_kind, const std::string& api_version) override {
    Collection& c = collections[path];
    c.list_kind = list_kind;
    c.api_version = api_version;
  }
  void publish(const std::string& path, const std::string& name, std::string line) {
    collections[path].log.push_back({rv, name, line});
    for (const auto& w : watches) {
      if (w->path != path || (!w->only_name.empty() && w->only_name != name)) continue;
      w->outbox.push_back(line);
      w->wake.cancel();
    }
  }
  void upsert(const std::string& path, json::value object) override {
    Collection& c = collections.at(path);
    json::object& o = object.as_object();
    o["metadata"].as_object()["resourceVersion"] = std::to_string(++rv);
    const std::string key = key_of(o);
    const bool exists = c.objects.contains(key);
    c.objects[key] = o;
    json::object event{{"type", exists ? "MODIFIED" : "ADDED"}, {"object", o}};
    publish(path, std::string(o["metadata"].as_object()["name"].as_string()), json::serialize(event));
  }
  void remove(const std::string& path, const std::string& key) override {
    Collection& c = collections.at(path);
    auto it = c.objects.find(key);
    if (it == c.objects.end()) return;
    json::object o = std::move(it->second);
    c.objects.erase(it);
    o["metadata"].as_object()["resourceVersion"] = std::to_string(++rv);
    json::object event{{"type", "DELETED"}, {"object", o}};
    publish(path, std::string(o["metadata"].as_object()["name"].as_string()), json::serialize(event));
  }
  void set_token(std::string t) override { token = std::move(t); }
  void set_gone_as_event(bool on) override { gone_as_event = on; }
  void bookmark(const std::string& path) override {
    const Collection& c = collections.at(path);
    std::string kind = c.list_kind.substr(0, c.list_kind.size() - 4);  // NodeList -> Node
    json::object event{{"type", "BOOKMARK"},
                       {"object",
                        {{"kind", kind},
                         {"apiVersion", c.api_version},
                         {"metadata", {{"resourceVersion", std::to_string(rv)}}}}}};
    const std::string line = json::serialize(event);
    for (const auto& w : watches) {
      if (w->path != path || !w->bookmarks) continue;
      w->outbox.push_back(line);
      w->wake.cancel();
    }
  }
  void gone_event(const std::string& path) override {
    json::object event{{"type", "ERROR"}, {"object", json::parse(status_json(410, "Expired", "too old resource version"))}};
    const std::string line = json::serialize(event);
    for (const auto& w : watches) {
      if (w->path != path) continue;
      w->outbox.push_back(line);
      w->action = WatchState::Action::end;
      w->wake.cancel();
    }
  }
  void drop_watches(const std::string& path, bool mid_line) override {
    for (const auto& w : watches) {
      if (w->path != path) continue;
      w->action = mid_line ? WatchState::Action::drop_mid_line : WatchState::Action::drop;
      w->wake.cancel();
    }
  }
  void end_watches(const std::string& path) override {
    for (const auto& w : watches) {
      if (w->path != path) continue;
      w->action = WatchState::Action::end;
      w->wake.cancel();
    }
  }
  void raw_line(const std::string& path, const std::string& line) override {
    for (const auto& w : watches) {
      if (w->path != path) continue;
      w->outbox.push_back(line);
      w->wake.cancel();
    }
  }
  void compact() override {
    compacted = rv;
    for (auto& [_, c] : collections) c.log.clear();
  }
  void expire_next_continue() override { expire_continue = true; }
  void advance_rv(int n) override { rv += static_cast<uint64_t>(n); }
  int active_watches(const std::string& path) const override {
    int n = 0;
    for (const auto& w : watches) n += w->path == path && w->action == WatchState::Action::none;
    return n;
  }
  uint64_t resource_version() const override { return rv; }
  const Counters& counters() const override { return stats; }
  void set_document(const std::string& path, json::value document) override { documents[path] = std::move(document); }
  bool has_collection(const std::string& path) const override { return collections.contains(path); }
  std::vector<std::string> collection_paths() const override {
    std::vector<std::string> out;
    for (const auto& [path, _] : collections) out.push_back(path);
    return out;
  }
  bool contains(const std::string& path, const std::string& key) const override {
    auto c = collections.find(path);
    return c != collections.end() && c->second.objects.contains(key);
  }
  json::object dump() const override {
    json::object cs;
    for (const auto& [path, c] : collections) {
      json::array items;
      for (const auto& [_, o] : c.objects) items.push_back(o);
      cs[path] = json::object{{"kind", c.list_kind}, {"apiVersion", c.api_version}, {"items", std::move(items)}};
    }
    return json::object{{"resourceVersion", std::to_string(rv)}, {"collections", std::move(cs)}};
  }
  std::string restore(const json::object& d) override {
    const json::value* version = d.if_contains("resourceVersion");
    const json::value* cs = d.if_contains("collections");
    if (version == nullptr || !version->is_string()) return "resourceVersion: a string is required";
    if (cs == nullptr || !cs->is_object()) return "collections: an object is required";
    uint64_t next_rv = 0;
    try {
      next_rv = std::stoull(std::string(version->as_string()));
    } catch (const std::exception&) {
      return "resourceVersion: not a number";
    }
    std::map<std::string, Collection> next;
    for (const auto& [path, cv] : cs->as_object()) {
      const std::string where = "collections[\"" + std::string(path) + "\"]";
      if (!cv.is_object()) return where + ": an object is required";
      const json::object& co = cv.as_object();
      const json::value* kind = co.if_contains("kind");
      const json::value* api = co.if_contains("apiVersion");
      const json::value* items = co.if_contains("items");
      if (kind == nullptr || !kind->is_string() || api == nullptr || !api->is_string())
        return where + ": kind and apiVersion strings are required";
      if (items == nullptr || !items->is_array()) return where + ".items: an array is required";
      Collection& c = next[std::string(path)];
      c.list_kind = std::string(kind->as_string());
      c.api_version = std::string(api->as_string());
      for (const auto& item : items->as_array()) {
        const json::object* o = item.if_object();
        const json::value* meta = o ? o->if_contains("metadata") : nullptr;
        const json::value* name = meta && meta->is_object() ? meta->as_object().if_contains("name") : nullptr;
        if (name == nullptr || !name->is_string()) return where + ".items: an object without metadata.name";
        c.objects[key_of(*o)] = *o;
      }
    }
    collections = std::move(next);
    rv = next_rv;
    compacted = rv;
    continues.clear();
    return {};
  }

  // --- serving ---
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(tuple_token());
      if (ec || stopping) co_return;
      auto s = std::make_shared<Stream>(beast::tcp_stream(std::move(socket)), tls);
      streams.insert(s);
      asio::co_spawn(ioc, session(s), asio::detached);
    }
  }

  asio::awaitable<bool> reply(Stream& s, http::status status, std::string body, bool keep) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(keep);
    res.body() = std::move(body);
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(s, res, tuple_token());
    co_return !ec && keep;
  }

  asio::awaitable<void> session(std::shared_ptr<Stream> s) {
    auto [hec] = co_await s->async_handshake(ssl::stream_base::server, tuple_token());
    if (!hec) {
      ++stats.connections;
      X509* peer = SSL_get1_peer_certificate(s->native_handle());
      const bool cert_ok = peer != nullptr && SSL_get_verify_result(s->native_handle()) == X509_V_OK;
      if (peer) X509_free(peer);
      beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> req;
        auto [rec, rn] = co_await http::async_read(*s, buffer, req, tuple_token());
        if (rec || stopping) break;
        if (!co_await handle(s, req, cert_ok)) break;
      }
    }
    boost::system::error_code ec;
    beast::get_lowest_layer(*s).socket().close(ec);
    streams.erase(s);
  }

  asio::awaitable<bool> handle(const std::shared_ptr<Stream>& s, const http::request<http::string_body>& req,
                               bool cert_ok) {
    const std::string target(req.target());
    stats.targets.push_back(target);
    const std::string auth(req[http::field::authorization]);
    const bool token_ok = !token.empty() && auth == "Bearer " + token;
    if (!token_ok && !cert_ok) {
      ++stats.unauthorized;
      co_return co_await reply(*s, http::status::unauthorized, status_json(401, "Unauthorized", "Unauthorized"), true);
    }
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    const auto query = parse_query(q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1));
    if (auto d = documents.find(path); d != documents.end() && req.method() == http::verb::get)
      co_return co_await reply(*s, http::status::ok, json::serialize(d->second), true);
    if (req.method() == http::verb::get && !collections.contains(path)) {
      if (auto one = find_one(path)) {
        if (!one->second)
          co_return co_await reply(*s, http::status::not_found,
                                   status_json(404, "NotFound", "\"" + one->first + "\" not found"), true);
        co_return co_await reply(*s, http::status::ok, json::serialize(*one->second), true);
      }
    }
    auto c = collections.find(path);
    if (c == collections.end() || req.method() != http::verb::get) {
      co_return co_await reply(*s, http::status::not_found,
                               status_json(404, "NotFound", "the server could not find the requested resource"), true);
    }
    auto w = query.find("watch");
    if (w != query.end() && (w->second == "1" || w->second == "true")) {
      co_await serve_watch(*s, path, query);
      co_return false;
    }
    co_return co_await serve_list(*s, path, c->second, query);
  }

  // GET of one object: COLLECTION/NAME, or PREFIX/namespaces/NS/RESOURCE/NAME when the
  // objects of that namespaced kind live in the cluster-wide collection PREFIX/RESOURCE.
  // Nothing when the path names no collection; {key, nullptr} when the object is missing.
  std::optional<std::pair<std::string, const json::object*>> find_one(const std::string& path) const {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos || slash + 1 == path.size()) return std::nullopt;
    const std::string parent = path.substr(0, slash), name = path.substr(slash + 1);
    std::string collection, key;
    const auto ns_at = parent.find("/namespaces/");
    const std::string ns_rest = ns_at == std::string::npos ? std::string() : parent.substr(ns_at + 12);
    const auto ns_slash = ns_rest.find('/');
    if (collections.contains(parent)) {
      collection = parent;
      key = ns_slash == std::string::npos ? name : ns_rest.substr(0, ns_slash) + "/" + name;
    } else if (ns_slash != std::string::npos && ns_rest.find('/', ns_slash + 1) == std::string::npos) {
      collection = parent.substr(0, ns_at) + "/" + ns_rest.substr(ns_slash + 1);
      key = ns_rest.substr(0, ns_slash) + "/" + name;
      if (!collections.contains(collection)) return std::nullopt;
    } else {
      return std::nullopt;
    }
    const auto& objects = collections.at(collection).objects;
    auto it = objects.find(key);
    return std::make_pair(key, it == objects.end() ? nullptr : &it->second);
  }

  asio::awaitable<bool> serve_list(Stream& s, const std::string& path, const Collection& c,
                                   const std::map<std::string, std::string>& query) {
    ++stats.lists[path];
    std::size_t limit = 0;
    if (auto l = query.find("limit"); l != query.end() && !l->second.empty()) limit = std::stoul(l->second);
    std::shared_ptr<Snapshot> snap;
    std::size_t offset = 0;
    if (auto t = query.find("continue"); t != query.end() && !t->second.empty()) {
      auto it = continues.find(t->second);
      if (it == continues.end())
        co_return co_await reply(s, http::status::bad_request, status_json(400, "BadRequest", "continue key is not valid"), true);
      snap = it->second.first;
      offset = it->second.second;
      if (snap->rv < compacted) {
        co_return co_await reply(
            s, http::status::gone,
            status_json(410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter."),
            true);
      }
    } else {
      snap = std::make_shared<Snapshot>();
      snap->rv = rv;
      const std::string only = name_selector(query);
      for (const auto& [_, o] : c.objects)
        if (only.empty() || o.at("metadata").at("name").as_string() == only) snap->items.push_back(o);
    }
    const std::size_t end = limit == 0 ? snap->items.size() : std::min(snap->items.size(), offset + limit);
    json::array items;
    for (std::size_t i = offset; i < end; ++i) items.push_back(snap->items[i]);
    json::object meta{{"resourceVersion", std::to_string(snap->rv)}};
    if (end < snap->items.size()) {
      json::object token_doc{{"v", "meta.k8s.io/v1"}, {"rv", snap->rv}, {"start", key_of(snap->items[end])}};
      std::string token_text = base64(json::serialize(token_doc));
      continues[token_text] = {snap, end};
      meta["continue"] = token_text;
      meta["remainingItemCount"] = snap->items.size() - end;
      if (expire_continue) {
        expire_continue = false;
        ++rv;
        compact();
      }
    }
    json::object doc{{"kind", c.list_kind}, {"apiVersion", c.api_version}, {"metadata", meta}, {"items", items}};
    co_return co_await reply(s, http::status::ok, json::serialize(doc), true);
  }

  asio::awaitable<void> serve_watch(Stream& s, const std::string& path, const std::map<std::string, std::string>& query) {
    ++stats.watches[path];
    uint64_t from = 0;
    if (auto r = query.find("resourceVersion"); r != query.end() && !r->second.empty()) from = std::stoull(r->second);
    const bool too_old = from < compacted;
    if (too_old && !gone_as_event) {
      co_await reply(s, http::status::gone, status_json(410, "Expired", "too old resource version: " + std::to_string(from)),
                     false);
      co_return;
    }
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    auto [hec, hn] = co_await http::async_write_header(s, sr, tuple_token());
    if (hec) co_return;

    auto w = std::make_shared<WatchState>(ioc);
    w->path = path;
    w->bookmarks = query.contains("allowWatchBookmarks") && query.at("allowWatchBookmarks") == "true";
    w->only_name = name_selector(query);
    if (too_old) {
      w->outbox.push_back(json::serialize(json::object{
          {"type", "ERROR"},
          {"object", json::parse(status_json(410, "Expired", "too old resource version: " + std::to_string(from)))}}));
      w->action = WatchState::Action::end;
    } else {
      for (const auto& e : collections[path].log)
        if (e.rv > from && (w->only_name.empty() || w->only_name == e.name)) w->outbox.push_back(e.line);
    }
    watches.insert(w);
    for (;;) {
      if (stopping) break;
      if (w->action == WatchState::Action::drop_mid_line) {
        if (!w->outbox.empty()) {
          const std::string half = w->outbox.front().substr(0, w->outbox.front().size() / 2);
          co_await asio::async_write(s, http::make_chunk(asio::buffer(half)), tuple_token());
        }
        break;
      }
      if (w->action == WatchState::Action::drop) break;
      if (!w->outbox.empty()) {
        std::string line = std::move(w->outbox.front()) + "\n";
        w->outbox.pop_front();
        auto [wec, wn] = co_await asio::async_write(s, http::make_chunk(asio::buffer(line)), tuple_token());
        if (wec) break;
        continue;
      }
      if (w->action == WatchState::Action::end) {
        co_await asio::async_write(s, http::make_chunk_last(), tuple_token());
        break;  // a clean end: the client has the whole body, then the close
      }
      w->wake.expires_at(asio::steady_timer::time_point::max());
      co_await w->wake.async_wait(tuple_token());
    }
    watches.erase(w);
    boost::system::error_code ec;
    beast::get_lowest_layer(s).socket().close(ec);  // dropped: no TLS close_notify
  }
};

FakeApiServer::FakeApiServer(const TestPki& pki, std::string token, const std::string& listen_address, uint16_t port)
    : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.token = std::move(token);
  im.tls.use_certificate_chain(asio::buffer(pki.server.cert_pem));
  im.tls.use_private_key(asio::buffer(pki.server.key_pem), ssl::context::pem);
  im.tls.add_certificate_authority(asio::buffer(pki.ca.cert_pem));
  im.tls.set_verify_mode(ssl::verify_peer);  // ask for a client certificate; do not require one
  tcp::endpoint ep(asio::ip::make_address(listen_address), port);
  im.acceptor.open(ep.protocol());
  im.acceptor.set_option(tcp::acceptor::reuse_address(true));
  im.acceptor.bind(ep);
  im.acceptor.listen();
  port_ = im.acceptor.local_endpoint().port();
  asio::co_spawn(im.ioc, im.accept_loop(), asio::detached);
  thread_ = std::thread([&im] { im.ioc.run(); });
}

FakeApiServer::~FakeApiServer() {
  Impl& im = *impl_;
  asio::post(im.ioc, [&im] {
    im.stopping = true;
    boost::system::error_code ec;
    im.acceptor.close(ec);
    for (const auto& w : im.watches) w->wake.cancel();
    for (const auto& s : im.streams) beast::get_lowest_layer(*s).socket().close(ec);
  });
  thread_.join();
}

void FakeApiServer::with(const std::function<void(State&)>& fn) {
  std::promise<void> done;
  asio::post(impl_->ioc, [&] {
    fn(*impl_);
    done.set_value();
  });
  done.get_future().wait();
}

void FakeApiServer::add_collection(const std::string& path, const std::string& list_kind, const std::string& api_version) {
  with([&](State& s) { s.add_collection(path, list_kind, api_version); });
}
void FakeApiServer::upsert(const std::string& path, json::value object) {
  with([&](State& s) { s.upsert(path, std::move(object)); });
}
void FakeApiServer::remove(const std::string& path, const std::string& key) {
  with([&](State& s) { s.remove(path, key); });
}
void FakeApiServer::set_token(std::string token) {
  with([&](State& s) { s.set_token(std::move(token)); });
}
void FakeApiServer::set_gone_as_event(bool on) {
  with([&](State& s) { s.set_gone_as_event(on); });
}
void FakeApiServer::bookmark(const std::string& path) {
  with([&](State& s) { s.bookmark(path); });
}
void FakeApiServer::gone_event(const std::string& path) {
  with([&](State& s) { s.gone_event(path); });
}
void FakeApiServer::drop_watches(const std::string& path, bool mid_line) {
  with([&](State& s) { s.drop_watches(path, mid_line); });
}
void FakeApiServer::end_watches(const std::string& path) {
  with([&](State& s) { s.end_watches(path); });
}
void FakeApiServer::raw_line(const std::string& path, const std::string& line) {
  with([&](State& s) { s.raw_line(path, line); });
}
void FakeApiServer::compact() {
  with([&](State& s) { s.compact(); });
}
void FakeApiServer::expire_next_continue() {
  with([&](State& s) { s.expire_next_continue(); });
}
void FakeApiServer::advance_rv(int n) {
  with([&](State& s) { s.advance_rv(n); });
}
int FakeApiServer::active_watches(const std::string& path) {
  int n = 0;
  with([&](State& s) { n = s.active_watches(path); });
  return n;
}
uint64_t FakeApiServer::resource_version() {
  uint64_t v = 0;
  with([&](State& s) { v = s.resource_version(); });
  return v;
}
FakeApiServer::Counters FakeApiServer::counters() {
  Counters c;
  with([&](State& s) { c = s.counters(); });
  return c;
}

}  // namespace petrel::k8s::test
