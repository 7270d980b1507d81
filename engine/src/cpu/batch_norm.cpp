// batch_norm.cpp — per-channel batch normalisation kernels on the CPU for x [N, C] or [N, C, H, W], seen as
// [N, C, S] with S = H·W (1 for 2-D input); channel c has M = N·S elements. Statistics accumulate in double.
// Channels run in parallel (cpu/parallel.h): each chunk of channels reads and writes only its own.
// Not the op (ops/batch_norm.cpp holds the running-statistics update, the shape checks and the derivation).
#include <algorithm>
#include <cmath>

#include "cpu/cpu_kernels.h"
#include "cpu/lane_sum.h"
#include "cpu/parallel.h"

namespace bp::cpu {
namespace {

struct Nsc {
    int64_t N, C, S;
};
Nsc nsc(const Tensor& x) { return {x.size(0), x.size(1), x.dim() == 4 ? x.size(2) * x.size(3) : 1}; }

// Σg and Σg·(x − μ) over one row in a single pass (two sets of 16 partial sums).
template <class T>
void row_sums_g_gx(const T* g, const T* x, T mu, int64_t n, double* sum_g, double* sum_gx) {
    T ag[16] = {}, ax[16] = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int k = 0; k < 16; ++k) {
            ag[k] += g[i + k];
            ax[k] += g[i + k] * (x[i + k] - mu);
        }
    for (int k = 0; k < 16; ++k) {
        *sum_g += ag[k];
        *sum_gx += ax[k];
    }
    for (; i < n; ++i) {
        *sum_g += g[i];
        *sum_gx += g[i] * (x[i] - mu);
    }
}

template <class T>
void stats_t(Tensor& mean, Tensor& var, const Tensor& x) {
    const Nsc d = nsc(x);
    const int64_t N = d.N, C = d.C, S = d.S;  // plain variables: clang 14 cannot capture structured bindings
    const T* xp = x.data<T>();
    const double M = static_cast<double>(N * S);
    parallel_for(C, grain_for(C, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, N * S))), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
        double sum = 0;
        for (int64_t n = 0; n < N; ++n) {
            const T* row = xp + (n * C + c) * S;
            sum += lane_sum<T>(S, [row](int64_t s) { return row[s]; });
        }
        const double mu = sum / M;
        const T muT = static_cast<T>(mu);
        double sq = 0;  // two passes: Σ(x − μ)² does not cancel the way Σx² − Mμ² does
        for (int64_t n = 0; n < N; ++n) {
            const T* row = xp + (n * C + c) * S;
            sq += lane_sum<T>(S, [row, muT](int64_t s) { return (row[s] - muT) * (row[s] - muT); });
        }
        mean.data<T>()[c] = static_cast<T>(mu);
        var.data<T>()[c] = static_cast<T>(sq / M);
    }
    });
}

// y = x·scale[c] + shift[c] with scale = γ/√(σ²+ε), shift = β − μ·scale.
template <class T>
void apply_t(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
             const Tensor& beta, double eps) {
    const Nsc d = nsc(x);
    const int64_t N = d.N, C = d.C, S = d.S;  // plain variables: clang 14 cannot capture structured bindings
    const T* xp = x.data<T>();
    T* yp = y.data<T>();
    parallel_for(C, grain_for(C, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, N * S))), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
        const T invstd = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var.data<T>()[c]) + eps));
        const T scale = (gamma.defined() ? gamma.data<T>()[c] : T(1)) * invstd;
        const T shift = (beta.defined() ? beta.data<T>()[c] : T(0)) - mean.data<T>()[c] * scale;
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = xp + (n * C + c) * S;
            T* yr = yp + (n * C + c) * S;
            for (int64_t s = 0; s < S; ++s) yr[s] = xr[s] * scale + shift;
        }
    }
    });
}

// With x̂ = (x − μ)·invstd, per channel: grad_β = Σ g, grad_γ = Σ g·x̂, and
//   training: grad_x = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M)   (derivation in ops/batch_norm.cpp)
//   eval:     grad_x = γ·invstd·g
template <class T>
void backward_t(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out, const Tensor& x,
                const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps, bool batch_stats) {
    const Nsc d = nsc(x);
    const int64_t N = d.N, C = d.C, S = d.S;  // plain variables: clang 14 cannot capture structured bindings
    const T* xp = x.data<T>();
    const T* gp = grad_out.data<T>();
    const double M = static_cast<double>(N * S);
    parallel_for(C, grain_for(C, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, N * S))), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
        const double mu = mean.data<T>()[c];
        const double invstd = 1.0 / std::sqrt(static_cast<double>(var.data<T>()[c]) + eps);
        double sum_g = 0, sum_gxc = 0;  // Σg and Σg·(x − μ); Σg·x̂ = invstd·Σg·(x − μ)
        const T muT0 = static_cast<T>(mu);
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = xp + (n * C + c) * S;
            const T* gr = gp + (n * C + c) * S;
            row_sums_g_gx(gr, xr, muT0, S, &sum_g, &sum_gxc);
        }
        const double sum_gx = sum_gxc * invstd;
        if (grad_beta.defined()) grad_beta.data<T>()[c] = static_cast<T>(sum_g);
        if (grad_gamma.defined()) grad_gamma.data<T>()[c] = static_cast<T>(sum_gx);
        if (!grad_x.defined()) continue;
        const double k = (gamma.defined() ? static_cast<double>(gamma.data<T>()[c]) : 1.0) * invstd;
        const T a = static_cast<T>(k);                                        // multiplies g
        const T b = batch_stats ? static_cast<T>(-k * sum_g / M) : T(0);      // constant term
        const T d = batch_stats ? static_cast<T>(-k * sum_gx / M * invstd) : T(0);  // multiplies (x − μ)
        const T muT = static_cast<T>(mu);
        T* gx = grad_x.data<T>();
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = xp + (n * C + c) * S;
            const T* gr = gp + (n * C + c) * S;
            T* o = gx + (n * C + c) * S;
            for (int64_t s = 0; s < S; ++s) o[s] = a * gr[s] + b + d * (xr[s] - muT);
        }
    }
    });
}

}  // namespace

void batch_norm_stats(Tensor& mean, Tensor& var, const Tensor& x) {
    dispatch_dtype(x.dtype(), [&](auto tag) { stats_t<decltype(tag)>(mean, var, x); });
}
void batch_norm_apply(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
                      const Tensor& beta, double eps) {
    dispatch_dtype(x.dtype(), [&](auto tag) { apply_t<decltype(tag)>(y, x, mean, var, gamma, beta, eps); });
}
void batch_norm_backward(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out,
                         const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps,
                         bool batch_stats) {
    dispatch_dtype(x.dtype(), [&](auto tag) {
        backward_t<decltype(tag)>(grad_x, grad_gamma, grad_beta, grad_out, x, mean, var, gamma, eps, batch_stats);
    });
}

}  // namespace bp::cpu
