// batch_norm.cpp — per-channel batch normalisation kernels on the CPU for x [N, C] or [N, C, H, W], seen as
// [N, C, S] with S = H·W (1 for 2-D input); channel c has M = N·S elements. Statistics accumulate in double.
// Images run in parallel (cpu/parallel.h; why not channels: above image_grain). Float rows go
// through AVX-512 loops written out (the compiler's own vectorisation of the 16-partial-sum loops shuffled
// lanes). Memory passes: statistics one (two only where the shifted sums would cancel), apply one, backward
// two. Not the op (ops/batch_norm.cpp holds the running-statistics update, the shape checks and the
// derivation).
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>
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

// Images are what the pool splits (not channels): the convolution before batch norm and the ReLU after it
// split the batch the same way, and the pool gives each thread the same part of it every time (parallel.h),
// so each core reads the images it wrote itself. Reading data another core wrote runs at a third of the speed
// here (measured: 31-37 GB/s against 75-195 GB/s on this 2-core VM), which is what a split by channels paid.
// Per-channel sums are kept per chunk of images and added in chunk order (deterministic; one chunk, and the
// same order as one loop, at one thread).
int64_t image_grain(int64_t N, int64_t per_image) {
    return grain_for(N, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, per_image)));
}

// Per chunk of images, per channel, Σu and Σu·v over the channel's rows (row_two_sums), with u = a − ka[c]
// and v = b − kb[c]; returns the chunk sums added in order: s[2c] = Σu, s[2c + 1] = Σu·v.
template <class T>
std::vector<double> channel_two_sums(const T* a, const T* ka, const T* b, const T* kb, int64_t N, int64_t C,
                                     int64_t S) {
    const int64_t grain = image_grain(N, C * S), chunks = (N + grain - 1) / grain;
    std::vector<double> part(static_cast<size_t>(chunks * C * 2), 0.0);
    parallel_for(N, grain, [&](int64_t n0, int64_t n1) {
        double* p = part.data() + n0 / grain * C * 2;
        for (int64_t n = n0; n < n1; ++n) {
            const int64_t off = n * C * S;
            if (S == 1) {  // [N, C]: a channel is one value per image
                for (int64_t c = 0; c < C; ++c) {
                    const double u = static_cast<double>(a[off + c] - ka[c]);
                    p[2 * c] += u;
                    p[2 * c + 1] += u * static_cast<double>(b[off + c] - kb[c]);
                }
            } else {
                for (int64_t c = 0; c < C; ++c)
                    row_two_sums<T>(a + off + c * S, ka[c], b + off + c * S, kb[c], S, &p[2 * c],
                                    &p[2 * c + 1]);
            }
        }
    });
    for (int64_t q = 1; q < chunks; ++q)
        for (int64_t i = 0; i < 2 * C; ++i)
            part[static_cast<size_t>(i)] += part[static_cast<size_t>(q * C * 2 + i)];
    part.resize(static_cast<size_t>(2 * C));
    return part;
}

// out[n, c, :] = a[c]·g[n, c, :] + d[c]·(x[n, c, :] − m[c]) + e[c] over every image, split by images.
template <class T>
void channel_axpb(T* out, const T* g, const T* x, const std::vector<T>& a, const std::vector<T>& d,
                  const T* m, const std::vector<T>& e, int64_t N, int64_t C, int64_t S) {
    parallel_for(N, image_grain(N, C * S), [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n)
            for (int64_t c = 0; c < C; ++c) {
                const int64_t off = (n * C + c) * S;
                row_axpb<T>(out + off, g + off, x + off, a[c], d[c], m[c], e[c], S);
            }
    });
}

