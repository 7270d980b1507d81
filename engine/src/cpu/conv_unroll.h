// conv_unroll.h — what the CPU convolution kernels share (conv.cpp: im2col + GEMM; conv_direct.cpp: the
// direct AVX-512 kernels): the layer's geometry, the parallel grain over images, and im2col / col2im, the
// unrolling of image windows into the columns of a matrix and its adjoint. Private to engine/src/cpu.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "bp/backend.h"
#include "cpu/parallel.h"

namespace bp::cpu::conv {

struct Geometry {
    int64_t N, C, H, W, O, OH, OW, K, P;
};

inline Geometry geometry(const Tensor& x, const Tensor& w, const Window2d& win) {
    Geometry g{};
    g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3), g.O = w.size(0);
    g.OH = win.out_h(g.H), g.OW = win.out_w(g.W);
    g.K = g.C * win.kernel_h * win.kernel_w, g.P = g.OH * g.OW;
    return g;
}

// Images per parallel chunk: at least ~4 MFLOP of forward work, so that a small layer (LeNet's) is not cut
// into chunks too short to be worth waking a thread for; more chunks than threads otherwise.
inline int64_t min_chunk_images(const Geometry& g) {
    const int64_t per_image = std::max<int64_t>(1, 2 * g.O * g.K * g.P);
    return std::max<int64_t>(1, (int64_t(4) << 20) / per_image);
}
inline int64_t image_grain(const Geometry& g, int64_t images, int chunks_per_thread = 4) {
    return grain_for(images, min_chunk_images(g), chunks_per_thread);
}

// Output columns ow whose input column iw = ow·sw − pw + j lies inside [0, W): [lo, hi).
inline void valid_range(int64_t j, int64_t W, int64_t OW, int64_t sw, int64_t pw, int64_t& lo, int64_t& hi) {
    const int64_t a = pw - j, b = W - 1 + pw - j;  // a ≤ ow·sw ≤ b
    if (sw == 1) {  // no division on the common path
        lo = std::min(OW, std::max<int64_t>(a, 0));
        hi = std::max(lo, std::min(OW, b + 1));
        return;
    }
    lo = std::min(OW, a <= 0 ? int64_t(0) : (a + sw - 1) / sw);
    hi = std::max(lo, b < 0 ? int64_t(0) : std::min(OW, b / sw + 1));
}

#if defined(__AVX512F__)
// The bits [a, b) of a 16-lane mask.
inline __mmask16 lanes(int64_t a, int64_t b) {
    return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}
#endif

// dst[ow] = lo ≤ ow < hi ? src[ow] : 0 for ow < OW: one row segment of im2col at stride 1. Segments are
// short (OW is 5..56 in typical nets), so with AVX-512 each 16 columns are one masked load and one masked
// store, the zeros of the padding included; masked-off lanes are never read.
template <class T>
inline void copy_segment(T* dst, const T* src, int64_t lo, int64_t hi, int64_t OW) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        for (int64_t c = 0; c < OW; c += 16) {
            const int64_t n = std::min<int64_t>(16, OW - c);
            const int64_t a = std::clamp<int64_t>(lo - c, 0, n), b = std::clamp<int64_t>(hi - c, a, n);
            _mm512_mask_storeu_ps(dst + c, lanes(0, n), _mm512_maskz_loadu_ps(lanes(a, b), src + c));
        }
        return;
    }
#endif
    for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = T(0);
    for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow];
    for (int64_t ow = hi; ow < OW; ++ow) dst[ow] = T(0);
}

// Whether float im2col / col2im take the vectorised stride-2 path below (AVX-512, kernels up to 8 wide).
inline bool stride2_vectorised(const Window2d& k) {
#if defined(__AVX512F__)
    return k.stride_w == 2 && k.kernel_w <= 8;
#else
    (void)k;
    return false;
#endif
}

