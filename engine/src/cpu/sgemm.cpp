// sgemm.cpp — float32 C = alpha · op(A) · op(B) + beta · C (sgemm.h), the BLIS loop nest:
//
// for each block of N (nc ≤ 4096 columns):
//   for each block of K (kc ≤ 384, equal blocks):   pack op(B)[kc, nc] into 32-wide panels (L3/L2)
//     for each block of M (mc ≤ 336 rows):          pack op(A)[mc, kc] into 14-row panels (L2), unless it is
//                                                   read in place (stored [M, K], kc ≤ 267)
//       for each 32-column panel of B:              that panel, kc·32 floats, stays in L1
//         for each 14-row panel of A:               micro-kernel: a 14×32 tile of C in registers
//
// The micro-kernel broadcasts one A value per row and k and multiplies it by two 16-float vectors of B: 28
// FMAs per k on 28 accumulators, enough independent chains for two 512-bit FMA pipes of 4-cycle latency. Edge
// tiles use a kernel instantiated for fewer rows (no wasted rows) and masked loads/stores for the last
// columns (the packed B panel is zero-padded to 32 columns). The kernel prefetches both cache lines of each
// row of its C tile when it starts, so the update after the k loop finds them in cache. The first K block
// applies beta (beta == 0 writes without reading C); later ones accumulate. The packed B block stays ≤ KC·NC
// floats (6 MB).
#include "cpu/sgemm.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "cpu/parallel.h"
#include "cpu/scratch.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace bp::cpu {

namespace {

// Reference loop (double accumulation): the path of builds without AVX-512.
[[maybe_unused]] void sgemm_loop(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double s = 0;
            for (int64_t k = 0; k < K; ++k)
                s += static_cast<double>(ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
            float& c = C[i * ldc + j];
            c = static_cast<float>(alpha * s + (beta == 0.0f ? 0.0 : static_cast<double>(beta) * c));
        }
}

// row_sums[i] += Σ_k op(A)[i, k], plainly: the products whose packing does not sum op(A) (sgemm.h).
[[maybe_unused]] void add_row_sums(bool ta, int64_t M, int64_t K, const float* A, int64_t lda,
                                   float* row_sums) {
    for (int64_t i = 0; i < M; ++i) {
        float s = 0;
        for (int64_t k = 0; k < K; ++k) s += ta ? A[k * lda + i] : A[i * lda + k];
        row_sums[i] += s;
    }
}

}  // namespace

#if defined(__AVX512F__)

namespace {

constexpr int MR = 14;          // rows of the register tile
constexpr int NR = 32;          // columns of the register tile (two zmm)
constexpr int64_t KC = 384;     // largest K block: a B panel of ≤ KC·NR floats (48 KB) stays in L1d (measured best
                                // at 1024³ against 256: fewer passes over C)
constexpr int64_t MC = MR * 24; // rows of A per block: MC·KC floats = 504 KB of the 1 MB L2
constexpr int64_t NC = 4096;    // columns of B per block: a packed B block is at most KC·NC floats (6 MB)

// C tile [mr, ≤32] (+)= alpha · sum_k a[k, :mr]ᵀ b[k, :32]. a: packed kc × MR_ (MR_ floats per k; lda == 0)
// or, with lda > 0, the rows of op(A) as stored (row i at a + i·lda, k contiguous); b: packed kc × NR. NV:
// 16-column vectors of the tile; the last one is stored through `mask`. first: beta applies (beta == 0: no
// read). bias (the last K block only, else null): the tile's ≤32 column biases, added to every row as it is
// stored.
template <int MR_, int NV>
void micro_kernel(int64_t kc, const float* __restrict a, int64_t lda, const float* __restrict b, float* c,
                  int64_t ldc, float alpha, float beta, bool first, __mmask16 mask, const float* bias) {
    __m512 acc[MR_][NV];
#pragma GCC unroll 32
    for (int i = 0; i < MR_; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_setzero_ps();
    for (int i = 0; i < MR_; ++i) {
        _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * (NV - 1)), _MM_HINT_T0);
    }
    // The k loop, once for each layout of A: a_at(i, k) is op(A)[row i of the tile, k].
    auto k_loop = [&](auto a_at) {
#pragma GCC unroll 2
        for (int64_t k = 0; k < kc; ++k) {
            __m512 bv[NV];
#pragma GCC unroll 4
            for (int j = 0; j < NV; ++j) bv[j] = _mm512_load_ps(b + 16 * j);
#pragma GCC unroll 32
            for (int i = 0; i < MR_; ++i) {
                const __m512 av = _mm512_set1_ps(a_at(i, k));
#pragma GCC unroll 4
                for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
            }
            b += NR;
        }
    };
    if (lda == 0) k_loop([a](int i, int64_t k) { return a[k * MR_ + i]; });
    else k_loop([a, lda](int i, int64_t k) { return a[i * lda + k]; });
    const __m512 al = _mm512_set1_ps(alpha), be = _mm512_set1_ps(beta);
    const int mode = !first ? 1 : beta == 0.0f ? 0 : beta == 1.0f ? 1 : 2;  // 0: store, 1: add, 2: scale and add
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j)
        bv[j] = bias ? _mm512_maskz_loadu_ps(j == NV - 1 ? mask : __mmask16(0xFFFF), bias + 16 * j)
                     : _mm512_setzero_ps();
