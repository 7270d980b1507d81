// batch_norm.cpp — per-channel batch normalisation kernels on the CPU for x [N, C] or [N, C, H, W], seen as
// [N, C, S] with S = H·W (1 for 2-D input); channel c has M = N·S elements. Statistics accumulate in double.
// Channels run in parallel (cpu/parallel.h): each chunk of channels reads and writes only its own. Float rows go
// through AVX-512 loops written out (the compiler's own vectorisation of the 16-partial-sum loops shuffled lanes).
// Memory passes: statistics one (two only where the shifted sums would cancel), apply one, backward two.
// Not the op (ops/batch_norm.cpp holds the running-statistics update, the shape checks and the derivation).
#include <algorithm>
#include <cmath>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "cpu/cpu_kernels.h"
#include "cpu/lane_sum.h"
#include "cpu/parallel.h"

namespace bp::cpu {
namespace {

struct Nsc {
    int64_t N, C, S;
};
Nsc nsc(const Tensor& x) { return {x.size(0), x.size(1), x.dim() == 4 ? x.size(2) * x.size(3) : 1}; }

// Σu and Σu·v with u = a − ka, v = b − kb over one row, in a single pass (two sets of 16 partial sums; with
// AVX-512, float, two of each in registers, 32 elements a step, the tail scalar). Batch norm's backward takes
// Σg and Σg·(x − μ) (a = g, ka = 0, b = x, kb = μ); its statistics Σ(x − k) and Σ(x − k)² (a = b = x, ka = kb = k).
template <class T>
void row_two_sums(const T* a, T ka, const T* b, T kb, int64_t n, double* s1, double* s2) {
    int64_t i = 0;
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        const __m512 kav = _mm512_set1_ps(ka), kbv = _mm512_set1_ps(kb);
        __m512 u0 = _mm512_setzero_ps(), u1 = u0, p0 = u0, p1 = u0;
        for (; i + 32 <= n; i += 32) {
            const __m512 x0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), kav);
            const __m512 x1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), kav);
            u0 = _mm512_add_ps(u0, x0);
            u1 = _mm512_add_ps(u1, x1);
            p0 = _mm512_fmadd_ps(x0, _mm512_sub_ps(_mm512_loadu_ps(b + i), kbv), p0);
            p1 = _mm512_fmadd_ps(x1, _mm512_sub_ps(_mm512_loadu_ps(b + i + 16), kbv), p1);
        }
        if (i + 16 <= n) {
            const __m512 x0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), kav);
            u0 = _mm512_add_ps(u0, x0);
            p0 = _mm512_fmadd_ps(x0, _mm512_sub_ps(_mm512_loadu_ps(b + i), kbv), p0);
            i += 16;
        }
        *s1 += _mm512_reduce_add_ps(_mm512_add_ps(u0, u1));
        *s2 += _mm512_reduce_add_ps(_mm512_add_ps(p0, p1));
    } else
#endif
    {
        T au[16] = {}, ap[16] = {};
        for (; i + 16 <= n; i += 16)
            for (int k = 0; k < 16; ++k) {
                au[k] += a[i + k] - ka;
                ap[k] += (a[i + k] - ka) * (b[i + k] - kb);
            }
        for (int k = 0; k < 16; ++k) {
            *s1 += au[k];
            *s2 += ap[k];
        }
    }
    for (; i < n; ++i) {
        *s1 += a[i] - ka;
        *s2 += (a[i] - ka) * (b[i] - kb);
    }
}

// o[s] = a·g[s] + d·(x[s] − m) + c over one row (batch norm's grad_x; with a = 0 and g = x its forward apply).
// x − m first: with a large mean, d·x − d·m would cancel.
template <class T>
void row_axpb(T* o, const T* g, const T* x, T a, T d, T m, T c, int64_t n) {
    int64_t i = 0;
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        const __m512 av = _mm512_set1_ps(a), dv = _mm512_set1_ps(d), mv = _mm512_set1_ps(m), cv = _mm512_set1_ps(c);
        for (; i + 16 <= n; i += 16)
            _mm512_storeu_ps(o + i, _mm512_fmadd_ps(av, _mm512_loadu_ps(g + i),
                                                    _mm512_fmadd_ps(dv, _mm512_sub_ps(_mm512_loadu_ps(x + i), mv), cv)));
    }
#endif
    for (; i < n; ++i) o[i] = a * g[i] + d * (x[i] - m) + c;
}

template <class T>
void stats_t(Tensor& mean, Tensor& var, const Tensor& x) {
    const Nsc d = nsc(x);
    const int64_t N = d.N, C = d.C, S = d.S;  // plain variables: clang 14 cannot capture structured bindings
    const T* xp = x.data<T>();
    const double M = static_cast<double>(N * S);
    parallel_for(C, grain_for(C, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, N * S))), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
        // One pass: Σd and Σd² with d = x − k, k the channel's first value (a sample, so within a few standard
        // deviations of the mean: var = Σd²/M − (Σd/M)² then cancels no more than a digit or so). Where the
        // shift was far from the mean after all (var below 1e-3·(μ − k)²), the exact two passes instead.
        const T k = xp[c * S];
        double s1 = 0, s2 = 0;
        for (int64_t n = 0; n < N; ++n) {
            const T* row = xp + (n * C + c) * S;
            row_two_sums<T>(row, k, row, k, S, &s1, &s2);  // Σ(x − k), Σ(x − k)²
        }
        const double dm = s1 / M;
        double mu = static_cast<double>(k) + dm, v = std::max(0.0, s2 / M - dm * dm);
        if (v < 1e-3 * dm * dm) {
            double sum = 0;
            for (int64_t n = 0; n < N; ++n) {
                const T* row = xp + (n * C + c) * S;
                sum += lane_sum<T>(S, [row](int64_t s) { return row[s]; });
            }
            mu = sum / M;
            const T muT = static_cast<T>(mu);
            double sq = 0;  // Σ(x − μ)² does not cancel the way Σx² − Mμ² does
            for (int64_t n = 0; n < N; ++n) {
                const T* row = xp + (n * C + c) * S;
                sq += lane_sum<T>(S, [row, muT](int64_t s) { return (row[s] - muT) * (row[s] - muT); });
            }
            v = sq / M;
        }
        mean.data<T>()[c] = static_cast<T>(mu);
        var.data<T>()[c] = static_cast<T>(v);
    }
    });
}

// y = (x − μ)·scale[c] + β[c] with scale = γ/√(σ²+ε): x − μ first, as x·scale + (β − μ·scale) would cancel
// where the mean is large against the spread.
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
        const T shift = beta.defined() ? beta.data<T>()[c] : T(0);
        for (int64_t n = 0; n < N; ++n) {
            const T* xr = xp + (n * C + c) * S;
            T* yr = yp + (n * C + c) * S;
            row_axpb<T>(yr, xr, xr, T(0), scale, mean.data<T>()[c], shift, S);
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
            row_two_sums<T>(gr, T(0), xr, muT0, S, &sum_g, &sum_gxc);
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
        for (int64_t n = 0; n < N; ++n)
            row_axpb<T>(gx + (n * C + c) * S, gp + (n * C + c) * S, xp + (n * C + c) * S, a, d, muT, b, S);
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
