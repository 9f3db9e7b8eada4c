// fib/kernel_order.hpp — the order in which the FIB writer hands route changes to
// the kernel: by bit-reversed destination address, so that consecutive operations
// land far apart in the kernel's tries.
//
// Why: the IPv4 FIB is an LC-trie (net/ipv4/fib_trie.c). Each insert or delete ends
// in resize() of the nodes above the leaf, which inflates or halves a node (copying
// all its children) when its fill crosses a threshold. Neighbouring prefixes one
// after another empty (or fill) one subtree at a time, so the same nodes are rebuilt
// again and again; in bit-reversed order every node fills or empties evenly and is
// rebuilt about once per doubling or halving. Measured on 1M /24s
// (bench/README.md): removes 3-4x faster, installs about 1.5x. The order is only
// a speed matter: changes to distinct prefixes do not depend on each other.
// Pure; no I/O.
#pragma once

#include <compare>
#include <cstdint>
#include <span>

#include "core/ip.hpp"
#include "fib/reconcile.hpp"

namespace petrel::fib {

// The sort key: the address's 128 bits (IPv4 in the first 32, the rest zero)
// reversed, then the prefix length. Prefixes that differ in their last network
// bit are half the key space apart.
struct KernelOrderKey {
  uint64_t high = 0;
  uint64_t low = 0;
  uint8_t length = 0;
  friend auto operator<=>(const KernelOrderKey&, const KernelOrderKey&) = default;
};

KernelOrderKey kernel_order_key(const Prefix& prefix);

// Sorts operations by kernel_order_key() of their prefixes (a resync's installs,
// or its removes; never the two mixed, as reconcile() puts installs first).
void sort_for_kernel(std::span<Operation> ops);

}  // namespace petrel::fib
