// tests/shell/golden.cpp — golden-file comparison (see golden.hpp).
#include "tests/shell/golden.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace petrel::test {

void check_golden(const std::string& relative_path, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(PETREL_GOLDEN_DIR) / relative_path;
  const char* update = std::getenv("PETREL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path.string());
    return;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path.string() << " (PETREL_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE_MESSAGE(in.good(), "missing golden file");
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace petrel::test
