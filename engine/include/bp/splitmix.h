// splitmix.h — a counter-based random number for masks and samples that must not depend on the order (or the
// thread) in which their elements are computed.
#pragma once

#include <cstdint>

namespace bp {

/// The 64-bit finaliser of SplitMix64 (Steele, Lea & Flood 2014): element i of a random mask can be
/// splitmix64(key + i), the same whatever order or thread computes it.
inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

}  // namespace bp
