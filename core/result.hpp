// core/result.hpp — result and error types shared by every module.
//
// Outside input never raises exceptions: functions that can fail on it return
// Result<T, E> (boost::system::result; GCC 12 has no std::expected). Error is the
// plain "what went wrong" value for modules that need no richer error type.
// PETREL_CHECK guards internal invariants only (never outside input): it logs to
// stderr and aborts.
#pragma once

#include <boost/system/result.hpp>

#include <string>

namespace petrel {

template <class T, class E>
using Result = boost::system::result<T, E>;

struct Error {
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};

[[noreturn]] void check_failed(const char* condition, const char* message, const char* file, int line);

}  // namespace petrel

#define PETREL_CHECK(cond, message)                                               \
  do {                                                                            \
    if (!(cond)) ::petrel::check_failed(#cond, (message), __FILE__, __LINE__);   \
  } while (0)
