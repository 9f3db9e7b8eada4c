// daemon/daemon_fib.cpp — see daemon_fib.hpp.
#include "daemon/daemon_fib.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "daemon/bird_format.hpp"
#include "fib/dry_run_sink.hpp"
#include "fib/fib_writer.hpp"
#include "fib/netlink_routes.hpp"
#include "fib/route.hpp"

namespace petrel::daemon {

namespace {

// The kernel route for a prefix's selection: the ECMP set's next hops, or a
// blackhole for a route we originate (its next hop is 0.0.0.0 / ::), unless it
// is originated with `blackhole: false` (announced only: no kernel route).
std::optional<fib::Route> kernel_route(const rib::RouteChange& c, const rib::Rib& rib, const FibConfig& cfg,
                                       const std::set<Prefix>& announce_only) {
  if (!c.selected.empty() && c.selected.front().peer == rib::kLocalPeer && announce_only.contains(c.prefix))
    return std::nullopt;
  fib::Route r;
  r.prefix = c.prefix;
  r.metric = cfg.metric;
  for (const rib::SelectedPath& s : c.selected) {
    if (r.nexthops.size() >= cfg.ecmp_max_paths) break;
    const rib::RouteAttrs& ra = rib.attrs().get(s.attrs);
    if (s.peer == rib::kLocalPeer || ra.next_hop.is_unspecified()) {
      if (s.peer == rib::kLocalPeer && r.nexthops.empty()) {
        r.blackhole = true;
        break;
      }
      continue;
    }
    fib::NextHop nh;
    // A next hop resolved recursively (iBGP, multihop) goes in as the on-link
    // gateway it resolves to: the kernel refuses a gateway that is not on a link.
    const rib::Resolution res = rib.resolution(rib::PathEntry{s.attrs, s.path_id, s.peer, 0});
    nh.gateway = res.via.is_unspecified() ? ra.next_hop : res.via;
    if (std::none_of(r.nexthops.begin(), r.nexthops.end(), [&](const fib::NextHop& x) { return x.gateway == nh.gateway; }))
      r.nexthops.push_back(nh);
  }
  if (!r.blackhole && r.nexthops.empty()) return std::nullopt;
  fib::normalize(r);
  return r;
}

}  // namespace

FibFeed::FibFeed(const FibConfig& config) : config_(config) {
  if (config_.enabled) {
    fib::KernelTarget target;
    target.table = config_.table;
    target.protocol = config_.protocol;
    target.nexthop_objects = config_.nexthop_objects;
    auto sink = fib::NetlinkRouteSink::open(target);
    auto observer = fib::NetlinkRouteSink::open(target);
    if (sink && observer) {
      sink_ = std::move(*sink);
      observer_ = std::move(*observer);
    } else {
      spdlog::error("FIB: cannot open netlink ({}); running without the kernel (dry run)",
                    sink ? observer.error().message : sink.error().message);
    }
  }
  if (!sink_) sink_ = std::make_unique<fib::DryRunSink>();
  if (observer_) {
    if (auto own = observer_->dump_own()) {
      adopted_ = own->size();
      found_ = std::move(*own);
    }
  }
  writer_ = std::make_unique<fib::FibWriter>(*sink_);
  if (adopted_ > 0)
    spdlog::info("FIB: {} routes of protocol {} in table {} kept from before; reconciled once routes are selected",
                 adopted_, config_.protocol, config_.table);
}

FibFeed::~FibFeed() { stop(); }

void FibFeed::stop() {
  if (started_) writer_->stop();
}

void FibFeed::set_confirmed(std::function<void(fib::KernelConfirmation&&)> f) {
  if (observer_ && !started_) writer_->set_confirmed_sink(std::move(f));
}

void FibFeed::start() {
  if (started_) return;
  started_ = true;
  writer_->start();
}

void FibFeed::apply(std::span<const rib::RouteChange> changes, const rib::Rib& rib) {
  if (frozen_) return;
  std::vector<fib::RouteChange> batch;
  batch.reserve(changes.size());
  for (const rib::RouteChange& c : changes) {
    auto route = c.selected.empty() ? std::nullopt : kernel_route(c, rib, config_, announce_only_);
    if (route) desired_[c.prefix] = *route;
    else desired_.erase(c.prefix);
    batch.push_back({c.prefix, std::move(route)});
  }
  writer_->submit(std::move(batch));
}

Reply FibFeed::show(const Command& c) const {
  std::map<Prefix, fib::Route> kernel;
  std::string note;
  if (!observer_) {
    note = config_.enabled ? "kernel not reachable" : "fib disabled (dry run): nothing is installed";
  } else if (auto own = observer_->dump_own()) {
    for (const fib::Route& r : *own) kernel[r.prefix] = r;
  } else {
    return Reply::error(reply_code::runtime_error, "FIB: dump failed: " + own.error().message);
  }
  struct Row {
    std::string desired, kernel;
    bool same = true;
  };
  std::map<Prefix, Row> rows;
  for (const auto& [p, route] : desired_) rows[p].desired = fib::to_string(route);
  for (const auto& [p, route] : kernel) rows[p].kernel = fib::to_string(route);
  for (auto& [p, row] : rows) {
    auto d = desired_.find(p);
    auto k = kernel.find(p);
    row.same = !observer_ || (d != desired_.end() && k != kernel.end() && fib::kernel_matches(d->second, k->second));
  }
  const auto counters = writer_->counters();
  if (c.json) {
    boost::json::array a;
    for (const auto& [p, row] : rows) {
      if (c.prefix && p != *c.prefix) continue;
      a.push_back(boost::json::object{{"prefix", p.to_string()},
                                      {"desired", row.desired},
                                      {"kernel", row.kernel},
                                      {"in_sync", row.same}});
    }
    return json_reply(boost::json::object{{"routes", std::move(a)},
                                          {"note", note},
                                          {"queued", writer_->queued()},
                                          {"installs", counters.installs},
                                          {"failures", counters.failures}});
  }
  Reply r;
  char line[512];
  std::snprintf(line, sizeof line, "%-3s %-44s %s", "", "Desired (Petrel)", "Kernel (table, protocol)");
  r.line(reply_code::protocol_heading, line);
  std::size_t differ = 0;
  for (const auto& [p, row] : rows) {
    if (c.prefix && p != *c.prefix) continue;
    if (!row.same) ++differ;
    std::snprintf(line, sizeof line, "%-3s %-44s %s", row.same ? "" : "!", row.desired.empty() ? "-" : row.desired.c_str(),
                  !observer_ ? "" : row.kernel.empty() ? "-" : row.same ? "=" : row.kernel.c_str());
    r.line(reply_code::route_list, line);
  }
  if (!note.empty()) r.line(reply_code::route_list, note);
  r.line(reply_code::route_list, std::to_string(desired_.size()) + " desired, " + std::to_string(differ) +
                                     " differ from the kernel, " + std::to_string(writer_->queued()) + " queued");
  return r;
}

FibMetrics FibFeed::metrics() const {
  FibMetrics m;
  const auto c = writer_->counters();
  m.enabled = config_.enabled && observer_ != nullptr;
  m.installs = c.installs;
  m.removes = c.removes;
  m.failures = c.failures;
  m.retries = c.retries;
  m.plain_fallbacks = c.plain_fallbacks;
  m.objects_refused = c.objects_refused;
  m.queue_depth = writer_->queued();
  m.routes = desired_.size();
  return m;
}

}  // namespace petrel::daemon
