// tests/tools/petrel_fib_driver.cpp — petrel-fib: the FIB module alone, standing in
// for petreld in the netns tests until the daemon exists.
//
// Reads the desired routes from a file (fib/route_text.hpp), keeps only the next
// hops that resolve now (fib/usable_route.hpp, over the links, addresses and routes
// the netlink observer reports), and hands them to the FibWriter thread: at start
// it reconciles with the routes of its protocol already in the kernel (adopt,
// replace, remove; never a flush), then resyncs every --resync-interval seconds
// and whenever a route of its protocol is deleted or changed behind its back. A
// link going down or up re-evaluates every route. SIGHUP re-reads the file;
// SIGTERM/SIGINT stop it and leave the routes in the kernel. One line per event on
// stdout:
//   ready routes=N adopted=N installed=N ...       (after the start-up reconcile)
//   nexthops changed: A B ...
//   drift PREFIX: deleted|changed behind our back
//   reloaded routes=N
//   counters installs=N removes=N failures=N retries=N resyncs=N repaired=N ...
//            plain_fallbacks=N objects_refused=N   (SIGUSR1 and at exit)
// Routes refer to kernel nexthop objects unless --plain-routes; where the kernel
// refuses an object the routes go in plain (fib/nexthop_support.hpp) and a warning
// is logged once per reason.
#include <boost/program_options.hpp>

#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "fib/dry_run_sink.hpp"
#include "fib/fib_writer.hpp"
#include "fib/netlink_observer.hpp"
#include "fib/netlink_routes.hpp"
#include "fib/route_text.hpp"
#include "fib/usable_route.hpp"

namespace po = boost::program_options;
using namespace petrel;
using namespace petrel::fib;

namespace {

std::optional<uint32_t> interface_index(std::string_view name) {
  unsigned index = if_nametoindex(std::string(name).c_str());
  if (index == 0) return std::nullopt;
  return index;
}

Result<RouteTable, Error> load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot open"};
  std::stringstream text;
  text << in.rdbuf();
  auto table = parse_route_file(text.str(), interface_index);
  if (!table) return Error{path + ":" + std::to_string(table.error().line) + ": " + table.error().message};
  return *table;
}

void print_counters(const FibWriter& writer) {
  FibCounters c = writer.counters();
  std::cout << "counters installs=" << c.installs << " removes=" << c.removes << " failures=" << c.failures
            << " retries=" << c.retries << " resyncs=" << c.resyncs << " repaired=" << c.repaired
            << " coalesced=" << c.coalesced << " batches=" << c.batches << " plain_fallbacks=" << c.plain_fallbacks
            << " objects_refused=" << c.objects_refused << std::endl;
}

class Driver {
 public:
  Driver(FibWriter& writer, NextHopTracker& tracker, KernelTarget target)
      : writer_(writer), tracker_(tracker), target_(target) {}

  // New desired routes (start or SIGHUP): watch their next hops, push what changed.
  void set_wanted(RouteTable wanted) {
    wanted_ = std::move(wanted);
    for (const auto& [prefix, route] : wanted_) {
      for (const NextHop& nh : route.nexthops) {
        if (!nh.gateway.is_unspecified()) tracker_.watch(nh.gateway);
      }
    }
    tracker_.refresh();
    push_usable();
  }

  // Pushes the usable form of every wanted route that differs from what was pushed.
  void push_usable() {
    RouteTable next;
    for (const auto& [prefix, route] : wanted_) {
      if (auto usable = usable_route(route, tracker_)) next.emplace(prefix, std::move(*usable));
    }
    for (const auto& [prefix, route] : next) {
      auto it = pushed_.find(prefix);
      if (it == pushed_.end() || !(it->second == route)) writer_.put(route);
    }
    for (const auto& [prefix, route] : pushed_) {
      if (!next.contains(prefix)) writer_.remove(prefix);
    }
    pushed_ = std::move(next);
  }

  void on_route(const KernelRoute& kr, bool removed) {
    if (removed) {
      tracker_.remove_route(kr);
    } else {
      tracker_.add_route(kr);
    }
    if (kr.protocol != target_.protocol || kr.table != target_.table) return;
    // One of ours: our own writes echo back as notifications; only a difference from
    // what we pushed is drift.
    auto it = pushed_.find(kr.route.prefix);
    bool ours_and_right = it != pushed_.end() && kernel_matches(it->second, kr.route);
    if (removed && it != pushed_.end() && effective_metric(it->second) == effective_metric(kr.route)) {
      std::cout << "drift " << kr.route.prefix.to_string() << ": deleted behind our back" << std::endl;
      writer_.request_resync();
    } else if (!removed && !ours_and_right) {
      std::cout << "drift " << kr.route.prefix.to_string() << ": changed behind our back" << std::endl;
      writer_.request_resync();
    }
  }

  // After a burst of notifications: re-evaluate routes when next hops changed.
  void after_events() {
    auto changed = tracker_.refresh();
    if (changed.empty()) return;
    std::cout << "nexthops changed:";
    for (const IpAddress& a : changed) {
      NextHopState s = tracker_.resolve(a);
      std::cout << " " << a.to_string() << (s.reachable ? "=up" : "=down");
    }
    std::cout << std::endl;
    push_usable();
  }

  std::size_t pushed() const { return pushed_.size(); }