#pragma GCC unroll 32
    for (int i = 0; i < MR_; ++i) {
        float* ci = c + i * ldc;
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) {
            const __mmask16 m = j == NV - 1 ? mask : __mmask16(0xFFFF);
            __m512 r;
            if (mode == 0) r = _mm512_mul_ps(acc[i][j], al);
            else {
                __m512 old = _mm512_maskz_loadu_ps(m, ci + 16 * j);
                if (mode == 2) old = _mm512_mul_ps(old, be);
                r = _mm512_fmadd_ps(acc[i][j], al, old);
            }
            if (bias) r = _mm512_add_ps(r, bv[j]);
            _mm512_mask_storeu_ps(ci + 16 * j, m, r);
        }
    }
}

using Kernel = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, float, float, bool,
                        __mmask16, const float*);

template <int NV, int... R>
constexpr auto kernel_table(std::integer_sequence<int, R...>) {
    return std::array<Kernel, sizeof...(R)>{&micro_kernel<R + 1, NV>...};
}
// [NV - 1][rows - 1]
const std::array<Kernel, MR> kernels1 = kernel_table<1>(std::make_integer_sequence<int, MR>{});
const std::array<Kernel, MR> kernels2 = kernel_table<2>(std::make_integer_sequence<int, MR>{});

// A 16×16 transpose in registers (unpack, then 128-bit lane shuffles): r[i] holds row i on entry, column i on exit.
inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; ++i) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
        t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
        t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
    }
    for (int i = 0; i < 8; ++i) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    }
}

// dst[k · dst_ld + r] = src[r · ld + k] for r < rows (≤ 16), k < kc: `rows` rows of kc values, stored k-major. Rows past
// `rows` read as zero, and each k stores `width` values (rows, or 16 to write those zeros as padding).
void pack_transposed(const float* src, int64_t ld, int rows, int64_t kc, float* dst, int64_t dst_ld, int width) {
    const __mmask16 wmask = static_cast<__mmask16>((1u << width) - 1);
    __m512 r[16];
    for (int64_t k0 = 0; k0 < kc; k0 += 16) {
        const int kn = static_cast<int>(std::min<int64_t>(16, kc - k0));
        const __mmask16 kmask = static_cast<__mmask16>((1u << kn) - 1);
        for (int i = 0; i < 16; ++i)
            r[i] = i < rows ? _mm512_maskz_loadu_ps(kmask, src + i * ld + k0) : _mm512_setzero_ps();
        transpose16(r);
        for (int k = 0; k < kn; ++k) _mm512_mask_storeu_ps(dst + (k0 + k) * dst_ld, wmask, r[k]);
    }
}

// Pack op(A)[i0 : i0 + mc, k0 : k0 + kc] into panels of MR rows: panel p holds, for each k, the MR (or, for the last
// panel, the remaining) row values in a row. dst must hold mc · kc floats. row_sums (trans_a only, else
// null): the packed values of each row are added to row_sums[i0 + row] on the way (a bias gradient, sgemm.h).
void pack_a(bool ta, const float* A, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* dst,
            float* row_sums) {
    for (int64_t p = 0; p < mc; p += MR) {
        const int mr = static_cast<int>(std::min<int64_t>(MR, mc - p));
        if (ta) {  // A stored [K, M]: the mr values of one k are adjacent
            const float* src = A + k0 * lda + i0 + p;
            const __mmask16 m = static_cast<__mmask16>((1u << mr) - 1);
            __m512 sum = _mm512_setzero_ps();
            for (int64_t k = 0; k < kc; ++k, src += lda, dst += mr) {
                const __m512 v = _mm512_maskz_loadu_ps(m, src);
                _mm512_mask_storeu_ps(dst, m, v);
                sum = _mm512_add_ps(sum, v);
            }
            if (row_sums) {
                float* r = row_sums + i0 + p;
                _mm512_mask_storeu_ps(r, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, r), sum));
            }
        } else {  // A stored [M, K]: a transpose of mr rows
            pack_transposed(A + (i0 + p) * lda + k0, lda, mr, kc, dst, mr, mr);
            dst += mr * kc;
        }
    }
}

