// k8s/list_watch.cpp — list, watch, bookmarks, 410 relists and backoff for one resource.
#include "k8s/list_watch.hpp"

#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

namespace petrel::k8s {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

uint64_t seed_or_random(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (uint64_t{rd()} << 32) | rd();
}

// "?" for a bare path, "&" when the path already has a query (a fieldSelector).
const char* query_start(const std::string& path) { return path.find('?') == std::string::npos ? "?" : "&"; }

std::string snippet(std::string_view s) {
  std::string out(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  return out;
}

// The "message" of a Status object, or the text itself when it is not one.
std::string status_message(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* m = v.get_object().if_contains("message"); m && m->is_string()) return std::string(m->get_string());
  }
  return snippet(body);
}

std::string rv_of(const json::value& object) {
  if (!object.is_object()) return {};
  const auto* meta = object.get_object().if_contains("metadata");
  if (!meta || !meta->is_object()) return {};
  const auto* rv = meta->get_object().if_contains("resourceVersion");
  if (!rv || !rv->is_string()) return {};
  return std::string(rv->get_string());
}

}  // namespace

ListWatch::ListWatch(std::shared_ptr<ApiClient> client, std::string path, ListWatchSink& sink, ListWatchOptions options)
    : client_(std::move(client)),
      path_(std::move(path)),
      sink_(&sink),
      options_(options),
      backoff_(options.backoff_initial, options.backoff_max, seed_or_random(options.seed)),
      timer_(client_->executor()),
      timeout_rng_(seed_or_random(options.seed) ^ 0x9e3779b97f4a7c15ull) {}

void ListWatch::start() {
  if (running_ || stopped_) return;
  running_ = true;
  auto self = shared_from_this();
  asio::co_spawn(client_->executor(), [self]() { return self->run(); }, [self](std::exception_ptr e) {
    self->running_ = false;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("k8s: list/watch of {} stopped: {}", self->path_, ex.what());
      } catch (...) {
        spdlog::error("k8s: list/watch of {} stopped", self->path_);
      }
    }
  });
}

void ListWatch::stop() {
  stopped_ = true;
  sink_ = nullptr;
  timer_.cancel();
  if (list_conn_) list_conn_->close();
  if (watch_conn_) watch_conn_->close();
}

void ListWatch::report(const std::string& message) {
  spdlog::warn("k8s: {}", message);
  if (sink_) sink_->on_error(message);
}