#if defined(__AVX512F__)
// im2col at stride 2 along the row (any kernel up to 8 wide, any row stride and padding), float. For each input
// row (c, ih) under an output row, each chunk of CW outputs is two loads of the 32 input columns under it; every
// tap j of the row is then one permute (span element 2·l + j to lane l) that also zeroes the lanes outside the
// image (the padding), and one store. The loads are plain where all 32 columns lie inside x's buffer and masked
// only at its two ends: with masked loads whose masked-off lanes ran past each row, a first version's im2col was
// ~1.8× slower here (a stand-alone loop of such loads did not show it; the cause is not pinned down).
template <int KW>  // the kernel's width when known at compile time (3: the taps unrolled), else 0
void im2col_stride2_f32(float* col, int64_t ld, const float* x, const Geometry& g, const Window2d& k) {
    const int64_t kh = k.kernel_h, kw = KW > 0 ? KW : k.kernel_w, pw = k.pad_w;
    const int64_t CW = std::min<int64_t>(16, (34 - kw) / 2);  // outputs per chunk: span index 2·l + j ≤ 31
    const int64_t chunks = (g.OW + CW - 1) / CW;
    std::vector<__mmask16> keep(static_cast<size_t>(chunks * kw));  // [chunk, j]: lanes whose input is in the row
    for (int64_t j = 0; j < kw; ++j) {
        int64_t lo, hi;
        valid_range(j, g.W, g.OW, 2, pw, lo, hi);
        for (int64_t q = 0; q < chunks; ++q) {
            const int64_t n = std::min(CW, g.OW - q * CW);
            const int64_t a = std::clamp<int64_t>(lo - q * CW, 0, n), b = std::clamp<int64_t>(hi - q * CW, a, n);
            keep[static_cast<size_t>(q * kw + j)] = lanes(a, b);
        }
    }
    __m512i idx[8];
    for (int64_t j = 0; j < kw; ++j)
        idx[j] = _mm512_add_epi32(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
                                  _mm512_set1_epi32(static_cast<int>(j)));
    const float* end = x + g.C * g.H * g.W;
    for (int64_t c = 0; c < g.C; ++c)  // oh outside i: the input rows are read in order, each twice in a row
        for (int64_t oh = 0; oh < g.OH; ++oh)
            for (int64_t i = 0; i < kh; ++i) {
                float* out = col + (c * kh + i) * kw * ld + oh * g.OW;  // tap j's segment is out + j·ld
                const int64_t ih = oh * k.stride_h - k.pad_h + i;
                if (ih < 0 || ih >= g.H) {
                    for (int64_t j = 0; j < kw; ++j) std::fill_n(out + j * ld, g.OW, 0.0f);
                    continue;
                }
                const float* row = x + (c * g.H + ih) * g.W - pw;  // span element e of chunk q: row[2·q·CW + e]
                for (int64_t q = 0; q < chunks; ++q) {
                    const int64_t o0 = q * CW;
                    const float* s = row + 2 * o0;
                    __m512 v0, v1;
                    if (s >= x && s + 32 <= end) {
                        v0 = _mm512_loadu_ps(s);
                        v1 = _mm512_loadu_ps(s + 16);
                    } else {  // the span elements inside the row only
                        const int64_t a = std::clamp<int64_t>(pw - 2 * o0, 0, 32);
                        const int64_t b = std::clamp<int64_t>(g.W + pw - 2 * o0, a, 32);
                        v0 = _mm512_maskz_loadu_ps(lanes(std::min<int64_t>(a, 16), std::min<int64_t>(b, 16)), s);
                        v1 = _mm512_maskz_loadu_ps(lanes(std::max<int64_t>(a, 16) - 16, std::max<int64_t>(b, 16) - 16), s + 16);
                    }
                    // A plain store of 16 where they stay inside this image's P columns of the row: the lanes past
                    // the chunk land on outputs that a later chunk or row overwrites.
                    const __mmask16 n = oh * g.OW + o0 + 16 <= g.P ? __mmask16(0xFFFF) : lanes(0, std::min(CW, g.OW - o0));
#pragma GCC unroll 8
                    for (int64_t j = 0; j < kw; ++j) {
                        const __m512 v = _mm512_maskz_permutex2var_ps(keep[static_cast<size_t>(q * kw + j)], v0, idx[j], v1);
                        if (n == 0xFFFF) _mm512_storeu_ps(out + j * ld + o0, v);
                        else _mm512_mask_storeu_ps(out + j * ld + o0, n, v);
                    }
                }
            }
}