 private:
  FibWriter& writer_;
  NextHopTracker& tracker_;
  KernelTarget target_;
  RouteTable wanted_;
  RouteTable pushed_;
};

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("petrel-fib options");
  desc.add_options()
      ("help", "this text")
      ("routes", po::value<std::string>()->required(), "file of desired routes (fib/route_text.hpp)")
      ("table", po::value<uint32_t>()->default_value(254), "kernel table (254 = main)")
      ("protocol", po::value<unsigned>()->default_value(201), "route protocol number marking Petrel's routes")
      ("resync-interval", po::value<unsigned>()->default_value(60), "seconds between periodic resyncs (0: none)")
      ("window", po::value<std::size_t>()->default_value(4096), "netlink messages per sendmsg")
      ("nexthop-objects", "routes refer to kernel nexthop objects (RTA_NH_ID) Petrel creates (the default)")
      ("plain-routes", "no nexthop objects: every route carries its gateways")
      ("dry-run", "write nothing to the kernel (record only)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "petrel-fib: " << e.what() << "\n" << desc;
    return 2;
  }
  unsigned protocol = vm["protocol"].as<unsigned>();
  if (protocol == 0 || protocol > 255) {
    std::cerr << "petrel-fib: --protocol must be 1..255\n";
    return 2;
  }
  if (vm.count("nexthop-objects") && vm.count("plain-routes")) {
    std::cerr << "petrel-fib: --nexthop-objects and --plain-routes exclude each other\n";
    return 2;
  }
  KernelTarget target{vm["table"].as<uint32_t>(), static_cast<uint8_t>(protocol), vm.count("plain-routes") == 0};
  const std::string routes_path = vm["routes"].as<std::string>();

  // Signals arrive through a signalfd, read in the same poll loop as netlink.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) {
    std::cerr << "petrel-fib: signalfd failed\n";
    return 1;
  }

  std::unique_ptr<RouteSink> sink;
  if (vm.count("dry-run")) {
    sink = std::make_unique<DryRunSink>();
  } else {
    auto netlink = NetlinkRouteSink::open(target, vm["window"].as<std::size_t>());
    if (!netlink) {
      std::cerr << "petrel-fib: " << netlink.error().message << "\n";
      return 1;
    }
    sink = std::move(*netlink);
  }
  FibWriterOptions options;
  options.resync_interval = std::chrono::seconds(vm["resync-interval"].as<unsigned>());
  FibWriter writer(*sink, options);
  NextHopTracker tracker({.table = target.table, .own_protocol = target.protocol});
  Driver driver(writer, tracker, target);

  ObserverHandlers handlers;
  handlers.link = [&](const LinkInfo& link, bool removed) {
    if (removed) {
      tracker.remove_link(link.ifindex);
    } else {
      tracker.set_link(link.ifindex, link.up);
    }
  };
  handlers.address = [&](const AddressInfo& a, bool removed) {
    if (removed) {
      tracker.remove_address(a.ifindex, a.on_link);
    } else {
      tracker.add_address(a.ifindex, a.on_link);
    }
  };
  bool dumping = true;
  handlers.route = [&](const KernelRoute& kr, bool removed) {
    if (dumping) {  // the start-up dump feeds the tracker; the writer reconciles on its own
      tracker.add_route(kr);
      return;
    }
    driver.on_route(kr, removed);
  };
  bool overrun = false;
  handlers.overrun = [&] { overrun = true; };
  auto observer = NetlinkObserver::open(handlers);
  if (!observer) {
    std::cerr << "petrel-fib: " << observer.error().message << "\n";
    return 1;
  }
  if (auto r = (*observer)->dump_all(); !r) {
    std::cerr << "petrel-fib: " << r.error().message << "\n";
    return 1;
  }
  dumping = false;

  auto wanted = load(routes_path);
  if (!wanted) {
    std::cerr << "petrel-fib: " << wanted.error().message << "\n";
    return 1;
  }
  const std::size_t wanted_count = wanted->size();
  driver.set_wanted(std::move(*wanted));
  writer.start();
  writer.wait_flushed(std::chrono::seconds(60));
  {
    FibCounters c = writer.counters();
    std::cout << "ready routes=" << wanted_count << " usable=" << driver.pushed() << " adopted=" << c.adopted
              << " operations=" << c.repaired << " failures=" << c.failures << std::endl;
  }

  for (;;) {
    pollfd fds[2] = {{(*observer)->fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
    int n = poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      if (auto r = (*observer)->read_pending(); !r) std::cerr << "petrel-fib: " << r.error().message << std::endl;
      if (overrun) {
        overrun = false;
        std::cout << "notifications lost: dumping again" << std::endl;
        tracker = NextHopTracker({.table = target.table, .own_protocol = target.protocol});
        dumping = true;
        (void)(*observer)->dump_all();
        dumping = false;
        writer.request_resync();
      }
      driver.after_events();
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof info) != sizeof info) continue;
      if (info.ssi_signo == SIGHUP) {
        auto reloaded = load(routes_path);
        if (!reloaded) {
          std::cout << "reload failed, keeping the running routes: " << reloaded.error().message << std::endl;
          continue;
        }
        std::size_t count = reloaded->size();
        driver.set_wanted(std::move(*reloaded));
        std::cout << "reloaded routes=" << count << std::endl;
      } else if (info.ssi_signo == SIGUSR1) {
        print_counters(writer);
      } else {
        break;  // SIGTERM / SIGINT: stop, routes stay in the kernel
      }
    }
  }
  writer.wait_idle(std::chrono::seconds(5));
  writer.stop();
  print_counters(writer);
  std::cout << "stopped; routes left in the kernel" << std::endl;
  return 0;
}
