// Warm restart's forwarding-state verdict, by tables: the set the FIB had
// confirmed before the restart against what the kernel holds now, per family.
#include "daemon/forwarding_state.hpp"

#include <doctest/doctest.h>

#include "fib/route_text.hpp"

using namespace petrel;
using namespace petrel::daemon;
using rib::store::KernelRoute;

namespace {

fib::Route route(std::string_view text) {
  auto r = fib::parse_route(text, [](std::string_view name) -> std::optional<uint32_t> {
    return name == "eth3" ? std::optional<uint32_t>(3) : std::nullopt;
  });
  REQUIRE_MESSAGE(r.has_value(), text);
  fib::normalize(*r);
  return *r;
}

std::vector<KernelRoute> stored(std::initializer_list<const char*> texts) {
  std::vector<KernelRoute> out;
  for (const char* t : texts) out.push_back(to_kernel_route(route(t)));
  return out;
}

std::vector<fib::Route> kernel(std::initializer_list<const char*> texts) {
  std::vector<fib::Route> out;
  for (const char* t : texts) out.push_back(route(t));
  return out;
}

using Stored = Result<std::vector<KernelRoute>, std::string>;

}  // namespace

TEST_CASE("a kernel route and its stored form round-trip (effective metric, next hops, blackhole)") {
  for (const char* t : {"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole", "2001:db8::/48 via fe80::1 dev eth3",
                        "10.0.3.0/24 via 10.9.0.1 weight 2 via 10.9.0.2 metric 20"}) {
    CAPTURE(t);
    const fib::Route r = route(t);
    CHECK(fib::kernel_matches(r, to_fib_route(to_kernel_route(r))));
    CHECK(fib::kernel_matches(to_fib_route(to_kernel_route(r)), r));
  }
  CHECK(to_kernel_route(route("10.0.1.0/24 via 10.9.0.1")).metric == 0);
  CHECK(to_kernel_route(route("2001:db8::/48 via fe80::1 dev eth3")).metric == 1024);
}

TEST_CASE("the forwarding state per family: every route installed before must still be there, as it was") {
  const Stored both = stored({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole", "2001:db8:1::/48 via 2001:db8::1"});
  struct Row {
    const char* what;
    Stored before;
    std::vector<fib::Route> now;
    bool v4, v6;
    const char* v4_reason;
    const char* v6_reason;
  };
  const std::vector<Row> rows = {
      {"all held", both, kernel({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole", "2001:db8:1::/48 via 2001:db8::1"}),
       true, true, "the kernel holds 2 of 2 routes installed before the restart",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"extra routes of ours do not matter",
       both, kernel({"10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole", "2001:db8:1::/48 via 2001:db8::1",
                     "10.0.9.0/24 blackhole"}),
       true, true, "the kernel holds 2 of 2 routes installed before the restart",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"IPv4 flushed, IPv6 kept", both, kernel({"2001:db8:1::/48 via 2001:db8::1"}), false, true,
       "the kernel holds 0 of 2 routes installed before the restart (flushed)",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"everything flushed", both, kernel({}), false, false,
       "the kernel holds 0 of 2 routes installed before the restart (flushed)",
       "the kernel holds 0 of 1 routes installed before the restart (flushed)"},
      {"one IPv4 route lost", both, kernel({"10.0.1.0/24 via 10.9.0.1", "2001:db8:1::/48 via 2001:db8::1"}), false, true,
       "the kernel holds 1 of 2 routes installed before the restart (1 lost or changed)",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"a next hop changed behind our back", both,
       kernel({"10.0.1.0/24 via 10.9.0.7", "10.0.2.0/24 blackhole", "2001:db8:1::/48 via 2001:db8::1"}), false, true,
       "the kernel holds 1 of 2 routes installed before the restart (1 lost or changed)",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"another metric is another route", both,
       kernel({"10.0.1.0/24 via 10.9.0.1 metric 5", "10.0.2.0/24 blackhole", "2001:db8:1::/48 via 2001:db8::1"}), false,
       true, "the kernel holds 1 of 2 routes installed before the restart (1 lost or changed)",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"of two metrics one matches", both,
       kernel({"10.0.1.0/24 via 10.9.0.1 metric 5", "10.0.1.0/24 via 10.9.0.1", "10.0.2.0/24 blackhole",
               "2001:db8:1::/48 via 2001:db8::1"}),
       true, true, "the kernel holds 2 of 2 routes installed before the restart",
       "the kernel holds 1 of 1 routes installed before the restart"},
      {"nothing of a family was installed", stored({"10.0.1.0/24 via 10.9.0.1"}), kernel({"10.0.1.0/24 via 10.9.0.1"}),
       true, true, "the kernel holds 1 of 1 routes installed before the restart",
       "the kernel holds 0 of 0 routes installed before the restart (nothing to keep)"},
      {"no record in the store", Stored(boost::system::in_place_error, std::string("the store holds no record of the kernel's routes yet")),
       kernel({"10.0.1.0/24 via 10.9.0.1"}), false, false,
       "no record of the routes installed before the restart (the store holds no record of the kernel's routes yet)",
       "no record of the routes installed before the restart (the store holds no record of the kernel's routes yet)"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    const ForwardingVerdict v = judge_forwarding(row.before, row.now);
    CHECK(v.family[0].preserved == row.v4);
    CHECK(v.family[1].preserved == row.v6);
    CHECK(v.family[0].reason == row.v4_reason);
    CHECK(v.family[1].reason == row.v6_reason);
    CHECK(v.f_bits() == std::array<bool, 2>{row.v4, row.v6});
  }
  const auto lines = describe(judge_forwarding(both, kernel({"2001:db8:1::/48 via 2001:db8::1"})));
  CHECK(lines == std::vector<std::string>{
                     "IPv4 forwarding state not preserved: the kernel holds 0 of 2 routes installed before the restart (flushed)",
                     "IPv6 forwarding state preserved: the kernel holds 1 of 1 routes installed before the restart"});
}
