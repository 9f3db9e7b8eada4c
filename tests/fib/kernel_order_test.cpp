// The kernel order: bit-reversed addresses, so that neighbouring prefixes are far apart.
#include "fib/kernel_order.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

using namespace petrel;
using namespace petrel::fib;

namespace {
Prefix p(const char* text) { return *Prefix::parse(text); }

std::vector<std::string> sorted_by_key(std::vector<Prefix> prefixes) {
  std::sort(prefixes.begin(), prefixes.end(),
            [](const Prefix& a, const Prefix& b) { return kernel_order_key(a) < kernel_order_key(b); });
  std::vector<std::string> out;
  for (const Prefix& prefix : prefixes) out.push_back(prefix.to_string());
  return out;
}
}  // namespace

TEST_CASE("eight neighbouring /24s come in bit-reversed order") {
  std::vector<Prefix> block;
  for (int i = 0; i < 8; ++i) block.push_back(p(("10.0." + std::to_string(i) + ".0/24").c_str()));
  CHECK(sorted_by_key(block) == std::vector<std::string>{"10.0.0.0/24", "10.0.4.0/24", "10.0.2.0/24", "10.0.6.0/24",
                                                         "10.0.1.0/24", "10.0.5.0/24", "10.0.3.0/24", "10.0.7.0/24"});
}

TEST_CASE("IPv6 /64s are ordered by their reversed network bits") {
  CHECK(sorted_by_key({p("2001:db8:0:3::/64"), p("2001:db8:0:1::/64"), p("2001:db8:0:2::/64"), p("2001:db8::/64")}) ==
        std::vector<std::string>{"2001:db8::/64", "2001:db8:0:2::/64", "2001:db8:0:1::/64", "2001:db8:0:3::/64"});
}

TEST_CASE("the key reverses all 128 bits; the length breaks ties") {
  const KernelOrderKey key = kernel_order_key(p("128.0.0.0/1"));  // only the first bit set
  CHECK(key.high == 0);
  CHECK(key.low == 1);
  CHECK(key.length == 1);
  const KernelOrderKey last_bit = kernel_order_key(p("::1/128"));
  CHECK(last_bit.high == uint64_t{1} << 63);
  CHECK(last_bit.low == 0);
  CHECK(kernel_order_key(p("10.0.0.0/8")) < kernel_order_key(p("10.0.0.0/24")));
}

TEST_CASE("sort_for_kernel orders operations by their prefixes and keeps each operation whole") {
  std::vector<Operation> ops;
  for (int i = 0; i < 4; ++i) {
    Operation op;
    op.kind = i % 2 == 0 ? Operation::Kind::install : Operation::Kind::replace;
    op.route.prefix = p(("10.0." + std::to_string(i) + ".0/24").c_str());
    op.route.metric = static_cast<uint32_t>(i);
    ops.push_back(op);
  }
  sort_for_kernel(ops);
  std::vector<uint32_t> metrics;
  for (const Operation& op : ops) {
    metrics.push_back(*op.route.metric);
    CHECK(op.route.prefix.to_string() == "10.0." + std::to_string(*op.route.metric) + ".0/24");
    CHECK(op.kind == (*op.route.metric % 2 == 0 ? Operation::Kind::install : Operation::Kind::replace));
  }
  CHECK(metrics == std::vector<uint32_t>{0, 2, 1, 3});
}
