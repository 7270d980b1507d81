// winograd_blocked.cpp — the channel-blocked layout of the Winograd kernels (see winograd_blocked.h): NCHW ⇄
// [N, C/16, rows, cols, 16] by 16×16 register transposes, and their small matrix-product kernel.
#include "cpu/winograd_blocked.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>


namespace bp::cpu::wino {

namespace {

// The bits [a, b) of a 16-lane mask, clamped to [0, 16).
inline __mmask16 lanes(int64_t a, int64_t b) {
    a = std::clamp<int64_t>(a, 0, 16), b = std::clamp<int64_t>(b, a, 16);
    return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}

inline __m512 pd_lo(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}
inline __m512 pd_hi(__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}

// r[i][j] ← r[j][i]: pairs of floats, then pairs of pairs, then 128-bit quarters twice.
inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    for (int i = 0; i < 16; i += 4) {
        r[i + 0] = pd_lo(t[i + 0], t[i + 2]), r[i + 1] = pd_hi(t[i + 0], t[i + 2]);
        r[i + 2] = pd_lo(t[i + 1], t[i + 3]), r[i + 3] = pd_hi(t[i + 1], t[i + 3]);
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; ++i) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0x88);
            t[h + 4 + i] = _mm512_shuffle_f32x4(r[h + i], r[h + 4 + i], 0xdd);
        }
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
    }
}

