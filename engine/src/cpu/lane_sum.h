// lane_sum.h — Σ term(i) for i < n with 16 independent partial sums in T, folded into double: the compiler
// vectorises it, where one double accumulator would be a serial chain of dependent adds. For short rows
// (layer_norm's D values, batch norm's H·W plane), so each partial sums few terms. Used by both.
#pragma once

#include <cstdint>

namespace bp::cpu {

template <class T, class F>
double lane_sum(int64_t n, F term) {
    T acc[16] = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; ++k) acc[k] += term(i + k);
    double total = 0;
    for (int k = 0; k < 16; ++k) total += acc[k];
    for (; i < n; ++i) total += term(i);
    return total;
}

}  // namespace bp::cpu
