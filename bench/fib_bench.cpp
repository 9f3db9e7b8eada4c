// bench/fib_bench.cpp — kernel route installs and removals through Petrel's FIB
// writer, side by side with `ip -batch` of the same routes, in the same run.
//
// Run it inside a network namespace (bench/fib_bench.sh makes one, with a veth whose
// far end answers for the next hops, and removes it). For each size (100k and 1M by
// default) it installs N IPv4 /24s via 10.1.0.2 with Petrel's protocol through the
// FibWriter (the producer only pushes into the coalescing queue; the writer thread
// sends batched netlink requests), checks the kernel holds exactly N routes of the
// protocol, removes them, checks none is left; then does the same with `ip -batch`
// (one `route add` / `route del` line per route). Prints wall time and routes per
// second for each, and the ratio. Both writers get the routes in the same order:
// ascending addresses, or (--order=hash) the order a RIB's hash table iterates in,
// which is how a mass withdrawal reaches the FIB. Flags: --sizes=100000,1000000
// --window=4096 --batch=16384 --ip=PATH --order=ascending|hash
// The writer's routes refer to kernel nexthop objects it creates (RTA_NH_ID), as
// petreld's do by default; --plain sends them with their gateway instead (the mode
// before nexthop objects; --nexthop-objects names the default). ip -batch is the same
// in both modes.
// --sink=none: Petrel's user space alone: the same producer and writer against a
// sink that does nothing (no kernel, no ip -batch; needs no namespace); prints wall
// and CPU seconds (both threads) per phase.
// --repeat=N: each size runs N times, Petrel and ip -batch in turn, and prints the
// medians and the ratio of the medians (this machine's speed drifts by ±20 % from
// minute to minute; a median of several runs says more than one run).
// --floor: each size also hands all N routes to the kernel sink (NetlinkRouteSink)
// in one call, already in kernel order, with no writer, queue or producer: the
// kernel's own cost (and the encoding), the floor any writer could reach.
// --sweeps=K (with --floor): the floor run's routes in K consecutive blocks, each in
// kernel order (what a writer that starts before a burst is complete sends): what
// several sweeps through the kernel's trie cost against one.
// --store=DIR: each size runs Petrel's writer a second time with its kernel
// confirmations going to a RocksDB store in DIR, as petreld's do when it has a
// store (the set installed in the kernel, rib/store/README.md), and prints the
// difference: what keeping that set costs the FIB.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "daemon/forwarding_state.hpp"
#include "fib/fib_writer.hpp"
#include "fib/kernel_order.hpp"
#include "fib/netlink_routes.hpp"

using namespace petrel;
using namespace petrel::fib;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint8_t kProtocol = 201;


double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// N distinct /24s from 16.0.0.0 up (16.0.0.0 .. 31.255.255.0 holds 1,048,576).
Prefix nth_prefix(std::size_t i) { return Prefix::make(IpAddress::v4(0x10000000u + (static_cast<uint32_t>(i) << 8)), 24); }

std::size_t count_ours(RouteSink& sink) {
  auto routes = sink.dump_own();
  if (!routes) {
    std::fprintf(stderr, "fib_bench: dump failed: %s\n", routes.error().message.c_str());
    std::exit(1);
  }
  return routes->size();
}

struct Timing {
  double install = 0;
  double remove = 0;
  double push = 0;  // time the producer spent in put() for all routes
  double install_cpu = 0;  // user + system CPU of the whole process (producer and writer)
  double remove_cpu = 0;
  double store_drain = 0;  // --store: after the removals, until the store had written everything
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
}

// Accepts everything at once: what is left is the producer's and the writer's own work.
class NullSink final : public RouteSink {
 public:
  void apply(std::span<const Operation>, std::span<int> errors) override { std::fill(errors.begin(), errors.end(), 0); }
  Result<std::vector<Route>, Error> dump_own() override { return std::vector<Route>{}; }
};