asio::awaitable<void> ListWatch::pause(Duration d) {
  timer_.expires_after(d);
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> ListWatch::run() {
  while (!stopped_) {
    if (!co_await list()) {
      if (stopped_) break;
      ++stats_.failures;
      co_await pause(backoff_.next());
      continue;
    }
    backoff_.reset();
    while (!stopped_) {
      const WatchEnd end = co_await watch();
      if (stopped_) break;
      if (end == WatchEnd::gone) break;  // list again at once
      if (end == WatchEnd::failed) {
        ++stats_.failures;
        co_await pause(backoff_.next());
      }
    }
  }
  running_ = false;
}

asio::awaitable<bool> ListWatch::list() {
  std::vector<json::value> items;
  std::string token;
  std::string rv;
  int restarts = 0;
  for (;;) {
    std::string target = path_ + query_start(path_) + "limit=" + std::to_string(options_.page_size);
    if (!token.empty()) target += "&continue=" + url_encode(token);
    auto reply = co_await client_->get(list_conn_, target);
    if (stopped_) co_return false;
    if (!reply) {
      report("list " + path_ + ": " + reply.error().message);
      co_return false;
    }
    if (reply->status == 410 && !token.empty() && restarts < 3) {
      // The continue token expired (compaction): start the list over.
      ++restarts;
      ++stats_.gone;
      items.clear();
      token.clear();
      continue;
    }
    if (reply->status != 200) {
      report("list " + path_ + ": HTTP " + std::to_string(reply->status) + ": " + status_message(reply->body));
      co_return false;
    }
    boost::system::error_code ec;
    json::value doc = json::parse(reply->body, ec);
    if (ec || !doc.is_object()) {
      report("list " + path_ + ": the reply is not a JSON object" + (ec ? ": " + ec.message() : std::string()));
      co_return false;
    }
    const auto& o = doc.get_object();
    const auto* page_items = o.if_contains("items");
    const auto* meta = o.if_contains("metadata");
    if (page_items && !page_items->is_null() && !page_items->is_array()) {
      report("list " + path_ + ": items is not a list");
      co_return false;
    }
    if (!meta || !meta->is_object()) {
      report("list " + path_ + ": the reply has no metadata");
      co_return false;
    }
    ++stats_.pages;
    if (page_items && page_items->is_array())
      for (const auto& item : page_items->get_array()) items.push_back(item);
    const auto* rv_field = meta->get_object().if_contains("resourceVersion");
    rv = rv_field && rv_field->is_string() ? std::string(rv_field->get_string()) : std::string();
    const auto* cont = meta->get_object().if_contains("continue");
    token = cont && cont->is_string() ? std::string(cont->get_string()) : std::string();
    if (token.empty()) break;
  }
  if (rv.empty()) {
    report("list " + path_ + ": the reply has no metadata.resourceVersion");
    co_return false;
  }
  rv_ = rv;
  ++stats_.lists;
  if (sink_) sink_->on_list(items);
  co_return true;
}

bool ListWatch::handle_line(std::string_view line, WatchEnd& end) {
  if (stopped_) return false;
  if (line.empty() || line == "\r") return true;
  const std::string where = "watch " + path_;
  boost::system::error_code ec;
  json::value event = json::parse(line, ec);
  if (ec || !event.is_object()) {
    report(where + ": an event is not a JSON object" + (ec ? " (" + ec.message() + ")" : std::string()) + ": " +
           snippet(line));
    return true;
  }
  const auto& e = event.get_object();
  const auto* type = e.if_contains("type");
  const auto* object = e.if_contains("object");
  if (!type || !type->is_string() || !object || !object->is_object()) {
    report(where + ": an event lacks type or object: " + snippet(line));
    return true;
  }
  const std::string_view t = type->get_string();
  if (t == "ERROR") {
    // The object is a Status (meta/v1): code 410 means our resourceVersion is gone.
    const auto* code = object->get_object().if_contains("code");
    const std::string msg = status_message(json::serialize(*object));
    if (code && code->is_int64() && code->get_int64() == 410) {
      ++stats_.gone;
      end = WatchEnd::gone;
      spdlog::info("k8s: {}: resourceVersion {} is gone ({}); listing again", where, rv_, msg);
      return false;
    }
    report(where + ": ERROR event: " + msg);
    end = WatchEnd::failed;
    return false;
  }
  const std::string rv = rv_of(*object);
  if (t == "BOOKMARK") {
    ++stats_.bookmarks;
    if (!rv.empty()) rv_ = rv;
    return true;
  }
  WatchEventType kind;
  if (t == "ADDED") {
    kind = WatchEventType::added;
  } else if (t == "MODIFIED") {
    kind = WatchEventType::modified;
  } else if (t == "DELETED") {
    kind = WatchEventType::deleted;
  } else {
    report(where + ": unknown event type \"" + std::string(t) + "\"");
    return true;
  }
  if (!rv.empty()) rv_ = rv;
  if (sink_) sink_->on_event(kind, *object);
  return !stopped_;
}

asio::awaitable<ListWatch::WatchEnd> ListWatch::watch() {
  std::uniform_int_distribution<long> pick(options_.watch_timeout.count(), 2 * options_.watch_timeout.count() - 1);
  std::mt19937_64 rng(timeout_rng_++);
  const long timeout = std::max<long>(1, pick(rng));
  const std::string target = path_ + query_start(path_) + "watch=1&resourceVersion=" + url_encode(rv_) +
                             "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(timeout);
  ++stats_.watches;
  stats_.watch_rvs.push_back(rv_);
  WatchEnd end = WatchEnd::ended;
  int lines = 0;
  auto result = co_await client_->stream_lines(
      watch_conn_, target,
      [&](std::string_view line) {
        ++lines;
        return handle_line(line, end);
      },
      std::chrono::seconds(timeout) + options_.idle_margin);
  if (stopped_) co_return WatchEnd::failed;
  if (!result) {
    const ApiError& err = result.error();
    if (err.kind == ApiError::Kind::http && err.status == 410) {
      ++stats_.gone;
      spdlog::info("k8s: watch {}: resourceVersion {} is gone; listing again", path_, rv_);
      co_return WatchEnd::gone;
    }
    if (err.kind == ApiError::Kind::http) {
      report("watch " + path_ + ": HTTP " + std::to_string(err.status) + ": " + status_message(err.message));
    } else {
      report(err.message);
    }
    co_return WatchEnd::failed;
  }
  if (end == WatchEnd::ended) {
    if (lines > 0) backoff_.reset();
    if (lines == 0) co_return WatchEnd::failed;  // an empty watch: do not spin
  }
  co_return end;
}

}  // namespace petrel::k8s
