// bench/codec_bench_summary.cpp — the codec benchmarks as one human-readable line
// per scenario and operation, e.g.
//   ipv4 full-table  full path    : 8.9 ns/prefix, 112 M prefixes/s (...)
// Each figure is the median of --runs timed runs (default 5) after one warm-up,
// in thread CPU time. --scale=X shrinks or grows every corpus (default 1.0).
// Same corpora and same timed functions as codec_bench (codec_corpus.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "bench/codec_corpus.hpp"

namespace {

using namespace petrel::bench;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Median seconds of `runs` runs of `op`, after one untimed warm-up run.
double median_seconds(int runs, const std::function<std::size_t()>& op, std::size_t& prefixes) {
  prefixes = op();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const double start = thread_cpu_seconds();
    prefixes = op();
    t.push_back(thread_cpu_seconds() - start);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 1.0;
  int runs = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--scale=", 8) == 0) scale = std::atof(argv[i] + 8);
    else if (std::strncmp(argv[i], "--runs=", 7) == 0) runs = std::max(1, std::atoi(argv[i] + 7));
    else {
      std::fprintf(stderr, "usage: %s [--scale=X] [--runs=N]\n", argv[0]);
      return 2;
    }
  }

  const auto corpora = standard_corpora(scale);
  uint64_t sink = 0;
  for (const auto& c : corpora) {
    const auto views = decoded_views(c);
    std::vector<uint8_t> out;
    out.reserve(c.stream.size());
    const struct {
      const char* what;
      std::function<std::size_t()> op;
    } ops[] = {
        {"full path (framer+decode+iterate)", [&] { return run_full_path(c, sink); }},
        {"decode_update only", [&] { return run_decode_only(c, sink); }},
        {"NLRI iteration only", [&] { return run_iterate_only(views, sink); }},
        {"encode (pack_announcements)", [&] { return run_encode(c, out, sink); }},
    };
    for (const auto& op : ops) {
      std::size_t prefixes = 0;
      const double s = median_seconds(runs, op.op, prefixes);
      const double ns = s * 1e9 / static_cast<double>(prefixes);
      std::printf("%-16s %-33s: %6.1f ns/prefix, %6.1f M prefixes/s (%zu prefixes, %zu messages, %zu attr sets)\n",
                  c.name.c_str(), op.what, ns, 1e3 / ns, c.prefixes, c.messages.size(), c.sets.size());
      std::fflush(stdout);
    }
  }
  return 0;
}
