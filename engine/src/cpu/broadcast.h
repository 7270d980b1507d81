// broadcast.h — the CPU backend's elementwise and broadcasting machinery (broadcast.cpp): shapes padded to 4-D
// with broadcast strides, elementwise work split over the pool, binary ops over broadcast shapes, and the two
// reductions between a shape and its broadcast (sum_to, expand) that CpuBackend forwards to.
#pragma once

#include <algorithm>
#include <cstdint>

#include "bp/tensor.h"
#include "cpu/parallel.h"

namespace bp::cpu {

// Shapes padded to 4-D on the left, with element strides (0 where a dimension is broadcast).
struct Bcast4 {
    int64_t dims[4];
    int64_t stride[4];
};
Bcast4 bcast_strides(const Shape& in, const Shape& out);

/// Elementwise kernels split over the pool only when a part is worth waking a thread for (equal parts of ≥ 32
/// Ki elements).
int64_t elementwise_grain(int64_t n);

/// f(begin, end) over [0, n): elementwise work, split over the pool when it is large. Each element is computed
/// the same way whichever thread runs it, so the values never depend on the thread count.
template <class F>
void elementwise(int64_t n, F&& f) {
    parallel_for(n, elementwise_grain(n), f);
}

/// o = f(a, b) elementwise, a and b broadcast to the output shape os.
template <class T, class F>
void binary_loop(T* o, const T* a, const T* b, const Shape& as, const Shape& bs, const Shape& os, F f) {
    const int64_t n = shape_numel(os);
    if (as == os && bs == os) {
        elementwise(n, [&](int64_t s, int64_t e) {
            for (int64_t i = s; i < e; ++i) o[i] = f(a[i], b[i]);
        });
        return;
    }
    if (shape_numel(bs) == 1 && as == os) {
        const T bv = b[0];
        elementwise(n, [&](int64_t s, int64_t e) {
            for (int64_t i = s; i < e; ++i) o[i] = f(a[i], bv);
        });
        return;
    }
    if (shape_numel(as) == 1 && bs == os) {
        const T av = a[0];
        elementwise(n, [&](int64_t s, int64_t e) {
            for (int64_t i = s; i < e; ++i) o[i] = f(av, b[i]);
        });
        return;
    }
    // Rows of the last dimension, (i0, i1, i2) flattened; chunks of whole rows over the pool.
    Bcast4 A = bcast_strides(as, os), B = bcast_strides(bs, os);
    const int64_t* d = A.dims;
    const int64_t rows = d[0] * d[1] * d[2], len = d[3];
    if (rows == 0 || len == 0) return;
    parallel_for(rows, std::max<int64_t>(1, elementwise_grain(n) / len), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t i2 = r % d[2], i1 = r / d[2] % d[1], i0 = r / (d[2] * d[1]);
            const T* ap = a + i0 * A.stride[0] + i1 * A.stride[1] + i2 * A.stride[2];
            const T* bp = b + i0 * B.stride[0] + i1 * B.stride[1] + i2 * B.stride[2];
            const int64_t sa = A.stride[3], sb = B.stride[3];
            T* orow = o + r * len;
            for (int64_t i3 = 0; i3 < len; ++i3) orow[i3] = f(ap[i3 * sa], bp[i3 * sb]);
        }
    });
}

/// out = scale · (in summed down to out's shape, by broadcasting rules); expand: out = scale · in broadcast up.
void sum_to(Tensor& out, const Tensor& in, double scale);
void expand(Tensor& out, const Tensor& in, double scale);

}  // namespace bp::cpu