// Pack op(B)[k0 : k0 + kc, j0 : j0 + nc] into panels of NR columns, each kc × NR, zero-padded past nc.
void pack_b(bool tb, const float* B, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
    for (int64_t p = 0; p < nc; p += NR, dst += kc * NR) {
        const int64_t nr = std::min<int64_t>(NR, nc - p);
        if (!tb) {  // B stored [K, N]: rows of nr adjacent values
            const __mmask16 m0 = nr >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << nr) - 1);
            const __mmask16 m1 = nr >= 32 ? __mmask16(0xFFFF) : nr <= 16 ? __mmask16(0) : __mmask16((1u << (nr - 16)) - 1);
            const float* src = B + k0 * ldb + j0 + p;
            for (int64_t k = 0; k < kc; ++k, src += ldb) {
                _mm512_store_ps(dst + k * NR, _mm512_maskz_loadu_ps(m0, src));
                _mm512_store_ps(dst + k * NR + 16, _mm512_maskz_loadu_ps(m1, src + 16));
            }
        } else {  // B stored [N, K]: a transpose, 16 columns of the panel at a time (zeros past nr)
            const float* src = B + (j0 + p) * ldb + k0;
            pack_transposed(src, ldb, static_cast<int>(std::min<int64_t>(16, nr)), kc, dst, NR, 16);
            pack_transposed(src + 16 * ldb, ldb, static_cast<int>(std::max<int64_t>(0, nr - 16)), kc, dst + 16, NR, 16);
        }
    }
}

void sgemm_avx512(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                  const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias,
                  float* a_row_sums) {
    const int64_t nk = (K + KC - 1) / KC, kcb = (K + nk - 1) / nk;  // K blocks of equal size
    // op(A) stored [M, K] (rows with k contiguous) is read in place by the kernel instead of being packed
    // (packing it is a transpose of every element, pack_transposed) where the strip of 14 rows and the B
    // panel of one K block fit the 48 KB L1 together: kc ≤ 267. Measured at 1 thread: linear 128×784→128 (kc
    // 262) forward 0.132 → 0.125 ms; at 1024³ (kc 342) in place was 6% slower, so it keeps packing.
    const bool direct_a = !ta && kcb * (MR + NR) * static_cast<int64_t>(sizeof(float)) <= 48 * 1024;
    thread_local ScratchBuffer sa, sb;  // each pool thread packs its own panels
    float* bp = sb.get(static_cast<size_t>(kcb * ((std::min(NC, N) + NR - 1) / NR * NR)));
    float* ap = sa.get(static_cast<size_t>(kcb * std::min<int64_t>(MC, (M + MR - 1) / MR * MR)));
    for (int64_t j0 = 0; j0 < N; j0 += NC) {
        const int64_t nc = std::min(NC, N - j0), npanels = (nc + NR - 1) / NR;
        for (int64_t k0 = 0; k0 < K; k0 += kcb) {
            const int64_t kc = std::min(kcb, K - k0);
            const bool first = k0 == 0;
            const float* last_bias = k0 + kc == K ? bias : nullptr;  // added in the last K block's store
            pack_b(tb, B, ldb, k0, kc, j0, nc, bp);
            for (int64_t i0 = 0; i0 < M; i0 += MC) {
                const int64_t mc = std::min(MC, M - i0);
                // op(A)'s row sums while it is packed: once, with the first block of N (ta: never in place)
                if (!direct_a) pack_a(ta, A, lda, i0, mc, k0, kc, ap, j0 == 0 ? a_row_sums : nullptr);
                for (int64_t jp = 0; jp < npanels; ++jp) {
                    const int64_t j = jp * NR, nr = std::min<int64_t>(NR, nc - j);
                    const float* bpanel = bp + jp * kc * NR;
                    const __mmask16 mask = nr % 16 == 0 ? __mmask16(0xFFFF) : __mmask16((1u << (nr % 16)) - 1);
                    const auto& table = nr > 16 ? kernels2 : kernels1;
                    for (int64_t p = 0; p < mc; p += MR) {
                        const int64_t mr = std::min<int64_t>(MR, mc - p);
                        const float* a = direct_a ? A + (i0 + p) * lda + k0 : ap + p * kc;
                        table[mr - 1](kc, a, direct_a ? lda : 0, bpanel, C + (i0 + p) * ldc + j0 + j, ldc,
                                      alpha, beta, first, mask, last_bias ? last_bias + j0 + j : nullptr);
                    }
                }
            }
        }
    }
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias,
           float* a_row_sums) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0.0f) {  // C = beta · C (+ bias)
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j)
                C[i * ldc + j] = (beta == 0.0f ? 0.0f : beta * C[i * ldc + j]) + (bias ? bias[j] : 0.0f);
        if (a_row_sums) add_row_sums(trans_a, M, K, A, lda, a_row_sums);
        return;
    }
    // Packing sums op(A)'s rows only where it is Aᵀ; a row-major A (read in place or transposed as packed) is
    // summed on its own.
    sgemm_avx512(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias,
                 trans_a ? a_row_sums : nullptr);
    if (a_row_sums && !trans_a) add_row_sums(false, M, K, A, lda, a_row_sums);
}