Timing run_petrel(const std::vector<Prefix>& order, std::size_t window, std::size_t batch, bool nexthop_objects,
                  bool no_kernel, const std::string& store_dir) {
  const std::size_t n = order.size();
  std::unique_ptr<RouteSink> sink;
  if (no_kernel) {
    sink = std::make_unique<NullSink>();
  } else if (auto kernel = NetlinkRouteSink::open(KernelTarget{254, kProtocol, nexthop_objects}, window)) {
    sink = std::move(*kernel);
  } else {
    std::fprintf(stderr, "fib_bench: %s\n", kernel.error().message.c_str());
    std::exit(1);
  }
  FibWriterOptions options;
  options.batch = batch;
  options.resync_interval = std::chrono::milliseconds(0);
  FibWriter writer(*sink, options);
  // --store: what petreld does with the store on: the writer's confirmations,
  // in the store's form, queued to a store thread that writes them.
  std::unique_ptr<rib::store::Store> store;
  if (!store_dir.empty()) {
    rib::store::StoreOptions so;
    so.path = store_dir + "/db-" + std::to_string(order.size());
    store = rib::store::Store::open(so, nullptr);
    if (!store) {
      std::fprintf(stderr, "fib_bench: cannot open a store at %s\n", so.path.c_str());
      std::exit(1);
    }
    writer.set_confirmed_sink(
        [&store](KernelConfirmation&& c) { store->submit_kernel(daemon::to_kernel_batch(c)); });
  }
  writer.start();
  writer.wait_flushed();  // the start-up reconcile of an empty table

  Route route;
  route.nexthops.push_back({*IpAddress::parse("10.1.0.2"), 0, 1});
  // The producer hands over changes the way a RIB decision run does: in batches.
  constexpr std::size_t kProducerBatch = 10'000;
  Timing t;
  double cpu_start = cpu_seconds();
  auto start = Clock::now();
  std::vector<RouteChange> changes;
  for (std::size_t k = 0; k < n; ++k) {
    route.prefix = order[k];
    changes.push_back({route.prefix, route});
    if (changes.size() == kProducerBatch || k + 1 == n) {
      writer.submit(std::move(changes));
      changes.clear();
    }
  }
  t.push = seconds_since(start);
  writer.wait_flushed();
  t.install = seconds_since(start);
  t.install_cpu = cpu_seconds() - cpu_start;
  FibCounters c = writer.counters();
  if (c.failures != 0) std::fprintf(stderr, "fib_bench: %llu failed installs\n", (unsigned long long)c.failures);
  if (c.plain_fallbacks != 0) {  // the figures would be those of plain routes
    std::fprintf(stderr, "fib_bench: %llu routes went in plain: the kernel refused nexthop objects\n",
                 (unsigned long long)c.plain_fallbacks);
  }
  std::size_t in_kernel = no_kernel ? n : count_ours(*sink);
  if (in_kernel != n) {
    std::fprintf(stderr, "fib_bench: kernel holds %zu routes, expected %zu\n", in_kernel, n);
    std::exit(1);
  }
  cpu_start = cpu_seconds();
  start = Clock::now();
  for (std::size_t k = 0; k < n; ++k) {
    changes.push_back({order[k], std::nullopt});
    if (changes.size() == kProducerBatch || k + 1 == n) {
      writer.submit(std::move(changes));
      changes.clear();
    }
  }
  writer.wait_flushed();
  t.remove = seconds_since(start);
  t.remove_cpu = cpu_seconds() - cpu_start;
  if (std::size_t left = no_kernel ? 0 : count_ours(*sink); left != 0) {
    std::fprintf(stderr, "fib_bench: %zu routes left after removal\n", left);
    std::exit(1);
  }
  writer.stop();
  if (store) {
    const auto flushed_at = Clock::now();
    store->flush(std::chrono::minutes(5));
    t.store_drain = seconds_since(flushed_at);
  }
  return t;
}

