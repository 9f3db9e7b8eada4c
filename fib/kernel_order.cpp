#include "fib/kernel_order.hpp"

#include <algorithm>
#include <vector>

namespace petrel::fib {

namespace {

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

KernelOrderKey kernel_order_key(const Prefix& prefix) {
  const uint8_t* bytes = prefix.address().data();
  // Bit i of the address (from the most significant) becomes bit 127 - i of the key.
  return KernelOrderKey{reverse_bits(ip_detail::load_be64(bytes + 8)), reverse_bits(ip_detail::load_be64(bytes)),
                        prefix.length()};
}

void sort_for_kernel(std::span<Operation> ops) {
  // Sort keys and positions, then move the operations once (they are large).
  std::vector<std::pair<KernelOrderKey, std::size_t>> keys;
  keys.reserve(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) keys.emplace_back(kernel_order_key(ops[i].route.prefix), i);
  std::sort(keys.begin(), keys.end());
  std::vector<Operation> sorted;
  sorted.reserve(ops.size());
  for (const auto& [key, i] : keys) sorted.push_back(std::move(ops[i]));
  std::move(sorted.begin(), sorted.end(), ops.begin());
}

}  // namespace petrel::fib
