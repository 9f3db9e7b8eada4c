// bench/codec_bench.cpp — Google Benchmark driver for the UPDATE codec.
//
// For every scenario of codec_corpus.hpp (IPv4 full table, IPv4 packed, IPv4
// churn, IPv6 full table) it times four operations: the full receive path
// (Framer -> decode_update -> iterate every NLRI entry), decode_update() alone,
// NLRI iteration alone, and pack_announcements(). Each reports
//   per_prefix   CPU time per prefix (printed as e.g. "8.9ns")
//   prefixes/s   prefixes handled per CPU second
// Set PETREL_BENCH_SCALE (default 1.0) to shrink or grow every corpus.
// See bench/README.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/codec_corpus.hpp"

namespace {

using namespace petrel::bench;

void set_counters(benchmark::State& state, const Corpus& c, std::size_t prefixes_per_iteration) {
  const double n = static_cast<double>(prefixes_per_iteration);
  state.counters["per_prefix"] =
      benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["prefixes/s"] = benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.stream.size()));
  state.SetLabel(std::to_string(c.prefixes) + " prefixes, " + std::to_string(c.messages.size()) + " msgs, " +
                 std::to_string(c.sets.size()) + " attr sets");
}

std::string slug(std::string name) {
  for (char& ch : name)
    if (ch == ' ' || ch == '-') ch = '_';
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 1.0;
  if (const char* s = std::getenv("PETREL_BENCH_SCALE")) scale = std::atof(s);
  std::fprintf(stderr, "building corpora (scale %.2f)...\n", scale);
  // Built once; the benchmarks below only read them.
  static const std::vector<Corpus> corpora = standard_corpora(scale);
  static std::vector<std::vector<NlriView>> views;
  for (const auto& c : corpora) views.push_back(decoded_views(c));

  for (std::size_t i = 0; i < corpora.size(); ++i) {
    const Corpus* c = &corpora[i];
    const std::vector<NlriView>* v = &views[i];
    const std::string name = slug(c->name);

    benchmark::RegisterBenchmark(("full_path/" + name).c_str(), [c](benchmark::State& state) {
      uint64_t sink = 0;
      std::size_t n = 0;
      for (auto _ : state) {
        n = run_full_path(*c, sink);
        benchmark::DoNotOptimize(sink);
      }
      set_counters(state, *c, n);
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(("decode_only/" + name).c_str(), [c](benchmark::State& state) {
      uint64_t sink = 0;
      std::size_t n = 0;
      for (auto _ : state) {
        n = run_decode_only(*c, sink);
        benchmark::DoNotOptimize(sink);
      }
      set_counters(state, *c, n);
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(("iterate_only/" + name).c_str(), [c, v](benchmark::State& state) {
      uint64_t sink = 0;
      std::size_t n = 0;
      for (auto _ : state) {
        n = run_iterate_only(*v, sink);
        benchmark::DoNotOptimize(sink);
      }
      set_counters(state, *c, n);
    })->Unit(benchmark::kMillisecond);

    benchmark::RegisterBenchmark(("encode/" + name).c_str(), [c](benchmark::State& state) {
      uint64_t sink = 0;
      std::size_t n = 0;
      std::vector<uint8_t> out;
      out.reserve(c->stream.size());
      for (auto _ : state) {
        n = run_encode(*c, out, sink);
        benchmark::DoNotOptimize(sink);
      }
      set_counters(state, *c, n);
    })->Unit(benchmark::kMillisecond);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
