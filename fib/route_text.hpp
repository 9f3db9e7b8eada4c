// fib/route_text.hpp — routes written as text, one per line, in `ip route` style:
//
//   10.244.1.0/24 blackhole
//   10.50.0.0/24 via 10.1.0.2 [dev veth1] [weight 2] [via 10.2.0.2 dev veth2 …] [src 10.1.0.1] [metric 20]
//   10.60.0.0/24 dev veth1
//   10.70.0.0/24 nhid 7                (a kernel nexthop object, `ip nexthop`)
//
// Used by the petrel-fib driver's route file, by tests and by the benchmark. Parsing
// never throws: a bad line gives an Error saying which word is wrong. Interface names
// are turned into indexes by the caller's lookup (no I/O here).
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "core/result.hpp"
#include "fib/route.hpp"

namespace petrel::fib {

using InterfaceLookup = std::function<std::optional<uint32_t>(std::string_view name)>;

// One route; the result is normalize()d.
Result<Route, Error> parse_route(std::string_view line, const InterfaceLookup& lookup = {});

struct RouteFileError {
  std::size_t line = 0;
  std::string message;
};

// A whole file: blank lines and '#' comments are skipped; a prefix given twice is an
// error (the file is a desired state, not a log).
Result<RouteTable, RouteFileError> parse_route_file(std::string_view text, const InterfaceLookup& lookup = {});

}  // namespace petrel::fib