// --floor: the sink alone, all routes in one apply() in kernel order, then all removes.
std::pair<double, double> run_sink_alone(const std::vector<Prefix>& order, std::size_t window, bool nexthop_objects,
                                         std::size_t sweeps) {
  auto kernel = NetlinkRouteSink::open(KernelTarget{254, kProtocol, nexthop_objects}, window);
  if (!kernel) {
    std::fprintf(stderr, "fib_bench: %s\n", kernel.error().message.c_str());
    std::exit(1);
  }
  RouteSink& sink = **kernel;
  if (count_ours(sink) != 0) {  // a clean start (the dump also shows the sink our nexthop objects)
    std::fprintf(stderr, "fib_bench: routes of protocol %d left before the floor run\n", int{kProtocol});
    std::exit(1);
  }
  std::vector<Operation> ops;
  ops.reserve(order.size());
  Route route;
  route.nexthops.push_back({*IpAddress::parse("10.1.0.2"), 0, 1});
  for (const Prefix& prefix : order) {
    route.prefix = prefix;
    ops.push_back({Operation::Kind::install, route});
  }
  for (std::size_t s = 0; s < sweeps; ++s) {
    const auto begin = ops.begin() + static_cast<std::ptrdiff_t>(ops.size() * s / sweeps);
    const auto end = ops.begin() + static_cast<std::ptrdiff_t>(ops.size() * (s + 1) / sweeps);
    sort_for_kernel(std::span<Operation>(begin, end));
  }
  std::vector<int> errors(ops.size(), 0);
  auto start = Clock::now();
  sink.apply(ops, errors);
  const double install = seconds_since(start);
  if (std::count(errors.begin(), errors.end(), 0) != static_cast<std::ptrdiff_t>(errors.size()) ||
      count_ours(sink) != order.size()) {
    std::fprintf(stderr, "fib_bench: the floor run's installs failed\n");
    std::exit(1);
  }
  for (Operation& op : ops) {
    op.kind = Operation::Kind::remove;
    op.route.nexthops.clear();
  }
  sort_for_kernel(ops);  // the removes in one sweep, whatever the installs did
  start = Clock::now();
  sink.apply(ops, errors);
  const double remove = seconds_since(start);
  if (count_ours(sink) != 0) {
    std::fprintf(stderr, "fib_bench: routes left after the floor run\n");
    std::exit(1);
  }
  return {install, remove};
}

