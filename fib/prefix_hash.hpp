// fib/prefix_hash.hpp — hashing and equality of prefixes for the FIB's big tables
// (the queue, the desired table, what is installed, which object each route uses).
//
// At a million prefixes every change costs several lookups in these tables. The
// generic std::hash<Prefix> (FNV-1a byte by byte, then boost's extra mixing) and
// the defaulted == (a memcmp call) showed up at about a fifth of the writer
// thread's own time (bench/README.md); these read the address as two 64-bit words.
// The hash avalanches (murmur3's finaliser), so boost does not mix it again. Pure.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/ip.hpp"

namespace petrel::fib {

struct PrefixHash {
  using is_avalanching = void;  // boost::unordered: use the value as it is
  std::size_t operator()(const Prefix& prefix) const {
    uint64_t low, high;
    std::memcpy(&low, prefix.address().data(), 8);
    std::memcpy(&high, prefix.address().data() + 8, 8);
    const uint64_t tag = uint64_t{prefix.length()} << 8 | static_cast<uint8_t>(prefix.family());
    uint64_t x = low ^ ((high ^ tag) * 0x9e3779b97f4a7c15ull);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
};

struct PrefixEqual {
  bool operator()(const Prefix& a, const Prefix& b) const {
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a.address().data(), 8);
    std::memcpy(&a1, a.address().data() + 8, 8);
    std::memcpy(&b0, b.address().data(), 8);
    std::memcpy(&b1, b.address().data() + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0 && a.length() == b.length() && a.family() == b.family();
  }
};

}  // namespace petrel::fib
