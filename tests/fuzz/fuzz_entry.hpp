// tests/fuzz/fuzz_entry.hpp — how a fuzz target names its entry point.
//
// Built for libFuzzer (PETREL_FUZZ=ON), each target defines LLVMFuzzerTestOneInput.
// The replay test links all the targets into one ordinary executable, so there each
// source is compiled with -DPETREL_FUZZ_ENTRY=<target>_fuzz_one_input and the
// entry points get distinct names.
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef PETREL_FUZZ_ENTRY
#define PETREL_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

// Opens the definition of the target's entry point:
//   PETREL_FUZZ_TARGET(data, size) { ...; return 0; }
#define PETREL_FUZZ_TARGET(data, size) \
  extern "C" int PETREL_FUZZ_ENTRY(const uint8_t* data, std::size_t size)
