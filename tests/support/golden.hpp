// tests/support/golden.hpp — golden-file checks for printed output (config
// printing, shell output).
//
//   check_golden("daemon/node.yaml.golden", print_config(c));
//
// compares `actual` with tests/golden/<name> and, on a difference, reports the
// first differing line of each. With PETREL_UPDATE_GOLDEN=1 in the
// environment it (re)writes the file instead and passes, so that after an
// intended change `PETREL_UPDATE_GOLDEN=1 ctest -R NAME` regenerates the files
// and `git diff tests/golden` shows what changed.
//
// The test target must define PETREL_SOURCE_DIR (the repository root):
//   target_compile_definitions(T PRIVATE PETREL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#ifndef PETREL_SOURCE_DIR
#error "golden.hpp needs PETREL_SOURCE_DIR (the repository root) defined for the test target"
#endif

namespace petrel::test {

inline std::string golden_path(std::string_view name) {
  return std::string(PETREL_SOURCE_DIR) + "/tests/golden/" + std::string(name);
}

inline bool updating_golden() {
  const char* v = std::getenv("PETREL_UPDATE_GOLDEN");
  return v && std::string_view(v) == "1";
}

// The first line where a and b differ: "line N:\n  expected: ...\n  actual:   ...".
inline std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string le, la;
  for (int line = 1;; ++line) {
    const bool more_e = static_cast<bool>(std::getline(e, le));
    const bool more_a = static_cast<bool>(std::getline(a, la));
    if (!more_e && !more_a) return "only in line endings";
    if (!more_e || !more_a || le != la)
      return "line " + std::to_string(line) + ":\n  expected: " + (more_e ? le : "<end of file>") +
             "\n  actual:   " + (more_a ? la : "<end of output>");
  }
}

inline void check_golden(std::string_view name, const std::string& actual) {
  const std::string path = golden_path(name);
  if (updating_golden()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    CHECK_MESSAGE(out.good(), "cannot write " << path);
    MESSAGE("golden file written: " << path);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FAIL_CHECK("missing golden file " << path << " (run with PETREL_UPDATE_GOLDEN=1 to create it)");
    return;
  }
  std::ostringstream expected;
  expected << in.rdbuf();
  const bool same = expected.str() == actual;
  CHECK_MESSAGE(same, "output differs from " << path << " at " << first_difference(expected.str(), actual)
                                              << "\n(if the change is intended: PETREL_UPDATE_GOLDEN=1 regenerates it)");
}

}  // namespace petrel::test
