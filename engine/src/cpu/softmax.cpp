// softmax.cpp — the backward of softmax and log-softmax over the last dimension on the CPU (the forward is
// CpuBackend::softmax in cpu_backend.cpp), row by row, rows split over the pool:
//   softmax:      grad_x = y ⊙ (g − Σ_j g_j y_j)
//   log_softmax:  grad_x = g − softmax(x) · Σ_j g_j        (softmax(x) = exp(y))
// The row sums use 16 partial sums (lane_sum.h): one accumulator would be a chain of dependent adds that the
// compiler may not reorder, ~4 cycles per element. When the upstream gradient is one value g everywhere (the
// gradient of a full sum or mean, deferred_fill.h), only y is read: Σ_j g_j y_j = g Σ_j y_j and Σ_j g_j = g·C.
#include <cmath>

#include "cpu/cpu_kernels.h"
#include "cpu/lane_sum.h"
#include "cpu/parallel.h"

namespace bp::cpu {
namespace {

// f(row, first, last) for every row of a [rows, c] tensor, chunks of rows in parallel (same values either way).
template <class F>
void over_rows(int64_t rows, int64_t c, F&& f) {
    parallel_for(rows, grain_for(rows, std::max<int64_t>(1, 8192 / c)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) f(r);
    });
}

// g == nullptr: the upstream gradient is g1 everywhere.
template <class T>
void backward_t(T* gx0, const T* g0, T g1, const T* y0, int64_t rows, int64_t c, bool log) {
    over_rows(rows, c, [&](int64_t r) {
        const T* g = g0 ? g0 + r * c : nullptr;
        const T* y = y0 + r * c;
        T* gx = gx0 + r * c;
        if (log) {
            const T sg = g ? static_cast<T>(lane_sum<T>(c, [&](int64_t j) { return g[j]; })) : g1 * static_cast<T>(c);
            if (g)
                for (int64_t j = 0; j < c; ++j) gx[j] = g[j] - std::exp(y[j]) * sg;
            else
                for (int64_t j = 0; j < c; ++j) gx[j] = g1 - std::exp(y[j]) * sg;
        } else if (g) {
            const T dot = static_cast<T>(lane_sum<T>(c, [&](int64_t j) { return g[j] * y[j]; }));
            for (int64_t j = 0; j < c; ++j) gx[j] = y[j] * (g[j] - dot);
        } else {
            const T dot = g1 * static_cast<T>(lane_sum<T>(c, [&](int64_t j) { return y[j]; }));
            for (int64_t j = 0; j < c; ++j) gx[j] = y[j] * (g1 - dot);
        }
    });
}

}  // namespace

void softmax_backward(Tensor& grad_x, const Tensor& grad_out, const Tensor& y, bool log) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const int64_t c = y.shape().back();
        // grad_out is read here, on the calling thread (a deferred fill is written once, not by two workers).
        backward_t<T>(grad_x.data<T>(), grad_out.data<T>(), T(0), y.data<T>(), y.numel() / c, c, log);
    });
}

void softmax_backward_uniform(Tensor& grad_x, const Tensor& y, double g, bool log) {
    dispatch_dtype(grad_x.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const int64_t c = y.shape().back();
        backward_t<T>(grad_x.data<T>(), nullptr, static_cast<T>(g), y.data<T>(), y.numel() / c, c, log);
    });
}

}  // namespace bp::cpu