// C [RT, 16·NV] (+)= A [RT, k] · B [k, 16·NV]: RT·NV accumulators, each step over k loads NV vectors of B and
// broadcasts RT elements of A. ARS > 0: A's row stride known at compile time (then the RT addresses are
// constant offsets; with a run-time stride the compiler ran out of registers for them and spilled).
template <int RT, int NV, int ARS>
void kernel(float* c, int64_t ldc, const float* a, int64_t ars_, int64_t aks, const float* b, int64_t ldb, int64_t k,
            bool accumulate) {
    const int64_t ars = ARS > 0 ? ARS : ars_;
    __m512 acc[RT][NV];
    for (int i = 0; i < RT; ++i)
        for (int v = 0; v < NV; ++v) acc[i][v] = accumulate ? _mm512_loadu_ps(c + i * ldc + 16 * v) : _mm512_setzero_ps();
    for (int64_t p = 0; p < k; ++p, a += aks, b += ldb) {
        __m512 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
        for (int i = 0; i < RT; ++i) {
            const __m512 av = _mm512_set1_ps(a[i * ars]);
            for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
    for (int i = 0; i < RT; ++i)
        for (int v = 0; v < NV; ++v) _mm512_storeu_ps(c + i * ldc + 16 * v, acc[i][v]);
}

using Kernel = void (*)(float*, int64_t, const float*, int64_t, int64_t, const float*, int64_t, int64_t, bool);
constexpr int kRows = 14;

template <int NV, int ARS, size_t... I>
constexpr std::array<Kernel, sizeof...(I)> kernels(std::index_sequence<I...>) {
    return {&kernel<static_cast<int>(I) + 1, NV, ARS>...};
}
// [NV − 1]: any row stride, row stride 1 (grad_w's transposed A); full blocks of 14 rows at the usual strides.
constexpr std::array<std::array<Kernel, kRows>, 2> any_stride = {kernels<1, 0>(std::make_index_sequence<kRows>()),
                                                                  kernels<2, 0>(std::make_index_sequence<kRows>())};
constexpr std::array<std::array<Kernel, kRows>, 2> unit_stride = {kernels<1, 1>(std::make_index_sequence<kRows>()),
                                                                   kernels<2, 1>(std::make_index_sequence<kRows>())};
Kernel full_rows(int nv, int64_t ars) {
    switch (ars) {
        case 16: return nv == 2 ? &kernel<kRows, 2, 16> : &kernel<kRows, 1, 16>;
        case 32: return nv == 2 ? &kernel<kRows, 2, 32> : &kernel<kRows, 1, 32>;
        case 48: return nv == 2 ? &kernel<kRows, 2, 48> : &kernel<kRows, 1, 48>;
        case 64: return nv == 2 ? &kernel<kRows, 2, 64> : &kernel<kRows, 1, 64>;
        case 128: return nv == 2 ? &kernel<kRows, 2, 128> : &kernel<kRows, 1, 128>;
        default: return any_stride[static_cast<size_t>(nv - 1)][kRows - 1];
    }
}

}  // namespace

void gemm(float* c, int64_t ldc, const float* a, int64_t ars, int64_t aks, const float* b, int64_t ldb, int64_t m,
          int64_t n, int64_t k, bool accumulate) {
    for (int64_t j = 0; j < n; j += 32) {
        const int nv = n - j >= 32 ? 2 : 1;
        const auto& ks = (ars == 1 ? unit_stride : any_stride)[static_cast<size_t>(nv - 1)];
        // Unit row stride is grad_w's product, m = channels (a multiple of 16): blocks of 8 rows, as 14 would leave
        // a slow remainder (grad_w of 64×32×14×14→64 took 5 % longer with 32 = 14 + 14 + 4 than with 4 × 8).
        // Otherwise the rows are cut into blocks of at most 14 as even as possible (16 = 8 + 8, not 14 + 2: a block
        // of 2 rows has 4 accumulators and waits on the multiply-add latency).
        const int64_t rb = ars == 1 ? 8 : kRows, blocks = (m + rb - 1) / rb;
        const Kernel full = ars == 1 ? ks[rb - 1] : full_rows(nv, ars);
        for (int64_t q = 0, i = 0; q < blocks; ++q) {
            const int64_t rows = (m - i) / (blocks - q);  // the blocks left share the rows left
            (rows == rb ? full : ks[static_cast<size_t>(rows - 1)])(c + i * ldc + j, ldc, a + i * ars, ars, aks, b + j,
                                                                     ldb, k, accumulate);
            i += rows;
        }
    }
}

void pack(float* dst, const float* x, int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t rows,
          int64_t cols, int64_t oy, int64_t ox) {
    const int64_t Cb = (C + 15) / 16, plane = H * W;
    const int64_t first = n0 * Cb, last = n1 * Cb;  // blocks of 16 channels of one image
    for (int64_t i = first; i < last; ++i) {
        const int64_t nc = std::min<int64_t>(16, C - (i % Cb) * 16);
        const float* src = x + ((i / Cb) * C + (i % Cb) * 16) * plane;
        float* d = dst + (i - first) * rows * cols * 16;
        // The next 16 planes (contiguous) into the cache while these are converted: read row by row, 16 planes at
        // a time, they are 16 short streams that the hardware prefetchers do not follow (measured: the loads of x
        // stalled for most of this function's time).
        if (i + 1 < last) {
            const int64_t bytes = std::min<int64_t>(16, C - ((i + 1) % Cb) * 16) * plane * static_cast<int64_t>(sizeof(float));
            const char* q = reinterpret_cast<const char*>(x + (((i + 1) / Cb) * C + ((i + 1) % Cb) * 16) * plane);
            for (int64_t b = 0; b < bytes; b += 64) _mm_prefetch(q + b, _MM_HINT_T0);
        }
        for (int64_t r = 0; r < rows; ++r, d += cols * 16) {
            const int64_t ih = r - oy;
            if (ih < 0 || ih >= H) {
                std::fill(d, d + cols * 16, 0.f);
                continue;
            }
            for (int64_t j0 = 0; j0 < cols; j0 += 16) {
                const int64_t s = j0 - ox;
                const __mmask16 m = lanes(-s, W - s);
                __m512 v[16];
                for (int l = 0; l < 16; ++l)
                    v[l] = l < nc ? _mm512_maskz_loadu_ps(m, src + l * plane + ih * W + s) : _mm512_setzero_ps();
                transpose16(v);
                const int64_t nj = std::min<int64_t>(16, cols - j0);
                for (int64_t j = 0; j < nj; ++j) _mm512_store_ps(d + (j0 + j) * 16, v[j]);
            }
        }
    }
}

void unpack(float* out, const float* src, int64_t n0, int64_t n1, int64_t C, int64_t H, int64_t W, int64_t rows,
            int64_t cols) {
    const int64_t Cb = (C + 15) / 16, plane = H * W;
    for (int64_t i = n0 * Cb; i < n1 * Cb; ++i) {
        const int64_t nc = std::min<int64_t>(16, C - (i % Cb) * 16);
        float* o = out + ((i / Cb) * C + (i % Cb) * 16) * plane;
        const float* s = src + (i - n0 * Cb) * rows * cols * 16;
        for (int64_t r = 0; r < H; ++r)
            for (int64_t j0 = 0; j0 < W; j0 += 16) {
                const int64_t nj = std::min<int64_t>(16, W - j0);
                __m512 v[16];
                for (int j = 0; j < 16; ++j) v[j] = j < nj ? _mm512_load_ps(s + (r * cols + j0 + j) * 16) : _mm512_setzero_ps();
                transpose16(v);
                const __mmask16 m = lanes(0, nj);
                for (int l = 0; l < nc; ++l) _mm512_mask_storeu_ps(o + l * plane + r * W + j0, m, v[l]);
            }
    }
}

}  // namespace bp::cpu::wino

#endif
