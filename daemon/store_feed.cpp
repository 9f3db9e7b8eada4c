// daemon/store_feed.cpp — see store_feed.hpp.
#include "daemon/store_feed.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "daemon/bgp_speaker.hpp"
#include "daemon/forwarding_state.hpp"
#include "daemon/history_format.hpp"
#include "rib/store/mrt_dump.hpp"

namespace petrel::daemon {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes the whole file (created 0640, an existing file replaced; a symbolic
// link is refused). Empty: done; otherwise what went wrong.
std::string write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0) return std::strerror(errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      return why;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return std::strerror(errno);
  return {};
}

}  // namespace

StoreFeed::StoreFeed(const Config& config, std::function<std::string(rib::PeerId)> peer_name, bool warm)
    : builder_(std::move(peer_name)) {
  if (!config.store_enabled) {
    why_off_ = "The store is off (store: {enabled: false})";
    kernel_before_ = {boost::system::in_place_error, std::string("the store is off")};
    peers_before_ = {boost::system::in_place_error, std::string("the store is off")};
    spdlog::info("store: off (store.enabled: false); no route history");
    return;
  }
  rib::store::StoreOptions o;
  o.path = config.store_path;
  o.history_max_age = std::chrono::seconds(config.store_history_max_age);
  o.history_max_entries = config.store_history_max_entries;
  store_ = rib::store::Store::open(o, [](rib::store::Store::LogLevel level, const std::string& line) {
    if (level == rib::store::Store::LogLevel::warning) spdlog::warn("{}", line);
    else spdlog::info("{}", line);
  });
  if (!store_) {
    why_off_ = "The store is not available (" + config.store_path + ": see petreld's log)";
    kernel_before_ = {boost::system::in_place_error, "the store " + config.store_path + " is not available"};
    peers_before_ = {boost::system::in_place_error, "the store " + config.store_path + " is not available"};
    return;
  }
  // What the kernel held of ours before (the FIB writer's confirmations), and
  // the peers' graceful-restart state when petreld stopped.
  if (!store_->cold_start_reason().empty()) {
    kernel_before_ = {boost::system::in_place_error, "the store started empty: " + store_->cold_start_reason()};
    peers_before_ = {boost::system::in_place_error, "the store started empty: " + store_->cold_start_reason()};
  } else {
    kernel_before_ = store_->load_kernel_set();
    peers_before_ = store_->load_peer_states();
  }
  // A warm restart loads the snapshot first and starts it over when selection
  // is released (apply()); a cold start starts it over with the empty RIB.
  if (warm) {
    if (!store_->cold_start_reason().empty()) {
      spdlog::warn("warm restart: no snapshot ({}); cold start", store_->cold_start_reason());
    } else if (auto loaded = store_->load_snapshot(); !loaded) {
      spdlog::warn("warm restart: snapshot not trusted ({}); cold start", loaded.error());
    } else {
      snapshot_ = std::move(*loaded);
      reset_pending_ = true;
      std::size_t paths = 0;
      for (const auto& r : snapshot_) paths += r.paths.size();
      spdlog::info("warm restart: snapshot of {} prefixes, {} paths loaded from {}", snapshot_.size(), paths,
                   config.store_path);
    }
  }
  if (!reset_pending_) store_->reset_snapshot();
  const auto s = store_->stats();
  spdlog::info("store {}: {} journal entries kept (history {} s, {} entries at most)", config.store_path,
               s.journal_entries, config.store_history_max_age, config.store_history_max_entries);
}

StoreFeed::~StoreFeed() = default;

void StoreFeed::record_draining(bool on) {
  if (!store_) {
    if (on) spdlog::warn("drain is not kept across a restart: a restarted petreld is not draining ({})", why_off_);
    return;
  }
  if (store_->record_draining(on, now_ms()))
    spdlog::info("store {}: {}", store_->path(),
                 on ? "draining recorded: a restart stays drained until `drain stop`" : "drain stop recorded");
}

void StoreFeed::confirm_kernel(fib::KernelConfirmation&& c) {
  if (!store_) return;
  store_->submit_kernel(to_kernel_batch(c));
}

void StoreFeed::apply(std::span<const rib::RouteChange> changes, rib::DecidedPaths& decided, const rib::Rib& rib) {
  if (!store_ || (changes.empty() && decided.prefixes.empty())) return;
  if (reset_pending_) {  // the first decision after a warm restart: the whole selection follows
    store_->reset_snapshot();
    reset_pending_ = false;
  }
  builder_.give(store_->take_spare());
  store_->submit(builder_.build(changes, decided, rib, now_ms()));
}

Reply StoreFeed::show_history(const Command& c) {
  if (!store_) return Reply::error(reply_code::runtime_error, why_off_);
  // What the last decisions queued is in the answer (bounded wait: the store
  // thread writes in the background).
  store_->flush(std::chrono::seconds(2));
  return history_reply(*c.prefix, store_->history(*c.prefix), c.json);
}

Reply StoreFeed::mrt_dump(const Command& c, BgpSpeaker& speaker) {
  const Config& config = speaker.config();
  const auto now_s = static_cast<uint32_t>(now_ms() / 1000);
  std::vector<uint8_t> bytes;
  std::string what;
  if (c.mrt == Command::Mrt::history) {
    if (!store_) return Reply::error(reply_code::runtime_error, why_off_);
    store_->flush(std::chrono::seconds(5));
    std::size_t skipped = 0;
    bytes = rib::store::mrt::encode_journal_dump(*store_, config.local_as, IpAddress::v4(config.router_id), &skipped);
    what = std::to_string(store_->stats().journal_entries) + " journal entries (BGP4MP)";
    if (skipped) what += ", " + std::to_string(skipped) + " undecodable skipped";
  } else {
    // Every path of every prefix, best first, as `show route` lists them.
    rib::Rib& rib = speaker.rib();
    std::vector<Prefix> prefixes;
    rib.for_each_prefix([&](const Prefix& p) { prefixes.push_back(p); });
    std::sort(prefixes.begin(), prefixes.end());
    std::vector<rib::store::mrt::DumpRoute> routes;
    routes.reserve(prefixes.size());
    std::size_t paths = 0;
    for (const Prefix& p : prefixes) {
      rib::store::mrt::DumpRoute r{p, {}};
      for (const rib::PathEntry& e : rib.paths(p)) {
        const rib::PeerInfo& info = rib.peer(e.peer);
        rib::store::PeerRef peer{speaker.name_of(e.peer), info.address, info.peer_as, info.router_id};
        if (info.local) {
          peer.as = config.local_as;
          peer.router_id = config.router_id;
        }
        r.paths.push_back({std::move(peer), &rib.attrs().get(e.attrs)});
      }
      paths += r.paths.size();
      routes.push_back(std::move(r));
    }
    bytes = rib::store::mrt::encode_rib_dump(now_s, config.router_id, "petrel", routes,
                                             static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                                       speaker.started().time_since_epoch()).count()));
    what = std::to_string(paths) + " paths of " + std::to_string(prefixes.size()) + " prefixes (TABLE_DUMP_V2)";
  }
  if (auto why = write_file(c.file, bytes); !why.empty())
    return Reply::error(reply_code::runtime_error, "mrt dump: cannot write " + c.file + ": " + why);
  spdlog::info("mrt dump: {} written to {} ({} bytes)", what, c.file, bytes.size());
  return Reply().end(reply_code::mrt_written, "MRT dump: " + what + " written to " + c.file);
}

}  // namespace petrel::daemon
