// lane_sum.h — Σ term(i) for i < n with 16 independent partial sums in T, folded into double: the compiler
// vectorises it, where one double accumulator would be a serial chain of dependent adds. For short rows
// (layer_norm's D values, batch norm's H·W plane), so each partial sums few terms. lane_sum_v is the same sum
// with the terms given 16 at a time (layer_norm's).
#pragma once

#include <cstdint>
#include <cstring>

namespace bp::cpu {

// The 16 partial sums acc[0..15] (an array or Lanes<T>) added in double as a tree of depth 4, not as a chain
// of 16 dependent adds: on rows of 128 values that chain, four times a row, was most of layer_norm's time.
template <class A>
double fold16(const A& acc) {
    double s[8];
    for (int k = 0; k < 8; ++k) s[k] = static_cast<double>(acc[k]) + static_cast<double>(acc[k + 8]);
    for (int k = 0; k < 4; ++k) s[k] += s[k + 4];
    return (s[0] + s[2]) + (s[1] + s[3]);
}

template <class T, class F>
double lane_sum(int64_t n, F term) {
    T acc[16] = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; ++k) acc[k] += term(i + k);
    double total = fold16(acc);
    for (; i < n; ++i) total += term(i);
    return total;
}

// 16 lanes of T as one value (GCC's vector extension): arithmetic on it is vector code, and a variable of it
// stays in a register.
template <class T>
struct LanesOf {
    typedef T type __attribute__((vector_size(16 * sizeof(T))));
};
template <class T>
using Lanes = typename LanesOf<T>::type;

/// Lanes<T> from 16 values at p (no alignment needed).
template <class T>
Lanes<T> load_lanes(const T* p) {
    Lanes<T> v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// lane_sum with the terms 16 at a time: vterm(i) gives terms i..i+15 as Lanes<T>, term(i) one term (the
/// tail). lane_sum's partial sums, an array, stay on the stack where GCC vectorises the loop, and each 16
/// terms then wait for the previous store to be read back: layer_norm's four sums per row of 128 were most
/// of its time.
template <class T, class V, class F>
double lane_sum_v(int64_t n, V vterm, F term) {
    Lanes<T> acc = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) acc += vterm(i);
    double total = fold16(acc);
    for (; i < n; ++i) total += term(i);
    return total;
}

}  // namespace bp::cpu