// The adjoint at stride 2 along the row, overwriting x (no zero fill, no read-modify-write of x): each run of 16
// x columns of a row (c, ih) is summed in registers over the taps (i, j) that read it, one 16-value load of the
// output row oh = (ih + ph − i) / sh per tap and a permute that puts output ow at the lane of its input column
// 2·ow − pw + j (lanes no output reads stay zero), then stored once. Loads are plain within the buffer: the
// caller's col holds at least (K − 1)·ld + P floats.
template <int KW>  // the kernel's width when known at compile time (3: the taps unrolled), else 0
void col2im_stride2_f32(float* x, const float* col, int64_t ld, const Geometry& g, const Window2d& k) {
    const int64_t kh = k.kernel_h, kw = KW > 0 ? KW : k.kernel_w, pw = k.pad_w, runs = (g.W + 15) / 16;
    const float* end = col + (g.K - 1) * ld + g.P;
    const float* x_end = x + g.C * g.H * g.W;
    std::vector<int64_t> base(static_cast<size_t>(runs));   // first output column loaded for run r
    std::vector<__m512i> idx(static_cast<size_t>(runs * kw));  // [run, j]: lane → offset of its output from base
    std::vector<__mmask16> take(static_cast<size_t>(runs * kw));
    for (int64_t r = 0; r < runs; ++r) {
        const int64_t w0 = 16 * r;
        base[static_cast<size_t>(r)] = std::max<int64_t>(0, (w0 + pw - (kw - 1)) / 2);
        for (int64_t j = 0; j < kw; ++j) {
            int64_t lo, hi;
            valid_range(j, g.W, g.OW, 2, pw, lo, hi);
            alignas(64) int32_t id[16] = {};
            unsigned m = 0;
            for (int64_t l = 0; l < 16 && w0 + l < g.W; ++l) {
                const int64_t t = w0 + l + pw - j;  // = 2·ow
                if (t < 0 || t % 2 != 0 || t / 2 < lo || t / 2 >= hi) continue;
                id[l] = static_cast<int32_t>(t / 2 - base[static_cast<size_t>(r)]);
                m |= 1u << l;
            }
            idx[static_cast<size_t>(r * kw + j)] = _mm512_load_si512(id);
            take[static_cast<size_t>(r * kw + j)] = static_cast<__mmask16>(m);
        }
    }
    // row_of[ih·kh + i]: the output row oh = (ih + ph − i) / sh that reads input row ih through kernel row i, or
    // −1 (made once: a division per tap in the loop below cost more than the rest of it)
    std::vector<int64_t> row_of(static_cast<size_t>(g.H * kh), -1);
    for (int64_t ih = 0; ih < g.H; ++ih)
        for (int64_t i = 0; i < kh; ++i) {
            const int64_t t = ih + k.pad_h - i;  // = oh·sh
            if (t >= 0 && t % k.stride_h == 0 && t / k.stride_h < g.OH) row_of[static_cast<size_t>(ih * kh + i)] = t / k.stride_h;
        }
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t ih = 0; ih < g.H; ++ih)
            for (int64_t r = 0; r < runs; ++r) {
                __m512 acc = _mm512_setzero_ps();
                for (int64_t i = 0; i < kh; ++i) {
                    const int64_t oh = row_of[static_cast<size_t>(ih * kh + i)];
                    if (oh < 0) continue;
                    const float* src = col + (c * kh + i) * kw * ld + oh * g.OW + base[static_cast<size_t>(r)];
                    if (KW > 0 && src + (kw - 1) * ld + 16 <= end) {  // all taps' loads inside the buffer: unrolled
                        __m512 part[KW > 0 ? KW : 1];
#pragma GCC unroll 8
                        for (int j = 0; j < KW; ++j) {
                            const size_t e = static_cast<size_t>(r * kw + j);
                            part[j] = _mm512_maskz_permutexvar_ps(take[e], idx[e], _mm512_loadu_ps(src + j * ld));
                        }
#pragma GCC unroll 8
                        for (int j = 0; j < KW; ++j) acc = _mm512_add_ps(acc, part[j]);
                        continue;
                    }
                    for (int64_t j = 0; j < kw; ++j, src += ld) {
                        const size_t e = static_cast<size_t>(r * kw + j);
                        if (!take[e]) continue;
                        const __m512 v = src + 16 <= end ? _mm512_loadu_ps(src) : _mm512_maskz_loadu_ps(lanes(0, std::clamp<int64_t>(end - src, 0, 16)), src);
                        acc = _mm512_add_ps(acc, _mm512_maskz_permutexvar_ps(take[e], idx[e], v));
                    }
                }
                float* dst = x + (c * g.H + ih) * g.W + 16 * r;
                if (dst + 16 <= x_end) _mm512_storeu_ps(dst, acc);  // lanes past the row: a later row overwrites them
                else _mm512_mask_storeu_ps(dst, lanes(0, std::min<int64_t>(16, g.W - 16 * r)), acc);
            }
}
#endif

