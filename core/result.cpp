#include "core/result.hpp"

#include <cstdio>
#include <cstdlib>

namespace petrel {

void check_failed(const char* condition, const char* message, const char* file, int line) {
  std::fprintf(stderr, "petrel: internal invariant broken at %s:%d: %s (%s)\n", file, line, message,
               condition);
  std::abort();
}

}  // namespace petrel