// Measured with tools/sgemm_bench at 1 thread: ours is faster than Eigen's product on every shape down to K = 4
// (256×256 by K = 4: 1.45×) and N = 10; at N = 4 and 8 the two are equal, so narrower products keep Eigen.
bool sgemm_preferred(int64_t M, int64_t N, int64_t K) { return M >= 1 && N >= 8 && K >= 4; }

#else  // no AVX-512: the reference loop, and Eigen keeps every product

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc, const float* bias,
           float* a_row_sums) {
    sgemm_loop(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (bias)
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) C[i * ldc + j] += bias[j];
    if (a_row_sums) add_row_sums(trans_a, M, K, A, lda, a_row_sums);
}

bool sgemm_preferred(int64_t, int64_t, int64_t) { return false; }

#endif

void sgemm_split_k(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
                   const float* bias, float* a_row_sums) {
    if (M <= 0 || N <= 0) return;
    const int64_t grain = grain_for(K, 128, 2), parts = (K + grain - 1) / grain;
    if (parts <= 1 || alpha == 0.0f) {
        sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bias, a_row_sums);
        return;
    }
    thread_local ScratchBuffer sums;  // the caller's: one M×N product per part, then each part's row sums
    float* P = sums.get(static_cast<size_t>(parts * M * (N + 1)));
    float* R = P + parts * M * N;
    if (a_row_sums) std::fill_n(R, parts * M, 0.0f);
    parallel_for(K, grain, [&](int64_t k0, int64_t k1) {
        const float* a = trans_a ? A + k0 * lda : A + k0;  // op(A)[:, k0:k1]
        const float* b = trans_b ? B + k0 : B + k0 * ldb;  // op(B)[k0:k1, :]
        float* part_sums = a_row_sums ? R + k0 / grain * M : nullptr;
        float* part = P + k0 / grain * M * N;
        sgemm(trans_a, trans_b, M, N, k1 - k0, alpha, a, lda, b, ldb, 0.0f, part, N, nullptr, part_sums);
    });
    if (a_row_sums)  // the parts' sums added in order of K, as the products are
        for (int64_t i = 0; i < M; ++i) {
            float s = R[i];
            for (int64_t q = 1; q < parts; ++q) s += R[q * M + i];
            a_row_sums[i] += s;
        }
    parallel_for(M, grain_for(M, std::max<int64_t>(1, 16384 / N)), [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) {
            float* c = C + i * ldc;
            const float* p = P + i * N;
            for (int64_t j = 0; j < N; ++j) {
                float s = p[j];
                for (int64_t q = 1; q < parts; ++q) s += p[q * M * N + j];
                // beta == 0: C is only written
                c[j] = (beta == 0.0f ? s : beta * c[j] + s) + (bias ? bias[j] : 0.0f);
            }
        }
    });
}

}  // namespace bp::cpu