// col[r, p] = x[c, oh·sh − ph + i, ow·sw − pw + j] (0 in the padding), r = (c·kh + i)·kw + j, p = oh·OW + ow.
// One image x [C, H, W]; col's rows are ld apart.
template <class T>
void im2col(T* col, int64_t ld, const T* x, const Geometry& g, const Window2d& k) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>)
        if (stride2_vectorised(k)) return k.kernel_w == 3 ? im2col_stride2_f32<3>(col, ld, x, g, k) : im2col_stride2_f32<0>(col, ld, x, g, k);
#endif
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i)
            for (int64_t j = 0; j < k.kernel_w; ++j) {
                T* row = col + ((c * k.kernel_h + i) * k.kernel_w + j) * ld;
                int64_t lo, hi;
                valid_range(j, g.W, g.OW, k.stride_w, k.pad_w, lo, hi);
                for (int64_t oh = 0; oh < g.OH; ++oh) {
                    T* dst = row + oh * g.OW;
                    const int64_t ih = oh * k.stride_h - k.pad_h + i;
                    if (ih < 0 || ih >= g.H) {
                        for (int64_t ow = 0; ow < g.OW; ++ow) dst[ow] = T(0);
                        continue;
                    }
                    const T* src = x + (c * g.H + ih) * g.W - k.pad_w + j;  // src[ow·sw] is x[c, ih, iw]
                    if (k.stride_w == 1) {
                        copy_segment(dst, src, lo, hi, g.OW);
                        continue;
                    }
                    for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = T(0);
                    for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * k.stride_w];
                    for (int64_t ow = hi; ow < g.OW; ++ow) dst[ow] = T(0);
                }
            }
}

// The adjoint of im2col: x[c, ih, iw] += col[r, p] over every (r, p) that im2col read it into.
template <class T>
void col2im_add(T* x, const T* col, int64_t ld, const Geometry& g, const Window2d& k) {
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < k.kernel_h; ++i)
            for (int64_t j = 0; j < k.kernel_w; ++j) {
                const T* row = col + ((c * k.kernel_h + i) * k.kernel_w + j) * ld;
                int64_t lo, hi;
                valid_range(j, g.W, g.OW, k.stride_w, k.pad_w, lo, hi);
                for (int64_t oh = 0; oh < g.OH; ++oh) {
                    const int64_t ih = oh * k.stride_h - k.pad_h + i;
                    if (ih < 0 || ih >= g.H) continue;
                    const T* src = row + oh * g.OW;
                    T* dst = x + (c * g.H + ih) * g.W - k.pad_w + j;
                    if (k.stride_w == 1) {
                        for (int64_t ow = lo; ow < hi; ++ow) dst[ow] += src[ow];
                        continue;
                    }
                    for (int64_t ow = lo; ow < hi; ++ow) dst[ow * k.stride_w] += src[ow];
                }
            }
}

