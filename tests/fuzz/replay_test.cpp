// tests/fuzz/replay_test.cpp — runs every seed (tests/fuzz/corpus/<target>/) and
// every kept crasher (tests/fuzz/crashers/<target>/) through its fuzz target, in
// the ordinary test suite: with GCC in build/, under ASan + UBSan in build-asan/.
// A target aborts when an invariant breaks; the last "replay" line printed names
// the input. The targets are linked in under distinct entry-point names
// (fuzz_entry.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef PETREL_FUZZ_DIR
#error "PETREL_FUZZ_DIR must name tests/fuzz/"
#endif

extern "C" int framer_fuzz_one_input(const uint8_t* data, std::size_t size);
extern "C" int open_fuzz_one_input(const uint8_t* data, std::size_t size);
extern "C" int update_fuzz_one_input(const uint8_t* data, std::size_t size);
extern "C" int nlri_fuzz_one_input(const uint8_t* data, std::size_t size);
extern "C" int bfd_fuzz_one_input(const uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;
using Entry = int (*)(const uint8_t*, std::size_t);

// The inputs in `dir`, sorted; README.md and dot files are not inputs.
std::vector<fs::path> inputs_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.starts_with('.') || name == "README.md") continue;
    out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Replays one directory; returns how many inputs it held.
std::size_t replay(Entry entry, const fs::path& dir) {
  const auto files = inputs_in(dir);
  for (const auto& file : files) {
    const auto bytes = read_bytes(file);
    std::printf("replay %s (%zu bytes)\n", file.string().c_str(), bytes.size());
    std::fflush(stdout);
    // libFuzzer never passes a null pointer, even for an empty input.
    static const uint8_t empty = 0;
    CHECK(entry(bytes.empty() ? &empty : bytes.data(), bytes.size()) == 0);
  }
  return files.size();
}

void replay_target(const char* name, Entry entry) {
  const fs::path root = PETREL_FUZZ_DIR;
  INFO("target ", name);
  CHECK(replay(entry, root / "corpus" / name) > 0);  // a seed corpus that went missing fails
  replay(entry, root / "crashers" / name);
  // The shortest inputs, which seed files rarely are.
  static const uint8_t zeros[4] = {};
  for (std::size_t n = 0; n <= sizeof zeros; ++n) CHECK(entry(zeros, n) == 0);
}

}  // namespace

TEST_CASE("framer_fuzz: corpus and crashers") { replay_target("framer", framer_fuzz_one_input); }
TEST_CASE("open_fuzz: corpus and crashers") { replay_target("open", open_fuzz_one_input); }
TEST_CASE("update_fuzz: corpus and crashers") { replay_target("update", update_fuzz_one_input); }
TEST_CASE("nlri_fuzz: corpus and crashers") { replay_target("nlri", nlri_fuzz_one_input); }
TEST_CASE("bfd_fuzz: corpus and crashers") { replay_target("bfd", bfd_fuzz_one_input); }