template <class T>
void stats_t(Tensor& mean, Tensor& var, const Tensor& x) {
    const Nsc dims = nsc(x);
    const int64_t N = dims.N, C = dims.C, S = dims.S;
    const T* xp = x.data<T>();
    const double M = static_cast<double>(N * S);
    // One pass: Σd and Σd² with d = x − k, k the channel's first value (a sample, so within a few standard
    // deviations of the mean: var = Σd²/M − (Σd/M)² then cancels no more than a digit or so). Where the shift
    // was far from the mean after all (var below 1e-3·(μ − k)²), the exact two passes instead.
    std::vector<T> k(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) k[c] = xp[c * S];
    const std::vector<double> sums = channel_two_sums<T>(xp, k.data(), xp, k.data(), N, C, S);
    for (int64_t c = 0; c < C; ++c) {
        const double dm = sums[2 * c] / M;
        double mu = static_cast<double>(k[c]) + dm, v = std::max(0.0, sums[2 * c + 1] / M - dm * dm);
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
}

// y = (x − μ)·scale[c] + β[c] with scale = γ/√(σ²+ε): x − μ first, as x·scale + (β − μ·scale) would cancel
// where the mean is large against the spread.
template <class T>
void apply_t(Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& gamma,
             const Tensor& beta, double eps) {
    const Nsc dims = nsc(x);
    const int64_t N = dims.N, C = dims.C, S = dims.S;
    std::vector<T> zero(static_cast<size_t>(C), T(0)), scale(zero), shift(zero);
    for (int64_t c = 0; c < C; ++c) {
        const T invstd = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var.data<T>()[c]) + eps));
        scale[c] = (gamma.defined() ? gamma.data<T>()[c] : T(1)) * invstd;
        shift[c] = beta.defined() ? beta.data<T>()[c] : T(0);
    }
    const T* xp = x.data<T>();
    channel_axpb<T>(y.data<T>(), xp, xp, zero, scale, mean.data<T>(), shift, N, C, S);
}

// With x̂ = (x − μ)·invstd, per channel: grad_β = Σ g, grad_γ = Σ g·x̂, and
//   training: grad_x = γ·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M)   (derivation in ops/batch_norm.cpp)
//   eval:     grad_x = γ·invstd·g
template <class T>
void backward_t(Tensor& grad_x, Tensor& grad_gamma, Tensor& grad_beta, const Tensor& grad_out, const Tensor& x,
                const Tensor& mean, const Tensor& var, const Tensor& gamma, double eps, bool batch_stats) {
    const Nsc dims = nsc(x);
    const int64_t N = dims.N, C = dims.C, S = dims.S;
    const T* xp = x.data<T>();
    const T* gp = grad_out.data<T>();
    const T* mp = mean.data<T>();
    const double M = static_cast<double>(N * S);
    const std::vector<T> zero(static_cast<size_t>(C), T(0));
    // Σg and Σg·(x − μ); Σg·x̂ = invstd·Σg·(x − μ)
    const std::vector<double> sums = channel_two_sums<T>(gp, zero.data(), xp, mp, N, C, S);
    std::vector<T> a(zero), b(zero), d(zero);
    for (int64_t c = 0; c < C; ++c) {
        const double invstd = 1.0 / std::sqrt(static_cast<double>(var.data<T>()[c]) + eps);
        const double sum_g = sums[2 * c], sum_gx = sums[2 * c + 1] * invstd;
        if (grad_beta.defined()) grad_beta.data<T>()[c] = static_cast<T>(sum_g);
        if (grad_gamma.defined()) grad_gamma.data<T>()[c] = static_cast<T>(sum_gx);
        const double k = (gamma.defined() ? static_cast<double>(gamma.data<T>()[c]) : 1.0) * invstd;
        a[c] = static_cast<T>(k);                                              // multiplies g
        b[c] = batch_stats ? static_cast<T>(-k * sum_g / M) : T(0);            // constant term
        d[c] = batch_stats ? static_cast<T>(-k * sum_gx / M * invstd) : T(0);  // multiplies (x − μ)
    }
    if (grad_x.defined()) channel_axpb<T>(grad_x.data<T>(), gp, xp, a, d, mp, b, N, C, S);
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