// x = col2im(col) for one image: overwrites x [C, H, W]. At stride 1 with AVX-512 (float), each run of 16
// x columns is summed in registers over the kh·kw windows that read it and stored once: accumulating in
// memory instead makes every masked load wait for the masked store just before it to the same address.
// The lane masks of each tap column j depend only on the run, so they are made once per run; two
// accumulators (even and odd j) halve the chain of dependent adds.
#if defined(__AVX512F__)
template <int KW>
void col2im_rows_f32(float* x, const float* col, int64_t ld, const Geometry& g, const Window2d& k) {
    const int64_t kh = k.kernel_h, kw = KW > 0 ? KW : k.kernel_w, ph = k.pad_h, pw = k.pad_w;
    __mmask16 mask[16];
    for (int64_t w0 = 0; w0 < g.W; w0 += 16) {
        const int64_t n = std::min<int64_t>(16, g.W - w0);
        for (int64_t j = 0; j < kw; ++j) {  // lane l is x column w0 + l, read by output column w0 + l + pw − j
            const int64_t lo = std::clamp<int64_t>(j - pw - w0, 0, n);
            mask[j] = lanes(lo, std::clamp<int64_t>(g.OW + j - pw - w0, lo, n));
        }
        for (int64_t c = 0; c < g.C; ++c)
            for (int64_t ih = 0; ih < g.H; ++ih) {
                __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
                const int64_t i_lo = std::max<int64_t>(0, ih + ph - g.OH + 1), i_hi = std::min(kh, ih + ph + 1);
                for (int64_t i = i_lo; i < i_hi; ++i) {  // output row oh = ih + ph − i
                    const float* src = col + (c * kh + i) * kw * ld + (ih + ph - i) * g.OW + w0 + pw;
                    int64_t j = 0;
                    for (; j + 1 < kw; j += 2) {
                        acc0 = _mm512_add_ps(acc0, _mm512_maskz_loadu_ps(mask[j], src + j * ld - j));
                        acc1 = _mm512_add_ps(acc1, _mm512_maskz_loadu_ps(mask[j + 1], src + (j + 1) * ld - j - 1));
                    }
                    if (j < kw) acc0 = _mm512_add_ps(acc0, _mm512_maskz_loadu_ps(mask[j], src + j * ld - j));
                }
                _mm512_mask_storeu_ps(x + (c * g.H + ih) * g.W + w0, lanes(0, n), _mm512_add_ps(acc0, acc1));
            }
    }
}
#endif

template <class T>
void col2im(T* x, const T* col, int64_t ld, const Geometry& g, const Window2d& k) {
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<T, float>) {
        if (k.stride_h == 1 && k.stride_w == 1 && k.kernel_w <= 16) {
            if (k.kernel_w == 5) col2im_rows_f32<5>(x, col, ld, g, k);
            else if (k.kernel_w == 3) col2im_rows_f32<3>(x, col, ld, g, k);
            else col2im_rows_f32<0>(x, col, ld, g, k);
            return;
        }
        if (stride2_vectorised(k)) return k.kernel_w == 3 ? col2im_stride2_f32<3>(x, col, ld, g, k) : col2im_stride2_f32<0>(x, col, ld, g, k);
    }
#endif
    std::fill_n(x, g.C * g.H * g.W, T(0));
    col2im_add(x, col, ld, g, k);
}

}  // namespace bp::cpu::conv