double run_ip_batch(const std::string& ip, const char* verb, const std::vector<Prefix>& order, const std::string& path) {
  {
    std::ofstream out(path);
    for (const Prefix& prefix : order) {
      out << "route " << verb << ' ' << prefix.to_string() << " via 10.1.0.2 proto " << int{kProtocol} << '\n';
    }
  }
  std::string command = ip + " -batch " + path;
  auto start = Clock::now();
  int rc = std::system(command.c_str());
  double seconds = seconds_since(start);
  if (rc != 0) {
    std::fprintf(stderr, "fib_bench: '%s' failed (%d)\n", command.c_str(), rc);
    std::exit(1);
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {100'000, 1'000'000};
  std::size_t window = 4096, batch = 16384;
  std::string ip = "ip";
  bool nexthop_objects = true;
  bool hash_order = false;
  bool no_kernel = false;
  bool with_floor = false;  // --floor: also the sink alone, all routes in one call
  int repeat = 1;           // --repeat=N: each size N times (Petrel and ip -batch in turn), then the medians
  std::size_t sweeps = 1;   // --sweeps=K: the floor run's installs in K blocks
  std::string store_dir;  // --store=DIR: also a run with the writer's confirmations going to a store there
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--sizes=")) {
      sizes.clear();
      std::string list = a.substr(8);
      for (std::size_t pos = 0; pos <= list.size();) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        sizes.push_back(std::strtoull(list.substr(pos, comma - pos).c_str(), nullptr, 10));
        pos = comma + 1;
      }
    } else if (a.starts_with("--window=")) {
      window = std::strtoull(a.c_str() + 9, nullptr, 10);
    } else if (a.starts_with("--batch=")) {
      batch = std::strtoull(a.c_str() + 8, nullptr, 10);
    } else if (a == "--order=ascending" || a == "--order=hash") {
      hash_order = a == "--order=hash";
    } else if (a.starts_with("--ip=")) {
      ip = a.substr(5);
    } else if (a == "--nexthop-objects" || a == "--plain") {
      nexthop_objects = a == "--nexthop-objects";
    } else if (a == "--sink=none" || a == "--sink=kernel") {
      no_kernel = a == "--sink=none";
    } else if (a.starts_with("--repeat=")) {
      repeat = std::max(1, std::atoi(a.c_str() + 9));
    } else if (a.starts_with("--sweeps=")) {
      sweeps = std::max<std::size_t>(1, std::strtoull(a.c_str() + 9, nullptr, 10));
    } else if (a == "--floor") {
      with_floor = true;
    } else if (a.starts_with("--store=") && a.size() > 8) {
      store_dir = a.substr(8);
    } else {
      std::fprintf(stderr, "usage: fib_bench [--sizes=N,N] [--window=N] [--batch=N] [--ip=PATH] [--nexthop-objects|--plain] [--order=ascending|hash] [--sink=kernel|none] [--floor [--sweeps=K]] [--repeat=N] [--store=DIR]\n");
      return 2;
    }
  }
  for (std::size_t n : sizes) {
    if (n == 0 || n > (1u << 20)) {
      std::fprintf(stderr, "fib_bench: sizes must be 1..1048576\n");
      return 2;
    }
  }
  const std::string batch_file = "/tmp/fib_bench." + std::to_string(getpid()) + ".batch";
  std::printf("# order: %s; window %zu messages per sendmsg; writer batch %zu\n",
              hash_order ? "hash (as a RIB's hash table iterates)" : "ascending addresses", window, batch);
  std::printf("%-9s %-22s %10s %14s %10s %14s\n", "routes", "writer", "install s", "install rt/s", "remove s",
              "remove rt/s");
  for (std::size_t n : sizes) {
    std::vector<Prefix> order;
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i) order.push_back(nth_prefix(i));
    if (hash_order) {
      std::sort(order.begin(), order.end(),
                [](const Prefix& a, const Prefix& b) { return hash_value(a) < hash_value(b); });
    }
    if (no_kernel) {
      Timing p = run_petrel(order, window, batch, false, true, "");
      std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f\n", n, "petrel (no kernel)", p.install, n / p.install,
                  p.remove, n / p.remove);
      std::printf("%-9zu %-22s %10.2f %14s %10.2f   CPU s, producer and writer together\n", n, "petrel (no kernel)",
                  p.install_cpu, "", p.remove_cpu);
      std::printf("%-9zu %-22s %10.3f s for all put() calls\n", n, "producer", p.push);
      std::fflush(stdout);
      continue;
    }
    const std::string petrel_name = nexthop_objects ? "petrel (nexthop objects)" : "petrel (plain)";
    std::vector<double> petrel_install, petrel_remove, ip_install, ip_remove;
    for (int run = 0; run < repeat; ++run) {
      Timing p = run_petrel(order, window, batch, nexthop_objects, false, "");
      std::optional<Timing> stored;
      if (!store_dir.empty()) stored = run_petrel(order, window, batch, nexthop_objects, false, store_dir);
      std::optional<std::pair<double, double>> alone;
      if (with_floor) alone = run_sink_alone(order, window, nexthop_objects, sweeps);
      double ip_add = run_ip_batch(ip, "add", order, batch_file);
      double ip_del = run_ip_batch(ip, "del", order, batch_file);
      std::remove(batch_file.c_str());
      petrel_install.push_back(p.install);
      petrel_remove.push_back(p.remove);
      ip_install.push_back(ip_add);
      ip_remove.push_back(ip_del);
      std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f\n", n, petrel_name.c_str(), p.install, n / p.install,
                  p.remove, n / p.remove);
      std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f\n", n, "ip -batch", ip_add, n / ip_add, ip_del, n / ip_del);
      std::printf("%-9zu %-22s %9.1fx %14s %9.1fx\n", n, "petrel / ip -batch", ip_add / p.install, "", ip_del / p.remove);
      if (alone) {
        std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f   floor: the sink alone, one call in kernel order\n", n,
                    sweeps == 1 ? "sink alone" : ("sink alone, " + std::to_string(sweeps) + " sweeps").c_str(), alone->first,
                  n / alone->first, alone->second, n / alone->second);
      }
      std::printf("%-9zu %-22s %10.3f s for all put() calls (the producer never waits for the kernel)\n", n, "producer",
                  p.push);
      std::printf("%-9zu %-22s %10.0f MB peak resident set of this process so far (the writer's table and queues)\n", n,
                  "memory", peak_rss_mb());
      if (stored) {
        std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f   confirmations to a store (petreld with a store)\n", n,
                    "petrel + store", stored->install, n / stored->install, stored->remove, n / stored->remove);
        std::printf("%-9zu %-22s %+9.1f%% %14s %+9.1f%%   the store thread done %.2f s after the removals\n", n,
                    "with store / without", 100 * (stored->install / p.install - 1), "",
                    100 * (stored->remove / p.remove - 1), stored->store_drain);
      }
      std::fflush(stdout);
    }
    if (repeat > 1) {
      const double pi = median(petrel_install), pr = median(petrel_remove), ia = median(ip_install), ir = median(ip_remove);
      std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f   median of %d runs\n", n, petrel_name.c_str(), pi, n / pi, pr,
                  n / pr, repeat);
      std::printf("%-9zu %-22s %10.2f %14.0f %10.2f %14.0f   median of %d runs\n", n, "ip -batch", ia, n / ia, ir, n / ir,
                  repeat);
      std::printf("%-9zu %-22s %9.1fx %14s %9.1fx   ratio of the medians\n", n, "petrel / ip -batch", ia / pi, "", ir / pr);
    }
    std::fflush(stdout);
  }
  return 0;
}
