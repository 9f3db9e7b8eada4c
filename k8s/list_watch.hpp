// k8s/list_watch.hpp — the list-then-watch loop for one resource (client-go's Reflector).
//
// Protocol (Kubernetes "API Concepts": efficient detection of changes, retrieving
// large results in chunks, watch bookmarks):
//  1. list: GET PATH?limit=N, then &continue=TOKEN while metadata.continue is set;
//     the whole list goes to the sink at once, with metadata.resourceVersion kept;
//     a 410 on a continue token (expired) restarts the list.
//  2. watch: GET PATH?watch=1&resourceVersion=RV&allowWatchBookmarks=true&timeoutSeconds=T
//     (T random in [watch_timeout, 2*watch_timeout) as client-go does), one JSON
//     event per line: ADDED / MODIFIED / DELETED go to the sink, BOOKMARK only
//     advances RV, every event's metadata.resourceVersion becomes the resume point.
//  3. 410 Gone — an HTTP 410 reply or an ERROR event whose Status has code 410:
//     RV is too old; list again (the sink diffs, nothing is dropped).
//  4. connection refused, dropped mid-stream or other errors: wait a jittered
//     exponential backoff, then watch again from the last RV (or list again if
//     the list itself failed). A watch the server ends normally is resumed at once.
// `path` may carry a query of its own (?fieldSelector=...); limit, continue and
// the watch parameters are appended to it.
// Bad lines (not JSON, no type) are reported to the sink and skipped.
// Nothing here ever clears the sink's state: when the API server is unreachable
// the last known objects stay. Single-threaded on the client's executor; stop()
// closes the connections and ends the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "k8s/api_client.hpp"
#include "k8s/backoff.hpp"

namespace petrel::k8s {

enum class WatchEventType { added, modified, deleted };

class ListWatchSink {
 public:
  virtual ~ListWatchSink() = default;
  // A complete, consistent list (all pages); replaces what the sink knew.
  virtual void on_list(const std::vector<boost::json::value>& items) = 0;
  virtual void on_event(WatchEventType type, const boost::json::value& object) = 0;
  // Something went wrong; the loop goes on. The message names the resource.
  virtual void on_error(const std::string& message) = 0;
};

struct ListWatchOptions {
  std::size_t page_size = 500;
  Duration backoff_initial = std::chrono::milliseconds(800);
  Duration backoff_max = std::chrono::seconds(30);
  std::chrono::seconds watch_timeout{300};
  Duration idle_margin = std::chrono::seconds(30);  // added to the watch timeout for the read deadline
  uint64_t seed = 0;                                 // 0: from std::random_device
};

struct ListWatchStats {
  int lists = 0;      // completed lists (first one and relists)
  int pages = 0;      // list pages received
  int watches = 0;    // watch requests made
  int gone = 0;       // 410 replies or ERROR 410 events
  int failures = 0;   // errors that led to a backoff
  int bookmarks = 0;
  std::vector<std::string> watch_rvs;  // resourceVersion of each watch request, in order
};

class ListWatch : public std::enable_shared_from_this<ListWatch> {
 public:
  ListWatch(std::shared_ptr<ApiClient> client, std::string path, ListWatchSink& sink, ListWatchOptions options);

  void start();
  void stop();  // closes the connections; the sink is never called again
  bool running() const { return running_; }
  const std::string& path() const { return path_; }
  const std::string& resource_version() const { return rv_; }
  const ListWatchStats& stats() const { return stats_; }

 private:
  enum class WatchEnd { ended, gone, failed };
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<bool> list();
  boost::asio::awaitable<WatchEnd> watch();
  boost::asio::awaitable<void> pause(Duration d);
  bool handle_line(std::string_view line, WatchEnd& end);
  void report(const std::string& message);

  std::shared_ptr<ApiClient> client_;
  std::string path_;
  ListWatchSink* sink_;
  ListWatchOptions options_;
  Backoff backoff_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<Connection> list_conn_;
  std::unique_ptr<Connection> watch_conn_;
  std::string rv_;
  bool running_ = false;
  bool stopped_ = false;
  uint64_t timeout_rng_;
  ListWatchStats stats_;
};

}  // namespace petrel::k8s
